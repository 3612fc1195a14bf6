// The address names the open panes: #open=app,access.
import assert from "node:assert/strict";
import { test } from "node:test";

import { formatOpen, parseOpen, reconcile } from "../../service/tailgate/static/deep-link.js";

test("the address is read into the list of logs to open, in order", () => {
  const table = [
    ["", []],
    ["#", []],
    ["#open=", []],
    ["#open=app", ["app"]],
    ["#open=app,access,,app", ["app", "access", "app"]],
    ["#open= app , db ", ["app", "db"]],
    ["#other=x&open=a", ["a"]],
  ];
  for (const [hash, ids] of table) assert.deepEqual(parseOpen(hash), ids, hash);
});

test("the list of open logs is written into the address", () => {
  assert.equal(formatOpen([]), "#");
  assert.equal(formatOpen(["app", "access", "app"]), "#open=app,access,app");
  assert.deepEqual(parseOpen(formatOpen(["a.b", "c-d_e"])), ["a.b", "c-d_e"]);
});

test("editing the address closes and opens only the panes that differ", () => {
  const table = [
    [["app", "db", "app"], ["app", "web"], { close: [1, 2], open: ["web"] }],
    [[], ["a", "a"], { close: [], open: ["a", "a"] }],
    [["a", "b"], ["a", "b"], { close: [], open: [] }],
    [["a", "b"], [], { close: [0, 1], open: [] }],
    [["a"], ["a", "a"], { close: [], open: ["a"] }],
  ];
  for (const [current, wanted, plan] of table) {
    assert.deepEqual(reconcile(current, wanted), plan, `${current} -> ${wanted}`);
  }
});
