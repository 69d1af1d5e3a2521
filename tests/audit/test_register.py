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


def test_every_table_the_database_links_to_patrons_is_in_the_register(library):
    # Independent of the model walk: the foreign keys the live database itself declares.
    from django.db import connection

    from shoka.patrons.models import Patron

    with connection.cursor() as cursor:
        linked = {
            table
            for table in connection.introspection.table_names(cursor)
            if any(
                other == Patron._meta.db_table
                for _, other in connection.introspection.get_relations(cursor, table).values()
            )
        }
    assert {"circulation_loan", "circulation_hold", "patrons_patronsearchtoken"} <= linked
    assert linked <= {e.table for e in reg.register()}


def test_any_own_relation_to_patrons_links_rows_but_a_reverse_accessor_does_not():
    from django.db import models

    from shoka.circulation.models import Loan
    from shoka.patrons.models import Patron

    for field in (
        models.ForeignKey(Patron, on_delete=models.CASCADE),
        models.OneToOneField(Patron, on_delete=models.CASCADE),
        models.ManyToManyField(Patron),
    ):
        assert reg.links_to(field, Patron), type(field).__name__
    assert not reg.links_to(models.CharField(max_length=10), Patron)
    assert not reg.links_to(models.ForeignKey(Loan, on_delete=models.CASCADE), Patron)
    reverse = Patron._meta.get_field("loans")  # Loan.patron seen from Patron
    assert not reg.links_to(reverse, Loan) and not reg.links_to(reverse, Patron)


def test_the_command_prints_the_register_as_json(library):
    result = CliRunner().invoke(main, ["audit", "register", "--format", "json"])
    assert result.exit_code == 0, result.output
    files = {f["model"]: f for f in json.loads(result.output)["files"]}
    assert files["patrons.patron"]["persons"] == 3
    assert files["patrons.patron"]["retention"]


# --- the notices' tables --------------------------------------------------------------------


@pytest.fixture
def noticed(library, world):
    """The adult's overdue postcard printed, and a sealed copy kept (about 1 person)."""
    from shoka.circulation.models import Loan
    from shoka.notices import files
    from shoka.notices.daily import run_notices
    from shoka.notices.models import Notice
    from shoka.notices.printing import print_batch

    loan = Loan.objects.get()
    at = dt.datetime.combine(loan.due_on + dt.timedelta(days=14), dt.time(7), tzinfo=AT.tzinfo)
    run_notices(world.library, at=at)
    assert Notice.objects.count() == 1
    printed = print_batch(world.library, "postcard", at=at, actor=world.staff)
    files.keep(world.library, "postcards", printed.data, actor=world.staff, at=at, persons=1)
    return world


def test_every_model_that_points_at_a_patron_is_in_the_register():
    """Independent of personal_models(): walk the models for a foreign key to Patron, direct
    or through a row that has one. The notices app's tables must be among them."""
    from django.apps import apps

    from shoka.patrons.models import Patron

    def points_at_patron(model) -> bool:
        return any(
            getattr(f, "many_to_one", False) and f.related_model is Patron
            for f in model._meta.get_fields()
        )

    linked = {
        m._meta.label_lower
        for m in apps.get_models()
        if points_at_patron(m)
        or any(
            getattr(f, "many_to_one", False)
            and f.related_model is not None
            and points_at_patron(f.related_model)
            for f in m._meta.get_fields()
        )
    }
    assert {"notices.notice", "notices.noticeloan"} <= linked
    assert linked <= set(reg.RULES)


def test_the_notices_tables_are_listed_with_their_retention_and_access(noticed):
    entries = _entries()
    notice, lines = entries["notices.notice"], entries["notices.noticeloan"]
    assert notice.attributes == ["patron_id"] and (notice.records, notice.persons) == (1, 1)
    assert lines.attributes == ["patron_id"] and (lines.records, lines.persons) == (1, 1)
    assert "librarian" in notice.access and "cataloguer" not in notice.access
    assert "Notice history" in " ".join(lines.access)


def test_the_sealed_copies_are_listed_as_holding_names_addresses_and_titles(noticed):
    stored = _entries()["notices.storedfile"]
    assert stored.attributes == ["name", "address", "postal_code", "guardian", "loan_title"]
    assert stored.encrypted_fields == ["sealed"]
    assert (stored.records, stored.persons) == (1, 1)
    assert "24 hours" in stored.retention and "daily job" in stored.retention
    assert any("shoka notices fetch" in a for a in stored.access)
    assert "librarian" not in stored.access


def test_a_notices_table_without_a_rule_fails_loudly(noticed, monkeypatch):
    monkeypatch.delitem(reg.RULES, "notices.storedfile")
    with pytest.raises(LookupError, match=r"notices\.storedfile"):
        reg.register()
