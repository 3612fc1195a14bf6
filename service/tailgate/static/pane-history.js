// A pane's way into its log's past: older lines loaded above the first one held, the
// search panel and "Show in context", Jump to time, and a link to a line.
//
// Three ways to move the pane elsewhere in the log, all by restarting its tail: right
// after a search match or a linked line (`cursor`, with the lines before it read back and
// the line marked), or at a time (`since`). Whatever was held is cleared first, so the
// pane always shows one unbroken stretch of the log.
//
// Lines read back count against the pane's buffer cap like any other: a page only fills
// the room left. While the reader is above the end and the buffer is full, the oldest
// lines would make room for new ones; when those are lines read back, new lines are
// held instead (and the server asked to pause, as Pause does) until the reader goes
// back to the end: what is being read never vanishes under the reader (docs/ui.md).

import { lineLink } from "./deep-link.js";
import { readLines } from "./history-api.js";
import { LineRefs } from "./line-refs.js";
import { OlderLines, mustHold } from "./older-lines.js";
import { KIND_LINE } from "./ring-buffer.js";
import { SearchPanel } from "./search-panel.js";
import { sinceFromLocal } from "./time-input.js";

// Lines shown before a match or a linked line.
export const CONTEXT_LINES = 200;
const TIME_CODES = new Set(["bad_since", "no_timestamps", "since_unsupported"]);
const number = new Intl.NumberFormat("en");

export class PaneHistory {
  constructor(pane) {
    this.pane = pane;
    this.model = pane.model;
    const el = pane.el;
    this.statusEl = el("history-status");
    this.older = new OlderLines();
    this.refs = new LineRefs();
    this.liveFirst = this.model.ring.total; // entries before this were read back
    this.controller = null; // the read-back in flight
    this.generation = 0; // counts moves: an answer for an earlier place is dropped
    this.sinceAsked = false;
    this.search = new SearchPanel(pane.log.id, { el, onShow: (ref) => this.openAt(ref) });
    // An events log keeps no history to read back or search, and its lines are placed
    // by resourceVersion, not by time (docs/catalog.md): those are not offered.
    this.readsBack = pane.log.kind !== "events";
    if (!this.readsBack) {
      for (const part of ["older", "search-toggle", "time-form"]) el(part).hidden = true;
      this.search.offered = false;
    }
    this.fallback = el("link-fallback");
    this.linkText = el("link-text");
    el("older").addEventListener("click", () => this.loadOlder());
    el("time-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.jumpToTime();
    });
    el("copy-link").addEventListener("click", () => this.copyLink());
    el("viewport").addEventListener("click", (event) => this.clicked(event));
  }

  say(text, error = false) {
    this.statusEl.textContent = text;
    this.statusEl.classList.toggle("error", error);
  }

  // ---- what the tail adds ----

  // Entries first..last are the lines of a frame ending at `cursor`.
  framePushed(first, last, cursor) {
    this.refs.append(first, last, cursor);
    this.older.sawFrame(cursor, last - first + 1);
  }

  // Whether `count` new lines would push lines read back out while the reader reads.
  mustHold(count) {
    const { first, room } = this.model.ring;
    const { following } = this.pane.view;
    return mustHold({ following, first, liveFirst: this.liveFirst, room, count });
  }

  cleared() {
    this.older.reset();
    this.refs.clear();
    this.liveFirst = this.model.ring.total;
  }

  error(frame) {
    if (TIME_CODES.has(frame.code) && this.sinceAsked) {
      this.sinceAsked = false;
      this.say(`Cannot start at that time: ${frame.message}`, true);
    }
  }

  // ---- older lines ----

  async loadOlder() {
    if (!this.readsBack) return;
    const ring = this.model.ring;
    const asked = this.older.request(ring.room);
    if (asked.blocked) {
      this.blocked(asked.blocked);
      return;
    }
    this.older.loading = true;
    this.say("Loading older lines…");
    const generation = this.generation;
    const page = await this.read(asked.before, asked.limit);
    if (generation !== this.generation) return;
    if (page === null) {
      this.older.failed();
      return;
    }
    const held = [];
    for (let seq = ring.first; seq < ring.total && held.length < asked.skip; seq++) {
      if (ring.kind(seq) === KIND_LINE) held.push(ring.text(seq));
    }
    const { older, joined } = this.older.loaded(asked, page, held);
    const put = this.prepend(older, asked.before, asked.skip);
    if (put.kept < older.length) this.older.keptOnly(asked, put.kept);
    let text = `Loaded ${number.format(put.kept)} older line${put.kept === 1 ? "" : "s"}.`;
    if (this.older.atStart) {
      text = put.kept === 0 ? "" : `${text} `;
      text += "This is the log's start: there is nothing older.";
    }
    if (!joined) text += " They may not join the lines below exactly: the log changed meanwhile.";
    this.say(text, !joined);
  }

  blocked(reason) {
    const sentences = {
      start: "This is the log's start: there is nothing older.",
      waiting: "No line has arrived yet to load older ones before.",
      full: `The pane holds ${number.format(this.model.ring.capacity)} entries, its most: Clear it to load older lines.`,
    };
    if (reason in sentences) this.say(sentences[reason], reason === "full");
  }

  // Puts `lines` (oldest first) before those held; they end `extra` lines before `cursor`.
  prepend(lines, cursor, extra) {
    const put = this.model.prependLines(lines);
    const first = put.last - put.kept + 1;
    this.refs.prepend(first, put.last, cursor, extra);
    this.pane.view.keepAfterInsert(put.rowsAbove, this.model.index.totalRows);
    this.pane.schedule();
    return { ...put, first };
  }

  // A page of lines before `before`, or null (the reason shown) when none came.
  async read(before, limit) {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    try {
      return await readLines(this.pane.log.id, { before, limit }, { signal: controller.signal });
    } catch (error) {
      if (error.name !== "AbortError") this.say(error.message, true);
      return null;
    } finally {
      if (this.controller === controller) this.controller = null;
    }
  }

  // ---- moving the pane ----

  // Clears the pane for a new place in the log; returns the move's generation.
  moved() {
    this.generation++;
    this.controller?.abort();
    this.sinceAsked = false;
    this.pane.clearForMove();
    this.cleared();
    return this.generation;
  }

  // Opens the log at a line: `ref` {cursor, back} is the line `back` before `cursor`.
  async openAt(ref) {
    const generation = this.moved();
    // Positions inside a compressed copy cannot be tailed (docs/search.md): the pane
    // shows the line and what precedes it, and Start follows the live end.
    if (ref.cursor.startsWith("z1.")) this.pane.connection.stop();
    else this.pane.connection.restart({ cursor: ref.cursor });
    this.older.startAt(ref.cursor);
    this.older.loading = true;
    this.say("Reading the lines before it…");
    const page = await this.read(ref.cursor, ref.back + 1 + CONTEXT_LINES);
    if (generation !== this.generation) return;
    this.older.loading = false;
    if (page === null) return;
    this.older.startAt(page.cursor);
    const put = this.prepend(page.lines, ref.cursor, 0);
    const seq = put.last - ref.back;
    if (put.kept === 0 || seq < put.first) {
      this.say("That line is no longer in the log.", true);
      return;
    }
    this.model.mark(seq);
    this.pane.showEntry(seq);
    this.say(
      ref.cursor.startsWith("z1.")
        ? "Showing the line in a compressed copy; Start follows the log's end."
        : "Showing the line in context; the tail goes on after it.",
    );
  }

  jumpToTime() {
    let since;
    try {
      since = sinceFromLocal(this.pane.el("time").value);
    } catch (error) {
      this.say(error.message, true);
      return;
    }
    this.openSince(since);
  }

  // Restarts the tail at `since` (RFC 3339).
  openSince(since) {
    if (!this.readsBack) {
      const why = "its lines are in the order Kubernetes recorded the Events";
      this.say(`An events log cannot start at a time: ${why}.`, true);
      return;
    }
    this.moved();
    this.sinceAsked = true;
    this.pane.connection.restart({ since });
    this.pane.view.setFollowing(false);
    this.pane.view.scrollTo(0);
    this.say(`Reading from ${new Date(since).toLocaleString()}.`);
  }

  // ---- links ----

  clicked(event) {
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed) return; // selecting text, not a line
    const row = event.target instanceof Element ? event.target.closest(".row") : null;
    if (row === null || row.dataset.seq === undefined) return;
    const seq = Number(row.dataset.seq);
    if (this.model.ring.kind(seq) !== KIND_LINE) return;
    this.model.mark(seq);
    this.pane.render();
  }

  // The line to link to: the marked one, else the first one in sight.
  lineToLink() {
    const ring = this.model.ring;
    const marked = this.model.marked;
    if (marked !== null && ring.has(marked)) return marked;
    const first = this.pane.el("viewport").querySelector(".rows > .row:not([hidden])");
    return first && first.dataset.seq !== undefined ? Number(first.dataset.seq) : null;
  }

  async copyLink() {
    const seq = this.lineToLink();
    const ref = seq === null ? null : this.refs.refFor(seq);
    if (ref === null) {
      this.say("No position in the log is known for that line yet.", true);
      return;
    }
    const url = lineLink(location.href, this.pane.log.id, ref);
    this.fallback.hidden = true;
    try {
      await navigator.clipboard.writeText(url);
      this.say("Link to the line copied.");
    } catch {
      this.fallback.hidden = false;
      this.linkText.value = url;
      this.linkText.focus();
      this.linkText.select();
      this.say("The browser did not let the page copy: copy the link below.");
    }
  }

  close() {
    this.generation++;
    this.controller?.abort();
    this.search.close();
  }
}
