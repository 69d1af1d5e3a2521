"""`shoka audit register`: the personal-data files (個人情報ファイル簿) come from the model
definitions and the live database, so they cannot drift."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from shoka.audit import register as reg
from shoka.circulation import services
from shoka.cli import main

AT = dt.datetime(2026, 6, 2, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.fixture
def library(world):
    adult = world.patron()
    world.patron("佐藤 次郎", "サトウ ジロウ")
    world.patron("山田 三郎", "ヤマダ サブロウ", category="child")
    item = world.item()
    services.checkout(item.barcode, adult, branch=world.main, actor=world.staff, at=AT)
    return world


def _entries() -> dict[str, reg.Entry]:
    return {e.model: e for e in reg.register()}


def test_the_patron_table_lists_every_encrypted_attribute_and_counts_people(library):
    patron = _entries()["patrons.patron"]
    assert patron.attributes == [
        "name",
        "kana",
        "address",
        "postal_code",
        "phone",
        "email",
        "birth_date",
        "guardian",
        "patron_id",
    ]
    assert (patron.records, patron.persons) == (3, 3)
    assert "name" in patron.encrypted_fields and "guardian_name" in patron.encrypted_fields
    assert not patron.must_register


def test_tables_linked_to_patrons_count_the_people_they_still_link(library):
    entries = _entries()
    loan = entries["circulation.loan"]
    assert loan.attributes == ["patron_id"]
    assert (loan.records, loan.persons) == (1, 1)
    assert entries["circulation.hold"].persons == 0
    assert "access log" in entries["audit.accessevent"].purpose.lower()


def test_access_comes_from_the_roles_in_the_database(library):
    access = _entries()["patrons.patron"].access
    assert "librarian" in access and "administrator" in access
    assert "cataloguer" not in access


def test_a_personal_model_without_a_retention_rule_fails_loudly(library, monkeypatch):
    monkeypatch.delitem(reg.RULES, "circulation.hold")
    with pytest.raises(LookupError, match=r"circulation\.hold"):
        reg.register()


def test_every_rule_names_a_personal_model():
    found = {model._meta.label_lower for model, *_ in reg.personal_models()}
    assert found == set(reg.RULES)


def test_the_command_prints_the_register_as_json(library):
    result = CliRunner().invoke(main, ["audit", "register", "--format", "json"])
    assert result.exit_code == 0, result.output
    files = {f["model"]: f for f in json.loads(result.output)["files"]}
    assert files["patrons.patron"]["persons"] == 3
    assert files["patrons.patron"]["retention"]
