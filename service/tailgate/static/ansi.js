// Terminal colour codes (ANSI SGR) turned into styled text runs, and log text made printable.
//
// The result is plain text plus a list of [start, end, classes] runs: the page renders each
// run as a text node in a span with CSS classes (ansi.css), so nothing in a log line is ever
// interpreted as HTML. Other escape sequences (cursor moves, titles) are dropped; tabs become
// spaces (stops every 8 columns, counted in display width: text-width.js) and control
// characters their visible symbols (U+2400...), so that wrapping sees what is drawn.

import { displayWidth } from "./text-width.js";

const TAB = 8;
// Control characters are exactly what this looks for.
// eslint-disable-next-line no-control-regex
const NEEDS_WORK = /[\x00-\x1f\x7f]/;

// The printable text of `raw`, without styles (cheap when there is nothing to do).
export function plainText(raw) {
  return NEEDS_WORK.test(raw) ? parseAnsi(raw).plain : raw;
}

export function parseAnsi(raw) {
  if (!NEEDS_WORK.test(raw)) return { plain: raw, runs: [] };
  const state = newState();
  const runs = [];
  let plain = "";
  let runStart = 0;
  let runClass = "";
  // The display column where `plain` stood at the last tab, and its length then: a tab
  // measures only the text since the one before it.
  let tabCol = 0;
  let tabAt = 0;
  const setClass = (cls) => {
    if (cls === runClass) return;
    if (runClass !== "" && plain.length > runStart) runs.push([runStart, plain.length, runClass]);
    runStart = plain.length;
    runClass = cls;
  };
  let i = 0;
  while (i < raw.length) {
    const code = raw.charCodeAt(i);
    if (code === 0x1b) {
      i = skipEscape(raw, i, state);
      setClass(classOf(state));
      continue;
    }
    if (code === 0x09) {
      const col = tabCol + displayWidth(plain.slice(tabAt));
      const pad = TAB - (col % TAB);
      plain += " ".repeat(pad);
      tabCol = col + pad;
      tabAt = plain.length;
    } else if (code < 0x20) {
      plain += String.fromCharCode(0x2400 + code);
    } else if (code === 0x7f) {
      plain += "\u2421";
    } else {
      let j = i + 1;
      while (j < raw.length) {
        const c = raw.charCodeAt(j);
        if (c < 0x20 || c === 0x7f) break;
        j++;
      }
      plain += raw.slice(i, j);
      i = j;
      continue;
    }
    i++;
  }
  setClass("");
  return { plain, runs };
}

// Reads the escape sequence at `i`, applies it if it sets styles, returns where text resumes.
function skipEscape(raw, i, state) {
  const next = raw[i + 1];
  if (next === "[") {
    let j = i + 2;
    while (j < raw.length) {
      const c = raw.charCodeAt(j);
      if (c >= 0x40 && c <= 0x7e) break;
      j++;
    }
    if (raw[j] === "m") applySgr(state, raw.slice(i + 2, j));
    return j + 1;
  }
  if (next === "]") {
    // Operating system command (window title, hyperlink): ends with BEL or ESC \.
    let j = i + 2;
    while (j < raw.length && raw.charCodeAt(j) !== 0x07 && raw.charCodeAt(j) !== 0x1b) j++;
    if (raw.charCodeAt(j) === 0x1b) j++;
    return j + 1;
  }
  return i + 2;
}

function newState() {
  return { fg: null, bg: null, b: false, d: false, i: false, u: false, s: false, inv: false };
}

export function applySgr(state, params) {
  const codes = params === "" ? [0] : params.split(/[;:]/).map((p) => (p === "" ? 0 : Number(p)));
  for (let k = 0; k < codes.length; k++) {
    const c = codes[k];
    if (c === 0) Object.assign(state, newState());
    else if (c === 1) state.b = true;
    else if (c === 2) state.d = true;
    else if (c === 3) state.i = true;
    else if (c === 4) state.u = true;
    else if (c === 7) state.inv = true;
    else if (c === 9) state.s = true;
    else if (c === 22) state.b = state.d = false;
    else if (c === 23) state.i = false;
    else if (c === 24) state.u = false;
    else if (c === 27) state.inv = false;
    else if (c === 29) state.s = false;
    else if (c >= 30 && c <= 37) state.fg = c - 30;
    else if (c >= 90 && c <= 97) state.fg = c - 90 + 8;
    else if (c === 39) state.fg = null;
    else if (c >= 40 && c <= 47) state.bg = c - 40;
    else if (c >= 100 && c <= 107) state.bg = c - 100 + 8;
    else if (c === 49) state.bg = null;
    else if (c === 38 || c === 48) {
      const [colour, used] = extendedColour(codes, k + 1);
      if (colour !== null) state[c === 38 ? "fg" : "bg"] = colour;
      k += used;
    }
  }
}

// 38;5;N or 38;2;R;G;B (and 48;...): the palette index, and how many codes it used.
function extendedColour(codes, k) {
  if (codes[k] === 5) {
    const n = codes[k + 1];
    return [Number.isInteger(n) && n >= 0 && n <= 255 ? n : null, 2];
  }
  if (codes[k] === 2) {
    const [r, g, b] = [codes[k + 1], codes[k + 2], codes[k + 3]].map((v) => clamp(v | 0));
    return [nearest256(r, g, b), 4];
  }
  return [null, 0];
}

function clamp(v) {
  return Math.max(0, Math.min(255, v));
}

// The xterm palette entry closest to an RGB colour (the 6x6x6 cube or the grey ramp).
export function nearest256(r, g, b) {
  const step = (v) => (v < 48 ? 0 : v < 115 ? 1 : Math.floor((v - 35) / 40));
  const levels = [0, 95, 135, 175, 215, 255];
  const [cr, cg, cb] = [step(r), step(g), step(b)];
  const cubeDist = (levels[cr] - r) ** 2 + (levels[cg] - g) ** 2 + (levels[cb] - b) ** 2;
  const grey = Math.round((r + g + b) / 3);
  const gi = Math.max(0, Math.min(23, Math.round((grey - 8) / 10)));
  const gv = 8 + gi * 10;
  const greyDist = (gv - r) ** 2 + (gv - g) ** 2 + (gv - b) ** 2;
  return greyDist < cubeDist ? 232 + gi : 16 + 36 * cr + 6 * cg + cb;
}

export function classOf(state) {
  let fg = state.fg;
  let bg = state.bg;
  const parts = [];
  if (state.inv) {
    [fg, bg] = [bg, fg];
    parts.push(fg === null ? "fg-inv" : `fg-${fg}`, bg === null ? "bg-inv" : `bg-${bg}`);
  } else {
    if (fg !== null) parts.push(`fg-${fg}`);
    if (bg !== null) parts.push(`bg-${bg}`);
  }
  for (const flag of ["b", "d", "i", "u", "s"]) if (state[flag]) parts.push(flag);
  return parts.join(" ");
}
