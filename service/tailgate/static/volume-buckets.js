// The volume chart's numbers: lines per second over the last minutes, counted by level,
// and where in the pane each second's lines begin, so that a click on a second can
// bring its first line into view. Pure; volume-chart.js draws it.
//
// A line counts in the second the page received it: file logs carry no timestamps of
// their own, and a live tail receives a line within milliseconds of its writing. (The
// backlog a tail opens with all arrives in its first second.)

import { LEVEL_SLOTS } from "./levels.js";

export const DEFAULT_SECONDS = 300;

export class VolumeBuckets {
  constructor({ seconds = DEFAULT_SECONDS } = {}) {
    this.seconds = seconds;
    this.counts = new Uint32Array(seconds * LEVEL_SLOTS); // bucket * LEVEL_SLOTS + code
    this.ids = new Float64Array(seconds).fill(-1); // the second each bucket now counts
    this.firstSeqs = new Float64Array(seconds); // the first entry received in that second
  }

  bucket(second) {
    const slot = ((second % this.seconds) + this.seconds) % this.seconds;
    if (this.ids[slot] !== second) {
      this.ids[slot] = second;
      this.counts.fill(0, slot * LEVEL_SLOTS, (slot + 1) * LEVEL_SLOTS);
      this.firstSeqs[slot] = -1;
    }
    return slot;
  }

  // `codes` (level codes, levels.js) of lines received at `timeMs`, the first of them
  // entry `firstSeq` of the pane's ring buffer.
  add(timeMs, codes, firstSeq) {
    if (codes.length === 0) return;
    const slot = this.bucket(Math.floor(timeMs / 1000));
    const base = slot * LEVEL_SLOTS;
    for (let i = 0; i < codes.length; i++) this.counts[base + codes[i]]++;
    if (this.firstSeqs[slot] < 0) this.firstSeqs[slot] = firstSeq;
  }

  clear() {
    this.ids.fill(-1);
  }

  // The counts of `second` by level code (a fresh array), all zero when nothing came.
  countsAt(second) {
    const slot = ((second % this.seconds) + this.seconds) % this.seconds;
    const out = new Array(LEVEL_SLOTS).fill(0);
    if (this.ids[slot] !== second) return out;
    for (let c = 0; c < LEVEL_SLOTS; c++) out[c] = this.counts[slot * LEVEL_SLOTS + c];
    return out;
  }

  totalAt(second) {
    return this.countsAt(second).reduce((a, b) => a + b, 0);
  }

  // The seconds shown at `nowMs`, oldest first: [{second, counts, total}].
  series(nowMs) {
    const last = Math.floor(nowMs / 1000);
    const out = [];
    for (let second = last - this.seconds + 1; second <= last; second++) {
      const counts = this.countsAt(second);
      out.push({ second, counts, total: counts.reduce((a, b) => a + b, 0) });
    }
    return out;
  }

  // The first entry received in `second`, or in the first later second that received
  // one; -1 when nothing came from then to `nowMs`.
  seqFrom(second, nowMs) {
    const last = Math.floor(nowMs / 1000);
    for (let s = Math.max(second, last - this.seconds + 1); s <= last; s++) {
      const slot = ((s % this.seconds) + this.seconds) % this.seconds;
      if (this.ids[slot] === s && this.firstSeqs[slot] >= 0) return this.firstSeqs[slot];
    }
    return -1;
  }
}

// The second under `x` pixels of a chart `width` pixels wide showing `seconds` seconds
// up to `nowMs` (the newest at the right edge).
export function secondAt(x, width, seconds, nowMs) {
  const last = Math.floor(nowMs / 1000);
  const column = Math.min(seconds - 1, Math.max(0, Math.floor((x / width) * seconds)));
  return last - seconds + 1 + column;
}

// A scale for the chart's height: the smallest of 1, 2, 5 times a power of ten that
// is at least `max`, so that the axis label is a round number.
export function niceCeiling(max) {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= max) return step * power;
  }
  return 10 * power;
}
