"""shoka's own HTTP access log: one JSON object per request, written by `shoka serve`'s
gunicorn (``--logger-class shoka.httplog.JsonAccessLogger``) to standard output.

    {"time": "2010-05-06T09:00:00+09:00", "client": "192.0.2.1", "method": "GET",
     "path": "/files/x.csv", "status": 200, "bytes": 5123, "ms": 12.5}

``shoka audit downloads`` reads these lines (docs/audit.md). The query string is left out:
search terms say what someone reads, and nothing needs them in a log.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from gunicorn.glogging import Logger


def entry(environ: dict[str, Any], status: str | int, sent: int, seconds: float) -> str:
    """The JSON line for one request."""
    code = int(str(status).split(None, 1)[0])
    return json.dumps(
        {
            "time": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
            "client": environ.get("REMOTE_ADDR", "-"),
            "method": environ.get("REQUEST_METHOD", "-"),
            "path": environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
            "status": code,
            "bytes": sent,
            "ms": round(seconds * 1000, 1),
        },
        ensure_ascii=False,
    )


class JsonAccessLogger(Logger):
    """gunicorn's logger with the access line replaced by :func:`entry`."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.cfg.accesslog:
            return
        try:
            line = entry(environ, resp.status, resp.sent or 0, request_time.total_seconds())
            self.access_log.info("%s", line)
        except Exception:  # a log line must never fail a request
            self.exception("could not write the access log line")
