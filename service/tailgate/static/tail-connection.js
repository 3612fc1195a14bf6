// One live tail: the WebSocket to ws/tail/{id} next to the page, kept alive across drops and
// restarts.
//
// The connection remembers the cursor of the last lines frame. After a drop it reconnects
// with `?cursor=<last>&backlog=0`, so the server continues right after the last line this
// page received: nothing lost, nothing twice. Whether to reconnect at all follows the close
// code (close-codes.js). Frames are handed to the owner as they come; the connection knows
// nothing about rendering.
//
// `restart` starts it again somewhere else: right after a cursor (a search match, a
// link) or at a time (`since`, until the first lines frame gives a cursor).

import { backoffDelay, describeClose } from "./close-codes.js";
import { filterKey } from "./source-filter.js";
import { tailUrl } from "./tail-url.js";

// Connected this long, a connection counts as healthy: the next drop starts backoff afresh.
const HEALTHY_MS = 5000;

export class TailConnection {
  // handlers: {state(state, sentence), hello(frame), lines(lines, frame), notice(frame), error(frame),
  //            remark(text)}; every one is optional.
  constructor(logId, { backlog = null, handlers = {} } = {}) {
    this.logId = logId;
    this.backlog = backlog;
    this.handlers = handlers;
    this.ws = null;
    this.cursor = null;
    this.since = null;
    this.filter = null; // what the server filters (source-filter.js), or null
    this.filterSent = null; // the filter of the connection open now
    this.state = "idle";
    this.attempt = 0;
    this.timer = null;
    this.serverPaused = false;
    this.openedAt = 0;
    this.helloSeen = false; // since the last start(): a later hello is a reconnection
    this.onOnline = () => this.retryNow();
  }

  get running() {
    return this.ws !== null || this.timer !== null;
  }

  url() {
    const { cursor, since, backlog, filter } = this;
    this.filterSent = filter;
    return tailUrl(location, this.logId, { cursor, since, backlog, filter });
  }

  // The server filters from now on: a running tail reopens right after the last line
  // (or skipped count) it received, with the new filter: nothing missed, nothing twice.
  setFilter(params) {
    if (filterKey(params) === filterKey(this.filter)) return;
    this.filter = params;
    if (this.running) this.restart({ cursor: this.cursor, since: this.since });
  }

  // Closes the tail (if open) and opens it again after `cursor`, or at `since`.
  restart({ cursor = null, since = null } = {}) {
    this.cancelTimer();
    const ws = this.ws;
    this.ws = null;
    this.serverPaused = false;
    if (ws !== null) ws.close(1000, "moved");
    this.cursor = cursor;
    this.since = cursor === null ? since : null;
    this.start();
  }

  start() {
    if (this.running) return;
    this.attempt = 0;
    this.helloSeen = false;
    window.addEventListener("online", this.onOnline);
    this.connect();
  }

  stop() {
    this.cancelTimer();
    window.removeEventListener("online", this.onOnline);
    const ws = this.ws;
    this.ws = null;
    this.serverPaused = false;
    if (ws !== null) ws.close(1000, "stopped");
    this.setState("ended", "Stopped.");
  }

  // Asks the server to stop reading for this tail (the file keeps the lines).
  pause() {
    this.serverPaused = true;
    this.send({ type: "pause" });
  }

  resume() {
    if (!this.serverPaused) return;
    this.serverPaused = false;
    this.send({ type: "resume" });
  }

  send(message) {
    if (this.ws !== null && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(message));
    }
  }

  connect() {
    this.timer = null;
    if (this.attempt === 0) this.setState("connecting", "Connecting…");
    else this.setState("reconnecting", "Reconnecting…");
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch (error) {
      this.setState("ended", `Cannot open the tail: ${error.message}`);
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.openedAt = performance.now();
    };
    ws.onmessage = (event) => {
      if (this.ws === ws) this.receive(event.data);
    };
    ws.onclose = (event) => {
      if (this.ws === ws) this.closed(event);
    };
  }

  receive(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      this.emit("remark", "The server sent a frame this page does not understand.");
      return;
    }
    switch (frame.type) {
      case "hello": {
        // Backoff starts afresh only once a connection has lasted (see closed()), so a
        // server that accepts and then drops at once is not hammered.
        const again = this.helloSeen;
        this.helloSeen = true;
        if (this.serverPaused) this.send({ type: "pause" });
        const sentence = again ? "Reconnected: continuing after the last line received." : "Live.";
        this.setState("live", sentence);
        this.emit("hello", frame, again);
        break;
      }
      case "lines":
        if (Array.isArray(frame.lines)) this.emit("lines", frame.lines, frame);
        if (typeof frame.cursor === "string") {
          this.cursor = frame.cursor;
          this.since = null;
        }
        break;
      case "skipped":
        // Lines the server's filter left out: a reconnection goes on after them.
        if (typeof frame.cursor === "string") {
          this.cursor = frame.cursor;
          this.since = null;
        }
        if (Number.isInteger(frame.lines)) this.emit("skipped", frame.lines);
        break;
      case "notice":
        this.emit("notice", frame);
        break;
      case "error":
        this.emit("error", frame);
        break;
      default:
        break;
    }
  }

  closed(event) {
    this.ws = null;
    if (event.code === 4400 && this.filterSent !== null) {
      // The server cannot apply this filter: the page filters alone, and the tail goes on.
      this.emit("filterRefused", this.filterSent, event.reason || "");
      this.filter = null;
      this.connect();
      return;
    }
    const wasHealthy = this.openedAt > 0 && performance.now() - this.openedAt > HEALTHY_MS;
    this.openedAt = 0;
    if (wasHealthy) this.attempt = 0;
    const outcome = describeClose(event.code, event.reason);
    if (!outcome.retry) {
      window.removeEventListener("online", this.onOnline);
      this.setState(outcome.state, outcome.sentence);
      return;
    }
    const delay = backoffDelay(this.attempt, outcome.minDelay);
    this.attempt++;
    const seconds = Math.max(1, Math.round(delay / 1000));
    this.setState("reconnecting", `${outcome.sentence} Reconnecting in ${seconds} s…`);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  retryNow() {
    if (this.timer === null) return;
    this.cancelTimer();
    this.connect();
  }

  cancelTimer() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  setState(state, sentence) {
    this.state = state;
    this.emit("state", state, sentence);
  }

  emit(name, ...args) {
    const handler = this.handlers[name];
    if (handler) handler(...args);
  }
}
