"""Logs as JSON lines (python-json-logger), and one access line per request.

An access line says who called which endpoint and how it went: time, request id, the token's id, name and role,
method, route, status and duration. The route is the URL rule (``/v1/claims/<claim_id>``), never the path or the
query string, which may carry a KPJ or a search term; bodies are never logged. gunicorn's own access log is off
(``gunicorn.conf.py``), so each request is logged once, here.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from flask import Flask, Response, g, request, request_finished, request_started
from pythonjsonlogger.json import JsonFormatter

access_log = logging.getLogger("api.access")


class JsonLines(JsonFormatter):
    """``{"time", "level", "logger", "message", ...extra fields, "exc_info"?}`` on one line, time in UTC."""

    def __init__(self) -> None:
        super().__init__("{levelname}{name}{message}", style="{",
                         rename_fields={"levelname": "level", "name": "logger"})

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        log_data["time"] = dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds")
        super().add_fields(log_data, record, message_dict)


def configure_logging(level: str) -> None:
    """Send every log record to stderr as a JSON line, unless a host (gunicorn, pytest) set up logging already."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines())
    root.addHandler(handler)
    root.setLevel(level)


def _started(sender: Flask, **_: Any) -> None:
    g.request_started = time.perf_counter()


def _finished(sender: Flask, response: Response, **_: Any) -> None:
    started = g.get("request_started")
    rule = request.url_rule
    access_log.info(
        "%s %s %s", request.method, rule.rule if rule else "-", response.status_code,
        extra={
            "request_id": g.get("request_id"),
            "token_id": g.get("token_id"),
            "token_name": g.get("token_name"),
            "role": g.get("role"),
            "method": request.method,
            "route": rule.rule if rule else None,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started is not None else None,
        },
    )


def init_app(app: Flask) -> None:
    """Log one access line for every request the app answers."""
    # module-level receivers: blinker holds them weakly
    request_started.connect(_started, app)
    request_finished.connect(_finished, app)
