// The list of logs (GET api/logs), narrowed by a search box, in groups (the catalog's own
// entries, then discovered workloads by namespace and kind); choosing one opens a pane.
// Hundreds of logs are drawn at once: one fragment, one replaceChildren per keystroke.

import { groupLogs, shortTitle } from "./log-groups.js";
import { matchLogs } from "./log-search.js";

export class LogPicker {
  // onSignedOut: called when the server answers 401 (no valid session).
  constructor({ list, search, status, onPick, onSignedOut = () => {} }) {
    this.list = list;
    this.search = search;
    this.status = status;
    this.onPick = onPick;
    this.onSignedOut = onSignedOut;
    this.logs = [];
    search.addEventListener("input", () => this.show());
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        const first = this.visible()[0];
        if (first) this.onPick(first);
      } else if (event.key === "Escape") {
        search.value = "";
        this.show();
        search.blur();
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        this.list.querySelector("button")?.focus();
      }
    });
    list.addEventListener("keydown", (event) => this.arrowKeys(event));
  }

  async load() {
    this.status.textContent = "Loading the list of logs…";
    try {
      const response = await fetch("api/logs", { headers: { Accept: "application/json" } });
      if (response.status === 401) {
        this.status.textContent = "Signed out: sign in again to see the list of logs.";
        this.onSignedOut();
        return false;
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.logs = (await response.json()).logs || [];
    } catch (error) {
      this.status.textContent = `Could not load the list of logs (${error.message}).`;
      return false;
    }
    this.show();
    return true;
  }

  find(id) {
    return this.logs.find((log) => log.id === id);
  }

  // The logs the search shows, in the order they are drawn (group by group).
  visible() {
    return groupLogs(matchLogs(this.logs, this.search.value)).flatMap((group) => group.logs);
  }

  show() {
    const groups = groupLogs(matchLogs(this.logs, this.search.value));
    const fragment = document.createDocumentFragment();
    let shown = 0;
    for (const group of groups) {
      if (group.label) {
        const heading = document.createElement("li");
        heading.className = "log-group";
        heading.setAttribute("role", "presentation");
        heading.textContent = group.label;
        fragment.appendChild(heading);
      }
      for (const log of group.logs) fragment.appendChild(this.item(log, Boolean(group.label)));
      shown += group.logs.length;
    }
    this.list.replaceChildren(fragment);
    const total = this.logs.length;
    if (total === 0) this.status.textContent = "The catalog has no logs.";
    else if (shown === total) this.status.textContent = `${total} logs`;
    else this.status.textContent = `${shown} of ${total} logs`;
  }

  // grouped: under a heading that names the namespace and kind, so only the name shows.
  item(log, grouped) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "log";
    button.dataset.logId = log.id;
    button.title = `${log.title} (${log.id})`;
    const title = document.createElement("span");
    title.className = "log-title";
    title.textContent = grouped ? shortTitle(log) : log.title;
    const id = document.createElement("span");
    id.className = "log-id";
    id.textContent = log.id;
    if (grouped) {
      button.append(title, id);
    } else {
      const kind = document.createElement("span");
      kind.className = "log-kind";
      kind.textContent = log.kind;
      button.append(title, kind, id);
    }
    button.addEventListener("click", () => this.onPick(log));
    item.appendChild(button);
    return item;
  }

  arrowKeys(event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const buttons = [...this.list.querySelectorAll("button")];
    const at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    event.preventDefault();
    const next = event.key === "ArrowDown" ? at + 1 : at - 1;
    if (next < 0) this.search.focus();
    else buttons[Math.min(next, buttons.length - 1)].focus();
  }
}
