"""The OPAC settings plus one slow page, for the live shedding test (test_live.py)."""

from shoka.settings.opac import *  # noqa: F403

ROOT_URLCONF = "slow_urls"
