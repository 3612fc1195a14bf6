// Which entries a pane shows, and on which display rows.
//
// A shown entry takes one row or more (pretty JSON, wrapped lines). The index keeps the
// shown sequence numbers in order with the running total of rows, so finding the entry
// under a scroll position is a binary search, appending is O(1), and dropping entries
// that left the ring buffer only moves a start pointer (compacted now and then).

export class LineIndex {
  constructor() {
    this.reset();
  }

  reset() {
    this.seqs = [];
    this.ends = []; // ends[i]: rows up to and including entry i, counted from the last reset
    this.head = 0; // first live position in seqs/ends
    this.baseRow = 0; // rows of entries dropped from the front
  }

  get count() {
    return this.seqs.length - this.head;
  }

  get totalRows() {
    const n = this.ends.length;
    return n === this.head ? 0 : this.ends[n - 1] - this.baseRow;
  }

  append(seq, rows) {
    const n = this.ends.length;
    const before = n === this.head ? this.baseRow : this.ends[n - 1];
    this.seqs.push(seq);
    this.ends.push(before + rows);
  }

  // Drops shown entries older than `seq`; returns how many rows went away.
  dropBefore(seq) {
    const startRows = this.baseRow;
    while (this.head < this.seqs.length && this.seqs[this.head] < seq) {
      this.baseRow = this.ends[this.head];
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.seqs.length) {
      this.seqs = this.seqs.slice(this.head);
      this.ends = this.ends.slice(this.head);
      this.head = 0;
    }
    return this.baseRow - startRows;
  }

  seqAt(i) {
    return this.seqs[this.head + i];
  }

  firstRowOf(i) {
    return (i === 0 ? this.baseRow : this.ends[this.head + i - 1]) - this.baseRow;
  }

  rowsOf(i) {
    return this.ends[this.head + i] - (i === 0 ? this.baseRow : this.ends[this.head + i - 1]);
  }

  // The position of the first shown entry at or after `seq`, or -1 when there is none.
  positionFrom(seq) {
    let lo = this.head;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid] < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.seqs.length ? lo - this.head : -1;
  }

  // The entry position holding display row `row` (0-based), or -1 past the end.
  locate(row) {
    if (row < 0 || row >= this.totalRows) return -1;
    const target = row + this.baseRow;
    let lo = this.head;
    let hi = this.ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo - this.head;
  }
}
