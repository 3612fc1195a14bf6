// A row's text cut into the pieces that are drawn alike: where a colour run or a filter
// highlight begins or ends, a new piece starts. Pure, so the cuts are tested without a
// page; row-render.js turns each piece into a text node or a span.

// Splits [start, end) of the text at every colour run and highlight boundary.
export function segments(text, runs, marks, start = 0, end = text.length) {
  const cuts = new Set([start, end]);
  for (const [a, b] of runs) {
    if (a > start && a < end) cuts.add(a);
    if (b > start && b < end) cuts.add(b);
  }
  for (const [a, b] of marks) {
    if (a > start && a < end) cuts.add(a);
    if (b > start && b < end) cuts.add(b);
  }
  const points = [...cuts].sort((x, y) => x - y);
  const out = [];
  let r = 0;
  let m = 0;
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k];
    const b = points[k + 1];
    while (r < runs.length && runs[r][1] <= a) r++;
    while (m < marks.length && marks[m][1] <= a) m++;
    const run = r < runs.length && runs[r][0] <= a ? runs[r][2] : "";
    const marked = m < marks.length && marks[m][0] <= a;
    out.push({ text: text.slice(a, b), cls: marked ? (run ? run + " hl" : "hl") : run });
  }
  return out;
}
