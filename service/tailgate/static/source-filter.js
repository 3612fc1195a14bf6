// What a pane asks the server to filter at the source (docs/protocol.md, "Filters at the
// source"): the pane's text filter and level chips as the tail's query, so a pane filtered
// to ERROR on a busy log is not sent the rest. The page still filters what it holds (the
// lines that arrived before the filter changed); the server's filter saves the network.
//
// A text that is not a valid regular expression here is not sent (the page shows why);
// one the server refuses (RE2 has no lookaround or backreferences) is remembered, and the
// page filters alone. Pure: no DOM, no timers.

// A filter is sent once typing has paused this long.
export const PUSH_DELAY_MS = 400;

// spec: {text, regex, matchCase, invert}; levels: a LevelChoice (or null).
// Returns the query parameters, or null for no filter.
export function sourceFilter(spec, levels) {
  const params = {};
  const text = (spec && spec.text) || "";
  if (text !== "") {
    params.filter = text;
    if (spec.regex) params.regex = "1";
    if (spec.matchCase) params.case = "1";
    if (spec.invert) params.invert = "1";
  }
  if (levels && levels.active) params.levels = levels.query;
  return Object.keys(params).length > 0 ? params : null;
}

// Two filters are the same when their queries are: "" for none.
export function filterKey(params) {
  if (!params) return "";
  return new URLSearchParams(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1))).toString();
}
