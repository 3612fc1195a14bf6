// What each way a tail ends means for the person watching (docs/ui.md, "When the
// connection ends").
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  CLOSE_CODES,
  backoffDelay,
  describeClose,
} from "../../service/tailgate/static/close-codes.js";

test("every close code has the badge and retry of the table in docs/ui.md", () => {
  const table = [
    [1000, "ended", false],
    [1001, "reconnecting", true],
    [1011, "reconnecting", true],
    [1013, "reconnecting", true],
    [4401, "signed out", false],
    [4403, "forbidden", false],
    [4404, "unknown log", false],
    [4410, "ended", false],
    [4429, "reconnecting", true],
    [1006, "reconnecting", true],
    [1005, "reconnecting", true],
    [4999, "reconnecting", true],
  ];
  for (const [code, state, retry] of table) {
    const outcome = describeClose(code, "");
    assert.deepEqual([outcome.state, outcome.retry], [state, retry], `code ${code}`);
  }
  assert.deepEqual(CLOSE_CODES, [1000, 1001, 1011, 1013, 4401, 4403, 4404, 4410, 4429]);
});

test("every known code says what happened in a whole sentence", () => {
  for (const code of CLOSE_CODES) {
    const { sentence } = describeClose(code, "");
    assert.match(sentence, /^[A-Z].{15,}\.$/, `code ${code}`);
  }
  assert.equal(describeClose(1006, "").sentence, "The connection to the server was lost.");
  assert.equal(describeClose(4999, "").sentence, "The connection closed (code 4999).");
});

test("the server's reason follows the sentence, except for a dropped connection", () => {
  assert.equal(
    describeClose(1011, "disk gone").sentence,
    "The server could not read this log any more. (disk gone)",
  );
  assert.equal(describeClose(1006, "ignored").sentence, "The connection to the server was lost.");
});

test("too many tails waits at least five seconds before trying again", () => {
  assert.equal(describeClose(4429, "").minDelay, 5000);
  assert.equal(describeClose(1001, "").minDelay, 0);
  assert.equal(
    backoffDelay(0, 5000, () => 0.5),
    5000,
  );
});

test("backoff doubles from half a second up to 15 s", () => {
  const middle = () => 0.5;
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, 0, middle)),
    [500, 1000, 2000, 4000, 8000, 15000, 15000],
  );
});

test("backoff varies by a fifth either way, so that panes do not come back together", () => {
  assert.equal(
    backoffDelay(1, 0, () => 0),
    800,
  );
  assert.equal(
    backoffDelay(1, 0, () => 1),
    1200,
  );
});
