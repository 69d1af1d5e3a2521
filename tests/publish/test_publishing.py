"""The staff side: desk actions queue their records, the builder copies only the allowlist
into numbered, signed changesets, and the publisher pushes them over real HTTP to a live
OPAC with a database of its own."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.utils import timezone

from shoka.circulation import services
from shoka.publish import allowlist
from shoka.publish.builder import build_full, build_pending, public_records
from shoka.publish.delivery import DeliveryError, push
from shoka.publish.models import Changeset, PublishChange, PublishTarget
from shoka.publish.signing import canonical, public_key_text, verify

from ..conftest import AT


def publish(opac, signing_key, *, full: bool = False):
    built = (build_full if full else build_pending)(key=signing_key)
    target = PublishTarget.objects.get(name="opac")
    return built, push(target, opac.url, sleep=lambda _s: None)


def items_on_opac(opac, bib_id: int) -> list[tuple]:
    return [
        (r[0], None if r[1] is None else str(r[1]))
        for r in opac.query(
            "SELECT status, due_on FROM public_publicitem WHERE record_id = ? ORDER BY id", bib_id
        )
    ]


def test_every_desk_change_queues_its_record_for_publishing(world):
    item = world.item(world.bib("吾輩は猫である", "ワガハイ ワ ネコ デアル"))
    patron = world.patron()
    PublishChange.objects.all().delete()
    services.checkout(item.barcode, patron, branch=world.main, actor=world.staff, at=AT)
    assert set(PublishChange.objects.values_list("bib_id", flat=True)) == {item.bib_id}
    PublishChange.objects.all().delete()
    services.renew(item.barcode, branch=world.main, actor=world.staff, at=AT)
    assert set(PublishChange.objects.values_list("bib_id", flat=True)) == {item.bib_id}
    PublishChange.objects.all().delete()
    services.place_hold(
        item.bib, world.patron("佐藤 次郎", "サトウ ジロウ"), pickup_branch=world.main,
        actor=world.staff, at=AT,
    )  # fmt: skip
    assert set(PublishChange.objects.values_list("bib_id", flat=True)) == {item.bib_id}


def test_public_records_carry_exactly_the_allowlist_and_nothing_about_the_borrower(
    world, signing_key
):
    item = world.item(world.bib("こころ", "ココロ"))
    patron = world.patron("鈴木 一子", "スズキ イチコ")
    loan = services.checkout(item.barcode, patron, branch=world.main, actor=world.staff, at=AT)
    [record], deleted = public_records([item.bib_id])
    assert deleted == []
    assert set(record) == set(allowlist.RECORD_FIELDS)
    assert [set(i) for i in record["items"]] == [set(allowlist.ITEM_FIELDS)]
    assert record["items"][0]["status"] == "on_loan"
    assert record["items"][0]["due_on"] == loan.loan.due_on.isoformat()
    [changeset] = build_pending(key=signing_key)
    body = changeset.body
    for private in ("鈴木", "スズキ", patron.card_number, item.barcode, "長野県松本市"):
        assert private not in body
    assert verify(signing_key.public_key(), body.encode(), changeset.signature)
    assert body.encode() == canonical(json.loads(body))


def test_changesets_are_numbered_per_target_without_gaps(world, signing_key):
    world.item(world.bib("一"))
    first = build_pending(key=signing_key)
    world.item(world.bib("二"))
    second = build_pending(key=signing_key)
    assert [c.sequence for c in first + second] == [1, 2]
    assert build_pending(key=signing_key) == []  # nothing queued, nothing built
    assert PublishTarget.objects.get(name="opac").last_sequence == 2


def test_a_checkout_reaches_the_opac_over_http_within_five_seconds(world, signing_key, opac):
    item = world.item(world.bib("坊っちゃん", "ボッチャン"))
    publish(opac, signing_key, full=True)
    assert items_on_opac(opac, item.bib_id) == [("available", None)]
    started = time.monotonic()
    result = services.checkout(
        item.barcode, world.patron(), branch=world.main, actor=world.staff, at=AT
    )
    built, report = publish(opac, signing_key)
    assert time.monotonic() - started < 5
    assert len(built) == 1 and report.sent == 1
    assert items_on_opac(opac, item.bib_id) == [("on_loan", result.loan.due_on.isoformat())]
    assert Changeset.objects.filter(delivered_at__isnull=True).count() == 0


def test_a_hold_and_a_return_update_the_queue_length_and_status(world, signing_key, opac):
    item = world.item(world.bib("羅生門", "ラショウモン"))
    services.checkout(item.barcode, world.patron(), branch=world.main, actor=world.staff, at=AT)
    services.place_hold(
        item.bib, world.patron("佐藤 次郎", "サトウ ジロウ"), pickup_branch=world.main,
        actor=world.staff, at=AT,
    )  # fmt: skip
    publish(opac, signing_key, full=True)
    assert opac.query("SELECT hold_queue FROM public_publicrecord WHERE id = ?", item.bib_id) == [
        (1,)
    ]
    services.checkin(item.barcode, branch=world.main, actor=world.staff, at=AT)
    publish(opac, signing_key)
    assert items_on_opac(opac, item.bib_id) == [("on_hold_shelf", None)]


def test_the_publisher_resends_what_the_opac_missed(world, signing_key, opac):
    """Changesets built while the OPAC was unreachable (never sent) are sent in order."""
    a = world.item(world.bib("甲"))
    publish(opac, signing_key, full=True)
    b = world.item(world.bib("乙"))
    build_pending(key=signing_key)  # built, not delivered
    c = world.item(world.bib("丙"))
    built, report = publish(opac, signing_key)
    assert len(built) == 1 and report.sent == 2 and report.already_there == 0
    for item in (a, b, c):
        assert items_on_opac(opac, item.bib_id) == [("available", None)]
    # Sending again changes nothing: everything is acknowledged as there.
    _, again = publish(opac, signing_key)
    assert again.sent == 0


def test_a_full_republish_brings_a_fresh_opac_up_to_date(world, signing_key, opac):
    items = [world.item(world.bib(f"全件 {n}")) for n in range(2)]
    build_pending(key=signing_key)  # changeset 1, which the fresh OPAC never saw…
    Changeset.objects.filter(sequence=1).delete()  # …and which is no longer kept here
    items.append(world.item(world.bib("全件 2")))
    build_pending(key=signing_key)  # changeset 2
    with pytest.raises(DeliveryError, match="shoka publish --full"):
        push(PublishTarget.objects.get(name="opac"), opac.url, sleep=lambda _s: None)
    progress: list[tuple[int, int]] = []
    built = build_full(key=signing_key, progress=lambda d, t: progress.append((d, t)))
    assert json.loads(built[0].body)["resync"] is True
    assert progress[-1] == (3, 3)
    push(PublishTarget.objects.get(name="opac"), opac.url, sleep=lambda _s: None)
    for item in items:
        assert items_on_opac(opac, item.bib_id) == [("available", None)]
    assert opac.expected() == built[-1].sequence + 1


def test_an_unreachable_opac_is_retried_then_reported(world, signing_key):
    world.item(world.bib("届かない"))
    build_pending(key=signing_key)
    pauses: list[float] = []
    with pytest.raises(DeliveryError, match="after 3 tries"):
        push(
            PublishTarget.objects.get(name="opac"),
            "http://127.0.0.1:9/publish/",
            tries=3,
            sleep=pauses.append,
        )
    assert pauses == [0.5, 1.0]
    assert Changeset.objects.filter(delivered_at__isnull=True).count() == 1


def test_a_changeset_signed_with_a_key_the_opac_does_not_trust_is_reported(world, opac, tmp_path):
    from shoka.publish.signing import generate_key_file

    other = generate_key_file(tmp_path / "other.pem")
    assert public_key_text(other) != ""
    world.item(world.bib("別の鍵"))
    build_pending(key=other)
    with pytest.raises(DeliveryError, match="signature does not match"):
        push(PublishTarget.objects.get(name="opac"), opac.url, sleep=lambda _s: None)


def test_a_full_republish_is_built_in_numbered_chunks_and_covers_the_queue(
    world, signing_key, monkeypatch
):
    from shoka.publish import builder

    monkeypatch.setattr(builder, "RECORDS_PER_CHANGESET", 2)
    bibs = [world.bib(f"分割 {n}") for n in range(5)]
    assert PublishChange.objects.count() >= 5
    built = build_full(key=signing_key)
    assert [c.sequence for c in built] == [1, 2, 3]
    assert [c.resync for c in built] == [True, False, False]
    published = [r["id"] for c in built for r in json.loads(c.body)["records"]]
    assert published == sorted(b.pk for b in bibs)
    assert PublishChange.objects.count() == 0


def test_shoka_publish_full_then_incremental_from_the_command_line(world, signing_key, opac):
    from click.testing import CliRunner

    from shoka.cli import main

    item = world.item(world.bib("走れメロス", "ハシレ メロス"))
    runner = CliRunner()
    full = runner.invoke(main, ["publish", "--full", "--url", opac.url])
    assert full.exit_code == 0, full.output
    assert "1 applied by the OPAC" in full.output
    services.checkout(item.barcode, world.patron(), branch=world.main, actor=world.staff, at=AT)
    again = runner.invoke(main, ["publish", "--url", opac.url, "--quiet"])
    assert again.exit_code == 0, again.output
    assert items_on_opac(opac, item.bib_id)[0][0] == "on_loan"
    refused = runner.invoke(main, ["publish", "--url", "ftp://opac.example.jp/"])
    assert refused.exit_code == 1 and "https:// or http://" in refused.output


def test_shoka_publish_key_prints_the_public_half_only(signing_key):
    from click.testing import CliRunner

    from shoka.cli import main

    result = CliRunner().invoke(main, ["publish", "key"])
    assert result.exit_code == 0, result.output
    assert public_key_text(signing_key) in result.output
    assert "PRIVATE" not in result.output


def test_branches_and_their_calendar_are_published_when_they_change(world, signing_key):
    from shoka.organisation.models import ClosedPeriod

    world.main.address, world.main.phone = "書架市中央一丁目1番1号", "0120-000-101"
    world.main.opening_hours = [None] + [["09:00", "19:00"]] * 6
    world.main.save()
    world.item(world.bib("一"))
    [first] = build_pending(key=signing_key)
    branches = json.loads(first.body)["branches"]
    assert [b["code"] for b in branches] == ["main", "east", "bm"]  # main first, then by kind
    main = branches[0]
    assert (main["address"], main["hours"][1]) == ("書架市中央一丁目1番1号", ["09:00", "19:00"])
    days = {d["date"]: d for d in main["days"]}
    assert len(days) == allowlist.CALENDAR_PAST_DAYS + allowlist.CALENDAR_DAYS + 1
    assert build_pending(key=signing_key) == []  # nothing queued and the branches unchanged
    closed_on = timezone.localdate() + dt.timedelta(days=10)
    ClosedPeriod.objects.create(
        library=world.library, branch=world.main, start=closed_on, end=closed_on,
        reason="館内工事",
    )  # fmt: skip
    [second] = build_pending(key=signing_key)
    body = json.loads(second.body)
    assert body["records"] == [] and body["branches"] is not None
    day = {d["date"]: d for d in body["branches"][0]["days"]}[closed_on.isoformat()]
    assert day == {
        "date": closed_on.isoformat(), "open": False, "opens": None, "closes": None,
        "closure": "closed", "reason": "館内工事",
    }  # fmt: skip


def test_the_loan_count_counts_a_years_loans_of_every_copy(world, signing_key):
    bib = world.bib("人気の本")
    long_ago, first, second = world.item(bib), world.item(bib), world.item(bib)
    now = timezone.now()
    services.checkout(
        long_ago.barcode, world.patron(), branch=world.main, actor=world.staff,
        at=now - dt.timedelta(days=allowlist.LOAN_COUNT_DAYS + 5),
    )  # fmt: skip
    for item in (first, second):
        patron = world.patron()
        services.checkout(item.barcode, patron, branch=world.main, actor=world.staff, at=now)
    [record], _ = public_records([bib.id])
    assert record["loan_count"] == 2  # the loan of more than a year ago is not counted


def test_a_long_queue_is_built_in_changesets_of_their_own(world, signing_key, monkeypatch):
    from shoka.publish import builder

    monkeypatch.setattr(builder, "RECORDS_PER_CHANGESET", 2)
    bibs = [world.bib(f"本{n}") for n in range(5)]
    built = build_pending(key=signing_key)
    assert [c.records for c in built] == [2, 2, 1]
    assert [json.loads(c.body)["branches"] is not None for c in built] == [True, False, False]
    assert {r["id"] for c in built for r in json.loads(c.body)["records"]} == {b.id for b in bibs}
    assert not PublishChange.objects.exists()
