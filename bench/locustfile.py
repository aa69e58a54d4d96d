"""Mixed load for locust: claims 60 %, clearances 30 %, audit reads 10 %, every request written to a journal.

Run by ``bench/load.py`` and the fault tests (``locust -f bench/locustfile.py --headless``), with ``LOAD_PLAN``
naming a JSON plan: the three tokens, the demo participants' KPJs and businesses to check, the run's number and the
journal's path. Each claim is a distinct event (KPJ, date) of a demo participant, with its own Idempotency-Key;
clearances are GETs (and one in ten a batch of 20) over demo NIBs on the registry's snapshot date; audit reads fetch
a decision this client was answered during the run, and one in ten replays it with its original ruleset.

The journal has one JSON line per request: ``name``, ``status`` (0 when no answer came: a refused or cut connection,
a time-out, or a 2xx status line whose JSON answer was cut off, kept as ``http_status``), ``request_id`` (sent as
``X-Request-Id``, so a stored decision names the request that made it), the ``decisions`` the answer acknowledged,
and for a claim its ``key`` and ``n`` (the body is rebuilt from ``n``).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from typing import Any

from locust import FastHttpUser, constant, task

from bench.load_plan import acknowledged, claim_body, claim_key

with open(os.environ["LOAD_PLAN"]) as plan_file:
    PLAN: dict[str, Any] = json.load(plan_file)
JOURNAL = open(PLAN["journal"], "a", buffering=1)  # noqa: SIM115 (one line per request, for the whole run)
REQUESTS = itertools.count(1)  # one locust process: greenlets share these without locks
CLAIMS = itertools.count(PLAN.get("first_claim", 0))
ACKNOWLEDGED: list[str] = []  # decision ids answered during this run, for the audit reads
BATCH = 20


class Clerk(FastHttpUser):
    """An officer, a licensing office and an auditor in one: each task is one request, with no think time."""

    wait_time = constant(0)
    network_timeout = 15.0
    connection_timeout = 5.0

    def _send(self, name: str, method: str, path: str, token: str, body: Any = None,
              key: str | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any] | None:
        request_id = f"load-{PLAN['run']}-r{next(REQUESTS)}"
        headers = {"Authorization": f"Bearer {token}", "X-Request-Id": request_id}
        if key:
            headers["Idempotency-Key"] = key
        started = time.time()
        entry: dict[str, Any] = {"at": round(started, 3), "name": name, "request_id": request_id, **(extra or {})}
        if key:
            entry["key"] = key
        answer: dict[str, Any] | None = None
        with self.client.request(method, path, name=name, json=body, headers=headers,
                                 catch_response=True) as response:
            entry["status"] = response.status_code or 0
            entry["ms"] = round(1000 * (time.time() - started), 1)
            try:
                answer = response.json() if response.text else None
            except Exception as error:  # noqa: BLE001 - a body cut off mid-way (its worker killed) or not JSON
                answer = None
                if 200 <= entry["status"] < 300:
                    entry["cut_off"] = f"{type(error).__name__}: {error}"[:200]
            if 200 <= entry["status"] < 300 and not isinstance(answer, dict):
                # every 2xx of this service is a JSON object: a status line without its whole answer is no answer
                # (a worker killed while it wrote a large batch answer); the decisions it made are unacknowledged
                entry["http_status"], entry["status"] = entry["status"], 0
            if 200 <= entry["status"] < 300:
                response.success()
            else:
                error = getattr(response, "error", None)
                entry["error"] = (answer or {}).get("message") if isinstance(answer, dict) else str(error)
                response.failure(f"{entry['status']}: {entry['error']}")
        if 200 <= entry["status"] < 300 and isinstance(answer, dict):
            entry["decisions"] = acknowledged(answer)
            ACKNOWLEDGED.extend(entry["decisions"])
        if entry["status"] == 503:
            entry["retry_after"] = response.headers.get("Retry-After")
        JOURNAL.write(json.dumps(entry) + "\n")
        if not 200 <= entry["status"] < 300:
            time.sleep(0.1)  # a polite client: no tight loop against a service that is refusing
        return answer if 200 <= entry["status"] < 300 else None

    @task(6)
    def claim(self) -> None:
        n = next(CLAIMS)
        self._send("POST /v1/claims", "POST", "/v1/claims", PLAN["officer"], claim_body(PLAN, n),
                   key=claim_key(PLAN, n), extra={"n": n})

    @task(3)
    def clearance(self) -> None:
        checks = PLAN["clearances"]
        if random.random() < 0.1:
            body = {"as_of": PLAN["as_of"], "items": random.sample(checks, BATCH)}
            self._send("POST /v1/clearances/batch", "POST", "/v1/clearances/batch", PLAN["licensing"], body)
            return
        item = random.choice(checks)
        query = f"nib={item['nib']}&purpose={item['purpose']}&region_code={item['region_code']}&as_of={PLAN['as_of']}"
        self._send("GET /v1/clearances", "GET", f"/v1/clearances?{query}", PLAN["licensing"])

    @task(1)
    def audit(self) -> None:
        if not ACKNOWLEDGED:
            return self.clearance()
        decision_id = random.choice(ACKNOWLEDGED[-2000:])
        if random.random() < 0.1:
            answer = self._send("POST /v1/decisions/{id}/replay", "POST", f"/v1/decisions/{decision_id}/replay",
                                PLAN["auditor"], {"ruleset": "original"})
            if answer is not None and not answer.get("identical"):
                JOURNAL.write(json.dumps({"name": "replay differs", "decision_id": decision_id}) + "\n")
            return None
        self._send("GET /v1/decisions/{id}", "GET", f"/v1/decisions/{decision_id}", PLAN["auditor"])
        return None
