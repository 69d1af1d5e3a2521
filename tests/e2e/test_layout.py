"""The staff pages fit a 1366×768 desk laptop and a tablet held upright (810×1080 CSS
pixels, a 10-inch iPad) without sideways scrolling, with a patron at the desk and a result
list on screen (issue: "works at 1366×768 and on a tablet")."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from tests.conftest import AT

from shoka.circulation import services

pytestmark = pytest.mark.browser

SIZES = {"desk laptop": {"width": 1366, "height": 768}, "tablet": {"width": 810, "height": 1080}}
PAGES = [
    "/",
    "/desk/",  # with the patron served below: summary, loans table, scan fields
    "/desk/return/",
    "/patrons/",
    "/patrons/new/",
    "/catalogue/?q=図書館",
    "/holds/",
    "/holds/shelf/",
    "/holds/pick/",
    "/notices/",
    "/notices/texts/",
    "/notices/texts/overdue_letter_child/ja/",
]


def _sideways(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_the_staff_pages_fit_a_laptop_and_a_tablet_without_sideways_scrolling(
    world, index, librarian
):
    page = librarian
    world.staff_user.groups.add(Group.objects.get(name="cataloguer"))
    patron = world.patron()
    for title in ("図書館の歴史と未来を考える長い書名の本", "図書館戦争"):
        item = world.item(world.bib(title))
        services.checkout(item.barcode, patron, branch=world.main, actor=world.staff, at=AT)
    index.catch_up()
    page.goto("/desk/")
    page.locator("#id_card").fill(patron.card_number)
    with page.expect_navigation():
        page.locator("#id_card").press("Enter")
    problems = []
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        for path in PAGES:
            page.goto(path)
            if (extra := _sideways(page)) > 0:
                problems.append(f"{path} on a {name}: {extra}px wider than the screen")
    assert not problems, "\n".join(problems)
