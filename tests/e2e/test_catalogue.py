"""The catalogue in a real browser: a cataloguer searches, narrows by a facet and opens a
record (1366×768, Japanese). axe-core finds no serious or critical problem on the search
page or the record page (with its item table, actions and label form)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from shoka.catalogue.services import ContributorData

pytestmark = pytest.mark.browser


def test_search_narrow_by_branch_and_open_the_record(
    world, index, django_user_model, page, sign_in, axe, screenshot
):
    kokoro = world.bib(
        "こころ",
        "ココロ",
        ndc="913.6",
        contributors=[ContributorData("夏目, 漱石", "ナツメ, ソウセキ", "著")],
    )
    world.item(kokoro)
    world.item(world.bib("こころの科学", "ココロ ノ カガク", ndc="140"), branch=world.east)
    index.catch_up()
    user = django_user_model.objects.create_user("cataloguer1", password="x")
    user.groups.add(Group.objects.get(name="cataloguer"))
    sign_in(page, "cataloguer1")

    page.goto("/catalogue/")
    page.get_by_role("searchbox").fill("こころ")
    with page.expect_navigation():
        page.get_by_role("searchbox").press("Enter")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["こころ"]
    results = page.locator("ol.hits > li")
    expect(results).to_have_count(2)
    violations = axe(page)
    assert not violations, violations
    screenshot(page, "catalogue-search")

    with page.expect_navigation():
        page.locator("nav.facets").get_by_role("link", name="本館").click()
    expect(results).to_have_count(1)
    expect(page.locator("nav.facets [aria-current=true]")).to_contain_text("本館")

    with page.expect_navigation():
        page.get_by_role("link", name="こころ", exact=True).click()
    assert urlsplit(page.url).path == f"/catalogue/bib/{kokoro.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text("こころ")
    expect(page.locator("table.items")).to_contain_text("200001")
    violations = axe(page)
    assert not violations, violations
    screenshot(page, "catalogue-record")
