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
//
// Lines may also carry a level (levels.js): the level chips' choice hides the lines of
// other levels as the text filter does, and the volume chart counts every line by level.
//
// Lines read back from the log's history (older-lines.js) go in before the oldest held
// (`prependLines`); they carry no level (the read-back answer has none). One entry may be
// marked: the line a search result or a link opened the pane at.

import { parseAnsi, plainText } from "./ansi.js";
import { compileFilter } from "./line-filter.js";
import { jsonRuns, prettyJson } from "./json-lines.js";
import { LEVEL_SLOTS, LevelChoice, frameCodes, levelName } from "./levels.js";
import { LineIndex } from "./line-index.js";
import { exportLine, localTime } from "./line-meta.js";
import { KIND_LINE, RingBuffer } from "./ring-buffer.js";
import { rowCount, wrapOffsets } from "./text-width.js";
import { VolumeBuckets } from "./volume-buckets.js";

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
    this.levels = new LevelChoice(); // the chips' choice: every level
    this.levelCounts = new Array(LEVEL_SLOTS).fill(0); // lines held, by level code
    this.hasLevels = false; // some line named a level
    this.volume = new VolumeBuckets();
    this.marked = null; // the sequence number of the marked line, if any
  }

  // Lines of one frame, received at `now` (ms); `source` (or null) is theirs, or an array
  // of each line's (a frame of several pods); `stamps` and `levels` (or null) parallel to
  // them.
  pushLines(lines, source = null, stamps = null, levels = null, now = Date.now()) {
    const codes = frameCodes(levels, lines.length);
    this.volume.add(now, codes, this.ring.total);
    if (!this.hasLevels && codes.some((code) => code !== 0)) this.hasLevels = true;
    if (source === null && stamps === null) {
      for (let i = 0; i < lines.length; i++) this.add(KIND_LINE, lines[i], null, null, codes[i]);
    } else {
      const withStamps = Array.isArray(stamps) && stamps.length === lines.length;
      const each = Array.isArray(source) && source.length === lines.length ? source : null;
      const one = typeof source === "string" ? source : null;
      let longest = one === null ? 0 : one.length;
      for (let i = 0; i < lines.length; i++) {
        const stamp = withStamps && typeof stamps[i] === "string" ? stamps[i] : null;
        let from = one;
        if (each !== null && typeof each[i] === "string") {
          from = each[i];
          if (from.length > longest) longest = from.length;
        }
        this.add(KIND_LINE, lines[i], from, stamp, codes[i]);
      }
      if (withStamps && !this.hasStamps) {
        this.hasStamps = true;
        this.metaChanged = this.metaChanged || this.times;
      }
      if (longest > this.sourceCols) {
        this.sourceCols = Math.min(SOURCE_COLS_MAX, longest);
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
    this.add(kind, text, null, null, 0);
  }

  // One entry into the ring, keeping the count of held lines by level.
  add(kind, text, source, stamp, level) {
    const ring = this.ring;
    if (ring.size === ring.capacity && ring.kind(ring.first) === KIND_LINE) {
      this.levelCounts[ring.level(ring.first)]--;
    }
    ring.push(kind, text, source, stamp, level);
    if (kind === KIND_LINE) this.levelCounts[level]++;
  }

  get dropped() {
    return this.ring.dropped; // entries that left the ring (or were cleared)
  }

  // Lines older than every entry held, oldest first, put before them; only as many as
  // there is room for (the newest of them first). Returns {first, last, kept, rowsAbove}:
  // their sequence numbers, how many went in, and how many display rows now stand
  // above the entries held before (the view moves down by as many to stay put).
  prependLines(lines) {
    const ring = this.ring;
    const oldFirst = ring.first;
    const kept = Math.min(lines.length, ring.room);
    for (let i = lines.length - 1; i >= lines.length - kept; i--) {
      ring.unshift(KIND_LINE, lines[i]);
      this.levelCounts[0]++;
    }
    this.linesReceived += kept;
    this.rebuild();
    const row = ring.total > oldFirst ? this.rowFrom(oldFirst) : -1;
    const rowsAbove = row < 0 ? this.index.totalRows : row;
    return { first: ring.first, last: oldFirst - 1, kept, rowsAbove };
  }

  mark(seq) {
    this.marked = seq;
  }

  freeze() {
    if (this.frozenAt === null) this.frozenAt = this.ring.total;
  }

  unfreeze() {
    this.frozenAt = null;
  }

  clear() {
    this.marked = null;
    this.ring.clear();
    this.cache.clear();
    this.levelCounts.fill(0);
    this.volume.clear();
    if (this.frozenAt !== null) this.frozenAt = this.ring.total;
    this.rebuild();
  }

  // Options change: {spec, levels, wrap, json, cols, times} (`levels`: a LevelChoice).
  // Returns true when the rows were rebuilt.
  configure({ spec, levels, wrap, json, cols, times }) {
    let changed = false;
    if (levels !== undefined && !levels.equals(this.levels)) {
      this.levels = levels;
      changed = true;
    }
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
    const plainRows = !this.wrap && !this.json && !this.filter.active && !this.levels.active;
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
    if (isLine && !this.levels.shows(this.ring.level(seq))) return 0;
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
    const level = kind === KIND_LINE ? levelName(this.ring.level(seq)) : null;
    form = { kind, lines, source, stamp, time, level };
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
        const marked = seq === this.marked;
        return { kind: form.kind, level: form.level, marked, ...line, start, end, ...meta };
      }
      remaining -= starts.length;
    }
    const empty = { text: "", runs: [], marks: [], start: 0, end: 0 };
    return { kind: form.kind, level: form.level, ...empty, ...meta };
  }

  meta(form, sub) {
    if (form.source === null && form.time === null) return null;
    if (sub > 0) return { pad: true };
    // A line without a timestamp among lines with one keeps the column: an empty time.
    const time = form.time ?? (this.times && this.hasStamps ? "" : null);
    return { source: form.source, stamp: form.stamp, time };
  }

  // The display row where entry `seq` is shown, or where the first shown entry after it
  // is; -1 when none is shown from there on.
  rowFrom(seq) {
    const pos = this.index.positionFrom(Math.max(seq, this.ring.first));
    return pos < 0 ? -1 : this.index.firstRowOf(pos);
  }

  // The log lines held (shown by the filter and the level chips), as text to save.
  exportText() {
    const parts = [];
    const ring = this.ring;
    for (let seq = ring.first; seq < ring.total; seq++) {
      if (ring.kind(seq) !== KIND_LINE) continue;
      const raw = ring.text(seq);
      if (!this.levels.shows(ring.level(seq))) continue;
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
