"""The licensing page in a real headless browser: Debian's chromium, driven by Selenium through chromedriver.

The app is served by a real HTTP server (werkzeug, in a thread) on a fresh database with a small registry; each
test signs in as a person would and asserts on the text the page shows. ``PAGES_SCREENSHOTS=DIR`` saves a
screenshot of each state for a person to look at.
"""

from __future__ import annotations

import base64
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait
from werkzeug.serving import make_server

from api import create_app
from api.auth import ROLES, create_token
from api.db import session_scope
from tests.conftest import PG_URL, _empty_postgres

from .helpers import LATE_NIB, NIB, PROJECT, UNKNOWN_NIB, store_registry

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS = os.environ.get("PAGES_SCREENSHOTS")


class Live:
    """The served app: its address and one token per role."""

    def __init__(self, url: str, tokens: dict[str, str]):
        self.url = url
        self.tokens = tokens


@pytest.fixture(scope="module")
def live(migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The app on a fresh database with the page tests' registry, served on a free port of 127.0.0.1."""
    if PG_URL:
        _empty_postgres(PG_URL)
        url = PG_URL
    else:
        path = tmp_path_factory.mktemp("browser") / "browser.sqlite3"
        shutil.copy(migrated_template, path)
        url = f"sqlite:///{path}"
    app: Flask = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-test-secret"})
    with session_scope(app) as session:
        tokens = {role: create_token(session, role, f"browser-{role}") for role in ROLES}
    store_registry(app.test_client(), lambda role: {"Authorization": f"Bearer {tokens[role]}"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Live(f"http://127.0.0.1:{server.server_port}", tokens)
    finally:
        server.shutdown()
        thread.join(10)
        app.extensions["db_engine"].dispose()


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """Headless Debian chromium with a fresh profile; nothing downloaded, nothing phoned home."""
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.fail(f"{CHROMIUM} and {CHROMEDRIVER} are needed: apt-get install chromium chromium-driver "
                    "(make test installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1280,1100", "--lang=id",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(chromium: WebDriver, live: Live) -> WebDriver:
    """The browser with no cookies of the app: not signed in, Indonesian."""
    chromium.get(f"{live.url}/licensing/sign-in")
    chromium.delete_all_cookies()
    return chromium


def visible(driver: WebDriver) -> str:
    """The text the page shows."""
    return str(driver.find_element(By.TAG_NAME, "body").text)


def snap(driver: WebDriver, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, max(800, int(height) + 40))
        driver.save_screenshot(str(Path(SCREENSHOTS) / f"{name}.png"))
        driver.set_window_size(1280, 1100)
        if name.startswith("letter"):  # and as printed, to see the print stylesheet
            (Path(SCREENSHOTS) / f"{name}.pdf").write_bytes(base64.b64decode(driver.print_page()))


def click(driver: WebDriver, by: str, what: str) -> None:
    """Click a button or link and wait for the next page: a click returns before the navigation it starts."""
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(by, what).click()
    # chromedriver may answer "node does not belong to the document" while the old page is being replaced
    WebDriverWait(driver, 10, ignored_exceptions=(WebDriverException,)).until(staleness_of(page))


def sign_in(driver: WebDriver, live: Live, token: str) -> None:
    driver.get(f"{live.url}/licensing")
    driver.find_element(By.ID, "token").send_keys(token)
    click(driver, By.CSS_SELECTOR, "main form button[type=submit]")


def fill(driver: WebDriver, **fields: str) -> None:
    for name, value in fields.items():
        element = driver.find_element(By.ID, name)
        element.clear()
        element.send_keys(value)


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
