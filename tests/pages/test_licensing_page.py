"""The licensing page through Flask's test client: sign-in, CSRF, answers, letters, languages, headers."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from api.db import session_scope
from api.models import ApiToken, DecisionRecord
from api.pages import i18n
from api.pages.signin import instance_secret_key

from .helpers import LATE_NIB, NIB, PROJECT, UNKNOWN_NIB, csrf, sign_in, store_registry, text_of


def decisions(app: Flask) -> list[DecisionRecord]:
    with session_scope(app) as session:
        return list(session.scalars(select(DecisionRecord).order_by(DecisionRecord.seq)))


def check_business(client: FlaskClient, nib: str, as_of: str = "2024-12-20", **changes: str) -> Any:
    """Fill in and post the clearance form; follows the redirect to the answer."""
    page = client.get("/licensing").get_data(as_text=True)
    data = {"clearance-csrf_token": csrf(page, "clearance"), "clearance-nib": nib,
            "clearance-purpose": "permit_renewal", "clearance-region_code": "61.71", "clearance-as_of": as_of,
            **{f"clearance-{k}": v for k, v in changes.items()}}
    return client.post("/licensing/clearance", data=data, follow_redirects=True)


def check_project(client: FlaskClient, number: str, as_of: str) -> Any:
    page = client.get("/licensing").get_data(as_text=True)
    data = {"coverage-csrf_token": csrf(page, "coverage"), "coverage-project_number": number, "coverage-as_of": as_of}
    return client.post("/licensing/coverage", data=data, follow_redirects=True)


@pytest.fixture
def registry(client: FlaskClient, auth: Any) -> None:
    store_registry(client, auth)


# --- signing in ---------------------------------------------------------------------------------------------

def test_the_page_asks_for_a_token_first(client: FlaskClient) -> None:
    response = client.get("/licensing")
    assert response.status_code == 302 and response.headers["Location"] == "/licensing/sign-in"
    page = text_of(client.get("/licensing/sign-in").get_data(as_text=True))
    assert "Token perizinan" in page and "Masuk" in page


def test_the_session_cookie_is_signed_httponly_and_strict(client: FlaskClient, tokens: dict[str, str]) -> None:
    response = sign_in(client, tokens["licensing"])
    assert response.status_code == 303 and response.headers["Location"] == "/licensing"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("bpjs_session=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # plain http: a Secure cookie would never come back
    assert "Masuk sebagai test-licensing" in text_of(client.get("/licensing").get_data(as_text=True))


def test_over_https_the_cookie_is_secure_and_hsts_is_sent(app: Flask, tokens: dict[str, str]) -> None:
    client = app.test_client()
    page = client.get("/licensing/sign-in", base_url="https://localhost")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    response = client.post("/licensing/sign-in", base_url="https://localhost",
                           headers={"Referer": "https://localhost/licensing/sign-in"},
                           data={"token": tokens["licensing"], "csrf_token": csrf(page.get_data(as_text=True))})
    assert response.status_code == 303 and "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in client.get("/licensing/sign-in").headers


@pytest.mark.parametrize("role", ["officer", "auditor", "admin"])
def test_other_roles_tokens_are_refused(client: FlaskClient, tokens: dict[str, str], role: str) -> None:
    response = sign_in(client, tokens[role])
    assert response.status_code == 401
    assert f"Token ini milik peran '{role}'" in text_of(response.get_data(as_text=True))
    assert client.get("/licensing").status_code == 302


@pytest.mark.parametrize("token", ["bpjs_licensing_not-a-real-token", " ", ""])
def test_an_unknown_token_is_refused(client: FlaskClient, token: str) -> None:
    response = sign_in(client, token)
    assert response.status_code == 401
    assert "Token tidak dikenal, sudah dicabut, atau sudah kedaluwarsa." in text_of(response.get_data(as_text=True))


def test_a_revoked_token_ends_the_session_at_once(app: Flask, officer: FlaskClient) -> None:
    assert officer.get("/licensing").status_code == 200
    with session_scope(app) as session:
        session.execute(update(ApiToken).where(ApiToken.role == "licensing")
                        .values(revoked_at=dt.datetime.now(dt.UTC)))
    response = officer.get("/licensing", follow_redirects=True)
    assert "Token sesi ini sudah tidak berlaku" in text_of(response.get_data(as_text=True))
    assert officer.get("/licensing").status_code == 302


def test_sign_out_forgets_the_token(officer: FlaskClient) -> None:
    page = officer.get("/licensing").get_data(as_text=True)
    response = officer.post("/licensing/sign-out", data={"csrf_token": csrf(page)}, follow_redirects=True)
    assert "Anda sudah keluar." in text_of(response.get_data(as_text=True))
    assert officer.get("/licensing").status_code == 302


# --- CSRF ---------------------------------------------------------------------------------------------------

@pytest.mark.usefixtures("registry")
def test_a_form_posted_without_its_csrf_token_is_refused_and_decides_nothing(app: Flask,
                                                                            officer: FlaskClient) -> None:
    before = len(decisions(app))
    form = {"clearance-nib": NIB, "clearance-purpose": "permit_issue", "clearance-region_code": "61.71"}
    for data in (form, {**form, "clearance-csrf_token": "forged"}):
        response = officer.post("/licensing/clearance", data=data)
        assert response.status_code == 400
        assert "pemeriksaan CSRF gagal" in text_of(response.get_data(as_text=True))
    assert officer.post("/licensing/coverage", data={"coverage-project_number": PROJECT}).status_code == 400
    assert officer.post("/licensing/sign-out", data={}).status_code == 400
    assert officer.get("/licensing").status_code == 200  # still signed in
    assert len(decisions(app)) == before


def test_the_sign_in_form_needs_its_csrf_token(client: FlaskClient, tokens: dict[str, str]) -> None:
    assert client.post("/licensing/sign-in", data={"token": tokens["licensing"]}).status_code == 400
    assert client.get("/licensing").status_code == 302


# --- answers ------------------------------------------------------------------------------------------------

@pytest.mark.usefixtures("registry")
def test_a_clear_business_its_decision_and_letter(app: Flask, officer: FlaskClient) -> None:
    response = check_business(officer, NIB)
    page = text_of(response.get_data(as_text=True))
    assert "BERSIH" in page and "TIDAK BERSIH" not in page and "PT Bangun Khatulistiwa" in page
    assert "Pemberi kerja terdaftar sebagai peserta BPJS Ketenagakerjaan." in page and "Dasar hukum:" in page
    assert "20 Desember 2024" in page and "Perpanjangan izin" in page
    [record] = decisions(app)
    assert record.kind == "clearance" and record.actor is not None
    assert (record.actor["role"], record.actor["name"]) == ("licensing", "test-licensing")
    assert response.request.path == f"/licensing/decisions/{record.decision_id}"
    assert record.hash in page and record.decision_id in page
    letter = text_of(officer.get(f"/licensing/decisions/{record.decision_id}/letter").get_data(as_text=True))
    for shown in (record.decision_id, record.hash, record.ruleset_version, f"GET /v1/decisions/{record.decision_id}",
                  f"http://localhost/licensing/decisions/{record.decision_id}", "BERSIH", NIB):
        assert shown in letter
    assert "Catatan yang tersimpan masih menghasilkan hash ini." in letter
    assert len(decisions(app)) == 1  # reading the answer and the letter decides nothing again


@pytest.mark.usefixtures("registry")
def test_a_business_in_arrears_in_both_languages(officer: FlaskClient) -> None:
    response = check_business(officer, LATE_NIB)
    page = text_of(response.get_data(as_text=True))
    assert "TIDAK BERSIH" in page and "CV Kapuas Jaya Konstruksi" in page
    assert "Iuran bulan 2024-10 sudah jatuh tempo" in page and "Rp1.250.000" in page
    assert "Minta pelaku usaha melunasi tunggakan iuran" in page
    english = text_of(officer.get(f"{response.request.path}?lang=en").get_data(as_text=True))
    assert "NOT CLEAR" in english and "Rp1,250,000" in english and "Pay the arrears" in english
    assert "20 December 2024" in english and "What to do next" in english
    # the choice is remembered in a cookie
    assert "NOT CLEAR" in text_of(officer.get(response.request.path).get_data(as_text=True))


@pytest.mark.usefixtures("registry")
def test_an_unknown_nib_is_not_clear(officer: FlaskClient) -> None:
    page = text_of(check_business(officer, UNKNOWN_NIB).get_data(as_text=True))
    assert "TIDAK BERSIH" in page and "Tidak ada usaha terdaftar dengan NIB ini" in page
    assert "Tidak ada pemberi kerja dengan NIB ini yang terdaftar" in page and "PP 86/2013" in page


@pytest.mark.usefixtures("registry")
def test_a_late_project_in_both_languages(officer: FlaskClient) -> None:
    response = check_project(officer, PROJECT.lower(), "2024-08-25")
    page = text_of(response.get_data(as_text=True))
    assert "TIDAK TERLINDUNGI" in page and f"Proyek {PROJECT}" in page
    assert "Batas waktu pendaftaran 8 Agustus 2024" in page and "Tanggal pendaftaran 20 Agustus 2024" in page
    assert "Hari keterlambatan 12" in page and "Didaftarkan tepat waktu Tidak" in page
    assert "Proyek didaftarkan 12 hari setelah batas waktu" in page
    assert "Rp80.000.000" in page and "Rp192.000" in page and "Rp96.000" in page
    english = text_of(officer.get(f"{response.request.path}?lang=en").get_data(as_text=True))
    assert "NOT COVERED" in english and "Rp80,000,000" in english and "8 August 2024" in english
    covered = text_of(check_project(officer, PROJECT, "2024-09-10").get_data(as_text=True))
    assert "COVERED" in covered and "NOT COVERED" not in covered and "2 September 2024" in covered


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize(("changes", "messages"), [
    ({"nib": "912000123456"}, ["NIB: 13 angka"]),
    ({"nib": "91200012345ab", "as_of": "2024-13-01"}, ["NIB: 13 angka", "Tanggal pemeriksaan: tanggal berformat"]),
    ({"region_code": "6"}, ["Kode wilayah: kode Kemendagri"]),
    ({"purpose": "permit"}, ["Keperluan: pilih"]),
    ({"as_of": "2999-01-01"}, ["Tanggal pemeriksaan"]),
])
def test_bad_business_input_names_the_field(app: Flask, officer: FlaskClient, changes: dict[str, str],
                                            messages: list[str]) -> None:
    nib = changes.pop("nib", NIB)
    response = check_business(officer, nib, **changes)
    assert response.status_code == 422
    page = text_of(response.get_data(as_text=True))
    assert "Mohon perbaiki:" in page and all(message in page for message in messages), page
    assert decisions(app) == []


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize(("number", "as_of", "message"), [
    ("JK-2099-9999", "2024-08-25", "tidak ada proyek JK-2099-9999 yang terdaftar"),
    ("JK 2024/0041", "2024-08-25", "Nomor proyek: 4 sampai 32 huruf kapital"),
    (PROJECT, "yesterday", "Tanggal pemeriksaan"),
])
def test_bad_project_input_names_the_field(app: Flask, officer: FlaskClient, number: str, as_of: str,
                                           message: str) -> None:
    response = check_project(officer, number, as_of)
    assert response.status_code == 422 and message in text_of(response.get_data(as_text=True))
    assert decisions(app) == []


def test_an_unknown_decision_is_a_404_page(officer: FlaskClient) -> None:
    for path in ("/licensing/decisions/nope", "/licensing/decisions/nope/letter"):
        response = officer.get(path)
        assert response.status_code == 404 and response.mimetype == "text/html"
        assert "Tidak ada keputusan perizinan dengan nomor ini." in text_of(response.get_data(as_text=True))


# --- headers, catalog, secret key ---------------------------------------------------------------------------

def test_every_page_and_its_stylesheet_send_the_security_headers(officer: FlaskClient) -> None:
    for path in ("/licensing", "/licensing/sign-in", "/licensing/decisions/nope", "/pages/static/pages.css"):
        response = officer.get(path)
        response.close()  # the stylesheet is a file
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'none'" in policy and "frame-ancestors 'none'" in policy, path
        assert "unsafe-inline" not in policy and "default-src 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
    assert officer.get("/licensing").headers["Cache-Control"] == "no-store"


def test_the_pages_have_no_script_and_load_nothing_from_elsewhere(officer: FlaskClient) -> None:
    html = officer.get("/licensing").get_data(as_text=True)
    assert "<script" not in html and " style=" not in html and "http://" not in html and "https://" not in html


def test_the_indonesian_catalog_translates_every_text() -> None:
    root = Path(i18n.__file__).parent
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    extracted = {message for *_, message, _comments, _context in
                 extract_from_dir(str(root), method_map, keywords={"_": None, "_l": None, "gettext": None})}
    wanted = {m if isinstance(m, str) else m[0] for m in extracted}
    with (i18n.CATALOGS / "id" / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalog = read_po(file)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    assert wanted - translated == set(), "texts without an Indonesian translation"
    assert {m.id for m in catalog if m.id} - wanted == set(), "translations no page uses"


def test_the_secret_key_file_is_made_once_and_private(tmp_path: Path) -> None:
    key = instance_secret_key(str(tmp_path / "instance"))
    path = tmp_path / "instance" / "secret_key"
    assert len(key) >= 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert instance_secret_key(str(tmp_path / "instance")) == key
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]


def test_money_and_dates_follow_the_language(app: Flask) -> None:
    with app.test_request_context("/licensing"):
        assert (i18n.money(5_000_000), i18n.long_date("2026-11-23")) == ("Rp5.000.000", "23 November 2026")
        assert i18n.long_date("2024-08-01") == "1 Agustus 2024"
    with app.test_request_context("/licensing?lang=en"):
        assert (i18n.money(5_000_000), i18n.long_date("2026-11-23")) == ("Rp5,000,000", "23 November 2026")


def test_the_api_still_refuses_form_bodies(client: FlaskClient, auth: Any) -> None:
    response = client.post("/v1/clearances/batch", data={"items": "x"}, headers=auth("licensing"))
    assert response.status_code == 415
    assert client.get("/v1/clearances", query_string={"nib": NIB}).status_code == 401
    with session_scope(client.application) as session:
        assert session.scalar(select(func.count()).select_from(DecisionRecord)) == 0
