// A row's text cut where colour runs and highlights begin and end.
import assert from "node:assert/strict";
import { test } from "node:test";

import { segments } from "../../service/tailgate/static/row-segments.js";

test("a row is cut at every colour and highlight boundary within it", () => {
  assert.deepEqual(segments("abcdef", [[0, 3, "fg-1"]], [[2, 4]], 1, 6), [
    { text: "b", cls: "fg-1" },
    { text: "c", cls: "fg-1 hl" },
    { text: "d", cls: "hl" },
    { text: "ef", cls: "" },
  ]);
});

test("a row without runs or highlights is one piece", () => {
  assert.deepEqual(segments("plain", [], []), [{ text: "plain", cls: "" }]);
});

test("a wrapped row takes only its own part of runs that cross it", () => {
  const runs = [[0, 10, "fg-2"]];
  assert.deepEqual(segments("0123456789", runs, [], 4, 8), [{ text: "4567", cls: "fg-2" }]);
  assert.deepEqual(segments("0123456789", [], [[6, 12]], 4, 8), [
    { text: "45", cls: "" },
    { text: "67", cls: "hl" },
  ]);
});

test("the pieces put together are the row's text", () => {
  const text = "2024 ERROR disk full on /var";
  const runs = [
    [5, 10, "fg-1 b"],
    [24, 28, "u"],
  ];
  const marks = [
    [0, 4],
    [11, 15],
    [20, 26],
  ];
  for (const [start, end] of [
    [0, text.length],
    [3, 17],
    [10, 28],
  ]) {
    const joined = segments(text, runs, marks, start, end)
      .map((p) => p.text)
      .join("");
    assert.equal(joined, text.slice(start, end));
  }
});
