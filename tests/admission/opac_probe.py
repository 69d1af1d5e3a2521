"""Run inside a subprocess with DJANGO_SETTINGS_MODULE=shoka.settings.opac (tests of this
folder): ``python opac_probe.py <what>`` prints one JSON object."""

from __future__ import annotations

import json
import sys
import time

import django


def _rows() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        out = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            out[table] = cursor.fetchone()[0]
    return out


def burst() -> dict[str, object]:
    """Migrate the public database, then 300 anonymous requests from 30 addresses."""
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    before = _rows()
    client = Client()
    statuses: dict[str, int] = {}
    cookies = set()
    for n in range(300):
        response = client.get("/", REMOTE_ADDR=f"192.0.{n % 30}.1", HTTP_ACCEPT_LANGUAGE="ja")
        statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
        cookies |= set(response.cookies)
    return {"before": before, "after": _rows(), "statuses": statuses, "cookies": sorted(cookies)}


def slow_query() -> dict[str, object]:
    from django.db import OperationalError, connection
    from django.db.utils import DatabaseError

    if connection.vendor == "postgresql":
        sql = "SELECT pg_sleep(10)"
    else:  # counts to a billion: minutes of work for SQLite
        sql = (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000)"
            " SELECT COUNT(*) FROM n"
        )
    started = time.monotonic()
    error = None
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.fetchall()
    except (OperationalError, DatabaseError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    elapsed = time.monotonic() - started
    with connection.cursor() as cursor:  # the connection is still usable afterwards
        cursor.execute("SELECT 1")
        after = cursor.fetchone()[0]
    return {"vendor": connection.vendor, "error": error, "seconds": elapsed, "after": after}


def pool() -> dict[str, object]:
    """PostgreSQL with a pool of one connection: a connection given back is the next one
    handed out (no new backend), and a request that finds it taken is answered 503."""
    import threading

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    pids = []
    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pids.append(cursor.fetchone()[0])
        connection.close()  # what the end of every request does: back to the pool
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with connection.cursor() as cursor:  # this thread's connection: the pool's only one
            cursor.execute("SELECT 1")
        taken.set()
        release.wait(30)
        connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait(30)
    client = Client()
    started = time.monotonic()
    busy = client.get("/", REMOTE_ADDR="192.0.2.1", HTTP_ACCEPT_LANGUAGE="en")
    waited = time.monotonic() - started
    release.set()
    holder.join()
    connection.close()
    after = client.get("/", REMOTE_ADDR="192.0.2.2", HTTP_ACCEPT_LANGUAGE="en")
    return {
        "pids": pids,
        "pool": connection.settings_dict["OPTIONS"].get("pool"),
        "busy": busy.status_code,
        "retry_after": busy.get("Retry-After"),
        "waited": waited,
        "after": after.status_code,
    }


if __name__ == "__main__":
    django.setup()
    print(json.dumps({"burst": burst, "slow_query": slow_query, "pool": pool}[sys.argv[1]]()))
