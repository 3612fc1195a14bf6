// Newline-delimited JSON as it streams in (a search answered as application/x-ndjson,
// docs/search.md): text in, whole objects out, however the chunks fall. A line longer
// than `maxLine` characters or one that is not JSON is an error, so that a broken
// answer can never grow the page's memory without bound. Pure.

export const MAX_LINE = 4 * 1024 * 1024;

export class NdjsonSplitter {
  constructor({ maxLine = MAX_LINE } = {}) {
    this.maxLine = maxLine;
    this.rest = "";
  }

  // The objects completed by `chunk`.
  push(chunk) {
    const text = this.rest + chunk;
    const parts = text.split("\n");
    this.rest = parts.pop();
    if (this.rest.length > this.maxLine) throw new SyntaxError("an answer line is too long");
    return parts.filter((line) => line.trim() !== "").map(parse);
  }

  // What is left at the end of the answer (a last line without its newline).
  end() {
    const rest = this.rest;
    this.rest = "";
    return rest.trim() === "" ? [] : [parse(rest)];
  }
}

function parse(line) {
  const value = JSON.parse(line);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new SyntaxError("an answer line is not a JSON object");
  }
  return value;
}
