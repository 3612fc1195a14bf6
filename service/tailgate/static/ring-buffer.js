// A bounded store of a pane's entries (log lines and inline notices), oldest dropped first.
//
// Every entry gets a sequence number that never repeats, even across Clear, so the views
// built on top (filtered lists, row maps) can say "everything before seq N is gone" without
// being told about each eviction.

export const KIND_LINE = 0;
export const KIND_NOTICE = 1; // a notice frame from the server (rotated, truncated, gap, ...)
export const KIND_ERROR = 2; // an error frame from the server
export const KIND_STATUS = 3; // the page's own remarks: connection lost, reconnected, ...

export class RingBuffer {
  constructor(capacity) {
    if (!(capacity > 0)) throw new RangeError("capacity must be positive");
    this.capacity = capacity;
    this.texts = new Array(capacity);
    this.kinds = new Uint8Array(capacity);
    this.total = 0; // sequence number of the next entry
    this.first = 0; // sequence number of the oldest entry still held
  }

  get size() {
    return this.total - this.first;
  }

  push(kind, text) {
    const seq = this.total++;
    const slot = seq % this.capacity;
    this.texts[slot] = text;
    this.kinds[slot] = kind;
    if (this.total - this.first > this.capacity) this.first = this.total - this.capacity;
    return seq;
  }

  has(seq) {
    return seq >= this.first && seq < this.total;
  }

  text(seq) {
    return this.texts[seq % this.capacity];
  }

  kind(seq) {
    return this.kinds[seq % this.capacity];
  }

  clear() {
    this.first = this.total;
    this.texts = new Array(this.capacity); // let the old strings go
  }
}
