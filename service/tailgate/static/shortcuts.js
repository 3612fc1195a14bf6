// Keyboard shortcuts on the page: the listener, the help dialog drawn from the table
// (shortcut-keys.js), and the setting that turns them off, remembered in this browser
// as the theme is.

import { SHORTCUTS, actionFor, enabledFrom, storedFrom } from "./shortcut-keys.js";

const KEY = "tailgate.shortcuts";

function typingIn(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  return !["checkbox", "radio", "button"].includes(target.type);
}

function readSetting() {
  try {
    return enabledFrom(localStorage.getItem(KEY));
  } catch {
    return true; // storage refused (private windows): the default
  }
}

function writeSetting(enabled) {
  try {
    localStorage.setItem(KEY, storedFrom(enabled));
  } catch {
    // Private windows may refuse storage: the setting then lasts until reload.
  }
}

// Calls actions[name](key) for shortcut keys pressed outside text fields, while `toggle`
// (the checkbox of the setting) is checked; its state is read from and saved to storage.
export function installShortcuts(actions, { toggle, onChange = () => {} }) {
  let enabled = readSetting();
  toggle.checked = enabled;
  onChange(enabled);
  toggle.addEventListener("change", () => {
    enabled = toggle.checked;
    writeSetting(enabled);
    onChange(enabled);
  });
  document.addEventListener("keydown", (event) => {
    const action = actionFor(event, { enabled, typing: typingIn(event.target) });
    if (action === null || !actions[action]) return;
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
