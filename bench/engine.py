"""Benchmark: one JKK claim through the full compiled ruleset vs the same decision in plain Python.

    .venv/bin/python bench/engine.py                  # pins itself to CPU 0 (--cpu N, or --no-pin under taskset)
    .venv/bin/python bench/engine.py -n 5000 --profile   # plus a cProfile summary of the JKK engine path

Reports evaluations per second and p50/p90/p99/p99.9 latency, 3 runs after a warm-up, for a JKK, a JKM and a
JHT claim:
  engine    Ruleset.evaluate: fact validation, durable sessions (assert, actions, delete), decision assembly
  durable   the durable part alone (adjudication.engine.evaluate of the claim type's parts on a prepared document)
  python    (JKK) the claim's rules hand-written in Python, no engine; asserted to give the same decision
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
from adjudication.benefits import format_number  # noqa: E402
from adjudication.parameters import Parameters  # noqa: E402
from adjudication.ruleset import Ruleset  # noqa: E402

# EXAMPLES 11 with a late report and an employer 4 months in arrears, every document attached: 7 rules fire
# (arrears, workplace accident, death benefit, 3 document rules, late report), 3 benefit items, 3 reasons
CLAIM = {"event_date": "2024-03-10", "claim_type": "JKK", "filed_on": "2024-04-01", "claim_age_years": 1,
         "participant_registered": True, "segment": "PU", "incident_kind": "workplace", "outcome_type": "death",
         "wage": 5000000, "reported_on": "2024-03-14", "route_deviation": False, "incident_flags": [],
         "membership_start": "2020-01-01", "membership_months": 50, "contribution_overdue_months": 4,
         "contribution_consecutive_unpaid_months": 4, "contribution_paid_months": 46,
         "contribution_active": True, "employer_scale": "large", "employer_risk_class": 2, "age_years": 38,
         "birth_date": "1985-05-01", "heirs_count": 3, "school_children": 2,
         "documents": ["ktp", "kpj_card", "death_certificate", "stage1_report_form", "stage2_report_form",
                       "doctor_statement", "attendance_record", "heir_certificate", "family_card", "heir_ktp"]}
# a natural death (PU, heirs of class 1): 3 rules fire, 3 benefit items
JKM_CLAIM = {"event_date": "2024-07-20", "claim_type": "JKM", "filed_on": "2024-08-01", "participant_registered": True,
             "segment": "PU", "death_cause": "natural", "wage": 5000000, "membership_start": "2018-01-01",
             "membership_months": 78, "contribution_overdue_months": 0, "contribution_period_months": 78,
             "contribution_active": True, "programs": ["JKK", "JKM", "JHT"], "age_years": 45, "heirs_count": 3,
             "heir_class": 1, "heirs_entitled": "child, spouse", "heirs_found": True, "school_children": 2,
             "scholarship_children_tk_sd": 1, "scholarship_children_sma": 1,
             "documents": ["kpj_card", "heir_ktp", "family_card", "death_certificate", "heir_certificate",
                           "bank_book"]}
# a resignation under Permenaker 4/2022: 3 rules fire, the balance
JHT_CLAIM = {"event_date": "2024-05-31", "claim_type": "JHT", "filed_on": "2024-07-15", "participant_registered": True,
             "segment": "PU", "jht_reason": "resignation", "months_event_to_filing": 1, "jht_balance": 42500000,
             "membership_start": "2016-02-01", "membership_months": 99, "age_years": 34,
             "programs": ["JKK", "JKM", "JHT"],
             "documents": ["kpj_card", "ktp", "resignation_certificate", "bank_book"]}

# the plain-Python path below is written for the law in force on the bench claim's event date
PLAIN_FROM, PLAIN_TO = dt.date(2021, 4, 1), dt.date(2025, 2, 23)


# info codes the catalogue shows only with an approved or referred claim (reason_codes.yaml ``outcomes``)
PAYMENT_NOTES = frozenset({"EMPLOYER_ARREARS", "HEIRS_ENTITLED", "NO_HEIRS_JKK_JKM", "WORK_ACCIDENT_COVERED",
                           "LATE_REPORT_EMPLOYER_LIABLE", "STMB_PAID_TO_EMPLOYER"})


def decide_plain(facts: dict[str, Any], params: Parameters, version: str) -> dict[str, Any]:
    """A JKK claim decided by hand-written Python: the rules in force from 2021-04-01 to 2025-02-23 that a JKK
    claim without STMB, disability, transport or medical facts can meet (general eligibility, contributions,
    heirs, accident kinds, exclusions, death benefit, scholarship, documents, expiry, PAK window, report,
    construction cover), in the ruleset's firing order. Same output as ``Ruleset.evaluate`` less the messages.
    """
    on = dt.date.fromisoformat(facts["event_date"])
    if facts.get("claim_type") != "JKK" or not PLAIN_FROM <= on <= PLAIN_TO or facts.get("segment") == "PMI":
        raise ValueError("decide_plain covers JKK claims (not of migrant workers) with an event from 2021-04-01 to "
                         "2025-02-23 only")
    for name in ("stmb", "incapacity_months", "disability_pct", "function_loss_pct", "transport_land",
                 "transport_sea", "transport_air", "medical_costs"):
        if name in facts:
            raise ValueError(f"decide_plain does not write out the rules on {name}")
    day = {name: dt.date.fromisoformat(facts[name]) for name in ("reported_on", "membership_start",
                                                                  "employment_ended_on") if name in facts}
    segment, kind, outcome_type = facts.get("segment"), facts.get("incident_kind"), facts.get("outcome_type")
    documents = set(facts["documents"]) if "documents" in facts else None
    fired: list[str] = []
    reasons: list[tuple[str, str, str, str, bool]] = []  # code, kind, rule id, citation, is a documents referral
    benefits: list[dict[str, Any]] = []
    required: list[str] = []
    unmet: list[str] = []
    effects: set[str] = set()
    employer = False

    def fire(rule: str, citation: str, *found: tuple[str, str, str]) -> None:
        fired.append(rule)
        for effect, code, code_kind in found:
            effects.add(effect)
            reasons.append((code, code_kind, rule, citation, False))

    def require(rule: str, citation: str, *names: str) -> None:
        fired.append(rule)
        required.extend(names)
        lacking = [n for n in names if documents is not None and n not in documents]
        if lacking:
            unmet.extend(n for n in lacking if n not in unmet)
            reasons.append(("DOCUMENTS_MISSING", "refer", rule, citation, True))

    def param(name: str) -> Any:
        return params.value(name, on)

    if "duplicate_of" in facts:
        fire("GENERAL.DUPLICATE_CLAIM", "Ketentuan layanan SPEC section 4 (one claim per event)",
             ("reject", "DUPLICATE_CLAIM", "reject"))
    if facts.get("participant_registered") is False or ("membership_start" in day and day["membership_start"] > on):
        fire("GENERAL.NOT_A_PARTICIPANT", "Perpres 109/2013 Pasal 1 angka 3",
             ("reject", "NOT_A_PARTICIPANT", "reject"))
    if facts.get("participant_registered") is False or \
            (segment in ("PU", "JAKON") and "membership_start" in day and day["membership_start"] > on):
        fire("GENERAL.EMPLOYER_OWES_EQUIVALENT", "PP 44/2015 Pasal 27 ayat (1) dan Pasal 59",
             ("info", "EMPLOYER_OWES_EQUIVALENT", "info"))
    if "programs" in facts and "JKK" not in facts["programs"]:
        fire("GENERAL.PROGRAM_NOT_ENROLLED", "Perpres 109/2013 Pasal 1 angka 3",
             ("reject", "PROGRAM_NOT_ENROLLED", "reject"))
    if segment == "PU" and "employment_ended_on" in day and day["employment_ended_on"] < on and \
            kind is not None and kind != "occupational_disease":
        fire("GENERAL.COVERAGE_ENDED", "Perpres 109/2013 Pasal 1 angka 3", ("reject", "NOT_A_PARTICIPANT", "reject"),
             ("info", "COVERAGE_ENDED", "info"))
    if segment == "BPU" and facts.get("contribution_ever_paid") is True and facts.get("contribution_active") is False:
        fire("GENERAL.BPU_INACTIVE", "Perpres 109/2013 Pasal 1 angka 3", ("reject", "PARTICIPANT_INACTIVE", "reject"))
    if segment == "PU" and "contribution_overdue_months" in facts and \
            facts["contribution_overdue_months"] > param("membership.employer_arrears_liable_months"):
        employer = True
        fire("GENERAL.EMPLOYER_ARREARS", "PP 44/2015 ketentuan tunggakan iuran", ("info", "EMPLOYER_ARREARS", "info"))
    if segment == "BPU" and facts.get("contribution_ever_paid") is False:
        fire("GENERAL.NEVER_PAID", "Perpres 109/2013 Pasal 1 angka 3", ("reject", "NOT_A_PARTICIPANT", "reject"),
             ("info", "NO_CONTRIBUTION_PAID", "info"))
    if outcome_type == "death" and "heirs_found" in facts:
        if facts["heirs_found"]:
            fire("GENERAL.HEIRS", "PP 44/2015 Pasal 37 ayat (5)", ("info", "HEIRS_ENTITLED", "info"))
        if not facts["heirs_found"]:
            fire("GENERAL.NO_HEIRS", "PP 44/2015 Pasal 37 ayat (5)", ("info", "NO_HEIRS_JKK_JKM", "info"))
    if kind in ("workplace", "commute", "business_trip", "occupational_disease", "authorized_break",
                "sudden_work_death"):
        fire(f"JKK.ELIGIBLE.{kind.upper()}", "Permenaker 5/2021 Pasal 7", ("info", "WORK_ACCIDENT_COVERED", "info"))
    scholarship_levels = ("tk_sd", "smp", "sma", "university")
    if outcome_type in ("death", "total_disability") and facts.get("school_children", 0) >= 1 and \
            all(f"scholarship_children_{level}" in facts for level in scholarship_levels):
        fired.append("JKK.SCHOLARSHIP")
        terms = [(param(f"scholarship.per_year.{level}"), facts[f"scholarship_children_{level}"])
                 for level in scholarship_levels]
        benefits.append({"code": "JKK_SCHOLARSHIP", "amount": math.floor(sum(p * n for p, n in terms)),
                         "basis": " + ".join(f"{format_number(p)} x {n}" for p, n in terms),
                         "rule_id": "JKK.SCHOLARSHIP", "recurring": "yearly"})
        required.extend(("school_statement", "birth_certificate", "student_card", "family_card"))
        lacking = [n for n in ("school_statement", "birth_certificate", "student_card", "family_card")
                   if documents is not None and n not in documents]
        if lacking:
            unmet.extend(n for n in lacking if n not in unmet)
            reasons.append(("DOCUMENTS_MISSING", "refer", "JKK.SCHOLARSHIP",
                            "PP 82/2019 tabel manfaat JKK (beasiswa)", True))
    if set(facts.get("incident_flags", ())) & {"self_inflicted", "intoxication", "fight", "crime"} and \
            "review_exclusion" not in facts:
        fire("JKK.EXCLUSION_SUSPECTED", "PP 44/2015 Pasal 1 angka 6", ("refer", "EXCLUSION_SUSPECTED", "refer"))
    if kind == "commute" and facts.get("route_deviation") is True and "review_route_deviation" not in facts:
        fire("JKK.COMMUTE.ROUTE_DEVIATION", "PP 44/2015 Pasal 1 angka 6",
             ("refer", "COMMUTE_ROUTE_DEVIATION", "refer"))
    if outcome_type == "death":
        for rule, base, segments in (("JKK.DEATH.BENEFIT", "wage", ("PU", "JAKON")),
                                     ("JKK.DEATH.BENEFIT.BPU", "declared_income", ("BPU",))):
            if segment in segments and base in facts:
                fired.append(rule)
                multiplier, minimum = param("jkk.death.multiplier"), param("jkk.death.minimum")
                benefits.append({"code": "JKK_DEATH_LUMP_SUM", "amount": math.floor(max(multiplier * facts[base],
                                                                                        minimum)),
                                 "basis": f"max({format_number(multiplier)} x {facts[base]}, "
                                          f"{format_number(minimum)})", "rule_id": rule})
                for code, name in (("JKK_DEATH_PERIODIC", "periodic"), ("JKK_DEATH_FUNERAL", "funeral")):
                    value = param(f"jkk.death.{name}")
                    benefits.append({"code": code, "amount": math.floor(value), "basis": format_number(value),
                                     "rule_id": rule})
    require("JKK.DOCUMENTS.CLAIM", "Permenaker 5/2021 Pasal 19 ayat (3)",
            "stage1_report_form", "stage2_report_form", "kpj_card", "ktp", "doctor_statement")
    if kind == "commute":  # an any-of group: a police report or witness statements
        fired.append("JKK.DOCUMENTS.COMMUTE")
        required.append("police_report|witness_statements")
        if documents is not None and not documents & {"police_report", "witness_statements"}:
            unmet.append("police_report|witness_statements")
            reasons.append(("DOCUMENTS_MISSING", "refer", "JKK.DOCUMENTS.COMMUTE", "Keputusan Direksi BPJS "
                            "Ketenagakerjaan 247/2015 kriteria kecelakaan dalam perjalanan", True))
    if kind in ("workplace", "authorized_break", "sudden_work_death"):
        require("JKK.DOCUMENTS.ATTENDANCE",
                "Keputusan Direksi BPJS Ketenagakerjaan 247/2015 laporan kecelakaan kerja tahap I", "attendance_record")
    if outcome_type == "death":
        require("JKK.DOCUMENTS.DEATH", "PP 44/2015 ketentuan ahli waris",
                "death_certificate", "heir_certificate", "family_card", "heir_ktp")
    if segment == "JAKON":
        require("JKK.DOCUMENTS.JAKON", "Permenaker 44/2015 Pasal 15 ayat (5)",
                "project_registration_proof", "project_payment_proof")
    if "claim_age_years" in facts and facts["claim_age_years"] > param("jkk.claim_expiry_years"):
        fire("JKK.EXPIRY.5Y", "PP 82/2019 Pasal 26", ("reject", "CLAIM_EXPIRED", "reject"))
    if kind == "occupational_disease" and "pak_years_after_employment" in facts and \
            facts["pak_years_after_employment"] > param("jkk.pak_window_years"):
        fire("JKK.PAK.AFTER_EMPLOYMENT", "Perpres 7/2019 Pasal 2 ayat (2)",
             ("reject", "PAK_AFTER_EMPLOYMENT_WINDOW", "reject"))
    if "reported_on" in day and (day["reported_on"] - on).days > param("jkk.stage1_report_days"):
        fire("JKK.LATE_REPORT", "Permenaker 5/2021 Pasal 8", ("warn", "LATE_REPORT", "warning"))
    if segment == "JAKON" and facts.get("project_covered") is False:
        fire("JAKON.NOT_COVERED_BEFORE_PAYMENT", "Perpres 109/2013 Pasal 1 angka 3",
             ("reject", "NOT_A_PARTICIPANT", "reject"), ("info", "PROJECT_NOT_COVERED", "info"))
    if segment == "JAKON" and facts.get("project_registered_in_time") is False and \
            facts.get("project_days_late", 0) > 0:
        fire("JAKON.LATE_REGISTRATION", "Permenaker 5/2021 ketentuan pendaftaran proyek jasa konstruksi",
             ("warn", "LATE_PROJECT_REGISTRATION", "warning"))
    # a code is given once; a rejection gives no referral; payment notes only with a claim that may be paid
    reasons = [r for i, r in enumerate(reasons) if r[0] not in {earlier[0] for earlier in reasons[:i]}]
    if "reject" in effects:
        outcome = "rejected"
        reasons = [r for r in reasons if r[1] != "refer" and r[0] not in PAYMENT_NOTES]
    else:
        outcome = "referred" if "refer" in effects or unmet else "approved"
    approved = outcome == "approved"
    decided = {"outcome": outcome, "liability": ("employer" if employer else "bpjs") if approved else None,
               "benefits": benefits if approved else [], "total_amount": sum(b["amount"] for b in benefits)
               if approved else 0,
               "reasons": [{"code": c, "kind": k, "rule_id": r, "citation": t} for c, k, r, t, _ in reasons],
               "documents_required": sorted(set(required)), "documents_missing": sorted(set(unmet)),
               "ruleset_version": version, "rules_fired": fired, "as_of": on.isoformat()}
    if outcome == "referred" and benefits:
        decided["provisional_benefits"] = [{**b, "provisional": True} for b in benefits]
        decided["provisional_total"] = sum(b["amount"] for b in benefits)
    return decided


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


def engine_view(decision: dict[str, Any]) -> dict[str, Any]:
    """A decision dict without the reason messages and the words of each basis (the plain-Python path renders
    neither)."""
    return {**decision, "reasons": [{k: r[k] for k in ("code", "kind", "rule_id", "citation")}
                                    for r in decision["reasons"]],
            **{section: [{k: v for k, v in b.items() if k not in ("basis_id", "basis_en", "citation")}
                         for b in decision[section]] for section in ("benefits", "provisional_benefits")
               if section in decision}}


def check_plain(ruleset: Ruleset, facts: dict[str, Any]) -> dict[str, Any]:
    """Decide ``facts`` both ways and insist they agree; return the engine's decision."""
    decision = engine_view(ruleset.evaluate(facts).to_dict())
    plain = decide_plain(facts, ruleset.parameters, ruleset.version)
    assert decision == plain, (decision, plain)
    return decision


def row(r: dict[str, Any]) -> str:
    return (f"| {r['label']} | {r['per_s']:,.0f} | {r['p50_ms']:.3f} | {r['p90_ms']:.3f} | {r['p99_ms']:.3f} | "
            f"{r['p999_ms']:.3f} | {r['max_ms']:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=10000, help="timed evaluations per variant and run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=2000)
    parser.add_argument("--cpu", type=int, default=0, help="CPU to pin this process to (like taskset -c 0)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin (e.g. when run under taskset)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary of the JKK engine path")
    args = parser.parse_args()
    if not args.no_pin:
        os.sched_setaffinity(0, {args.cpu})
    ruleset = load_ruleset(ROOT / "rules")
    decision = check_plain(ruleset, CLAIM)
    print(f"python {sys.version.split()[0]}, cpus allowed: {sorted(os.sched_getaffinity(0))}, "
          f"{len(ruleset.rules)} rules, {len(ruleset.part_names)} durable parts for every rule; JKK claim: "
          f"{len(ruleset.parts_by_claim_type['JKK'])} parts, {len(decision['rules_fired'])} rules fire, "
          f"{len(decision['benefits'])} benefits, outcome {decision['outcome']}; plain Python agrees")
    claims = (("JKK", CLAIM), ("JKM", JKM_CLAIM), ("JHT", JHT_CLAIM))
    variants: list[tuple[str, Callable[[], Any]]] = []
    for ctype, facts in claims:
        _, document, _ = ruleset.case_document(facts)
        parts = ruleset.parts_by_claim_type[ctype]
        fired = len(ruleset.evaluate(facts).rules_fired)
        variants.append((f"{ctype} engine: Ruleset.evaluate ({fired} fire)",
                         lambda facts=facts: ruleset.evaluate(facts)))  # type: ignore[misc]
        variants.append((f"{ctype} durable part only ({len(parts)} parts)",
                         lambda parts=parts, document=document: engine.evaluate(parts, document)))  # type: ignore[misc]
        if ctype == "JKK":
            variants.append(("JKK plain Python", lambda: decide_plain(CLAIM, ruleset.parameters, ruleset.version)))
    by_label: dict[str, list[dict[str, Any]]] = {}
    for run in range(1, args.runs + 1):
        print(f"\nrun {run}\n| variant | evals/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |\n"
              "|---|---|---|---|---|---|---|")
        for label, call in variants:
            result = measure(label, call, args.n, args.warmup if run == 1 else args.warmup // 4)
            by_label.setdefault(label, []).append(result)
            print(row(result), flush=True)
    print(f"\nmedian of {args.runs} runs\n| variant | evals/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |\n"
          "|---|---|---|---|---|---|---|")
    medians = {}
    for label, results in by_label.items():
        medians[label] = {"label": label, **{key: statistics.median(r[key] for r in results)
                                            for key in ("per_s", "mean_ms", "p50_ms", "p90_ms", "p99_ms",
                                                        "p999_ms", "max_ms")}}
        print(row(medians[label]))
    engine_ms = medians[variants[0][0]]["mean_ms"]
    durable_ms = medians[variants[1][0]]["mean_ms"]
    plain_ms = medians["JKK plain Python"]["mean_ms"]
    print(f"\nJKK time per evaluation: engine {engine_ms * 1000:.0f} us = {engine_ms / plain_ms:.0f}x plain Python "
          f"({plain_ms * 1000:.1f} us); durable part {durable_ms * 1000:.0f} us = {durable_ms / plain_ms:.0f}x")
    if args.profile:
        print("\n" + profile(ruleset, min(args.n, 5000)))


if __name__ == "__main__":
    main()
