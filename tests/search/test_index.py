"""Keeping the index true to the database: the queue, the single writer, catch-up after a
crash, rebuild, and the drift check."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from shoka.catalogue.models import Bib
from shoka.catalogue.services import BibData, update_bib
from shoka.circulation import services as circ
from shoka.search.indexer import IndexWriter, check
from shoka.search.models import IndexChange
from shoka.search.service import SearchRequest, SearchService

from ..conftest import AT


def test_a_new_record_is_queued_in_its_own_transaction_and_found_after_catch_up(world, index):
    bib = world.bib("これからの本の話をしよう", "コレカラ ノ ホン ノ ハナシ オ シヨウ")
    assert IndexChange.objects.filter(bib_id=bib.pk).exists()
    index.catch_up()
    assert not IndexChange.objects.exists()
    assert index.ids("これから") == [bib.pk]


def test_an_edit_replaces_the_indexed_document(world, index):
    bib = world.bib("古い書名", "フルイ ショメイ")
    index.catch_up()
    update_bib(
        bib,
        BibData(title="新しい書名", title_reading="アタラシイ ショメイ"),
        actor=world.staff,
        at=AT,
    )
    index.catch_up()
    assert index.ids("古い") == []
    assert index.ids("新しい") == [bib.pk]
    assert index.search("書名").total == 1  # replaced, not duplicated


def test_a_checkout_changes_the_availability_facet(world, index):
    item = world.item(world.bib("貸出の本", "カシダシ ノ ホン"))
    patron = world.patron()
    index.catch_up()
    assert index.ids("貸出", filters={"availability": ("available",)}) == [item.bib_id]
    circ.checkout(item.barcode, patron.card_number, branch=world.main, actor=world.staff, at=AT)
    index.catch_up()
    assert index.ids("貸出", filters={"availability": ("available",)}) == []
    assert index.ids("貸出", filters={"availability": ("on_loan",)}) == [item.bib_id]


def test_a_deleted_record_leaves_the_index(world, index):
    bib = world.bib("消える本", "キエル ホン")
    index.catch_up()
    bib_id = bib.pk
    IndexChange.objects.create(bib_id=bib_id)
    Bib.objects.filter(pk=bib_id).delete()
    index.catch_up()
    assert index.ids("消える") == []


def test_only_one_writer_at_a_time(world, index):
    with IndexWriter(index.path, heap=15_000_000, threads=1):
        with pytest.raises(RuntimeError, match="another index writer"):
            IndexWriter(index.path, heap=15_000_000, threads=1)


def test_queued_changes_survive_a_crash_and_are_applied_on_start(world, index):
    index.catch_up()  # an empty index exists
    bib = world.bib("停電の夜に", "テイデン ノ ヨル ニ")
    # The writer "crashed" before applying: the queue row is still there after restart.
    assert IndexChange.objects.filter(bib_id=bib.pk).exists()
    index.catch_up()
    assert index.ids("停電") == [bib.pk]


def test_check_reports_missing_stale_and_extra_documents(world, index):
    kept = world.bib("正しい本", "タダシイ ホン")
    stale = world.bib("変わる本", "カワル ホン")
    gone = world.bib("なくなる本", "ナクナル ホン")
    index.catch_up()
    assert check(index.path).ok
    missing = world.bib("索引にない本", "サクイン ニ ナイ ホン")  # queued, not applied
    Bib.objects.filter(pk=stale.pk).update(title="こっそり変えた本")  # bypasses the queue
    gone_id = gone.pk
    Bib.objects.filter(pk=gone_id).delete()
    drift = check(index.path)
    assert drift.missing == [missing.pk]
    assert drift.stale == [stale.pk]
    assert drift.extra == [gone_id]
    assert drift.queued >= 1
    assert not drift.ok
    with IndexWriter(index.path, heap=15_000_000, threads=1) as writer:
        writer.rebuild()
    assert check(index.path).ok
    assert kept.pk in index.ids("正しい")


def test_rebuild_indexes_every_record_once(world, index):
    bibs = [world.bib(f"第{n}の物語", f"ダイ{n} ノ モノガタリ") for n in range(1, 31)]
    with IndexWriter(index.path, heap=15_000_000, threads=1) as writer:
        assert writer.rebuild(chunk=7) == 30
    assert not IndexChange.objects.exists()
    assert index.search("物語").total == 30
    assert sorted(index.ids("物語")) == sorted(b.pk for b in bibs)


@pytest.mark.django_db(transaction=True)
def test_a_desk_change_reaches_the_index_within_a_second(world, index):
    """The index writer runs beside the desk (here in a thread with its own database
    connection); the desk only queues the change and never waits for the index."""
    item = world.item(world.bib("すぐに見つかる本", "スグニ ミツカル ホン"))
    patron = world.patron()
    writer = IndexWriter(index.path, heap=15_000_000, threads=1)
    stop = threading.Event()

    def run() -> None:
        try:
            writer.run(stop, interval=0.05)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        service = SearchService(index.path)
        deadline = time.monotonic() + 5
        while not service.search(SearchRequest(q="すぐに見つかる")).total:
            assert time.monotonic() < deadline, "the writer never caught up"
            time.sleep(0.02)
        started = time.perf_counter()
        desk = time.perf_counter()
        circ.checkout(item.barcode, patron.card_number, branch=world.main, actor=world.staff, at=AT)
        desk = time.perf_counter() - desk
        on_loan = SearchRequest(q="すぐに見つかる", filters={"availability": ("on_loan",)})
        while not service.search(on_loan).total:
            assert time.perf_counter() - started < 1.0, "not visible within a second"
            time.sleep(0.01)
        assert desk < 0.5  # the checkout did not wait for indexing
    finally:
        stop.set()
        thread.join()
        writer.close()


def test_an_index_of_another_schema_version_is_refused_until_rebuilt(world, index):
    import json

    from shoka.search.engine import META_FILE, SearchIndexError

    world.bib("版の違う索引", "ハン ノ チガウ サクイン")
    index.catch_up()
    meta = index.path / META_FILE
    meta.write_text(json.dumps({"schema_version": 0}))
    with pytest.raises(SearchIndexError, match="shoka index rebuild"):
        index.search("索引")
    with pytest.raises(SearchIndexError):
        IndexWriter(index.path, heap=15_000_000, threads=1)
    with IndexWriter(index.path, heap=15_000_000, threads=1, replace_incompatible=True) as writer:
        assert writer.rebuild() == 1
    assert index.search("索引").total == 1


def test_a_long_queue_is_committed_in_a_few_commits_and_dequeued_only_after_them(world, index):
    bibs = [world.bib(f"長い列の本{n}", f"ナガイ レツ ノ ホン{n}") for n in range(7)]
    commits = []
    with IndexWriter(index.path, heap=15_000_000, threads=1) as writer:
        real_commit = writer.writer.commit

        def counting_commit():
            # each commit sees every queue row it covers still queued
            commits.append(IndexChange.objects.count())
            return real_commit()

        writer.writer = _Spy(writer.writer, commit=counting_commit)
        result = writer.catch_up(batch=2, commit_docs=4, commit_seconds=3600)
    assert result.records == 7 and result.batches == 4
    assert commits == [7, 3]  # after 4 queue rows, then when drained
    assert not IndexChange.objects.exists()
    assert sorted(index.ids("長い列")) == sorted(b.pk for b in bibs)


def test_a_queue_row_committed_late_with_a_lower_id_is_taken_by_the_next_catch_up(world, index):
    first = world.bib("先の本", "サキ ノ ホン")
    second = world.bib("後の本", "アト ノ ホン")
    late = IndexChange.objects.get(bib_id=first.pk)
    late.delete()  # as if its transaction had not committed yet when the writer read past it
    index.catch_up()
    assert index.ids("後の本") == [second.pk] and index.ids("先の本") == []
    IndexChange.objects.create(id=late.id, bib_id=first.pk)  # now it commits, id below
    index.catch_up()
    assert index.ids("先の本") == [first.pk]
    assert not IndexChange.objects.exists()


class _Spy:
    """tantivy's writer with one method replaced (its class cannot be patched)."""

    def __init__(self, target, **methods) -> None:
        self._target, self._methods = target, methods

    def __getattr__(self, name):
        return self._methods.get(name) or getattr(self._target, name)


def test_a_batch_replaces_and_removes_only_its_own_documents_even_when_applied_twice(world, index):
    kept = world.bib("残る棚の本", "ノコル タナ ノ ホン")
    changed = world.bib("変わる棚の本", "カワル タナ ノ ホン")
    gone = world.bib("消える棚の本", "キエル タナ ノ ホン")
    index.catch_up()
    # One batch: a record queued twice (as after a crash between the index commit and the
    # dequeue, which re-applies the rows) and a deleted one; the third is not in the batch.
    IndexChange.objects.create(bib_id=changed.pk)
    IndexChange.objects.create(bib_id=changed.pk)
    IndexChange.objects.create(bib_id=gone.pk)
    Bib.objects.filter(pk=gone.pk).delete()
    index.catch_up()
    assert sorted(index.ids("棚")) == sorted([kept.pk, changed.pk])
    assert index.search("棚").total == 2  # no duplicate of the re-applied record
