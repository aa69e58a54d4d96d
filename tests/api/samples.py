"""Valid registry bodies, each a fresh dict, so a test may change one without touching another."""

from __future__ import annotations

from typing import Any

# keys of the records the samples refer to; the ``registry`` fixtures store them
NPP = "61120001"
OTHER_NPP = "61120002"
PROJECT = "JK-2024-0001"
OTHER_PROJECT = "JK-2024-0002"
KPJ_PU = "11111111111"
KPJ_BPU = "22222222222"
KPJ_JAKON = "33333333333"
KPJ_PMI = "44444444444"

# personal values the logging test looks for; used by no other sample
SECRET_NIK = "6112059876543210"
SECRET_NAME = "Rahasia Binti Tersembunyi"
SECRET_WAGE = 7_654_321


def employer(**changes: Any) -> dict[str, Any]:
    """A medium construction employer in Kubu Raya."""
    body: dict[str, Any] = {
        "name": "PT Bangun Khatulistiwa",
        "nib": "9120001234567",
        "region_code": "61.12",
        "scale": "medium",
        "sector": "construction",
        "risk_class": 4,
        "state_employer": False,
        "registered_on": "2019-03-01",
        "programs": ["JKK", "JKM", "JHT", "JP"],
    }
    return {**body, **changes}


def participant_pu(**changes: Any) -> dict[str, Any]:
    """A wage earner (penerima upah) of employer ``NPP`` with one past partial JHT withdrawal."""
    body: dict[str, Any] = {
        "nik": "6112051203880001",
        "name": "Budi Santoso",
        "birth_date": "1988-03-12",
        "segment": "PU",
        "category": "karyawan",
        "employer_npp": NPP,
        "project_number": None,
        "programs": ["JKK", "JKM", "JHT", "JP"],
        "membership_start": "2019-04-01",
        "wage": 4_500_000,
        "actual_wage": None,
        "declared_income": None,
        "payer": "employer",
        "employment_ended_on": None,
        "jht_balance": 18_250_000,
        "jht_partial_withdrawals": [{"on": "2023-06-15", "pct": 10}],
    }
    return {**body, **changes}


def participant_bpu(**changes: Any) -> dict[str, Any]:
    """A village official (perangkat desa) outside wage employment whose contributions the APBDes pays."""
    body: dict[str, Any] = {
        "nik": "6112054507900002",
        "name": "Siti Aminah",
        "birth_date": "1990-07-05",
        "segment": "BPU",
        "category": "perangkat_desa",
        "employer_npp": None,
        "project_number": None,
        "programs": ["JKK", "JKM"],
        "membership_start": "2022-01-01",
        "wage": None,
        "actual_wage": None,
        "declared_income": 2_000_000,
        "payer": "apbdes",
        "employment_ended_on": None,
        "jht_balance": 0,
        "jht_partial_withdrawals": [],
    }
    return {**body, **changes}


def participant_jakon(**changes: Any) -> dict[str, Any]:
    """A construction worker covered under project ``PROJECT`` of contractor ``NPP``."""
    body: dict[str, Any] = {
        "nik": "6112050101950003",
        "name": "Agus Salim",
        "birth_date": "1995-01-01",
        "segment": "JAKON",
        "category": "buruh_harian",
        "employer_npp": NPP,
        "project_number": PROJECT,
        "programs": ["JKK", "JKM"],
        "membership_start": "2024-02-01",
        "wage": 3_200_000,
        "actual_wage": None,
        "declared_income": None,
        "payer": "employer",
        "employment_ended_on": "2024-09-30",
        "jht_balance": 0,
        "jht_partial_withdrawals": [],
    }
    return {**body, **changes}


def participant_pmi(**changes: Any) -> dict[str, Any]:
    """A migrant worker (pekerja migran Indonesia) paying for themself."""
    body: dict[str, Any] = {
        "nik": "6112056608920004",
        "name": "Dewi Lestari",
        "birth_date": "1992-08-26",
        "segment": "PMI",
        "category": "pmi",
        "employer_npp": None,
        "project_number": None,
        "programs": ["JKK", "JKM", "JHT"],
        "membership_start": "2023-05-10",
        "wage": None,
        "actual_wage": None,
        "declared_income": None,
        "payer": "self",
        "employment_ended_on": None,
        "jht_balance": 1_500_000,
        "jht_partial_withdrawals": [],
    }
    return {**body, **changes}


def project(**changes: Any) -> dict[str, Any]:
    """An APBD road project of contractor ``NPP`` with two of its three termins paid."""
    body: dict[str, Any] = {
        "contractor_npp": NPP,
        "owner_name": "Dinas PUPR Kabupaten Kubu Raya",
        "spk_number": "SPK/027/PUPR/2024",
        "spk_date": "2024-01-15",
        "contract_value": 2_500_000_000,
        "funding": "APBD",
        "region_code": "61.12.05",
        "start_date": "2024-02-01",
        "end_date": "2024-11-30",
        "registered_on": "2024-01-19",
        "payments": [
            {"termin": 1, "amount": 2_587_500, "paid_on": "2024-01-25"},
            {"termin": 2, "amount": 1_293_750, "paid_on": "2024-06-10"},
        ],
    }
    return {**body, **changes}


def contribution(payer: str = f"employer:{NPP}", period: str = "2024-01", **changes: Any) -> dict[str, Any]:
    """One fully paid contribution month."""
    body: dict[str, Any] = {"payer": payer, "period": period, "amount_due": 1_250_000, "amount_paid": 1_250_000,
                            "paid_on": f"{period}-15"}
    return {**body, **changes}


def contributions_batch() -> dict[str, Any]:
    """Four months of employer ``NPP`` (the last unpaid) and one month of BPU participant ``KPJ_BPU``."""
    return {"items": [
        contribution(period="2024-01"),
        contribution(period="2024-02"),
        contribution(period="2024-03"),
        contribution(period="2024-04", amount_paid=0, paid_on=None),
        contribution(payer=f"participant:{KPJ_BPU}", period="2024-01", amount_due=36_800, amount_paid=36_800),
    ]}


PARTICIPANTS = {
    "PU": (KPJ_PU, participant_pu),
    "BPU": (KPJ_BPU, participant_bpu),
    "JAKON": (KPJ_JAKON, participant_jakon),
    "PMI": (KPJ_PMI, participant_pmi),
}


def seed_registry(client: Any, headers: dict[str, str]) -> None:
    """Store two employers, a project of each and the BPU participant that pays contributions."""
    def put(url: str, body: dict[str, Any]) -> None:
        response = client.put(url, json=body, headers=headers)
        assert response.status_code == 200, response.get_json()

    put(f"/v1/employers/{NPP}", employer())
    put(f"/v1/employers/{OTHER_NPP}", employer(name="CV Sungai Kapuas", nib="9120007654321", scale="small"))
    put(f"/v1/projects/{PROJECT}", project())
    put(f"/v1/projects/{OTHER_PROJECT}", project(contractor_npp=OTHER_NPP, payments=[]))
    put(f"/v1/participants/{KPJ_BPU}", participant_bpu())


def store_paid_up_worker(client: Any, auth: Any) -> None:
    """Store employer ``NPP`` paid up through 2024 and its PU worker ``KPJ_PU``, through the admin API."""
    admin = auth("admin")
    assert client.put(f"/v1/employers/{NPP}", json=employer(), headers=admin).status_code == 200
    assert client.put(f"/v1/participants/{KPJ_PU}", json=participant_pu(), headers=admin).status_code == 200
    items = [{"payer": f"employer:{NPP}", "period": f"2024-{m:02d}", "amount_due": 500_000,
              "amount_paid": 500_000, "paid_on": f"2024-{m:02d}-10"} for m in range(1, 13)]
    assert client.post("/v1/contributions", json={"items": items}, headers=admin).status_code == 200
