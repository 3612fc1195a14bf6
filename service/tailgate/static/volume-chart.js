// A pane's volume chart: lines per second over the last minutes, stacked by level, on a
// plain canvas (volume-buckets.js holds the numbers). Clicking a second brings the first
// line received in it into view; with the keyboard, the arrow keys choose a second on
// the focused chart and Enter goes there.
//
// Only numbers and times are drawn; no log text ever reaches the canvas.

import { LEVELS, NO_LEVEL, levelName } from "./levels.js";
import { niceCeiling, secondAt } from "./volume-buckets.js";

// Stacked from the bottom: lines without a level, then the least severe up to fatal.
const STACK = [NO_LEVEL, ...LEVELS.map((_, i) => LEVELS.length - i)];
const TIME = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
const number = new Intl.NumberFormat("en");

export class VolumeChart {
  constructor(canvas, { buckets, onPick, clock = () => Date.now() }) {
    this.canvas = canvas;
    this.buckets = buckets;
    this.onPick = onPick;
    this.clock = clock;
    this.cursor = null; // the second chosen with the keyboard, while the chart has focus
    this.size = "";
    canvas.setAttribute("aria-valuemin", "0");
    canvas.setAttribute("aria-valuemax", String(buckets.seconds - 1));
    canvas.setAttribute("aria-valuenow", String(buckets.seconds - 1));
    canvas.addEventListener("click", (event) => this.pickAt(event.offsetX));
    canvas.addEventListener("mousemove", (event) => this.describe(this.secondAt(event.offsetX)));
    canvas.addEventListener("keydown", (event) => this.key(event));
    canvas.addEventListener("blur", () => {
      this.cursor = null;
      this.draw();
    });
  }

  secondAt(x) {
    return secondAt(x, this.canvas.clientWidth || 1, this.buckets.seconds, this.clock());
  }

  pickAt(x) {
    this.pick(this.secondAt(x));
  }

  pick(second) {
    const seq = this.buckets.seqFrom(second, this.clock());
    if (seq >= 0) this.onPick(seq, second);
  }

  key(event) {
    const last = Math.floor(this.clock() / 1000);
    const first = last - this.buckets.seconds + 1;
    const steps = { ArrowLeft: -1, ArrowRight: 1, PageUp: -60, PageDown: 60 };
    let cursor = this.cursor ?? last;
    if (event.key in steps) cursor += steps[event.key];
    else if (event.key === "Home") cursor = first;
    else if (event.key === "End") cursor = last;
    else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      this.pick(cursor);
      return;
    } else return;
    event.preventDefault();
    this.cursor = Math.min(last, Math.max(first, cursor));
    this.canvas.setAttribute("aria-valuenow", String(this.cursor - first));
    this.describe(this.cursor);
    this.draw();
  }

  // The chart's tooltip and accessible description: the second under the pointer or
  // the keyboard's cursor, and its lines by level.
  describe(second) {
    const counts = this.buckets.countsAt(second);
    const total = counts.reduce((a, b) => a + b, 0);
    const parts = [];
    for (let code = 1; code < counts.length; code++) {
      if (counts[code] > 0) parts.push(`${levelName(code)} ${number.format(counts[code])}`);
    }
    if (counts[NO_LEVEL] > 0) parts.push(`no level ${number.format(counts[NO_LEVEL])}`);
    const when = TIME.format(new Date(second * 1000));
    const text = `${when}: ${number.format(total)} line${total === 1 ? "" : "s"}`;
    this.canvas.title = parts.length ? `${text} (${parts.join(", ")})` : text;
    this.canvas.setAttribute("aria-valuetext", this.canvas.title);
  }

  colours() {
    const style = getComputedStyle(this.canvas);
    const colour = (name) => style.getPropertyValue(name).trim() || "#888";
    const out = [colour("--lvl-none")];
    for (const name of LEVELS) out.push(colour(`--lvl-${name}`));
    return { levels: out, text: colour("--muted"), cursor: colour("--accent") };
  }

  draw() {
    const canvas = this.canvas;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (width === 0 || height === 0) return;
    const ratio = window.devicePixelRatio || 1;
    const size = `${width}x${height}@${ratio}`;
    if (size !== this.size) {
      this.size = size;
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const series = this.buckets.series(this.clock());
    const top = niceCeiling(Math.max(0, ...series.map((s) => s.total)));
    const colours = this.colours();
    const barWidth = width / series.length;
    series.forEach((bucket, i) => {
      if (bucket.total === 0) return;
      let y = height;
      for (const code of STACK) {
        const count = bucket.counts[code];
        if (count === 0) continue;
        const h = (count / top) * height;
        ctx.fillStyle = colours.levels[code];
        ctx.fillRect(i * barWidth, y - h, Math.max(1, barWidth), h);
        y -= h;
      }
    });
    if (this.cursor !== null) {
      const i = this.cursor - series[0].second;
      ctx.fillStyle = colours.cursor;
      ctx.fillRect(i * barWidth, 0, Math.max(1, barWidth), height);
    }
    ctx.fillStyle = colours.text;
    ctx.font = "10px system-ui, sans-serif";
    ctx.textBaseline = "top";
    ctx.fillText(`${number.format(top)}/s`, 2, 1);
  }
}
