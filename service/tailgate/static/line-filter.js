// The pane's line filter: plain text or a regular expression, with case and invert options.
//
// A filter decides which log lines are shown and where matches are highlighted. It never
// removes anything from the pane: changing or clearing it re-reads the whole buffer.

const SPECIALS = /[.*+?^${}()|[\]\\]/g;

export function escapeRegExp(text) {
  return text.replace(SPECIALS, "\\$&");
}

// spec: {text, regex, matchCase, invert}. Returns {active, error, shows(text), ranges(text)}.
export function compileFilter(spec) {
  const text = spec.text || "";
  if (text === "") return { active: false, error: null, shows: () => true, ranges: () => [] };
  const source = spec.regex ? text : escapeRegExp(text);
  const flags = spec.matchCase ? "" : "i";
  let tester;
  let finder;
  try {
    tester = new RegExp(source, flags);
    finder = new RegExp(source, flags + "g");
  } catch (error) {
    return { active: false, error: error.message, shows: () => true, ranges: () => [] };
  }
  const invert = Boolean(spec.invert);
  return {
    active: true,
    error: null,
    invert,
    shows: (line) => tester.test(line) !== invert,
    // Highlights only make sense on lines that match, that is, when not inverted.
    ranges: (line) => (invert ? [] : findRanges(finder, line)),
  };
}

const MAX_RANGES = 1000;

function findRanges(finder, line) {
  const ranges = [];
  finder.lastIndex = 0;
  let match;
  while ((match = finder.exec(line)) !== null && ranges.length < MAX_RANGES) {
    const end = match.index + match[0].length;
    if (end === match.index) {
      finder.lastIndex++; // an empty match highlights nothing; step over it
      continue;
    }
    ranges.push([match.index, end]);
  }
  return ranges;
}
