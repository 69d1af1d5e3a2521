"""Without an active branch the desk cannot act: every desk page and scan says so (503)
instead of guessing a branch."""

from __future__ import annotations

import pytest

from shoka.organisation.models import Branch

PAGES = [
    ("get", "/desk/"),
    ("get", "/desk/return/"),
    ("post", "/desk/patron/"),
    ("post", "/desk/checkout/"),
    ("post", "/desk/checkin/"),
    ("post", "/desk/renew/"),
    ("post", "/desk/renew/all/"),
    ("get", "/desk/receipt/"),
    ("get", "/desk/slips/hold/1/"),
    ("get", "/desk/slips/transit/1/"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_no_active_branch_means_no_desk(client, world, method, path):
    from django.urls import resolve

    resolve(path)  # a real desk URL, so a 503 cannot come from a missing page
    Branch.objects.update(is_active=False)
    client.force_login(world.staff_user)
    response = getattr(client, method)(path, {"card": "100001", "barcode": "200001"})
    assert response.status_code == 503
