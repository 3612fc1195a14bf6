// What a pod log line carries beside its text.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  PALETTE_SIZE,
  exportLine,
  localTime,
  sourceClass,
} from "../../service/tailgate/static/line-meta.js";

test("a source keeps its colour, one of the palette", () => {
  const cls = sourceClass("web-0/app");
  assert.equal(sourceClass("web-0/app"), cls);
  const index = Number(/^src src-(\d+)$/.exec(cls)[1]);
  assert.ok(index >= 0 && index < PALETTE_SIZE);
});

test("neighbouring pods mostly get different colours", () => {
  const colours = new Set(["a", "b", "c", "d", "e", "f"].map((p) => sourceClass(`api-${p}/app`)));
  assert.ok(colours.size >= 3, [...colours].join(" "));
});

test("a timestamp is shown in local time with milliseconds", () => {
  const table = [
    ["UTC", "2024-01-01T14:03:07.512345678Z", "14:03:07.512"],
    ["UTC", "2024-01-01T14:03:07Z", "14:03:07.000"],
    ["UTC", "2024-01-01T14:03:07.5Z", "14:03:07.500"],
    ["UTC", "2024-01-01T16:03:07.5+02:00", "14:03:07.500"],
    ["Asia/Tokyo", "2024-01-01T14:03:07.512Z", "23:03:07.512"],
    ["America/New_York", "2024-07-01T14:03:07.512Z", "10:03:07.512"],
  ];
  const before = process.env.TZ;
  try {
    for (const [zone, stamp, shown] of table) {
      process.env.TZ = zone; // Node applies a new TZ to Date at once
      assert.equal(localTime(stamp), shown, `${stamp} in ${zone}`);
    }
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
});

test("a value that is not a timestamp is shown as it is", () => {
  for (const stamp of ["yesterday", "2024-13-45T99:99:99Z", ""])
    assert.equal(localTime(stamp), stamp);
});

test("a downloaded line starts with its timestamp and source", () => {
  const table = [
    ["text", null, null, "text"],
    ["text", "web-0/app", null, "[web-0/app] text"],
    ["text", null, "2024-01-01T00:00:01Z", "2024-01-01T00:00:01Z text"],
    ["text", "api/app", "2024-01-01T00:00:01.5Z", "2024-01-01T00:00:01.5Z [api/app] text"],
  ];
  for (const [text, source, stamp, line] of table)
    assert.equal(exportLine(text, source, stamp), line);
});
