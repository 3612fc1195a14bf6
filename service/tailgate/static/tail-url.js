// The WebSocket address of a tail (docs/protocol.md): same host as the page, wss behind
// https. With a cursor it resumes right after the last line received and asks for no
// backlog, so that a reconnect repeats nothing.

// where: the page's location ({protocol, host}); cursor and backlog may be null.
export function tailUrl(where, logId, { cursor = null, backlog = null } = {}) {
  const scheme = where.protocol === "https:" ? "wss" : "ws";
  const query = new URLSearchParams();
  if (cursor !== null) {
    query.set("cursor", cursor);
    query.set("backlog", "0");
  } else if (backlog !== null) {
    query.set("backlog", String(backlog));
  }
  const qs = query.toString();
  const path = `/ws/tail/${encodeURIComponent(logId)}`;
  return `${scheme}://${where.host}${path}${qs ? "?" + qs : ""}`;
}
