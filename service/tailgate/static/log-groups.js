// The list of logs in groups: the catalog's own entries first, in its order, then the
// discovered workloads by namespace and kind (GET api/logs gives both on each of them).
// Pure, so it is tested without a page; the picker draws one heading per group.

const KIND_ORDER = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"];

function kindRank(kind) {
  const at = KIND_ORDER.indexOf(kind);
  return at < 0 ? KIND_ORDER.length : at;
}

// [{ label, logs }]: label "" for the catalog's own entries, else "NAMESPACE · Kind".
export function groupLogs(logs) {
  const own = [];
  const groups = new Map();
  for (const log of logs) {
    if (!log.namespace) {
      own.push(log);
      continue;
    }
    const key = `${log.namespace}\u0000${log.kind}`;
    let group = groups.get(key);
    if (!group) {
      group = { label: `${log.namespace} · ${log.kind}`, namespace: log.namespace, kind: log.kind, logs: [] };
      groups.set(key, group);
    }
    group.logs.push(log);
  }
  const discovered = [...groups.values()].sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) ||
      kindRank(a.kind) - kindRank(b.kind) ||
      a.kind.localeCompare(b.kind),
  );
  for (const group of discovered) group.logs.sort((a, b) => a.title.localeCompare(b.title));
  const result = discovered.map(({ label, logs: members }) => ({ label, logs: members }));
  return own.length ? [{ label: "", logs: own }, ...result] : result;
}

// What a grouped log is called under its heading: its workload's name, as the heading
// already says the namespace and kind ("Deployment shop/web" under "shop · Deployment").
export function shortTitle(log) {
  const prefix = `${log.kind} ${log.namespace}/`;
  return log.namespace && log.title.startsWith(prefix) ? log.title.slice(prefix.length) : log.title;
}
