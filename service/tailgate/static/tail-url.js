// The WebSocket address of a tail (docs/protocol.md): next to the page (so below the base
// path the server is served at), wss behind https. With a cursor it resumes right after
// the last line received and asks for no backlog, so that a reconnect repeats nothing.
// The page colours lines by level: it asks for each line's level (annotate=levels); and it
// takes a pods log's lines of many pods in one frame, each with its source (sources).
// Without a cursor, `since` (RFC 3339) starts at a time instead of the backlog.
// `filter` (source-filter.js) asks the server for only the lines a filter lets through.

// where: the page's location ({href}); cursor, since, backlog and filter may be null.
export function tailUrl(
  where,
  logId,
  { cursor = null, since = null, backlog = null, filter = null } = {},
) {
  const url = new URL(`ws/tail/${encodeURIComponent(logId)}`, where.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const query = new URLSearchParams({ annotate: "levels,sources" });
  if (cursor !== null) {
    query.set("cursor", cursor);
    query.set("backlog", "0");
  } else if (since !== null) {
    query.set("since", since);
  } else if (backlog !== null) {
    query.set("backlog", String(backlog));
  }
  for (const [name, value] of Object.entries(filter || {})) query.set(name, value);
  url.search = query.toString();
  return url.href;
}
