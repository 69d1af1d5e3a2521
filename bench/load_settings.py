"""Settings of the OPAC under bench/load.py: exactly the public site's (shoka.settings.opac —
admission, statement timeout, database, index), with a URLconf that adds the benchmark's
minimal views beside the OPAC's own (bench/load_urls.py)."""

from shoka.settings.opac import *  # noqa: F403

ROOT_URLCONF = "bench.load_urls"
