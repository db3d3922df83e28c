"""A streaming replica of the local PostgreSQL primary, for the cluster test and
benchmark: a base backup (`pg_basebackup -R`) into a temporary directory, started
with `pg_ctl` on a free loopback port, as docs/deploy.md ("The replica") sets one
up on a second machine with docs/deploy/standby.conf.

The primary must accept replication connections from 127.0.0.1 (`.ci/run` adds
`host replication all 127.0.0.1/32 trust` to its pg_hba.conf).
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
from sqlalchemy.engine import Engine, make_url

from tests.cluster.harness import free_port
from traceapp.db import make_engine

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"
# What a test standby adds to docs/deploy/standby.conf: its own socket directory,
# and no durability (it is thrown away).
TEST_CONF = "unix_socket_directories = '{socket_dir}'\nshared_buffers = 32MB\nfsync = off\n"
STANDBY_HBA = "local all all trust\nhost all all 127.0.0.1/32 trust\n"


def replication_refusal(primary_url: str) -> str | None:
    """Why the primary cannot feed a standby here, or None if it can."""
    engine = make_engine(primary_url)
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version_num")).scalar_one()
            wal_level = connection.execute(text("SHOW wal_level")).scalar_one()
            allowed = connection.execute(
                text(
                    "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database)"
                    " AND (address = '127.0.0.1' OR type = 'local')"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    if wal_level == "minimal":
        return "the primary has wal_level = minimal: set it to replica and restart it"
    if not allowed:
        return (
            "the primary's pg_hba.conf allows no replication connection from 127.0.0.1: add"
            " 'host replication all 127.0.0.1/32 trust' and reload it (as .ci/run does)"
        )
    if _binaries(int(version) // 10000) is None:
        return f"pg_basebackup and pg_ctl of PostgreSQL {int(version) // 10000} are not installed"
    return None


def _binaries(major: int) -> Path | None:
    for directory in (Path(f"/usr/lib/postgresql/{major}/bin"),):
        if (directory / "pg_ctl").exists() and (directory / "pg_basebackup").exists():
            return directory
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("pg_basebackup") else None


def _as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root: run it as the postgres user then.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Standby:
    """A hot standby streaming from the primary of `primary_url`."""

    primary_url: str
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="standby-")))
    port: int = 0
    _bin: Path = Path()
    _engine: Engine | None = None

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    def url(self, database: str | None = None) -> str:
        """`primary_url` (or another database of it) on the standby."""
        url = make_url(self.primary_url).set(host="127.0.0.1", port=self.port)
        if database:
            url = url.set(database=database)
        return url.render_as_string(hide_password=False)

    def start(self) -> None:
        primary = make_url(self.primary_url)
        engine = make_engine(self.primary_url)
        with engine.connect() as connection:
            version = int(connection.execute(text("SHOW server_version_num")).scalar_one())
        engine.dispose()
        binaries = _binaries(version // 10000)
        assert binaries is not None, "see replication_refusal"
        self._bin = binaries
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres", "postgres")
        self.workdir.chmod(0o700)
        subprocess.run(
            _as_postgres(
                [
                    str(self._bin / "pg_basebackup"),
                    f"--host={primary.host or '127.0.0.1'}",
                    f"--port={primary.port or 5432}",
                    f"--username={primary.username or 'postgres'}",
                    f"--pgdata={self.data_dir}",
                    "--write-recovery-conf",  # standby.signal and primary_conninfo
                    "--wal-method=stream",
                    "--checkpoint=fast",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
        )
        conf = Template((DEPLOY / "standby.conf").read_text()).substitute(
            listen_address="127.0.0.1", port=self.port
        ) + TEST_CONF.format(socket_dir=self.workdir)
        for name, content in (
            ("postgresql.conf", conf),
            ("pg_hba.conf", STANDBY_HBA),
        ):
            path = self.data_dir / name
            path.write_text(content)
            if os.geteuid() == 0:
                shutil.chown(path, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [
                    str(self._bin / "pg_ctl"),
                    "--pgdata",
                    str(self.data_dir),
                    "--log",
                    str(self.workdir / "standby.log"),
                    "--wait",
                    "--timeout=60",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        self._engine = make_engine(self.url(), isolation_level="AUTOCOMMIT")

    def stop(self) -> None:
        """Stop the standby (fast shutdown); it can be started again."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if (self.data_dir / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres(
                    [
                        str(self._bin / "pg_ctl"),
                        "--pgdata",
                        str(self.data_dir),
                        "--mode=fast",
                        "--wait",
                        "stop",
                    ]
                ),
                check=True,
                capture_output=True,
            )

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _run(self, sql: str) -> object:
        assert self._engine is not None, "the standby is not running"
        with self._engine.connect() as connection:
            return connection.execute(text(sql)).scalar()

    def pause_replay(self) -> None:
        """Keep receiving the primary's WAL but apply none of it: reads see the past."""
        self._run("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self._run("SELECT pg_wal_replay_resume()")

    def wait_until_caught_up(self, timeout: float = 30.0) -> None:
        """Return once the standby has replayed what the primary had written when called."""
        engine = make_engine(self.primary_url)
        with engine.connect() as connection:
            target = connection.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one()
        engine.dispose()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._run(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
                return
            time.sleep(0.1)
        raise RuntimeError(f"the standby did not replay up to {target} within {timeout:.0f} s")

    def log(self) -> str:
        path = self.workdir / "standby.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""
