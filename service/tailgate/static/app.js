// The small page: list logs, open each as its own live tail, stop it.
// Log text is only ever put into the page as text (textContent), never as HTML.
"use strict";

const MAX_LINES = 5000;

function closeSentence(code, reason) {
  const sentences = {
    1000: "Stopped.",
    1001: "The server is shutting down.",
    1011: "The log could not be read.",
    4401: "Please sign in again.",
    4403: "You may not view this log.",
    4404: "There is no such log.",
    4410: "This log was removed or changed.",
    4429: "Too many tails are open; close one first.",
  };
  return (sentences[code] || `Closed (${code}).`) + (reason ? ` ${reason}` : "");
}

class Pane {
  constructor(log) {
    this.log = log;
    this.ws = null;
    const node = document.getElementById("pane-template").content.firstElementChild.cloneNode(true);
    this.node = node;
    this.lines = node.querySelector(".lines");
    this.badge = node.querySelector(".badge");
    node.querySelector(".title").textContent = log.title;
    node.querySelector(".start").addEventListener("click", () => this.start());
    node.querySelector(".stop").addEventListener("click", () => this.stop());
    document.getElementById("panes").appendChild(node);
    this.setBadge("stopped");
  }

  setBadge(text) { this.badge.textContent = text; }

  append(text, kind) {
    const atEnd = this.lines.scrollTop + this.lines.clientHeight >= this.lines.scrollHeight - 4;
    const span = document.createElement("span");
    if (kind) span.className = kind;
    span.textContent = text + "\n";
    this.lines.appendChild(span);
    while (this.lines.childNodes.length > MAX_LINES) this.lines.removeChild(this.lines.firstChild);
    if (atEnd) this.lines.scrollTop = this.lines.scrollHeight;
  }

  start() {
    if (this.ws) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/tail/${encodeURIComponent(this.log.id)}`);
    this.ws = ws;
    this.setBadge("connecting");
    ws.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "hello") this.setBadge("live");
      else if (frame.type === "lines") this.append(frame.lines.join("\n"));
      else if (frame.type === "notice") this.append(`— ${frame.message}`, "notice");
      else if (frame.type === "error") this.append(`! ${frame.message}`, "error");
    };
    ws.onclose = (event) => {
      if (this.ws === ws) this.ws = null;
      this.setBadge("ended");
      this.append(`— ${closeSentence(event.code, event.reason)}`, "notice");
    };
  }

  stop() {
    if (this.ws) this.ws.close(1000);
  }
}

async function main() {
  const status = document.getElementById("status");
  let logs;
  try {
    const response = await fetch("/api/logs");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    logs = (await response.json()).logs;
  } catch (error) {
    status.textContent = `Could not load the list of logs: ${error.message}`;
    return;
  }
  const list = document.getElementById("logs");
  for (const log of logs) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = `${log.title} (${log.kind})`;
    button.addEventListener("click", () => new Pane(log).start());
    item.appendChild(button);
    list.appendChild(item);
  }
  status.textContent = `${logs.length} logs`;
}

main();
