"""Make the audit and access logs append-only in the database itself: UPDATE and DELETE are
refused by triggers (PostgreSQL and SQLite). `shoka audit verify` detects what a database
superuser could still do by dropping the triggers.

Settings may turn the triggers off (SHOKA_AUDIT_TRIGGERS = False) only for the SQLite test
run, whose transactional tests empty tables with DELETE between tests.
"""

from django.conf import settings
from django.db import migrations

TABLES = ("audit_auditevent", "audit_accessevent")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION shoka_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'shoka: % is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END $$ LANGUAGE plpgsql;
"""


def install(apps, schema_editor):
    if not getattr(settings, "SHOKA_AUDIT_TRIGGERS", True):
        return
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION shoka_append_only()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'shoka: {table} is append-only'); END"
                )


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        elif vendor == "sqlite":
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
