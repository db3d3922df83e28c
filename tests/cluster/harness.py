"""A production layout on loopback: PgBouncer (transaction mode) in front of the
local PostgreSQL, gunicorn app nodes configured by traceapp/deploy/gunicorn.py,
and HAProxy with the health checks and retries of docs/deploy/haproxy.cfg.

Used by tests/cluster/ and benchmarks/bench_cluster.py. Every process is started
here and stopped by `Cluster.stop`; nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, timeout: float = 30.0) -> None:
    """Return once `url` answers 200, or raise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s")


def missing_tools() -> list[str]:
    return [tool for tool in ("haproxy", "pgbouncer") if shutil.which(tool) is None]


@dataclass
class Node:
    """One gunicorn master and its workers."""

    name: str
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    """App nodes behind HAProxy, on PostgreSQL through PgBouncer, sharing Redis."""

    database_url: str
    redis_url: str
    workers: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cluster-")))
    nodes: list[Node] = field(default_factory=list)
    _pgbouncer: subprocess.Popen[bytes] | None = None
    _haproxy: subprocess.Popen[bytes] | None = None
    pgbouncer_port: int = 0
    balancer_port: int = 0

    @property
    def url(self) -> str:
        """The load balancer: what phones reach."""
        return f"http://127.0.0.1:{self.balancer_port}"

    @property
    def pooled_database_url(self) -> str:
        url = make_url(self.database_url)
        return url.set(
            host="127.0.0.1", port=self.pgbouncer_port, database="traceapp"
        ).render_as_string(hide_password=False)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "TRACEAPP_ENV": "production",
            "TRACEAPP_SECRET_KEY": "cluster-secret-key-for-tests-only",
            "TRACEAPP_KEY_PASSPHRASE": "cluster-passphrase-for-tests-only",
            "TRACEAPP_PUBLIC_BASE_URL": "https://trace.example.vn",
            "TRACEAPP_INSTANCE_DIR": str(self.workdir / "instance"),
            "TRACEAPP_DATABASE_URL": self.pooled_database_url,
            "TRACEAPP_DATABASE_POOLER": "transaction",
            "TRACEAPP_REDIS_URL": self.redis_url,
            "TRACEAPP_PROXY_HOPS": "1",
            "TRACEAPP_WORKERS": str(self.workers),
            **self.extra_env,
        }

    def start(self, node_count: int = 2) -> None:
        self._start_pgbouncer()
        self.nodes = [Node(f"node_{'ab'[i]}", free_port()) for i in range(node_count)]
        for node in self.nodes:
            self.start_node(node)
        self._start_haproxy()

    def start_node(self, node: Node) -> None:
        env = {**self.env(), "TRACEAPP_BIND": f"127.0.0.1:{node.port}"}
        log = (self.workdir / f"{node.name}.log").open("ab")
        node.process = subprocess.Popen(
            [GUNICORN, "-c", "python:traceapp.deploy.gunicorn", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(node.url + "/healthz", timeout=90.0)  # a busy 2-core machine starts slowly

    def stop_node(self, node: Node, timeout: float = 40.0) -> int:
        """SIGTERM to the master, as systemd sends it; its exit status."""
        assert node.process is not None
        node.process.send_signal(signal.SIGTERM)
        return node.process.wait(timeout=timeout)

    def restart_node(self, node: Node) -> None:
        self.stop_node(node)
        self.start_node(node)
        # Back in the rotation once HAProxy's check has passed twice (rise 2, inter 500ms).
        time.sleep(2.5)

    def _start_pgbouncer(self) -> None:
        database = make_url(self.database_url)
        self.pgbouncer_port = free_port()
        self.workdir.chmod(0o777)  # PgBouncer runs as postgres: it writes its log here
        config = Template((DEPLOY / "pgbouncer.ini").read_text()).substitute(
            db_host=database.host or "127.0.0.1",
            db_port=database.port or 5432,
            db_name=database.database,
            db_user=database.username or "postgres",
            listen_port=self.pgbouncer_port,
            auth_type="any",
            auth_file=self.workdir / "users.txt",
            logfile=self.workdir / "pgbouncer.log",
            pidfile=self.workdir / "pgbouncer.pid",
        )
        (self.workdir / "users.txt").write_text("")
        ini = self.workdir / "pgbouncer.ini"
        ini.write_text(config)
        command = ["pgbouncer", str(ini)]
        if os.geteuid() == 0:
            command[1:1] = ["-u", "postgres"]  # PgBouncer refuses to run as root
        self._pgbouncer = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )  # it writes its own log file
        self._wait_for_port(self.pgbouncer_port)

    def _start_haproxy(self) -> None:
        self.balancer_port = free_port()
        env = {
            **os.environ,
            "TRACEAPP_LB_BIND": f"127.0.0.1:{self.balancer_port}",
            "TRACEAPP_NODE_A": f"127.0.0.1:{self.nodes[0].port}",
            "TRACEAPP_NODE_B": f"127.0.0.1:{self.nodes[-1].port}",
        }
        log = (self.workdir / "haproxy.log").open("ab")
        self._haproxy = subprocess.Popen(
            ["haproxy", "-db", "-f", str(DEPLOY / "haproxy.cfg")],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self.url + "/healthz")
        time.sleep(1.0)  # both servers seen up by the health checks

    @staticmethod
    def _wait_for_port(port: int, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")

    def stop(self) -> None:
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                self.stop_node(node)
        for process in (self._haproxy, self._pgbouncer):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=15)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def logs(self) -> str:
        """Every log the cluster wrote, for a failing test's report."""
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}"
            for path in sorted(self.workdir.glob("*.log"))
        )


def stored_scans(database_url: str) -> int:
    from traceapp.db import make_engine

    engine = make_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM scans")).scalar_one()
    engine.dispose()
    return int(count)
