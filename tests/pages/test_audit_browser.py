"""The auditor's page in a real headless browser (``browser``): a person signs in, reads the log, opens a decision,
replays it, compares rulesets and follows an impact analysis that a worker runs while the page reloads itself.

The served app queues impact-analysis jobs as the service does (not at once, as the other tests' apps do); the
test plays the consumer's worker and drives the job itself, so the page is seen queued and then done.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from api import replay_jobs
from api.models import DecisionRecord

from .browser import Live, click, fill, served, snap, visible
from .helpers import AUDIT_LOG_SIZE, audit_log_entries, changed_decision, store_audit_log


class AuditLive(Live):
    """The served app with its decision log, and the newer ruleset stored beside it."""

    def __init__(self, live: Live, records: list[DecisionRecord], newer: str):
        super().__init__(live.url, live.tokens, live.app)
        self.records = records
        self.newer = newer


@pytest.fixture(scope="module")
def live(migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuditLive]:
    """The app with a decision log and a newer ruleset, its job queue in a file no consumer reads."""
    queue = tmp_path_factory.mktemp("queue") / "replay-queue.sqlite3"
    with served(migrated_template, tmp_path_factory, {"REPLAY_QUEUE": str(queue), "REPLAY_WORKERS": 1}) as serving:
        yield AuditLive(serving, *store_audit_log(serving.app, audit_log_entries()))


@pytest.fixture
def browser(chromium: WebDriver, live: AuditLive) -> WebDriver:
    """The browser signed in as the auditor, in Indonesian."""
    chromium.get(f"{live.url}/audit/sign-in")
    chromium.delete_all_cookies()
    chromium.get(f"{live.url}/audit")
    chromium.find_element(By.ID, "token").send_keys(live.tokens["auditor"])
    click(chromium, By.CSS_SELECTOR, "main form button[type=submit]")
    return chromium


def button(text: str) -> str:
    return f"//button[normalize-space()='{text}']"


def test_the_log_pages_and_filters(browser: WebDriver, live: AuditLive) -> None:
    page = visible(browser)
    assert browser.current_url == f"{live.url}/audit" and "Log keputusan" in page
    assert "Masuk sebagai browser-auditor" in page
    assert f"\n{AUDIT_LOG_SIZE} " in page and "Lebih lama →" in page
    snap(browser, "audit-decisions")
    click(browser, By.PARTIAL_LINK_TEXT, "Lebih lama")
    assert "← Lebih baru" in visible(browser) and "\n1 " in visible(browser)
    Select(browser.find_element(By.ID, "kind")).select_by_value("clearance")
    fill(browser, **{"from": "2025-02-30"})
    click(browser, By.XPATH, button("Tampilkan"))
    assert "Mohon perbaiki:" in visible(browser) and "Dari: tanggal berformat YYYY-MM-DD." in visible(browser)
    snap(browser, "audit-decisions-bad-filter")
    click(browser, By.LINK_TEXT, "English")
    english = visible(browser)
    assert "Please correct:" in english and "From: a date written YYYY-MM-DD." in english
    click(browser, By.LINK_TEXT, "Bahasa Indonesia")


def test_a_decision_and_its_replays(browser: WebDriver, live: AuditLive) -> None:
    # a decision with benefits on the list's first page (not the newest: it has a record after it), from the list
    record = next(r for r in reversed(live.records[:-1]) if r.result["benefits"])
    assert record.seq > AUDIT_LOG_SIZE - 50
    click(browser, By.LINK_TEXT, str(record.seq))
    snap(browser, "audit-decision")
    page = visible(browser)
    assert record.hash in page and "Terverifikasi: 3 catatan, setiap hash dan tautan cocok." in page
    assert "Fakta yang dievaluasi" in page and "Jejak evaluasi" in page and "Manfaat" in page
    click(browser, By.XPATH, button("Putar ulang dengan versi aturannya sendiri"))
    assert "IDENTIK" in visible(browser)
    snap(browser, "audit-replay-identical")
    browser.back()
    Select(browser.find_element(By.ID, "ruleset")).select_by_value(live.newer)
    click(browser, By.XPATH, button("Putar ulang dengan versi aturan ini"))
    page = visible(browser)
    assert live.newer in page and ("IDENTIK" in page or "BERBEDA" in page)


def test_a_changed_decision_and_the_rulesets_diff(browser: WebDriver, live: AuditLive) -> None:
    changed = changed_decision(live.app, live.records, live.newer)
    browser.get(f"{live.url}/audit/decisions/{changed.decision_id}/replay?ruleset={live.newer}")
    page = visible(browser)
    assert "BERBEDA" in page and "Apa yang berbeda" in page
    snap(browser, "audit-replay-different")
    click(browser, By.LINK_TEXT, "Apa yang berubah di antara kedua versi aturan")
    page = visible(browser)
    assert "BERUBAH" in page and "jht.partial.min_membership_months" in page
    snap(browser, "audit-ruleset-diff")


def test_an_impact_analysis_is_followed_until_it_is_done(browser: WebDriver, live: AuditLive) -> None:
    click(browser, By.LINK_TEXT, "Analisis dampak")
    fill(browser, **{"from": "2025-01-01", "to": "2025-12-31"})
    Select(browser.find_element(By.ID, "ruleset")).select_by_value(live.newer)
    snap(browser, "audit-impact-form")
    click(browser, By.XPATH, button("Mulai analisis"))
    snap(browser, "audit-job-queued")
    page = visible(browser)
    assert "DALAM ANTREAN" in page and f"0 dari {AUDIT_LOG_SIZE} keputusan (0 %)" in page
    assert browser.find_elements(By.CSS_SELECTOR, "meta[http-equiv=refresh]")
    job_id = browser.current_url.rsplit("/", 1)[1]
    assert replay_jobs.drive(live.app, job_id) == "done"  # the consumer's worker, here
    # the page reloads itself within a few seconds and shows the summary
    WebDriverWait(browser, 10).until(lambda driver: "Ringkasan" in visible(driver))
    page = visible(browser)
    assert f"Keputusan diperiksa {AUDIT_LOG_SIZE}" in page and "Uang per jenis klaim" in page
    assert not browser.find_elements(By.CSS_SELECTOR, "meta[http-equiv=refresh]")
    assert browser.find_element(By.PARTIAL_LINK_TEXT, "Unduh semuanya sebagai CSV").get_attribute("href") \
        .endswith(f"/audit/replays/{job_id}/changes.csv")
    snap(browser, "audit-job-done")
    click(browser, By.LINK_TEXT, "Analisis dampak")
    assert "Selesai" in visible(browser) and "Dalam antrean" not in visible(browser)
    snap(browser, "audit-impact-list")


def test_the_chain_check_and_no_script(browser: WebDriver, live: AuditLive) -> None:
    click(browser, By.LINK_TEXT, "Pemeriksaan rantai")
    page = visible(browser)
    assert "UTUH" in page and f"Terverifikasi: {AUDIT_LOG_SIZE} catatan" in page
    snap(browser, "audit-verify")
    assert browser.find_elements(By.TAG_NAME, "script") == []
    logs = browser.get_log("browser") if hasattr(browser, "get_log") else []
    assert [entry for entry in logs if "Content Security Policy" in entry.get("message", "")] == []
