// The scrolling window onto a pane's rows: only the rows in sight exist in the DOM.
//
// Rows all have the same height (wrapped lines are cut into rows beforehand). A spacer
// gives the scrollbar its full length; the visible rows sit in one absolutely placed
// block moved with a transform. The arithmetic (spacer height, where to scroll, which
// rows are in sight) is in scroll-window.js.
//
// Following: the view sticks to the end while the reader is at the end. Scrolling up stops
// following; scrolling back to the end (or "jump to end") starts it again.
//
// Reaching the top (scrolling there, or a wheel or key moving up while there) is told to
// the owner (`onTop`): that is where older lines are loaded (older-lines.js). Rows put in
// above the ones in sight move the view down by as many (`keepAfterInsert`), so what the
// reader looks at stays where it is.

import { fillRow } from "./row-render.js";
import {
  atEnd,
  clampScroll,
  columnsFor,
  rowWindow,
  scrollTarget,
  spacerHeight,
} from "./scroll-window.js";

// Keys that scroll a focused viewport up.
const UP_KEYS = new Set(["ArrowUp", "PageUp", "Home"]);

export class VirtualView {
  constructor(viewport, { onFollowChange = () => {}, onTop = () => {} } = {}) {
    this.viewport = viewport;
    this.spacer = viewport.querySelector(".spacer");
    this.block = viewport.querySelector(".rows");
    this.probe = viewport.querySelector(".probe");
    this.onFollowChange = onFollowChange;
    this.onTop = onTop;
    this.following = true;
    this.rowHeight = 18;
    this.charWidth = 8;
    this.pool = [];
    this.spacerPx = 0;
    this.expectedTop = null;
    viewport.addEventListener("scroll", () => this.scrolled(), { passive: true });
    // A wheel or a key moving up says "stop following" before its scroll arrives: a
    // draw in between (lines keep coming) would otherwise pull the reader back down.
    viewport.addEventListener(
      "wheel",
      (event) => this.movingUp(event.deltaY < 0 && !event.ctrlKey), // ctrl: zooming
      { passive: true },
    );
    viewport.addEventListener("keydown", (event) => this.movingUp(UP_KEYS.has(event.key)));
  }

  movingUp(up) {
    if (!up) return;
    if (this.viewport.scrollTop > 0) this.setFollowing(false);
    else this.onTop();
  }

  // `rows` display rows were put in above those in sight: the view moves down by as many.
  keepAfterInsert(rows, total) {
    if (this.following || rows <= 0) return;
    const { spacerPx, scaled } = spacerHeight(total, this.rowHeight);
    if (spacerPx !== this.spacerPx) {
      this.spacerPx = spacerPx;
      this.spacer.style.height = `${spacerPx}px`;
    }
    if (!scaled) this.scrollTo(this.viewport.scrollTop + rows * this.rowHeight);
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
    return columnsFor(this.viewport.clientWidth - padding, this.charWidth);
  }

  scrolled() {
    const top = this.viewport.scrollTop;
    if (this.expectedTop !== null && Math.abs(top - this.expectedTop) < 1) {
      this.expectedTop = null;
      return;
    }
    this.expectedTop = null;
    const { clientHeight, scrollHeight } = this.viewport;
    this.setFollowing(atEnd(top, clientHeight, scrollHeight, this.rowHeight));
    if (top === 0 && scrollHeight > clientHeight) this.onTop();
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
    const clamped = clampScroll(top, this.spacerPx, this.viewport.clientHeight);
    if (clamped !== Math.round(this.viewport.scrollTop)) {
      this.expectedTop = clamped;
      this.viewport.scrollTop = clamped;
    }
  }

  // Scrolls display row `row` of `total` to the top of the view, and stops following.
  showRow(row, total) {
    this.setFollowing(false);
    const height = this.viewport.clientHeight;
    const { spacerPx, scaled } = spacerHeight(total, this.rowHeight);
    if (scaled) {
      const rows = Math.max(1, total - height / this.rowHeight);
      this.scrollTo((row / rows) * Math.max(1, spacerPx - height));
    } else {
      this.scrollTo(row * this.rowHeight);
    }
  }

  // Draws the rows of `model` in sight; `droppedRows` rows left the top since last time.
  render(model, droppedRows = 0) {
    const total = model.index.totalRows;
    const rowHeight = this.rowHeight;
    const height = this.viewport.clientHeight;
    const { spacerPx, scaled } = spacerHeight(total, rowHeight);
    if (spacerPx !== this.spacerPx) {
      this.spacerPx = spacerPx;
      this.spacer.style.height = `${spacerPx}px`;
    }
    const target = scrollTarget({
      following: this.following,
      spacerPx,
      scaled,
      height,
      top: this.viewport.scrollTop,
      droppedRows,
      rowHeight,
    });
    if (target !== null) this.scrollTo(target);
    const top = this.viewport.scrollTop;
    const { first, last, offset } = rowWindow({ total, rowHeight, height, top, spacerPx, scaled });
    this.block.style.transform = `translateY(${offset}px)`;
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
      const seq = index.seqAt(pos);
      fillRow(el, model.row(seq, sub));
      el.dataset.seq = String(seq);
      sub++;
      if (sub >= index.rowsOf(pos)) {
        pos++;
        sub = 0;
      }
    }
  }
}
