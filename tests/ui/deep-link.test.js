// The address names the open panes: #open=app,access.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  formatOpen,
  lineLink,
  parseAt,
  parseOpen,
  reconcile,
} from "../../service/tailgate/static/deep-link.js";

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

test("a link to a line names its log, a cursor and how many lines before it", () => {
  const link = lineLink("https://logs.example.com/base/#open=a,b", "app", {
    cursor: "f1.2049.131.48213.9c1e22f0",
    back: 3,
  });
  assert.equal(link, "https://logs.example.com/base/#open=app&at=f1.2049.131.48213.9c1e22f0&back=3");
  const hash = new URL(link).hash;
  assert.deepEqual(parseOpen(hash), ["app"]);
  assert.deepEqual(parseAt(hash), { cursor: "f1.2049.131.48213.9c1e22f0", back: 3 });
  const last = lineLink("http://127.0.0.1/", "app", { cursor: "k2.AbC-_x", back: 0 });
  assert.deepEqual(parseAt(new URL(last).hash), { cursor: "k2.AbC-_x", back: 0 });
});

test("an address whose position is not a cursor opens no line", () => {
  const table = [
    "#open=app",
    "#open=app&at=",
    "#open=app&at=<script>",
    "#open=app&at=a%20b",
    `#open=app&at=${"x".repeat(513)}`,
    "#open=app&at=f1.1.2.3.4&back=-1",
    "#open=app&at=f1.1.2.3.4&back=1e3",
    "#open=app&at=f1.1.2.3.4&back=1234567",
  ];
  for (const hash of table) assert.equal(parseAt(hash), null, hash);
});
