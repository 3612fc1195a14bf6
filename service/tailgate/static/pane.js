// A pane: one log, its own WebSocket tail, its own buffer, filter and view.
//
// Panes know nothing of each other. The page (main.js) creates and closes them and is
// told when one wants to close or becomes the active one (for keyboard shortcuts).
// The log's past (older lines, search, a time, links) is pane-history.js.

import { signInUrl } from "./account-info.js";
import { PaneHistory } from "./pane-history.js";
import { PaneLevels } from "./pane-levels.js";
import { PaneSourceFilter } from "./pane-source-filter.js";
import { KIND_ERROR, KIND_NOTICE, KIND_STATUS } from "./ring-buffer.js";
import { TailConnection } from "./tail-connection.js";
import { TailModel } from "./tail-model.js";
import { sinceFromSecond } from "./time-input.js";
import { VirtualView } from "./virtual-view.js";

export const DEFAULTS = {
  capacity: 100000,
  // While paused, up to this many new lines are still received and counted; past it the
  // server is asked to pause too, and the file keeps the rest until Resume.
  pauseHold: 10000,
};

const number = new Intl.NumberFormat("en");

export class Pane {
  constructor(log, { container, template, onClose, onActivate, onSignedOut, options = {} }) {
    this.log = log;
    this.options = { ...DEFAULTS, ...options };
    this.onClose = onClose;
    this.onActivate = onActivate;
    this.onSignedOut = onSignedOut || (() => {});
    this.paused = false;
    this.held = 0;
    this.belowSinceUnfollow = 0;
    this.frame = 0;
    this.waiting = []; // frames held back while lines read back are being read
    this.node = template.content.firstElementChild.cloneNode(true);
    this.el = (name) => this.node.querySelector(`[data-part="${name}"]`);
    this.model = new TailModel({ capacity: this.options.capacity });
    this.connection = new TailConnection(log.id, {
      handlers: {
        state: (state, sentence) => this.connectionState(state, sentence),
        hello: (frame, again) => this.hello(frame, again),
        lines: (lines, frame) => this.lines(lines, frame),
        notice: (frame) => this.entry(KIND_NOTICE, `[${frame.event}] ${frame.message}`),
        error: (frame) => {
          this.entry(KIND_ERROR, `[${frame.code}] ${frame.message}`);
          this.history.error(frame);
        },
        remark: (text) => this.entry(KIND_STATUS, text),
        skipped: (lines) => this.sourceFilter.left(lines),
        filterRefused: (params, reason) => this.sourceFilter.refusedBy(params, reason),
      },
    });
    this.build(container);
  }

  build(container) {
    const node = this.node;
    node.dataset.logId = this.log.id;
    this.showTitle();
    const on = (part, event, fn) => this.el(part).addEventListener(event, fn);
    on("start", "click", () => this.start());
    on("stop", "click", () => this.stop());
    on("pause", "click", () => this.togglePause());
    on("clear", "click", () => this.clear());
    on("download", "click", () => this.download());
    on("close", "click", () => this.onClose(this));
    on("jump", "click", () => this.jumpToEnd());
    on("held", "click", () => this.togglePause());
    // The address changes as panes open and close: read it when the link is followed.
    on("sign-in", "click", () => {
      this.el("sign-in").href = signInUrl();
    });
    for (const part of ["filter", "regex", "case", "invert"]) {
      on(part, "input", () => this.filterChanged());
    }
    on("filter", "keydown", (event) => {
      if (event.key === "Escape") {
        this.el("filter").value = "";
        this.filterChanged();
        this.el("viewport").focus();
      }
    });
    on("wrap", "change", () => this.displayChanged());
    on("json", "change", () => this.displayChanged());
    on("times", "change", () => this.displayChanged());
    node.addEventListener("focusin", () => this.onActivate(this));
    node.addEventListener("pointerdown", () => this.onActivate(this));
    container.appendChild(node);
    this.view = new VirtualView(this.el("viewport"), {
      onFollowChange: (following) => this.followChanged(following),
      onTop: () => this.history.loadOlder(),
    });
    this.resizer = new ResizeObserver(() => this.resized());
    this.resizer.observe(this.el("viewport"));
    this.view.measure();
    this.model.configure({ cols: this.view.columns() });
    this.levels = new PaneLevels(this.model, {
      el: this.el,
      onChoose: (levels) => {
        this.model.configure({ levels });
        this.node.classList.toggle("filtered", this.model.filter.active || levels.active);
        this.sourceFilter.changed();
        this.schedule();
      },
      // A second whose lines left the buffer is read again from the log, by time.
      onPick: (seq, second) => {
        if (seq >= this.model.ring.first) this.showEntry(seq);
        else this.history.openSince(sinceFromSecond(second));
      },
    });
    this.history = new PaneHistory(this);
    this.sourceFilter = new PaneSourceFilter(this);
    this.showButtons();
  }

  // ---- the tail ----

  start() {
    if (this.connection.running) return;
    if (this.connection.cursor !== null) {
      this.entry(KIND_STATUS, "Started again: continuing after the last line received.");
    }
    this.connection.start();
  }

  stop() {
    if (!this.connection.running) return;
    if (this.paused) this.resume();
    this.connection.stop();
  }

  hello(frame, again) {
    // A pane opened from the address before the list loaded learns its title here.
    if (frame.log && frame.log.title && frame.log.title !== this.log.title) {
      this.log = { ...this.log, ...frame.log };
      this.showTitle();
    }
    if (again) this.entry(KIND_STATUS, "Reconnected: continuing after the last line received.");
  }

  lines(lines, frame = {}) {
    if (this.waiting.length > 0 || this.history.mustHold(lines.length)) {
      this.waiting.push([lines, frame]);
      if (!this.connection.serverPaused) this.connection.pause();
      this.belowSinceUnfollow += lines.length;
      this.showJump();
      return;
    }
    this.push(lines, frame);
    if (this.paused) {
      this.held += lines.length;
      if (this.held >= this.options.pauseHold && !this.connection.serverPaused) {
        this.connection.pause();
      }
      this.showHeld();
    } else if (!this.view.following) {
      this.belowSinceUnfollow += lines.length;
    }
    this.schedule();
  }

  push(lines, frame) {
    // One source for the frame, or (a pods log's frame of several pods) one per line.
    const source = typeof frame.source === "string" ? frame.source
      : Array.isArray(frame.sources) ? frame.sources : null;
    const stamps = Array.isArray(frame.timestamps) ? frame.timestamps : null;
    const levels = Array.isArray(frame.levels) ? frame.levels : null;
    const first = this.model.ring.total;
    this.model.pushLines(lines, source, stamps, levels);
    this.history.framePushed(first, this.model.ring.total - 1, frame.cursor);
  }

  // The frames held back while the reader read lines read back, now the reader is at
  // the end again.
  release() {
    const waiting = this.waiting;
    if (waiting.length === 0) return;
    this.waiting = [];
    for (const [lines, frame] of waiting) this.push(lines, frame);
    if (!this.paused) this.connection.resume();
    this.schedule();
  }

  // Empties the pane before it moves elsewhere in the log (pane-history.js).
  clearForMove() {
    if (this.paused) this.resume();
    this.waiting = [];
    this.clear();
    this.model.ring.dropped = 0; // a new stretch of the log: nothing of it was dropped
  }

  entry(kind, text) {
    this.model.push(kind, text);
    this.schedule();
  }

  connectionState(state, sentence) {
    const previous = this.state;
    this.state = state;
    if (state === "reconnecting" && previous === "live") {
      this.entry(KIND_STATUS, sentence);
    } else if (!["live", "connecting", "reconnecting"].includes(state) && previous !== undefined) {
      this.entry(KIND_STATUS, sentence);
    }
    this.connectionSentence = sentence;
    if (!(this.paused && state === "live")) this.showSentence(sentence);
    this.showBadge();
    this.showButtons();
    // Signed out (4401): the pane keeps its lines and offers the way back in; the page
    // decides what the rest of it shows (main.js).
    const signedOut = state === "signed out";
    this.el("sign-in").hidden = !signedOut;
    if (signedOut) {
      this.el("sign-in").href = signInUrl();
      this.onSignedOut(this);
    }
  }

  // Whether closing the page now would throw away something the pane shows.
  holdsEntries() {
    return this.model.ring.size > 0;
  }

  // ---- pause ----

  togglePause() {
    if (this.paused) this.resume();
    else this.pause();
  }

  pause() {
    if (this.paused || !this.connection.running) return;
    this.paused = true;
    this.held = 0;
    this.model.freeze();
    this.showSentence("Paused: new lines are counted, and shown on Resume.");
    this.showHeld();
    this.showBadge();
    this.showButtons();
  }

  resume() {
    if (!this.paused) return;
    this.paused = false;
    this.held = 0;
    this.model.unfreeze();
    this.connection.resume();
    this.showSentence(this.connectionSentence);
    this.showHeld();
    this.showBadge();
    this.showButtons();
    this.schedule();
  }

  showTitle() {
    this.node.setAttribute("aria-label", `${this.log.title} (${this.log.id})`);
    this.el("title").textContent = this.log.title;
    this.el("title").title = this.log.id;
    this.el("kind").textContent = this.log.kind || "";
  }

  showSentence(sentence) {
    const el = this.el("sentence");
    el.textContent = sentence;
    el.title = sentence;
  }

  showHeld() {
    const held = this.el("held");
    held.hidden = !this.paused;
    let text = `${number.format(this.held)} new line${this.held === 1 ? "" : "s"}`;
    if (this.connection.serverPaused) text += " (more waiting on the server)";
    held.textContent = text;
  }

  // ---- view ----

  clear() {
    this.release();
    this.model.clear();
    this.history?.cleared();
    this.sourceFilter?.cleared();
    this.held = 0;
    this.belowSinceUnfollow = 0;
    if (this.paused) this.showHeld();
    this.schedule();
  }

  filterChanged() {
    const text = this.el("filter").value;
    this.model.configure({
      spec: {
        text,
        regex: this.el("regex").checked,
        matchCase: this.el("case").checked,
        invert: this.el("invert").checked,
      },
    });
    const error = this.model.filter.error;
    const input = this.el("filter");
    input.setAttribute("aria-invalid", error ? "true" : "false");
    input.title = error ? `Not a valid regular expression: ${error}` : "";
    this.node.classList.toggle("filtered", this.model.filter.active || this.model.levels.active);
    this.sourceFilter.changed();
    this.schedule();
  }

  displayChanged() {
    this.model.configure({
      wrap: this.el("wrap").checked,
      json: this.el("json").checked,
      times: this.el("times").checked,
    });
    this.node.classList.toggle("wrapped", this.model.wrap);
    this.schedule();
  }

  toggleOption(part) {
    const box = this.el(part);
    box.checked = !box.checked;
    const change = ["wrap", "json", "times", "volume-on"].includes(part);
    box.dispatchEvent(new Event(change ? "change" : "input"));
  }

  resized() {
    const cols = this.view.measure();
    this.model.configure({ cols });
    this.schedule();
  }

  followChanged(following) {
    if (following) this.release();
    if (following) this.belowSinceUnfollow = 0;
    this.showJump();
    if (following) this.schedule();
  }

  jumpToEnd() {
    this.view.jumpToEnd();
    this.schedule();
  }

  // Brings entry `seq` (or the first shown one after it) to the top of the view.
  showEntry(seq) {
    this.render(); // index what arrived, so that the entry has its row
    const row = this.model.rowFrom(seq);
    if (row < 0) return;
    this.view.showRow(row, this.model.index.totalRows);
    this.schedule();
  }

  showJump() {
    const jump = this.el("jump");
    jump.hidden = this.view.following;
    const below = this.belowSinceUnfollow;
    this.el("jump-count").textContent = below > 0 ? ` (${number.format(below)} new)` : "";
  }

  schedule() {
    if (this.frame !== 0 || this.closed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render() {
    const { droppedRows } = this.model.sync();
    this.history.refs.dropBefore(this.model.ring.first);
    this.showMeta();
    this.view.render(this.model, droppedRows);
    if (!this.view.following) this.showJump();
    this.showStats();
    this.levels.update();
  }

  // The timestamp and source columns: their widths (CSS variables, set through the
  // CSSOM, which the page's CSP allows), and the Times toggle once there are timestamps.
  showMeta() {
    const model = this.model;
    const key = `${model.sourceCols}/${model.metaCols}/${model.hasStamps}`;
    if (key === this.metaKey) return;
    this.metaKey = key;
    this.node.style.setProperty("--src-w", `${model.sourceCols}ch`);
    this.node.style.setProperty("--meta-w", `${model.metaCols}ch`);
    this.el("times-toggle").hidden = !model.hasStamps;
  }

  showStats() {
    const ring = this.model.ring;
    const index = this.model.index;
    let text = `${number.format(ring.size)} held`;
    if (this.model.filter.active || this.model.levels.active) {
      text = `${number.format(index.count)} of ` + text;
    }
    if (this.model.dropped > 0) text += `, ${number.format(this.model.dropped)} dropped`;
    this.el("stats").textContent = text;
  }

  showBadge() {
    const badge = this.el("badge");
    const state = this.paused && this.state === "live" ? "paused" : this.state;
    badge.textContent = state;
    badge.dataset.state = state.replace(" ", "-");
  }

  showButtons() {
    const running = this.connection.running;
    this.el("start").disabled = running;
    this.el("stop").disabled = !running;
    const pause = this.el("pause");
    pause.textContent = this.paused ? "Resume" : "Pause";
    pause.setAttribute("aria-pressed", this.paused ? "true" : "false");
    pause.disabled = !running && !this.paused;
  }

  download() {
    const text = this.model.exportText();
    const blob = new Blob([text], { type: "text/plain;charset=utf-8" });
    const link = document.createElement("a");
    const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
    link.download = `${this.log.id}-${stamp}.log`;
    link.href = URL.createObjectURL(blob);
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  focusFilter() {
    this.el("filter").focus();
    this.el("filter").select();
  }

  close() {
    this.closed = true;
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.resizer.disconnect();
    this.levels.close();
    this.history.close();
    this.sourceFilter.close();
    this.connection.stop();
    this.node.remove();
  }
}
