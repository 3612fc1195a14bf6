// The page's history modules without a browser: older lines page by page, where each
// line stands (for links), NDJSON as it streams in, times typed by the reader, the
// addresses of the history calls, and lines put in at the front of a pane's buffer.
import assert from "node:assert/strict";
import { test } from "node:test";

import { HistoryError, historyUrl, refusal } from "../../service/tailgate/static/history-api.js";
import { LineRefs } from "../../service/tailgate/static/line-refs.js";
import { NdjsonSplitter } from "../../service/tailgate/static/ndjson.js";
import { OlderLines, mustHold } from "../../service/tailgate/static/older-lines.js";
import { KIND_LINE, KIND_NOTICE, RingBuffer } from "../../service/tailgate/static/ring-buffer.js";
import { TailModel } from "../../service/tailgate/static/tail-model.js";
import { localValue, sinceFromLocal, sinceFromSecond } from "../../service/tailgate/static/time-input.js";

function texts(model) {
  model.sync();
  const out = [];
  for (let i = 0; i < model.index.count; i++) out.push(model.ring.text(model.index.seqAt(i)));
  return out;
}

test("older lines wait for a first frame, then ask for its own lines too and leave them out", () => {
  const older = new OlderLines();
  assert.deepEqual(older.request(100), { blocked: "waiting" });
  older.sawFrame("C1", 3);
  older.sawFrame("C2", 5); // later frames change nothing: the first one is the top
  const asked = older.request(1000, 10);
  assert.deepEqual(asked, { before: "C1", limit: 13, skip: 3 });
  older.loading = true;
  assert.deepEqual(older.request(1000), { blocked: "loading" });
  const page = { lines: ["a", "b", "x", "y", "z"], cursor: "T" };
  const got = older.loaded(asked, page, ["x", "y", "z"]);
  assert.deepEqual(got, { older: ["a", "b"], joined: true });
  assert.deepEqual(older.request(1000, 10), { before: "T", limit: 10, skip: 0 });
});

test("a page shorter than the lines to leave out leaves the rest for the next page", () => {
  const older = new OlderLines();
  older.sawFrame("C", 5);
  const asked = older.request(10, 10);
  const got = older.loaded(asked, { lines: ["d", "e"], cursor: "T" }, ["a", "b", "c", "d", "e"]);
  assert.deepEqual(got, { older: [], joined: true });
  assert.deepEqual(older.request(10, 10), { before: "T", limit: 13, skip: 3 });
});

test("lines read back that are not the ones held say so", () => {
  const older = new OlderLines();
  older.sawFrame("C", 1);
  const asked = older.request(10, 10);
  const got = older.loaded(asked, { lines: ["a", "other"], cursor: "T" }, ["held"]);
  assert.deepEqual(got, { older: ["a"], joined: false });
});

test("older lines stop at the log's start, and at a full buffer", () => {
  const older = new OlderLines();
  older.sawFrame("C", 0);
  assert.deepEqual(older.request(0), { blocked: "full" });
  const asked = older.request(10, 10);
  assert.equal(asked.limit, 10);
  older.loaded(asked, { lines: [], cursor: null }, []);
  assert.equal(older.atStart, true);
  assert.deepEqual(older.request(10), { blocked: "start" });
  older.sawFrame("D", 2); // a frame after the start changes nothing
  assert.deepEqual(older.request(10), { blocked: "start" });
  older.reset();
  assert.deepEqual(older.request(10), { blocked: "waiting" });
  older.startAt("M");
  assert.deepEqual(older.request(10, 4), { before: "M", limit: 4, skip: 0 });
  older.keptOnly({ before: "M", limit: 4, skip: 0 }, 2);
  assert.deepEqual(older.request(10, 4), { before: "M", limit: 6, skip: 2 });
});

test("every line held is found as lines before the cursor of its frame or page", () => {
  const refs = new LineRefs();
  refs.append(0, 2, "A");
  refs.append(3, 3, "B");
  refs.append(5, 6, "C"); // entry 4 is a notice: no cursor
  refs.prepend(-4, -1, "A", 3); // a page read back before A, its last 3 lines left out
  assert.deepEqual(refs.refFor(0), { cursor: "A", back: 2 });
  assert.deepEqual(refs.refFor(2), { cursor: "A", back: 0 });
  assert.deepEqual(refs.refFor(3), { cursor: "B", back: 0 });
  assert.equal(refs.refFor(4), null);
  assert.deepEqual(refs.refFor(5), { cursor: "C", back: 1 });
  assert.deepEqual(refs.refFor(-1), { cursor: "A", back: 3 });
  assert.deepEqual(refs.refFor(-4), { cursor: "A", back: 6 });
  assert.equal(refs.refFor(7), null);
  assert.equal(refs.refFor(-5), null);
  refs.dropBefore(3);
  assert.equal(refs.size, 2);
  assert.equal(refs.refFor(0), null);
  refs.append(9, 8, "bad"); // empty groups and missing cursors are not kept
  refs.append(9, 9, undefined);
  assert.equal(refs.size, 2);
});

test("NDJSON comes out whole however the chunks fall", () => {
  const splitter = new NdjsonSplitter();
  const text = '{"line":"a\\nb","cursor":"c"}\n{"scanned_bytes":5}\n\n{"more":null}';
  const out = [];
  for (const chunk of text.match(/.{1,3}/gs)) out.push(...splitter.push(chunk));
  out.push(...splitter.end());
  assert.deepEqual(out, [{ line: "a\nb", cursor: "c" }, { scanned_bytes: 5 }, { more: null }]);
  assert.deepEqual(splitter.end(), []);
});

test("NDJSON that is not objects, or a line without end, is refused", () => {
  assert.throws(() => new NdjsonSplitter().push("[1]\n"), SyntaxError);
  assert.throws(() => new NdjsonSplitter().push("nope\n"), SyntaxError);
  assert.throws(() => new NdjsonSplitter({ maxLine: 8 }).push('{"a":"123456789"'), SyntaxError);
});

test("a local date-time becomes RFC 3339 in UTC, and anything else a sentence", () => {
  const value = "2026-12-01T21:04:05";
  assert.equal(sinceFromLocal(value), new Date(2026, 11, 1, 21, 4, 5).toISOString());
  assert.match(sinceFromLocal("2026-12-01T21:04"), /^2026-12-0[12]T\d\d:\d\d:00\.000Z$/);
  assert.equal(localValue(new Date(2026, 11, 1, 21, 4, 5).getTime()), value);
  for (const bad of ["", "yesterday", "2026-12-01", "2026-13-01T00:00", "2026-12-01T21:04Z", null]) {
    assert.throws(() => sinceFromLocal(bad), RangeError, String(bad));
  }
  assert.equal(sinceFromSecond(1_700_000_000), "2023-11-14T22:13:20.000Z");
});

test("history calls go next to the page, with their parameters escaped", () => {
  const where = new URL("https://tools.example.com/logs/#open=app");
  const url = historyUrl(where, "a b", "search", {
    q: "disk & full",
    regex: true,
    case: false,
    before: null,
    limit: 100,
  });
  assert.equal(url, "https://tools.example.com/logs/api/logs/a%20b/search?q=disk+%26+full&regex=1&limit=100");
});

test("a refusal carries the server's code and sentence, or says what came", async () => {
  const json = (body, status) => new Response(JSON.stringify(body), { status });
  const error = await refusal(json({ error: "bad_regex", message: "bad regex: missing ): (" }, 400));
  assert.ok(error instanceof HistoryError);
  assert.deepEqual([error.code, error.message, error.status], ["bad_regex", "bad regex: missing ): (", 400]);
  const other = await refusal(new Response("<html>", { status: 502 }));
  assert.deepEqual([other.code, other.message], ["http_error", "The server answered 502."]);
});

test("lines put in at the front of a buffer only fill its room and push nothing out", () => {
  const ring = new RingBuffer(4);
  ring.push(KIND_LINE, "c");
  ring.push(KIND_NOTICE, "n");
  assert.equal(ring.unshift(KIND_LINE, "b"), -1);
  assert.equal(ring.unshift(KIND_LINE, "a"), -2);
  assert.deepEqual([ring.first, ring.total, ring.size, ring.room], [-2, 2, 4, 0]);
  assert.deepEqual([-2, -1, 0, 1].map((seq) => ring.text(seq)), ["a", "b", "c", "n"]);
  assert.throws(() => ring.unshift(KIND_LINE, "z"), RangeError);
  ring.push(KIND_LINE, "d"); // the oldest goes first, as ever
  assert.deepEqual([ring.first, ring.dropped, ring.text(-1)], [-1, 1, "b"]);
  ring.clear();
  assert.equal(ring.dropped, 5);
});

test("a pane's model puts older lines above, counts the rows above, and marks a line", () => {
  const model = new TailModel({ capacity: 5 });
  model.pushLines(["c", "d"]);
  assert.deepEqual(texts(model), ["c", "d"]);
  const put = model.prependLines(["x", "a", "b"]);
  assert.deepEqual(put, { first: -3, last: -1, kept: 3, rowsAbove: 3 });
  assert.deepEqual(texts(model), ["x", "a", "b", "c", "d"]);
  assert.equal(model.levelCounts[0], 5);
  const full = model.prependLines(["older"]);
  assert.equal(full.kept, 0);
  assert.equal(model.dropped, 0);
  model.mark(-2);
  assert.equal(model.row(-2, 0).marked, true);
  assert.equal(model.row(-1, 0).marked, false);
  model.clear();
  assert.equal(model.marked, null);
  const some = model.prependLines(["1", "2", "3", "4", "5", "6"]); // only the newest 5 fit
  assert.equal(some.kept, 5);
  assert.deepEqual(texts(model), ["2", "3", "4", "5", "6"]);
});

test("new lines wait only while they would push out lines read back under the reader", () => {
  const base = { following: false, first: -10, liveFirst: 0, room: 2, count: 3 };
  const table = [
    [{}, true],
    [{ following: true }, false], // at the end: the oldest go, as ever
    [{ first: 0 }, false], // nothing read back is held
    [{ first: 5 }, false], // what was read back already left
    [{ room: 3 }, false], // they fit
    [{ count: 2 }, false],
    [{ room: 0, count: 1 }, true],
  ];
  for (const [change, want] of table) assert.equal(mustHold({ ...base, ...change }), want);
});
