// Who is signed in (GET api/me), the way out (Sign out) and the way back in (login). Every
// address is relative to the page, which the server serves below its base path.
//
// Sign out links to the server's confirm page (GET /logout), whose form posts the CSRF
// token. This page cannot post that form itself: its Content-Security-Policy
// (`form-action 'self'`) also governs the redirect that follows the POST, which goes on
// to the provider's end-session endpoint on another origin, and its `no-referrer` policy
// makes the browser send `Origin: null`, which the sign-out check refuses.
//
// Signing in again goes to `login?next=<path and #hash>`, so the panes named in the
// address come back afterwards. A page that was sent to sign in moments ago and is still
// not signed in stops there and offers a link instead: a session cookie the browser does
// not keep would otherwise loop between this page and the provider.

import { describeMe, signInUrl } from "./account-info.js";

const STARTED_KEY = "tailgate.signInStarted";
const LOOP_MS = 15000;

export class Account {
  // who: the element naming the user; signOut: the Sign out link; signIn: the Sign in
  // again link (both in the top bar).
  constructor({ who, signOut, signIn }) {
    this.whoEl = who;
    this.signOutEl = signOut;
    this.signInEl = signIn;
    this.checking = null;
    // The address changes as panes open and close: read it when the link is followed.
    signIn.addEventListener("click", () => {
      signIn.href = signInUrl();
    });
  }

  // "signed in", "signed out" or "unknown" (the server could not say).
  async load() {
    let response;
    try {
      response = await fetch("api/me", { headers: { Accept: "application/json" } });
    } catch {
      this.showUnknown("the server cannot be reached");
      return "unknown";
    }
    if (response.status === 401) return "signed out";
    if (!response.ok) {
      this.showUnknown(`HTTP ${response.status}`);
      return "unknown";
    }
    let me;
    try {
      me = await response.json();
    } catch {
      this.showUnknown("an answer this page does not understand");
      return "unknown";
    }
    sessionStorage.removeItem(STARTED_KEY);
    this.show(describeMe(me));
    return "signed in";
  }

  // Asks the server again, once at a time (many panes may be closed at the same moment).
  recheck() {
    if (this.checking === null) {
      this.checking = this.load().then((state) => {
        this.checking = null;
        if (state === "signed out") this.showSignedOut();
        return state;
      });
    }
    return this.checking;
  }

  // Sends the browser to sign in; false when it was sent there moments ago (then the
  // header offers the link instead).
  signIn() {
    const started = Number(sessionStorage.getItem(STARTED_KEY) || 0);
    const now = Date.now();
    if (now - started >= 0 && now - started < LOOP_MS) {
      this.showSignedOut();
      return false;
    }
    sessionStorage.setItem(STARTED_KEY, String(now));
    location.assign(signInUrl());
    return true;
  }

  show({ label, title, signOut }) {
    this.whoEl.textContent = label;
    this.whoEl.title = title;
    this.whoEl.hidden = false;
    this.whoEl.classList.remove("signed-out");
    this.signOutEl.hidden = signOut === null;
    if (signOut !== null) this.signOutEl.href = signOut;
    this.signInEl.hidden = true;
  }

  showSignedOut() {
    this.whoEl.textContent = "Signed out";
    this.whoEl.title = "Your session has ended: sign in again to open or continue tails.";
    this.whoEl.hidden = false;
    this.whoEl.classList.add("signed-out");
    this.signOutEl.hidden = true;
    this.signInEl.href = signInUrl();
    this.signInEl.hidden = false;
  }

  showUnknown(why) {
    this.whoEl.textContent = "?";
    this.whoEl.title = `Could not tell who is signed in (${why}).`;
    this.whoEl.hidden = false;
    this.whoEl.classList.remove("signed-out");
  }
}
