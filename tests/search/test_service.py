"""The search service: the query language, fielded queries, facets, sorting, pagination."""

from __future__ import annotations

import pytest

from shoka.catalogue.services import ContributorData
from shoka.search.service import QueryError


@pytest.fixture
def shelf(world, index):
    """A handful of records, indexed."""
    w = world
    books = {
        "kokoro": w.bib(
            "こゝろ",
            "ココロ",
            contributors=[ContributorData("夏目, 漱石", "ナツメ, ソウセキ", "著")],
            publisher="架空書房",
            year=2014,
            ndc="913.6",
            isbns=["978-4-8399-1236-9"],
        ),
        "cheese": w.bib(
            "チーズはどこへ消えた?",
            "チーズ ワ ドコ エ キエタ",
            contributors=[ContributorData("ジョンソン, スペンサー", "ジョンソン, スペンサー")],
            year=2000,
            ndc="159",
        ),
        "marx": w.bib(
            "若者よ、マルクスを読もう",
            "ワカモノ ヨ マルクス オ ヨモウ",
            year=2010,
            ndc="309.3",
            subjects=["マルクス主義"],
        ),
        "python": w.bib(
            "Python入門 第3版",
            "パイソン ニュウモン",
            year=2021,
            ndc="007.64",
            material_type="book",
            language="jpn",
        ),
        "english": w.bib(
            "The history of Japanese libraries",
            "",
            year=1999,
            ndc="010.21",
            language="eng",
        ),
        "cd": w.bib("こころの歌", "ココロ ノ ウタ", year=2005, ndc="767", material_type="cd"),
    }
    w.item(books["kokoro"])
    w.item(books["kokoro"], branch=w.east)
    w.item(books["cd"], branch=w.east, loan_category="av")
    index.catch_up()
    return {k: v.pk for k, v in books.items()}


def test_every_word_must_match(index, shelf):
    assert index.ids("マルクス 若者") == [shelf["marx"]]
    assert index.ids("マルクス 夏目") == []


def test_a_known_title_comes_first_even_when_others_contain_it(index, shelf):
    assert index.ids("こころ")[0] == shelf["kokoro"]
    assert set(index.ids("こころ")) == {shelf["kokoro"], shelf["cd"]}


def test_quoted_phrases_keep_word_order(index, shelf):
    assert index.ids('"history of japanese"') == [shelf["english"]]
    assert index.ids('"japanese history"') == []
    assert index.ids("japanese history") == [shelf["english"]]


@pytest.mark.parametrize(
    ("query", "book"),
    [
        ("title:こころ", "kokoro"),
        ("author:夏目", "kokoro"),
        ("author:なつめ", "kokoro"),
        ("著者:ナツメ", "kokoro"),
        ("publisher:架空", "kokoro"),
        ("subject:マルクス主義", "marx"),
        ("isbn:4-8399-1236-X", "kokoro"),
        ("isbn:9784839912369", "kokoro"),
        ("483991236x", "kokoro"),
        ("978-4-8399-1236-9", "kokoro"),
        ("ndc:913", "kokoro"),
        ("ndc:9", "kokoro"),
        ("ｔｉｔｌｅ：こころ", "kokoro"),
    ],
)
def test_fielded_queries(index, shelf, query, book):
    assert index.ids(query)[0] == shelf[book]


def test_a_field_prefix_limits_the_search_to_that_field(index, shelf):
    assert index.ids("author:こころ") == []


def test_year_ranges(index, shelf):
    assert set(index.ids("year:2000-2010")) == {shelf["cheese"], shelf["marx"], shelf["cd"]}
    assert set(index.ids("year:2014-")) == {shelf["kokoro"], shelf["python"]}
    assert index.ids("year:-1999") == [shelf["english"]]
    assert index.ids("year:2021") == [shelf["python"]]
    with pytest.raises(QueryError, match="year:abc"):
        index.search("year:abc")


def test_a_minus_leaves_records_out(index, shelf):
    assert index.ids("こころ -歌") == [shelf["kokoro"]]


def test_punctuation_only_finds_nothing_instead_of_everything(index, shelf):
    assert index.search("、。！").total == 0


def test_an_empty_query_with_a_filter_lists_the_filtered_records(index, shelf):
    assert index.ids("", filters={"material_type": ("cd",)}) == [shelf["cd"]]
    assert index.ids("", filters={"language": ("eng",)}) == [shelf["english"]]
    assert index.search("").total == 6


def test_facets_count_the_whole_result(index, shelf):
    facets = index.search("", facets=True).facets
    assert {f.value: f.count for f in facets["material_type"]} == {"book": 5, "cd": 1}
    assert {f.value: f.count for f in facets["language"]} == {"jpn": 5, "eng": 1}
    assert {f.value: f.count for f in facets["ndc1"]}["9"] == 1
    assert {f.value: f.count for f in facets["branch"]} == {"main": 1, "east": 2}
    assert {f.value: f.count for f in facets["availability"]} == {"available": 2, "none": 4}
    assert {f.value: f.count for f in facets["year"]} == {
        "2020s": 1,
        "2010s": 2,
        "2000s": 2,
        "1990s": 1,
    }


def test_filters_narrow_by_branch_and_availability(index, shelf):
    assert index.ids("こころ", filters={"branch": ("east",)}, sort="title") == [
        shelf["kokoro"],
        shelf["cd"],
    ]
    assert index.ids("", filters={"branch": ("main",), "availability": ("available",)}) == [
        shelf["kokoro"]
    ]
    with pytest.raises(QueryError, match="unknown filter"):
        index.search("", filters={"patron": ("x",)})


def test_sorting_by_newest_and_by_reading(index, shelf):
    newest = index.ids("", sort="newest")
    assert newest[:2] == [shelf["python"], shelf["kokoro"]]
    by_reading = index.ids("", sort="title")
    # ココロ < ココロ ノ ウタ < チーズ … < パイソン < ワカモノ (gojūon order of readings)
    assert by_reading.index(shelf["kokoro"]) < by_reading.index(shelf["cd"])
    assert by_reading.index(shelf["cd"]) < by_reading.index(shelf["cheese"])
    assert by_reading.index(shelf["cheese"]) < by_reading.index(shelf["python"])
    assert by_reading.index(shelf["python"]) < by_reading.index(shelf["marx"])
    with pytest.raises(QueryError, match="unknown sort"):
        index.search("", sort="price")


def test_pages_do_not_overlap_and_cover_the_result(index, shelf):
    pages = [index.search("", per_page=4, page=p) for p in (1, 2, 3)]
    ids = [h.id for page in pages for h in page.hits]
    assert len(ids) == len(set(ids)) == 6
    assert pages[0].total == 6 and pages[2].hits == []
    with pytest.raises(QueryError, match="too deep"):
        index.search("", page=100_000)


def test_hits_carry_the_display_fields(index, shelf):
    hit = index.search("こころ").hits[0]
    assert hit.fields["title"] == "こゝろ"
    assert hit.fields["title_reading"] == "ココロ"
    assert hit.fields["authors"] == ["夏目, 漱石"]
    assert hit.fields["isbn"] == "9784839912369"
    assert hit.fields["availability"] == "available"
    assert hit.fields["items"] == 2
    assert hit.score > 0


def test_one_character_finds_it_inside_words_and_alone(index, shelf):
    assert index.ids("歌") == [shelf["cd"]]
    assert index.ids("若") == [shelf["marx"]]
    assert set(index.ids("本")) == set()  # nothing here has 本
    assert index.ids("title:歌") == [shelf["cd"]]


def test_facets_are_the_same_whether_counted_from_the_page_or_by_the_engine(index, shelf):
    for query in ("", "こころ", "year:2000-"):
        whole_page = index.search(query, per_page=100).facets  # counted from the hits
        by_engine = index.search(query, per_page=1).facets  # tantivy aggregation
        assert whole_page == by_engine, query
