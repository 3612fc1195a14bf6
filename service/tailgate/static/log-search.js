// Which logs of the list a search shows: every word typed must appear in the log's title,
// ID, kind or (for a discovered workload) namespace, in any case and any order. The list
// keeps the catalog's order.

export function matchLogs(logs, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return logs.filter((log) => {
    const haystack = `${log.title} ${log.id} ${log.kind} ${log.namespace || ""}`.toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}
