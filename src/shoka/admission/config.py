"""The admission policy: defaults, then the library's file (TOML), then SHOKA_OPAC_* variables.

Everything a library may want to change without programming is here; a bad value stops the
site at start-up with a message naming the setting, never halfway through a request.
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from limits import RateLimitItem, parse_many

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# A polite crawler (one request per second, 60 a minute) stays far below both windows:
# ten times under the minute limit, twenty times under the second limit.
DEFAULT_PER_CLIENT = "20/second;600/minute"
DEFAULT_PER_API_KEY = "50/second;3000/minute"


class AdmissionConfigError(ValueError):
    """A setting in the file or the environment that cannot be used; the message names it."""


@dataclass(frozen=True)
class Policy:
    per_client: str = DEFAULT_PER_CLIENT
    per_api_key: str = DEFAULT_PER_API_KEY
    ipv4_prefix: int = 24
    ipv6_prefix: int = 56
    # Requests one process runs at once; the next waits at most concurrency_wait for a slot
    # and is then refused with 503. 0: no cap.
    max_concurrent: int = 4
    # Requests of one client (network or API key) one process runs at once; the next is
    # refused with 429 at once (shoka.admission.inflight). 0: no limit.
    per_client_concurrent: int = 2
    # How long a request may wait for a free slot before it is refused (seconds; 0: none).
    # A short wait absorbs the bursts of ordinary traffic (keep-alive connections do not
    # spread evenly over the worker processes) without letting a queue build up.
    concurrency_wait: float = 0.05
    busy_retry_after: int = 2
    storage: str = "memory://"
    trusted_proxies: tuple[Network, ...] = ()
    allow_networks: tuple[Network, ...] = ()
    allow_api_keys: frozenset[str] = frozenset()
    api_keys: frozenset[str] = frozenset()
    api_prefixes: tuple[str, ...] = ("/api/",)
    enabled: bool = True
    # Server processes of the site (gunicorn's workers; SHOKA_SERVER_PROCESSES, which
    # `shoka serve` sets): counting in memory, each allows its share of the rates.
    processes: int = 1
    per_client_items: tuple[RateLimitItem, ...] = field(default=(), compare=False)
    per_api_key_items: tuple[RateLimitItem, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "per_client_items", _rates("per_client", self.per_client))
        object.__setattr__(self, "per_api_key_items", _rates("per_api_key", self.per_api_key))
        if not 8 <= self.ipv4_prefix <= 32:
            raise AdmissionConfigError(f"ipv4_prefix must be 8..32, not {self.ipv4_prefix}")
        if not 16 <= self.ipv6_prefix <= 128:
            raise AdmissionConfigError(f"ipv6_prefix must be 16..128, not {self.ipv6_prefix}")
        if self.per_client_concurrent < 0:
            raise AdmissionConfigError("per_client_concurrent must be 0 (no limit) or more")
        if self.max_concurrent < 0:
            raise AdmissionConfigError("max_concurrent must be 0 (no cap) or more")
        if self.concurrency_wait < 0 or self.busy_retry_after < 1:
            raise AdmissionConfigError(
                "concurrency_wait must be 0 or more and busy_retry_after at least 1"
            )
        if not self.storage.startswith(("memory://", "redis://", "rediss://", "redis+unix://")):
            raise AdmissionConfigError(
                f"storage must be memory:// or a redis:// URL, not {self.storage!r}"
            )


def _rates(name: str, text: str) -> tuple[RateLimitItem, ...]:
    try:
        items = tuple(parse_many(text))
    except ValueError:
        items = ()
    if not items:
        raise AdmissionConfigError(
            f"{name}: {text!r} is not a list of rates like '20/second;600/minute'"
        )
    return items


def _networks(name: str, values: Any) -> tuple[Network, ...]:
    if isinstance(values, str):
        values = [v for v in values.replace(",", " ").split() if v]
    if not isinstance(values, list):
        raise AdmissionConfigError(f"{name} must be a list of addresses or networks (CIDR)")
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            raise AdmissionConfigError(f"{name}: {value!r} is not an address or network") from None
    return tuple(out)


def _keys(name: str, values: Any) -> frozenset[str]:
    if isinstance(values, str):
        values = [v for v in values.replace(",", " ").split() if v]
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise AdmissionConfigError(f"{name} must be a list of API keys (strings)")
    short = [v for v in values if len(v) < 16]
    if short:
        raise AdmissionConfigError(f"{name}: API keys must be at least 16 characters long")
    return frozenset(values)


_INT = {
    "ipv4_prefix",
    "ipv6_prefix",
    "max_concurrent",
    "per_client_concurrent",
    "busy_retry_after",
}
_FLOAT = {"concurrency_wait"}
_STR = {"per_client", "per_api_key", "storage"}
_BOOL = {"enabled"}
_NETS = {"trusted_proxies", "allow_networks"}
_KEYS = {"allow_api_keys", "api_keys"}
_LISTS = {"api_prefixes"}
KNOWN = _INT | _FLOAT | _STR | _BOOL | _NETS | _KEYS | _LISTS


def _convert(name: str, value: Any) -> Any:
    try:
        if name in _INT:
            if isinstance(value, bool):
                raise ValueError
            return int(value)
        if name in _FLOAT:
            return float(value)
        if name in _BOOL:
            if isinstance(value, bool):
                return value
            return str(value).strip().lower() in {"1", "true", "yes", "on"}
    except (TypeError, ValueError):
        raise AdmissionConfigError(f"{name} must be a number, not {value!r}") from None
    if name in _STR:
        return str(value).strip()
    if name in _NETS:
        return _networks(name, value)
    if name in _KEYS:
        return _keys(name, value)
    if isinstance(value, str):
        value = [v for v in value.replace(",", " ").split() if v]
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v.startswith("/") for v in value
    ):
        raise AdmissionConfigError(f"{name} must be a list of paths starting with /")
    return tuple(value)


def read_file(path: Path) -> dict[str, Any]:
    """The library's admission file: flat keys, or grouped under [limits] and [allow]."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AdmissionConfigError(f"{path}: not a valid TOML file ({exc})") from None
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and key in {"limits", "allow", "proxy", "api"}:
            for sub, subvalue in value.items():
                name = f"allow_{sub}" if key == "allow" else sub
                flat[name] = subvalue
        else:
            flat[key] = value
    unknown = sorted(set(flat) - KNOWN)
    if unknown:
        raise AdmissionConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}")
    return flat


def load(environ: Mapping[str, str], file: Path | None = None) -> Policy:
    """Defaults, overridden by the file, overridden by SHOKA_OPAC_<NAME> variables."""
    values: dict[str, Any] = {}
    if file is not None:
        values.update(read_file(file))
    for name in KNOWN:
        raw = environ.get(f"SHOKA_OPAC_{name.upper()}")
        if raw is not None and raw.strip():
            values[name] = raw
    converted = {name: _convert(name, value) for name, value in values.items()}
    raw = environ.get("SHOKA_SERVER_PROCESSES", "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise AdmissionConfigError(f"SHOKA_SERVER_PROCESSES must be 1 or more, not {raw!r}")
        converted["processes"] = int(raw)
    return replace(Policy(), **converted)
