// The picker's groups: the catalog's own logs first, then workloads by namespace and kind.
import assert from "node:assert/strict";
import { test } from "node:test";

import { groupLogs, shortTitle } from "../../service/tailgate/static/log-groups.js";
import { matchLogs } from "../../service/tailgate/static/log-search.js";

const LOGS = [
  { id: "shop.web", title: "Deployment shop/web", kind: "Deployment", namespace: "shop" },
  { id: "app", title: "App", kind: "file" },
  { id: "team-a.nightly", title: "CronJob team-a/nightly", kind: "CronJob", namespace: "team-a" },
  { id: "shop.db", title: "StatefulSet shop/db", kind: "StatefulSet", namespace: "shop" },
  { id: "shop.api", title: "Deployment shop/api", kind: "Deployment", namespace: "shop" },
  { id: "web-0", title: "Web", kind: "pod" },
];

const shape = (groups) => groups.map((g) => [g.label, g.logs.map((log) => log.id)]);

test("own entries keep the catalog's order; workloads group by namespace, then kind", () => {
  assert.deepEqual(shape(groupLogs(LOGS)), [
    ["", ["app", "web-0"]],
    ["shop · Deployment", ["shop.api", "shop.web"]],
    ["shop · StatefulSet", ["shop.db"]],
    ["team-a · CronJob", ["team-a.nightly"]],
  ]);
});

test("without own entries there is no untitled group", () => {
  assert.deepEqual(shape(groupLogs(LOGS.filter((log) => log.namespace))).map((g) => g[0]), [
    "shop · Deployment",
    "shop · StatefulSet",
    "team-a · CronJob",
  ]);
  assert.deepEqual(groupLogs([]), []);
});

test("the search covers namespaces and workload kinds", () => {
  const ids = (query) => matchLogs(LOGS, query).map((log) => log.id);
  assert.deepEqual(ids("team-a"), ["team-a.nightly"]);
  assert.deepEqual(ids("statefulset"), ["shop.db"]);
  assert.deepEqual(ids("shop deployment"), ["shop.web", "shop.api"]);
});

test("under its heading a workload is called by its name", () => {
  assert.equal(shortTitle(LOGS[0]), "web");
  assert.equal(shortTitle(LOGS[1]), "App");
  assert.equal(shortTitle({ ...LOGS[0], title: "Renamed" }), "Renamed");
});
