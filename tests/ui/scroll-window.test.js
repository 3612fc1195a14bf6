// The arithmetic of a pane's scrolling window.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  MAX_PX,
  OVERSCAN,
  atEnd,
  clampScroll,
  columnsFor,
  rowWindow,
  scrollTarget,
  spacerHeight,
} from "../../service/tailgate/static/scroll-window.js";

const ROW = 18;
const HEIGHT = 180; // ten rows in sight

test("the spacer is as tall as the rows until browsers would cap it", () => {
  assert.deepEqual(spacerHeight(0, ROW), { spacerPx: 0, scaled: false });
  assert.deepEqual(spacerHeight(1000, ROW), { spacerPx: 18000, scaled: false });
  assert.deepEqual(spacerHeight(10_000_000, ROW), { spacerPx: MAX_PX, scaled: true });
});

test("the rows in sight are drawn, with a few more beyond each edge", () => {
  const window = (top, total = 1000) =>
    rowWindow({ total, rowHeight: ROW, height: HEIGHT, top, ...spacerHeight(total, ROW) });
  const table = [
    [0, 1000, { first: 0, last: 11 + OVERSCAN, offset: 0 }],
    [900, 1000, { first: 50 - OVERSCAN, last: 50 + 11 + OVERSCAN, offset: 900 - OVERSCAN * ROW }],
    [909, 1000, { first: 50 - OVERSCAN, last: 50 + 11 + OVERSCAN, offset: 909 - 4.5 * ROW }],
    [18000 - HEIGHT, 1000, { first: 990 - OVERSCAN, last: 1000, offset: 17820 - OVERSCAN * ROW }],
    [0, 3, { first: 0, last: 3, offset: 0 }],
    [0, 0, { first: 0, last: 0, offset: 0 }],
  ];
  for (const [top, total, expected] of table) {
    assert.deepEqual(window(top, total), expected, `top ${top} of ${total} rows`);
  }
});

test("a scaled scrollbar still reaches the first and the last row", () => {
  const total = 10_000_000;
  const { spacerPx, scaled } = spacerHeight(total, ROW);
  const at = (top) => rowWindow({ total, rowHeight: ROW, height: HEIGHT, top, spacerPx, scaled });
  assert.equal(at(0).first, 0);
  assert.equal(at(spacerPx - HEIGHT).last, total);
  const middle = at((spacerPx - HEIGHT) / 2);
  assert.ok(Math.abs(middle.first + OVERSCAN - total / 2) < 10, middle.first);
});

test("a following view scrolls to the end; one being read stays on its rows", () => {
  const base = { spacerPx: 18000, scaled: false, height: HEIGHT, top: 5000, rowHeight: ROW };
  const table = [
    [{ following: true, droppedRows: 0 }, 18000 - HEIGHT],
    [{ following: true, droppedRows: 7 }, 18000 - HEIGHT],
    [{ following: false, droppedRows: 0 }, null],
    [{ following: false, droppedRows: 10 }, 5000 - 10 * ROW],
    [{ following: false, droppedRows: 10, scaled: true }, null],
  ];
  for (const [state, target] of table) {
    assert.equal(scrollTarget({ ...base, ...state }), target, JSON.stringify(state));
  }
});

test("scrolling stays inside the scrollable area", () => {
  const table = [
    [-5, 0],
    [10.4, 10],
    [99999, 18000 - HEIGHT],
  ];
  for (const [top, clamped] of table) assert.equal(clampScroll(top, 18000, HEIGHT), clamped);
  assert.equal(clampScroll(50, 100, HEIGHT), 0); // fewer rows than fit: nowhere to scroll
});

test("the view is at the end within half a row of it", () => {
  const table = [
    [18000 - HEIGHT, true],
    [18000 - HEIGHT - 8, true],
    [18000 - HEIGHT - 10, false],
    [0, false],
  ];
  for (const [top, end] of table) assert.equal(atEnd(top, HEIGHT, 18000, ROW), end, `${top}`);
});

test("as many columns fit as whole characters, and never fewer than ten", () => {
  assert.equal(columnsFor(800, 8), 100);
  assert.equal(columnsFor(805, 8.4), 95);
  assert.equal(columnsFor(40, 8), 10);
});
