"""Fixtures of the fault and restore tests: the service as deployed (gunicorn on gunicorn.conf.py) over a demo
registry, on SQLite and on a throwaway PostgreSQL cluster of their own (fsync on), which a test may stop and start.

The demo database is built once per backend per session (600 demo workers and every employer: a tenth of the
import time) and copied for each test: a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL.
scripts/test-all.sh runs them in a phase of their own after the SQLite and PostgreSQL passes, in pytest-xdist
workers (each worker builds its own demo databases and cluster); they bring their own server.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bench.common import quiet_env
from bench.mixed import demo_database, demo_subset
from bench.pg import Cluster

COUNTER = itertools.count(1)


@dataclass
class Demo:
    """A demo database for one test: its URL, the tokens in it, the registry it holds and a work directory."""

    backend: str
    url: str
    tokens: dict[str, str]
    registry: Path
    work: Path
    cluster: Cluster | None = None
    env: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="session")
def registry_subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_subset(tmp_path_factory.mktemp("registry"), participants=600)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    with Cluster(fsync=True) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, registry_subset: Path,
                    signing_key: Path) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    tokens = demo_database(f"sqlite:///{path}", registry=registry_subset)
    return path, tokens


@pytest.fixture(scope="session")
def pg_template(pg_cluster: Cluster, registry_subset: Path, signing_key: Path) -> dict[str, str]:
    pg_cluster.sql("CREATE DATABASE demo")
    return demo_database(pg_cluster.url("demo"), registry=registry_subset)


def copy_of_demo(cluster: Cluster, name: str) -> None:
    """CREATE DATABASE ``name`` TEMPLATE demo, waiting out autovacuum, which visits demo after its import (a
    template must have no other session)."""
    for attempt in range(40):
        try:
            cluster.sql(f"CREATE DATABASE {name} TEMPLATE demo")
            return
        except subprocess.CalledProcessError as error:
            if "being accessed by other users" not in error.stderr or attempt == 39:
                raise
            time.sleep(0.5)


def _demo(backend: str, request: pytest.FixtureRequest, work: Path, registry: Path, signing_key: Path) -> Demo:
    if backend == "sqlite":
        template, tokens = request.getfixturevalue("sqlite_template")
        (work / "db").mkdir()
        shutil.copy(template, work / "db" / "bpjs.sqlite3")
        demo = Demo(backend, f"sqlite:///{work / 'db' / 'bpjs.sqlite3'}", tokens, registry, work)
    else:
        tokens = request.getfixturevalue("pg_template")
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        name = f"fault{next(COUNTER)}"
        copy_of_demo(cluster, name)
        demo = Demo(backend, cluster.url(name), tokens, registry, work, cluster)
    demo.env = {**quiet_env(demo.url), "AUDIT_SIGNING_KEY": str(signing_key),
                # a checkpoint every 50 records: each run signs several, and the checks verify them
                "AUDIT_CHECKPOINT_EVERY": "50"}
    return demo


@pytest.fixture(params=["sqlite", "postgresql"])
def demo(request: pytest.FixtureRequest, tmp_path: Path, registry_subset: Path, signing_key: Path) -> Demo:
    """A fresh demo database on each backend."""
    return _demo(request.param, request, tmp_path, registry_subset, signing_key)


@pytest.fixture
def pg_demo(request: pytest.FixtureRequest, tmp_path: Path, registry_subset: Path, signing_key: Path) -> Demo:
    """A fresh demo database on the throwaway PostgreSQL cluster."""
    return _demo("postgresql", request, tmp_path, registry_subset, signing_key)


@pytest.fixture
def sqlite_demo(request: pytest.FixtureRequest, tmp_path: Path, registry_subset: Path, signing_key: Path) -> Demo:
    """A fresh demo database in a SQLite file."""
    return _demo("sqlite", request, tmp_path, registry_subset, signing_key)


def entries_between(journal: list[dict[str, Any]], start: float, end: float) -> list[dict[str, Any]]:
    """Journal entries of requests sent in [start, end] (wall clock)."""
    return [e for e in journal if "at" in e and start <= e["at"] <= end]
