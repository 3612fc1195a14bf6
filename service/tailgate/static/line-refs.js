// Where each line of a pane stands in its log, so that a link can name it.
//
// A `lines` frame carries one cursor: the position right after its last line. A page read
// back (`/lines?before=C`) ends right before C. So every line held is "`back` lines
// before cursor C", with C the cursor that ends its frame or page: a link to the line
// is that pair (deep-link.js), and opening it reads `/lines?before=C` and marks the
// line `back` from the end. Pure; the pane records each frame's and page's entries here.

export class LineRefs {
  constructor() {
    this.clear();
  }

  clear() {
    // Groups of consecutive sequence numbers ending at one cursor, oldest first.
    this.starts = [];
    this.ends = [];
    this.cursors = [];
    this.extras = []; // lines after the group's last entry and before its cursor
  }

  get size() {
    return this.starts.length;
  }

  // Entries first..last (the newest held) end at `cursor`.
  append(first, last, cursor) {
    if (typeof cursor !== "string" || last < first) return;
    this.starts.push(first);
    this.ends.push(last);
    this.cursors.push(cursor);
    this.extras.push(0);
  }

  // Entries first..last (older than every group held) end `extra` lines before `cursor`.
  prepend(first, last, cursor, extra = 0) {
    if (typeof cursor !== "string" || last < first) return;
    this.starts.unshift(first);
    this.ends.unshift(last);
    this.cursors.unshift(cursor);
    this.extras.unshift(extra);
  }

  // Forgets the groups wholly before `seq` (they left the buffer).
  dropBefore(seq) {
    let n = 0;
    while (n < this.ends.length && this.ends[n] < seq) n++;
    if (n > 0) {
      this.starts.splice(0, n);
      this.ends.splice(0, n);
      this.cursors.splice(0, n);
      this.extras.splice(0, n);
    }
  }

  // {cursor, back} for entry `seq`, or null when no cursor is known for it.
  refFor(seq) {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid] < seq) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= this.ends.length || this.starts[lo] > seq) return null;
    return { cursor: this.cursors[lo], back: this.ends[lo] - seq + this.extras[lo] };
  }
}
