"""How long the public site's worker leaves a refused connection unread (pure function)."""

from __future__ import annotations

import pytest

from shoka.admission.worker import HOLD_MAX, JITTER, hold_seconds


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ([("Content-Type", "text/plain"), ("Retry-After", "1")], 1.0),
        ([("retry-after", "2")], 2.0),
        ([("Retry-After", "37")], HOLD_MAX),  # a minute's window: read again after 10 s
        ([("Retry-After", "0")], 1.0),  # at least a second
        ([("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")], 1.0),  # an HTTP date: 1 s
        ([], 1.0),
    ],
)
def test_hold_is_the_retry_after_between_one_second_and_the_maximum(headers, seconds):
    assert hold_seconds(headers) == seconds


@pytest.mark.parametrize(
    ("retry_after", "jitter", "seconds"),
    [("1", 0.5, 1.0 + JITTER * 0.5), ("4", 0.999, 4 * (1 + JITTER * 0.999)), ("9", 0.9, HOLD_MAX)],
)
def test_the_hold_is_spread_but_never_past_the_maximum(retry_after, jitter, seconds):
    assert hold_seconds([("Retry-After", retry_after)], jitter) == pytest.approx(seconds)
