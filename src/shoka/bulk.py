"""Multi-row INSERT for bulk loads (catalogue import, the index queue).

Django's ``bulk_create`` builds a model instance per row and compiles every value through
the field machinery: about 100 µs a row for a catalogue record, which made it the largest
cost of importing a million records (docs/adr/0004). :func:`insert_rows` takes plain tuples,
converts only the values whose database form differs from the Python one (dates, times,
decimals, JSON, bytes) with the field's own ``get_db_prep_save``, and sends them with
``executemany`` — or, when the new ids are needed, as multi-row ``INSERT … RETURNING``
statements (SQLite ≥ 3.35 returns the rows in the order given, which Django's own
``bulk_create`` relies on as well). On PostgreSQL the rows go in with ``COPY``, ids taken
from the identity sequence in advance. Constraints, defaults and triggers of the
database apply as for any INSERT; nothing is validated here, so callers pass checked data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.utils import timezone

_PASS_THROUGH = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.PositiveSmallIntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.BigAutoField,
    models.AutoField,
)


def _converter(field: models.Field[Any, Any], *, copy: bool = False) -> Callable[[Any], Any] | None:
    """How a value of `field` goes to the database, or None when it goes as it is. For
    COPY (``copy``), psycopg writes dates, times, decimals and bytes itself, and JSON goes as
    its text: the field machinery would only wrap each value in an adapter object."""
    if copy:
        return _copy_converter(field)
    if isinstance(field, _PASS_THROUGH) and not isinstance(
        field, models.DateTimeField | models.DateField | models.DecimalField
    ):
        return None

    if isinstance(field, models.JSONField | models.BinaryField):

        def convert(value: Any) -> Any:
            return None if value is None else field.get_db_prep_save(value, connection)

        return convert
    # Dates, times and decimals repeat a lot in a batch (every row of an import has the same
    # timestamps): convert each distinct value once.
    cache: dict[Any, Any] = {}

    def convert_cached(value: Any) -> Any:
        if value is None:
            return None
        try:
            return cache[value]
        except KeyError:
            converted = cache[value] = field.get_db_prep_save(value, connection)
            return converted

    return convert_cached


def _copy_converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    if isinstance(field, models.JSONField):
        encoder = field.encoder

        def to_json(value: Any) -> Any:
            return None if value is None else json.dumps(value, cls=encoder)

        return to_json
    if isinstance(field, models.DateTimeField):
        checked: set[Any] = set()  # a batch repeats its timestamps: check each once

        def aware(value: Any) -> Any:
            # as get_db_prep_save would insist: shoka stores aware times only
            if value is None or value in checked:
                return value
            if timezone.is_naive(value):
                raise ValueError(f"{field.name}: a naive datetime {value!r}")
            checked.add(value)
            return value

        return aware
    return None


def _field(meta: Any, name: str) -> models.Field[Any, Any]:
    """A concrete field by name; ``x_id`` names the foreign key ``x``."""
    for candidate in (name, name.removesuffix("_id")):
        try:
            field = meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.Field) and field.concrete:
            return field
    raise ValueError(f"{meta.label} has no concrete field {name!r}")


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning_ids: bool = False,
) -> list[int]:
    """INSERT ``rows`` (tuples in the order of ``fields``, which name model fields; foreign
    keys by their ``_id`` attribute name) into ``model``'s table. Returns the new primary
    keys in row order when ``returning_ids``, else an empty list."""
    if not rows:
        return []
    meta = model._meta
    fobjs = [_field(meta, name) for name in fields]
    copy = connection.vendor == "postgresql"
    converters = [_converter(f, copy=copy) for f in fobjs]
    convert = [(i, c) for i, c in enumerate(converters) if c is not None]
    prepared: list[Sequence[Any]]
    if convert:
        prepared = []
        for row in rows:
            values = list(row)
            for i, c in convert:
                values[i] = c(values[i])
            prepared.append(values)
    else:
        prepared = list(rows)
    if copy:
        return _copy_rows(meta, fobjs, prepared, returning_ids)
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in fobjs)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        if not returning_ids:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {one}", prepared)  # noqa: S608
            return []
        per_statement = max(1, (connection.features.max_query_params or 10_000) // len(fields))
        pk = quote(str(meta.pk.column))
        ids: list[int] = []
        for start in range(0, len(prepared), per_statement):
            chunk = prepared[start : start + per_statement]
            placeholders = ", ".join([one] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {placeholders} RETURNING {pk}",  # noqa: S608
                [v for row in chunk for v in row],
            )
            ids.extend(int(r[0]) for r in cursor.fetchall())
        return ids


def _copy_rows(
    meta: Any, fobjs: list[models.Field[Any, Any]], rows: Sequence[Sequence[Any]], want_ids: bool
) -> list[int]:
    """PostgreSQL: ``COPY … FROM STDIN``. A multi-row INSERT of 500 records has thousands of
    placeholders, which psycopg splits in Python and the server parses and plans on every
    statement: that was a fifth of an import's time. COPY streams the rows instead. New ids
    are taken from the table's identity sequence beforehand (one round trip), so the caller
    gets them in row order as with ``INSERT … RETURNING``."""
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = [quote(f.column) for f in fobjs]
    ids: list[int] = []
    # psycopg's own cursor (Django's wrapper has no copy()); its errors still become Django's
    # (IntegrityError, DatabaseError…) as callers expect.
    with connection.cursor() as wrapper, connection.wrap_database_errors:
        cursor = wrapper.cursor
        if want_ids:
            pk = str(meta.pk.column)
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk, len(rows)],
            )
            ids = [int(r[0]) for r in cursor.fetchall()]
            columns.insert(0, quote(pk))
            rows = [(i, *row) for i, row in zip(ids, rows, strict=True)]
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return ids


@contextmanager
def custom_plans() -> Iterator[None]:
    """For the look-ups of a long bulk job on PostgreSQL: plan each for its actual keys.

    With server-side prepared statements (settings.base.postgresql_options) PostgreSQL may
    switch a statement to a generic plan made while a table was still empty — a sequential
    scan — and keep it while the table grows to a million rows, which turns each batch's
    key look-up into a scan of the whole table (seen at 100k records of an import).
    Custom plans follow the table as it grows. Only the look-ups are wrapped: planning every
    INSERT of an import too cost a quarter of its speed. No effect on SQLite.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_custom_plan")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET plan_cache_mode")


def id_list(ids: Iterable[int]) -> Any:
    """The right-hand side of an ``__in`` look-up over many ids (thousands, in bulk jobs).

    On PostgreSQL the ids go as one array parameter (``IN (SELECT unnest(%s))``): a list of
    2,000 placeholders is split by psycopg in Python and parsed by the server on every
    query (a tenth of the index writer's time in a profile). SQLite takes the list."""
    if connection.vendor != "postgresql":
        return list(ids)
    from django.db.models.expressions import RawSQL

    return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])


def key_list(keys: Iterable[str]) -> Any:
    """As :func:`id_list`, for text keys (ISBNs, JPNOs, barcodes, record ids)."""
    if connection.vendor != "postgresql":
        return list(keys)
    from django.db.models.expressions import RawSQL

    return RawSQL("SELECT unnest(%s::text[])", [list(keys)])


def analyze(*models_: type[models.Model]) -> None:
    """Refresh PostgreSQL's statistics of these tables after a bulk load (autovacuum would,
    later); SQLite is left alone, as everywhere in shoka."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
