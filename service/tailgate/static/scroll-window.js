// The arithmetic of the scrolling window onto a pane's rows, without the DOM: how tall
// the scrollable area is, where to scroll before drawing, and which rows are in sight.
// virtual-view.js applies it to the page.
//
// Rows all have the same height, so a row's position is its number times the row
// height. Browsers cap an element's height (about 33 million pixels in Chromium), so
// beyond MAX_PX the scrollbar maps proportionally onto the rows ("scaled").

export const MAX_PX = 8000000;
// Rows drawn beyond each edge, so that a small scroll shows rows already there.
export const OVERSCAN = 4;

// The spacer's height for `total` rows, and whether it is scaled down.
export function spacerHeight(total, rowHeight) {
  const full = total * rowHeight;
  return full > MAX_PX ? { spacerPx: MAX_PX, scaled: true } : { spacerPx: full, scaled: false };
}

// Where to scroll before drawing, or null to stay: the end while following; otherwise
// up by the rows that left the top (so that the rows being read stay put), which a
// scaled scrollbar cannot do exactly and so does not try.
export function scrollTarget({ following, spacerPx, scaled, height, top, droppedRows, rowHeight }) {
  if (following) return spacerPx - height;
  if (droppedRows > 0 && !scaled) return top - droppedRows * rowHeight;
  return null;
}

// A scroll position kept inside the scrollable area, in whole pixels.
export function clampScroll(top, spacerPx, height) {
  const max = Math.max(0, spacerPx - height);
  return Math.max(0, Math.min(max, Math.round(top)));
}

// The rows to draw at scroll position `top`, [first, last), and how far down the block
// holding them sits.
export function rowWindow({ total, rowHeight, height, top, spacerPx, scaled }) {
  const visibleRows = Math.ceil(height / rowHeight) + 1;
  let topRow;
  if (scaled) {
    const range = Math.max(1, spacerPx - height);
    topRow = (Math.min(top, range) / range) * Math.max(0, total - height / rowHeight);
  } else {
    topRow = top / rowHeight;
  }
  const first = Math.max(0, Math.floor(topRow) - OVERSCAN);
  const last = Math.min(total, Math.floor(topRow) + visibleRows + OVERSCAN);
  const offset = Math.max(0, top - (topRow - first) * rowHeight);
  return { first, last, offset };
}

// Whether a scroll position is at the end, within half a row: following starts again.
export function atEnd(top, clientHeight, scrollHeight, rowHeight) {
  return top + clientHeight >= scrollHeight - rowHeight / 2;
}

// Columns of text that fit `width` pixels (never fewer than 10).
export function columnsFor(width, charWidth) {
  return Math.max(10, Math.floor(width / charWidth));
}
