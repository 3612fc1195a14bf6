// Which entries a pane shows, on which rows.
import assert from "node:assert/strict";
import { test } from "node:test";

import { LineIndex } from "../../service/tailgate/static/line-index.js";

// Entries 0, 1, 2 taking 1, 3 and 1 rows.
function threeEntries() {
  const index = new LineIndex();
  index.append(0, 1);
  index.append(1, 3);
  index.append(2, 1);
  return index;
}

test("rows add up over the entries shown", () => {
  const index = threeEntries();
  assert.equal(index.count, 3);
  assert.equal(index.totalRows, 5);
  assert.deepEqual(
    [0, 1, 2].map((i) => index.firstRowOf(i)),
    [0, 1, 4],
  );
  assert.deepEqual(
    [0, 1, 2].map((i) => index.rowsOf(i)),
    [1, 3, 1],
  );
});

test("each display row belongs to the entry that covers it", () => {
  const index = threeEntries();
  const table = [
    [-1, -1],
    [0, 0],
    [1, 1],
    [3, 1],
    [4, 2],
    [5, -1],
  ];
  for (const [row, position] of table) assert.equal(index.locate(row), position, `row ${row}`);
});

test("dropping entries that left the buffer says how many rows went and renumbers the rest", () => {
  const index = threeEntries();
  assert.equal(index.dropBefore(2), 4);
  assert.equal(index.count, 1);
  assert.equal(index.totalRows, 1);
  assert.equal(index.seqAt(0), 2);
  assert.equal(index.locate(0), 0);
});

test("dropping many entries compacts the arrays without changing what is shown", () => {
  const index = new LineIndex();
  for (let seq = 0; seq < 10000; seq++) index.append(seq, 1 + (seq % 2));
  index.dropBefore(9000);
  assert.ok(index.seqs.length < 10000);
  assert.equal(index.count, 1000);
  assert.equal(index.seqAt(0), 9000);
  assert.equal(index.totalRows, 1500);
  assert.equal(index.seqAt(index.locate(1499)), 9999);
});

test("an empty index has no rows", () => {
  const index = new LineIndex();
  assert.equal(index.totalRows, 0);
  assert.equal(index.locate(0), -1);
  index.append(5, 2);
  index.reset();
  assert.equal(index.count, 0);
});
