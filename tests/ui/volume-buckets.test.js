// The volume chart's numbers: lines per second by level, and where each second begins.
import assert from "node:assert/strict";
import { test } from "node:test";

import { LEVEL_SLOTS, levelCode } from "../../service/tailgate/static/levels.js";
import { TailModel } from "../../service/tailgate/static/tail-model.js";
import {
  VolumeBuckets,
  niceCeiling,
  secondAt,
} from "../../service/tailgate/static/volume-buckets.js";

const codes = (...names) => Uint8Array.from(names.map((n) => levelCode(n)));
const T0 = 1_700_000_000_000; // a whole second, in ms

test("lines count in the second they arrived, by level", () => {
  const v = new VolumeBuckets({ seconds: 10 });
  v.add(T0 + 100, codes("error", "info", null), 0);
  v.add(T0 + 900, codes("info"), 3);
  v.add(T0 + 1000, codes("warn"), 4);
  const at = v.countsAt(T0 / 1000);
  assert.equal(at[levelCode("info")], 2);
  assert.equal(at[levelCode("error")], 1);
  assert.equal(at[0], 1);
  assert.equal(v.totalAt(T0 / 1000), 4);
  assert.equal(v.totalAt(T0 / 1000 + 1), 1);
});

test("the series covers the last seconds, oldest first, with empty seconds as zero", () => {
  const v = new VolumeBuckets({ seconds: 5 });
  v.add(T0, codes("info"), 0);
  const series = v.series(T0 + 2500);
  assert.equal(series.length, 5);
  assert.equal(series[4].second, T0 / 1000 + 2);
  assert.deepEqual(
    series.map((s) => s.total),
    [0, 0, 1, 0, 0],
  );
  assert.equal(series[2].counts.length, LEVEL_SLOTS);
});

test("a second older than the window is forgotten when its bucket is reused", () => {
  const v = new VolumeBuckets({ seconds: 3 });
  v.add(T0, codes("error"), 0);
  v.add(T0 + 3000, codes("info"), 1); // the same bucket, three seconds on
  assert.equal(v.totalAt(T0 / 1000), 0);
  assert.equal(v.totalAt(T0 / 1000 + 3), 1);
  assert.equal(v.seqFrom(T0 / 1000, T0 + 3000), 1);
});

test("a second leads to its first entry, or to the next second that has one", () => {
  const v = new VolumeBuckets({ seconds: 60 });
  v.add(T0, codes("info", "info"), 10);
  v.add(T0 + 200, codes("info"), 12);
  v.add(T0 + 5000, codes("error"), 13);
  const now = T0 + 10_000;
  assert.equal(v.seqFrom(T0 / 1000, now), 10);
  assert.equal(v.seqFrom(T0 / 1000 + 1, now), 13, "seconds 1-4 are empty");
  assert.equal(v.seqFrom(T0 / 1000 + 6, now), -1);
  assert.equal(v.seqFrom(T0 / 1000 - 1000, now), 10, "clamped to the window");
});

test("clear forgets every second", () => {
  const v = new VolumeBuckets({ seconds: 5 });
  v.add(T0, codes("info"), 0);
  v.clear();
  assert.equal(v.totalAt(T0 / 1000), 0);
  assert.equal(v.seqFrom(T0 / 1000, T0), -1);
});

test("a position on the chart names a second, the newest at the right edge", () => {
  const now = T0 + 999;
  assert.equal(secondAt(0, 300, 300, now), T0 / 1000 - 299);
  assert.equal(secondAt(299.5, 300, 300, now), T0 / 1000);
  assert.equal(secondAt(150, 300, 300, now), T0 / 1000 - 149);
  assert.equal(secondAt(-5, 300, 300, now), T0 / 1000 - 299);
  assert.equal(secondAt(9999, 300, 300, now), T0 / 1000);
});

test("the chart's scale is a round number at least as high as the busiest second", () => {
  assert.equal(niceCeiling(0), 1);
  assert.equal(niceCeiling(1), 1);
  assert.equal(niceCeiling(3), 5);
  assert.equal(niceCeiling(7), 10);
  assert.equal(niceCeiling(120), 200);
  assert.equal(niceCeiling(50_000), 50_000);
});

test("a pane's model counts every frame it receives in the chart", () => {
  const m = new TailModel({ capacity: 10 });
  m.pushLines(["a", "b"], null, null, ["error", null], T0);
  m.pushLines(["c"], null, null, null, T0 + 1500);
  assert.equal(m.volume.totalAt(T0 / 1000), 2);
  assert.equal(m.volume.countsAt(T0 / 1000)[levelCode("error")], 1);
  assert.equal(m.volume.seqFrom(T0 / 1000 + 1, T0 + 2000), 2);
});
