"""What a mixed-load run sends, shared by the locustfile (in locust's process) and the runner that checks the log.

A plan is a JSON file: the three tokens, the demo participants' KPJs and the businesses to check, the run's number,
the journal's path. The ``n``-th claim of a run has a body and an Idempotency-Key computed from ``n`` alone, so the
runner can send the very same request again.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-23"  # the demo registry's snapshot date


def make_plan(tokens: dict[str, str], journal: Path, run: int | None = None,
              registry: Path = ROOT / "fixtures/registry") -> dict[str, Any]:
    """A plan over the demo registry (of fixtures/): PU and BPU workers' claims, every employer's clearance."""
    people = json.loads((registry / "participants.json").read_text())
    employers = json.loads((registry / "employers.json").read_text())
    return {"officer": tokens["officer"], "licensing": tokens["licensing"], "auditor": tokens["auditor"],
            "kpjs": [p["kpj"] for p in people if p["segment"] in ("PU", "BPU")],
            "clearances": [{"nib": e["nib"], "purpose": "permit_renewal", "region_code": e["region_code"][:5]}
                           for e in employers],
            "as_of": AS_OF, "first_day": "2025-01-01", "run": run or int(time.time()), "journal": str(journal)}


def claim_body(plan: dict[str, Any], n: int) -> dict[str, Any]:
    """The ``n``-th claim of a run: a distinct (KPJ, event date), the type cycling JKK, JHT, JKM."""
    kpjs = plan["kpjs"]
    kpj = kpjs[n % len(kpjs)]
    day = (dt.date.fromisoformat(plan["first_day"]) + dt.timedelta(days=n // len(kpjs))).isoformat()
    kind = ("JKK", "JHT", "JKM")[n % 3]
    if kind == "JKK":
        return {"claim_type": "JKK", "kpj": kpj, "filed_on": "2026-11-01",
                "incident": {"date": day, "kind": "workplace", "reported_on": day,
                             "outcome": {"type": "temporary_incapacity", "incapacity_months": 2},
                             "costs": {"transport": [{"mode": "land", "amount": 250000}], "medical": 0}},
                "documents": ["kpj_card", "ktp", "doctor_statement", "stage1_report_form", "stage2_report_form"]}
    if kind == "JHT":
        return {"claim_type": "JHT", "kpj": kpj, "filed_on": "2026-11-01",
                "incident": {"reason": "resignation", "date": day},
                "documents": ["kpj_card", "ktp", "resignation_certificate", "bank_book"]}
    return {"claim_type": "JKM", "kpj": kpj, "filed_on": "2026-11-01", "incident": {"date": day, "cause": "natural"},
            "heirs": [{"relation": "spouse"}],
            "documents": ["kpj_card", "heir_ktp", "family_card", "death_certificate", "heir_certificate", "bank_book"]}


def claim_key(plan: dict[str, Any], n: int) -> str:
    """The Idempotency-Key of the ``n``-th claim of the run."""
    return f"load-{plan['run']}-{n}"


def acknowledged(answer: dict[str, Any]) -> list[str]:
    """The decisions an answer reports as made: a claim's, a clearance's, each of a batch's."""
    if isinstance(answer.get("decision"), dict):
        return [answer["decision"]["decision_id"]]
    if "items" in answer:
        return [item["decision_id"] for item in answer["items"]]
    if "decision_id" in answer and "status" in answer:  # a clearance; an audit read has no status
        return [answer["decision_id"]]
    return []
