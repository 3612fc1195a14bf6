// Times the user types, as the server wants them (docs/protocol.md, `since`): RFC 3339
// in UTC. A `datetime-local` field gives the reader's local wall time without an
// offset; the browser knows the zone, so the page converts it before asking. Pure.

const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

// "2026-12-01T21:04" (local) -> "2026-12-01T20:04:00.000Z"; throws RangeError with a
// sentence for anything else.
export function sinceFromLocal(value) {
  if (typeof value !== "string" || !LOCAL.test(value)) {
    throw new RangeError("Choose a date and a time to jump to.");
  }
  const date = new Date(value); // a date-time without an offset is local time
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not a time: ${value}`);
  return date.toISOString();
}

// A `datetime-local` value (to the second) for `ms` in the local time zone.
export function localValue(ms) {
  const d = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, "0");
  const day = `${p(d.getFullYear(), 4)}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  return `${day}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

// The start of a whole second since the epoch (the volume chart's), as RFC 3339.
export function sinceFromSecond(second) {
  return new Date(second * 1000).toISOString();
}
