"""The service as it is run: ``gunicorn -c gunicorn.conf.py wsgi:app`` on a free port and a temporary database.

Requests gunicorn itself refuses (a request line, a header or too many headers over its limits) get a 414 or 431 at once
rather than a hang; what reaches the app is logged once, as a JSON line, and nothing personal is logged.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from api.migrate import upgrade

from . import samples
from .conftest import personal_data_in

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
STARTUP_SECONDS = 15


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _exchange(port: int, request: bytes, timeout: float = 5) -> bytes:
    """Send raw bytes and read the answer until gunicorn closes the connection (or the timeout: a hang)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
        return answer


class Server:
    """A running gunicorn and what it wrote to stderr."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log

    def get(self, path: str, headers: str = "") -> bytes:
        return _exchange(self.port, f"GET {path} HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n".encode())


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    database = tmp_path / "bpjs.sqlite3"
    engine = create_engine(f"sqlite:///{database}")
    upgrade(engine)
    engine.dispose()
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    # the replay consumer that gunicorn.conf.py starts beside the workers is not needed here
    env = {**os.environ, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", "LOG_LEVEL": "INFO",
           "REPLAY_CONSUMER": "0", "DATABASE_URL": f"sqlite:///{database}"}
    with log.open("wb") as stderr:
        process = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
                                   stdout=stderr, stderr=stderr)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if Server(process, port, log).get("/health").startswith(b"HTTP/1.1 200"):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer /health:\n" + log.read_text()
            time.sleep(0.2)
        yield Server(process, port, log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def test_oversized_requests_get_a_4xx_not_a_hang(server: Server) -> None:
    started = time.monotonic()
    too_long_line = server.get("/v1/claims?kpj=" + "1" * 5000)
    too_long_header = server.get("/v1/rulesets", f"X-Filler: {'x' * 10_000}\r\n")
    too_many_headers = server.get("/v1/rulesets", "".join(f"X-Filler-{i}: {i}\r\n" for i in range(150)))
    for answer, status in ((too_long_line, 414), (too_long_header, 431), (too_many_headers, 431)):
        assert _status(answer) == status, answer[:300]
    assert time.monotonic() - started < 5
    # under the limits the app answers, in its envelope, and the service is still there
    refused = server.get("/v1/rulesets", "Authorization: Bearer nope\r\n")
    assert _status(refused) == 401
    assert json.loads(refused.split(b"\r\n\r\n", 1)[1])["code"] == 401
    assert _status(server.get("/health")) == 200


def test_each_request_is_logged_once_as_json_without_personal_data(server: Server) -> None:
    server.get(f"/v1/participants/{samples.KPJ_PU}?nik={samples.SECRET_NIK}",
               f"Authorization: Bearer bpjs_admin.1.{'x' * 43}\r\nX-Request-Id: gunicorn-1\r\n")
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=10)
    text = server.log.read_text()
    lines: list[dict[str, Any]] = [json.loads(line) for line in text.splitlines()]  # every line is JSON
    access = [line for line in lines if line["logger"] == "api.access" and line["request_id"] == "gunicorn-1"]
    assert len(access) == 1, text
    assert (access[0]["route"], access[0]["status"]) == ("/v1/participants/<kpj>", 401)
    # gunicorn's own lines are JSON too, and it writes no access line of its own
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)
    assert not [line for line in lines if line["logger"] == "gunicorn.access"]
    assert samples.KPJ_PU not in text
    assert personal_data_in(text.splitlines()) == []
