// How many columns text takes in the pane's monospace font, and where to cut it into rows.
//
// Every row of a pane has the same height, so wrapped lines are cut into rows before they
// are drawn (tail-model.js). The cut has to follow what the reader sees, not UTF-16 code
// units: CJK and other wide characters take two columns, and so do emoji (with their ZWJ
// sequences, skin tones and flags); combining marks and invisible format characters take
// none; and a character built from several code points (a grapheme cluster) is never cut
// in two. Which characters are wide follows Unicode's East Asian Width (W and F) and
// emoji presentation, as terminals do (wcwidth).

// Below U+0300 (ASCII, Latin-1, Latin Extended, IPA) every code unit is one character of
// one column, except the soft hyphen, which browsers do not draw in unwrapped text.
// (Control characters count one: the page shows them as symbols, ansi.js.)
// eslint-disable-next-line no-control-regex
const SIMPLE = /^[\u0000-\u00ac\u00ae-\u02ff]*$/;

const ZERO = /^[\p{Mn}\p{Me}\p{Cf}\u1160-\u11ff]$/u;
const EMOJI_PRESENTATION = /^\p{Emoji_Presentation}$/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const EMOJI_MODIFIER = /\p{Emoji_Modifier}/u;
const REGIONAL = /^\p{Regional_Indicator}/u;
const EMOJI_STYLE = "\ufe0f";
const TEXT_STYLE = "\ufe0e";
const ZWJ = "\u200d";

// East Asian Wide and Fullwidth code points, as [first, last] pairs in order. Emoji are
// left out: they are found by their presentation property instead.
const WIDE = [
  [0x1100, 0x115f], // Hangul Jamo initial consonants
  [0x2329, 0x232a], // angle brackets
  [0x2e80, 0x303e], // CJK radicals, Kangxi, ideographic description, CJK punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, CJK compat
  [0x3400, 0x4dbf], // CJK Extension A
  [0x4e00, 0x9fff], // CJK Unified Ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f], // Hangul Jamo Extended-A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6], // fullwidth signs
  [0x16fe0, 0x16fe4], // ideographic symbols
  [0x16ff0, 0x16ff1],
  [0x17000, 0x18cff], // Tangut, Khitan
  [0x18d00, 0x18d08],
  [0x1aff0, 0x1b2ff], // Kana supplements and extensions, Nushu
  [0x1f200, 0x1f2ff], // enclosed ideographic supplement
  [0x20000, 0x2fffd], // CJK Extensions B to F, compatibility supplement
  [0x30000, 0x3fffd], // CJK Extensions G, H
];

function isWide(cp) {
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (cp < WIDE[mid][0]) hi = mid - 1;
    else if (cp > WIDE[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}

// Columns of one code point on its own: 0, 1 or 2.
export function codePointWidth(char) {
  if (ZERO.test(char)) return 0;
  if (EMOJI_PRESENTATION.test(char)) return 2;
  return isWide(char.codePointAt(0)) ? 2 : 1;
}

// Columns of one grapheme cluster (what a reader sees as one character).
export function clusterWidth(cluster) {
  if (cluster.length === 1) return codePointWidth(cluster);
  const points = [...cluster];
  if (points.length === 1) return codePointWidth(cluster);
  if (REGIONAL.test(cluster)) return 2; // a flag: a pair of regional indicators
  if (cluster.includes(EMOJI_STYLE)) return 2; // emoji presentation asked for: ❤️, 1️⃣
  if (cluster.includes(TEXT_STYLE)) return 1; // text presentation asked for: ❤︎
  if (PICTOGRAPHIC.test(cluster) && (cluster.includes(ZWJ) || EMOJI_MODIFIER.test(cluster))) {
    return 2; // 👩‍💻, 👍🏽
  }
  let most = 0;
  for (const point of points) most = Math.max(most, codePointWidth(point));
  return most; // a base with its marks: é, 가 from Jamo, क्ष
}

let segmenter = null;

function clusters(text) {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  return segmenter.segment(text);
}

// Columns `text` takes.
export function displayWidth(text) {
  if (SIMPLE.test(text)) return text.length;
  let width = 0;
  for (const { segment } of clusters(text)) width += clusterWidth(segment);
  return width;
}

// Where each row starts (UTF-16 offsets, the first 0) when `text` is cut into rows of at
// most `cols` columns, never inside a grapheme cluster. Empty text is one empty row; a
// wide character that does not fit at the end of a row begins the next one.
export function wrapOffsets(text, cols) {
  const starts = [0];
  if (SIMPLE.test(text)) {
    for (let at = cols; at < text.length; at += cols) starts.push(at);
    return starts;
  }
  let col = 0;
  for (const { segment, index } of clusters(text)) {
    const width = clusterWidth(segment);
    if (col + width > cols && col > 0) {
      starts.push(index);
      col = 0;
    }
    col += width;
  }
  return starts;
}

// How many rows `text` takes at `cols` columns a row (at least one).
export function rowCount(text, cols) {
  if (SIMPLE.test(text)) return Math.max(1, Math.ceil(text.length / cols));
  return wrapOffsets(text, cols).length;
}
