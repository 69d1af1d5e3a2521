"""The public pages of the OPAC (docs/opac.md): home, search, record, new arrivals, popular,
branches and their calendars, and the developers' page. Views are thin: they read the
request, call :mod:`shoka.opac.catalogue` and render."""
