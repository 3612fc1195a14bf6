"""The connection settings, and numbers in settings: ASCII digits only."""

from __future__ import annotations

import pytest

from tailgate.errors import ConfigError
from tailgate.settings import load_settings

BASE = {"TAILGATE_AUTH": "none"}


def test_the_header_timeout_and_connection_cap_come_from_flags_or_the_environment() -> None:
    env = BASE | {"TAILGATE_HEADER_TIMEOUT": "3", "TAILGATE_MAX_CONNECTIONS_PER_CLIENT": "0"}
    settings = load_settings({}, env)
    assert (settings.header_timeout, settings.max_connections_per_client) == (3.0, 0)
    flags = {"header_timeout": "4.5", "max_connections_per_client": "20"}
    settings = load_settings(flags, env)
    assert (settings.header_timeout, settings.max_connections_per_client) == (4.5, 20)


def test_by_default_headers_have_ten_seconds_and_an_address_128_connections() -> None:
    settings = load_settings({}, BASE)
    assert (settings.header_timeout, settings.max_connections_per_client) == (10.0, 128)


@pytest.mark.parametrize("value", ["1_0", "\u0661\u0660", "+10", "1e3", "-1", ""])
def test_a_count_in_anything_but_ascii_digits_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({}, BASE | {"TAILGATE_MAX_CONNECTIONS_PER_CLIENT": value})
    assert any(p.startswith("TAILGATE_MAX_CONNECTIONS_PER_CLIENT:") for p in caught.value.problems)


def test_a_header_timeout_of_zero_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"header_timeout": "0"}, BASE)
    assert any(p.startswith("--header-timeout:") for p in caught.value.problems)
