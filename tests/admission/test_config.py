"""The admission policy: defaults, the library's TOML file, SHOKA_OPAC_* variables, and a
clear error for every bad value."""

from __future__ import annotations

import ipaddress

import pytest

from shoka.admission.config import AdmissionConfigError, Policy, load

KEY = "calil-0123456789abcdef"


def test_defaults_when_there_is_no_file(tmp_path):
    policy = load({}, tmp_path / "missing.toml")
    assert policy == Policy()
    assert policy.trusted_proxies == ()  # X-Forwarded-For is never trusted by default
    assert policy.storage == "memory://"


def test_file_then_environment(tmp_path):
    path = tmp_path / "opac-admission.toml"
    path.write_text(
        f"""
[limits]
per_client = "5/second;100/minute"
ipv4_prefix = 22
max_concurrent = 6
storage = "redis://127.0.0.1:6379/0"

[proxy]
trusted_proxies = ["10.0.0.1", "10.1.0.0/16"]

[allow]
networks = ["203.0.113.0/24"]
api_keys = ["{KEY}"]
""",
        encoding="utf-8",
    )
    policy = load({"SHOKA_OPAC_MAX_CONCURRENT": "3"}, path)
    assert [str(item) for item in policy.per_client_items] == ["5 per 1 second", "100 per 1 minute"]
    assert policy.ipv4_prefix == 22
    assert policy.max_concurrent == 3  # the environment wins over the file
    assert policy.storage == "redis://127.0.0.1:6379/0"
    assert policy.trusted_proxies == (
        ipaddress.ip_network("10.0.0.1/32"),
        ipaddress.ip_network("10.1.0.0/16"),
    )
    assert policy.allow_networks == (ipaddress.ip_network("203.0.113.0/24"),)
    assert policy.allow_api_keys == {KEY}


def test_environment_lists_are_comma_or_space_separated():
    policy = load({"SHOKA_OPAC_ALLOW_NETWORKS": "192.0.2.0/24, 2001:db8::/48"})
    assert [str(n) for n in policy.allow_networks] == ["192.0.2.0/24", "2001:db8::/48"]


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        ({"SHOKA_OPAC_PER_CLIENT": "lots"}, "per_client"),
        ({"SHOKA_OPAC_PER_CLIENT": "10 per fortnight"}, "per_client"),
        ({"SHOKA_OPAC_MAX_CONCURRENT": "many"}, "max_concurrent"),
        ({"SHOKA_OPAC_MAX_CONCURRENT": "-1"}, "max_concurrent"),
        ({"SHOKA_OPAC_IPV4_PREFIX": "33"}, "ipv4_prefix"),
        ({"SHOKA_OPAC_TRUSTED_PROXIES": "proxy.example"}, "trusted_proxies"),
        ({"SHOKA_OPAC_ALLOW_API_KEYS": "short"}, "allow_api_keys"),
        ({"SHOKA_OPAC_STORAGE": "memcached://x"}, "storage"),
        ({"SHOKA_OPAC_API_PREFIXES": "api"}, "api_prefixes"),
        ({"SHOKA_OPAC_PER_CLIENT_CONCURRENT": "-2"}, "per_client_concurrent"),
        ({"SHOKA_SERVER_PROCESSES": "0"}, "SHOKA_SERVER_PROCESSES"),
        ({"SHOKA_SERVER_PROCESSES": "two"}, "SHOKA_SERVER_PROCESSES"),
    ],
)
def test_bad_values_are_refused_with_the_setting_named(environ, names):
    with pytest.raises(AdmissionConfigError, match=names):
        load(environ)


def test_the_server_processes_come_from_the_serve_command():
    assert load({}).processes == 1
    assert load({"SHOKA_SERVER_PROCESSES": "2"}).processes == 2
    assert load({"SHOKA_OPAC_PER_CLIENT_CONCURRENT": "0"}).per_client_concurrent == 0


def test_a_broken_or_unknown_file_names_the_problem(tmp_path):
    path = tmp_path / "opac-admission.toml"
    path.write_text("[limits\nper_client = ", encoding="utf-8")
    with pytest.raises(AdmissionConfigError, match="not a valid TOML"):
        load({}, path)
    path.write_text('[limits]\nper_clinet = "1/second"\n', encoding="utf-8")
    with pytest.raises(AdmissionConfigError, match="per_clinet"):
        load({}, path)
