"""What the browser tests share: Debian's headless chromium driven by Selenium through chromedriver, an app served
by a real HTTP server (werkzeug, in a thread) on a fresh database, and helpers that act as a person would.

``PAGES_SCREENSHOTS=DIR`` saves a screenshot of each state a test names, for a person to look at.
"""

from __future__ import annotations

import base64
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from api import create_app
from api.auth import ROLES, create_token
from api.db import session_scope
from tests.conftest import PG_URL, _empty_postgres

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS = os.environ.get("PAGES_SCREENSHOTS")


class Live:
    """The served app: its address and one token per role."""

    def __init__(self, url: str, tokens: dict[str, str], app: Flask):
        self.url = url
        self.tokens = tokens
        self.app = app


@contextmanager
def served(migrated_template: str, tmp_path_factory: pytest.TempPathFactory,
           config: dict[str, Any] | None = None) -> Iterator[Live]:
    """An app (``config`` added to its configuration) on a fresh database with one token per role, served on a
    free port of 127.0.0.1 until the end."""
    if PG_URL:
        _empty_postgres(PG_URL)
        url = PG_URL
    else:
        path = tmp_path_factory.mktemp("browser") / "browser.sqlite3"
        shutil.copy(migrated_template, path)
        url = f"sqlite:///{path}"
    app: Flask = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-test-secret", **(config or {})})
    with session_scope(app) as session:
        tokens = {role: create_token(session, role, f"browser-{role}") for role in ROLES}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Live(f"http://127.0.0.1:{server.server_port}", tokens, app)
    finally:
        server.shutdown()
        thread.join(10)
        app.extensions["db_engine"].dispose()


@contextmanager
def headless_chromium(profile: Path) -> Iterator[WebDriver]:
    """Headless Debian chromium with a fresh profile; nothing downloaded, nothing phoned home."""
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.fail(f"{CHROMIUM} and {CHROMEDRIVER} are needed: apt-get install chromium chromium-driver "
                    "(make test installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1280,1100", "--lang=id", f"--user-data-dir={profile}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def visible(driver: WebDriver) -> str:
    """The text the page shows."""
    return str(driver.find_element(By.TAG_NAME, "body").text)


def snap(driver: WebDriver, name: str) -> None:
    """With ``PAGES_SCREENSHOTS``: the whole page as ``name.png`` (and a letter as printed, ``name.pdf``)."""
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


def fill(driver: WebDriver, **fields: str) -> None:
    """Type into the fields with these ids, replacing what they held."""
    for name, value in fields.items():
        element = driver.find_element(By.ID, name)
        element.clear()
        element.send_keys(value)
