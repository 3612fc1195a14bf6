// The bounded store of a pane's entries.
import assert from "node:assert/strict";
import { test } from "node:test";

import { KIND_LINE, KIND_NOTICE, RingBuffer } from "../../service/tailgate/static/ring-buffer.js";

function filled(capacity, texts) {
  const ring = new RingBuffer(capacity);
  for (const text of texts) ring.push(KIND_LINE, text);
  return ring;
}

test("a buffer refuses a capacity that is not positive", () => {
  for (const capacity of [0, -1, NaN]) assert.throws(() => new RingBuffer(capacity), RangeError);
});

test("a full buffer drops its oldest entry first", () => {
  const ring = filled(3, ["a", "b", "c", "d"]);
  assert.deepEqual([ring.first, ring.total, ring.size], [1, 4, 3]);
  assert.equal(ring.has(0), false);
  assert.deepEqual(
    [1, 2, 3].map((seq) => ring.text(seq)),
    ["b", "c", "d"],
  );
});

test("sequence numbers keep counting across a clear", () => {
  const ring = filled(3, ["a", "b"]);
  ring.clear();
  assert.equal(ring.size, 0);
  assert.equal(ring.has(1), false);
  const seq = ring.push(KIND_NOTICE, "[rotated] x");
  assert.equal(seq, 2);
  assert.equal(ring.kind(seq), KIND_NOTICE);
});

test("sources and timestamps are kept per entry, and null where an entry has none", () => {
  const ring = new RingBuffer(4);
  ring.push(KIND_LINE, "plain");
  ring.push(KIND_LINE, "pod", "web-0/app", "2024-01-01T00:00:00Z");
  assert.deepEqual([ring.source(0), ring.stamp(0)], [null, null]);
  assert.deepEqual([ring.source(1), ring.stamp(1)], ["web-0/app", "2024-01-01T00:00:00Z"]);
});

test("a buffer of file lines keeps no source or timestamp slots", () => {
  const ring = filled(4, ["a", "b"]);
  assert.equal(ring.sources, null);
  assert.equal(ring.stamps, null);
});
