"""The service as deployed, for load and fault runs: gunicorn on the committed gunicorn.conf.py, its workers' pids.

Unlike ``bench.common.gunicorn`` it keeps gunicorn's log (the fault tests read it) and knows its workers, so that a
test can kill one with SIGKILL and watch the master replace it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from bench.common import BIN, ROOT, free_port

# a load run must measure the service, not the per-token rate limit (Flask-Limiter, where the app has it)
UNTHROTTLED = {"RATE_LIMIT": "1000000 per second", "REPLAY_CONSUMER": "0"}


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # the field after the parenthesised command name: state, then the parent's pid
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _command_line(pid: int) -> bytes:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return b""


def _sockets(pid: int) -> set[str]:
    """The inodes of ``pid``'s open sockets."""
    found = set()
    try:
        for fd in (Path("/proc") / str(pid) / "fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                found.add(target[8:-1])
    except OSError:
        pass
    return found


def _connected_inodes(port: int) -> set[str]:
    """The inodes of the TCP connections accepted on local ``port`` (not its listening socket)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            # sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] != "0A":  # 0A: LISTEN
                found.add(fields[9])
    return found


def _started(pid: int) -> int:
    # field 22 of /proc/PID/stat: start time in clock ticks since boot
    return int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[19])


class Service:
    """gunicorn serving ``app`` with ``workers`` sync workers on a free port; ``with Service(env) as s:``."""

    def __init__(self, env: dict[str, str], workers: int = 2, app: str = "wsgi:app", log: Path | None = None,
                 checkout: Path = ROOT):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = {**env, **UNTHROTTLED, "BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(workers)}
        self.app = app
        self.log = log
        self.checkout = checkout  # gunicorn imports the app from here (its working directory comes first)
        self.process: subprocess.Popen[bytes] | None = None
        self.boot_seconds = 0.0  # from start to every worker serving: an upper bound of one worker's boot

    def start(self, wait: float = 60) -> None:
        """Start gunicorn and wait until every worker is up and /health answers."""
        out = self.log.open("ab") if self.log else None
        self.process = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", self.app], cwd=self.checkout,
                                        env=self.env, stdout=out or subprocess.DEVNULL, stderr=subprocess.STDOUT)
        if out is not None:
            out.close()  # the child has its own descriptor
        started = time.monotonic()
        deadline = started + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            if len(self.worker_pids()) == self.workers and self.healthy():
                self.boot_seconds = time.monotonic() - started
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not come up within {wait} s; see {self.log}")

    def healthy(self) -> bool:
        """Whether GET /health answers 200 within a second."""
        try:
            with urllib.request.urlopen(f"{self.base_url}/health", timeout=1) as answer:
                return answer.status == 200
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        """The master's worker processes (forks with its command line; not a helper it started, such as a consumer)."""
        if self.process is None:
            return []
        master = _command_line(self.process.pid)
        return sorted(pid for pid in _children(self.process.pid) if _command_line(pid) == master)

    def kill_worker(self, pid: int | None = None) -> int:
        """SIGKILL one worker (by default the longest running), as the OOM killer or a crash would; its pid."""
        victim = pid or min(self.worker_pids(), key=_started)
        os.kill(victim, signal.SIGKILL)
        return victim

    def kill_busy_worker(self, wait: float = 3) -> int:
        """SIGKILL a worker caught holding a client's connection (a sync worker holds one only while it serves a
        request), so that the kill cuts a request in flight; the longest running worker if none is caught within
        ``wait`` seconds."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            connected = _connected_inodes(self.port)
            busy = [pid for pid in self.worker_pids() if _sockets(pid) & connected]
            if busy:
                return self.kill_worker(min(busy, key=_started))
            time.sleep(0.001)
        return self.kill_worker()

    def wait_for_workers(self, excluding: set[int], wait: float = 30) -> list[int]:
        """Wait until the master runs its full count of workers again, none of them in ``excluding``."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) == self.workers and not excluding & set(pids):
                return pids
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not replace workers {sorted(excluding)} within {wait} s")

    def stop(self) -> None:
        """SIGTERM the master (graceful: workers finish their request) and wait for it."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Service:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
