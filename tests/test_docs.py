"""Docs that are tested (STYLE.md §11): every `shoka` command is documented in docs/cli.md,
every setting the code reads from the environment in docs/architecture.md, and every
refusal code in docs/circulation.md."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from shoka.circulation.policy import RefusalCode
from shoka.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            names += _commands(command, f"{prefix}{name} ")
        else:
            names.append(f"{prefix}{name}")
    return names


@pytest.mark.parametrize("command", _commands(main))
def test_every_command_is_documented(command):
    assert f"### `shoka {command}" in (ROOT / "docs" / "cli.md").read_text()


def _env_settings() -> set[str]:
    found = set()
    for path in (ROOT / "src" / "shoka" / "settings").glob("*.py"):
        found |= set(re.findall(r'env(?:_bool)?\("(SHOKA_[A-Z_]+)"', path.read_text()))
    return found - {"SHOKA_TEST_DB", "SHOKA_TEST_PG_URL", "SHOKA_TEST_TMP"}


@pytest.mark.parametrize("name", sorted(_env_settings()))
def test_every_environment_setting_is_documented(name):
    assert f"`{name}`" in (ROOT / "docs" / "architecture.md").read_text()


@pytest.mark.parametrize("code", list(RefusalCode))
def test_every_refusal_code_is_documented(code):
    assert f"`{code.value}`" in (ROOT / "docs" / "circulation.md").read_text()
