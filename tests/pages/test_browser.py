"""The licensing page in a real headless browser: Debian's chromium, driven by Selenium through chromedriver
(``browser``).

The app is served on a fresh database with a small registry; each test signs in as a person would and asserts on
the text the page shows. ``PAGES_SCREENSHOTS=DIR`` saves a screenshot of each state for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from .browser import Live, click, fill, served, snap, visible
from .helpers import LATE_NIB, NIB, PROJECT, UNKNOWN_NIB, store_registry


@pytest.fixture(scope="module")
def live(migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The app on a fresh database with the page tests' registry, served on a free port of 127.0.0.1."""
    with served(migrated_template, tmp_path_factory) as serving:
        store_registry(serving.app.test_client(), lambda role: {"Authorization": f"Bearer {serving.tokens[role]}"})
        yield serving


@pytest.fixture
def browser(chromium: WebDriver, live: Live) -> WebDriver:
    """The browser with no cookies of the app: not signed in, Indonesian."""
    chromium.get(f"{live.url}/licensing/sign-in")
    chromium.delete_all_cookies()
    return chromium


def sign_in(driver: WebDriver, live: Live, token: str) -> None:
    driver.get(f"{live.url}/licensing")
    driver.find_element(By.ID, "token").send_keys(token)
    click(driver, By.CSS_SELECTOR, "main form button[type=submit]")


def check_business(driver: WebDriver, nib: str, as_of: str = "2024-12-20") -> None:
    fill(driver, **{"clearance-nib": nib, "clearance-region_code": "61.71", "clearance-as_of": as_of})
    Select(driver.find_element(By.ID, "clearance-purpose")).select_by_value("permit_renewal")
    click(driver, By.XPATH, "//button[normalize-space()='Periksa usaha']")


def test_sign_in_and_sign_out(browser: WebDriver, live: Live) -> None:
    browser.get(f"{live.url}/licensing")
    assert browser.current_url.endswith("/licensing/sign-in") and "Token perizinan" in visible(browser)
    snap(browser, "sign-in")
    sign_in(browser, live, live.tokens["licensing"])
    page = visible(browser)
    assert "Masuk sebagai browser-licensing" in page and "Pemeriksaan kepesertaan usaha" in page
    snap(browser, "search")
    click(browser, By.XPATH, "//button[normalize-space()='Keluar']")
    assert "Anda sudah keluar." in visible(browser)
    browser.get(f"{live.url}/licensing")
    assert browser.current_url.endswith("/licensing/sign-in")


def test_a_bad_token_is_refused(browser: WebDriver, live: Live) -> None:
    sign_in(browser, live, "bpjs_licensing_this-is-not-a-token")
    assert "Token tidak dikenal, sudah dicabut, atau sudah kedaluwarsa." in visible(browser)
    assert "Masuk sebagai" not in visible(browser)


def test_another_roles_token_is_refused(browser: WebDriver, live: Live) -> None:
    sign_in(browser, live, live.tokens["officer"])
    assert "Token ini milik peran 'officer'; halaman ini hanya menerima token peran 'licensing'." in visible(browser)


def test_a_clear_business_and_its_letter(browser: WebDriver, live: Live) -> None:
    sign_in(browser, live, live.tokens["licensing"])
    check_business(browser, NIB)
    page = visible(browser)
    assert "BERSIH" in page and "TIDAK BERSIH" not in page and "PT Bangun Khatulistiwa" in page
    assert "Pemberi kerja terdaftar sebagai peserta BPJS Ketenagakerjaan." in page
    assert "Dari sisi BPJS Ketenagakerjaan, perizinan dapat dilanjutkan." in page
    decision_id = browser.current_url.rsplit("/", 1)[1]
    assert decision_id in page
    snap(browser, "clearance-clear")
    click(browser, By.LINK_TEXT, "Cetak surat keterangan")
    letter = visible(browser)
    assert "Surat keterangan pemeriksaan kepesertaan BPJS Ketenagakerjaan" in letter
    assert decision_id in letter and f"GET /v1/decisions/{decision_id}" in letter and "Nomor keputusan" in letter
    snap(browser, "letter-clear")


def test_a_business_in_arrears_is_not_clear_with_the_reason(browser: WebDriver, live: Live) -> None:
    sign_in(browser, live, live.tokens["licensing"])
    check_business(browser, LATE_NIB)
    page = visible(browser)
    assert "TIDAK BERSIH" in page and "CV Kapuas Jaya Konstruksi" in page
    assert "Iuran bulan 2024-10 sudah jatuh tempo dan belum dibayar lunas; tunggakan pokok Rp1.250.000" in page
    assert "Dasar hukum:" in page and "Jangan terbitkan atau perpanjang izin dahulu." in page
    snap(browser, "clearance-not-clear")
    click(browser, By.LINK_TEXT, "English")
    english = visible(browser)
    assert "NOT CLEAR" in english and "Rp1,250,000 is outstanding" in english and "What to do next" in english
    snap(browser, "clearance-not-clear-en")
    click(browser, By.LINK_TEXT, "Bahasa Indonesia")
    assert "TIDAK BERSIH" in visible(browser)


def test_an_unknown_nib_is_not_clear(browser: WebDriver, live: Live) -> None:
    sign_in(browser, live, live.tokens["licensing"])
    check_business(browser, UNKNOWN_NIB)
    page = visible(browser)
    assert "TIDAK BERSIH" in page and "Tidak ada pemberi kerja dengan NIB ini yang terdaftar" in page


def test_a_bad_nib_is_named_on_the_page(browser: WebDriver, live: Live) -> None:
    sign_in(browser, live, live.tokens["licensing"])
    check_business(browser, "12345")
    page = visible(browser)
    assert "Mohon perbaiki:" in page and "NIB: 13 angka, misalnya 9120001234567." in page
    snap(browser, "clearance-bad-input")


def test_a_late_project(browser: WebDriver, live: Live) -> None:
    sign_in(browser, live, live.tokens["licensing"])
    fill(browser, **{"coverage-project_number": PROJECT, "coverage-as_of": "2024-08-25"})
    click(browser, By.XPATH, "//button[normalize-space()='Periksa proyek']")
    page = visible(browser)
    assert "TIDAK TERLINDUNGI" in page and f"Proyek {PROJECT}" in page
    assert "Batas waktu pendaftaran\n8 Agustus 2024" in page and "Hari keterlambatan\n12" in page
    assert "Proyek didaftarkan 12 hari setelah batas waktu pendaftaran (8 Agustus 2024)." in page
    assert "Rp80.000.000" in page and "Rp192.000" in page
    snap(browser, "coverage-late")
    click(browser, By.LINK_TEXT, "Cetak surat keterangan")
    assert "Surat keterangan kepesertaan proyek jasa konstruksi" in visible(browser)
    snap(browser, "letter-coverage")


def test_the_page_runs_no_script(browser: WebDriver, live: Live) -> Any:
    # the CSP forbids every script; the page must not have needed one
    sign_in(browser, live, live.tokens["licensing"])
    assert browser.find_elements(By.TAG_NAME, "script") == []
    logs = browser.get_log("browser") if hasattr(browser, "get_log") else []
    assert [entry for entry in logs if "Content Security Policy" in entry.get("message", "")] == []
