"""Races at the desk, with real parallel database connections: two desks scanning the same
item, two copies of one title coming back at once, many writers appending to the audit log.

Each race runs in threads that each use their own Django connection, released together by a
barrier, and is repeated for several rounds. On SQLite every atomic block starts with
BEGIN IMMEDIATE, so writers queue; on PostgreSQL the services' row locks decide.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.audit.models import AccessEvent, AuditEvent
from shoka.audit.verify import verify_chain
from shoka.catalogue.models import ItemStatus
from shoka.circulation import services
from shoka.circulation.models import TRAPPED_HOLD, Hold, HoldStatus, Loan
from shoka.circulation.policy import RefusalCode
from shoka.circulation.services import CheckinResult, CheckoutResult, CirculationRefused, Route

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

TOKYO = ZoneInfo("Asia/Tokyo")
ROUNDS = 5


def june(day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, minute, tzinfo=TOKYO)


def in_parallel(*actions: Callable[[], object]) -> list[object]:
    """Run each action in its own thread and connection, all released at once; return what
    each returned or raised."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(i: int, action: Callable[[], object]) -> None:
        try:
            connection.ensure_connection()  # connect first, so that the race starts at once
            barrier.wait(timeout=30)
            outcomes[i] = action()
        except BaseException as exc:  # reported to the test, never swallowed
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting (deadlock?)"
    return outcomes


def unexpected(outcomes: list[object], *allowed: type[BaseException]) -> list[BaseException]:
    return [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, allowed)]


@pytest.fixture
def tworld(transactional_db, request):  # transactional: the threads see committed data
    return request.getfixturevalue("world")


def test_two_desks_lending_one_item_at_once_make_exactly_one_loan(tworld):
    w = tworld
    alice, bob = w.patron(), w.patron("佐藤 一郎", "サトウ イチロウ")
    for n in range(ROUNDS):
        item = w.item()

        def lend(patron, item=item, n=n):
            return services.checkout(
                item.barcode, patron, branch=w.main, actor=w.staff, at=june(2, 11, n)
            )

        outcomes = in_parallel(lambda: lend(alice), lambda: lend(bob))

        assert unexpected(outcomes, CirculationRefused) == []
        won = [o for o in outcomes if isinstance(o, CheckoutResult)]
        lost = [o for o in outcomes if isinstance(o, CirculationRefused)]
        assert len(won) == 1 and len(lost) == 1, outcomes
        assert lost[0].codes == [RefusalCode.ITEM_ON_LOAN]
        assert Loan.objects.filter(item=item, returned_at__isnull=True).count() == 1
        assert Loan.objects.filter(item=item).count() == 1
        item.refresh_from_db()
        assert item.status == ItemStatus.ON_LOAN


def test_two_desks_returning_one_item_at_once_trap_exactly_one_hold(tworld):
    w = tworld
    borrower = w.patron()
    first, second = w.patron("佐藤 一郎", "サトウ イチロウ"), w.patron("鈴木 二郎", "スズキ ジロウ")
    for n in range(ROUNDS):
        item = w.item()
        loan = services.checkout(
            item.barcode, borrower, branch=w.main, actor=w.staff, at=june(2, 10, n)
        ).loan
        h1 = services.place_hold(
            item.bib, first, pickup_branch=w.main, actor=w.staff, at=june(2, 11, n)
        )
        h2 = services.place_hold(
            item.bib, second, pickup_branch=w.main, actor=w.staff, at=june(2, 12, n)
        )

        def give_back(item=item, n=n):
            return services.checkin(item.barcode, branch=w.main, actor=w.staff, at=june(5, 10, n))

        outcomes = in_parallel(give_back, give_back)

        assert unexpected(outcomes) == []
        assert sum(1 for o in outcomes if isinstance(o, CheckinResult) and o.loan) == 1
        assert all(o.routing.route == Route.HOLD_SHELF for o in outcomes)  # type: ignore[union-attr]
        assert Hold.objects.filter(item=item, status__in=TRAPPED_HOLD).count() == 1
        assert Hold.objects.get(pk=h1.pk).status == HoldStatus.READY
        assert Hold.objects.get(pk=h2.pk).status == HoldStatus.WAITING
        assert Loan.objects.get(pk=loan.pk).returned_at == june(5, 10, n)
        assert (
            AuditEvent.objects.filter(action="loan.returned", object_id=str(loan.pk)).count() == 1
        )
        assert AuditEvent.objects.filter(action="hold.ready").count() == n + 1


def test_two_copies_returned_at_once_fill_one_hold_once(tworld):
    w = tworld
    reader = w.patron()
    lenders = w.patron("佐藤 一郎", "サトウ イチロウ"), w.patron("鈴木 二郎", "スズキ ジロウ")
    for n in range(ROUNDS):
        bib = w.bib(f"上巻 {n}", "ジョウカン")
        copies = [w.item(bib), w.item(bib)]
        for copy, lender in zip(copies, lenders, strict=True):
            services.checkout(copy.barcode, lender, branch=w.main, actor=w.staff, at=june(2, 10, n))
        hold = services.place_hold(
            bib, reader, pickup_branch=w.main, actor=w.staff, at=june(2, 11, n)
        )

        def give_back(copy, n=n):
            return services.checkin(copy.barcode, branch=w.main, actor=w.staff, at=june(5, 10, n))

        outcomes = in_parallel(*(lambda c=c: give_back(c) for c in copies))

        assert unexpected(outcomes) == []
        routes = sorted(o.routing.route for o in outcomes)  # type: ignore[union-attr]
        assert routes == sorted([Route.HOLD_SHELF, Route.SHELVE])
        hold.refresh_from_db()
        assert hold.status == HoldStatus.READY and hold.item in copies
        other = next(c for c in copies if c != hold.item)
        other.refresh_from_db()
        assert other.status == ItemStatus.AVAILABLE
        assert not Hold.objects.filter(item=other).exists()
        assert not Loan.objects.filter(item__bib=bib, returned_at__isnull=True).exists()


def test_parallel_writers_keep_both_log_chains_valid_and_contiguous(tworld):
    # `tworld` leaves a library's worth of events in the chains for the writers to continue.
    writers, transactions, events = 8, 12, 3
    actor = Actor.system("race")

    def write(worker: int) -> int:
        for t in range(transactions):
            with audited_atomic():
                for e in range(events):
                    record(
                        "test.appended",
                        ("test.thing", f"{worker}-{t}-{e}"),
                        actor=actor,
                        at=june(2, 10, worker),
                        data={"worker": worker, "n": t * events + e},
                    )
                record(
                    "patron.viewed",
                    ("patrons.patron", worker),
                    actor=actor,
                    at=june(2, 10, worker),
                    chain="access",
                )
        return worker

    audit_before, access_before = AuditEvent.objects.count(), AccessEvent.objects.count()

    outcomes = in_parallel(*(lambda i=i: write(i) for i in range(writers)))

    assert outcomes == list(range(writers))
    for chain, model, before, added in (
        ("audit", AuditEvent, audit_before, writers * transactions * events),
        ("access", AccessEvent, access_before, writers * transactions),
    ):
        report = verify_chain(chain)
        assert report.ok, report.problems
        assert report.rows == before + added
        seqs = list(model.objects.order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, before + added + 1))
    # Each transaction's events stay together, in order, in the chain.
    appended = list(
        AuditEvent.objects.filter(action="test.appended")
        .order_by("seq")
        .values_list("object_id", flat=True)
    )
    for start in range(0, len(appended), events):
        batch = appended[start : start + events]
        assert [oid.rsplit("-", 1)[0] for oid in batch] == [batch[0].rsplit("-", 1)[0]] * events
