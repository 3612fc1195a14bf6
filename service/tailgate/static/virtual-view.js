// The scrolling window onto a pane's rows: only the rows in sight exist in the DOM.
//
// Rows all have the same height (wrapped lines are cut into rows beforehand), so a row's
// position is its number times the row height. A spacer gives the scrollbar its full
// length; the visible rows sit in one absolutely placed block moved with a transform.
// Browsers cap an element's height (about 33 million pixels in Chromium), so beyond
// MAX_PX the scrollbar maps proportionally onto the rows.
//
// Following: the view sticks to the end while the reader is at the end. Scrolling up stops
// following; scrolling back to the end (or "jump to end") starts it again.

import { fillRow } from "./row-render.js";

const MAX_PX = 8000000;
const OVERSCAN = 4;

export class VirtualView {
  constructor(viewport, { onFollowChange = () => {} } = {}) {
    this.viewport = viewport;
    this.spacer = viewport.querySelector(".spacer");
    this.block = viewport.querySelector(".rows");
    this.probe = viewport.querySelector(".probe");
    this.onFollowChange = onFollowChange;
    this.following = true;
    this.rowHeight = 18;
    this.charWidth = 8;
    this.pool = [];
    this.spacerPx = 0;
    this.expectedTop = null;
    viewport.addEventListener("scroll", () => this.scrolled(), { passive: true });
  }

  // Row height and character width, from the probe row that carries the real font.
  measure() {
    const box = this.probe.getBoundingClientRect();
    if (box.height > 0) this.rowHeight = Math.round(box.height);
    if (box.width > 0) this.charWidth = box.width / this.probe.textContent.length;
    return this.columns();
  }

  columns() {
    const style = getComputedStyle(this.block);
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const width = this.viewport.clientWidth - padding;
    return Math.max(10, Math.floor(width / this.charWidth));
  }

  scrolled() {
    const top = this.viewport.scrollTop;
    if (this.expectedTop !== null && Math.abs(top - this.expectedTop) < 1) {
      this.expectedTop = null;
      return;
    }
    this.expectedTop = null;
    const { clientHeight, scrollHeight } = this.viewport;
    const atEnd = top + clientHeight >= scrollHeight - this.rowHeight / 2;
    this.setFollowing(atEnd);
  }

  setFollowing(value) {
    if (value === this.following) return;
    this.following = value;
    this.onFollowChange(value);
  }

  jumpToEnd() {
    this.setFollowing(true);
  }

  scrollTo(top) {
    const max = Math.max(0, this.spacerPx - this.viewport.clientHeight);
    const clamped = Math.max(0, Math.min(max, Math.round(top)));
    if (clamped !== Math.round(this.viewport.scrollTop)) {
      this.expectedTop = clamped;
      this.viewport.scrollTop = clamped;
    }
  }

  // Draws the rows of `model` in sight; `droppedRows` rows left the top since last time.
  render(model, droppedRows = 0) {
    const index = model.index;
    const total = index.totalRows;
    const rowH = this.rowHeight;
    const height = this.viewport.clientHeight;
    const fullPx = total * rowH;
    const scaled = fullPx > MAX_PX;
    const spacerPx = scaled ? MAX_PX : fullPx;
    if (spacerPx !== this.spacerPx) {
      this.spacerPx = spacerPx;
      this.spacer.style.height = `${spacerPx}px`;
    }
    const visibleRows = Math.ceil(height / rowH) + 1;
    if (this.following) {
      this.scrollTo(spacerPx - height);
    } else if (droppedRows > 0 && !scaled) {
      this.scrollTo(this.viewport.scrollTop - droppedRows * rowH);
    }
    const top = this.viewport.scrollTop;
    let topRow;
    if (scaled) {
      const range = Math.max(1, spacerPx - height);
      topRow = (Math.min(top, range) / range) * Math.max(0, total - (height / rowH));
    } else {
      topRow = top / rowH;
    }
    const first = Math.max(0, Math.floor(topRow) - OVERSCAN);
    const last = Math.min(total, Math.floor(topRow) + visibleRows + OVERSCAN);
    const offset = top - (topRow - first) * rowH;
    this.block.style.transform = `translateY(${Math.max(0, offset)}px)`;
    this.draw(model, first, last);
  }

  draw(model, first, last) {
    const index = model.index;
    const count = Math.max(0, last - first);
    while (this.pool.length < count) {
      const el = document.createElement("div");
      this.pool.push(el);
      this.block.appendChild(el);
    }
    let pos = count > 0 ? index.locate(first) : -1;
    let sub = pos >= 0 ? first - index.firstRowOf(pos) : 0;
    for (let k = 0; k < this.pool.length; k++) {
      const el = this.pool[k];
      if (k >= count || pos < 0 || pos >= index.count) {
        if (!el.hidden) el.hidden = true;
        continue;
      }
      el.hidden = false;
      fillRow(el, model.row(index.seqAt(pos), sub));
      sub++;
      if (sub >= index.rowsOf(pos)) {
        pos++;
        sub = 0;
      }
    }
  }
}
