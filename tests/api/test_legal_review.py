"""The legal review of the rules (issue 11), end to end through POST /v1/claims: cover that ends with the employment,
a participant who has paid, a lapsed BPU member re-activated from the day of a payment, the late-report liability
shift that needs an employer, a migrant worker's claim window and JKK cash benefits, the JHT retirement age of the
contract, the named items of the disability table, the benefit items of PP 82/2019, a suspected work accident, and
an under-reported wage whose shortfall the employer owes. Each test sits on both sides of its edge (a date, or the
participant's segment) and asserts the reason codes, not only the outcome."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient

from api import claim_schemas

from .test_examples import KPJ, NPP, Registry, amounts, codes

JHT_PAPERS = ("kpj_card", "ktp", "bank_book")


@pytest.fixture
def registry(client: FlaskClient, auth: Any) -> Registry:
    """A large, current employer paying for its workers from July 2015 to October 2026 (as in test_examples)."""
    reg = Registry(client, auth)
    reg.employer()
    reg.paid_months(f"employer:{NPP}", "2015-07", "2026-10")
    return reg


def reason(decision: dict[str, Any], code: str) -> dict[str, Any]:
    return next(r for r in decision["reasons"] if r["code"] == code)


SPOUSE = {"relation": "spouse", "birth_date": "1982-03-03"}
CHILD_SD = {"relation": "child", "birth_date": "2015-05-01", "education_level": "sd"}
# a self-paying BPU member on a declared income of 1,000,000, and a migrant worker (PMI) paying for themself
BPU = {"segment": "BPU", "category": "petani", "employer_npp": None, "wage": None, "declared_income": 1_000_000,
       "payer": "self", "programs": ["JKK", "JKM"]}
PMI = {"segment": "PMI", "category": "pmi", "employer_npp": None, "payer": "self", "programs": ["JKK", "JKM", "JHT"]}
ONE_MONTH = {"type": "temporary_incapacity", "incapacity_months": 1}


def natural_death(date: str) -> dict[str, Any]:
    return {"date": date, "cause": "natural"}


def disease(diagnosed_on: str) -> dict[str, Any]:
    return {"date": "2021-10-01", "kind": "occupational_disease", "reported_on": diagnosed_on,
            "diagnosed_on": diagnosed_on, "outcome": {"type": "recovered"}}


def pay(registry: Registry, *months: tuple[str, str]) -> None:
    """The participant's own contribution months, each (period, day paid) in full."""
    items = [{"payer": f"participant:{KPJ}", "period": period, "amount_due": 16_800, "amount_paid": 16_800,
              "paid_on": paid_on} for period, paid_on in months]
    response = registry.client.post("/v1/contributions", json={"items": items}, headers=registry.admin)
    assert response.status_code == 200, response.get_json()


def test_item_1_a_wage_earner_s_jkk_cover_ends_with_the_employment(registry: Registry) -> None:
    registry.participant(employment_ended_on="2024-03-09")
    after = registry.claim("JKK", "2024-03-20", accident("2024-03-10", ONE_MONTH))
    assert after["outcome"] == "rejected" and codes(after) == ["NOT_A_PARTICIPANT", "COVERAGE_ENDED"]
    assert after["benefits"] == [] and after["total_amount"] == 0
    ended = reason(after, "COVERAGE_ENDED")
    assert ended["rule_id"] == "GENERAL.COVERAGE_ENDED" and ended["citation"] == "Perpres 109/2013 Pasal 1 angka 3"
    assert "ended on 9 March 2024" in ended["message_en"] and "ended on that day" in ended["message_en"], ended
    assert "9 Maret 2024" in ended["message_id"]
    # no employer failed to register this worker: the decision does not say one owes the benefits
    assert "employer" not in reason(after, "NOT_A_PARTICIPANT")["message_en"]
    # an accident on the last day of the employment, or the day before it, is covered
    for day in ("2024-03-09", "2024-03-08"):
        covered = registry.claim("JKK", "2024-03-20", accident(day, ONE_MONTH))
        assert covered["outcome"] == "approved" and amounts(covered) == {"JKK_STMB": 5_000_000}, covered["reasons"]
        assert not {"NOT_A_PARTICIPANT", "COVERAGE_ENDED"} & set(codes(covered))


def test_item_1_no_jkm_after_the_employment_ended(registry: Registry) -> None:
    registry.participant(employment_ended_on="2024-03-09")
    after = registry.claim("JKM", "2024-03-20", natural_death("2024-03-10"), heirs=[SPOUSE])
    assert after["outcome"] == "rejected" and codes(after) == ["NOT_A_PARTICIPANT", "COVERAGE_ENDED"]
    assert "ended on 9 March 2024" in reason(after, "COVERAGE_ENDED")["message_en"]
    on_last_day = registry.claim("JKM", "2024-03-20", natural_death("2024-03-09"), heirs=[SPOUSE])
    assert on_last_day["outcome"] == "approved" and on_last_day["total_amount"] == 42_000_000
    assert "COVERAGE_ENDED" not in codes(on_last_day)


def test_item_1_an_occupational_disease_within_3_years_of_the_end_is_still_jkk(registry: Registry) -> None:
    registry.participant(employment_ended_on="2022-01-01")
    within = registry.claim("JKK", "2025-01-10", disease("2025-01-01"))  # diagnosed on the 3rd anniversary
    assert within["outcome"] == "approved" and codes(within) == ["WORK_ACCIDENT_COVERED"], within["reasons"]
    beyond = registry.claim("JKK", "2025-01-10", disease("2025-01-02"))
    assert beyond["outcome"] == "rejected" and codes(beyond) == ["PAK_AFTER_EMPLOYMENT_WINDOW"]
    # an accident after the employment ended is no JKK at all
    accident_after = registry.claim("JKK", "2025-01-10", accident("2025-01-03", ONE_MONTH))
    assert codes(accident_after) == ["NOT_A_PARTICIPANT", "COVERAGE_ENDED"]


def test_item_1_cover_as_bpu_after_the_employment_keeps_the_participant_covered(registry: Registry) -> None:
    # the registry's record becomes a BPU membership from 1 April 2024, the end of the employment kept
    registry.participant(**BPU, employment_ended_on="2024-03-09", membership_start="2024-04-01")
    registry.paid_months(f"participant:{KPJ}", "2024-04", "2024-12", bpu=True)
    covered = registry.claim("JKK", "2024-06-20", accident("2024-06-10", ONE_MONTH))
    assert covered["outcome"] == "approved" and amounts(covered) == {"JKK_STMB": 1_000_000}  # declared income
    assert not {"NOT_A_PARTICIPANT", "COVERAGE_ENDED"} & set(codes(covered))
    jkm = registry.claim("JKM", "2024-06-20", natural_death("2024-06-11"), heirs=[SPOUSE])
    assert jkm["outcome"] == "approved" and jkm["total_amount"] == 42_000_000
    # between the end of the employment and the BPU membership there was no cover (and nothing paid as BPU)
    gap = registry.claim("JKK", "2024-03-20", accident("2024-03-15", ONE_MONTH))
    assert gap["outcome"] == "rejected" and codes(gap) == ["NOT_A_PARTICIPANT", "NO_CONTRIBUTION_PAID"]


def test_item_1_the_contribution_status_is_the_employer_s_for_the_months_of_employment(
        client: FlaskClient, auth: Any) -> None:
    registry = Registry(client, auth)
    registry.employer()
    # the employer pays until December 2023 and nothing from January 2024: four months overdue by June
    registry.paid_months(f"employer:{NPP}", "2015-07", "2023-12")
    registry.participant(employment_ended_on="2023-12-31")
    left = registry.claim("JKK", "2024-06-10", disease("2024-06-03"))
    assert left["outcome"] == "approved" and left["liability"] == "bpjs", left["reasons"]
    assert "EMPLOYER_ARREARS" not in codes(left)
    # the same employer's arrears are a worker's still employed there
    registry.participant()
    employed = registry.claim("JKK", "2024-06-10", disease("2024-06-04"))
    assert employed["outcome"] == "approved" and employed["liability"] == "employer"
    assert "EMPLOYER_ARREARS" in codes(employed)


def test_item_2_a_bpu_member_who_has_paid_nothing_by_the_event_is_not_a_participant(
        client: FlaskClient, auth: Any) -> None:
    registry = Registry(client, auth)
    registry.participant(**BPU, membership_start="2024-08-01")
    pay(registry, ("2024-08", "2024-08-12"))  # the first payment
    before = registry.claim("JKK", "2024-08-20", accident("2024-08-11", ONE_MONTH))
    assert before["outcome"] == "rejected" and codes(before) == ["NOT_A_PARTICIPANT", "NO_CONTRIBUTION_PAID"]
    assert reason(before, "NO_CONTRIBUTION_PAID")["rule_id"] == "GENERAL.NEVER_PAID"
    assert reason(before, "NO_CONTRIBUTION_PAID")["citation"] == "Perpres 109/2013 Pasal 1 angka 3"
    assert "employer" not in reason(before, "NOT_A_PARTICIPANT")["message_en"]  # a BPU member has none
    death = registry.claim("JKM", "2024-08-20", natural_death("2024-08-11"), heirs=[SPOUSE])
    assert death["outcome"] == "rejected" and codes(death) == ["NOT_A_PARTICIPANT", "NO_CONTRIBUTION_PAID"]
    # paid on the day of the event: a participant that day
    same_day = registry.claim("JKK", "2024-08-20", accident("2024-08-12", ONE_MONTH))
    assert same_day["outcome"] == "approved" and amounts(same_day) == {"JKK_STMB": 1_000_000}
    assert not {"NOT_A_PARTICIPANT", "NO_CONTRIBUTION_PAID", "PARTICIPANT_INACTIVE"} & set(codes(same_day))
    death = registry.claim("JKM", "2024-08-20", natural_death("2024-08-12"), heirs=[SPOUSE])
    assert death["outcome"] == "approved" and death["total_amount"] == 42_000_000


def test_items_1_2_only_an_employer_that_did_not_register_its_worker_owes_the_benefits(
        registry: Registry, client: FlaskClient, auth: Any) -> None:
    # decision D11: a worker the registry does not know, or whose membership started after the event
    filed = client.post("/v1/claims", headers={**auth("officer"), "Idempotency-Key": "unknown-worker-1"}, json={
        "claim_type": "JKK", "kpj": "10000000099", "filed_on": "2024-03-20",
        "incident": accident("2024-03-10", ONE_MONTH)})
    assert filed.status_code == 201, filed.get_json()
    unknown = filed.get_json()["decision"]
    assert unknown["outcome"] == "rejected"
    assert codes(unknown) == ["NOT_A_PARTICIPANT", "EMPLOYER_OWES_EQUIVALENT"], unknown["reasons"]
    owes = reason(unknown, "EMPLOYER_OWES_EQUIVALENT")
    assert (owes["rule_id"], owes["citation"]) == ("GENERAL.EMPLOYER_OWES_EQUIVALENT",
                                                   "PP 44/2015 Pasal 27 ayat (1) dan Pasal 59")
    assert "did not register its worker owes" in owes["message_en"]
    registry.participant(membership_start="2024-03-11")
    late_member = registry.claim("JKK", "2024-03-20", accident("2024-03-10", ONE_MONTH))
    assert codes(late_member) == ["NOT_A_PARTICIPANT", "EMPLOYER_OWES_EQUIVALENT"]
    # a BPU member has no employer: not a participant before the membership and the first payment, nothing more
    registry.participant(**BPU, membership_start="2024-03-11")
    pay(registry, ("2024-03", "2024-03-11"))
    bpu = registry.claim("JKK", "2024-03-20", accident("2024-03-09", ONE_MONTH))
    assert bpu["outcome"] == "rejected" and codes(bpu) == ["NOT_A_PARTICIPANT", "NO_CONTRIBUTION_PAID"]


def test_item_3_a_lapsed_bpu_member_is_covered_again_from_the_day_of_a_payment(
        client: FlaskClient, auth: Any) -> None:
    registry = Registry(client, auth)
    registry.participant(**BPU, membership_start="2024-01-01")
    # January to March paid, April to July not: lapsed from 16 July (the 4th unpaid month past its due date, the
    # 15th); August paid on the 5th, ten days before its due date
    pay(registry, ("2024-01", "2024-01-10"), ("2024-02", "2024-02-10"), ("2024-03", "2024-03-10"),
        ("2024-08", "2024-08-05"))
    last_covered = registry.claim("JKK", "2024-08-20", accident("2024-07-15", ONE_MONTH))
    assert last_covered["outcome"] == "approved" and amounts(last_covered) == {"JKK_STMB": 1_000_000}
    lapsed = registry.claim("JKK", "2024-08-20", accident("2024-07-16", ONE_MONTH))
    assert lapsed["outcome"] == "rejected" and codes(lapsed) == ["PARTICIPANT_INACTIVE"]
    gap = registry.claim("JKM", "2024-08-20", natural_death("2024-08-04"), heirs=[SPOUSE])
    assert gap["outcome"] == "rejected" and codes(gap) == ["PARTICIPANT_INACTIVE"]
    assert reason(gap, "PARTICIPANT_INACTIVE")["rule_id"] == "GENERAL.BPU_INACTIVE"
    paid_day = registry.claim("JKM", "2024-08-20", natural_death("2024-08-05"), heirs=[SPOUSE])
    assert paid_day["outcome"] == "approved" and paid_day["total_amount"] == 42_000_000
    assert "PARTICIPANT_INACTIVE" not in codes(paid_day)
    # the same for a work accident the day of the payment
    accident_day = registry.claim("JKK", "2024-08-20", accident("2024-08-05", ONE_MONTH))
    assert accident_day["outcome"] == "approved" and amounts(accident_day) == {"JKK_STMB": 1_000_000}


def late(date: str, reported_on: str) -> dict[str, Any]:
    return accident(date, ONE_MONTH, reported_on=reported_on)


def test_item_4_from_24_february_2025_a_late_report_makes_a_wage_earner_s_employer_liable(
        registry: Registry) -> None:
    registry.participant()
    shifted = registry.claim("JKK", "2025-03-10", late("2025-02-24", "2025-02-27"))
    assert shifted["outcome"] == "approved" and shifted["liability"] == "employer"
    assert "LATE_REPORT_EMPLOYER_LIABLE" in codes(shifted) and "LATE_REPORT" not in codes(shifted)
    employer = reason(shifted, "LATE_REPORT_EMPLOYER_LIABLE")
    assert employer["rule_id"] == "JKK.LATE_REPORT" and employer["citation"] == "Permenaker 1/2025 Pasal 8 ayat (2a)"
    # reported within 2 x 24 hours: BPJS pays
    in_time = registry.claim("JKK", "2025-03-10", late("2025-02-25", "2025-02-27"))
    assert in_time["liability"] == "bpjs"
    assert not {"LATE_REPORT", "LATE_REPORT_EMPLOYER_LIABLE"} & set(codes(in_time))
    # an accident the day before: the old rule, BPJS pays and the decision warns (decision D5)
    before = registry.claim("JKK", "2025-03-10", late("2025-02-23", "2025-02-26"))
    assert before["outcome"] == "approved" and before["liability"] == "bpjs"
    assert "LATE_REPORT" in codes(before) and "LATE_REPORT_EMPLOYER_LIABLE" not in codes(before)
    assert reason(before, "LATE_REPORT")["citation"] == "Permenaker 5/2021 Pasal 8"


def test_item_4_a_late_report_makes_a_construction_worker_s_contractor_liable(registry: Registry) -> None:
    registry.put("/v1/projects/JK-2025-0007", {
        "contractor_npp": NPP, "owner_name": "Dinas PUPR Kubu Raya", "spk_number": "SPK/007/2025",
        "spk_date": "2025-01-06", "contract_value": 850_000_000, "funding": "APBD", "region_code": "61.12",
        "start_date": "2025-01-06", "end_date": "2025-12-31", "registered_on": "2025-01-08",
        "payments": [{"termin": 1, "amount": 762_500, "paid_on": "2025-01-08"}]})
    registry.participant(segment="JAKON", category="buruh_harian", project_number="JK-2025-0007",
                         programs=["JKK", "JKM"], membership_start="2025-01-06", wage=3_000_000)
    shifted = registry.claim("JKK", "2025-03-10", late("2025-02-24", "2025-02-27"))
    assert shifted["outcome"] == "approved" and shifted["liability"] == "employer", shifted["reasons"]
    assert "LATE_REPORT_EMPLOYER_LIABLE" in codes(shifted) and "LATE_REPORT" not in codes(shifted)
    before = registry.claim("JKK", "2025-03-10", late("2025-02-23", "2025-02-26"))
    assert before["liability"] == "bpjs" and "LATE_REPORT" in codes(before)
    assert "LATE_REPORT_EMPLOYER_LIABLE" not in codes(before)


def test_item_4_a_bpu_member_has_no_employer_to_shift_the_liability_to(client: FlaskClient, auth: Any) -> None:
    registry = Registry(client, auth)
    registry.participant(**BPU, membership_start="2024-01-01")
    registry.paid_months(f"participant:{KPJ}", "2024-01", "2025-03", bpu=True)
    # from 24 February 2025: BPJS stays liable, the decision warns under Pasal 48A (the notice route)
    notice = registry.claim("JKK", "2025-03-10", late("2025-02-24", "2025-02-27"))
    assert notice["outcome"] == "approved" and notice["liability"] == "bpjs", notice["reasons"]
    assert codes(notice) == ["WORK_ACCIDENT_COVERED", "LATE_REPORT"] and amounts(notice) == {"JKK_STMB": 1_000_000}
    warned = reason(notice, "LATE_REPORT")
    assert (warned["rule_id"], warned["citation"]) == ("JKK.LATE_REPORT.NO_EMPLOYER", "Permenaker 1/2025 Pasal 48A")
    # the day before: the same outcome under the old rule
    before = registry.claim("JKK", "2025-03-10", late("2025-02-23", "2025-02-26"))
    assert before["liability"] == "bpjs" and codes(before) == ["WORK_ACCIDENT_COVERED", "LATE_REPORT"]
    warned = reason(before, "LATE_REPORT")
    assert (warned["rule_id"], warned["citation"]) == ("JKK.LATE_REPORT", "Permenaker 5/2021 Pasal 8")


@pytest.fixture
def migrant(registry: Registry) -> Registry:
    """A migrant worker with a reported wage, so a PU formula would have something to pay on."""
    registry.participant(**PMI, wage=5_000_000, membership_start="2020-01-01")
    return registry


def test_item_5_a_migrant_worker_s_jkk_claim_expires_after_2_years_before_permenaker_4_2023(
        migrant: Registry) -> None:
    in_time = migrant.claim("JKK", "2023-01-10", accident("2021-01-10", {"type": "recovered"}))  # the 2nd year
    assert in_time["outcome"] == "referred" and "CLAIM_EXPIRED" not in codes(in_time)
    assert "PMI_JKK_BENEFITS_NOT_ENCODED" in codes(in_time)
    late_claim = migrant.claim("JKK", "2023-01-12", accident("2021-01-11", {"type": "recovered"}))  # 2 years + 1 day
    assert late_claim["outcome"] == "rejected" and codes(late_claim) == ["CLAIM_EXPIRED"]
    expired = reason(late_claim, "CLAIM_EXPIRED")
    assert (expired["rule_id"], expired["citation"]) == ("JKK.EXPIRY.PMI", "PP 44/2015 Pasal 26")
    # three years after an accident of 21 February 2023, the last day of the 2-year window
    last_day = migrant.claim("JKK", "2026-02-20", accident("2023-02-21", {"type": "recovered"}))
    assert last_day["outcome"] == "rejected" and codes(last_day) == ["CLAIM_EXPIRED"]


def test_item_5_from_22_february_2023_a_migrant_worker_has_5_years(
        migrant: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    third_year = migrant.claim("JKK", "2026-02-20", accident("2023-02-22", {"type": "recovered"}))
    assert third_year["outcome"] == "referred" and "CLAIM_EXPIRED" not in codes(third_year)
    assert "PMI_JKK_BENEFITS_NOT_ENCODED" in codes(third_year)
    # the 5 years end after today: the service is asked as on 10 March 2028 (a filing date cannot be later than today)
    monkeypatch.setattr(claim_schemas, "jakarta_today", lambda: dt.date(2028, 3, 10))
    fifth_year = migrant.claim("JKK", "2028-03-01", accident("2023-03-01", {"type": "recovered"}))
    assert fifth_year["outcome"] == "referred" and "CLAIM_EXPIRED" not in codes(fifth_year)
    expired = migrant.claim("JKK", "2028-03-03", accident("2023-03-02", {"type": "recovered"}))  # 5 years + 1 day
    assert expired["outcome"] == "rejected" and codes(expired) == ["CLAIM_EXPIRED"]
    rule = reason(expired, "CLAIM_EXPIRED")
    assert (rule["rule_id"], rule["citation"]) == ("JKK.EXPIRY.PMI", "Permenaker 4/2023 ketentuan kedaluwarsa klaim")


def test_item_6_a_migrant_worker_s_jkk_benefits_are_referred_never_paid_on_the_pu_table(migrant: Registry) -> None:
    costs = {"medical": 2_000_000, "transport": [{"mode": "land", "amount": 500_000}],
             "home_care": {"amount": 6_000_000, "months": 3}, "aids": [{"kind": "glasses", "amount": 700_000}]}
    outcomes = ({"type": "death"}, {"type": "total_disability"}, {"type": "partial_disability", "disability_pct": 20},
                ONE_MONTH)
    for day, outcome in zip(("2024-03-10", "2024-03-11", "2024-03-12", "2024-03-13"), outcomes, strict=True):
        decision = migrant.claim("JKK", "2024-04-10", accident(day, outcome, costs=costs),
                                 heirs=[SPOUSE, CHILD_SD] if outcome["type"] == "death" else ())
        assert decision["outcome"] == "referred", (outcome, decision["reasons"])
        assert "PMI_JKK_BENEFITS_NOT_ENCODED" in codes(decision), (outcome, codes(decision))
        # nothing paid, and nothing of the PU table (wage-based amounts, reimbursements, scholarship) waits for the
        # referral either: the migrant worker's own benefits under Permenaker 4/2023 are for a person to apply
        assert decision["benefits"] == [] and decision["total_amount"] == 0
        assert "provisional_benefits" not in decision, (outcome, decision["provisional_benefits"])
        assert "provisional_total" not in decision
    referral = reason(decision, "PMI_JKK_BENEFITS_NOT_ENCODED")
    assert referral["rule_id"] == "JKK.PMI.BENEFITS_NOT_ENCODED"
    assert referral["citation"] == "Permenaker 4/2023 manfaat JKK bagi PMI"
    # the other side: a wage earner's same accident is paid on the table
    migrant.participant(wage=5_000_000)
    paid = migrant.claim("JKK", "2024-04-10", accident("2024-03-30", {"type": "partial_disability",
                                                                      "disability_pct": 20}, costs=costs))
    assert paid["outcome"] == "approved" and "PMI_JKK_BENEFITS_NOT_ENCODED" not in codes(paid)
    assert amounts(paid) == {"JKK_PARTIAL_DISABILITY": 80_000_000, "JKK_MEDICAL": 2_000_000,
                             "JKK_TRANSPORT_LAND": 500_000, "JKK_HOME_CARE": 6_000_000, "JKK_GLASSES": 700_000}


def test_item_7_a_retirement_below_56_is_referred_then_decided_on_the_contractual_age(
        registry: Registry, client: FlaskClient, auth: Any) -> None:
    # born 1 March 1969: 55 on each retirement date of 2024 below
    registry.participant(birth_date="1969-03-01", jht_balance=20_000_000, employment_ended_on="2024-03-01")
    unproven = registry.claim("JHT", "2024-03-15", {"reason": "retirement", "date": "2024-03-01"},
                              documents=JHT_PAPERS)
    assert unproven["outcome"] == "referred" and "JHT_RETIREMENT_AGE_TO_VERIFY" in codes(unproven)
    assert reason(unproven, "JHT_RETIREMENT_AGE_TO_VERIFY")["citation"] == "Permenaker 4/2022 Pasal 6"
    assert [(b["code"], b["amount"]) for b in unproven["provisional_benefits"]] == [("JHT_BALANCE", 20_000_000)]
    # a contractual age stated without its document is still for a person to check
    undocumented = registry.claim("JHT", "2024-03-15", {"reason": "retirement", "date": "2024-03-02",
                                                        "contractual_retirement_age": 55}, documents=JHT_PAPERS)
    assert undocumented["outcome"] == "referred" and "JHT_RETIREMENT_AGE_TO_VERIFY" in codes(undocumented)
    # with the contract's retirement age and the document: decided on that age
    contract = registry.claim("JHT", "2024-03-15", {"reason": "retirement", "date": "2024-03-03",
                                                    "contractual_retirement_age": 55},
                              documents=(*JHT_PAPERS, "retirement_age_document"))
    assert contract["outcome"] == "approved" and amounts(contract) == {"JHT_BALANCE": 20_000_000}
    assert "JHT_CONTRACTUAL_RETIREMENT_AGE" in codes(contract)
    assert "55" in reason(contract, "JHT_CONTRACTUAL_RETIREMENT_AGE")["message_en"]
    later = registry.claim("JHT", "2024-03-15", {"reason": "retirement", "date": "2024-03-04",
                                                 "contractual_retirement_age": 57},
                           documents=(*JHT_PAPERS, "retirement_age_document"))
    assert later["outcome"] == "rejected" and codes(later) == ["JHT_BELOW_RETIREMENT_AGE"]
    assert "57" in later["reasons"][0]["message_en"] and "56" in later["reasons"][0]["message_en"]


def test_item_7_a_supervisor_records_whether_the_retirement_age_was_reached(
        registry: Registry, client: FlaskClient, auth: Any) -> None:
    registry.participant(birth_date="1969-03-01", jht_balance=20_000_000)
    filed = client.post("/v1/claims", headers={**auth("officer"), "Idempotency-Key": "retirement-review-1"}, json={
        "claim_type": "JHT", "kpj": KPJ, "filed_on": "2024-03-15",
        "incident": {"reason": "retirement", "date": "2024-03-01"}, "documents": list(JHT_PAPERS)}).get_json()
    assert filed["status"] == "referred"
    reviewed = client.post(f"/v1/claims/{filed['claim_id']}/reviews", headers=auth("supervisor"),
                           json={"findings": {"retirement_age": "reached"},
                                 "note": "Peraturan perusahaan Pasal 40: usia pensiun 55 tahun."})
    assert reviewed.status_code == 200, reviewed.get_json()
    decision = reviewed.get_json()["decision"]
    assert decision["outcome"] == "approved" and "RETIREMENT_AGE_CONFIRMED" in codes(decision)
    assert decision["total_amount"] == 20_000_000


def test_item_7_a_contractual_age_is_a_retirement_s_and_within_its_range(client: FlaskClient, auth: Any) -> None:
    for incident, message in (({"reason": "retirement", "date": "2024-03-01", "contractual_retirement_age": 30},
                               "greater than or equal to 40 and less than or equal to 75"),
                              ({"reason": "resignation", "date": "2024-03-01", "contractual_retirement_age": 55},
                               "Only for reason retirement")):
        response = client.post("/v1/claims/evaluate", headers=auth("officer"), json={
            "claim_type": "JHT", "kpj": KPJ, "filed_on": "2024-03-15", "incident": incident})
        assert response.status_code == 422, response.get_json()
        errors = response.get_json()["errors"]
        assert message in " ".join(errors["incident.contractual_retirement_age"]), errors


def accident(date: str, outcome: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"date": date, "kind": "workplace", "reported_on": date, "outcome": outcome, **extra}


def test_item_8_a_named_item_of_the_disability_table_pays_on_the_table_s_percentage(
        registry: Registry, client: FlaskClient, auth: Any) -> None:
    registry.participant()  # reported wage 5,000,000
    eyes = registry.claim("JKK", "2024-04-10", accident("2024-03-10", {"type": "partial_disability",
                                                                       "disability_item": "both_eyes"}))
    assert eyes["outcome"] == "approved" and amounts(eyes) == {"JKK_PARTIAL_DISABILITY": 280_000_000}
    table = reason(eyes, "DISABILITY_TABLE_ITEM")
    assert table["citation"] == "PP 44/2015 Lampiran, tabel persentase cacat" and "70%" in table["message_en"]
    # a left-handed worker's right arm is the table's left-arm percentage
    arm = registry.claim("JKK", "2024-04-10", accident("2024-03-11", {
        "type": "partial_disability", "disability_item": "right_arm_from_shoulder", "left_handed": True}))
    assert amounts(arm) == {"JKK_PARTIAL_DISABILITY": 140_000_000}
    # a raw percentage stays accepted with the doctor's statement
    raw = registry.claim("JKK", "2024-04-10", accident("2024-03-12", {"type": "partial_disability",
                                                                      "disability_pct": 25}))
    assert raw["outcome"] == "approved" and amounts(raw) == {"JKK_PARTIAL_DISABILITY": 100_000_000}
    assert "DISABILITY_TABLE_ITEM" not in codes(raw) and "doctor_statement" in raw["documents_required"]


def test_item_8_a_doctor_s_percentage_outside_the_table_is_referred_and_a_supervisor_weighs_it(
        registry: Registry, client: FlaskClient, auth: Any) -> None:
    registry.participant()
    body = {"claim_type": "JKK", "kpj": KPJ, "filed_on": "2024-04-10", "documents": [
        "kpj_card", "ktp", "doctor_statement", "stage1_report_form", "stage2_report_form", "attendance_record"],
        "incident": accident("2024-03-10", {"type": "partial_disability", "disability_item": "scalp",
                                            "disability_pct": 35})}
    filed = client.post("/v1/claims", json=body, headers={**auth("officer"), "Idempotency-Key": "scalp-35-percent"})
    claim = filed.get_json()
    assert claim["status"] == "referred" and "DISABILITY_PCT_OUTSIDE_TABLE" in codes(claim["decision"])
    assert "10% to 30%" in reason(claim["decision"], "DISABILITY_PCT_OUTSIDE_TABLE")["message_en"]
    reviewed = client.post(f"/v1/claims/{claim['claim_id']}/reviews", headers=auth("supervisor"),
                           json={"findings": {"disability_pct": "accepted"}})
    assert reviewed.status_code == 200, reviewed.get_json()
    decision = reviewed.get_json()["decision"]
    assert decision["outcome"] == "approved" and amounts(decision) == {"JKK_PARTIAL_DISABILITY": 140_000_000}


def test_item_8_the_outcome_needs_a_percentage_or_an_item(client: FlaskClient, auth: Any) -> None:
    for outcome, field, message in (
            ({"type": "partial_disability"}, "incident.outcome.disability_pct", "unless disability_item is given"),
            ({"type": "recovered", "disability_item": "one_eye"}, "incident.outcome.disability_item",
             "Only when type is partial_disability"),
            ({"type": "partial_disability", "disability_item": "three_eyes"}, "incident.outcome.disability_item",
             "both_eyes")):
        response = client.post("/v1/claims/evaluate", headers=auth("officer"), json={
            "claim_type": "JKK", "kpj": KPJ, "filed_on": "2024-04-10", "incident": accident("2024-03-10", outcome)})
        assert response.status_code == 422, response.get_json()
        assert message in " ".join(response.get_json()["errors"][field]), response.get_json()


def test_item_9_home_care_and_aids_are_paid_from_the_incident_s_costs_up_to_their_caps(
        registry: Registry, client: FlaskClient, auth: Any) -> None:
    registry.participant()
    costs = {"medical": 3_000_000, "home_care": {"amount": 26_000_000, "months": 13},
             "aids": [{"kind": "dentures", "amount": 6_000_000}, {"kind": "hearing_aid", "amount": 1_000_000},
                      {"kind": "glasses", "amount": 700_000}, {"kind": "glasses", "amount": 500_000}]}
    decision = registry.claim("JKK", "2024-06-10", accident("2024-03-10", {"type": "partial_disability",
                                                                           "disability_pct": 10}, costs=costs))
    assert decision["outcome"] == "approved"
    # home care: 26 M over 13 months counts 24 M for the first 12, capped at 20 M; each aid up to its cap
    assert amounts(decision) == {"JKK_PARTIAL_DISABILITY": 40_000_000, "JKK_HOME_CARE": 20_000_000,
                                 "JKK_DENTURES": 5_000_000, "JKK_HEARING_AID": 1_000_000, "JKK_GLASSES": 1_000_000,
                                 "JKK_MEDICAL": 3_000_000}
    assert {"HOME_CARE_BEYOND_LIMIT", "RETURN_TO_WORK_PROGRAMME"} <= set(codes(decision))
    home_care = next(b for b in decision["benefits"] if b["code"] == "JKK_HOME_CARE")
    assert home_care["citation"] == "PP 82/2019 tabel manfaat JKK" and "20.000.000" in home_care["basis_id"]
    assert "medical_receipts" in decision["documents_required"]
    # before PP 82/2019 these are no items of their own: the decision says so and pays the rest
    before = registry.claim("JKK", "2019-12-20", accident("2019-12-01", {"type": "recovered"}, costs=costs))
    assert before["outcome"] == "approved" and amounts(before) == {"JKK_MEDICAL": 3_000_000}
    assert "PP82_ITEMS_NOT_IN_FORCE" in codes(before) and "RETURN_TO_WORK_PROGRAMME" not in codes(before)


def test_item_9_home_care_states_how_long_it_lasted(client: FlaskClient, auth: Any) -> None:
    response = client.post("/v1/claims/evaluate", headers=auth("officer"), json={
        "claim_type": "JKK", "kpj": KPJ, "filed_on": "2024-04-10",
        "incident": accident("2024-03-10", {"type": "recovered"},
                             costs={"home_care": {"amount": 1_000_000, "months": 0},
                                    "aids": [{"kind": "wheelchair", "amount": 1}]})})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "greater than or equal to 1" in " ".join(errors["incident.costs.home_care.months"]), errors
    assert "glasses" in " ".join(errors["incident.costs.aids.0.kind"]), errors


def test_item_10_a_suspected_work_accident_is_referred_with_its_due_date_and_the_care_guarantee(
        registry: Registry, client: FlaskClient, auth: Any) -> None:
    registry.participant()
    incident = accident("2024-03-10", {"type": "temporary_incapacity", "incapacity_months": 1}, suspected=True,
                        reported_on="2024-03-11", costs={"medical": 2_500_000})
    body = {"claim_type": "JKK", "kpj": KPJ, "filed_on": "2024-03-20", "incident": incident, "documents": [
        "kpj_card", "ktp", "doctor_statement", "stage1_report_form", "stage2_report_form", "attendance_record",
        "medical_receipts"]}
    filed = client.post("/v1/claims", json=body, headers={**auth("officer"), "Idempotency-Key": "suspected-kk-1"})
    claim = filed.get_json()
    assert claim["status"] == "referred", claim
    assert codes(claim["decision"])[-2:] == ["SUSPECTED_WORK_ACCIDENT", "SUSPECTED_MEDICAL_GUARANTEE"]
    due = reason(claim["decision"], "SUSPECTED_WORK_ACCIDENT")
    assert due["citation"] == "PP 49/2023 Pasal 25A dan Pasal 25B"
    assert "10 April 2024" in due["message_en"] and "30 days" in due["message_en"]
    assert "guarantees" in reason(claim["decision"], "SUSPECTED_MEDICAL_GUARANTEE")["message_en"]
    concluded = client.post(f"/v1/claims/{claim['claim_id']}/reviews", headers=auth("supervisor"),
                            json={"findings": {"suspected": "work_accident"}})
    assert concluded.status_code == 200, concluded.get_json()
    decision = concluded.get_json()["decision"]
    assert decision["outcome"] == "approved" and "SUSPECTED_CONFIRMED" in codes(decision)
    assert amounts(decision) == {"JKK_STMB": 5_000_000, "JKK_MEDICAL": 2_500_000}
    # before PP 49/2023 the flag has no effect: the claim is decided on the kind of event it states
    before = registry.claim("JKK", "2023-10-20", accident("2023-10-05", {"type": "recovered"}, suspected=True))
    assert before["outcome"] == "approved" and not [c for c in codes(before) if c.startswith("SUSPECTED")]


def test_item_11_an_under_reported_wage_leaves_the_shortfall_to_the_employer(
        registry: Registry, client: FlaskClient, auth: Any) -> None:
    registry.participant()  # reported wage 5,000,000
    decision = registry.claim("JKK", "2024-06-10", accident(
        "2024-03-10", {"type": "temporary_incapacity", "incapacity_months": 15}, actual_wage=7_000_000))
    assert decision["outcome"] == "approved" and decision["liability"] == "bpjs"
    # BPJS pays 12 x 100 % + 3 x 50 % of the reported wage; the employer owes the same months of the 2,000,000 it
    # did not report, as an item of its own outside the total
    by_code = {b["code"]: b for b in decision["benefits"]}
    assert by_code["JKK_STMB"]["amount"] == 67_500_000 and "payer" not in by_code["JKK_STMB"]
    shortfall = by_code["JKK_STMB_WAGE_SHORTFALL"]
    assert (shortfall["amount"], shortfall["payer"]) == (27_000_000, "employer")
    assert "upah sebenarnya Rp7.000.000" in shortfall["basis_id"]
    assert "upah terlapor Rp5.000.000" in shortfall["basis_id"]
    assert decision["total_amount"] == 67_500_000 and decision["employer_total"] == 27_000_000
    under = reason(decision, "WAGE_UNDER_REPORTED")
    assert under["rule_id"] == "JKK.WAGE_UNDER_REPORTED" and "Rp7,000,000" in under["message_en"]
    claim_id = client.get(f"/v1/claims?kpj={KPJ}", headers=auth("officer")).get_json()["items"][0]["claim_id"]
    explained = client.get(f"/v1/claims/{claim_id}/explanation",
                           headers={**auth("officer"), "Accept-Language": "en"}).get_json()
    assert "the employer owes Rp27,000,000 of its own" in explained["summary"]
    # no actual wage stated, or none above the reported one: nothing for the employer
    plain = registry.claim("JKK", "2024-06-10", accident(
        "2024-03-11", {"type": "temporary_incapacity", "incapacity_months": 15}, actual_wage=5_000_000))
    assert amounts(plain) == {"JKK_STMB": 67_500_000} and "employer_total" not in plain


def test_item_11_the_employer_owes_the_death_lump_sum_the_actual_wage_would_have_paid(
        registry: Registry) -> None:
    registry.participant(wage=300_000)
    decision = registry.claim("JKK", "2024-04-01", accident("2024-03-10", {"type": "death"}, actual_wage=500_000),
                              heirs=[{"relation": "spouse", "birth_date": "1982-03-03"}])
    assert decision["outcome"] == "approved" and decision["total_amount"] == 42_000_000
    assert decision["employer_total"] == 4_000_000  # 48 x 500,000 = 24,000,000 less the 20,000,000 floor paid


def test_item_11_the_registry_may_hold_the_actual_wage(registry: Registry, client: FlaskClient, auth: Any) -> None:
    registry.participant(actual_wage=6_000_000)  # an inspection found 6,000,000 where 5,000,000 is reported
    stored = client.get(f"/v1/participants/{KPJ}", headers=auth("admin")).get_json()
    assert (stored["wage"], stored["actual_wage"]) == (5_000_000, 6_000_000)
    decision = registry.claim("JKK", "2024-06-10", accident(
        "2024-03-10", {"type": "partial_disability", "disability_pct": 10}))
    # 10 % x 80 x 5,000,000 from BPJS, 10 % x 80 x 1,000,000 from the employer
    assert amounts(decision) == {"JKK_PARTIAL_DISABILITY": 40_000_000,
                                 "JKK_PARTIAL_DISABILITY_WAGE_SHORTFALL": 8_000_000}
    assert decision["employer_total"] == 8_000_000 and "WAGE_UNDER_REPORTED" in codes(decision)
    # the claim's own statement comes first
    stated = registry.claim("JKK", "2024-06-10", accident(
        "2024-03-11", {"type": "partial_disability", "disability_pct": 10}, actual_wage=7_000_000))
    assert stated["employer_total"] == 16_000_000
    base = {"nik": "6171010101800001", "name": "Contoh Peserta", "birth_date": "1980-01-01", "category": "karyawan",
            "programs": ["JKK", "JKM"], "membership_start": "2015-07-01", "payer": "employer"}
    for changes, message in (({"segment": "PU", "employer_npp": NPP, "wage": 5_000_000, "actual_wage": 5_000_000},
                              "Must be above wage (5000000)"),
                             ({"segment": "BPU", "declared_income": 2_000_000, "actual_wage": 3_000_000,
                               "payer": "self"}, "Not used for segment BPU")):
        refused = client.put(f"/v1/participants/{KPJ}", json={**base, **changes}, headers=auth("admin"))
        assert refused.status_code == 422 and message in " ".join(refused.get_json()["errors"]["actual_wage"])
