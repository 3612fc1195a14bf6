// The address says which logs are open: `#open=app,access` (a log may appear twice).
// Reloading the page, or sharing the address, opens the same panes again.

export function parseOpen(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const value = params.get("open");
  if (!value) return [];
  return value
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
}

export function formatOpen(ids) {
  // Log IDs are [a-z0-9._-]: they need no escaping, and the commas stay readable.
  return ids.length ? `#open=${ids.join(",")}` : "#";
}

// Which panes to close and which IDs to open so that `current` (a list of IDs, one per
// pane, in order) becomes `wanted`. Returns {close: [positions], open: [ids]}.
export function reconcile(current, wanted) {
  const need = new Map();
  for (const id of wanted) need.set(id, (need.get(id) || 0) + 1);
  const close = [];
  current.forEach((id, position) => {
    const left = need.get(id) || 0;
    if (left > 0) need.set(id, left - 1);
    else close.push(position);
  });
  const open = [];
  for (const id of wanted) {
    const left = need.get(id) || 0;
    if (left > 0) {
      open.push(id);
      need.set(id, left - 1);
    }
  }
  return { close, open };
}

// A link to one line: `#open=app&at=CURSOR&back=N` opens the log at the line `back`
// lines before the tail cursor `at` (line-refs.js). Cursors are opaque to the page but
// made of [A-Za-z0-9._-]; anything else in the address is not a position and is ignored.
const CURSOR = /^[A-Za-z0-9._-]{1,512}$/;
const BACK = /^\d{1,6}$/;

export function parseAt(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const cursor = params.get("at");
  if (cursor === null || !CURSOR.test(cursor)) return null;
  const back = params.get("back") ?? "0";
  if (!BACK.test(back)) return null;
  return { cursor, back: Number(back) };
}

// The address of the page (`href`, its fragment replaced) that opens `logId` at `ref`.
export function lineLink(href, logId, ref) {
  const url = new URL(href);
  const back = ref.back > 0 ? `&back=${ref.back}` : "";
  url.hash = `open=${logId}&at=${encodeURIComponent(ref.cursor)}${back}`;
  return url.href;
}
