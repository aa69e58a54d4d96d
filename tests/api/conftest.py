"""A decision log of a few thousand realistic claims for impact-analysis tests, and rulesets that change it.

The log is decided once per test session with the shipped rules (``fixtures/decisions.py``: the committed seed
claims of the demo registry, their dates moved) and appended to each test's fresh database in one transaction.

Every API test also runs with every log record captured, and fails if one carries personal data of the samples;
and with every compiled answer dump (``api.fast_dump``) checked against marshmallow's own dump of the same object.

Each record (DEBUG and up, SQLAlchemy's statement log included) is formatted as the service writes it, a JSON line
with its extra fields and traceback, and searched for the NIKs, names and wages of ``samples``. SQLAlchemy's own
DEBUG level logs result rows by design; an operator turns that on explicitly, so it stays at INFO here.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from adjudication import Ruleset
from adjudication.ruleset import read_rules_dir
from api import create_app, decision_log, fast_dump
from api.db import session_scope
from api.models import DecisionRecord
from api.request_log import JsonLines
from api.rulesets import compiled
from fixtures import decisions

from . import samples

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
LOG_SIZE = 3000
LOG_START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
LOG_END = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
FUNERAL_RAISE = 1_000_000


@pytest.fixture(scope="session")
def decision_log_sample() -> list[decision_log.Entry]:
    """``LOG_SIZE`` claims decided by the shipped rules, decided at times spread over 2025."""
    ruleset = compiled(read_rules_dir(RULES_DIR))
    return decisions.entries(ruleset, decisions.load_seeds(), 0, LOG_SIZE, LOG_SIZE, LOG_START, LOG_END)


@pytest.fixture
def job_app(database_url: str) -> Iterator[Flask]:
    """An app that answers at most 100 decisions at once and cuts jobs into chunks of 250."""
    application = create_app({"DATABASE_URL": database_url, "TESTING": True, "REPLAY_INLINE_MAX": 100,
                              "REPLAY_CHUNK": 250, "REPLAY_WORKERS": 2})
    yield application
    application.extensions["db_engine"].dispose()


StoreLog = Callable[[Flask, int], list[DecisionRecord]]


@pytest.fixture
def store_log(decision_log_sample: list[decision_log.Entry]) -> StoreLog:
    """``store_log(app, n)`` appends the sample's first ``n`` decisions to the app's database; returns the records."""
    def store(app: Flask, count: int = LOG_SIZE) -> list[DecisionRecord]:
        with session_scope(app) as session:
            registry = app.extensions["rulesets"]
            registry.ensure_stored(session, registry.current)
            return decision_log.append_many(session, decision_log_sample[:count])
    return store


def changed_rules(**changes: Callable[[dict[str, Any]], None]) -> dict[str, str]:
    """The shipped rule files with ``changes[file stem]`` applied to the parsed ``parameters/<stem>.yaml``."""
    files = read_rules_dir(RULES_DIR)
    for stem, change in changes.items():
        path = f"parameters/{stem}.yaml"
        data = yaml.safe_load(files[path])
        change(data)
        files[path] = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return files


def raise_funeral(jkk: dict[str, Any]) -> None:
    """Every period's JKK death funeral amount up by ``FUNERAL_RAISE``."""
    for entry in jkk["death"]["funeral"]["values"].values():
        entry["value"] += FUNERAL_RAISE


def bpu_inactive_at_once(membership: dict[str, Any]) -> None:
    """A BPU participant inactive from the first unpaid month (instead of after 3)."""
    for entry in membership["bpu_inactive_after_unpaid_months"]["values"].values():
        entry["value"] = 0


def store_ruleset(app: Flask, files: dict[str, str]) -> Ruleset:
    """Compile rule files and keep them in the app's database, as a ruleset decisions could have used."""
    ruleset = compiled(files)
    with session_scope(app) as session:
        app.extensions["rulesets"].ensure_stored(session, ruleset)
    return ruleset


def _personal_values() -> list[str]:
    people = [make() for _, make in samples.PARTICIPANTS.values()]
    values = [str(person[key]) for person in people for key in ("nik", "name") if person.get(key)]
    values += [samples.SECRET_NIK, samples.SECRET_NAME]
    money = [person[key] for person in people for key in ("wage", "declared_income", "jht_balance") if person.get(key)]
    for amount in [*money, samples.SECRET_WAGE]:
        # as Python, English and Indonesian write it
        values += [str(amount), f"{amount:,}", f"{amount:,}".replace(",", ".")]
    return sorted(set(values), key=len, reverse=True)


PERSONAL_VALUES = _personal_values()
# a number only where it stands alone: 4500000 in 14500000 or 4500000.5 is another number
PERSONAL = re.compile("|".join(rf"(?<![\d.,]){re.escape(v)}(?![\d]|[.,]\d)" if v[0].isdigit() else re.escape(v)
                               for v in PERSONAL_VALUES))


def personal_data_in(lines: Iterable[str]) -> list[str]:
    """The personal values found in ``lines``, each with the start of the line it is in.

    Every match of ``PERSONAL`` is one of ``PERSONAL_VALUES`` as it is written, so a line holding none of them has
    none: that substring test (~6 µs a line) spares the regex (~250 µs a line, every log record of every API test)
    for almost every line.
    """
    return [f"{match.group()!r} in {line[:300]}" for line in lines
            if any(value in line for value in PERSONAL_VALUES) for match in PERSONAL.finditer(line)]


class LogScan(logging.Handler):
    """A handler that formats every record as the service would and keeps the ones carrying personal data."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonLines())
        self.records = 0
        self.findings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        self.findings += personal_data_in([self.format(record)])


@pytest.fixture(autouse=True)
def personal_data_log() -> Iterator[LogScan]:
    """Capture every log record of the test; fail it if any shows a NIK, name or wage of the samples."""
    root, engine = logging.getLogger(), logging.getLogger("sqlalchemy.engine")
    levels = root.level, engine.level
    scan = LogScan()
    root.addHandler(scan)
    root.setLevel(logging.DEBUG)
    engine.setLevel(logging.INFO)
    try:
        yield scan
    finally:
        root.removeHandler(scan)
        root.setLevel(levels[0])
        engine.setLevel(levels[1])
    assert not scan.findings, "personal data in the logs:\n" + "\n".join(scan.findings[:10])


@pytest.fixture(autouse=True)
def compiled_dumps_match_marshmallow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every answer dumped by a compiled dump is dumped by marshmallow too, and must be the same."""
    monkeypatch.setattr(fast_dump, "CROSS_CHECK", True)
