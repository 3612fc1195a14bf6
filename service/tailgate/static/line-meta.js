// What a pod log line carries beside its text: its source (`pod/container`) and the
// timestamp the kubelet wrote. Pure helpers: a stable colour per source, the timestamp
// in local time for the row, and the line as saved by Download.

// Sources are coloured from a small palette (src-0 ... src-7 in app.css): enough to tell
// neighbouring pods apart, few enough to stay readable in both themes.
export const PALETTE_SIZE = 8;

const classes = new Map();

export function sourceClass(source) {
  let cls = classes.get(source);
  if (cls !== undefined) return cls;
  let hash = 0;
  for (let i = 0; i < source.length; i++) hash = (hash * 31 + source.charCodeAt(i)) | 0;
  cls = `src src-${Math.abs(hash) % PALETTE_SIZE}`;
  if (classes.size < 1000) classes.set(source, cls);
  return cls;
}

const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i;
const pad = (n, width = 2) => String(n).padStart(width, "0");

// "2024-01-01T00:00:01.500000000Z" -> "01:00:01.500" in the page's time zone (the full
// value goes in the tooltip). A value that is not RFC 3339 is shown as it is.
export function localTime(stamp) {
  const match = STAMP.exec(stamp);
  if (match === null) return stamp;
  const millis = (match[2] || "").slice(0, 3).padEnd(3, "0");
  const date = new Date(`${match[1]}.${millis}${match[3]}`);
  if (Number.isNaN(date.getTime())) return stamp;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${time}.${pad(date.getMilliseconds(), 3)}`;
}

// A line as Download saves it: the timestamp as the server sent it and the source first.
export function exportLine(text, source, stamp) {
  if (source === null && stamp === null) return text;
  let head = stamp === null ? "" : stamp + " ";
  if (source !== null) head += `[${source}] `;
  return head + text;
}
