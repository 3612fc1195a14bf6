// The WebSocket address of a tail.
import assert from "node:assert/strict";
import { test } from "node:test";

import { tailUrl } from "../../service/tailgate/static/tail-url.js";

const HTTP = new URL("http://127.0.0.1:8080/");
const HTTPS = new URL("https://logs.example.com/#open=app");
const BELOW = new URL("https://tools.example.com/logs/?x=1#open=app");

test("a tail's address follows the page's host, scheme and path", () => {
  const table = [
    [HTTP, "app", {}, "ws://127.0.0.1:8080/ws/tail/app?annotate=levels%2Csources"],
    [HTTPS, "app", {}, "wss://logs.example.com/ws/tail/app?annotate=levels%2Csources"],
    [HTTP, "app", { backlog: 50 }, "ws://127.0.0.1:8080/ws/tail/app?annotate=levels%2Csources&backlog=50"],
    [HTTP, "a b/c", {}, "ws://127.0.0.1:8080/ws/tail/a%20b%2Fc?annotate=levels%2Csources"],
    [BELOW, "app", {}, "wss://tools.example.com/logs/ws/tail/app?annotate=levels%2Csources"],
    [BELOW, "a b/c", { backlog: 5 }, "wss://tools.example.com/logs/ws/tail/a%20b%2Fc?annotate=levels%2Csources&backlog=5"],
  ];
  for (const [where, id, options, url] of table) assert.equal(tailUrl(where, id, options), url);
});

test("a reconnect resumes after the cursor and asks for no backlog", () => {
  const url = new URL(tailUrl(HTTP, "app", { cursor: "f:1:2:3", backlog: 50 }));
  assert.equal(url.searchParams.get("cursor"), "f:1:2:3");
  assert.equal(url.searchParams.get("backlog"), "0");
  assert.equal(url.searchParams.get("annotate"), "levels,sources");
});

test("a tail opened at a time asks for since, and a cursor wins over it", () => {
  const since = "2026-12-01T20:04:00.000Z";
  const url = new URL(tailUrl(HTTP, "app", { since, backlog: 50 }));
  assert.equal(url.searchParams.get("since"), since);
  assert.equal(url.searchParams.get("backlog"), null);
  const resumed = new URL(tailUrl(HTTP, "app", { cursor: "f1.1.2.3.4", since }));
  assert.equal(resumed.searchParams.get("since"), null);
  assert.equal(resumed.searchParams.get("cursor"), "f1.1.2.3.4");
});
