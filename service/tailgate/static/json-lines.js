// Pretty-printing of JSON log lines, without changing a single value.
//
// JSON.parse only checks that the line is JSON; the output re-indents the original tokens,
// so numbers too big for a double (64-bit IDs) and escapes stay exactly as logged.

export function looksLikeJson(text) {
  const first = text.charCodeAt(firstNonSpace(text));
  return first === 0x7b || first === 0x5b; // { or [
}

function firstNonSpace(text) {
  let i = 0;
  while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  return i;
}

// The lines of the pretty form of `text`, or null when it is not a JSON object or array.
export function prettyJson(text) {
  if (!looksLikeJson(text)) return null;
  try {
    const value = JSON.parse(text);
    if (value === null || typeof value !== "object") return null;
  } catch {
    return null;
  }
  return reindent(text);
}

function reindent(text) {
  const out = [];
  let line = "";
  let depth = 0;
  const pad = () => "  ".repeat(depth);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      line += text.slice(i, j + 1);
      i = j;
    } else if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      let j = i + 1;
      while (j < text.length && " \t\n\r".includes(text[j])) j++;
      if (text[j] === close) {
        line += c + close;
        i = j;
        continue;
      }
      out.push(line + c);
      depth++;
      line = pad();
    } else if (c === "}" || c === "]") {
      out.push(line);
      depth--;
      line = pad() + c;
    } else if (c === ",") {
      out.push(line + c);
      line = pad();
    } else if (c === ":") {
      line += ": ";
    } else if (c !== " " && c !== "\t" && c !== "\n" && c !== "\r") {
      line += c;
    }
  }
  out.push(line);
  return out;
}

const TOKEN = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d[\d.eE+-]*)|\b(true|false|null)\b/g;

// Colour runs ([start, end, class]) for one line of pretty JSON: keys, strings, numbers,
// and the literals true, false and null.
export function jsonRuns(line) {
  const runs = [];
  TOKEN.lastIndex = 0;
  let match;
  while ((match = TOKEN.exec(line)) !== null) {
    const start = match.index;
    if (match[1] !== undefined) {
      runs.push([start, start + match[1].length, match[2] ? "json-key" : "json-str"]);
    } else if (match[3] !== undefined) {
      runs.push([start, start + match[3].length, "json-num"]);
    } else {
      runs.push([start, start + match[4].length, "json-lit"]);
    }
  }
  return runs;
}
