"""Where the terminal client keeps sign-ins: per server, private, in the config folder."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tailgate.client.exits import ClientError, Exit
from tailgate.client.store import Credentials, Store, normalize_server, resolve_server


def credentials(server: str) -> Credentials:
    return Credentials(
        server=server,
        issuer="https://id.example.com",
        client_id="cli",
        token_endpoint="https://id.example.com/token",
        access_token="at",
        expires_at=1.0,
        refresh_token="rt",
    )


def test_the_config_folder_follows_xdg_config_home(tmp_path: Path) -> None:
    assert Store.default({"XDG_CONFIG_HOME": str(tmp_path)}).folder == tmp_path / "tailgate"
    # A relative XDG_CONFIG_HOME is invalid by the spec and ignored.
    assert Store.default({"XDG_CONFIG_HOME": "rel"}).folder == Path.home() / ".config/tailgate"


def test_each_server_has_its_own_private_file(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    store = Store(tmp_path / "tailgate")
    store.save(credentials("https://a.example.com"))
    store.save(credentials("https://b.example.com"))
    assert store.load("https://a.example.com") == credentials("https://a.example.com")
    files = sorted((tmp_path / "tailgate" / "servers").glob("*.json"))
    assert len(files) == 2
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
    assert stat.S_IMODE((tmp_path / "tailgate").stat().st_mode) == 0o700
    assert store.last_server() == "https://b.example.com"
    assert store.delete("https://a.example.com")
    assert store.load("https://a.example.com") is None


def test_a_damaged_file_is_no_sign_in(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.save(credentials("https://a.example.com"))
    (path,) = (tmp_path / "servers").glob("*.json")
    path.write_text("{not json")
    assert store.load("https://a.example.com") is None


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("https://Logs.Example.com/", "https://logs.example.com"),
        ("https://tools.example.com/logs/", "https://tools.example.com/logs"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:8080/", "http://localhost:8080"),
    ],
)
def test_server_urls_are_normalized(url: str, normal: str) -> None:
    assert normalize_server(url) == normal


@pytest.mark.parametrize(
    "url",
    [
        "logs.example.com",
        "ftp://logs.example.com",
        "http://logs.example.com",
        "https://user@logs.example.com",
        "https://logs.example.com/?x=1",
    ],
)
def test_bad_server_urls_are_usage_errors(url: str) -> None:
    with pytest.raises(ClientError) as caught:
        normalize_server(url)
    assert caught.value.code is Exit.USAGE


def test_the_server_comes_from_the_flag_the_environment_or_the_last_login(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path)
    env = {"TAILGATE_SERVER": "https://env.example.com"}
    assert resolve_server("https://flag.example.com", env, store) == "https://flag.example.com"
    assert resolve_server(None, env, store) == "https://env.example.com"
    store.remember("https://last.example.com")
    assert resolve_server(None, {}, store) == "https://last.example.com"
