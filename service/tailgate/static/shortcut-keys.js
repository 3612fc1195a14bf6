// The keyboard shortcuts: the one table that defines them (the help dialog is drawn from
// it, so what it shows is what the keys do) and the decision which key press asks for
// which action. Pure; shortcuts.js listens to the page and keeps the setting.
//
// Every shortcut is a single character key. People who talk to their computer or use
// other keyboard tools can set off such keys by accident (WCAG 2.1.4, Character Key
// Shortcuts), and two of them throw things away (c clears a pane, x closes it), so they
// can all be turned off.

export const SHORTCUTS = [
  { keys: ["n"], action: "searchLogs", help: "Search the list of logs (Enter opens the first)" },
  { keys: ["/"], action: "filter", help: "Filter the active pane (Esc clears the filter)" },
  { keys: ["p"], action: "pause", help: "Pause or resume the active pane" },
  { keys: ["s"], action: "startStop", help: "Start or stop the active pane" },
  { keys: ["e"], action: "jump", help: "Jump to the end and follow it" },
  { keys: ["w"], action: "wrap", help: "Wrap long lines on or off" },
  { keys: ["j"], action: "json", help: "Pretty-print JSON lines on or off" },
  { keys: ["v"], action: "volume", help: "Show or hide the volume chart" },
  { keys: ["o"], action: "older", help: "Load older lines above the first one held" },
  { keys: ["h"], action: "searchHistory", help: "Search the log's history (Esc closes)" },
  { keys: ["g"], action: "time", help: "Jump to a time: choose it, then Enter" },
  { keys: ["l"], action: "copyLink", help: "Copy a link to the marked line (click a line to mark it)" },
  { keys: ["c"], action: "clear", help: "Clear the active pane" },
  { keys: ["d"], action: "download", help: "Download the active pane's lines" },
  { keys: ["x"], action: "close", help: "Close the active pane" },
  { keys: ["[", "]"], action: "cycle", help: "Make the previous / next pane active" },
  { keys: ["t"], action: "theme", help: "Switch between light and dark" },
  { keys: ["?"], action: "help", help: "Show these shortcuts" },
];

const BY_KEY = new Map(SHORTCUTS.flatMap(({ keys, action }) => keys.map((k) => [k, action])));

// The action a key press asks for, or null. `press` has the KeyboardEvent fields key,
// ctrlKey, metaKey, altKey and isComposing; `typing`: the cursor is in a text field;
// `enabled`: single-key shortcuts are on.
export function actionFor(press, { enabled = true, typing = false } = {}) {
  if (!enabled || typing) return null;
  if (press.ctrlKey || press.metaKey || press.altKey || press.isComposing) return null;
  return BY_KEY.get(press.key) ?? null;
}

// The stored setting ("on", "off", or nothing yet) as a switch: on unless turned off.
export function enabledFrom(stored) {
  return stored !== "off";
}

export function storedFrom(enabled) {
  return enabled ? "on" : "off";
}
