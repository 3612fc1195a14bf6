// The list of logs (GET api/logs), narrowed by a search box; choosing one opens a pane.

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

  visible() {
    return matchLogs(this.logs, this.search.value);
  }

  show() {
    const shown = this.visible();
    const items = shown.map((log) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "log";
      button.dataset.logId = log.id;
      button.title = `${log.title} (${log.id})`;
      const title = document.createElement("span");
      title.className = "log-title";
      title.textContent = log.title;
      const kind = document.createElement("span");
      kind.className = "log-kind";
      kind.textContent = log.kind;
      const id = document.createElement("span");
      id.className = "log-id";
      id.textContent = log.id;
      button.append(title, kind, id);
      button.addEventListener("click", () => this.onPick(log));
      item.appendChild(button);
      return item;
    });
    this.list.replaceChildren(...items);
    const total = this.logs.length;
    if (total === 0) this.status.textContent = "The catalog has no logs.";
    else if (shown.length === total) this.status.textContent = `${total} logs`;
    else this.status.textContent = `${shown.length} of ${total} logs`;
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
