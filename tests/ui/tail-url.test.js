// The WebSocket address of a tail.
import assert from "node:assert/strict";
import { test } from "node:test";

import { tailUrl } from "../../service/tailgate/static/tail-url.js";

const HTTP = { protocol: "http:", host: "127.0.0.1:8080" };
const HTTPS = { protocol: "https:", host: "logs.example.com" };

test("a tail's address follows the page's host and scheme", () => {
  const table = [
    [HTTP, "app", {}, "ws://127.0.0.1:8080/ws/tail/app"],
    [HTTPS, "app", {}, "wss://logs.example.com/ws/tail/app"],
    [HTTP, "app", { backlog: 50 }, "ws://127.0.0.1:8080/ws/tail/app?backlog=50"],
    [HTTP, "a b/c", {}, "ws://127.0.0.1:8080/ws/tail/a%20b%2Fc"],
  ];
  for (const [where, id, options, url] of table) assert.equal(tailUrl(where, id, options), url);
});

test("a reconnect resumes after the cursor and asks for no backlog", () => {
  const url = new URL(tailUrl(HTTP, "app", { cursor: "f:1:2:3", backlog: 50 }));
  assert.equal(url.searchParams.get("cursor"), "f:1:2:3");
  assert.equal(url.searchParams.get("backlog"), "0");
});
