"""The auditor's page through Flask's test client: sign-in, the decision list, a decision with its chain check, replays,
the whole chain's check, ruleset diffs and impact analysis jobs, with CSRF and bad input on each."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from api.claim_schemas import DOCUMENTS
from api.db import session_scope
from api.models import DecisionRecord, ReplayChunk, ReplayJob
from api.pages import impact
from tests.api import endpoints
from tests.api.admin import append_only_lifted
from tests.api.test_examples import KPJ as EXAMPLE_KPJ
from tests.api.test_examples import NPP as EXAMPLE_NPP
from tests.api.test_examples import Registry

from .conftest import AuditLog
from .helpers import AUDIT_LOG_SIZE, changed_decision, csrf, sign_in, text_of

UNKNOWN_VERSION = "sha256:" + "0" * 64


def page(client: FlaskClient, path: str, status: int = 200, **query: Any) -> str:
    """The text of a page, after checking its status."""
    response = client.get(path, query_string=query)
    assert response.status_code == status, (response.status_code, text_of(response.get_data(as_text=True))[:500])
    return text_of(response.get_data(as_text=True))


def seqs(html_text: str) -> list[int]:
    """The decision numbers a list shows, in order (the first column)."""
    return [int(n) for n in re.findall(r'/audit/decisions/[0-9a-f-]{36}">(\d+)</a>', html_text)]


def decision_count(app: Flask) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(DecisionRecord)) or 0


def start_job(client: FlaskClient, **fields: str) -> Any:
    """Post the impact-analysis form with its CSRF token; the answer, not followed."""
    form = client.get("/audit/replays").get_data(as_text=True)
    data = {"csrf_token": csrf(form), "from": "2025-01-01", "to": "2025-12-31", "kind": "", "ruleset": "current",
            **fields}
    return client.post("/audit/replays", data=data)


# --- signing in ---------------------------------------------------------------------------------------------

def test_the_page_asks_for_an_auditor_token(client: FlaskClient) -> None:
    response = client.get("/audit")
    assert response.status_code == 302 and response.headers["Location"] == "/audit/sign-in"
    text = page(client, "/audit/sign-in")
    assert "Token auditor" in text and "hanya membaca log keputusan" in text
    # the audit page's own frame: its footer, not the licensing page's
    assert "Hanya baca:" in text and "data pribadi pekerja tidak ditampilkan" not in text


@pytest.mark.parametrize("role", ["officer", "licensing", "admin", "supervisor"])
def test_other_roles_tokens_are_refused(client: FlaskClient, tokens: dict[str, str], role: str) -> None:
    response = sign_in(client, tokens[role], "/audit")
    assert response.status_code == 401
    assert f"Token ini milik peran '{role}'; halaman ini hanya menerima token peran 'auditor'." in \
        text_of(response.get_data(as_text=True))
    assert client.get("/audit").status_code == 302


def test_a_licensing_session_does_not_open_the_audit_page(officer: FlaskClient) -> None:
    response = officer.get("/audit", follow_redirects=True)
    assert response.request.path == "/audit/sign-in"
    assert "Halaman ini memerlukan token peran 'auditor'" in text_of(response.get_data(as_text=True))
    assert officer.get("/licensing").status_code == 302  # one session holds one token: it has ended


def test_sign_out_needs_its_csrf_token_and_forgets_the_token(auditor: FlaskClient) -> None:
    assert auditor.post("/audit/sign-out", data={}).status_code == 400
    html = auditor.get("/audit").get_data(as_text=True)
    assert "Masuk sebagai test-auditor" in text_of(html)
    response = auditor.post("/audit/sign-out", data={"csrf_token": csrf(html)}, follow_redirects=True)
    assert response.request.path == "/audit/sign-in"
    assert "Anda sudah keluar." in text_of(response.get_data(as_text=True))
    assert auditor.get("/audit").status_code == 302


def test_the_sign_in_form_needs_its_csrf_token(client: FlaskClient, tokens: dict[str, str]) -> None:
    assert client.post("/audit/sign-in", data={"token": tokens["auditor"]}).status_code == 400
    assert client.get("/audit").status_code == 302


# --- the decision log ---------------------------------------------------------------------------------------

def test_the_list_is_newest_first_and_pages_both_ways(auditor: FlaskClient, audit_log: AuditLog) -> None:
    html = auditor.get("/audit").get_data(as_text=True)
    assert seqs(html) == list(range(AUDIT_LOG_SIZE, AUDIT_LOG_SIZE - 50, -1))
    text = text_of(html)
    assert "Log keputusan" in text and "Klaim" in text and "demo-decision-log" in text and "Lebih lama →" in text
    assert "← Lebih baru" not in text
    older = auditor.get(f"/audit?before={AUDIT_LOG_SIZE - 49}").get_data(as_text=True)
    assert seqs(older) == list(range(AUDIT_LOG_SIZE - 50, 0, -1))
    assert "Lebih lama →" not in text_of(older) and "← Lebih baru" in text_of(older)
    assert seqs(auditor.get(f"/audit?after={AUDIT_LOG_SIZE - 50}").get_data(as_text=True)) == seqs(html)


def test_the_list_filters_by_kind_and_window_and_keeps_them_when_paging(auditor: FlaskClient,
                                                                        audit_log: AuditLog) -> None:
    records = audit_log.records
    start, end = records[9].decided_at.date(), records[19].decided_at.date()
    within = [r.seq for r in reversed(records) if start <= r.decided_at.date() <= end]
    html = auditor.get(f"/audit?kind=claim&from={start}&to={end}").get_data(as_text=True)
    assert seqs(html) == within
    assert f'value="{start}"' in html  # the form shows the filter
    assert "Tidak ada keputusan yang cocok." in page(auditor, "/audit", kind="clearance")
    everything = auditor.get("/audit?kind=claim").get_data(as_text=True)
    assert f"before={AUDIT_LOG_SIZE - 49}" in everything and "kind=claim&amp;before=" in everything


@pytest.mark.parametrize(("query", "message"), [
    ({"kind": "letter"}, "Jenis: pilih salah satu dari daftar."),
    ({"from": "2025-02-30"}, "Dari: tanggal berformat YYYY-MM-DD."),
    ({"from": "2025-03-02", "to": "2025-03-01"}, "Sampai: tanggal berformat YYYY-MM-DD, tidak sebelum Dari."),
    ({"before": "x"}, "Halaman: gunakan tautan Lebih baru dan Lebih lama."),
    ({"before": "5", "after": "2"}, "Halaman: gunakan tautan Lebih baru dan Lebih lama."),
])
def test_a_bad_filter_names_the_field(auditor: FlaskClient, query: dict[str, str], message: str) -> None:
    text = page(auditor, "/audit", 422, **query)
    assert "Mohon perbaiki:" in text and message in text


# --- one decision -------------------------------------------------------------------------------------------

def test_a_decision_shows_its_record_facts_trace_and_chain_check(auditor: FlaskClient, audit_log: AuditLog) -> None:
    record = audit_log.records[20]
    text = page(auditor, f"/audit/decisions/{record.decision_id}")
    for shown in (record.decision_id, record.hash, record.prev_hash, record.ruleset_version, record.subject,
                  "demo-decision-log", "Fakta yang dievaluasi", "claim_type", "Jejak evaluasi", "rule_fired",
                  "Terverifikasi: 3 catatan, setiap hash dan tautan cocok."):
        assert shown in text, shown
    assert f"No. {record.seq} dalam log" in text


def test_a_decision_shows_its_facts_not_the_registry_records_they_came_from(auditor: FlaskClient,
                                                                           audit_log: AuditLog) -> None:
    record = audit_log.records[0]
    assert record.inputs is not None
    kpj = record.inputs["participant"]["kpj"]  # who the participant is: in the stored inputs, not in the facts
    assert kpj and kpj not in str(record.facts)
    assert kpj not in page(auditor, f"/audit/decisions/{record.decision_id}")


def test_a_decision_shows_what_the_employer_owes_of_its_own_apart_from_the_total(
        auditor: FlaskClient, auth: Any) -> None:
    # an under-reported wage (issue 11 item 11): BPJS pays on the reported wage, the employer owes the shortfall
    registry = Registry(auditor, auth)
    registry.employer()
    registry.paid_months(f"employer:{EXAMPLE_NPP}", "2023-01", "2024-06")
    registry.participant()
    filed = auditor.post("/v1/claims", headers={**auth("officer"), "Idempotency-Key": "audit-shortfall-1"}, json={
        "claim_type": "JKK", "kpj": EXAMPLE_KPJ, "filed_on": "2024-06-10", "documents": list(DOCUMENTS),
        "incident": {"date": "2024-03-10", "kind": "workplace", "reported_on": "2024-03-10", "actual_wage": 7_000_000,
                     "outcome": {"type": "temporary_incapacity", "incapacity_months": 15}}})
    assert filed.status_code == 201, filed.get_json()
    decision = filed.get_json()["decision"]
    assert (decision["total_amount"], decision["employer_total"]) == (67_500_000, 27_000_000)
    text = page(auditor, f"/audit/decisions/{decision['decision_id']}")
    assert "JKK_STMB_WAGE_SHORTFALL (dibayar pemberi kerja, tidak termasuk jumlah total)" in text
    assert re.search(r"Jumlah total\s*Rp67\.500\.000", text), text
    assert re.search(r"Dibayar sendiri oleh pemberi kerja\s*Rp27\.000\.000", text), text


def test_a_tampered_neighbour_breaks_the_chain_check(app: Flask, auditor: FlaskClient, audit_log: AuditLog) -> None:
    record, before = audit_log.records[20], audit_log.records[19]
    with session_scope(app) as session, append_only_lifted(session):
        session.execute(update(DecisionRecord).where(DecisionRecord.seq == before.seq).values(subject="rewritten"))
    text = page(auditor, f"/audit/decisions/{record.decision_id}")
    assert "Rusak setelah 0 catatan yang baik." in text and "its hash does not match its content" in text
    whole = page(auditor, "/audit/verify")
    assert "RUSAK" in whole and f"Rusak setelah {before.seq - 1} catatan yang baik." in whole


def test_an_unknown_decision_is_a_404_page(auditor: FlaskClient) -> None:
    for path in ("/audit/decisions/nope", "/audit/decisions/nope/replay"):
        response = auditor.get(path)
        assert response.status_code == 404 and response.mimetype == "text/html"
        text = text_of(response.get_data(as_text=True))
        assert "Tidak ada keputusan dengan nomor ini." in text and "Analisis dampak" in text  # the header's links


# --- replays ------------------------------------------------------------------------------------------------

def test_a_replay_with_its_own_ruleset_is_identical_and_stores_nothing(app: Flask, auditor: FlaskClient,
                                                                      audit_log: AuditLog) -> None:
    record = audit_log.records[5]
    text = page(auditor, f"/audit/decisions/{record.decision_id}/replay", ruleset="original")
    assert "IDENTIK" in text and "(versi aturannya sendiri)" in text and record.ruleset_version in text
    assert "Apa yang berbeda" not in text
    assert decision_count(app) == AUDIT_LOG_SIZE


def test_a_replay_with_another_ruleset_shows_the_differences(app: Flask, auditor: FlaskClient,
                                                             audit_log: AuditLog) -> None:
    record = changed_decision(app, audit_log.records, audit_log.newer)
    html = auditor.get(f"/audit/decisions/{record.decision_id}/replay",
                       query_string={"ruleset": audit_log.newer}).get_data(as_text=True)
    text = text_of(html)
    assert "BERBEDA" in text and "Apa yang berbeda" in text and audit_log.newer in text
    assert "total_amount" in text or "outcome" in text
    assert f"/audit/rulesets/diff?from={record.ruleset_version}&amp;to={audit_log.newer}" in html
    assert "IDENTIK" in page(auditor, f"/audit/decisions/{record.decision_id}/replay", ruleset="current")


@pytest.mark.parametrize(("ruleset", "message"), [
    ("newest", "Versi aturan: pilih salah satu dari daftar."),
    ("sha256:abc", "Versi aturan: pilih salah satu dari daftar."),
    (UNKNOWN_VERSION, f"Versi aturan: tidak ada versi aturan {UNKNOWN_VERSION} yang tersimpan."),
])
def test_a_bad_replay_ruleset_names_the_field(auditor: FlaskClient, audit_log: AuditLog, ruleset: str,
                                              message: str) -> None:
    text = page(auditor, f"/audit/decisions/{audit_log.records[0].decision_id}/replay", 422, ruleset=ruleset)
    assert "Mohon perbaiki:" in text and message in text


# --- the whole chain, rulesets ------------------------------------------------------------------------------

def test_the_whole_chain_verifies(auditor: FlaskClient, audit_log: AuditLog) -> None:
    text = page(auditor, "/audit/verify")
    assert "UTUH" in text and f"Terverifikasi: {AUDIT_LOG_SIZE} catatan" in text
    assert "python -m adjudication.verify" in text


def test_rulesets_are_listed_and_compared(auditor: FlaskClient, audit_log: AuditLog) -> None:
    listing = page(auditor, "/audit/rulesets")
    assert audit_log.newer in listing and audit_log.records[0].ruleset_version in listing
    text = page(auditor, "/audit/rulesets/diff", **{"from": "current", "to": audit_log.newer})
    assert "BERUBAH" in text and "jht.partial.min_membership_months" in text and "jht.partial.other_rate" in text
    assert "120" in text and "60" in text
    assert "IDENTIK" in page(auditor, "/audit/rulesets/diff", **{"from": "current", "to": "current"})


@pytest.mark.parametrize(("query", "message"), [
    ({"from": "current"}, "Ke versi aturan: pilih salah satu dari daftar."),
    ({"from": "old", "to": "current"}, "Dari versi aturan: pilih salah satu dari daftar."),
    ({"from": UNKNOWN_VERSION, "to": "current"}, f"Dari versi aturan: tidak ada versi aturan {UNKNOWN_VERSION}"),
])
def test_a_bad_ruleset_pair_names_the_field(auditor: FlaskClient, audit_log: AuditLog, query: dict[str, str],
                                            message: str) -> None:
    text = page(auditor, "/audit/rulesets/diff", 422, **query)
    assert "Mohon perbaiki:" in text and message in text


# --- impact analysis ----------------------------------------------------------------------------------------

def test_an_impact_analysis_is_a_job_with_a_summary_changes_and_csv(app: Flask, auditor: FlaskClient,
                                                                    audit_log: AuditLog) -> None:
    response = start_job(auditor, ruleset=audit_log.newer)
    assert response.status_code == 303
    job_path = response.headers["Location"]
    with session_scope(app) as session:
        job = session.scalars(select(ReplayJob)).one()
        assert job_path == f"/audit/replays/{job.job_id}" and job.status == "done"  # immediate mode in tests
        assert job.actor is not None and job.actor["name"] == "test-auditor"
        summary = dict(job.summary or {})
    html = auditor.get(job_path).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html
    text = text_of(html)
    assert "Ringkasan" in text and "Uang per jenis klaim" in text and "JHT" in text
    assert f"Keputusan diperiksa {AUDIT_LOG_SIZE}" in text
    changed = summary["changed_outcome"] + summary["changed_amount"] + summary["changed_other"] + summary["failed"]
    assert changed and f"Keputusan yang berubah ({changed})" in text
    assert len(seqs(html)) == changed
    rows = list(csv.reader(io.StringIO(auditor.get(f"{job_path}/changes.csv").get_data(as_text=True))))
    assert rows[0][:3] == ["decision_id", "seq", "kind"] and len(rows) == changed + 1
    assert decision_count(app) == AUDIT_LOG_SIZE
    # the job is listed on the form's page, and read back by the API exactly
    assert job_path in auditor.get("/audit/replays").get_data(as_text=True)


def test_the_changes_are_paged(app: Flask, auditor: FlaskClient, audit_log: AuditLog,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(impact, "PER_PAGE", 2)
    job_path = start_job(auditor, ruleset=audit_log.newer).headers["Location"]
    first, second = (auditor.get(f"{job_path}?page={n}").get_data(as_text=True) for n in (1, 2))
    assert len(seqs(first)) == 2 and seqs(first)[-1] < seqs(second)[0]
    assert "Halaman 1 dari 2" in text_of(first) and "Berikutnya →" in text_of(first)
    assert "Tidak ada perubahan di halaman ini." in page(auditor, job_path, page="9")
    assert "Halaman: bilangan bulat mulai 1." in page(auditor, job_path, 422, page="0")


def test_a_running_job_shows_its_progress_and_reloads_itself(app: Flask, auditor: FlaskClient,
                                                             audit_log: AuditLog) -> None:
    job_path = start_job(auditor).headers["Location"]
    with session_scope(app) as session:
        # as a job looks while the consumer's workers run it: started, no chunk done yet
        session.execute(update(ReplayJob).values(status="running", summary=None, finished_at=None))
        session.execute(update(ReplayChunk).values(done_at=None))
    html = auditor.get(job_path).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in html
    text = text_of(html)
    assert f"0 dari {AUDIT_LOG_SIZE} keputusan (0 %)" in text and "Sisa waktu" in text and "Ringkasan" not in text


@pytest.mark.parametrize(("fields", "message"), [
    ({"from": "2025-13-01"}, "Dari: tanggal berformat YYYY-MM-DD."),
    ({"from": ""}, "Dari: tanggal berformat YYYY-MM-DD."),
    ({"from": "2025-06-01", "to": "2025-05-01"}, "Sampai: tanggal berformat YYYY-MM-DD, tidak sebelum Dari."),
    ({"kind": "letter"}, "Jenis: pilih salah satu dari daftar."),
    ({"ruleset": "newest"}, "Versi aturan: pilih salah satu dari daftar."),
    ({"ruleset": UNKNOWN_VERSION}, f"Versi aturan: tidak ada versi aturan {UNKNOWN_VERSION} yang tersimpan."),
])
def test_bad_impact_input_names_the_field_and_makes_no_job(app: Flask, auditor: FlaskClient, audit_log: AuditLog,
                                                           fields: dict[str, str], message: str) -> None:
    response = start_job(auditor, **fields)
    assert response.status_code == 422
    text = text_of(response.get_data(as_text=True))
    assert "Mohon perbaiki:" in text and message in text
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(ReplayJob)) == 0


def test_the_impact_form_needs_its_csrf_token(app: Flask, auditor: FlaskClient, audit_log: AuditLog) -> None:
    data = {"from": "2025-01-01", "to": "2025-12-31", "ruleset": "current"}
    for posted in (data, {**data, "csrf_token": "forged"}):
        response = auditor.post("/audit/replays", data=posted)
        assert response.status_code == 400 and "pemeriksaan CSRF gagal" in text_of(response.get_data(as_text=True))
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(ReplayJob)) == 0


def test_an_unknown_job_is_a_404_page(auditor: FlaskClient) -> None:
    for path in ("/audit/replays/nope", "/audit/replays/nope/changes.csv"):
        response = auditor.get(path)
        assert response.status_code == 404
        assert "Tidak ada analisis dampak dengan nomor ini." in text_of(response.get_data(as_text=True))


# --- every page ---------------------------------------------------------------------------------------------

def test_odd_input_is_never_a_500(auditor: FlaskClient, audit_log: AuditLog) -> None:
    job_path = start_job(auditor).headers["Location"]
    decision = f"/audit/decisions/{audit_log.records[0].decision_id}"
    for path in (f"{job_path}?page={2**63}", f"{job_path}?page=%00", f"/audit?before={2**63}", "/audit?from=%00",
                 "/audit?kind=%00", f"{decision}/replay?ruleset=%00", "/audit/rulesets/diff?from=%00&to=current",
                 "/audit/decisions/%00", "/audit/replays/%00", "/audit?from=9999-12-31&to=9999-12-31",
                 "/audit?from=0001-01-01", f"{job_path}?page={2**31 - 1}", f"/audit?before={2**31 - 1}"):
        response = auditor.get(path)
        assert response.status_code in (200, 404, 422), (path, response.status_code)



def test_every_page_speaks_english_too_and_sends_the_security_headers(auditor: FlaskClient,
                                                                      audit_log: AuditLog) -> None:
    record = audit_log.records[0]
    job_path = start_job(auditor).headers["Location"]
    paths = ["/audit", f"/audit/decisions/{record.decision_id}", f"/audit/decisions/{record.decision_id}/replay",
             "/audit/verify", "/audit/rulesets", "/audit/rulesets/diff?from=current&to=current", "/audit/replays",
             job_path]
    shown = {p for p, m in endpoints.pairs_for_ids(endpoints.pages) if p.startswith("/audit") and m == "GET"}
    assert len(paths) == len(shown) - 1  # all but the CSV
    for path in paths:
        response = auditor.get(path, query_string={"lang": "en"} if "?" not in path else None)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and 'lang="en"' in html, path
        assert "<script" not in html and " style=" not in html and "http://" not in html and "https://" not in html
        assert "script-src 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"
    english = text_of(auditor.get("/audit?lang=en").get_data(as_text=True))
    assert "Decision log" in english and "Older →" in english and "Signed in as test-auditor" in english
    assert auditor.get(f"{job_path}/changes.csv").headers["Cache-Control"] == "no-store"
