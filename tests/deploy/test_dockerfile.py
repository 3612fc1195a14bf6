"""The Dockerfile, read statically (there is no Docker engine here): a pinned slim base,
runtime dependencies only, a numeric non-root user, nothing written outside /tmp, no
installer or cache left behind, and a build context that holds only what it copies."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import tomllib
from dataclasses import dataclass, field

import pytest
import yaml

from .chart import CHART, ROOT

DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse() -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the stages, with continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "FROM":
            words = rest.split()
            base = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args[m[1] or m[2]], words[0])
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base, name))
        elif not stages and keyword == "ARG":
            key, _, value = rest.partition("=")
            args[key] = value
        elif stages:
            stages[-1].instructions.append((keyword, rest))
    return args, stages


def final() -> Stage:
    return parse()[1][-1]


def env_of(stage: Stage) -> dict[str, str]:
    env = {}
    for args in stage.all("ENV"):
        for word in shlex.split(args):
            key, _, value = word.partition("=")
            env[key] = value
    return env


def test_every_base_image_is_a_slim_python_pinned_to_a_full_version() -> None:
    _, stages = parse()
    assert len(stages) >= 2, "a build stage and a runtime stage"
    for stage in stages:
        if stage.base in {s.name for s in stages}:
            continue
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", stage.base)
        assert "latest" not in stage.base


def test_the_image_runs_as_a_numeric_non_root_user_the_chart_also_uses() -> None:
    users = final().all("USER")
    assert users, "no USER: the image would run as root"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit() and int(uid) != 0
    assert not gid or (gid.isdigit() and int(gid) != 0)
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    assert values["securityContext"]["runAsUser"] == int(uid)
    assert values["podSecurityContext"]["runAsUser"] == int(uid)


def test_the_image_works_on_a_read_only_root_filesystem() -> None:
    env = env_of(final())
    assert env["PYTHONDONTWRITEBYTECODE"] == "1", "Python would try to write .pyc files"
    assert env.get("TMPDIR", "/tmp") == "/tmp"
    assert "VOLUME" not in {kw for kw, _ in final().instructions}


def test_only_runtime_dependencies_are_installed_from_the_pinned_constraints() -> None:
    _, stages = parse()
    installs = [
        args for stage in stages for args in stage.all("RUN") if re.search(r"pip\b.*install", args)
    ]
    installs = [a for a in installs if "uninstall" not in a]
    assert installs, "the package is never installed"
    for command in installs:
        assert "-c constraints.txt" in command
        assert "--no-cache-dir" in command
        assert "[test]" not in command and ".[" not in command, "test extras in the image"


def test_the_final_stage_builds_nothing_and_keeps_no_installer_or_cache() -> None:
    runs = " ".join(final().all("RUN"))
    for tool in ("apt-get install", "gcc", "build-essential", "pip install"):
        assert tool not in runs, f"{tool} in the runtime stage"
    assert re.search(r"pip uninstall .*\bpip\b", runs), "pip itself is left in the image"
    copies = final().all("COPY")
    assert copies and all(c.startswith("--from=") for c in copies), "only built results copied"


def test_the_entrypoint_is_tailgate_serve_in_exec_form() -> None:
    (entrypoint,) = final().all("ENTRYPOINT")
    assert json.loads(entrypoint) == ["tailgate", "serve"]


def test_the_image_listens_on_all_addresses_at_the_ports_the_chart_expects() -> None:
    env = env_of(final())
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    assert env["TAILGATE_HOST"] == "0.0.0.0"
    assert int(env["TAILGATE_PORT"]) == values["config"]["port"]
    assert int(env["TAILGATE_METRICS_PORT"]) == values["config"]["metricsPort"]
    exposed = {int(p) for args in final().all("EXPOSE") for p in args.split()}
    assert exposed == {values["config"]["port"], values["config"]["metricsPort"]}


def test_the_image_carries_oci_labels() -> None:
    labels = " ".join(final().all("LABEL"))
    for key in ("title", "description", "licenses", "version", "revision", "base.name"):
        assert f"org.opencontainers.image.{key}=" in labels


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's .dockerignore rule: the last matching pattern wins; `!` re-includes."""
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.removeprefix("!").rstrip("/")
        pattern = pattern.removeprefix("**/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatchcase(p, pattern) for p in prefixes) or any(
            fnmatch.fnmatchcase(part, pattern) for part in parts
        ):
            ignored = not negate
    return ignored


@pytest.fixture
def ignore_patterns() -> list[str]:
    return [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]


def test_the_build_context_holds_what_the_dockerfile_copies_and_no_more(
    ignore_patterns: list[str],
) -> None:
    _, stages = parse()
    copied = [
        word
        for stage in stages
        for args in stage.all("COPY")
        if not args.startswith("--from=")
        for word in args.split()[:-1]
    ]
    for source in copied:
        assert not _ignored(source, ignore_patterns), f"{source} is copied but ignored"
    for path in (
        ".venv/bin/python",
        "tests/deploy/chart.py",
        "helm/tailgate/Chart.yaml",
        ".git/HEAD",
        ".tools/helm4/helm",
        "service/tailgate/__pycache__/x.pyc",
    ):
        assert _ignored(path, ignore_patterns), f"{path} would be sent to the builder"


def test_the_files_the_package_build_reads_are_copied() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    _, stages = parse()
    copied = {word for s in stages for a in s.all("COPY") for word in a.split()[:-1]}
    assert project["readme"] in copied, "setuptools reads the readme for the metadata"
    assert {"pyproject.toml", "constraints.txt"} <= copied
