"""Key set-up for patron self-service (docs/opac-self-service.md, "Keys").

The OPAC's service key (Ed25519, private, mode 0600) signs every request to the staff side's
patron API; its public half goes to the staff side (SHOKA_PATRON_API_OPAC_KEY or the file
``opac-service.pub`` in the staff key directory). The staff API's URL goes to the OPAC
(SHOKA_OPAC_STAFF_API_URL or the file ``staff-api-url`` in the OPAC key directory).
No Django set-up is needed: `shoka opac init` and `shoka init` call these before it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from shoka.publish.signing import generate_key_file, load_private_key, public_key_text

SERVICE_KEY = "opac-service-ed25519.pem"  # on the OPAC: private
SERVICE_PUBLIC = "opac-service.pub"  # on the staff side: the OPAC's public half
STAFF_API_URL = "staff-api-url"  # on the OPAC: where the patron API is


def service_key(key_dir: Path, key_file: Path | None = None) -> tuple[str, bool]:
    """The OPAC's service key, created when missing: (public key text, created)."""
    path = key_file or key_dir / SERVICE_KEY
    created = not path.exists()
    key = generate_key_file(path) if created else load_private_key(path)
    return public_key_text(key), created


def check_staff_api_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return url.rstrip("/") + "/"


def write_staff_api_url(key_dir: Path, url: str) -> Path:
    path = key_dir / STAFF_API_URL
    path.write_text(check_staff_api_url(url) + "\n", encoding="ascii")
    return path


def pair_local(key_dir: Path, staff_api_url: str) -> str:
    """One machine serving both sites (`shoka init`): the OPAC's service key, its public half
    trusted by the staff side, and the staff API's URL for the OPAC. Returns a report line."""
    public, created = service_key(key_dir)
    trusted = key_dir / SERVICE_PUBLIC
    if not trusted.exists():
        trusted.write_text(public + "\n", encoding="ascii")
    if not (key_dir / STAFF_API_URL).exists():
        write_staff_api_url(key_dir, staff_api_url)
    state = "created, mode 0600" if created else "kept"
    return f"OPAC service key: {key_dir / SERVICE_KEY} ({state}); the local staff side trusts it"
