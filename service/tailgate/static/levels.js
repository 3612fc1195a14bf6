// Line levels in the page: the fixed set the server sends beside each line (`levels`
// in a lines frame, docs/protocol.md), as small numbers the ring buffer keeps, and the
// levels a pane's chips have chosen.
//
// The choice is the one place a pane keeps which levels it shows: the chips draw it,
// the model's filter reads it, and `query` is the value of the tail's `levels=`
// parameter once the server filters by level. Pure.

// Most severe first: the order of the chips, the colours and the chart's stacking.
export const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"];
// A line that names no level.
export const NO_LEVEL = 0;
// Codes run 1..LEVELS.length; NO_LEVEL is 0: LEVEL_SLOTS counters cover them all.
export const LEVEL_SLOTS = LEVELS.length + 1;

const CODES = new Map(LEVELS.map((name, i) => [name, i + 1]));

// The code of a level sent by the server; anything else (null, unknown) is NO_LEVEL.
export function levelCode(value) {
  return (typeof value === "string" && CODES.get(value)) || NO_LEVEL;
}

export function levelName(code) {
  return code > NO_LEVEL && code <= LEVELS.length ? LEVELS[code - 1] : null;
}

// The codes of a frame's lines: `levels` parallel to `count` lines, or all NO_LEVEL
// when the frame has none (or a list of the wrong length).
export function frameCodes(levels, count) {
  const codes = new Uint8Array(count);
  if (Array.isArray(levels) && levels.length === count) {
    for (let i = 0; i < count; i++) codes[i] = levelCode(levels[i]);
  }
  return codes;
}

// Which levels a pane shows. Empty: every line, those without a level too. Otherwise
// only the lines of the chosen levels. Immutable: each change returns a new choice.
export class LevelChoice {
  constructor(chosen = []) {
    this.codes = new Set();
    for (const name of chosen) {
      const code = levelCode(name);
      if (code !== NO_LEVEL) this.codes.add(code);
    }
  }

  // A choice from a `levels=` value ("error,warn"); unknown names are left out.
  static fromQuery(text) {
    return new LevelChoice(typeof text === "string" ? text.split(",").map((s) => s.trim()) : []);
  }

  get active() {
    return this.codes.size > 0;
  }

  has(name) {
    return this.codes.has(levelCode(name));
  }

  shows(code) {
    return this.codes.size === 0 || this.codes.has(code);
  }

  toggled(name) {
    const names = this.names.filter((n) => n !== name);
    if (!this.has(name)) names.push(name);
    return new LevelChoice(names);
  }

  cleared() {
    return new LevelChoice();
  }

  get names() {
    return LEVELS.filter((name) => this.codes.has(levelCode(name)));
  }

  // The value of a tail's `levels=` parameter: "" for every level.
  get query() {
    return this.names.join(",");
  }

  equals(other) {
    return other instanceof LevelChoice && other.query === this.query;
  }
}
