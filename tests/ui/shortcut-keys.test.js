// Which key press asks for which action, and the setting that turns them off.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  SHORTCUTS,
  actionFor,
  enabledFrom,
  storedFrom,
} from "../../service/tailgate/static/shortcut-keys.js";

const press = (key, extra = {}) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  isComposing: false,
  ...extra,
});

test("each shortcut key asks for its action", () => {
  const table = [
    ["n", "searchLogs"],
    ["/", "filter"],
    ["p", "pause"],
    ["s", "startStop"],
    ["c", "clear"],
    ["x", "close"],
    ["[", "cycle"],
    ["]", "cycle"],
    ["?", "help"],
    ["q", null],
    ["Enter", null],
    ["X", null],
  ];
  for (const [key, action] of table) assert.equal(actionFor(press(key)), action, key);
});

test("no key is bound twice", () => {
  const keys = SHORTCUTS.flatMap((s) => s.keys);
  assert.equal(new Set(keys).size, keys.length);
});

test("keys with a modifier, while composing, or typed into a field are left alone", () => {
  for (const extra of [
    { ctrlKey: true },
    { metaKey: true },
    { altKey: true },
    { isComposing: true },
  ]) {
    assert.equal(actionFor(press("x", extra)), null, JSON.stringify(extra));
  }
  assert.equal(actionFor(press("x"), { typing: true }), null);
});

test("with single-key shortcuts off no key does anything, the destructive ones included", () => {
  for (const { keys } of SHORTCUTS) {
    for (const key of keys) assert.equal(actionFor(press(key), { enabled: false }), null, key);
  }
});

test("single-key shortcuts are on until turned off, and the choice round-trips through storage", () => {
  const table = [
    [null, true],
    ["on", true],
    ["off", false],
    ["garbage", true],
  ];
  for (const [stored, enabled] of table) assert.equal(enabledFrom(stored), enabled, String(stored));
  for (const enabled of [true, false]) assert.equal(enabledFrom(storedFrom(enabled)), enabled);
});
