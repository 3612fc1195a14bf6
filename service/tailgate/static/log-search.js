// Which logs of the list a search shows: every word typed must appear in the log's title,
// ID or kind, in any case and any order. The list keeps the catalog's order.

export function matchLogs(logs, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return logs.filter((log) => {
    const haystack = `${log.title} ${log.id} ${log.kind}`.toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}
