// Display width and wrapping: what the reader sees in a monospace font, not UTF-16 units.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  clusterWidth,
  displayWidth,
  rowCount,
  wrapOffsets,
} from "../../service/tailgate/static/text-width.js";

describe("displayWidth", () => {
  const cases = [
    ["empty text", "", 0],
    ["ASCII", "GET /index.html 200", 19],
    ["Latin-1 and Latin Extended", "café naïve Łódź", 15],
    ["a control symbol the page draws", "bell \u2407", 6],
    ["CJK ideographs", "日本語のログ", 12],
    ["CJK mixed with ASCII", "error: 接続できません", 7 + 14],
    ["Hangul syllables", "한국어", 6],
    ["Hangul from conjoining Jamo", "\u1100\u1161\u11a8", 2],
    ["fullwidth forms", "ＡＢＣ１", 8],
    ["halfwidth Katakana", "ｱｲｳ", 3],
    ["an ideographic space", "a\u3000b", 4],
    ["CJK Extension B", "\u{20000}\u{2A6D6}", 4],
    ["an emoji", "ok 😀", 5],
    ["a ZWJ family", "👨‍👩‍👧‍👦", 2],
    ["a ZWJ profession", "👩‍💻", 2],
    ["a skin tone", "👍🏽", 2],
    ["a flag", "🇯🇵", 2],
    ["two flags", "🇫🇷🇩🇪", 4],
    ["a lone regional indicator (drawn as a boxed letter emoji)", "🇫", 2],
    ["a keycap", "1️⃣", 2],
    ["a heart in text presentation", "❤", 1],
    ["a heart in emoji presentation", "❤️", 2],
    ["a heart asked for as text", "❤︎", 1],
    ["a combining acute accent", "e\u0301", 1],
    ["stacked combining marks", "a\u0300\u0301\u0302", 1],
    ["a combining mark on a wide character", "が", 2],
    ["a zero-width space", "a\u200bb", 2],
    ["a soft hyphen", "co\u00adop", 4],
    ["Devanagari with a virama", "क्ष", 1],
  ];
  for (const [name, text, width] of cases) {
    test(`counts ${name} as ${width} columns`, () => {
      assert.equal(displayWidth(text), width);
    });
  }
});

describe("clusterWidth", () => {
  test("never counts a visible character as more than two columns", () => {
    for (const cluster of ["👨‍👩‍👧‍👦", "🏳️‍🌈", "🇯🇵", "1️⃣", "👍🏽", "中", "a\u0301"]) {
      assert.ok(clusterWidth(cluster) >= 1 && clusterWidth(cluster) <= 2, cluster);
    }
  });
});

// The rows of `text` at `cols` columns, as strings.
function rowsOf(text, cols) {
  const starts = wrapOffsets(text, cols);
  return starts.map((start, i) => text.slice(start, starts[i + 1] ?? text.length));
}

describe("wrapOffsets", () => {
  const cases = [
    ["empty text is one empty row", "", 10, [""]],
    [
      "ASCII is cut every cols characters",
      "abcdefghijklmnopqrstuvwxy",
      10,
      ["abcdefghij", "klmnopqrst", "uvwxy"],
    ],
    ["ASCII that fits exactly stays one row", "abcdefghij", 10, ["abcdefghij"]],
    [
      "CJK takes half as many characters a row",
      "一二三四五六七八九十一二",
      10,
      ["一二三四五", "六七八九十", "一二"],
    ],
    [
      "a wide character that does not fit moves to the next row",
      "abcdefghi中x",
      10,
      ["abcdefghi", "中x"],
    ],
    ["a ZWJ sequence is never cut", "abcdefghi👩‍💻z", 10, ["abcdefghi", "👩‍💻z"]],
    ["a flag is never cut between its two letters", "abcdefgh🇯🇵🇫🇷", 10, ["abcdefgh🇯🇵", "🇫🇷"]],
    [
      "a combining mark stays with its letter",
      "abcdefghije\u0301f",
      10,
      ["abcdefghij", "e\u0301f"],
    ],
    [
      "a combining mark at a row's end stays on that row",
      "abcdefghie\u0301fg",
      10,
      ["abcdefghie\u0301", "fg"],
    ],
  ];
  for (const [name, text, cols, rows] of cases) {
    test(name, () => {
      assert.deepEqual(rowsOf(text, cols), rows);
    });
  }

  test("no row is wider than cols, and the rows put together are the text", () => {
    const text = "日志 log 🇩🇪 ok 👨‍👩‍👧 é ".repeat(20);
    for (const cols of [10, 11, 17, 80]) {
      const rows = rowsOf(text, cols);
      assert.equal(rows.join(""), text);
      for (const row of rows) assert.ok(displayWidth(row) <= cols, `${cols}: ${row}`);
      assert.equal(rowCount(text, cols), rows.length);
    }
  });
});

describe("rowCount", () => {
  const cases = [
    ["", 10, 1],
    ["a".repeat(10), 10, 1],
    ["a".repeat(11), 10, 2],
    ["中".repeat(5), 10, 1],
    ["中".repeat(6), 10, 2],
    ["中".repeat(15), 10, 3],
    ["😀".repeat(10), 10, 2],
  ];
  for (const [text, cols, rows] of cases) {
    test(`gives ${rows} row(s) for ${JSON.stringify(text.slice(0, 12))} (${text.length} units) at ${cols} columns`, () => {
      assert.equal(rowCount(text, cols), rows);
    });
  }
});
