// A bounded store of a pane's entries (log lines and inline notices), oldest dropped first.
//
// Every entry gets a sequence number that never repeats, even across Clear, so the views
// built on top (filtered lists, row maps) can say "everything before seq N is gone" without
// being told about each eviction.
//
// Lines of pod logs also carry where they came from (`pod/container`) and the timestamp
// the kubelet wrote. Those live in two more slot arrays, made only once an entry brings
// one, so panes on file logs pay nothing for them. Lines' levels (levels.js) are kept
// the same way, as one byte each.
//
// Lines read back from the log's history go in at the front (`unshift`), with the
// sequence numbers before the oldest one (they may go below zero). They only fill room
// the buffer has: the front never pushes anything out.

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
    this.sources = null; // slot -> source string or null, once any entry has one
    this.stamps = null; // slot -> timestamp string or null, once any entry has one
    this.levels = null; // slot -> level code (levels.js), once any entry has one
    this.total = 0; // sequence number of the next entry
    this.first = 0; // sequence number of the oldest entry still held
    this.dropped = 0; // entries pushed out by newer ones, or cleared
  }

  get size() {
    return this.total - this.first;
  }

  push(kind, text, source = null, stamp = null, level = 0) {
    const seq = this.total++;
    this.write(seq, kind, text, source, stamp, level);
    if (this.total - this.first > this.capacity) {
      this.first = this.total - this.capacity;
      this.dropped++;
    }
    return seq;
  }

  // Puts an entry before the oldest one; refused (RangeError) when the buffer is full.
  unshift(kind, text, source = null, stamp = null, level = 0) {
    if (this.size >= this.capacity) throw new RangeError("the buffer is full");
    const seq = --this.first;
    this.write(seq, kind, text, source, stamp, level);
    return seq;
  }

  get room() {
    return this.capacity - this.size;
  }

  slot(seq) {
    return ((seq % this.capacity) + this.capacity) % this.capacity;
  }

  write(seq, kind, text, source, stamp, level) {
    const slot = this.slot(seq);
    this.texts[slot] = text;
    this.kinds[slot] = kind;
    if (source !== null && this.sources === null) this.sources = new Array(this.capacity);
    if (stamp !== null && this.stamps === null) this.stamps = new Array(this.capacity);
    if (this.sources !== null) this.sources[slot] = source;
    if (this.stamps !== null) this.stamps[slot] = stamp;
    if (level !== 0 && this.levels === null) this.levels = new Uint8Array(this.capacity);
    if (this.levels !== null) this.levels[slot] = level;
  }

  has(seq) {
    return seq >= this.first && seq < this.total;
  }

  text(seq) {
    return this.texts[this.slot(seq)];
  }

  kind(seq) {
    return this.kinds[this.slot(seq)];
  }

  source(seq) {
    return this.sources === null ? null : (this.sources[this.slot(seq)] ?? null);
  }

  stamp(seq) {
    return this.stamps === null ? null : (this.stamps[this.slot(seq)] ?? null);
  }

  level(seq) {
    return this.levels === null ? 0 : this.levels[this.slot(seq)];
  }

  clear() {
    this.dropped += this.size;
    this.first = this.total;
    this.texts = new Array(this.capacity); // let the old strings go
    this.sources = null;
    this.stamps = null;
    this.levels = null;
  }
}
