"""The audit and access logs are keyed hash chains: `shoka audit verify` passes on an
untouched log and names the row when one was edited, deleted or inserted behind the
application's back (here with raw SQL, append-only triggers switched off)."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from click.testing import CliRunner
from django.db import connection

from shoka.audit.log import GENESIS, AuditError, audited_atomic, canonical, chain_hash, record
from shoka.audit.models import AccessEvent, AuditEvent, ChainHead
from shoka.audit.verify import verify_all, verify_chain
from shoka.circulation import services as circulation
from shoka.cli import main as shoka
from shoka.patrons.services import view_patron

TABLES = {"audit": "audit_auditevent", "access": "audit_accessevent"}


@pytest.fixture
def history(world, at):
    """Real desk work: a patron registered and looked up, a book lent and returned."""
    patron = world.patron()
    item = world.item()
    view_patron(patron, actor=world.staff, at=at, context="desk")
    circulation.checkout(item.barcode, patron, branch=world.main, actor=world.staff, at=at)
    view_patron(patron, actor=world.staff, at=at + dt.timedelta(days=1))
    circulation.checkin(
        item.barcode, branch=world.main, actor=world.staff, at=at + dt.timedelta(days=7)
    )
    view_patron(patron, actor=world.staff, at=at + dt.timedelta(days=8))
    assert AuditEvent.objects.count() >= 5
    assert AccessEvent.objects.count() == 3
    return patron


@pytest.fixture
def tamper(history):
    """Raw SQL against the logs, as someone with database access but no key could run it.
    PostgreSQL's append-only triggers are disabled inside the test's transaction (rolled back
    with it); the SQLite test settings leave them off."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in TABLES.values():
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")

    def sql(statement: str, params: list[object] | None = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement, params or [])

    return sql


def json_param() -> str:
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def last_seq(chain: str = "audit") -> int:
    model = AuditEvent if chain == "audit" else AccessEvent
    return model.objects.order_by("-seq").values_list("seq", flat=True)[0]


def middle_seq(chain: str = "audit") -> int:
    return last_seq(chain) // 2 + 1


def problems_at(chain: str) -> list[int | None]:
    return [p.seq for p in verify_chain(chain).problems]


def run_verify():
    return CliRunner().invoke(shoka, ["audit", "verify"])


# --- an untouched log -------------------------------------------------------------------


def test_untouched_logs_verify(history):
    reports = verify_all()

    assert [(r.chain, r.ok) for r in reports] == [("access", True), ("audit", True)]
    assert {r.chain: r.rows for r in reports} == {"access": 3, "audit": AuditEvent.objects.count()}


def test_empty_logs_verify(db):
    assert all(report.ok and report.rows == 0 for report in verify_all())


def test_rows_are_numbered_from_one_and_linked(history):
    for model in (AuditEvent, AccessEvent):
        rows = list(model.objects.order_by("seq"))
        assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
        assert rows[0].prev_hash == GENESIS
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
        head = ChainHead.objects.get(chain="audit" if model is AuditEvent else "access")
        assert (head.seq, head.hash) == (rows[-1].seq, rows[-1].hash)


def test_cli_verify_exits_0_on_untouched_logs(history):
    result = run_verify()

    assert result.exit_code == 0, result.output
    assert "access log: 3 rows, ok" in result.output
    assert f"audit log: {AuditEvent.objects.count()} rows, ok" in result.output


# --- edited rows ------------------------------------------------------------------------


def test_editing_the_data_of_a_middle_row_is_detected(tamper):
    seq = middle_seq()

    tamper(
        f"UPDATE audit_auditevent SET data = {json_param()} WHERE seq = %s",
        [json.dumps({"note": "nothing happened"}), seq],
    )

    report = verify_chain("audit")
    assert not report.ok
    assert [p.seq for p in report.problems] == [seq]
    assert "row edited" in report.problems[0].message
    assert f"#{seq}" in str(report.problems[0])


def test_editing_the_actor_of_a_middle_row_is_detected(tamper):
    seq = middle_seq()

    tamper("UPDATE audit_auditevent SET actor = %s WHERE seq = %s", ["user:999999", seq])

    assert problems_at("audit") == [seq]


def test_editing_the_time_of_a_row_is_detected(tamper):
    seq = middle_seq()
    moved = AuditEvent.objects.get(seq=seq).at - dt.timedelta(hours=1)

    tamper(
        "UPDATE audit_auditevent SET at = %s WHERE seq = %s",
        [connection.ops.adapt_datetimefield_value(moved), seq],
    )

    assert problems_at("audit") == [seq]


def test_an_edit_rehashed_without_the_audit_key_is_still_detected(tamper):
    # Someone who rewrites a row and recomputes its hash and every later one, and the chain
    # head, still cannot match the keyed chain without the key file.
    seq = middle_seq()
    rows = list(AuditEvent.objects.filter(seq__gte=seq).order_by("seq"))
    prev = AuditEvent.objects.get(seq=seq - 1).hash
    for row in rows:
        actor = "user:999999" if row.seq == seq else row.actor
        digest = chain_hash(
            b"\x00" * 32,
            prev,
            canonical(row.seq, row.at, actor, row.action, row.object_type, row.object_id, row.data),
        )
        tamper(
            "UPDATE audit_auditevent SET actor = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [actor, prev, digest, row.seq],
        )
        prev = digest
    tamper("UPDATE audit_chainhead SET hash = %s WHERE chain = 'audit'", [prev])

    found = problems_at("audit")
    assert found[0] == seq
    assert None not in found  # the head agrees: only the keyed hashes give it away


def test_editing_the_access_log_is_detected_and_the_audit_log_stays_ok(tamper, history):
    tamper("UPDATE audit_accessevent SET object_id = %s WHERE seq = %s", [str(history.pk + 1), 2])

    reports = {r.chain: r for r in verify_all()}
    assert [p.seq for p in reports["access"].problems] == [2]
    assert reports["audit"].ok


# --- deleted rows -----------------------------------------------------------------------


def test_deleting_a_middle_row_is_detected(tamper):
    seq = middle_seq()

    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [seq])

    report = verify_chain("audit")
    assert not report.ok
    assert report.problems[0].seq == seq + 1
    assert f"sequence jumps from {seq - 1} to {seq + 1}" in report.problems[0].message


def test_deleting_the_last_row_is_detected(tamper):
    seq = last_seq()

    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [seq])

    report = verify_chain("audit")
    assert [p.seq for p in report.problems] == [None]
    assert f"the chain head records #{seq} but the log ends at #{seq - 1}" in str(
        report.problems[0]
    )


def test_deleting_the_first_row_is_detected(tamper):
    tamper("DELETE FROM audit_auditevent WHERE seq = 1")

    assert problems_at("audit")[0] == 2


def test_deleting_the_last_access_event_is_detected(tamper):
    tamper("DELETE FROM audit_accessevent WHERE seq = 3")

    reports = {r.chain: r for r in verify_all()}
    assert not reports["access"].ok
    assert "#3" in str(reports["access"].problems[0])
    assert reports["audit"].ok


# --- inserted rows ----------------------------------------------------------------------


def forged_row(model, seq: int, prev_hash: str, *, at: dt.datetime) -> None:
    model.objects.create(
        seq=seq,
        at=at,
        actor="user:1",
        action="patron.viewed",
        object_type="patrons.patron",
        object_id="1",
        data={},
        prev_hash=prev_hash,
        hash="f" * 64,
    )


def test_a_row_appended_with_a_fresh_seq_is_detected(tamper, at):
    seq = last_seq()
    last = AuditEvent.objects.get(seq=seq)

    forged_row(AuditEvent, seq + 1, last.hash, at=at)
    report = verify_chain("audit")
    assert [p.seq for p in report.problems] == [seq + 1, None]  # bad hash; head disagrees

    tamper(
        "UPDATE audit_chainhead SET seq = %s, hash = %s WHERE chain = 'audit'", [seq + 1, "f" * 64]
    )  # the head moved too: the hash alone gives it away
    report = verify_chain("audit")
    assert [p.seq for p in report.problems] == [seq + 1]
    assert "row edited" in report.problems[0].message


def test_a_row_inserted_in_the_middle_after_renumbering_is_detected(tamper, at):
    seq, end = middle_seq(), last_seq()
    before = AuditEvent.objects.get(seq=seq - 1)
    shift = 1_000_000
    tamper("UPDATE audit_auditevent SET seq = seq + %s WHERE seq >= %s", [shift, seq])
    tamper("UPDATE audit_auditevent SET seq = seq - %s WHERE seq >= %s", [shift - 1, shift])
    tamper("UPDATE audit_auditevent SET prev_hash = %s WHERE seq = %s", ["f" * 64, seq + 1])
    forged_row(AuditEvent, seq, before.hash, at=at)
    tamper("UPDATE audit_chainhead SET seq = %s WHERE chain = 'audit'", [end + 1])

    report = verify_chain("audit")

    assert AuditEvent.objects.count() == end + 1
    assert report.problems[0].seq == seq
    assert f"#{seq}" in str(report.problems[0])
    assert all(p.seq is not None and p.seq >= seq for p in report.problems)


# --- the command ------------------------------------------------------------------------


def test_cli_verify_exits_1_and_names_the_row_when_the_audit_log_was_edited(tamper):
    seq = middle_seq()
    tamper("UPDATE audit_auditevent SET actor = %s WHERE seq = %s", ["user:999999", seq])

    result = run_verify()

    assert result.exit_code == 1, result.output
    assert "audit log:" in result.output and "BROKEN" in result.output
    assert f"audit log #{seq}: content does not match its hash" in result.output
    assert "access log: 3 rows, ok" in result.output


def test_cli_verify_checks_the_access_log_too(tamper):
    tamper("DELETE FROM audit_accessevent WHERE seq = 2")

    result = run_verify()

    assert result.exit_code == 1, result.output
    assert "access log: 2 rows, BROKEN" in result.output
    assert "access log #3: sequence jumps from 1 to 3" in result.output


# --- writing the log --------------------------------------------------------------------


def test_record_outside_audited_atomic_is_refused(world, at):
    with pytest.raises(AuditError, match="audited_atomic"):
        record("patron.blocked", ("patrons.patron", 1), actor=world.staff, at=at)

    assert not AuditEvent.objects.exists()


def test_action_codes_must_be_dotted(world, at):
    with pytest.raises(AuditError, match="dotted"), audited_atomic():
        record("patronblocked", ("patrons.patron", 1), actor=world.staff, at=at)

    assert not AuditEvent.objects.exists()


def test_events_of_a_rolled_back_action_are_not_written(world, at):
    with pytest.raises(RuntimeError), audited_atomic():
        record("patron.blocked", ("patrons.patron", 1), actor=world.staff, at=at)
        raise RuntimeError("the action failed")

    assert not AuditEvent.objects.exists()
    assert verify_chain("audit").ok


def test_events_recorded_in_nested_blocks_are_appended_once_in_order(world, at):
    with audited_atomic():
        record("test.first", None, actor=world.staff, at=at)
        with audited_atomic():
            record("test.second", None, actor=world.staff, at=at)
        record("test.third", None, actor=world.staff, at=at)

    assert list(AuditEvent.objects.values_list("seq", "action")) == [
        (1, "test.first"),
        (2, "test.second"),
        (3, "test.third"),
    ]
    assert verify_chain("audit").ok
