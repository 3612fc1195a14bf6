// What the top bar says about who is signed in, and where signing in starts.
import assert from "node:assert/strict";
import { test } from "node:test";

import { describeMe, signInUrl } from "../../service/tailgate/static/account-info.js";

const ME = {
  user: "bob",
  groups: ["dev", "staff"],
  auth: "oidc",
  via: "session",
  sub: "b-1",
  name: null,
  email: "bob@example.com",
  expires_at: 1767225600,
  logout: { url: "http://127.0.0.1/logout", csrf: "t" },
};

test("the top bar names the user by name, else e-mail, else user name", () => {
  const table = [
    [{ ...ME, name: "Bob Builder" }, "Bob Builder"],
    [ME, "bob@example.com"],
    [{ ...ME, email: null }, "bob"],
    [{ ...ME, email: null, user: null }, "b-1"],
  ];
  for (const [me, label] of table) assert.equal(describeMe(me).label, label);
});

test("hovering shows the user name, e-mail address, groups and when the session ends", () => {
  const { title, signOut } = describeMe({ ...ME, name: "Bob Builder" });
  const lines = title.split("\n");
  assert.deepEqual(lines.slice(0, 2), ["Signed in as bob <bob@example.com>", "Groups: dev, staff"]);
  assert.match(lines[2], /^Session ends /);
  assert.equal(signOut, "http://127.0.0.1/logout");
});

test("a user signed in with an access token has no Sign out", () => {
  const { title, signOut } = describeMe({ ...ME, via: "bearer", logout: undefined, groups: [] });
  assert.equal(signOut, null);
  assert.match(title, /Groups: none\nWith an access token/);
});

test("without sign-in the top bar says so and offers no Sign out", () => {
  const { label, signOut } = describeMe({ auth: "none" });
  assert.equal(label, "sign-in off (local)");
  assert.equal(signOut, null);
});

test("signing in comes back to the same address, panes and all", () => {
  const url = signInUrl(new URL("http://127.0.0.1:8080/?x=1#open=a,b"));
  assert.equal(url, "http://127.0.0.1:8080/login?next=%2F%3Fx%3D1%23open%3Da%2Cb");
  assert.equal(new URL(url).searchParams.get("next"), "/?x=1#open=a,b");
});

test("below a base path, signing in starts there and comes back there", () => {
  const url = signInUrl(new URL("https://tools.example.com/logs/?x=1#open=a"));
  assert.equal(url, "https://tools.example.com/logs/login?next=%2Flogs%2F%3Fx%3D1%23open%3Da");
  assert.equal(new URL(url).searchParams.get("next"), "/logs/?x=1#open=a");
});
