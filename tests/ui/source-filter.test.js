// The filter a pane asks the server to apply, and how it travels in the tail's address.
import assert from "node:assert/strict";
import { test } from "node:test";

import { LevelChoice } from "../../service/tailgate/static/levels.js";
import { filterKey, sourceFilter } from "../../service/tailgate/static/source-filter.js";
import { tailUrl } from "../../service/tailgate/static/tail-url.js";

const HTTP = new URL("http://127.0.0.1:8080/");

test("no text and no chosen level is no filter at the source", () => {
  assert.equal(sourceFilter({ text: "" }, new LevelChoice()), null);
  assert.equal(sourceFilter({}, null), null);
  assert.equal(filterKey(null), "");
});

test("the pane's text filter and level chips become the tail's query", () => {
  assert.deepEqual(sourceFilter({ text: "error" }, null), { filter: "error" });
  assert.deepEqual(
    sourceFilter({ text: "^E\\d+", regex: true, matchCase: true, invert: true }, null),
    { filter: "^E\\d+", regex: "1", case: "1", invert: "1" },
  );
  assert.deepEqual(sourceFilter({ text: "" }, new LevelChoice(["warn", "error"])), {
    levels: "error,warn",
  });
});

test("the same filter has the same key whatever the order it was built in", () => {
  const one = { filter: "x", levels: "error" };
  const two = { levels: "error", filter: "x" };
  assert.equal(filterKey(one), filterKey(two));
  assert.notEqual(filterKey(one), filterKey({ filter: "x" }));
});

test("a filtered tail's address carries the filter beside the cursor", () => {
  const url = new URL(
    tailUrl(HTTP, "app", { cursor: "f1.1", filter: { filter: "a&b=c", regex: "1" } }),
  );
  assert.equal(url.searchParams.get("filter"), "a&b=c");
  assert.equal(url.searchParams.get("regex"), "1");
  assert.equal(url.searchParams.get("cursor"), "f1.1");
  assert.equal(url.searchParams.get("annotate"), "levels,sources");
});
