// What each way a tail can end means for the person watching it (docs/protocol.md).
//
// Every close code becomes a badge state, a sentence, and whether reconnecting can help.
// Reconnecting cannot help when the tail was stopped, the log is unknown or gone, or the
// person may not see it; everything else (server restart, network drop, overload) is
// retried with backoff.

const CODES = {
  1000: { state: "ended", retry: false, sentence: "The tail has ended." },
  1001: {
    state: "reconnecting",
    retry: true,
    sentence: "The server is shutting down or restarting.",
  },
  1011: {
    state: "reconnecting",
    retry: true,
    sentence: "The server could not read this log any more.",
  },
  1013: {
    state: "reconnecting",
    retry: true,
    sentence: "The server is checking your sign-in with the identity provider.",
  },
  4401: {
    state: "signed out",
    retry: false,
    sentence: "You are not signed in, or your session has ended.",
  },
  4403: { state: "forbidden", retry: false, sentence: "You are not allowed to view this log." },
  4404: {
    state: "unknown log",
    retry: false,
    sentence: "There is no log with this ID: it may have been removed from the catalog.",
  },
  4410: {
    state: "ended",
    retry: false,
    sentence:
      "This log was removed from the catalog or now names another source: " +
      "open it again from the list.",
  },
  4429: {
    state: "reconnecting",
    retry: true,
    minDelay: 5000,
    sentence: "Too many tails are open, by you or on the whole server: close some panes.",
  },
};

const LOST = {
  state: "reconnecting",
  retry: true,
  sentence: "The connection to the server was lost.",
};

export const CLOSE_CODES = Object.keys(CODES).map(Number);

// {state, retry, minDelay, sentence} for a close code and the server's reason text.
export function describeClose(code, reason) {
  let base = CODES[code];
  if (!base && code !== 1005 && code !== 1006) {
    base = { ...LOST, sentence: `The connection closed (code ${code}).` };
  }
  base = base || LOST;
  let sentence = base.sentence;
  if (reason && code !== 1006) sentence += ` (${reason})`;
  return { minDelay: 0, ...base, sentence };
}

// Milliseconds to wait before reconnect attempt `attempt` (0, 1, ...): doubling from half a
// second up to 15 s, with some jitter so that many panes do not come back all at once.
export function backoffDelay(attempt, minDelay = 0, random = Math.random) {
  const base = Math.min(15000, 500 * 2 ** attempt);
  const jittered = base * (0.8 + 0.4 * random());
  return Math.round(Math.max(minDelay, jittered));
}
