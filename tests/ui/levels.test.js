// Line levels in the page: codes, the chips' choice, and a pane's model filtering by it.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  LEVELS,
  LevelChoice,
  NO_LEVEL,
  frameCodes,
  levelCode,
  levelName,
} from "../../service/tailgate/static/levels.js";
import { KIND_NOTICE } from "../../service/tailgate/static/ring-buffer.js";
import { TailModel } from "../../service/tailgate/static/tail-model.js";

function shown(m) {
  m.sync();
  const out = [];
  for (let i = 0; i < m.index.count; i++) out.push(m.ring.text(m.index.seqAt(i)));
  return out;
}

test("levels the server sends become codes and back; anything else is no level", () => {
  for (const name of LEVELS) assert.equal(levelName(levelCode(name)), name);
  for (const other of [null, undefined, "ERROR", "critical", 3, {}, "__proto__"]) {
    assert.equal(levelCode(other), NO_LEVEL);
  }
  assert.equal(levelName(NO_LEVEL), null);
  assert.equal(levelName(99), null);
});

test("a frame's levels are read only when they are parallel to its lines", () => {
  assert.deepEqual([...frameCodes(["error", null, "info"], 3)], [2, 0, 4]);
  assert.deepEqual([...frameCodes(["error"], 3)], [0, 0, 0]);
  assert.deepEqual([...frameCodes("error", 1)], [0]);
  assert.deepEqual([...frameCodes(null, 2)], [0, 0]);
});

test("an empty choice shows every line; a choice shows only its levels", () => {
  const all = new LevelChoice();
  assert.equal(all.active, false);
  assert.ok(all.shows(NO_LEVEL) && all.shows(levelCode("debug")));
  const some = all.toggled("warn").toggled("error");
  assert.equal(some.active, true);
  assert.ok(some.shows(levelCode("error")) && some.shows(levelCode("warn")));
  assert.ok(!some.shows(levelCode("info")) && !some.shows(NO_LEVEL));
  assert.deepEqual(some.toggled("warn").names, ["error"]);
  assert.equal(some.cleared().active, false);
  assert.equal(all.active, false, "a choice never changes in place");
});

test("the choice reads and writes the value of a levels= parameter, most severe first", () => {
  const choice = new LevelChoice(["warn", "fatal", "nonsense"]);
  assert.equal(choice.query, "fatal,warn");
  assert.ok(LevelChoice.fromQuery(" warn,fatal,x ").equals(choice));
  assert.equal(LevelChoice.fromQuery(undefined).query, "");
  assert.equal(LevelChoice.fromQuery("").active, false);
});

test("a pane's model hides the lines of levels not chosen, and brings them back", () => {
  const m = new TailModel({ capacity: 100 });
  m.pushLines(["boot", "disk full", "slow", "ok"], null, null, [null, "error", "warn", "info"]);
  m.push(KIND_NOTICE, "[rotated] app.log");
  assert.equal(m.hasLevels, true);
  m.configure({ levels: new LevelChoice(["error", "warn"]) });
  assert.deepEqual(shown(m), ["disk full", "slow", "[rotated] app.log"]);
  m.configure({ levels: new LevelChoice() });
  assert.deepEqual(shown(m), ["boot", "disk full", "slow", "ok", "[rotated] app.log"]);
});

test("level chips and the text filter both apply, and so does the download", () => {
  const m = new TailModel({ capacity: 100 });
  m.pushLines(["db error", "net error", "db ok"], null, null, ["error", "error", "info"]);
  m.configure({ levels: new LevelChoice(["error"]), spec: { text: "db" } });
  assert.deepEqual(shown(m), ["db error"]);
  assert.equal(m.exportText(), "db error\n");
});

test("the count of held lines per level follows lines as they leave the ring", () => {
  const m = new TailModel({ capacity: 3 });
  m.pushLines(["a", "b", "c"], null, null, ["error", "error", "info"]);
  assert.equal(m.levelCounts[levelCode("error")], 2);
  m.pushLines(["d", "e"], null, null, ["warn", null]);
  assert.equal(m.levelCounts[levelCode("error")], 0);
  assert.equal(m.levelCounts[levelCode("info")], 1);
  assert.equal(m.levelCounts[levelCode("warn")], 1);
  m.clear();
  assert.deepEqual(m.levelCounts, new Array(LEVELS.length + 1).fill(0));
});

test("rows of a levelled line carry its level, notices none", () => {
  const m = new TailModel({ capacity: 10 });
  m.configure({ cols: 4, wrap: true });
  m.pushLines(["abcdefgh"], null, null, ["warn"]);
  m.push(KIND_NOTICE, "[gap]");
  m.sync();
  assert.equal(m.row(0, 0).level, "warn");
  assert.equal(m.row(0, 1).level, "warn");
  assert.equal(m.row(1, 0).level, null);
});

test("the row where an entry is shown, or the next one shown after it", () => {
  const m = new TailModel({ capacity: 10 });
  m.pushLines(["a", "b", "c", "d"], null, null, ["info", "debug", "debug", "info"]);
  m.configure({ levels: new LevelChoice(["info"]) });
  m.sync();
  assert.equal(m.rowFrom(0), 0);
  assert.equal(m.rowFrom(1), 1, "entries 1 and 2 are hidden: entry 3 is on row 1");
  assert.equal(m.rowFrom(4), -1);
});
