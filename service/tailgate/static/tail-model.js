// What a pane holds and shows, without any DOM: the ring buffer of entries, the filter,
// the display options, and the index of shown rows built from them.
//
// New entries are only indexed when the page asks (once per animation frame), so a burst
// of thousands of lines costs one pass, not one layout each. While frozen (Pause), entries
// are kept but not indexed, and the view stays where it was.
//
// Pod log lines may carry a source and a timestamp (line-meta.js); they are drawn before
// the text on an entry's first row, take their share of the width when lines wrap, and
// are never matched by the filter.

import { parseAnsi, plainText } from "./ansi.js";
import { compileFilter } from "./line-filter.js";
import { jsonRuns, prettyJson } from "./json-lines.js";
import { LineIndex } from "./line-index.js";
import { exportLine, localTime } from "./line-meta.js";
import { KIND_LINE, RingBuffer } from "./ring-buffer.js";
import { rowCount, wrapOffsets } from "./text-width.js";

const CACHE_LIMIT = 2000;
// Columns a shown timestamp takes ("12:34:56.789" and a space), and the widest source tag.
export const TIME_COLS = 13;
export const SOURCE_COLS_MAX = 40;

export class TailModel {
  constructor({ capacity = 100000 } = {}) {
    this.ring = new RingBuffer(capacity);
    this.index = new LineIndex();
    this.spec = { text: "", regex: false, matchCase: false, invert: false };
    this.filter = compileFilter(this.spec);
    this.wrap = false;
    this.json = false;
    this.cols = 120;
    this.indexedUpTo = 0; // entries before this sequence number are in the index (or skipped)
    this.frozenAt = null; // while frozen, the index stops before this sequence number
    this.cache = new Map(); // seq -> visual form, for the rows on screen
    this.linesReceived = 0;
    this.times = true; // show timestamps (when lines have them)
    this.hasStamps = false;
    this.sourceCols = 0; // width of the source tags: the longest source seen, capped
    this.metaChanged = false; // the tags grew: wrapped rows must be counted again
  }

  // Lines of one frame; `source` (or null) is theirs, `stamps` (or null) parallel to them.
  pushLines(lines, source = null, stamps = null) {
    const ring = this.ring;
    if (source === null && stamps === null) {
      for (let i = 0; i < lines.length; i++) ring.push(KIND_LINE, lines[i]);
    } else {
      const withStamps = Array.isArray(stamps) && stamps.length === lines.length;
      for (let i = 0; i < lines.length; i++) {
        const stamp = withStamps && typeof stamps[i] === "string" ? stamps[i] : null;
        ring.push(KIND_LINE, lines[i], source, stamp);
      }
      if (withStamps && !this.hasStamps) {
        this.hasStamps = true;
        this.metaChanged = this.metaChanged || this.times;
      }
      if (source !== null && source.length > this.sourceCols) {
        this.sourceCols = Math.min(SOURCE_COLS_MAX, source.length);
        this.metaChanged = true;
      }
    }
    this.linesReceived += lines.length;
  }

  // Columns taken before the text on a line's rows.
  get metaCols() {
    const time = this.times && this.hasStamps ? TIME_COLS : 0;
    return time + (this.sourceCols ? this.sourceCols + 1 : 0);
  }

  get textCols() {
    return Math.max(10, this.cols - this.metaCols);
  }

  push(kind, text) {
    this.ring.push(kind, text);
  }

  get dropped() {
    return this.ring.first; // entries that left the ring (or were cleared)
  }

  freeze() {
    if (this.frozenAt === null) this.frozenAt = this.ring.total;
  }

  unfreeze() {
    this.frozenAt = null;
  }

  clear() {
    this.ring.clear();
    this.cache.clear();
    if (this.frozenAt !== null) this.frozenAt = this.ring.total;
    this.rebuild();
  }

  // Options change: {spec, wrap, json, cols, times}. Returns true when the rows were rebuilt.
  configure({ spec, wrap, json, cols, times }) {
    let changed = false;
    if (times !== undefined && times !== this.times) {
      this.times = times;
      this.cache.clear();
      changed = changed || (this.wrap && this.hasStamps);
    }
    if (spec !== undefined) {
      this.spec = { ...this.spec, ...spec };
      this.filter = compileFilter(this.spec);
      changed = true;
    }
    if (wrap !== undefined && wrap !== this.wrap) {
      this.wrap = wrap;
      changed = true;
    }
    if (json !== undefined && json !== this.json) {
      this.json = json;
      changed = true;
    }
    if (cols !== undefined && cols !== this.cols) {
      this.cols = Math.max(10, cols);
      changed = changed || this.wrap;
    }
    if (changed) this.rebuild();
    return changed;
  }

  rebuild() {
    this.index.reset();
    this.cache.clear();
    this.indexedUpTo = this.ring.first;
    this.sync();
  }

  // Indexes what arrived since the last call; returns {added, droppedRows}.
  sync() {
    if (this.metaChanged) {
      this.metaChanged = false;
      if (this.wrap) {
        this.rebuild();
        return { added: 0, droppedRows: 0 };
      }
    }
    const ring = this.ring;
    const droppedRows = this.index.dropBefore(ring.first);
    const end = this.frozenAt === null ? ring.total : Math.min(this.frozenAt, ring.total);
    let from = Math.max(this.indexedUpTo, ring.first);
    const added = Math.max(0, end - from);
    const plainRows = !this.wrap && !this.json && !this.filter.active;
    for (; from < end; from++) {
      if (plainRows) {
        this.index.append(from, 1);
        continue;
      }
      const rows = this.rowsFor(from);
      if (rows > 0) this.index.append(from, rows);
    }
    this.indexedUpTo = Math.max(this.indexedUpTo, end);
    if (this.cache.size > CACHE_LIMIT) this.cache.clear();
    return { added, droppedRows };
  }

  // How many rows the entry takes: 0 when the filter hides it.
  rowsFor(seq) {
    const raw = this.ring.text(seq);
    const isLine = this.ring.kind(seq) === KIND_LINE;
    const plain = plainText(raw);
    if (isLine && this.filter.active && !this.filter.shows(plain)) return 0;
    if (!this.wrap && !(this.json && isLine)) return 1;
    const pieces = isLine && this.json ? prettyJson(plain) || [plain] : [plain];
    if (!this.wrap) return pieces.length;
    const cols = this.textCols;
    let rows = 0;
    for (const piece of pieces) rows += rowCount(piece, cols);
    return rows;
  }

  // The entry as drawn: its kind and its visual lines, each {text, runs, marks}.
  visual(seq) {
    let form = this.cache.get(seq);
    if (form !== undefined) return form;
    const kind = this.ring.kind(seq);
    const parsed = parseAnsi(this.ring.text(seq));
    let pieces = null;
    if (kind === KIND_LINE && this.json) pieces = prettyJson(parsed.plain);
    const marks = (text) => (kind === KIND_LINE ? this.filter.ranges(text) : []);
    const lines = pieces
      ? pieces.map((text) => ({ text, runs: jsonRuns(text), marks: marks(text) }))
      : [{ text: parsed.plain, runs: parsed.runs, marks: marks(parsed.plain) }];
    const source = this.ring.source(seq);
    const stamp = this.times ? this.ring.stamp(seq) : null;
    const time = stamp === null ? null : localTime(stamp);
    form = { kind, lines, source, stamp, time };
    this.cache.set(seq, form);
    return form;
  }

  // Display row `sub` of an entry: {kind, text, runs, marks, start, end} and, for lines
  // with a source or timestamp, {source, stamp, time} on the first row and {pad} after it.
  row(seq, sub) {
    const form = this.visual(seq);
    const meta = this.meta(form, sub);
    const cols = this.textCols;
    let remaining = sub;
    for (const line of form.lines) {
      const starts = this.wrap ? rowStarts(line, cols) : [0];
      if (remaining < starts.length) {
        const start = starts[remaining];
        const end = remaining + 1 < starts.length ? starts[remaining + 1] : line.text.length;
        return { kind: form.kind, ...line, start, end, ...meta };
      }
      remaining -= starts.length;
    }
    return { kind: form.kind, text: "", runs: [], marks: [], start: 0, end: 0, ...meta };
  }

  meta(form, sub) {
    if (form.source === null && form.time === null) return null;
    if (sub > 0) return { pad: true };
    // A line without a timestamp among lines with one keeps the column: an empty time.
    const time = form.time ?? (this.times && this.hasStamps ? "" : null);
    return { source: form.source, stamp: form.stamp, time };
  }

  // The log lines held (shown by the filter, if one is on), as text to save.
  exportText() {
    const parts = [];
    const ring = this.ring;
    for (let seq = ring.first; seq < ring.total; seq++) {
      if (ring.kind(seq) !== KIND_LINE) continue;
      const raw = ring.text(seq);
      if (this.filter.active && !this.filter.shows(plainText(raw))) continue;
      parts.push(exportLine(raw, ring.source(seq), ring.stamp(seq)));
    }
    return parts.length ? parts.join("\n") + "\n" : "";
  }
}

// Where a visual line's rows start at `cols` columns, kept on the line (which the cache
// holds while it is on screen), so that drawing a row does not measure the line again.
function rowStarts(line, cols) {
  if (line.wrapCols !== cols) {
    line.wrapStarts = wrapOffsets(line.text, cols);
    line.wrapCols = cols;
  }
  return line.wrapStarts;
}
