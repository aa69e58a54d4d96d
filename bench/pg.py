"""A throwaway PostgreSQL 15 cluster in a temp directory on a free port, made as scripts/test-all.sh makes one.

For the load runs, the fault tests (which stop and start the server) and the restore drill. initdb and pg_ctl
refuse to run as root, so as root the cluster belongs to the postgres system user; the client tools (psql,
pg_dump, pg_restore) connect over TCP as the database user postgres and run as anyone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

from bench.common import free_port


def pg_bin() -> Path:
    """The PostgreSQL 15 binaries: ``PGBIN``, Debian's /usr/lib/postgresql/15/bin, or wherever initdb is."""
    if os.environ.get("PGBIN"):
        return Path(os.environ["PGBIN"])
    debian = Path("/usr/lib/postgresql/15/bin")
    if debian.is_dir():
        return debian
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("PostgreSQL 15 is not installed (no initdb); install postgresql-15")
    return Path(initdb).parent


class Cluster:
    """One PostgreSQL server and its data directory; ``with Cluster() as pg:`` removes both afterwards."""

    def __init__(self, fsync: bool = True, settings: dict[str, str] | None = None):
        self.bin = pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="bpjs-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.settings = {"listen_addresses": "127.0.0.1", "fsync": "on" if fsync else "off", **(settings or {})}
        self._as_pg: list[str] = []
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
            # from the cluster's own directory: the postgres user may not enter the checkout
            self._as_pg = ["runuser", "-u", "postgres", "--", "env", "-C", str(self.dir)]
        self._server([str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"])

    def _server(self, command: list[str]) -> None:
        subprocess.run([*self._as_pg, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of ``database`` on this server."""
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = " ".join([f"-p {self.port}", f"-k {self.dir}", *(f"-c {k}={v}" for k, v in self.settings.items())])
        self._server([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "postgres.log"), "-w",
                      "-o", options, "start"])

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: ``fast`` ends sessions and rolls back their transactions; ``immediate`` is a crash."""
        self._server([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def client(self, tool: str, *args: str, **run: object) -> subprocess.CompletedProcess[str]:
        """Run a client tool (psql, pg_dump, pg_restore, createdb) against this server."""
        return subprocess.run([str(self.bin / tool), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                               *args], check=True, text=True, capture_output=True, **run)  # type: ignore[call-overload]

    def sql(self, statement: str, database: str = "postgres") -> str:
        """One statement through psql; its rows as unaligned text."""
        return str(self.client("psql", "-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", statement).stdout).strip()

    def remove(self) -> None:
        """Stop the server at once and delete its directory."""
        subprocess.run([*self._as_pg, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.remove()
