// What the top bar says about who is signed in (from GET /api/me), and where signing in
// starts. Pure, so that what people read is tested without a page (account.js shows it).

// Where signing in starts, coming back to `where` (the current address by default): the
// server's `login`, next to the page, so below the base path the server is served at.
export function signInUrl(where = location) {
  const next = where.pathname + where.search + where.hash;
  return new URL(`login?${new URLSearchParams({ next })}`, where.href).href;
}

// What the header shows for an /api/me answer: {label, title, signOut (a URL or null)}.
export function describeMe(me) {
  if (me.auth === "none") {
    return {
      label: "sign-in off (local)",
      title:
        "This server runs without sign-in (--auth none): " +
        "whoever can reach it on this machine sees every log.",
      signOut: null,
    };
  }
  const label = me.name || me.email || me.user || me.sub || "signed in";
  let who = `Signed in as ${me.user || label}`;
  if (me.email && me.email !== me.user) who += ` <${me.email}>`;
  const groups = me.groups && me.groups.length ? me.groups.join(", ") : "none";
  const title = [who, `Groups: ${groups}`];
  if (me.via === "bearer") title.push("With an access token");
  if (typeof me.expires_at === "number") {
    title.push(`Session ends ${new Date(me.expires_at * 1000).toLocaleString()}`);
  }
  return { label, title: title.join("\n"), signOut: me.logout ? me.logout.url : null };
}
