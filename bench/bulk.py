"""Streaming rows into a database fast: COPY on PostgreSQL, one unjournalled transaction on
SQLite, secondary indexes dropped before the rows and rebuilt after them."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


class Writer:
    """Streams rows into a table and defers secondary indexes. Rows hold plain Python values:
    naive UTC datetimes, dates, bools, str, int, bytes; `dt`/`d`/`js` adapt them."""

    vendor = ""
    note = ""

    def stamp(self, value: dt.datetime | None) -> Any:
        raise NotImplementedError

    def day(self, value: dt.date | None) -> Any:
        raise NotImplementedError

    def js(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        raise NotImplementedError

    def defer_indexes(self, tables: Sequence[str]) -> None:
        raise NotImplementedError

    def restore_indexes(self) -> None:
        raise NotImplementedError

    def finish(self, tables: Sequence[str]) -> None:
        raise NotImplementedError


class _Counting:
    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.rows, self.n = rows, 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            self.n += 1
            yield row


class SqliteWriter(Writer):
    vendor = "sqlite"
    note = (
        "one transaction, PRAGMA journal_mode=OFF, synchronous=OFF, foreign_keys=OFF "
        "during the load only; secondary indexes built after the rows"
    )

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "foreign_keys=OFF",
            "cache_size=-1000000",
            "temp_store=MEMORY",
        ):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.execute("BEGIN")
        self._deferred: list[str] = []

    def stamp(self, value: dt.datetime | None) -> Any:
        return None if value is None else str(value)  # what Django stores: naive UTC

    def day(self, value: dt.date | None) -> Any:
        return None if value is None else value.isoformat()

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        counted = _Counting(rows)
        self.conn.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', counted)
        return counted.n

    def defer_indexes(self, tables: Sequence[str]) -> None:
        for table in tables:
            for name, sql in self.conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                (table,),
            ).fetchall():
                self._deferred.append(sql)
                self.conn.execute(f'DROP INDEX "{name}"')

    def restore_indexes(self) -> None:
        for sql in self._deferred:
            self.conn.execute(sql)
        self._deferred.clear()

    def finish(self, tables: Sequence[str]) -> None:
        self.conn.execute("COMMIT")
        # Back to what shoka's settings use; no ANALYZE: shoka never runs it on SQLite.
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.close()


class PgWriter(Writer):
    vendor = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.conn = psycopg.connect(url, autocommit=False)
        notes = [
            "COPY in one transaction",
            "secondary indexes and unique constraints built after the rows",
        ]
        try:
            self.conn.execute("SET session_replication_role = replica")
            notes.append(
                "foreign-key triggers off during the load (session_replication_role "
                "= replica; the generated data is consistent by construction)"
            )
        except psycopg.Error:
            self.conn.rollback()
            notes.append("foreign keys checked during the load (not a superuser)")
        self.conn.execute("SET synchronous_commit = off")
        self.conn.execute("SET maintenance_work_mem = '1GB'")
        self.conn.execute("SET TIME ZONE 'UTC'")
        self.note = "; ".join(notes)
        self._deferred: list[str] = []

    def stamp(self, value: dt.datetime | None) -> Any:
        return value  # naive UTC, read in the session time zone UTC

    def day(self, value: dt.date | None) -> Any:
        return value

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        cols = ", ".join(f'"{c}"' for c in columns)
        n = 0
        with self.conn.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        return n

    def defer_indexes(self, tables: Sequence[str]) -> None:
        for table in tables:
            rows = self.conn.execute(
                """SELECT i.relname, pg_get_indexdef(i.oid), c.conname,
                          pg_get_constraintdef(c.oid)
                     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                     LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid
                                              AND c.conrelid = x.indrelid
                                              AND c.contype IN ('u', 'x')
                    WHERE x.indrelid = %s::regclass AND NOT x.indisprimary""",
                (f'"{table}"',),
            ).fetchall()
            for index, indexdef, constraint, condef in rows:
                if constraint:
                    self._deferred.append(
                        f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" {condef}'
                    )
                    self.conn.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
                else:
                    self._deferred.append(indexdef)
                    self.conn.execute(f'DROP INDEX "{index}"')

    def restore_indexes(self) -> None:
        for sql in self._deferred:
            self.conn.execute(sql)
        self._deferred.clear()

    def finish(self, tables: Sequence[str]) -> None:
        import psycopg

        for table in tables:
            has_id = self.conn.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_name = %s "
                "AND column_name = 'id'",
                (table,),
            ).fetchone()
            if has_id:
                self.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT coalesce(max(id), 0) + 1 FROM "{table}"), false)'
                )
        self.conn.execute("SET session_replication_role = origin")
        self.conn.commit()
        self.conn.close()
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")  # what autovacuum would have done by now
            try:  # and start measuring with the load's dirty pages written out
                conn.execute("CHECKPOINT")
            except psycopg.Error:  # needs superuser (or pg_checkpoint): then not
                pass
