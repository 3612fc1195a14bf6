// A pane's search of its log's history (docs/search.md): a query with Regex and Match
// case, matches streamed in newest first, "More" to go on further back, and "Show in
// context" on each match. A changed query, Cancel, or closing the pane aborts the
// request, which ends the search on the server. Log text goes in as text only.

import { searchLog } from "./history-api.js";

// Matches a panel keeps listed; past it, "More" is offered no longer.
export const MAX_RESULTS = 2000;
const number = new Intl.NumberFormat("en");

export class SearchPanel {
  // el(part) finds a part of the pane; onShow({cursor, back}, line) opens a match.
  constructor(logId, { el, onShow }) {
    this.logId = logId;
    this.onShow = onShow;
    this.panel = el("search");
    this.toggleButton = el("search-toggle");
    this.offered = true; // false: the log has no history to search (an events log)
    this.input = el("search-q");
    this.regex = el("search-regex");
    this.matchCase = el("search-case");
    this.status = el("search-status");
    this.list = el("search-results");
    this.moreButton = el("search-more");
    this.cancelButton = el("search-cancel");
    this.controller = null;
    this.more = null;
    this.count = 0;
    this.toggleButton.addEventListener("click", () => this.toggle());
    el("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.run(null);
    });
    for (const field of [this.input, this.regex, this.matchCase]) {
      field.addEventListener("input", () => this.changed());
    }
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.controller === null) this.hide();
      else if (event.key === "Escape") this.cancel("Cancelled.");
    });
    this.cancelButton.addEventListener("click", () => this.cancel("Cancelled."));
    this.moreButton.addEventListener("click", () => this.run(this.more));
  }

  get open() {
    return !this.panel.hidden;
  }

  toggle() {
    if (this.open) this.hide();
    else this.show();
  }

  show() {
    if (!this.offered) return;
    this.panel.hidden = false;
    this.toggleButton.setAttribute("aria-expanded", "true");
    this.input.focus();
    this.input.select();
  }

  hide() {
    this.cancel(null);
    this.panel.hidden = true;
    this.toggleButton.setAttribute("aria-expanded", "false");
    this.toggleButton.focus();
  }

  changed() {
    if (this.controller !== null) this.cancel("The query changed: press Enter to search again.");
  }

  cancel(sentence) {
    if (this.controller === null) return;
    this.controller.abort();
    this.controller = null;
    this.cancelButton.disabled = true;
    if (sentence !== null) this.say(sentence);
  }

  say(text, error = false) {
    this.status.textContent = text;
    this.status.classList.toggle("error", error);
  }

  // A new search (`before` null) or the next part of the last one.
  async run(before) {
    const q = this.input.value;
    if (q === "") {
      this.say("Type what to look for.", true);
      return;
    }
    this.cancel(null);
    if (before === null) {
      this.list.replaceChildren();
      this.count = 0;
      this.query = { q, regex: this.regex.checked, matchCase: this.matchCase.checked };
    }
    const controller = new AbortController();
    this.controller = controller;
    this.cancelButton.disabled = false;
    this.moreButton.hidden = true;
    this.more = null;
    this.say("Searching…");
    try {
      for await (const item of searchLog(this.logId, { ...this.query, before }, {
        signal: controller.signal,
      })) {
        if (this.controller !== controller) return;
        if (typeof item.line === "string" && typeof item.cursor === "string") {
          this.add(item);
        } else if ("more" in item) {
          this.finished(item);
        } else if (typeof item.scanned_bytes === "number") {
          this.say(`Searching… ${this.found()}, ${mib(item.scanned_bytes)} read`);
        }
      }
    } catch (error) {
      if (error.name === "AbortError" || this.controller !== controller) return;
      this.say(error.message, true);
    } finally {
      if (this.controller === controller) {
        this.controller = null;
        this.cancelButton.disabled = true;
      }
    }
  }

  found() {
    return `${number.format(this.count)} match${this.count === 1 ? "" : "es"}`;
  }

  finished(summary) {
    this.more = typeof summary.more === "string" ? summary.more : null;
    const room = this.count < MAX_RESULTS;
    this.moreButton.hidden = this.more === null || !room;
    let text = `${this.found()}, newest first.`;
    if (this.more === null) text += " Searched back to the log's start.";
    else if (room) text += " More further back.";
    if (Array.isArray(summary.skipped) && summary.skipped.length > 0) {
      text += ` Not searched: ${summary.skipped.map(String).join(", ")}.`;
    }
    this.say(text);
  }

  add(match) {
    if (this.count >= MAX_RESULTS) return;
    this.count++;
    const item = document.createElement("li");
    const show = document.createElement("button");
    show.type = "button";
    show.className = "result";
    show.title = "Show in context";
    const where = [match.time, match.source].filter((s) => typeof s === "string").join(" ");
    if (where) {
      const meta = document.createElement("span");
      meta.className = "where";
      meta.textContent = where;
      show.append(meta);
    }
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = match.line;
    show.append(text);
    show.setAttribute("aria-label", `Show in context: ${match.line.slice(0, 200)}`);
    show.addEventListener("click", () => this.onShow({ cursor: match.cursor, back: 0 }, match));
    item.append(show);
    this.list.append(item);
  }

  close() {
    this.cancel(null);
  }
}

function mib(bytes) {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
