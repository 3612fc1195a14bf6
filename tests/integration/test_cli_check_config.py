"""``tailgate check-config PATH``: an operator's way to validate a catalog before it ships."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.processes import run_tailgate
from tests.unit.test_catalog_file_reading import fifo_at
from tests.unit.test_catalog_yaml_document import alias_bomb

INVALID_CATALOG = """\
logs:
  - id: app
    file: /var/log/app.log
  - id: app
    file: /var/log/other.log
  - id: Bad ID!
    file: /var/log/bad.log
  - id: nofile
  - id: relative
    file: var/log/relative.log
  - id: extra
    file: /var/log/extra.log
    colour: red
"""


def test_a_valid_catalog_exits_0_and_names_its_logs(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "logs:\n"
        "  - id: app\n    title: Application\n    file: /var/log/app.log\n"
        "  - id: access\n    file: /var/log/access.log\n    follow: poll\n"
    )
    result = run_tailgate("check-config", str(catalog))
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout
    assert "app" in result.stdout and "access" in result.stdout
    assert result.stderr == ""


def test_the_short_form_mapping_ids_to_paths_is_valid(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text('logs: {"1": /var/log/one.log, "2": /var/log/two.log}\n')
    result = run_tailgate("check-config", str(catalog))
    assert result.returncode == 0, result.stderr
    assert "2 log(s)" in result.stdout


def test_an_invalid_catalog_exits_1_listing_every_problem_with_its_line(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(INVALID_CATALOG)
    result = run_tailgate("check-config", str(catalog))
    assert result.returncode == 1
    problems = [line.strip() for line in result.stderr.splitlines()[1:]]
    expected = [
        (4, "duplicate id 'app'"),
        (6, "invalid id 'Bad ID!'"),
        (8, "missing 'file'"),
        (10, "must be an absolute path"),
        (13, "unknown key 'colour'"),
    ]
    assert len(problems) == len(expected), result.stderr
    for problem, (line, words) in zip(problems, expected, strict=True):
        assert problem.startswith(f"{catalog}:{line}: "), problem
        assert words in problem, problem
    assert "5 problem(s)" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_yaml_exits_1_naming_the_line(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("logs:\n  - id: app\n    file: [/var/log/app.log\n")
    result = run_tailgate("check-config", str(catalog))
    assert result.returncode == 1
    assert f"{catalog}:4: not valid YAML" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_file_exits_1_saying_it_cannot_be_read(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = run_tailgate("check-config", str(missing))
    assert result.returncode == 1
    assert f"{missing}: cannot read" in result.stderr
    assert "No such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreadable_path_exits_1_saying_it_cannot_be_read(tmp_path: Path) -> None:
    # A folder is unreadable as a file even for root, unlike a chmod 000 file.
    result = run_tailgate("check-config", str(tmp_path))
    assert result.returncode == 1
    assert f"{tmp_path}: cannot read" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_that_is_not_utf8_exits_1_saying_it_cannot_be_read(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_bytes(b"logs:\n  - id: app\n    file: /var/log/\xff.log\n")
    result = run_tailgate("check-config", str(catalog))
    assert result.returncode == 1
    assert f"{catalog}: cannot read" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_catalog_exits_1_asking_for_logs(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("")
    result = run_tailgate("check-config", str(catalog))
    assert result.returncode == 1
    assert "'logs'" in result.stderr


def test_an_alias_bomb_is_refused_at_once_naming_the_line_of_the_first_alias(
    tmp_path: Path,
) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(alias_bomb(9))
    assert catalog.stat().st_size < 400
    result = run_tailgate("check-config", str(catalog))
    assert result.returncode == 1
    assert f"{catalog}:2: the alias *a is not allowed" in result.stderr
    assert "Traceback" not in result.stderr


def test_deep_nesting_is_refused_without_a_traceback(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("logs: " + "[" * 50_000 + "]" * 50_000 + "\n")
    result = run_tailgate("check-config", str(catalog))
    assert result.returncode == 1
    assert f"{catalog}:1: nested more than 20 levels deep" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("log_id", [".", ".."])
def test_an_id_that_cannot_be_reached_in_a_url_is_refused(tmp_path: Path, log_id: str) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(f'logs:\n  - id: "{log_id}"\n    file: /var/log/app.log\n')
    result = run_tailgate("check-config", str(catalog))
    assert result.returncode == 1
    assert f"invalid id {log_id!r}" in result.stderr


def test_a_fifo_exits_1_at_once_saying_it_is_not_a_regular_file(tmp_path: Path) -> None:
    with fifo_at(tmp_path / "catalog.yaml") as fifo:
        result = run_tailgate("check-config", str(fifo))
    assert result.returncode == 1
    assert f"{fifo}: cannot read: not a regular file (a FIFO)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_catalog_file_over_8_mib_exits_1_unread(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    with catalog.open("wb") as f:
        f.write(b"logs: []\n")
        f.truncate(4 * 1024**3)
    result = run_tailgate("check-config", str(catalog))
    assert result.returncode == 1
    assert f"{catalog}: cannot read: larger than 8 MiB" in result.stderr


def test_discover_rules_are_checked_and_counted(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("discover:\n  - namespaces: [shop]\n  - namespaceSelector: 'a=b'\n")
    result = run_tailgate("check-config", str(catalog))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(
        "valid, 0 log(s); 2 discover rule(s), whose workloads are found when serving"
    )
    catalog.write_text("discover:\n  - namespaces: [shop]\n    id: '{namespace}'\n")
    result = run_tailgate("check-config", str(catalog))
    assert result.returncode == 1
    assert "discover[0].id: needs {name}" in result.stderr
