// Pretty-printing JSON lines without changing a value.
import assert from "node:assert/strict";
import { test } from "node:test";

import { jsonRuns, looksLikeJson, prettyJson } from "../../service/tailgate/static/json-lines.js";

test("an object is re-indented with its tokens exactly as logged", () => {
  assert.deepEqual(
    prettyJson('{"n": 12345678901234567890, "s": "a,{b}:c", "e": [], "u": "\\u00e9"}'),
    [
      "{",
      '  "n": 12345678901234567890,',
      '  "s": "a,{b}:c",',
      '  "e": [],',
      '  "u": "\\u00e9"',
      "}",
    ],
  );
});

test("nested arrays and objects are indented by depth", () => {
  assert.deepEqual(prettyJson('[1,{"a":[true,null]}]'), [
    "[",
    "  1,",
    "  {",
    '    "a": [',
    "      true,",
    "      null",
    "    ]",
    "  }",
    "]",
  ]);
});

test("what is not a JSON object or array is left alone", () => {
  for (const text of ["{not json", "42", '"string"', "null", "plain text", "[1,", ""]) {
    assert.equal(prettyJson(text), null, text);
  }
});

test("a line looks like JSON when it starts with a brace or bracket after blanks", () => {
  const table = [
    ["{}", true],
    ["  [1]", true],
    ["\t{", true],
    ["x{", false],
    ["", false],
  ];
  for (const [text, looks] of table) assert.equal(looksLikeJson(text), looks, text);
});

test("keys, strings, numbers and literals get their own colours", () => {
  assert.deepEqual(jsonRuns('  "k": "v",'), [
    [2, 5, "json-key"],
    [7, 10, "json-str"],
  ]);
  assert.deepEqual(jsonRuns("  -1.5e3,"), [[2, 8, "json-num"]]);
  assert.deepEqual(jsonRuns("  true, null"), [
    [2, 6, "json-lit"],
    [8, 12, "json-lit"],
  ]);
  assert.deepEqual(jsonRuns('  "a\\"b": 1'), [
    [2, 8, "json-key"],
    [10, 11, "json-num"],
  ]);
});
