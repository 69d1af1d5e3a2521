"""The database itself keeps the audit and access logs append-only: UPDATE and DELETE are
refused by triggers, INSERT goes on working.

On PostgreSQL the migration installed the triggers. The SQLite test settings leave them off
(transactional tests empty tables with DELETE), so these tests install them with the
migration's own code and drop them again afterwards; SQLite's schema editor cannot run inside
a transaction, so on SQLite these are transactional tests (on PostgreSQL they need not be)."""

from __future__ import annotations

import importlib

import pytest
from django.db import DatabaseError, connection, transaction

from shoka.audit.models import AccessEvent, AuditEvent
from shoka.audit.verify import verify_all
from shoka.patrons.services import block_patron, view_patron

pytestmark = pytest.mark.django_db(transaction=connection.vendor == "sqlite")

TABLES = ("audit_auditevent", "audit_accessevent")
MIGRATION = "shoka.audit.migrations.0002_append_only_triggers"


@pytest.fixture
def append_only(settings):
    if connection.vendor == "postgresql":
        yield  # installed by the migration
        return
    settings.SHOKA_AUDIT_TRIGGERS = True
    migration = importlib.import_module(MIGRATION)
    with connection.schema_editor() as editor:
        migration.install(None, editor)
    try:
        yield
    finally:
        with connection.schema_editor() as editor:
            migration.remove(None, editor)


@pytest.fixture
def logged(world, at):
    """One patron registered and viewed: rows in both logs."""
    patron = world.patron()
    view_patron(patron, actor=world.staff, at=at)
    return patron


def run(sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize("table", TABLES)
def test_database_refuses_to_update_a_log_row(append_only, logged, table):
    with pytest.raises(DatabaseError, match="append-only"):
        run(f"UPDATE {table} SET actor = 'user:999999'")

    assert verify_all()[0].ok and verify_all()[1].ok


@pytest.mark.parametrize("table", TABLES)
def test_database_refuses_to_delete_a_log_row(append_only, logged, table):
    count = AuditEvent.objects.count() + AccessEvent.objects.count()

    with pytest.raises(DatabaseError, match="append-only"):
        run(f"DELETE FROM {table}")

    assert AuditEvent.objects.count() + AccessEvent.objects.count() == count


def test_orm_update_and_delete_are_refused_too(append_only, logged):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(action="patron.registered").update(data={})
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.all().delete()

    assert AccessEvent.objects.count() == 1


def test_new_events_are_still_appended(append_only, logged, world, at):
    before = AuditEvent.objects.count()

    block_patron(logged, "試験", actor=world.staff, at=at)
    view_patron(logged, actor=world.staff, at=at)

    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("seq").action == "patron.blocked"
    assert AccessEvent.objects.count() == 2
    assert all(report.ok for report in verify_all())


def test_triggers_are_installed_on_both_tables(append_only):
    names = trigger_names()

    if connection.vendor == "postgresql":
        assert {f"{t}_append_only" for t in TABLES} <= names
    else:
        assert {f"{t}_no_{op}" for t in TABLES for op in ("update", "delete")} <= names


def test_migration_installs_nothing_when_the_setting_turns_triggers_off(settings):
    if connection.vendor != "sqlite":
        pytest.skip("only the SQLite test run turns the triggers off")
    settings.SHOKA_AUDIT_TRIGGERS = False
    migration = importlib.import_module(MIGRATION)
    with connection.schema_editor() as editor:
        migration.install(None, editor)

    assert not {n for n in trigger_names() if n.startswith("audit_")}
