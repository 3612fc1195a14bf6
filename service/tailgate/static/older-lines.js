// Loading the lines before the first one a pane holds, page by page, with no line twice
// and none missing. Pure: the pane asks what to fetch and hands back what came.
//
// The first position known is the cursor of the first `lines` frame a tail sends (right
// after that frame's lines), or of a page read back. `/lines?before=<cursor>` returns
// the lines just before it, oldest first, so for a frame's cursor its answer ends with
// the frame's own lines: they are asked for as well (`skip`), compared with the lines
// held, and left out. Each page's own `cursor` (the position of its first line) is
// where the next page ends; `null` means the log's start was reached.

export const PAGE_LINES = 500;

export class OlderLines {
  constructor() {
    this.reset();
  }

  // After a clear or a new start: the next frame's cursor is the first position known.
  reset() {
    this.top = null; // {cursor, skip}: the next page ends before `cursor`, minus `skip` held lines
    this.atStart = false;
    this.loading = false;
  }

  // A lines frame of `count` lines ending at `cursor` was added at the end.
  sawFrame(cursor, count) {
    if (this.top === null && !this.atStart && typeof cursor === "string") {
      this.top = { cursor, skip: count };
    }
  }

  // The pane starts at a known position (a page read back before a cursor, or a link).
  startAt(cursor) {
    this.top = null;
    this.atStart = cursor === null;
    if (cursor !== null) this.top = { cursor, skip: 0 };
  }

  // What to fetch now, given the buffer's free room: {before, limit, skip}, or
  // {blocked: reason} with reason one of "loading", "start", "waiting", "full".
  request(room, pageLines = PAGE_LINES) {
    if (this.loading) return { blocked: "loading" };
    if (this.atStart) return { blocked: "start" };
    if (this.top === null) return { blocked: "waiting" };
    if (room <= 0) return { blocked: "full" };
    const { cursor, skip } = this.top;
    return { before: cursor, limit: skip + Math.min(pageLines, room), skip };
  }

  // The answer to `asked` ({before, limit, skip}): `page` is {lines, cursor}, `held` the
  // texts of the first lines the pane holds (at least `asked.skip` of them when it
  // holds as many). Returns {older, joined}: the lines to put before those held, and
  // whether the lines left out were the ones held (false: the log changed between).
  loaded(asked, page, held) {
    this.loading = false;
    const lines = page.lines;
    const overlap = Math.min(asked.skip, lines.length);
    const older = lines.slice(0, lines.length - overlap);
    const tail = lines.slice(lines.length - overlap);
    const joined = tail.every((text, i) => held[asked.skip - overlap + i] === text);
    const skip = asked.skip - overlap;
    this.top = page.cursor === null ? null : { cursor: page.cursor, skip };
    this.atStart = page.cursor === null;
    return { older, joined };
  }

  // Only the newest `kept` of the older lines found room: the next page ends before them.
  keptOnly(asked, kept) {
    this.top = { cursor: asked.before, skip: asked.skip + kept };
    this.atStart = false;
  }

  failed() {
    this.loading = false;
  }
}

// Whether `count` new lines must wait instead of going into the buffer: the reader is
// above the end (`following` false), the buffer still holds lines read back (its
// oldest entry `first` comes before `liveFirst`, the first entry the tail added), and
// the new lines would push some out (`room` is the buffer's free room).
export function mustHold({ following, first, liveFirst, room, count }) {
  return !following && first < liveFirst && room < count;
}
