// Keyboard shortcuts. The table is the one place they are defined: the help dialog is
// drawn from it, so what it shows is what the keys do.

export const SHORTCUTS = [
  { keys: ["n"], action: "searchLogs", help: "Search the list of logs (Enter opens the first)" },
  { keys: ["/"], action: "filter", help: "Filter the active pane (Esc clears the filter)" },
  { keys: ["p"], action: "pause", help: "Pause or resume the active pane" },
  { keys: ["s"], action: "startStop", help: "Start or stop the active pane" },
  { keys: ["e"], action: "jump", help: "Jump to the end and follow it" },
  { keys: ["w"], action: "wrap", help: "Wrap long lines on or off" },
  { keys: ["j"], action: "json", help: "Pretty-print JSON lines on or off" },
  { keys: ["c"], action: "clear", help: "Clear the active pane" },
  { keys: ["d"], action: "download", help: "Download the active pane's lines" },
  { keys: ["x"], action: "close", help: "Close the active pane" },
  { keys: ["[", "]"], action: "cycle", help: "Make the previous / next pane active" },
  { keys: ["t"], action: "theme", help: "Switch between light and dark" },
  { keys: ["?"], action: "help", help: "Show these shortcuts" },
];

function typingIn(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  return !["checkbox", "radio", "button"].includes(target.type);
}

// Calls actions[name](key) for shortcut keys pressed outside text fields.
export function installShortcuts(actions) {
  const byKey = new Map();
  for (const shortcut of SHORTCUTS) {
    for (const key of shortcut.keys) byKey.set(key, shortcut.action);
  }
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (typingIn(event.target)) return;
    const action = byKey.get(event.key);
    if (!action || !actions[action]) return;
    event.preventDefault();
    actions[action](event.key);
  });
}

export function fillHelp(table) {
  const rows = SHORTCUTS.map((shortcut) => {
    const tr = document.createElement("tr");
    const keys = document.createElement("td");
    shortcut.keys.forEach((key, i) => {
      if (i > 0) keys.append(" ");
      const kbd = document.createElement("kbd");
      kbd.textContent = key;
      keys.append(kbd);
    });
    const help = document.createElement("td");
    help.textContent = shortcut.help;
    tr.append(keys, help);
    return tr;
  });
  table.replaceChildren(...rows);
}
