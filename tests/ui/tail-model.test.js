// What a pane holds and shows, without a page: filter, options, wrapping, pause, export.
import assert from "node:assert/strict";
import { test } from "node:test";

import { KIND_NOTICE } from "../../service/tailgate/static/ring-buffer.js";
import { TailModel } from "../../service/tailgate/static/tail-model.js";
import { displayWidth } from "../../service/tailgate/static/text-width.js";

function model(lines, options = {}) {
  const m = new TailModel({ capacity: options.capacity ?? 100 });
  m.configure({ cols: options.cols ?? 20, wrap: options.wrap ?? false });
  m.pushLines(lines);
  m.sync();
  return m;
}

// Every display row's text, in order.
function shownRows(m) {
  const out = [];
  for (let i = 0; i < m.index.count; i++) {
    for (let sub = 0; sub < m.index.rowsOf(i); sub++) {
      const row = m.row(m.index.seqAt(i), sub);
      out.push(row.text.slice(row.start, row.end));
    }
  }
  return out;
}

test("each line is one row until lines wrap", () => {
  const m = model(["short", "x".repeat(45)]);
  assert.equal(m.index.totalRows, 2);
  m.configure({ wrap: true });
  assert.deepEqual(shownRows(m), ["short", "x".repeat(20), "x".repeat(20), "x".repeat(5)]);
});

test("wrapped rows are cut by display width, so wide characters fill half as many", () => {
  const cjk = "日本語のログ行です。".repeat(3); // 30 characters, 60 columns
  const m = model([cjk, "e\u0301".repeat(25), "👨‍👩‍👧".repeat(11)], { wrap: true, cols: 20 });
  const rows = shownRows(m);
  assert.equal(m.index.rowsOf(0), 3);
  assert.equal(m.index.rowsOf(1), 2); // 25 columns: combining marks take none
  assert.equal(m.index.rowsOf(2), 2); // 22 columns: each family is one wide character
  assert.equal(rows.slice(0, 3).join(""), cjk);
  for (const row of rows) assert.ok(displayWidth(row) <= 20, row);
  assert.equal(m.index.totalRows, rows.length);
});

test("a narrower pane gives a wrapped line more rows", () => {
  const m = model(["中".repeat(30)], { wrap: true, cols: 60 });
  assert.equal(m.index.totalRows, 1);
  m.configure({ cols: 20 });
  assert.equal(m.index.totalRows, 3);
});

test("the filter hides lines that do not match but never notices", () => {
  const m = model(["GET /a", "POST /b", "GET /c"]);
  m.push(KIND_NOTICE, "[rotated] app.log");
  m.configure({ spec: { text: "get" } });
  assert.deepEqual(shownRows(m), ["GET /a", "GET /c", "[rotated] app.log"]);
  m.configure({ spec: { invert: true } });
  assert.deepEqual(shownRows(m), ["POST /b", "[rotated] app.log"]);
  m.configure({ spec: { text: "" } });
  assert.equal(m.index.count, 4);
});

test("the filter matches the text, never colour codes", () => {
  const m = model(["\x1b[31mred\x1b[0m alert"]);
  m.configure({ spec: { text: "red alert" } });
  assert.equal(m.index.count, 1);
  m.configure({ spec: { text: "31m" } });
  assert.equal(m.index.count, 0);
});

test("JSON lines are pretty-printed on rows of their own", () => {
  const m = model(['{"a": 1, "b": [2]}', "not json"]);
  m.configure({ json: true });
  assert.deepEqual(shownRows(m), ["{", '  "a": 1,', '  "b": [', "    2", "  ]", "}", "not json"]);
});

test("a frozen pane keeps new lines without showing them until it thaws", () => {
  const m = model(["a"]);
  m.freeze();
  m.pushLines(["b", "c"]);
  assert.deepEqual(m.sync().added, 0);
  assert.deepEqual(shownRows(m), ["a"]);
  m.unfreeze();
  assert.equal(m.sync().added, 2);
  assert.deepEqual(shownRows(m), ["a", "b", "c"]);
});

test("a full pane drops its oldest rows and counts them", () => {
  const m = model([], { capacity: 3 });
  m.pushLines(["1", "2", "3", "4", "5"]);
  m.sync();
  assert.deepEqual(shownRows(m), ["3", "4", "5"]);
  assert.equal(m.dropped, 2);
  m.pushLines(["6"]);
  assert.equal(m.sync().droppedRows, 1);
});

test("clear empties the pane, and new lines show after it", () => {
  const m = model(["a", "b"]);
  m.clear();
  assert.equal(m.index.count, 0);
  m.pushLines(["c"]);
  m.sync();
  assert.deepEqual(shownRows(m), ["c"]);
});

test("download holds the lines the filter shows, without notices, with their source", () => {
  const m = model(["keep 1", "drop"]);
  m.push(KIND_NOTICE, "[truncated] x");
  m.pushLines(["keep 2"], "web-0/app", ["2024-01-01T00:00:01Z"]);
  assert.equal(m.exportText(), "keep 1\ndrop\n2024-01-01T00:00:01Z [web-0/app] keep 2\n");
  m.configure({ spec: { text: "keep" } });
  assert.equal(m.exportText(), "keep 1\n2024-01-01T00:00:01Z [web-0/app] keep 2\n");
  assert.equal(new TailModel().exportText(), "");
});

test("timestamps and source tags take their columns before the text", () => {
  const m = model([], { cols: 60, wrap: true });
  m.pushLines(["x".repeat(60)], "web-0/app", ["2024-01-01T00:00:01Z"]);
  m.sync();
  assert.equal(m.metaCols, 13 + "web-0/app".length + 1);
  assert.equal(m.textCols, 60 - m.metaCols);
  assert.equal(m.index.totalRows, 2);
  const first = m.row(m.index.seqAt(0), 0);
  assert.deepEqual([first.source, first.stamp], ["web-0/app", "2024-01-01T00:00:01Z"]);
  assert.deepEqual(m.row(m.index.seqAt(0), 1).pad, true);
  m.configure({ times: false });
  assert.equal(m.metaCols, "web-0/app".length + 1);
});

test("a frame of several pods gives each line its own source, and the longest its column", () => {
  const m = model([], { cols: 60 });
  m.pushLines(
    ["one", "two", "three"],
    ["web-0/app", "web-12345/app", "web-0/app"],
    ["2024-01-01T00:00:01Z", null, "2024-01-01T00:00:03Z"],
  );
  m.sync();
  const rows = [0, 1, 2].map((n) => m.row(m.index.seqAt(n), 0));
  assert.deepEqual(rows.map((r) => [r.source, r.stamp]), [
    ["web-0/app", "2024-01-01T00:00:01Z"],
    ["web-12345/app", null],
    ["web-0/app", "2024-01-01T00:00:03Z"],
  ]);
  assert.equal(m.sourceCols, "web-12345/app".length);
  assert.equal(
    m.exportText(),
    "2024-01-01T00:00:01Z [web-0/app] one\n[web-12345/app] two\n" +
      "2024-01-01T00:00:03Z [web-0/app] three\n",
  );
});
