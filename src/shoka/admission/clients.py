"""Who is asking: the client address (behind trusted proxies only), its network group and
the API key it presents."""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable

from .config import Network

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:5678
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _within(address: Address, networks: Iterable[Network]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(
    remote_addr: str, forwarded_for: str | None, trusted_proxies: tuple[Network, ...]
) -> Address | None:
    """The address that opened the connection, unless that is a trusted proxy: then the
    nearest address in X-Forwarded-For that is not a trusted proxy (read right to left, as
    each proxy appends the address it saw). Without trusted proxies the header is ignored."""
    address = parse_address(remote_addr)
    if address is None or not trusted_proxies or not forwarded_for:
        return address
    for hop in reversed(forwarded_for.split(",")):
        if not _within(address, trusted_proxies):
            break
        previous = parse_address(hop)
        if previous is None:  # garbage to the left of our own proxies: stop at what we know
            break
        address = previous
    return address


def network_of(address: Address, ipv4_prefix: int, ipv6_prefix: int) -> Network:
    prefix = ipv4_prefix if address.version == 4 else ipv6_prefix
    return ipaddress.ip_network(f"{address}/{prefix}", strict=False)


def is_allowed(address: Address | None, networks: tuple[Network, ...]) -> bool:
    return address is not None and _within(address, networks)


def key_id(api_key: str) -> str:
    """What a bucket is named after: a digest, so that keys never reach Redis or logs."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:24]
