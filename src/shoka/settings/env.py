"""Reading the environment: every deploy-time setting comes from SHOKA_* variables."""

from __future__ import annotations

import os
from pathlib import Path


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def shoka_home() -> Path:
    """The instance directory: data/ (databases) and keys/ (key material) live under it
    unless SHOKA_DATA_DIR / SHOKA_KEY_FILE put them elsewhere."""
    return Path(env("SHOKA_HOME", str(Path.cwd() / "var"))).resolve()


def read_secret_file(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip() or None
    except FileNotFoundError:
        return None
