"""Client addresses behind proxies, and network groups."""

from __future__ import annotations

import ipaddress

from shoka.admission.clients import client_address, network_of, parse_address

TRUSTED = (ipaddress.ip_network("10.0.0.0/8"),)


def test_forwarded_for_is_ignored_without_trusted_proxies():
    assert str(client_address("192.0.2.7", "198.51.100.1", ())) == "192.0.2.7"


def test_forwarded_for_is_ignored_from_an_untrusted_peer():
    assert str(client_address("192.0.2.7", "198.51.100.1", TRUSTED)) == "192.0.2.7"


def test_the_nearest_untrusted_hop_is_the_client():
    # The client forged the first entry; our proxies (10.x) appended the rest.
    xff = "203.0.113.9, 198.51.100.1, 10.0.0.2"
    assert str(client_address("10.0.0.1", xff, TRUSTED)) == "198.51.100.1"


def test_garbage_in_forwarded_for_stops_at_the_last_known_address():
    assert str(client_address("10.0.0.1", "not-an-ip", TRUSTED)) == "10.0.0.1"
    assert client_address("", None, ()) is None


def test_ports_brackets_and_ipv4_mapped_addresses():
    assert str(parse_address("192.0.2.1:5678")) == "192.0.2.1"
    assert str(parse_address("[2001:db8::1]:443")) == "2001:db8::1"
    assert str(parse_address("::ffff:192.0.2.1")) == "192.0.2.1"


def test_network_groups():
    v4 = parse_address("192.0.2.200")
    v6 = parse_address("2001:db8:1:ff::1")
    assert v4 is not None and v6 is not None
    assert str(network_of(v4, 24, 56)) == "192.0.2.0/24"
    assert str(network_of(v6, 24, 56)) == "2001:db8:1::/56"
    assert str(network_of(v6, 24, 64)) == "2001:db8:1:ff::/64"
