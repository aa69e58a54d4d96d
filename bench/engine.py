"""Benchmark: one JKK claim through the full compiled ruleset vs the same decision in plain Python.

    taskset -c 0 .venv/bin/python bench/engine.py            # or --pin to pin from inside
    .venv/bin/python bench/engine.py -n 20000 --profile      # plus a cProfile summary

Reports evaluations per second and p50/p90/p99/p99.9 latency for:
  engine    Ruleset.evaluate: fact validation, durable session (assert, actions, delete), decision assembly
  durable   the durable part alone (adjudication.engine.evaluate on a prepared case document)
  python    the same rules hand-written in Python (no engine), producing the same decision dict
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import math
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adjudication import engine, load_ruleset  # noqa: E402
from adjudication.parameters import Parameters  # noqa: E402
from adjudication.ruleset import Ruleset  # noqa: E402

# EXAMPLES 11 with a late report and an employer in arrears: 3 rules fire, 3 benefit items, 2 reasons
CLAIM = {"event_date": "2024-03-10", "claim_type": "JKK", "filed_on": "2024-04-01", "claim_age_years": 1,
         "participant_registered": True, "segment": "PU", "incident_kind": "workplace", "outcome_type": "death",
         "wage": 5000000, "reported_on": "2024-03-14", "route_deviation": False, "incident_flags": [],
         "membership_start": "2020-01-01", "membership_months": 50, "contribution_overdue_months": 4,
         "contribution_consecutive_unpaid_months": 4, "contribution_paid_months": 46,
         "contribution_active": True, "employer_scale": "large", "employer_risk_class": 2, "age_years": 38,
         "birth_date": "1985-05-01", "documents": ["ktp", "kpj_card", "death_certificate"], "heirs_count": 3,
         "school_children": 2}


def decide_plain(facts: dict[str, Any], params: Parameters, version: str) -> dict[str, Any]:
    """The shipped rules written directly in Python, for comparison (same output as Ruleset.evaluate)."""
    on = dt.date.fromisoformat(facts["event_date"])
    ctype, segment = facts.get("claim_type"), facts.get("segment")
    fired: list[tuple[str, str]] = []  # (rule id, citation)
    reasons: list[tuple[str, str, str, str]] = []  # (code, kind, rule id, citation)
    benefits: list[dict[str, Any]] = []
    employer = False

    def reason(code: str, kind: str, rule: str, citation: str) -> None:
        reasons.append((code, kind, rule, citation))

    if on <= dt.date(2015, 6, 30) and ctype in ("JKK", "JKM", "JHT"):
        fired.append(("GENERAL.PRE_SJSN_REGIME", ""))
        reason("PRE_SJSN_REGIME", "refer", "GENERAL.PRE_SJSN_REGIME",
               "PP 44/2015 Ketentuan Penutup (berlaku 1 Juli 2015)")
    if "duplicate_of" in facts:
        fired.append(("GENERAL.DUPLICATE_CLAIM", ""))
        reason("DUPLICATE_CLAIM", "reject", "GENERAL.DUPLICATE_CLAIM",
               "Ketentuan layanan SPEC section 4 (one claim per event)")
    if on >= dt.date(2015, 7, 1):
        old = on <= dt.date(2019, 12, 1)
        if ctype in ("JKK", "JKM") and (facts.get("participant_registered") is False or (
                "membership_start" in facts and facts["membership_start"] > facts["event_date"])):
            fired.append(("GENERAL.NOT_A_PARTICIPANT", ""))
            reason("NOT_A_PARTICIPANT", "reject", "GENERAL.NOT_A_PARTICIPANT", "PP 44/2015 Pasal 1 angka 4")
        if ctype in ("JKK", "JKM") and segment == "BPU" and facts.get("contribution_consecutive_unpaid_months", 0) > \
                params.value("membership.bpu_inactive_after_unpaid_months", on):
            fired.append(("GENERAL.BPU_INACTIVE", ""))
            reason("PARTICIPANT_INACTIVE", "reject", "GENERAL.BPU_INACTIVE", "PP 44/2015 Pasal 1 angka 4")
        if ctype in ("JKK", "JKM") and segment == "PU" and facts.get("contribution_overdue_months", 0) > \
                params.value("membership.employer_arrears_liable_months", on):
            fired.append(("GENERAL.EMPLOYER_ARREARS", ""))
            employer = True
            reason("EMPLOYER_ARREARS", "info", "GENERAL.EMPLOYER_ARREARS", "PP 44/2015 ketentuan tunggakan iuran")
        if ctype == "JKK":
            if set(facts.get("incident_flags", ())) & {"self_inflicted", "intoxication", "fight", "crime"}:
                fired.append(("JKK.EXCLUSION_SUSPECTED", ""))
                reason("EXCLUSION_SUSPECTED", "refer", "JKK.EXCLUSION_SUSPECTED", "PP 44/2015 Pasal 1 angka 6")
            if facts.get("incident_kind") == "commute" and facts.get("route_deviation") is True:
                fired.append(("JKK.COMMUTE.ROUTE_DEVIATION", ""))
                reason("COMMUTE_ROUTE_DEVIATION", "refer", "JKK.COMMUTE.ROUTE_DEVIATION", "PP 44/2015 Pasal 1 angka 6")
            if facts.get("outcome_type") == "death":
                base = "wage" if segment in ("PU", "JAKON", "PMI") else "declared_income" if segment == "BPU" else ""
                if base in facts:
                    rule = "JKK.DEATH.BENEFIT" if base == "wage" else "JKK.DEATH.BENEFIT.BPU"
                    fired.append((rule, ""))
                    multiplier = params.value("jkk.death.multiplier", on)
                    minimum = params.value("jkk.death.minimum", on)
                    lump = max(multiplier * facts[base], minimum)
                    benefits.append({"code": "JKK_DEATH_LUMP_SUM", "amount": math.floor(lump),
                                     "basis": f"max({multiplier} x {facts[base]}, {minimum})", "rule_id": rule})
                    for code, name in (("JKK_DEATH_PERIODIC", "periodic"), ("JKK_DEATH_FUNERAL", "funeral")):
                        value = params.value(f"jkk.death.{name}", on)
                        benefits.append({"code": code, "amount": value, "basis": str(value), "rule_id": rule})
            if "claim_age_years" in facts and facts["claim_age_years"] > params.value("jkk.claim_expiry_years", on):
                rule = "JKK.EXPIRY.2Y" if old else "JKK.EXPIRY.5Y"
                fired.append((rule, ""))
                reason("CLAIM_EXPIRED", "reject", rule, "PP 44/2015 Pasal 26" if old else "PP 82/2019 Pasal 26")
            if "reported_on" in facts and on >= dt.date(2019, 1, 29) and facts.get("incident_kind") == \
                    "occupational_disease" and facts.get("pak_years_after_employment", 0) > \
                    params.value("jkk.pak_window_years", on):
                fired.append(("JKK.PAK.AFTER_EMPLOYMENT", ""))
                reason("PAK_AFTER_EMPLOYMENT_WINDOW", "reject", "JKK.PAK.AFTER_EMPLOYMENT",
                       "Perpres 7/2019 Pasal 2 ayat (2)")
            if "reported_on" in facts and (dt.date.fromisoformat(facts["reported_on"]) - on).days > \
                    params.value("jkk.stage1_report_days", on):
                fired.append(("JKK.LATE_REPORT", ""))
                if on >= dt.date(2025, 2, 24):
                    employer = True
                    reason("LATE_REPORT_EMPLOYER_LIABLE", "info", "JKK.LATE_REPORT",
                           "Permenaker 1/2025 Pasal 8 ayat (2a)")
                else:
                    reason("LATE_REPORT", "warning", "JKK.LATE_REPORT", "Permenaker 5/2021 Pasal 8")
    kinds = {kind for _, kind, _, _ in reasons}
    outcome = "rejected" if "reject" in kinds else "referred" if "refer" in kinds else "approved"
    approved = outcome == "approved"
    benefits = benefits if approved else []
    return {"outcome": outcome, "liability": ("employer" if employer else "bpjs") if approved else None,
            "benefits": benefits, "total_amount": sum(b["amount"] for b in benefits),
            "reasons": [{"code": c, "kind": k, "rule_id": r, "citation": t} for c, k, r, t in reasons],
            "ruleset_version": version, "rules_fired": [r for r, _ in fired], "as_of": on.isoformat()}


def measure(label: str, call: Callable[[], Any], n: int, warmup: int) -> dict[str, Any]:
    """Time ``n`` calls one by one after ``warmup`` calls; GC runs between batches, not inside timings."""
    for _ in range(warmup):
        call()
    samples = []
    gc.collect()
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter_ns()
        call()
        samples.append(time.perf_counter_ns() - t0)
        if i % 5000 == 4999:
            gc.collect()
    wall = time.perf_counter() - started
    samples.sort()

    def pct(p: float) -> float:
        return samples[min(len(samples) - 1, int(p * len(samples)))] / 1e6

    return {"label": label, "n": n, "per_s": n / (sum(samples) / 1e9), "wall_per_s": n / wall,
            "mean_ms": statistics.fmean(samples) / 1e6, "p50_ms": pct(0.50), "p90_ms": pct(0.90),
            "p99_ms": pct(0.99), "p999_ms": pct(0.999), "max_ms": samples[-1] / 1e6}


def profile(ruleset: Ruleset, n: int) -> str:
    """cProfile summary of ``n`` engine evaluations, top functions by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        ruleset.evaluate(CLAIM)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(18)
    stats.sort_stats("cumulative").print_stats(r"adjudication|durable", 16)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=20000, help="timed evaluations per variant")
    parser.add_argument("--warmup", type=int, default=2000)
    parser.add_argument("--pin", action="store_true", help="pin this process to CPU 0 (like taskset -c 0)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary of the engine path")
    args = parser.parse_args()
    if args.pin:
        os.sched_setaffinity(0, {0})
    ruleset = load_ruleset(ROOT / "rules")
    decision = ruleset.evaluate(CLAIM).to_dict()
    plain = decide_plain(CLAIM, ruleset.parameters, ruleset.version)
    stripped = {**decision, "reasons": [{k: r[k] for k in ("code", "kind", "rule_id", "citation")}
                                        for r in decision["reasons"]]}
    assert stripped == plain, (stripped, plain)
    _, document, _ = ruleset.case_document(CLAIM)
    print(f"python {sys.version.split()[0]}, cpus allowed: {sorted(os.sched_getaffinity(0))}, "
          f"{len(ruleset.rules)} rules in {len(ruleset.part_names)} durable part(s), "
          f"{len(decision['rules_fired'])} rules fire, {len(decision['benefits'])} benefits")
    results = [
        measure("engine (Ruleset.evaluate)", lambda: ruleset.evaluate(CLAIM), args.n, args.warmup),
        measure("durable part only", lambda: engine.evaluate(ruleset.part_names, document), args.n, args.warmup),
        measure("plain Python", lambda: decide_plain(CLAIM, ruleset.parameters, ruleset.version), args.n,
                args.warmup),
    ]
    print("\n| variant | evals/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |\n|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['label']} | {r['per_s']:,.0f} | {r['p50_ms']:.3f} | {r['p90_ms']:.3f} | {r['p99_ms']:.3f} | "
              f"{r['p999_ms']:.3f} | {r['max_ms']:.2f} |")
    print(f"\nengine / plain Python time per evaluation: {results[0]['mean_ms'] / results[2]['mean_ms']:.0f}x")
    if args.profile:
        print("\n" + profile(ruleset, min(args.n, 5000)))


if __name__ == "__main__":
    main()
