// Terminal colours to styled runs, and log text made printable.
import assert from "node:assert/strict";
import { test } from "node:test";

import { classOf, nearest256, parseAnsi, plainText } from "../../service/tailgate/static/ansi.js";

test("colour codes become runs of CSS classes over the plain text", () => {
  const table = [
    ["\x1b[1;32mok\x1b[0m rest", "ok rest", [[0, 2, "fg-2 b"]]],
    ["\x1b[31mred\x1b[39m", "red", [[0, 3, "fg-1"]]],
    ["\x1b[91;44mx", "x", [[0, 1, "fg-9 bg-4"]]],
    ["\x1b[38;5;208mo", "o", [[0, 1, "fg-208"]]],
    ["\x1b[38;2;255;0;0mred", "red", [[0, 3, "fg-196"]]],
    ["\x1b[2;3;4;9mx", "x", [[0, 1, "d i u s"]]],
    ["\x1b[7mx", "x", [[0, 1, "fg-inv bg-inv"]]],
    ["\x1b[31;7mx", "x", [[0, 1, "fg-inv bg-1"]]],
    ["\x1b[1ma\x1b[22mb", "ab", [[0, 1, "b"]]],
    ["\x1b[mplain", "plain", []],
  ];
  for (const [raw, plain, runs] of table) {
    assert.deepEqual(parseAnsi(raw), { plain, runs }, JSON.stringify(raw));
  }
});

test("other escape sequences are dropped", () => {
  assert.equal(plainText("\x1b]0;title\x07text\x1b[2K"), "text");
  assert.equal(plainText("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"), "link");
  assert.equal(plainText("a\x1b[10;20Hb"), "ab");
});

test("tabs stop every 8 columns and control characters show as their symbols", () => {
  const table = [
    ["a\tb", "a       b"],
    ["\tx", "        x"],
    ["12345678\tx", "12345678        x"],
    ["a\tb\tc", "a       b       c"],
    ["bell\x07", "bell\u2407"],
    ["del\x7f", "del\u2421"],
    ["cr\r", "cr\u240d"],
  ];
  for (const [raw, plain] of table) assert.equal(plainText(raw), plain, JSON.stringify(raw));
});

test("tab stops count wide characters as two columns", () => {
  // "日本" is 4 columns: the tab adds 4 spaces to reach column 8.
  assert.equal(plainText("日本\tx"), "日本    x");
  assert.equal(plainText("日本語の\tx"), "日本語の        x");
  assert.equal(plainText("e\u0301\tx"), "e\u0301       x");
});

test("text without control characters is returned as it is", () => {
  const text = "nothing to do here";
  assert.equal(plainText(text), text);
  assert.deepEqual(parseAnsi(text), { plain: text, runs: [] });
});

test("24-bit colours map to the nearest colour of the 256-colour palette", () => {
  const table = [
    [[0, 0, 0], 16],
    [[255, 255, 255], 231],
    [[255, 0, 0], 196],
    [[0, 95, 135], 24],
    [[128, 128, 128], 244],
    [[8, 8, 8], 232],
  ];
  for (const [rgb, index] of table) assert.equal(nearest256(...rgb), index, rgb.join(","));
});

test("a state without colours or flags has no classes", () => {
  assert.equal(
    classOf({ fg: null, bg: null, b: false, d: false, i: false, u: false, s: false, inv: false }),
    "",
  );
});
