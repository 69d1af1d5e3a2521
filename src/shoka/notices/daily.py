"""The daily notices job (STYLE.md §7): a plain function called by `shoka notices daily`,
by a scheduler and by tests, with the time passed in. Idempotent: a loan gets each stage's
notice once (a database constraint), a ready hold one notice, so a second run sends nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.circulation.facts import local_date
from shoka.circulation.models import Hold, HoldStatus, Loan
from shoka.organisation.models import Library
from shoka.patrons.models import Patron

from . import files, mail
from .ladders import ladders_of
from .models import Channel, Kind, Notice, NoticeLoan, Status
from .policy import Channel as PolicyChannel
from .policy import LoanState, PlannedNotice, Reach, channel_for, hold_channel, plan_patron


@dataclass
class NoticeReport:
    created: Counter[str] = field(default_factory=Counter)  # by channel
    emails_sent: int = 0
    emails_failed: int = 0
    files_purged: int = 0
    lines_forgotten: int = 0

    def __str__(self) -> str:
        made = ", ".join(f"{k} {v}" for k, v in sorted(self.created.items())) or "none"
        return (
            f"notices created: {made}; emails sent: {self.emails_sent}, failed: "
            f"{self.emails_failed}; expired files purged: {self.files_purged}; "
            f"lines of returned loans forgotten: {self.lines_forgotten}"
        )


def reach_of(patron: Patron) -> Reach:
    phone = patron.phone
    if patron.category.requires_guardian:
        phone = patron.guardian_contact or phone
    return Reach(
        chose=patron.notify_channel,
        has_email=bool(patron.email),
        has_address=bool(patron.address and patron.postal_code),
        has_phone=bool(phone),
    )


@dataclass(frozen=True)
class _Overdue:
    loan_id: int
    item_id: int
    due_on: dt.date
    sent: frozenset[int]


def _overdue_by_patron(library: Library, today: dt.date) -> dict[int, list[_Overdue]]:
    rows = list(
        Loan.objects.filter(
            patron__library=library, returned_at__isnull=True, due_on__lt=today
        ).values_list("pk", "patron_id", "item_id", "due_on")
    )
    sent: dict[int, set[int]] = defaultdict(set)
    ids = [r[0] for r in rows]
    for start in range(0, len(ids), 5000):
        for loan_id, stage in NoticeLoan.objects.filter(
            loan_id__in=ids[start : start + 5000]
        ).values_list("loan_id", "stage"):
            sent[loan_id].add(stage)
    by_patron: dict[int, list[_Overdue]] = defaultdict(list)
    for loan_id, patron_id, item_id, due_on in rows:
        if patron_id is not None:
            by_patron[patron_id].append(
                _Overdue(loan_id, item_id, due_on, frozenset(sent[loan_id]))
            )
    return by_patron


def _record(
    library: Library,
    patron: Patron,
    plan: PlannedNotice,
    channel: PolicyChannel,
    loans: dict[int, _Overdue],
    *,
    at: dt.datetime,
    actor: Actor,
) -> Notice | None:
    try:
        with audited_atomic(), transaction.atomic():
            notice = Notice.objects.create(
                library=library,
                patron=patron,
                kind=Kind.OVERDUE,
                stage=plan.stage.number,
                channel=channel.value,
                to_guardian=patron.category.requires_guardian,
                created_at=at,
                created_by=actor.code,
            )
            NoticeLoan.objects.bulk_create(
                NoticeLoan(
                    notice=notice,
                    loan_id=loan_id,
                    item_id=loans[loan_id].item_id,
                    stage=plan.stage.number,
                    due_on=loans[loan_id].due_on,
                )
                for loan_id in plan.loan_ids
            )
            record(
                "notice.created",
                notice,
                actor=actor,
                at=at,
                data={
                    "patron": patron.pk,
                    "stage": plan.stage.number,
                    "channel": channel.value,
                    "loans": list(plan.loan_ids),
                },
            )
    except IntegrityError:  # another run recorded this stage for one of the loans first
        return None
    return notice


def overdue_notices(library: Library, *, at: dt.datetime, actor: Actor) -> list[Notice]:
    today = local_date(at)
    ladders = ladders_of(library)
    by_patron = _overdue_by_patron(library, today)
    made: list[Notice] = []
    patrons = Patron.objects.filter(pk__in=list(by_patron)).select_related("category")
    for patron in patrons.order_by("pk"):
        rows = by_patron[patron.pk]
        states = [LoanState(r.loan_id, r.due_on, r.sent) for r in rows]
        ladder = ladders.get(patron.category_id, ladders[None])
        plans = plan_patron(ladder, states, today)
        if not plans:
            continue
        reach = reach_of(patron)
        loans = {r.loan_id: r for r in rows}
        for plan in plans:
            channel = channel_for(plan.stage.channel, reach)
            if channel is None:
                continue
            notice = _record(library, patron, plan, channel, loans, at=at, actor=actor)
            if notice is not None:
                made.append(notice)
    return made


def hold_notices(library: Library, *, at: dt.datetime, actor: Actor) -> list[Notice]:
    made: list[Notice] = []
    holds = (
        Hold.objects.filter(status=HoldStatus.READY, patron__library=library, notices__isnull=True)
        .select_related("patron__category")
        .order_by("pk")
    )
    for hold in holds:
        patron = hold.patron
        if patron is None:  # a ready hold has a patron (constraint); for the type checker
            continue
        channel = hold_channel(reach_of(patron))
        if channel is None:
            continue
        try:
            with audited_atomic(), transaction.atomic():
                notice = Notice.objects.create(
                    library=library,
                    patron=patron,
                    kind=Kind.HOLD_READY,
                    channel=channel.value,
                    to_guardian=patron.category.requires_guardian,
                    hold=hold,
                    created_at=at,
                    created_by=actor.code,
                )
                record(
                    "notice.created",
                    notice,
                    actor=actor,
                    at=at,
                    data={"patron": patron.pk, "hold": hold.pk, "channel": channel.value},
                )
        except IntegrityError:
            continue
        made.append(notice)
    return made


def send_pending_emails(library: Library, *, at: dt.datetime, actor: Actor) -> tuple[int, int]:
    sent = failed = 0
    for notice in Notice.objects.filter(
        library=library, channel=Channel.EMAIL, status=Status.PENDING
    ).order_by("pk"):
        if mail.deliver(notice, at=at, actor=actor):
            sent += 1
        else:
            failed += 1
    return sent, failed


LINES_KEPT_DAYS = 30


def lines_kept_after_return() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "SHOKA_NOTICE_LINES_DAYS", LINES_KEPT_DAYS)))


def forget_returned_lines(library: Library, *, at: dt.datetime, actor: Actor) -> int:
    """Delete the lines of notices about loans returned more than SHOKA_NOTICE_LINES_DAYS
    (30) days ago: a line says which item a patron had overdue, a reading record that must
    not outlive the loan by more than the time to answer a question about the notice. The
    notice itself (stage, channel, dates; no item) stays in the patron's notice history."""
    with audited_atomic():
        lines = NoticeLoan.objects.filter(
            notice__library=library, loan__returned_at__lte=at - lines_kept_after_return()
        )
        count, _ = lines.delete()
        if count:
            record(
                "notices.lines_forgotten",
                ("organisation.library", library.pk),
                actor=actor,
                at=at,
                data={"lines": count},
            )
    return count


def run_notices(library: Library, *, at: dt.datetime, actor: Actor | None = None) -> NoticeReport:
    """Record today's overdue and hold-ready notices, send the emails, purge expired files
    and forget the lines of loans returned long enough ago."""
    actor = actor or Actor.system("notices")
    report = NoticeReport()
    for notice in overdue_notices(library, at=at, actor=actor) + hold_notices(
        library, at=at, actor=actor
    ):
        report.created[notice.channel] += 1
    report.emails_sent, report.emails_failed = send_pending_emails(library, at=at, actor=actor)
    report.files_purged = files.purge_expired(at=at, actor=actor)
    report.lines_forgotten = forget_returned_lines(library, at=at, actor=actor)
    return report
