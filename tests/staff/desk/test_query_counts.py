"""The desk is the hottest page of the staff site: a scan costs a fixed number of queries,
however many loans the patron has (the loans table is one query)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("loans", [1, 6])
def test_a_checkout_scan_costs_a_fixed_number_of_queries(
    desk, world, loans, django_assert_max_num_queries
):
    patron = world.patron()
    for _ in range(loans):
        desk.loan(world.item(), patron)
    item = world.item()
    desk.serve(patron)
    with django_assert_max_num_queries(28):
        html = desk.lend(item.barcode, htmx=True).content.decode()
    assert 'data-cue="ok"' in html


def test_a_return_scan_costs_a_fixed_number_of_queries(desk, world, django_assert_max_num_queries):
    patron, item = world.patron(), world.item()
    desk.loan(item, patron)
    # 23: one of them queues the record for the OPAC (shoka.publish's outbox row).
    with django_assert_max_num_queries(23):
        html = desk.check_in(item.barcode, htmx=True).content.decode()
    assert "Put it back on the shelf" in html


@pytest.mark.parametrize("loans", [1, 6])
def test_the_patron_summary_costs_a_fixed_number_of_queries(
    desk, world, loans, django_assert_max_num_queries
):
    patron = world.patron()
    for _ in range(loans):
        desk.loan(world.item(), patron)
    desk.serve(patron)
    with django_assert_max_num_queries(20):
        assert desk.get("/desk/").status_code == 200
