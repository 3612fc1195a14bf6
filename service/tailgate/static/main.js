// The page: who is signed in, the list of logs, the open panes side by side, the address
// that names them, the keyboard shortcuts and the theme.

import { Account } from "./account.js";
import { formatOpen, parseAt, parseOpen, reconcile } from "./deep-link.js";
import { LogPicker } from "./log-picker.js";
import { Pane } from "./pane.js";
import { fillHelp, installShortcuts } from "./shortcuts.js";
import { applyStoredTheme, toggleTheme } from "./theme.js";

const byId = (id) => document.getElementById(id);

class Page {
  constructor() {
    this.panes = [];
    this.active = null;
    this.container = byId("panes");
    this.template = byId("pane-template");
    this.picker = new LogPicker({
      list: byId("logs"),
      search: byId("log-search"),
      status: byId("status"),
      onPick: (log) => this.open(log),
      onSignedOut: () => this.signedOut(),
    });
    this.account = new Account({
      who: byId("who"),
      signOut: byId("sign-out"),
      signIn: byId("sign-in"),
    });
  }

  async start() {
    applyStoredTheme();
    byId("theme").addEventListener("click", () => toggleTheme());
    byId("help").addEventListener("click", () => this.help());
    byId("reload-logs").addEventListener("click", () => this.picker.load());
    fillHelp(byId("keys-table"));
    installShortcuts(this.actions(), {
      toggle: byId("single-keys"),
      onChange: (enabled) => this.showShortcuts(enabled),
    });
    const state = await this.account.load();
    if (state === "signed out") {
      this.signedOut();
      return; // every tail would be refused: open none until signed in
    }
    window.addEventListener("hashchange", () => this.followAddress());
    await this.picker.load();
    this.followAddress();
  }

  // The server says nobody is signed in (a 401 from the API). With nothing on screen to
  // lose, the browser goes to sign in and comes back to this address; panes that hold
  // lines stay, and the top bar offers "Sign in again" instead (docs/ui.md).
  signedOut() {
    if (this.panes.some((p) => p.holdsEntries())) this.account.showSignedOut();
    else this.account.signIn();
  }

  // Opens a pane for a log ({id, title, kind}); unknown IDs open too, and say so.
  // With `at` ({cursor, back}, from a link), it opens at that line.
  open(log, { updateAddress = true, at = null } = {}) {
    const pane = new Pane(log, {
      container: this.container,
      template: this.template,
      onClose: (p) => this.close(p),
      onActivate: (p) => this.activate(p),
      // A tail closed with 4401: the pane says so; the top bar learns whether the whole
      // session ended (sign-out elsewhere, expiry) and then offers to sign in again.
      onSignedOut: () => this.account.recheck(),
    });
    this.panes.push(pane);
    this.activate(pane);
    this.showEmpty();
    if (at === null) pane.start();
    else pane.history.openAt(at);
    if (updateAddress) this.writeAddress();
    return pane;
  }

  close(pane) {
    const at = this.panes.indexOf(pane);
    if (at < 0) return;
    pane.close();
    this.panes.splice(at, 1);
    if (this.active === pane) this.activate(this.panes[Math.min(at, this.panes.length - 1)]);
    this.showEmpty();
    this.writeAddress();
  }

  activate(pane) {
    if (this.active === pane) return;
    this.active?.node.classList.remove("active");
    this.active = pane || null;
    this.active?.node.classList.add("active");
  }

  showEmpty() {
    byId("empty").hidden = this.panes.length > 0;
  }

  writeAddress() {
    const hash = formatOpen(this.panes.map((p) => p.log.id));
    if (location.hash !== hash && !(hash === "#" && location.hash === "")) {
      history.replaceState(null, "", hash === "#" ? location.pathname + location.search : hash);
    }
  }

  // A link to a line (`&at=`, deep-link.js) opens its log's pane at that line.
  followAddress() {
    const wanted = parseOpen(location.hash);
    let at = parseAt(location.hash);
    const plan = reconcile(
      this.panes.map((p) => p.log.id),
      wanted,
    );
    for (const position of plan.close.reverse()) {
      const pane = this.panes[position];
      pane.close();
      this.panes.splice(position, 1);
    }
    for (const id of plan.open) {
      const log = this.picker.find(id) || { id, title: id, kind: "" };
      this.open(log, { updateAddress: false, at: id === wanted[0] ? at : null });
      if (id === wanted[0]) at = null;
    }
    if (parseAt(location.hash) !== null) this.writeAddress(); // the line was opened
    if (!this.panes.includes(this.active)) this.activate(this.panes[0]);
    this.showEmpty();
  }

  // Whether single-key shortcuts are on shows on the Keys button itself, so that the
  // setting is visible without opening the dialog.
  showShortcuts(enabled) {
    const help = byId("help");
    help.textContent = enabled ? "Keys" : "Keys: off";
    help.title = enabled ? "Keyboard shortcuts (?)" : "Keyboard shortcuts (single keys off)";
    byId("keys-off").hidden = enabled;
    byId("keys-table").closest("table").classList.toggle("off", !enabled);
  }

  help() {
    const dialog = byId("keys");
    if (!dialog.open) dialog.showModal();
  }

  actions() {
    const withPane = (fn) => () => {
      if (this.active) fn(this.active);
    };
    return {
      searchLogs: () => byId("log-search").focus(),
      filter: withPane((p) => p.focusFilter()),
      pause: withPane((p) => p.togglePause()),
      startStop: withPane((p) => (p.connection.running ? p.stop() : p.start())),
      jump: withPane((p) => p.jumpToEnd()),
      wrap: withPane((p) => p.toggleOption("wrap")),
      json: withPane((p) => p.toggleOption("json")),
      volume: withPane((p) => p.toggleOption("volume-on")),
      clear: withPane((p) => p.clear()),
      download: withPane((p) => p.download()),
      older: withPane((p) => p.history.loadOlder()),
      searchHistory: withPane((p) => p.history.search.show()),
      time: withPane((p) => p.el("time").focus()),
      copyLink: withPane((p) => p.history.copyLink()),
      close: withPane((p) => this.close(p)),
      cycle: (key) => {
        if (this.panes.length === 0) return;
        const at = this.panes.indexOf(this.active);
        const step = key === "]" ? 1 : -1;
        const next = this.panes[(at + step + this.panes.length) % this.panes.length];
        this.activate(next);
        next.el("viewport").focus();
      },
      theme: () => toggleTheme(),
      help: () => this.help(),
    };
  }
}

const page = new Page();
page.start();
