"""A PostgreSQL primary and its streaming replica, both throwaway, for the cluster
test and benchmark: `initdb` a primary in a temporary directory, then a base backup
of it (`pg_basebackup -R`) started as a hot standby with docs/deploy/standby.conf,
as docs/deploy.md ("The replica") sets one up on a second machine. Each runs with
`pg_ctl` on a free loopback port.

Why a primary of its own, not the local server: a base backup copies a whole
PostgreSQL cluster, and the local one holds every engineer's databases (a province
benchmark's are gigabytes); this one holds the test's database only, and needs no
change to the local server's pg_hba.conf.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.cluster.harness import free_port
from traceapp.db import make_engine

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"
TOOLS = ("initdb", "pg_ctl", "pg_basebackup")
# The throwaway primary: Debian's defaults (wal_level = replica, max_wal_senders = 10)
# on loopback, and replication connections allowed from it.
PRIMARY_CONF = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{socket_dir}'
max_connections = 200
shared_buffers = 64MB
"""
HBA = (
    "local all all trust\n"
    "host all all 127.0.0.1/32 trust\n"
    "host replication all 127.0.0.1/32 trust\n"
)
# What a test standby adds to docs/deploy/standby.conf: its own socket directory.
STANDBY_TEST_CONF = "unix_socket_directories = '{socket_dir}'\n"


def binaries() -> Path | None:
    """The directory of initdb, pg_ctl and pg_basebackup (Debian keeps them out of PATH)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        reverse=True,
    )
    found = shutil.which("pg_ctl")
    if found:
        candidates.insert(0, Path(found).parent)
    return next((d for d in candidates if all((d / tool).exists() for tool in TOOLS)), None)


def replication_refusal() -> str | None:
    """Why no primary and replica can be made here, or None if they can."""
    if binaries() is None:
        return f"{', '.join(TOOLS)} are not installed (apt-get install -y postgresql)"
    return None


def _as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root: run it as the postgres user then.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _owned(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


@dataclass
class Server:
    """One throwaway PostgreSQL cluster on 127.0.0.1."""

    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pg-")))
    port: int = field(default_factory=free_port)
    _engine: Engine | None = None

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _prepare(self) -> Path:
        found = binaries()
        assert found is not None, replication_refusal()
        _owned(self.workdir)
        self.workdir.chmod(0o700)
        return found

    def _tool(self, name: str, *args: str) -> None:
        found = binaries()
        assert found is not None
        subprocess.run(_as_postgres([str(found / name), *args]), check=True, capture_output=True)

    def _configure(self, name: str, content: str, append: bool = False) -> None:
        path = self.data_dir / name
        with path.open("a" if append else "w") as handle:
            handle.write(content)
        _owned(path)

    def _start(self) -> None:
        log = str(self.workdir / "server.log")
        self._tool("pg_ctl", "-D", str(self.data_dir), "-l", log, "-w", "-t", "60", "start")
        self._engine = make_engine(self.url(), isolation_level="AUTOCOMMIT")

    def stop(self) -> None:
        """Fast shutdown; nothing if it is not running."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if (self.data_dir / "postmaster.pid").exists():
            self._tool("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def sql(self, statement: str) -> object:
        """The first value of one statement's answer, if it has one (autocommit)."""
        assert self._engine is not None, "the server is not running"
        with self._engine.connect() as connection:
            result = connection.execute(text(statement))
            return result.scalar() if result.returns_rows else None

    def log(self) -> str:
        path = self.workdir / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


@dataclass
class Primary(Server):
    def start(self) -> None:
        self._prepare()
        self._tool(
            "initdb", "-D", str(self.data_dir), "-U", "postgres", "-A", "trust", "-E", "UTF8"
        )
        self._configure(
            "postgresql.conf", PRIMARY_CONF.format(port=self.port, socket_dir=self.workdir), True
        )
        self._configure("pg_hba.conf", HBA)
        self._start()

    def create_database(self, name: str) -> str:
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url(name)


@dataclass
class Standby(Server):
    """A hot standby of `primary`, streaming its WAL."""

    primary: Primary | None = None

    def start(self) -> None:
        assert self.primary is not None
        self._prepare()
        self._tool(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.primary.port),
            "-U",
            "postgres",
            "-D",
            str(self.data_dir),
            "--write-recovery-conf",  # standby.signal and primary_conninfo
            "--wal-method=stream",
            "--checkpoint=fast",
            "--no-sync",
        )
        settings = Template((DEPLOY / "standby.conf").read_text()).substitute(
            listen_address="127.0.0.1", port=self.port
        )
        # After the primary's settings copied with its data directory: these win.
        self._configure(
            "postgresql.conf", settings + STANDBY_TEST_CONF.format(socket_dir=self.workdir), True
        )
        self._start()

    def pause_replay(self) -> None:
        """Keep receiving the primary's WAL but apply none of it: reads see the past."""
        self.sql("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.sql("SELECT pg_wal_replay_resume()")

    def wait_until_caught_up(self, timeout: float = 30.0) -> None:
        """Return once the standby has replayed what the primary had written when called."""
        assert self.primary is not None
        # The insert position, not the write position: scans are committed with
        # synchronous_commit off, so their commit may not be written out yet.
        target = self.primary.sql("SELECT pg_current_wal_insert_lsn()::text")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
                return
            time.sleep(0.1)
        raise RuntimeError(f"the standby did not replay up to {target} within {timeout:.0f} s")
