"""The daily notices job: the right notice at each stage, and a second run sends nothing."""

from __future__ import annotations

import pytest
from django.core import mail

from shoka.audit.models import AuditEvent
from shoka.notices.daily import run_notices
from shoka.notices.models import LadderStage, Notice, NoticeLoan

from .conftest import at_day


def _notices(patron) -> list[tuple[int, str, str]]:
    return list(
        Notice.objects.filter(patron=patron)
        .order_by("pk")
        .values_list("stage", "channel", "status")
    )


def test_an_email_patron_climbs_the_whole_ladder_once(world, borrowers):
    hanako = borrowers.patron(email="hanako@example.jp", notify_channel="email")
    loan = borrowers.lend(hanako)
    expected = []
    for days_late, stage, channel, status in [
        (1, 1, "email", "sent"),
        (14, 2, "postcard", "pending"),
        (30, 3, "phone", "pending"),
        (60, 4, "letter", "pending"),
        (90, 5, "review", "pending"),
    ]:
        first = run_notices(world.library, at=at_day(loan.due_on, days_late))
        again = run_notices(world.library, at=at_day(loan.due_on, days_late).replace(hour=15))
        expected.append((stage, channel, status))
        assert _notices(hanako) == expected
        assert sum(first.created.values()) == 1
        assert sum(again.created.values()) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hanako@example.jp"]


def test_the_day_before_the_first_stage_nothing_happens(world, borrowers):
    loan = borrowers.lend(borrowers.patron(email="a@example.jp", notify_channel="email"))
    report = run_notices(world.library, at=at_day(loan.due_on, 0))
    assert sum(report.created.values()) == 0


def test_a_postcard_patron_gets_no_email_and_a_postcard_after_two_weeks(world, borrowers):
    taro = borrowers.patron("佐藤 太郎", "サトウ タロウ")
    loan = borrowers.lend(taro)
    run_notices(world.library, at=at_day(loan.due_on, 1))
    assert _notices(taro) == []
    run_notices(world.library, at=at_day(loan.due_on, 14))
    assert _notices(taro) == [(2, "postcard", "pending")]


def test_several_overdue_loans_share_one_notice(world, borrowers):
    taro = borrowers.patron("佐藤 太郎", "サトウ タロウ")
    first, second = borrowers.lend(taro, "一冊目"), borrowers.lend(taro, "二冊目")
    run_notices(world.library, at=at_day(first.due_on, 14))
    notice = Notice.objects.get(patron=taro)
    assert sorted(notice.lines.values_list("loan_id", flat=True)) == [first.pk, second.pk]


def test_a_returned_loan_gets_no_further_notice(world, borrowers):
    from shoka.circulation import services

    taro = borrowers.patron("佐藤 太郎", "サトウ タロウ")
    loan = borrowers.lend(taro)
    run_notices(world.library, at=at_day(loan.due_on, 14))
    services.checkin(
        loan.item.barcode, branch=world.main, actor=world.staff, at=at_day(loan.due_on, 20)
    )
    run_notices(world.library, at=at_day(loan.due_on, 30))
    assert _notices(taro) == [(2, "postcard", "pending")]


def test_a_childs_notice_goes_to_the_guardian(world, borrowers):
    ken = borrowers.patron("山田 健", "ヤマダ ケン", category="child", birth_date=None)
    loan = borrowers.lend(ken)
    run_notices(world.library, at=at_day(loan.due_on, 14))
    notice = Notice.objects.get(patron=ken)
    assert notice.to_guardian and notice.channel == "postcard"


def test_a_category_can_have_a_ladder_of_its_own(world, borrowers):
    for stage, days, channel in [(1, 7, "letter"), (2, 21, "phone")]:
        LadderStage.objects.create(
            library=world.library,
            patron_category=world.categories["child"],
            stage=stage,
            days=days,
            channel=channel,
        )
    ken = borrowers.patron("山田 健", "ヤマダ ケン", category="child", birth_date=None)
    adult = borrowers.patron("佐藤 太郎", "サトウ タロウ")
    loan = borrowers.lend(ken)
    borrowers.lend(adult)
    run_notices(world.library, at=at_day(loan.due_on, 7))
    assert _notices(ken) == [(1, "letter", "pending")]
    assert _notices(adult) == []  # the default ladder: nothing by post before day 14


def test_without_an_address_the_postcard_becomes_a_phone_call(world, borrowers):
    jiro = borrowers.patron(
        "鈴木 次郎", "スズキ ジロウ", postal_code=None, address=None, notify_channel="phone"
    )
    loan = borrowers.lend(jiro)
    run_notices(world.library, at=at_day(loan.due_on, 14))
    assert _notices(jiro) == [(2, "phone", "pending")]


def test_the_notice_rows_hold_ids_and_no_personal_data(world, borrowers):
    hanako = borrowers.patron(email="hanako@example.jp", notify_channel="email")
    loan = borrowers.lend(hanako, "秘密の花園")
    run_notices(world.library, at=at_day(loan.due_on, 14))
    rows = str(list(Notice.objects.values())) + str(list(NoticeLoan.objects.values()))
    rows += str(list(AuditEvent.objects.filter(action__startswith="notice").values("data")))
    for personal in ("山田", "花子", "hanako", "秘密", "松本", "3900811", hanako.card_number):
        assert personal not in rows
    assert f"'loan_id': {loan.pk}" in rows


@pytest.mark.parametrize("days_late", [1, 14])
def test_the_job_records_who_made_each_notice(world, borrowers, days_late):
    hanako = borrowers.patron(email="hanako@example.jp", notify_channel="email")
    loan = borrowers.lend(hanako)
    run_notices(world.library, at=at_day(loan.due_on, days_late))
    notice = Notice.objects.get(patron=hanako)
    assert notice.created_by == "system:notices"
    assert AuditEvent.objects.filter(action="notice.created", object_id=str(notice.pk)).exists()


def _ready_hold(world, patron, at):
    from shoka.circulation import services

    item = world.item(world.bib("予約の本"))
    hold = services.place_hold(item.bib, patron, pickup_branch=world.east, actor=world.staff, at=at)
    services.checkin(item.barcode, branch=world.east, actor=world.staff, at=at)
    hold.refresh_from_db()
    return hold


def test_a_ready_hold_gets_one_notice_by_the_patrons_choice(world, borrowers, at):
    hanako = borrowers.patron(email="hanako@example.jp", notify_channel="email")
    hold = _ready_hold(world, hanako, at)
    assert hold.status == "ready"
    run_notices(world.library, at=at)
    run_notices(world.library, at=at.replace(hour=17))
    assert list(Notice.objects.filter(hold=hold).values_list("kind", "channel", "status")) == [
        ("hold_ready", "email", "sent")
    ]
    [message] = mail.outbox
    assert hold.pickup_number in message.body and "東分館" in message.body
    assert "予約の本" not in message.subject


def test_a_ready_hold_for_a_postcard_patron_waits_for_the_printer(world, borrowers, at):
    taro = borrowers.patron("佐藤 太郎", "サトウ タロウ")
    hold = _ready_hold(world, taro, at)
    run_notices(world.library, at=at)
    assert Notice.objects.get(hold=hold).channel == "postcard"


def test_the_lines_of_a_returned_loan_are_forgotten_after_thirty_days(world, borrowers):
    from shoka.circulation import services
    from shoka.notices.printing import NothingToPrintError, print_batch, reprint_batch

    taro = borrowers.patron("佐藤 太郎", "サトウ タロウ")
    loan = borrowers.lend(taro)
    run_notices(world.library, at=at_day(loan.due_on, 14))
    printed = print_batch(world.library, "postcard", at=at_day(loan.due_on, 14), actor=world.staff)
    returned = at_day(loan.due_on, 20)
    services.checkin(loan.item.barcode, branch=world.main, actor=world.staff, at=returned)
    run_notices(world.library, at=at_day(loan.due_on, 20 + 29))
    assert NoticeLoan.objects.filter(notice__patron=taro).count() == 1  # still kept
    report = run_notices(world.library, at=at_day(loan.due_on, 20 + 31))
    assert report.lines_forgotten == 1
    assert not NoticeLoan.objects.filter(notice__patron=taro).exists()
    assert _notices(taro) == [(2, "postcard", "sent")]  # the notice itself stays
    assert AuditEvent.objects.get(action="notices.lines_forgotten").data == {"lines": 1}
    with pytest.raises(NothingToPrintError):  # its letter no longer knows what it was about
        reprint_batch(world.library, printed[2], at=returned, actor=world.staff)
