"""Finding patrons although nothing personal is stored in clear: by card, phone and email
through blind indexes, by name or reading through keyed bigram tokens checked against the
decrypted values; and every staff read logged. All people here are synthetic."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest
from django.db.models import Count

from shoka.audit.models import AccessEvent, AuditEvent
from shoka.audit.verify import verify_chain
from shoka.organisation.models import Branch, Library
from shoka.patrons import indexes
from shoka.patrons.models import Patron, PatronCategory, PatronSearchToken
from shoka.patrons.services import (
    PatronData,
    _apply,
    data_of,
    find_patron_by_card,
    find_patrons_by_email,
    find_patrons_by_phone,
    register_patron,
    search_patrons_by_name,
    update_patron,
    view_patron,
)


def person(card: str, name: str, kana: str, **extra: object) -> PatronData:
    data = PatronData(
        card_number=card,
        category="adult",
        home_branch="main",
        name=name,
        name_kana=kana,
        birth_date=dt.date(1980, 4, 1),
        postal_code="390-0811",
        address="長野県松本市中央9丁目99-99 試験荘101",
        notify_channel="postcard",
    )
    return dataclasses.replace(data, **extra)


class People:
    def __init__(self, world, at: dt.datetime) -> None:
        def reg(library: Library, data: PatronData):
            return register_patron(library, data, actor=world.staff, at=at, allow_duplicate=True)

        self.world = world
        self.library = world.library
        self.hanako = reg(
            world.library,
            person(
                "100001",
                "山田 花子",
                "ヤマダ ハナコ",
                phone="0263-12-3456",
                email="hanako.test@example.jp",
            ),
        )
        self.taro = reg(
            world.library,
            person(
                "100002",
                "山田 太郎",
                "やまだ たろう",
                phone="0263-98-7654",
                email="taro.test@example.jp",
                birth_date=dt.date(1975, 1, 1),
            ),
        )
        self.ichiro = reg(
            world.library,
            person(
                "100003",
                "鈴木 一郎",
                "スズキ イチロウ",
                phone="090-1234-5678",
                birth_date=dt.date(1990, 2, 2),
            ),
        )
        # The same card number, phone, email and name in a neighbouring library.
        self.other_library = Library.objects.create(code="other", name="隣町図書館")
        Branch.objects.create(library=self.other_library, code="main", name="本館", kind="main")
        PatronCategory.objects.create(library=self.other_library, code="adult", name="一般")
        self.neighbour = reg(
            self.other_library,
            person(
                "100001",
                "山田 花子",
                "ヤマダ ハナコ",
                phone="0263-12-3456",
                email="hanako.test@example.jp",
            ),
        )
        self.only_next_door = reg(
            self.other_library, person("300001", "佐藤 試験", "サトウ シケン", phone="0263-55-5555")
        )


@pytest.fixture
def people(world, at) -> People:
    return People(world, at)


def pks(patrons) -> list[int]:
    return sorted(p.pk for p in patrons)


# --- by card ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["100001", " 100001 ", "A100001B", "a100001d", "１００００１", "Ａ１００００１Ｂ", "C100001"],
)
def test_patron_is_found_by_card_however_the_scanner_sends_it(people, typed):
    assert find_patron_by_card(people.library, typed) == people.hanako


def test_unknown_card_finds_nobody(people):
    assert find_patron_by_card(people.library, "100009") is None


def test_card_lookup_stays_within_the_library(people):
    assert find_patron_by_card(people.other_library, "100001") == people.neighbour
    assert find_patron_by_card(people.library, "300001") is None
    assert find_patron_by_card(people.library.pk, "100002") == people.taro


# --- by phone and email -----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "0263-12-3456",
        "0263123456",
        "(0263) 12-3456",
        "０２６３１２３４５６",
        "０２６３－１２－３４５６",
        "+81 263 12 3456",
        "+81-263-12-3456",
    ],
)
def test_patron_is_found_by_phone_in_any_format(people, typed):
    assert pks(find_patrons_by_phone(people.library, typed)) == [people.hanako.pk]


def test_phone_lookup_finds_nobody_for_another_number_or_a_non_number(people):
    assert not find_patrons_by_phone(people.library, "0263-12-3457").exists()
    assert not find_patrons_by_phone(people.library, "not a number").exists()
    assert not find_patrons_by_phone(people.library, "0263-55-5555").exists()  # next door


@pytest.mark.parametrize(
    "typed",
    [
        "hanako.test@example.jp",
        "hanako.test@EXAMPLE.JP",
        " hanako.test@Example.Jp ",
        "ｈａｎａｋｏ.ｔｅｓｔ＠ｅｘａｍｐｌｅ.ｊｐ",
    ],
)
def test_patron_is_found_by_email_whatever_the_case_of_the_domain(people, typed):
    assert pks(find_patrons_by_email(people.library, typed)) == [people.hanako.pk]


def test_email_local_part_is_case_sensitive_and_other_libraries_are_not_searched(people):
    assert not find_patrons_by_email(people.library, "HANAKO.TEST@example.jp").exists()
    assert pks(find_patrons_by_email(people.other_library, "hanako.test@example.jp")) == [
        people.neighbour.pk
    ]


# --- by name or reading -----------------------------------------------------------------


def test_name_search_by_a_kanji_part_finds_everyone_with_it(people):
    assert pks(search_patrons_by_name(people.library, "山田")) == pks([people.hanako, people.taro])
    assert pks(search_patrons_by_name(people.library, "一郎")) == [people.ichiro.pk]


@pytest.mark.parametrize("typed", ["山田 花子", "山田花子", "山田　花子", " 山田  花子 "])
def test_full_name_is_found_with_or_without_the_space(people, typed):
    assert pks(search_patrons_by_name(people.library, typed)) == [people.hanako.pk]


@pytest.mark.parametrize("typed", ["ヤマダ", "やまだ", "ﾔﾏﾀﾞ", "ヤマダ　"])
def test_reading_search_accepts_hiragana_katakana_and_half_width_kana(people, typed):
    assert pks(search_patrons_by_name(people.library, typed)) == pks([people.hanako, people.taro])


@pytest.mark.parametrize("typed", ["やまだ はなこ", "ヤマダハナコ", "ﾔﾏﾀﾞ ﾊﾅｺ", "はなこ"])
def test_full_reading_finds_only_that_patron(people, typed):
    assert pks(search_patrons_by_name(people.library, typed)) == [people.hanako.pk]


def test_reading_stored_in_hiragana_is_found_in_katakana(people):
    assert pks(search_patrons_by_name(people.library, "タロウ")) == [people.taro.pk]


@pytest.mark.parametrize("typed", ["田中", "スズキ ハナコ", "山田次郎", "花田", ""])
def test_name_search_has_no_false_hits(people, typed):
    assert search_patrons_by_name(people.library, typed) == []


def test_name_search_stays_within_the_library(people):
    assert pks(search_patrons_by_name(people.other_library, "山田 花子")) == [people.neighbour.pk]
    assert search_patrons_by_name(people.library, "佐藤") == []


def token_candidates(library: Library, query: str) -> set[int]:
    """The patrons whose search tokens contain every bigram of the query (before the
    decrypt-and-compare step)."""
    found: set[int] = set()
    for tokens, _form in indexes.query_tokens(query):
        found |= set(
            PatronSearchToken.objects.filter(token__in=tokens, patron__library=library)
            .values("patron_id")
            .annotate(n=Count("token", distinct=True))
            .filter(n=len(tokens))
            .values_list("patron_id", flat=True)
        )
    return found


def test_a_patron_with_the_same_bigrams_in_another_order_is_not_a_hit(people, at):
    # 田花子山田 has the bigrams 山田, 田花 and 花子 of 山田花子, and ダハナコヤマダ has all the
    # bigrams of ヤマダハナコ — but neither contains the query.
    decoy = register_patron(
        people.library,
        person("100004", "田花子 山田", "ダハナコ ヤマダ"),
        actor=people.world.staff,
        at=at,
    )

    for query in ("山田花子", "ヤマダハナコ"):
        assert decoy.pk in token_candidates(people.library, query)  # the tokens collide…
        assert pks(search_patrons_by_name(people.library, query)) == [people.hanako.pk]  # …not


def test_name_search_finds_a_renamed_patron_by_the_new_name_only(people, at):
    update_patron(
        people.hanako,
        dataclasses.replace(data_of(people.hanako), name="川上 花子", name_kana="カワカミ ハナコ"),
        actor=people.world.staff,
        at=at,
    )

    assert pks(search_patrons_by_name(people.library, "山田")) == [people.taro.pk]
    assert pks(search_patrons_by_name(people.library, "かわかみ")) == [people.hanako.pk]


# --- every staff read is logged ---------------------------------------------------------


def test_viewing_a_patron_writes_an_access_event(people, at):
    before = AuditEvent.objects.count()

    shown = view_patron(people.hanako, actor=people.world.staff, at=at, context="desk")

    assert shown == people.hanako
    event = AccessEvent.objects.get()
    assert (event.action, event.actor, event.object_type, event.object_id) == (
        "patron.viewed",
        f"user:{people.world.staff_user.pk}",
        "patrons.patron",
        str(people.hanako.pk),
    )
    assert event.at == at
    assert event.data == {"context": "desk"}
    assert AuditEvent.objects.count() == before  # the access log is its own chain
    assert verify_chain("access").ok


def test_each_view_extends_the_access_chain(people, at):
    for minutes, patron in enumerate((people.hanako, people.taro, people.hanako)):
        view_patron(patron, actor=people.world.staff, at=at + dt.timedelta(minutes=minutes))

    events = list(AccessEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert [e.object_id for e in events] == [
        str(people.hanako.pk),
        str(people.taro.pk),
        str(people.hanako.pk),
    ]
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash


# --- speed ------------------------------------------------------------------------------

SURNAMES = [
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
]
GIVEN = [
    ("一郎", "イチロウ"),
    ("次郎", "ジロウ"),
    ("花子", "ハナコ"),
    ("陽子", "ヨウコ"),
    ("健", "ケン"),
    ("翔太", "ショウタ"),
    ("美咲", "ミサキ"),
    ("大輔", "ダイスケ"),
    ("結衣", "ユイ"),
    ("蓮", "レン"),
]


def crowd(world, at: dt.datetime, n: int) -> None:
    """n synthetic patrons, encrypted and indexed by the same code as register_patron but
    written in bulk (registering them one by one takes about ten seconds)."""
    adult, main = world.categories["adult"], world.main
    patrons = []
    for i in range(n):
        surname, surname_kana = SURNAMES[i % 10]
        given, given_kana = GIVEN[(i // 10) % 10]
        patron = Patron(
            library=world.library,
            category=adult,
            home_branch=main,
            registered_on=at.date(),
            expires_on=at.date().replace(year=2029),
            created_at=at,
            updated_at=at,
        )
        _apply(
            patron,
            PatronData(
                card_number=str(500000 + i),
                category="adult",
                home_branch="main",
                name=f"{surname} {given}",
                name_kana=f"{surname_kana} {given_kana}",
                birth_date=dt.date(1940, 1, 1) + dt.timedelta(days=i),
                address=f"試験町{i}番地",
            ),
        )
        patrons.append(patron)
    Patron.objects.bulk_create(patrons)
    PatronSearchToken.objects.bulk_create(
        PatronSearchToken(patron=p, token=t)
        for p in patrons
        for t in indexes.name_tokens(p.name, p.name_kana)
    )


def test_name_search_among_a_thousand_patrons_is_fast(world, at):
    crowd(world, at, 999)
    wanted = register_patron(
        world.library, person("599999", "山田 花子", "ヤマダ ハナコ"), actor=world.staff, at=at
    )

    timings = {}
    for query in ("山田 花子", "やまだ", "田中 花子", "ｽｽﾞｷ"):
        t0 = time.perf_counter()
        found = search_patrons_by_name(world.library, query)
        timings[query] = (time.perf_counter() - t0) * 1000
        assert found, query
    print(
        "name search among 1,000 patrons (ms):",
        ", ".join(f"{q}: {ms:.1f}" for q, ms in timings.items()),
    )

    assert pks(search_patrons_by_name(world.library, "山田 花子")) == [wanted.pk]
    assert len(search_patrons_by_name(world.library, "田中 花子")) == 10
    assert max(timings.values()) < 1000


def test_a_one_kanji_surname_is_found_on_its_own(world):
    hayashi = world.patron("林 花子", "ハヤシ ハナコ", birth_date=dt.date(1970, 1, 1))
    world.patron("小林 一郎", "コバヤシ イチロウ", birth_date=dt.date(1971, 1, 1))
    world.patron("森 太郎", "モリ タロウ", birth_date=dt.date(1972, 1, 1))
    found = {p.pk for p in search_patrons_by_name(world.library, "林")}
    assert hayashi.pk in found and len(found) == 2  # 林 and 小林, not 森
