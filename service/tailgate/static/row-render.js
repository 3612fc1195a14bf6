// One display row as DOM: text nodes inside spans whose classes carry the colours and the
// filter's highlights. Text only ever goes in through text nodes, never as markup.
// A pod log line's timestamp and source come first, as their own spans. A line's level
// (levels.js) is a class on each of its rows (`lvl-error`), which colours it; the line
// a search result or a link opened the pane at has the class `marked`.

import { sourceClass } from "./line-meta.js";
import { KIND_ERROR, KIND_NOTICE, KIND_STATUS } from "./ring-buffer.js";
import { segments } from "./row-segments.js";

const KIND_CLASS = {
  [KIND_NOTICE]: "row notice",
  [KIND_ERROR]: "row error",
  [KIND_STATUS]: "row remark",
};

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
  el.className = KIND_CLASS[row.kind] || (row.level ? `row lvl-${row.level}` : "row");
  if (row.marked) el.classList.add("marked");
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
