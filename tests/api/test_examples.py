"""Every worked claim example end to end (EXAMPLES n is the number of the worked example): registry through the admin
API, claim through the officer API, the decision checked against the example's numbers."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from flask.testing import FlaskClient

from api.claim_schemas import DOCUMENTS

NPP = "61710001"
KPJ = "10000000001"
_keys = itertools.count(1)


class Registry:
    """Builds the registry state an example describes, through the admin endpoints."""

    def __init__(self, client: FlaskClient, auth: Any):
        self.client, self.admin, self.officer = client, auth("admin"), auth("officer")

    def put(self, path: str, body: dict[str, Any]) -> None:
        response = self.client.put(path, json=body, headers=self.admin)
        assert response.status_code == 200, response.json

    def employer(self, **changes: Any) -> None:
        self.put(f"/v1/employers/{NPP}", {
            "name": "PT Khatulistiwa Jaya", "nib": "9120001234567", "region_code": "61.71", "scale": "large",
            "sector": "manufacturing", "risk_class": 1, "state_employer": False, "registered_on": "2015-01-01",
            "programs": ["JKK", "JKM", "JHT", "JP"], **changes})

    def participant(self, **changes: Any) -> None:
        body = {"nik": "6171010101800001", "name": "Contoh Peserta", "birth_date": "1980-01-01", "segment": "PU",
                "category": "karyawan", "employer_npp": NPP, "programs": ["JKK", "JKM", "JHT", "JP"],
                "membership_start": "2015-07-01", "wage": 5_000_000, "payer": "employer", "jht_balance": 0}
        body.update(changes)
        self.put(f"/v1/participants/{KPJ}", body)

    def paid_months(self, payer: str, first: str, last: str, skip: tuple[str, ...] = (), bpu: bool = False) -> None:
        """Months first..last paid on time (PU by the 10th of the next month, BPU by the 10th of the month)."""
        month = dt.date.fromisoformat(f"{first}-01")
        items = []
        while month.strftime("%Y-%m") <= last:
            period = month.strftime("%Y-%m")
            paid = (month if bpu else month + relativedelta(months=1)).replace(day=10)
            if period not in skip:
                items.append({"payer": payer, "period": period, "amount_due": 300_000, "amount_paid": 300_000,
                              "paid_on": paid.isoformat()})
            month += relativedelta(months=1)
        response = self.client.post("/v1/contributions", json={"items": items}, headers=self.admin)
        assert response.status_code == 200, response.json

    def claim(self, claim_type: str, filed_on: str, incident: dict[str, Any], heirs: list[dict[str, Any]] = (),
              documents: tuple[str, ...] = DOCUMENTS) -> dict[str, Any]:
        """Submit a claim with complete documents (EXAMPLES: "unless stated, documents are complete")."""
        body = {"claim_type": claim_type, "kpj": KPJ, "filed_on": filed_on, "incident": incident,
                "heirs": list(heirs), "documents": list(documents)}
        response = self.client.post("/v1/claims", json=body,
                                    headers={**self.officer, "Idempotency-Key": f"example-{next(_keys):06d}"})
        assert response.status_code == 201, response.json
        return response.json["decision"]


@pytest.fixture
def registry(client: FlaskClient, auth: Any) -> Registry:
    """A large, current employer paying for its workers from July 2015 to October 2026."""
    reg = Registry(client, auth)
    reg.employer()
    reg.paid_months(f"employer:{NPP}", "2015-07", "2026-10")
    return reg


def amounts(decision: dict[str, Any]) -> dict[str, int]:
    """Benefit code -> amount (codes that repeat, such as one scholarship per child, are summed)."""
    out: dict[str, int] = {}
    for benefit in decision["benefits"]:
        out[benefit["code"]] = out.get(benefit["code"], 0) + benefit["amount"]
    return out


def codes(decision: dict[str, Any]) -> list[str]:
    return [reason["code"] for reason in decision["reasons"]]


def scholarship_total(decision: dict[str, Any]) -> int:
    return sum(b["amount"] for b in decision["benefits"] if b.get("recurring") == "yearly"
               or "SCHOLARSHIP" in b["code"])


def jkk(date: str, outcome: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"date": date, "kind": "workplace", "reported_on": date, "outcome": outcome, **extra}


CHILD_SD = {"relation": "child", "birth_date": "2015-05-01", "education_level": "sd"}
CHILD_SMA = {"relation": "child", "birth_date": "2008-02-01", "education_level": "sma"}
SPOUSE = {"relation": "spouse", "birth_date": "1982-03-03"}


def test_example_11_workplace_death_with_two_school_children(registry: Registry) -> None:
    registry.participant(wage=5_000_000)
    decision = registry.claim("JKK", "2024-03-20", jkk("2024-03-10", {"type": "death"}),
                              heirs=[SPOUSE, CHILD_SD, CHILD_SMA])
    assert decision["outcome"] == "approved" and decision["liability"] == "bpjs"
    cash = decision["total_amount"] - scholarship_total(decision)
    assert cash == 262_000_000
    assert scholarship_total(decision) == 4_500_000
    assert all(b.get("recurring") == "yearly" for b in decision["benefits"] if "SCHOLARSHIP" in b["code"])
    # the same death claimed as JKM is refused and points to JKK
    jkm = registry.claim("JKM", "2024-03-20", {"date": "2024-03-10", "cause": "work_accident"}, heirs=[SPOUSE])
    assert jkm["outcome"] == "rejected" and jkm["total_amount"] == 0
    assert any("JKK" in r["message"] for r in jkm["reasons"])


def test_example_12_death_below_the_floor(registry: Registry) -> None:
    registry.participant(wage=400_000)
    decision = registry.claim("JKK", "2024-03-20", jkk("2024-03-10", {"type": "death"}), heirs=[SPOUSE])
    assert decision["outcome"] == "approved"
    assert decision["total_amount"] == 42_000_000
    assert 20_000_000 in amounts(decision).values()


def test_example_13_death_under_pp_44_2015_with_one_child(registry: Registry) -> None:
    registry.participant(wage=5_000_000)
    decision = registry.claim("JKK", "2019-11-25", jkk("2019-11-15", {"type": "death"}), heirs=[SPOUSE, CHILD_SD])
    assert decision["outcome"] == "approved"
    assert decision["total_amount"] == 259_800_000
    assert scholarship_total(decision) == 12_000_000


def test_example_15_total_permanent_disability(registry: Registry) -> None:
    registry.participant(wage=4_000_000)
    decision = registry.claim("JKK", "2023-08-01", jkk("2023-05-10", {"type": "total_disability"}))
    assert decision["outcome"] == "approved"
    assert decision["total_amount"] == 236_000_000


def test_example_18_temporary_incapacity_fifteen_months(registry: Registry) -> None:
    registry.participant(wage=6_000_000)
    decision = registry.claim("JKK", "2023-05-01",
                              jkk("2022-01-12", {"type": "temporary_incapacity", "incapacity_months": 15}))
    assert decision["outcome"] == "approved"
    assert decision["total_amount"] == 81_000_000


def test_example_21_claim_expired_under_the_two_year_rule(registry: Registry) -> None:
    registry.participant()
    decision = registry.claim("JKK", "2021-06-01", jkk("2019-03-01", {"type": "recovered"}))
    assert decision["outcome"] == "rejected" and "CLAIM_EXPIRED" in codes(decision)
    on_deadline = registry.claim("JKK", "2021-03-01", jkk("2019-03-02", {"type": "recovered"}))
    assert "CLAIM_EXPIRED" not in codes(on_deadline)


@pytest.mark.parametrize(("diagnosed_on", "eligible"), [("2024-06-01", True), ("2025-02-01", False)])
def test_example_23_occupational_disease_three_years_after_employment(
        registry: Registry, diagnosed_on: str, eligible: bool) -> None:
    registry.participant(employment_ended_on="2022-01-01")
    incident = {"date": "2021-10-01", "kind": "occupational_disease", "reported_on": diagnosed_on,
                "diagnosed_on": diagnosed_on, "outcome": {"type": "recovered"}}
    decision = registry.claim("JKK", diagnosed_on, incident)
    assert (decision["outcome"] != "rejected") is eligible, decision["reasons"]


def test_example_25_employer_four_months_in_arrears_pays_first(client: FlaskClient, auth: Any) -> None:
    registry = Registry(client, auth)
    registry.employer()
    # Sep 2023 .. Dec 2023 unpaid: at 20 Feb 2024 four months are past their due date (the 15th of the next month)
    registry.paid_months(f"employer:{NPP}", "2015-07", "2024-01", skip=("2023-09", "2023-10", "2023-11", "2023-12"))
    registry.participant()
    decision = registry.claim("JKK", "2024-03-01",
                              jkk("2024-02-20", {"type": "temporary_incapacity", "incapacity_months": 1}))
    assert decision["outcome"] == "approved" and decision["liability"] == "employer"
    assert "EMPLOYER_ARREARS" in codes(decision)


def test_example_30_bpu_four_unpaid_months_is_inactive(client: FlaskClient, auth: Any) -> None:
    registry = Registry(client, auth)
    registry.participant(segment="BPU", category="petani", employer_npp=None, wage=None,
                         declared_income=1_000_000, payer="self", programs=["JKK", "JKM"],
                         membership_start="2022-01-01")
    registry.paid_months(f"participant:{KPJ}", "2022-01", "2024-03", bpu=True)
    decision = registry.claim("JKM", "2024-07-25", {"date": "2024-07-20", "cause": "natural"}, heirs=[SPOUSE])
    assert decision["outcome"] == "rejected" and decision["total_amount"] == 0


def test_example_31_natural_death_without_three_years_of_contributions(registry: Registry) -> None:
    # 2 years 5 months of membership before a natural death in 2025: cash, no scholarship
    registry.participant(membership_start="2023-01-01")
    decision = registry.claim("JKM", "2025-06-10", {"date": "2025-06-01", "cause": "natural"},
                              heirs=[SPOUSE, CHILD_SD, CHILD_SMA])
    assert decision["outcome"] == "approved"
    assert decision["total_amount"] == 42_000_000
    assert scholarship_total(decision) == 0


def test_example_36_resignation_waiting_period(registry: Registry) -> None:
    registry.participant(jht_balance=30_000_000, employment_ended_on="2025-01-31")
    early = registry.claim("JHT", "2025-02-20", {"reason": "resignation", "date": "2025-01-31"})
    assert early["outcome"] == "rejected" and early["total_amount"] == 0
    codes = [r["code"] for r in early["reasons"]]
    assert "JHT_WAITING_PERIOD" in codes
    assert early["claimable_from"] == "2025-02-28"  # one month after the resignation, by calendar-month arithmetic
    # a rejection says nothing of how it would be paid: the channel comes with the claim that is paid
    assert not [c for c in codes if c.startswith("JHT_CHANNEL")]


def test_example_36_channel_after_may_2025(registry: Registry) -> None:
    # JMO if up to Rp15 M from May 2025, else Lapak Asik or a branch; NPWP only above Rp50 M
    registry.participant(jht_balance=12_000_000, employment_ended_on="2025-01-31")
    april = registry.claim("JHT", "2025-04-30", {"reason": "resignation", "date": "2025-01-31"})
    may = registry.claim("JHT", "2025-05-01", {"reason": "resignation", "date": "2025-01-31"})
    assert [r["code"] for r in april["reasons"] if r["code"].startswith("JHT_CHANNEL")] == ["JHT_CHANNEL_OFFICE"]
    assert may["reasons"][0]["code"] == "DUPLICATE_CLAIM"  # one decision per event: the officer goes to the first
    registry.participant(jht_balance=12_000_000, employment_ended_on="2025-02-28")
    later = registry.claim("JHT", "2025-05-01", {"reason": "resignation", "date": "2025-02-28"})
    assert later["outcome"] == "approved" and later["total_amount"] == 12_000_000
    assert [r["code"] for r in later["reasons"] if r["code"].startswith("JHT_CHANNEL")] == ["JHT_CHANNEL_ONLINE"]
    assert "npwp" not in later["documents_required"]


def test_example_36_resignation_after_the_month_pays_the_balance(registry: Registry) -> None:
    registry.participant(jht_balance=30_000_000, employment_ended_on="2025-01-31")
    paid = registry.claim("JHT", "2025-03-01", {"reason": "resignation", "date": "2025-01-31"})
    assert paid["outcome"] == "approved" and paid["total_amount"] == 30_000_000
    # the channel of the filing date: Rp30 M is above the JMO app's Rp10 M before May 2025
    assert [r["code"] for r in paid["reasons"] if r["code"].startswith("JHT_CHANNEL")] == ["JHT_CHANNEL_OFFICE"]


def test_example_38_partial_withdrawal_once(registry: Registry) -> None:
    registry.participant(membership_start="2013-01-01", jht_balance=120_000_000)
    first = registry.claim("JHT", "2024-02-01", {"reason": "partial_other", "date": "2024-02-01"})
    assert first["outcome"] == "approved" and first["total_amount"] == 12_000_000
    registry.participant(membership_start="2013-01-01", jht_balance=108_000_000,
                         jht_partial_withdrawals=[{"on": "2024-02-01", "pct": 10}])
    second = registry.claim("JHT", "2024-09-01", {"reason": "partial_other", "date": "2024-09-01"})
    assert second["outcome"] == "rejected"


@pytest.mark.parametrize(("fell_on", "covered"), [("2024-08-10", True), ("2024-08-03", False)])
def test_example_41_jakon_covered_from_the_first_termin(
        client: FlaskClient, auth: Any, fell_on: str, covered: bool) -> None:
    registry = Registry(client, auth)
    registry.employer(sector="construction", risk_class=5)
    registry.put("/v1/projects/JK-2024-0041", {
        "contractor_npp": NPP, "owner_name": "Dinas PUPR Kubu Raya", "spk_number": "SPK/041/2024",
        "spk_date": "2024-08-01", "contract_value": 850_000_000, "funding": "APBD", "region_code": "61.12",
        "start_date": "2024-08-01", "end_date": "2024-12-31", "registered_on": "2024-08-05",
        "payments": [{"termin": 1, "amount": 762_500, "paid_on": "2024-08-05"}]})
    registry.participant(segment="JAKON", category="buruh_harian", project_number="JK-2024-0041",
                         programs=["JKK", "JKM"], membership_start="2024-08-01", wage=3_000_000)
    decision = registry.claim("JKK", "2024-08-20",
                              jkk(fell_on, {"type": "temporary_incapacity", "incapacity_months": 1}))
    if covered:
        assert decision["outcome"] == "approved" and decision["liability"] == "bpjs"
    else:
        assert decision["outcome"] == "rejected" and "NOT_A_PARTICIPANT" in codes(decision)
