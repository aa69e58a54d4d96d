"""One JSON access line per request, with the route and never the path or query; and the personal-data log check."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.request_log import JsonLines

from . import samples
from .conftest import LogScan

ROOT = Path(__file__).resolve().parents[2]


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The access records caplog holds, as the JSON lines the service writes."""
    formatter = JsonLines()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "api.access"]


def test_one_line_per_request_with_who_what_and_how_long(client: FlaskClient, auth: Any,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    claim_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    response = client.get(f"/v1/claims/{claim_id}?kpj={samples.KPJ_PU}&nik={samples.SECRET_NIK}",
                          headers={**auth("officer"), "X-Request-Id": "req-42"})
    assert response.status_code == 404
    [line] = access_lines(caplog)
    assert list(line)[:4] == ["time", "level", "logger", "message"]
    assert dt.datetime.fromisoformat(line["time"]).utcoffset() == dt.timedelta(0)
    assert line["level"] == "INFO" and line["logger"] == "api.access"
    assert line["message"] == "GET /v1/claims/<claim_id> 404"
    assert line["request_id"] == "req-42" == response.headers["X-Request-Id"]
    assert isinstance(line["token_id"], int)
    assert (line["token_name"], line["role"]) == ("test-officer", "officer")
    assert (line["method"], line["route"], line["status"]) == ("GET", "/v1/claims/<claim_id>", 404)
    assert isinstance(line["duration_ms"], float) and 0 <= line["duration_ms"] < 10_000
    text = json.dumps(line)
    for leak in (claim_id, samples.KPJ_PU, samples.SECRET_NIK, "kpj=", "?"):
        assert leak not in text


def test_a_request_without_a_token_or_a_route_is_logged_too(client: FlaskClient,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    client.get("/v1/rulesets", headers={"Authorization": "Bearer nope"})
    client.get(f"/v1/participants-by-nik/{samples.SECRET_NIK}")
    refused, unknown = access_lines(caplog)
    assert (refused["route"], refused["status"], refused["token_id"], refused["role"]) == ("/v1/rulesets", 401,
                                                                                         None, None)
    assert (unknown["route"], unknown["status"], unknown["message"]) == (None, 404, "GET - 404")
    assert len({refused["request_id"], unknown["request_id"]}) == 2


def test_a_failure_logs_its_traceback_with_the_route(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    @app.get("/v1/explode/<kpj>")
    def explode(kpj: str) -> Any:
        raise RuntimeError("boom")

    assert app.test_client().get(f"/v1/explode/{samples.KPJ_PU}").status_code == 500
    error = next(r for r in caplog.records if r.name == "api.errors")
    formatted = json.loads(JsonLines().format(error))
    assert formatted["message"] == "unhandled error on GET /v1/explode/<kpj>"
    assert "RuntimeError: boom" in formatted["exc_info"]
    assert samples.KPJ_PU not in json.dumps(formatted)
    assert access_lines(caplog)[0]["status"] == 500


def test_the_service_writes_json_lines_to_stderr(tmp_path: Path) -> None:
    """Outside gunicorn and pytest the app sets up logging itself: each line is one JSON object."""
    script = textwrap.dedent(f"""
        from api import create_app
        app = create_app({{"DATABASE_URL": "sqlite:///{tmp_path}/x.sqlite3"}})
        app.logger.warning("plain %s", "words")
        app.test_client().get("/health", headers={{"X-Request-Id": "from-script"}})
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "LOG_LEVEL": "INFO"})
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    [access] = [line for line in lines if line["logger"] == "api.access"]
    assert (access["route"], access["status"], access["request_id"]) == ("/health", 200, "from-script")
    assert any(line["message"] == "plain words" and line["level"] == "WARNING" for line in lines)


def test_the_personal_data_check_catches_a_nik_a_name_and_a_wage(personal_data_log: LogScan) -> None:
    """The check the autouse fixture runs after every API test can fail: here it finds what is logged on purpose."""
    log = logging.getLogger("api.example")
    log.debug("participant %s", samples.SECRET_NIK)
    log.info("request", extra={"holder": samples.SECRET_NAME})
    try:
        raise ValueError(f"wage {samples.SECRET_WAGE:,} too high".replace(",", "."))
    except ValueError:
        log.exception("failed")
    log.info("amount 17654321 and 7654321.5 are other numbers")
    found, personal_data_log.findings = personal_data_log.findings, []  # let this test itself pass
    assert [f.split(" in ")[0] for f in found] == [repr(samples.SECRET_NIK), repr(samples.SECRET_NAME), "'7.654.321'"]


def test_a_test_that_logs_personal_data_fails(tmp_path: Path) -> None:
    """The autouse fixture fails a test whose logs carry a NIK, though the test itself passes."""
    (tmp_path / "conftest.py").write_text("from tests.api.conftest import personal_data_log  # noqa: F401\n")
    (tmp_path / "test_leak.py").write_text(textwrap.dedent(f"""
        import logging

        def test_leaks():
            logging.getLogger("api.claims").info("deciding for %s", "{samples.SECRET_NIK}")

        def test_clean():
            logging.getLogger("api.claims").info("deciding for a worker")
    """))
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rE", str(tmp_path)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1, result.stdout
    # the leaking test passed, then its teardown failed: pytest counts both
    assert "2 passed, 1 error" in result.stdout
    assert "ERROR test_leak.py::test_leaks - AssertionError: personal data in the logs" in result.stdout
