// Narrowing the list of logs.
import assert from "node:assert/strict";
import { test } from "node:test";

import { matchLogs } from "../../service/tailgate/static/log-search.js";

const LOGS = [
  { id: "app-error", title: "App error log", kind: "file" },
  { id: "access", title: "Access log", kind: "file" },
  { id: "web", title: "Web pods", kind: "pods" },
];

test("every word typed must appear in the title, ID or kind", () => {
  const table = [
    ["", ["app-error", "access", "web"]],
    ["   ", ["app-error", "access", "web"]],
    ["log", ["app-error", "access"]],
    ["LOG file", ["app-error", "access"]],
    ["pods", ["web"]],
    ["error app", ["app-error"]],
    ["acc log", ["access"]],
    ["missing", []],
  ];
  for (const [query, ids] of table) {
    assert.deepEqual(
      matchLogs(LOGS, query).map((log) => log.id),
      ids,
      JSON.stringify(query),
    );
  }
});
