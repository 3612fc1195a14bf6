// One display row as DOM: text nodes inside spans whose classes carry the colours and the
// filter's highlights. Text only ever goes in through text nodes, never as markup.
// A pod log line's timestamp and source come first, as their own spans.

import { sourceClass } from "./line-meta.js";
import { KIND_ERROR, KIND_NOTICE, KIND_STATUS } from "./ring-buffer.js";

const KIND_CLASS = {
  [KIND_NOTICE]: "row notice",
  [KIND_ERROR]: "row error",
  [KIND_STATUS]: "row remark",
};

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

function span(cls, text) {
  const el = document.createElement("span");
  el.className = cls;
  el.textContent = text;
  return el;
}

// The spans before the text: timestamp (full value as tooltip), source tag; or, on a
// wrapped line's later rows, a blank of the same width.
function metaNodes(row) {
  if (row.pad) return [span("meta-pad", "")];
  const nodes = [];
  if (row.time != null) {
    const time = span("ts", row.time);
    if (row.stamp) time.title = row.stamp;
    nodes.push(time);
  }
  if (row.source != null) {
    const tag = span(sourceClass(row.source), row.source);
    tag.title = row.source;
    nodes.push(tag);
  }
  return nodes;
}

export function fillRow(el, row) {
  el.className = KIND_CLASS[row.kind] || "row";
  const meta = row.pad || row.time != null || row.source != null;
  if (!meta && row.runs.length === 0 && row.marks.length === 0) {
    el.textContent = row.text.slice(row.start, row.end);
    return;
  }
  const nodes = meta ? metaNodes(row) : [];
  if (row.runs.length === 0 && row.marks.length === 0) {
    nodes.push(document.createTextNode(row.text.slice(row.start, row.end)));
  } else {
    for (const part of segments(row.text, row.runs, row.marks, row.start, row.end)) {
      nodes.push(part.cls ? span(part.cls, part.text) : document.createTextNode(part.text));
    }
  }
  el.replaceChildren(...nodes);
}
