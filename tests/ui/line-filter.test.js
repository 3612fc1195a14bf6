// The pane's filter: plain text or a regular expression, case, invert.
import assert from "node:assert/strict";
import { test } from "node:test";

import { compileFilter, escapeRegExp } from "../../service/tailgate/static/line-filter.js";

test("which lines a filter shows", () => {
  const table = [
    [{ text: "" }, "anything", true],
    [{ text: "a.c" }, "a.c", true],
    [{ text: "a.c" }, "abc", false],
    [{ text: "a.c", regex: true }, "abc", true],
    [{ text: "ERROR" }, "error: x", true],
    [{ text: "ERROR", matchCase: true }, "error: x", false],
    [{ text: "a.c", regex: true, invert: true }, "abc", false],
    [{ text: "a.c", regex: true, invert: true }, "xyz", true],
    [{ text: "^(WARN|ERROR) ", regex: true }, "WARN disk", true],
    [{ text: "^(WARN|ERROR) ", regex: true }, "INFO WARN ", false],
    [{ text: "took \\d{4,} ms", regex: true }, "took 12000 ms", true],
  ];
  for (const [spec, line, shown] of table) {
    assert.equal(compileFilter(spec).shows(line), shown, `${JSON.stringify(spec)} on ${line}`);
  }
});

test("matches are highlighted where they are, and not at all when inverted", () => {
  assert.deepEqual(compileFilter({ text: "a.c" }).ranges("xa.cya.c"), [
    [1, 4],
    [5, 8],
  ]);
  assert.deepEqual(compileFilter({ text: "A", matchCase: false }).ranges("bab"), [[1, 2]]);
  assert.deepEqual(compileFilter({ text: "a", invert: true }).ranges("abc"), []);
});

test("an expression that can match nothing highlights nothing and does not loop", () => {
  assert.deepEqual(compileFilter({ text: "x*", regex: true }).ranges("abxxc"), [[2, 4]]);
});

test("an invalid expression filters nothing and says why", () => {
  const filter = compileFilter({ text: "(", regex: true });
  assert.equal(filter.active, false);
  assert.match(filter.error, /./);
  assert.equal(filter.shows("anything"), true);
});

test("an empty filter is not active", () => {
  assert.equal(compileFilter({ text: "" }).active, false);
});

test("plain text with regular-expression characters matches them literally", () => {
  assert.equal(
    escapeRegExp("a.b*c(d)[e]{f}|g^$\\"),
    "a\\.b\\*c\\(d\\)\\[e\\]\\{f\\}\\|g\\^\\$\\\\",
  );
});
