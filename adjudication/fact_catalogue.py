"""The closed catalogue of facts rules may read, with their types; the loader refuses any other name.

A case is one flat mapping of these names. Adding a fact for a new rule is one line here (and, if the
API gathers it, one line in ``claim_facts``); the engine's typing, date conversion and validation follow.

This is also the one source of every enumeration the API accepts: its schemas take the values of enum and list
facts from ``FACTS``, and the vocabularies of raw inputs that are not facts themselves (an heir's relation, a
child's education level, a transport mode) from ``INPUT_VALUES``, so a value the API takes is always one the
engine takes.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from .documents import DOCUMENTS
from .errors import FactError

EPOCH = dt.date(1970, 1, 1)
KINDS = ("date", "int", "bool", "str", "enum", "list")


@dataclass(frozen=True)
class FactType:
    """What one fact is: its kind, the allowed values of an enum or list, and what it means."""

    kind: str
    description: str
    values: tuple[str, ...] = ()
    unit: str = ""  # "rupiah" for money (messages show it as Rp1.250.000 / Rp1,250,000)

    def __str__(self) -> str:
        return f"{self.kind}({', '.join(self.values)})" if self.values else self.kind


def _enum(description: str, *values: str) -> FactType:
    return FactType("enum", description, values)


def _date(description: str) -> FactType:
    return FactType("date", description)


def _int(description: str) -> FactType:
    return FactType("int", description)


def _money(description: str) -> FactType:
    return FactType("int", description, unit="rupiah")


def _bool(description: str) -> FactType:
    return FactType("bool", description)


def _list(description: str, *values: str) -> FactType:
    return FactType("list", description, values)


FACTS: dict[str, FactType] = {
    # what is decided
    "case_kind": _enum("what the case asks: a claim, a project's coverage, a clearance, a contribution assessment",
                       "claim", "project_coverage", "clearance", "contribution_assessment"),
    "checked_on": _date("the day a licensing office checks a project or a business"),
    # the event and the claim
    "event_date": _date("the legal event: accident, PAK diagnosis, death, end of employment, SPK, the day of a "
                        "clearance check; selects the law"),
    "claim_type": _enum("the programme claimed", "JKK", "JKM", "JHT"),
    "filed_on": _date("the day the claim was filed"),
    "claim_age_years": _int("started years from the event to the filing (facts.claim_age_years)"),
    "months_event_to_filing": _int("whole months from the event to the filing by calendar-month arithmetic "
                                   "(facts.whole_months_after: 31 Jan + 1 month = 28 Feb)"),
    "duplicate_of": FactType("str", "claim id of an earlier claim for the same kpj, claim type and event date"),
    "documents": FactType("list", "documents attached to the claim", DOCUMENTS),
    # the participant
    "participant_registered": _bool("the registry knows the participant (kpj)"),
    "segment": _enum("participant segment", "PU", "BPU", "JAKON", "PMI"),
    "category": _enum("participant group (REFERENCE section 1)", "karyawan", "non_asn", "perangkat_desa",
                      "penyelenggara_pemilu", "pekerja_konstruksi", "petani", "pekebun", "nelayan", "ojek",
                      "pedagang", "buruh_harian", "pekerja_mandiri", "pemberi_kerja", "pmi"),
    "programs": FactType("list", "programmes the participant is registered in", ("JKK", "JKM", "JHT", "JP")),
    "birth_date": _date("the participant's birth date"),
    "age_years": _int("completed years of age at the event (facts.age_at)"),
    "membership_start": _date("first day of membership"),
    "membership_months": _int("completed months of membership at the event (facts.membership_months)"),
    "employment_ended_on": _date("end of the employment relationship"),
    "wage": _money("PU: last reported monthly wage, whole Rupiah"),
    "actual_wage": _money("the actual monthly wage the JKK claim, or else the registry, states when the employer "
                          "reported less (PDS upah), whole Rupiah"),
    "declared_income": _money("BPU: declared monthly income, whole Rupiah"),
    "payer": _enum("who pays the contributions", "self", "employer", "apbd", "apbdes", "csr"),
    # contribution status at the event (facts.contribution_status; PU: the employer's, BPU: the participant's)
    "contribution_overdue_months": _int("months due before the event and not fully paid by it"),
    "contribution_consecutive_unpaid_months": _int("unpaid months counted back from the latest month due"),
    "contribution_paid_months": _int("months fully paid by the event"),
    "contribution_active": _bool("membership active at the event by the contribution rule of the segment (BPU: "
                                 "not lapsed, or paid again after the lapse; decision D3)"),
    "contribution_ever_paid": _bool("some contribution was paid on or before the event"),
    "contribution_reactivated_on": _date("a lapsed BPU member's first payment after the lapse (active from it)"),
    "contribution_period_months": _int("months of contributions at the event for minimum periods (BPU: paid "
                                       "months; PU: membership months less unpaid months; JAKON, PMI: "
                                       "membership months; claim_facts.contribution_period_months)"),
    # the employer
    "employer_scale": _enum("employer scale (Perpres 109/2013)", "micro", "small", "medium", "large"),
    "employer_risk_class": _int("JKK risk class 1..5"),
    "state_employer": _bool("the employer is a state body (non-ASN staff)"),
    # the construction project of a JAKON worker (projects.project_coverage, decision D2)
    "project_covered": _bool("the worker's project was registered and paid (in full or first termin) by the event"),
    "project_covered_from": _date("first day of the project's cover: its registration paid in full or first termin"),
    "project_registration_deadline": _date("the project's registration deadline (dated per-region parameter)"),
    "project_registered_in_time": _bool("the project was registered by its deadline"),
    "project_days_late": _int("calendar days the project's registration came after its deadline"),
    "project_registered": _bool("the project is registered with BPJS Ketenagakerjaan"),
    "project_registered_on": _date("the day the project was registered"),
    "project_past_deadline": _bool("the check date is after the project's registration deadline"),
    "contract_value": _money("the project's contract value excluding VAT, Rupiah"),
    "project_contribution_jkk": _money("JKK contribution on the contract value by the marginal tiers, Rupiah"),
    "project_contribution_jkm": _money("JKM contribution on the contract value by the marginal tiers, Rupiah"),
    "project_contribution_total": _money("JKK and JKM contribution of the project, Rupiah"),
    **{name: ftype for n in range(1, 4) for name, ftype in (
        (f"project_termin_{n}_amount", _money(f"termin {n}: its share of the contribution, Rupiah")),
        (f"project_termin_{n}_due_on", _date(f"termin {n}: the day it is due")),
        (f"project_termin_{n}_paid", _money(f"termin {n}: what is paid of it by the check date, Rupiah")),
        (f"project_termin_{n}_paid_on", _date(f"termin {n}: the day it was paid in full")))},
    "project_first_termin_outstanding": _money("what is still unpaid of the first termin at the check date, Rupiah"),
    "project_termins_overdue": _int("termins due by the check date and not paid in full"),
    "project_overdue_amount": _money("what is due by the check date and unpaid on those termins, Rupiah"),
    # a contribution assessment: what is owed for a month, a package or a project
    "assessment_type": _enum("what is assessed", "pu_month", "bpu_month", "pmi", "jakon_project"),
    "jkp_registered": _bool("the PU employer has registered the worker in JKP (PP 49/2023 rekomposisi)"),
    "industry": _enum("the employer's industry, for the PP 7/2025 JKK discount", "food_beverage_tobacco",
                      "textile_apparel", "leather", "footwear", "toys", "furniture", "other"),
    "active_workers": _int("the employer's active workers in the month"),
    "jkk_discount_eligible": _bool("industry and workforce qualify for the JKK discount in force that month"),
    "assessment_due_on": _date("the day the month's contribution is due"),
    "assessment_paid_on": _date("the day it was (or will be) paid"),
    "months_late": _int("months begun after the due date when it was paid (0: on time)"),
    "pmi_phase": _enum("a migrant worker's package", "pre_placement", "placement"),
    "pmi_package_months": _int("months of the during-and-after-placement package (6, 12 or 24)"),
    "pmi_extra_months": _int("months the placement contract runs beyond its package"),
    # a business asking for a permit (clearance)
    "purpose": _enum("why a licensing office checks the business", "permit_issue", "permit_renewal"),
    "employer_registered": _bool("the registry knows an employer with this NIB"),
    "employer_programs_missing": _list("programmes the employer's scale requires that it is not registered in "
                                       "(Perpres 109/2013 Pasal 6)", "JKK", "JKM", "JHT", "JP"),
    "employer_overdue_months": _int("PU contribution months due before the check date and not fully paid"),
    "employer_overdue_periods": FactType("str", "those months, e.g. '2026-07, 2026-08'"),
    "employer_arrears_amount": _money("what is still owed on those months, Rupiah"),
    "employer_arrears_fine": _money("the late fine on them at the check date (a rate per month begun), Rupiah"),
    "clearance_allowed_overdue_months": _int("overdue months a clearance allows in the office's region (D12)"),
    "contractor_projects": _int("the business's construction projects with an SPK on or before the check date"),
    "projects_unregistered": FactType("list", "numbers of the projects past their registration deadline and not "
                                              "registered"),
    "projects_unpaid": FactType("list", "numbers of the registered projects with a termin due and unpaid"),
    "projects_unpaid_amount": _money("what is due and unpaid on those projects' termins, Rupiah"),
    # JKK incident
    "incident_kind": _enum("JKK incident kind", "workplace", "commute", "business_trip", "authorized_break",
                           "occupational_disease", "sudden_work_death"),
    "reported_on": _date("stage-I report to BPJS"),
    "route_deviation": _bool("a commute left the usual route"),
    "suspected_work_accident": _bool("the claim was filed as a suspected work accident or occupational disease "
                                     "(dugaan KK/PAK, PP 49/2023)"),
    "suspected_decision_due": _date("the day BPJS concludes at the latest whether a suspected work accident is one: "
                                    "the stage-I report plus jkk.suspected_decision_days"),
    # a supervisor's findings on a referred claim (POST /v1/claims/{id}/reviews; adjudication.review)
    "review_route_deviation": _enum("a supervisor's finding on a commute off the usual route", "accepted",
                                    "not_accepted"),
    "review_exclusion": _enum("a supervisor's finding on a suspected exclusion", "confirmed", "refuted"),
    "review_accident_kind": _enum("a supervisor's finding whether an event the old definition does not name was in "
                                  "the employment relationship", "work_related", "not_work_related"),
    "review_suspected": _enum("a supervisor's conclusion on a suspected work accident or occupational disease",
                              "work_accident", "not_work_accident"),
    "review_rejection": _enum("the catalogued reason a supervisor rejects a referred claim with",
                              "EVIDENCE_NOT_VALID", "NOT_A_WORK_ACCIDENT"),
    "documents_verified": FactType("list", "documents a supervisor saw and verified (they count as attached)"),
    "diagnosed_on": _date("occupational disease diagnosis"),
    "pak_years_after_employment": _int("started years from the end of employment to the PAK diagnosis"),
    "incident_flags": FactType("list", "what the chronology suggests (any flag refers the claim)",
                               ("self_inflicted", "intoxication", "fight", "crime")),
    "outcome_type": _enum("JKK outcome", "recovered", "temporary_incapacity", "partial_disability",
                          "total_disability", "death"),
    "incapacity_months": _int("months unfit for work (STMB)"),
    "disability_pct": _int("disability table percentage: the doctor's (PP 44/2015 Lampiran), or the table's for "
                           "a named item of one percentage"),
    "disability_item": _enum("a named item of the disability table (decision D7; its percentage is the parameter "
                             "jkk.disability_table.<item>)", "both_eyes", "one_eye", "hearing_both_ears",
                             "hearing_one_ear", "scalp", "both_ear_lobes", "one_ear_lobe", "nose_tip", "smell",
                             "colour_vision", "right_arm_from_shoulder", "left_arm_from_shoulder"),
    "left_handed": _bool("the participant is left-handed (the table swaps the percentages of the right and left arm)"),
    "disability_table_min": _int("the table's lowest percentage for the named item (its percentage when it has one)"),
    "disability_table_max": _int("the table's highest percentage for the named item (its percentage when it has one)"),
    "review_disability_pct": _enum("a supervisor's finding on a doctor's percentage outside the table's for the "
                                   "named item", "accepted", "not_accepted"),
    "function_loss_pct": _int("percentage of function lost"),
    "transport_land": _money("transport costs by land, Rupiah"),
    "transport_sea": _money("transport costs by sea, Rupiah"),
    "transport_air": _money("transport costs by air, Rupiah"),
    "medical_costs": _money("medical costs, Rupiah"),
    "home_care_costs": _money("home care costs (PP 82/2019), Rupiah"),
    "home_care_months": _int("months the home care lasted"),
    "aid_dentures": _money("costs of dentures, Rupiah"),
    "aid_hearing_aid": _money("costs of hearing aids, Rupiah"),
    "aid_glasses": _money("costs of glasses, Rupiah"),
    # JKM and JHT
    "death_cause": _enum("JKM cause of death", "natural", "work_accident"),
    "placement": _enum("PMI placement phase at the event", "pre", "during", "post"),
    "jht_reason": _enum("JHT claim reason", "retirement", "resignation", "termination", "contract_end",
                        "total_disability", "death", "leaving_indonesia", "partial_housing", "partial_other",
                        "bpu_stopped"),
    "contractual_retirement_age": _int("the retirement age of the participant's employment contract, company "
                                       "regulation or collective agreement, as the JHT claim states it"),
    "review_retirement_age": _enum("a supervisor's finding whether the participant reached the retirement age that "
                                   "applies (the contract's, the company regulation's, the collective agreement's "
                                   "or 56)", "reached", "not_reached"),
    "jht_balance": _money("JHT balance, Rupiah"),
    "jht_online_limit": _money("the largest JHT balance the JMO app pays, in force on the filing date"),
    "jht_partial_withdrawals": _int("partial JHT withdrawals already made"),
    "jht_claimable_from": _date("resignation or termination: the first filing date after the waiting period "
                                "(the event plus jht.waiting_months by calendar-month arithmetic)"),
    "heirs_count": _int("number of heirs named"),
    "school_children": _int("children eligible for a scholarship: under 23, unmarried, not working, in education"),
    "scholarship_children_tk_sd": _int("of the (at most 2) eldest eligible children, those in TK or SD"),
    "scholarship_children_smp": _int("of the (at most 2) eldest eligible children, those in SMP"),
    "scholarship_children_sma": _int("of the (at most 2) eldest eligible children, those in SMA"),
    "scholarship_children_university": _int("of the (at most 2) eldest eligible children, those at university"),
    "heir_class": _int("first class of heirs present in the legal order (parameters heirs.class_N: 1 spouse or "
                       "children, 2 parents, grandchildren or grandparents, 3 siblings, 4 parents-in-law, 5 will "
                       "beneficiary); one past the last class when none is present"),
    "heirs_entitled": FactType("str", "relations of the heirs in that class, e.g. 'child, spouse'"),
    "heirs_found": _bool("someone of a class of heirs in the legal order is named (parameters heirs.class_N)"),
}

# vocabularies of the raw inputs the derivation reads that are not facts of their own
INPUT_VALUES: dict[str, tuple[str, ...]] = {
    # an heir's relation to the participant: the members of the classes heirs.class_N, and child for scholarships
    "relation": ("spouse", "child", "parent", "grandchild", "grandparent", "sibling", "parent_in_law",
                 "will_beneficiary"),
    # a child's education level: none (not at school) or one that scholarship.levels.* may pay for
    "education_level": ("none", "tk", "sd", "smp", "sma", "university"),
    # how transport costs were incurred: each mode is summed into the fact transport_<mode>
    "transport_mode": ("land", "sea", "air"),
    # an aid the claim asks to be reimbursed (PP 82/2019): each kind is summed into the fact aid_<kind>
    "aid_kind": ("dentures", "hearing_aid", "glasses"),
}

# names the engine adds to the asserted document; no fact may take them
RESERVED = frozenset({"kind", "sid", "id"})


def fact_type(name: str) -> FactType | None:
    """The type of a catalogued fact, or None."""
    return FACTS.get(name)


def epoch_days(value: dt.date) -> int:
    """Days since 1970-01-01: the engine has no date type, so dates are compared as these integers."""
    return (value - EPOCH).days


def from_epoch_days(days: int) -> dt.date:
    """Inverse of ``epoch_days``."""
    return EPOCH + dt.timedelta(days=days)


def parse_date(value: Any) -> dt.date | None:
    """A date from a ``date`` or an ISO ``YYYY-MM-DD`` string; None when it is neither."""
    if isinstance(value, dt.datetime):
        return None  # a timestamp is not a legal date; refuse rather than guess a time zone
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


@functools.lru_cache(maxsize=8192)
def iso_day_forms(value: str) -> tuple[str, int] | None:
    """A date fact given as ISO text: (stored form, engine form), as ``check_fact`` gives them; None when the text
    is no date. Kept per text: derived facts carry their dates as text, and a log of decisions repeats them."""
    day = parse_date(value)
    return None if day is None else (day.isoformat(), epoch_days(day))


def check_fact(name: str, value: Any) -> tuple[Any, Any]:
    """Validate one fact; return (stored form with ISO dates, engine form with epoch days)."""
    ftype = FACTS.get(name)
    if ftype is None:
        raise FactError(f"unknown fact {name!r}; the catalogue is adjudication.fact_catalogue.FACTS")
    kind = ftype.kind
    if kind == "date":
        day = parse_date(value)
        if day is None:
            raise FactError(f"fact {name!r} must be a date (YYYY-MM-DD), got {value!r}")
        return day.isoformat(), epoch_days(day)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise FactError(f"fact {name!r} must be an integer, got {value!r}")
        return value, value
    if kind == "bool":
        if not isinstance(value, bool):
            raise FactError(f"fact {name!r} must be true or false, got {value!r}")
        return value, value
    if kind in ("str", "enum"):
        if not isinstance(value, str):
            raise FactError(f"fact {name!r} must be a string, got {value!r}")
        if kind == "enum" and value not in ftype.values:
            raise FactError(f"fact {name!r} must be one of {', '.join(ftype.values)}, got {value!r}")
        return value, value
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise FactError(f"fact {name!r} must be a list of strings, got {value!r}")
    bad = [v for v in value if ftype.values and v not in ftype.values]
    if bad:
        raise FactError(f"fact {name!r} allows only {', '.join(ftype.values)}, got {bad!r}")
    items = sorted(set(value))  # a set in meaning: order and repeats carry nothing
    return items, items


def facts_table() -> str:
    """The catalogue as the Markdown table in rules/README.md (``flask --app wsgi rules facts`` prints it)."""
    rows = ["| fact | type | meaning |", "|---|---|---|"]
    rows += [f"| `{name}` | {ftype} | {ftype.description} |" for name, ftype in FACTS.items()]
    return "\n".join(rows) + "\n"
