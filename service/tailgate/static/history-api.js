// The page's calls to a log's history (docs/search.md): read back the lines before a
// position, and search, streamed as NDJSON. Addresses are next to the page (so below
// the base path the server is served at), as the tail's are. A refusal comes back as
// a HistoryError with the server's code and sentence, which the pane shows as it is.

import { NdjsonSplitter } from "./ndjson.js";

export class HistoryError extends Error {
  constructor(code, message, status = 0) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

// The address of `/api/logs/{id}/{call}` with `params` (null and false left out).
export function historyUrl(where, logId, call, params = {}) {
  const url = new URL(`api/logs/${encodeURIComponent(logId)}/${call}`, where.href);
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === false) continue;
    url.searchParams.set(name, value === true ? "1" : String(value));
  }
  return url.href;
}

// The refusal in a response that is not ok: {"error", "message"}, or a sentence of ours.
export async function refusal(response) {
  let body;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (body && typeof body.error === "string" && typeof body.message === "string") {
    return new HistoryError(body.error, body.message, response.status);
  }
  return new HistoryError("http_error", `The server answered ${response.status}.`, response.status);
}

function failed(error) {
  if (error instanceof HistoryError || error.name === "AbortError") return error;
  return new HistoryError("network", `The server cannot be reached: ${error.message}`);
}

// {lines, cursor}: up to `limit` lines before `before`, oldest first.
export async function readLines(logId, { before, limit }, { signal, where = location } = {}) {
  let response;
  try {
    const url = historyUrl(where, logId, "lines", { before, limit });
    response = await fetch(url, { signal, headers: { Accept: "application/json" } });
  } catch (error) {
    throw failed(error);
  }
  if (!response.ok) throw await refusal(response);
  const body = await response.json();
  if (!Array.isArray(body.lines) || !(body.cursor === null || typeof body.cursor === "string")) {
    throw new HistoryError("bad_answer", "The server's answer is not a page of lines.");
  }
  return { lines: body.lines.map(String), cursor: body.cursor };
}

// Yields the search's answer objects as they come: matches ({line, cursor, ...}),
// progress ({scanned_bytes}) and last the summary ({scanned_bytes, more}).
export async function* searchLog(logId, query, { signal, where = location } = {}) {
  const params = {
    q: query.q,
    regex: query.regex,
    case: query.matchCase,
    limit: query.limit ?? null,
    before: query.before ?? null,
  };
  let response;
  try {
    const url = historyUrl(where, logId, "search", params);
    response = await fetch(url, { signal, headers: { Accept: "application/x-ndjson" } });
  } catch (error) {
    throw failed(error);
  }
  if (!response.ok) throw await refusal(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const splitter = new NdjsonSplitter();
  try {
    for (;;) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw failed(error);
      }
      if (chunk.done) break;
      yield* splitter.push(chunk.value);
    }
    yield* splitter.end();
  } finally {
    reader.cancel().catch(() => {});
  }
}
