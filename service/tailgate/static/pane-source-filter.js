// A pane's filter at the source: its text filter and level chips pushed down to the server
// (source-filter.js), a moment after they change, and what the server left out.
//
// Changing the filter reopens the pane's tail right after the last line (or skipped count)
// received, with the new filter, so the stream goes on with no gap and no duplicate. The
// lines the server leaves out never reach the page: how many is shown beside the filter,
// and stays until the pane is cleared, since clearing the filter cannot bring them back
// (the log's history can: scroll up, or search). A filter the server refuses is filtered
// by the page alone, with a note saying why.

import { KIND_STATUS } from "./ring-buffer.js";
import { PUSH_DELAY_MS, filterKey, sourceFilter } from "./source-filter.js";

const number = new Intl.NumberFormat("en");

export class PaneSourceFilter {
  // pane: the Pane (its model, connection, el(), entry()).
  constructor(pane) {
    this.pane = pane;
    this.timer = null;
    this.skipped = 0;
    this.refused = new Set(); // keys of filters the server would not apply
    this.badge = pane.el("skipped");
  }

  // The text filter or the level chips changed: push them down once typing pauses.
  changed() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.push(), PUSH_DELAY_MS);
  }

  push() {
    this.timer = null;
    const model = this.pane.model;
    let params = model.filter.error ? null : sourceFilter(model.spec, model.levels);
    if (params !== null && this.refused.has(filterKey(params))) params = null;
    this.pane.connection.setFilter(params);
  }

  // The server left `lines` out since it last said so.
  left(lines) {
    this.skipped += lines;
    this.show();
  }

  // The server could not apply `params`: the page filters alone.
  refusedBy(params, reason) {
    this.refused.add(filterKey(params));
    const why = reason ? ` (${reason})` : "";
    this.pane.entry(KIND_STATUS, `The server cannot apply this filter${why}; this page filters alone.`);
  }

  cleared() {
    this.skipped = 0;
    this.show();
  }

  show() {
    const badge = this.badge;
    if (!badge) return;
    badge.hidden = this.skipped === 0;
    badge.textContent = `${number.format(this.skipped)} left out`;
    badge.title =
      `${number.format(this.skipped)} lines were left out by the filter on the server and ` +
      "are not in this pane; scroll up or search to read them.";
  }

  close() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
