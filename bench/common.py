"""What the HTTP benchmarks share: a demo database, tokens, a gunicorn server on the committed config, calls."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # type: ignore[no-any-return]


def flask(env: dict[str, str], *args: str) -> str:
    """Run ``flask --app wsgi ARGS`` in the checkout; its standard output."""
    out = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)
    return out.stdout


def demo_database(env: dict[str, str], *roles: str) -> dict[str, str]:
    """Migrate the database of ``env``, load the demo registry, and create one token per role."""
    flask(env, "db", "upgrade")
    flask(env, "registry", "import", "fixtures/registry")
    return {role: flask(env, "tokens", "create", "--role", role, "--name", "bench").strip().splitlines()[-1]
            for role in roles}


@contextmanager
def gunicorn(env: dict[str, str], app: str = "wsgi:app") -> Iterator[str]:
    """gunicorn on the committed gunicorn.conf.py on a free port; yields its base URL once /health answers."""
    port = free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", app], cwd=ROOT,
                              env={**env, "BIND": f"127.0.0.1:{port}"}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base_url}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)


def call(url: str, token: str, body: Any = None, key: str = "") -> Any:
    """A JSON request with a bearer token (POST when there is a body); the parsed answer."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=60) as response:
        return json.loads(response.read())


def quiet_env(database_url: str) -> dict[str, str]:
    """The environment a benchmark runs the service in."""
    # no replay consumer beside gunicorn: the HTTP benchmarks measure the web workers alone
    return {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "REPLAY_CONSUMER": "0"}


# one claim body per type, a Lua format string over (kpj, event date, event date); Lua ignores an unused argument
BODIES = {
    "JKK": '{"claim_type":"JKK","kpj":"%s","filed_on":"2026-11-01","incident":{"date":"%s","kind":"workplace",'
           '"reported_on":"%s","outcome":{"type":"temporary_incapacity","incapacity_months":2},'
           '"costs":{"transport":[{"mode":"land","amount":250000}],"medical":0}},'
           '"documents":["kpj_card","ktp","doctor_statement","stage1_report_form","stage2_report_form"]}',
    "JKM": '{"claim_type":"JKM","kpj":"%s","filed_on":"2026-11-01","incident":{"date":"%s","cause":"natural"},'
           '"heirs":[{"relation":"spouse"}],"documents":["kpj_card","heir_ktp","family_card","death_certificate",'
           '"heir_certificate","bank_book"]}',
    "JHT": '{"claim_type":"JHT","kpj":"%s","filed_on":"2026-11-01","incident":{"reason":"resignation",'
           '"date":"%s"},"documents":["kpj_card","ktp","resignation_certificate","bank_book"]}',
}
