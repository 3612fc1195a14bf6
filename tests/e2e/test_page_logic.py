"""The page's pure parts (colour codes, JSON, filters, close codes, the address), checked
in the browser that runs them, through the modules the page itself imports."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page

from tests.support.tails import running_server

from .ui import SESSION_LOOP, logs_in

pytestmark = SESSION_LOOP

CHECKS = """async () => {
  const ansi = await import("/static/ansi.js");
  const json = await import("/static/json-lines.js");
  const filter = await import("/static/line-filter.js");
  const close = await import("/static/close-codes.js");
  const link = await import("/static/deep-link.js");
  const ring = await import("/static/ring-buffer.js");
  const index = await import("/static/line-index.js");
  const render = await import("/static/row-render.js");

  const buffer = new ring.RingBuffer(3);
  for (const t of ["a", "b", "c", "d"]) buffer.push(ring.KIND_LINE, t);
  const rows = new index.LineIndex();
  rows.append(0, 1); rows.append(1, 3); rows.append(2, 1);
  const rowsBefore = rows.totalRows;
  const dropped = rows.dropBefore(1);

  const f = filter.compileFilter({ text: "a.c", regex: false });
  const re = filter.compileFilter({ text: "a.c", regex: true, invert: true });
  return {
    plain: ansi.parseAnsi("\\x1b[1;32mok\\x1b[0m\\tx\\x07"),
    truecolour: ansi.parseAnsi("\\x1b[38;2;255;0;0mred").runs,
    osc: ansi.plainText("\\x1b]0;title\\x07text\\x1b[2K"),
    pretty: json.prettyJson('{"n": 12345678901234567890, "s": "a,{b}:c", "e": []}'),
    notJson: json.prettyJson("{not json"),
    literal: [f.shows("a.c"), f.shows("abc"), f.ranges("xa.cya.c")],
    inverted: [re.shows("abc"), re.shows("xyz"), re.ranges("abc")],
    badRegex: filter.compileFilter({ text: "(", regex: true }).error !== null,
    sentences: close.CLOSE_CODES.map((code) => [code, close.describeClose(code, "").sentence]),
    retry: close.CLOSE_CODES.filter((code) => close.describeClose(code, "").retry),
    lost: close.describeClose(1006, ""),
    backoff: [0, 1, 2, 10].map((n) => close.backoffDelay(n, 0, () => 0.5)),
    open: link.parseOpen("#open=app,access,,app"),
    plan: link.reconcile(["app", "db", "app"], ["app", "web"]),
    ring: [buffer.first, buffer.total, buffer.text(1), buffer.text(3), buffer.has(0)],
    index: [rowsBefore, dropped, rows.totalRows, rows.locate(0), rows.locate(3), rows.locate(4)],
    segments: render.segments("abcdef", [[0, 3, "fg-1"]], [[2, 4]], 1, 6),
  };
}"""


async def test_the_page_logic_behaves_as_documented(page: Page, tmp_path: Path) -> None:
    logs = logs_in(tmp_path, "app")
    async with running_server(tmp_path, {"app": logs["app"].path}) as server:
        await page.goto(server.base_url)
        got = await page.evaluate(CHECKS)

    assert got["plain"] == {"plain": "ok      x\u2407", "runs": [[0, 2, "fg-2 b"]]}
    assert got["truecolour"] == [[0, 3, "fg-196"]]
    assert got["osc"] == "text"
    assert got["pretty"] == [
        "{",
        '  "n": 12345678901234567890,',
        '  "s": "a,{b}:c",',
        '  "e": []',
        "}",
    ]
    assert got["notJson"] is None
    assert got["literal"] == [True, False, [[1, 4], [5, 8]]]
    assert got["inverted"] == [False, True, []]
    assert got["badRegex"] is True
    sentences = dict(got["sentences"])
    assert sorted(sentences) == [1000, 1001, 1011, 4401, 4403, 4404, 4410, 4429]
    assert all(s.endswith(".") and len(s) > 15 for s in sentences.values()), sentences
    assert got["retry"] == [1001, 1011, 4429]
    assert got["lost"]["retry"] is True
    assert got["backoff"] == [500, 1000, 2000, 15000]
    assert got["open"] == ["app", "access", "app"]
    assert got["plan"] == {"close": [1, 2], "open": ["web"]}
    assert got["ring"] == [1, 4, "b", "d", False]
    assert got["index"] == [5, 1, 4, 0, 1, -1]
    assert got["segments"] == [
        {"text": "b", "cls": "fg-1"},
        {"text": "c", "cls": "fg-1 hl"},
        {"text": "d", "cls": "hl"},
        {"text": "ef", "cls": ""},
    ]
