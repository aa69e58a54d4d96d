"""Faults under mixed load, each bounded (about 30-60 s): a worker killed with SIGKILL, PostgreSQL stopped and
started, a full disk under SQLite. Afterwards every acknowledged decision is in the log, nothing half-written is,
the chain verifies and the service answers again without manual repair (see harness.assert_whole)."""

from __future__ import annotations

import errno
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.mixed import http
from bench.service import Service

from .conftest import Demo, entries_between
from .harness import assert_whole, under_load, wait_for

Journal = Callable[[], list[dict[str, Any]]]


def answered_after(journal: Journal, moment: float, status: int | tuple[int, ...]) -> bool:
    wanted = (status,) if isinstance(status, int) else status
    return any(e.get("at", 0) >= moment and e.get("status") in wanted for e in journal())


def test_a_worker_killed_mid_load_loses_no_acknowledged_decision(demo: Demo):
    """SIGKILL, twice or more, of a worker caught serving a request while both serve: the master replaces it;
    requests in flight get no answer, and one whose commit finished before the kill is stored, traced to its request
    and returned again (200) when the client retries with its Idempotency-Key."""

    def kill_workers(service: Service, journal: Journal) -> dict[str, Any]:
        assert wait_for(lambda: len(journal()) >= 30, 20), "the load did not start"
        killed = []
        # at least two kills, each of a worker caught serving a request, and more (up to four) until one was cut: a
        # worker is sometimes killed between two requests, or in a GET the client sends again by itself
        while len(killed) < 2 or (len(killed) < 4 and not any(e.get("status") == 0 for e in journal())):
            moment = time.time()
            killed.append(service.kill_busy_worker())
            service.wait_for_workers(excluding=set(killed), wait=20)
            assert wait_for(lambda m=moment: answered_after(journal, m, (200, 201)), 10), "no answer after a kill"
            # the replacement loads the app and compiles the rules before it serves: the next kill is of the
            # survivor only once the replacement can take over
            time.sleep(max(2.0, 1.5 * service.boot_seconds))
        return {"killed": killed, "at": time.time()}

    run = under_load(demo, lambda service: 12 + 4 * max(2.0, 1.5 * service.boot_seconds), kill_workers)
    statuses = run.statuses()
    assert set(statuses) <= {0, 200, 201}, statuses  # no 500, no 503: only answers lost with their worker
    # in flight at a kill: a request left without an answer, or a GET whose decision was stored before the kill and
    # which the client (geventhttpclient, as RFC 9110 allows for idempotent methods) sent again by itself
    cut = statuses.get(0, 0) + sum(1 for u in run.log["committed_unacknowledged"] if u.get("retried_get"))
    assert cut >= 1, ("no request was in flight at any of the kills", run.log)
    assert run.service_log.count("was sent SIGKILL") == len(run.fault["killed"])
    assert_whole(run)
    after_kills = [e for e in run.journal if e.get("at", 0) > run.fault["at"]]
    assert after_kills and all(e["status"] in (200, 201) for e in after_kills)


def test_postgresql_crashed_mid_load_answers_503_at_once_and_recovers_when_started(pg_demo: Demo):
    """The server crashes (pg_ctl stop -m immediate) mid-load: every acknowledged decision survives it. While the
    server is down every request gets the 503 envelope with Retry-After within ~2 s, none hangs and none is a 500;
    once it is up again (after its crash recovery) the pool reconnects by itself."""
    cluster = pg_demo.cluster
    assert cluster is not None

    def stop_and_start(service: Service, journal: Journal) -> dict[str, Any]:
        assert wait_for(lambda: len(journal()) >= 30, 20), "the load did not start"
        stopping = time.time()
        cluster.stop("immediate")  # a crash: what was acknowledged must be on disk
        stopped = time.time()
        if not wait_for(lambda: answered_after(journal, stopping, 503), 5):
            cluster.start()  # the session's later tests need the server
            raise AssertionError(("no 503 while the server was down",
                                  [e for e in journal() if e.get("at", 0) >= stopping][:10]))
        first_503 = min(e["at"] + e["ms"] / 1000 for e in journal() if e.get("status") == 503)
        time.sleep(4)
        starting = time.time()
        cluster.start()  # crash recovery first: seconds on a busy machine
        started = time.time()
        probe = f"{service.base_url}/v1/reason-codes"  # reads the token from the database, decides nothing
        assert wait_for(lambda: http("GET", probe, pg_demo.tokens["licensing"], timeout=5)[0] == 200, 10, 0.1), \
            "the service did not answer after the restart"
        return {"stopping": stopping, "stopped": stopped, "first_503_s": first_503 - stopping, "starting": starting,
                "started": started, "recovery_s": started - starting, "answered_s": time.time() - started}

    run = under_load(pg_demo, 30, stop_and_start)
    fault = run.fault
    down = entries_between(run.journal, fault["stopped"], fault["starting"])
    assert down and {e["status"] for e in down} == {503}, run.statuses(down)
    assert all(e["retry_after"] == "2" for e in down)
    assert max(e["ms"] for e in down) < 2000, max(e["ms"] for e in down)
    assert fault["first_503_s"] < 2, fault
    assert fault["answered_s"] < 3, fault  # after the server is up again: the pool reconnects at once
    odd = [e for e in run.journal if e.get("status") not in (200, 201, 503)]
    assert not odd, odd[:5]  # never a 500, never a dropped connection
    assert "database unavailable" in run.service_log
    assert_whole(run)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 48 MiB tmpfs for the SQLite database: its own disk, which the test can fill."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m,mode=0700", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"this test mounts a small tmpfs and needs root (CAP_SYS_ADMIN): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Write a ballast file until the disk has no byte left."""
    ballast = disk / "ballast"
    chunk = b"\0" * (1 << 20)
    with ballast.open("wb", buffering=0) as out:
        while True:
            try:
                out.write(chunk)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                chunk = chunk[: len(chunk) // 2]
                if len(chunk) < 512:
                    break
    return ballast


def test_a_full_disk_under_sqlite_answers_503_stores_nothing_half_and_recovers(sqlite_demo: Demo, small_disk: Path):
    """The database on a tmpfs that fills up mid-load: writes get the 503 envelope naming full storage (reads go
    on), nothing half-written is stored, and when space is freed the service writes again without a restart."""
    database = Path(sqlite_demo.url.removeprefix("sqlite:///"))
    moved = small_disk / database.name
    moved.write_bytes(database.read_bytes())
    sqlite_demo.url = f"sqlite:///{moved}"
    sqlite_demo.env["DATABASE_URL"] = sqlite_demo.url

    def fill_then_free(service: Service, journal: Journal) -> dict[str, Any]:
        assert wait_for(lambda: len(journal()) >= 30, 20), "the load did not start"
        filling = time.time()
        ballast = fill(small_disk)
        full = wait_for(lambda: answered_after(journal, filling, 503), 25)
        assert full, "the full disk was never reported"
        first_503 = min(e["at"] + e["ms"] / 1000 for e in journal() if e.get("status") == 503)
        time.sleep(2)
        freeing = time.time()
        ballast.unlink()
        assert wait_for(lambda: answered_after(journal, freeing, 201), 10), "no claim decided after space returned"
        first_ok = min(e["at"] + e["ms"] / 1000 for e in journal()
                       if e.get("at", 0) >= freeing and e.get("status") == 201)
        return {"filled_s": first_503 - filling, "freeing": freeing, "recovered_s": first_ok - freeing}

    run = under_load(sqlite_demo, 16, fill_then_free)
    statuses = run.statuses()
    assert set(statuses) <= {200, 201, 503}, statuses
    refused = [e for e in run.journal if e.get("status") == 503]
    assert refused and all("storage is full" in e["error"] or "unavailable" in e["error"] for e in refused)
    assert any("storage is full" in e["error"] for e in refused)
    assert run.fault["recovered_s"] < 3, run.fault
    assert "database full" in run.service_log
    assert_whole(run)
    assert os.statvfs(small_disk).f_bavail > 0
