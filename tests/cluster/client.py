"""What the cluster tests do as a phone, a browser or an operator would: issue codes,
GET and POST over HTTP, sign in, read a verdict or the dashboard's figures."""

from __future__ import annotations

import http.client
import re
from urllib.parse import urlencode

from tests.cluster.harness import Cluster
from traceapp import schema
from traceapp.config import Settings
from traceapp.db import make_engine, make_sessionmaker, unit_of_work
from traceapp.demo.data import DEMO_PASSWORD, load_demo_data
from traceapp.domain.issuance import issue_labels
from traceapp.domain.printing import get_run, run_labels
from traceapp.domain.signing_keys import active_signer, key_store

LABELS = 40


def issue_codes(cluster: Cluster, count: int = LABELS, note: str = "cluster test") -> list[str]:
    """Demo data, a signing key in the nodes' shared instance directory, and the
    paths of `count` issued codes (migrations and writes go to PostgreSQL directly).
    benchmarks/bench_cluster.py issues its codes with it too."""
    schema.upgrade(cluster.database_url)
    settings = Settings.from_env(cluster.env())
    key_store(settings).generate()
    factory = make_sessionmaker(make_engine(cluster.database_url))
    with unit_of_work(factory) as session:
        summary = load_demo_data(session)
        run = issue_labels(session, summary.bao_hung_batch_id, count, active_signer(settings), note)
        run_id = run.id
    with unit_of_work(factory) as session:
        base = settings.public_base_url
        return [
            label.code[len(base) :] for label in run_labels(session, get_run(session, run_id), base)
        ]


def get(url: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, str, dict]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("GET", path, headers={"Accept-Language": "vi", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read().decode(), dict(response.getheaders())
    finally:
        connection.close()


def post(url: str, path: str, form: dict[str, str], headers: dict[str, str]) -> tuple[int, dict]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(
            "POST",
            path,
            body=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        )
        response = connection.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        connection.close()


def sign_in(url: str, email: str, headers: dict[str, str]) -> str:
    status, body, response_headers = get(url, "/console/sign-in", headers)
    assert status == 200
    cookie = response_headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
    assert token is not None
    status, response_headers = post(
        url,
        "/console/sign-in",
        {"email": email, "password": DEMO_PASSWORD, "csrf_token": token[1]},
        {**headers, "Cookie": cookie},
    )
    assert status == 302, status
    return response_headers["Set-Cookie"].split(";", 1)[0]


def post_sign_in(url: str, email: str, password: str, headers: dict[str, str]) -> int:
    status, body, response_headers = get(url, "/console/sign-in", headers)
    if status == 429:
        return status
    cookie = response_headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
    status, _ = post(
        url,
        "/console/sign-in",
        {"email": email, "password": password, "csrf_token": token[1] if token else ""},
        {**headers, "Cookie": cookie},
    )
    return status


def verdict(url: str, path: str) -> str:
    status, body, _ = get(url, path)
    found = re.search(r'data-verdict="([a-z_]+)"', body)
    assert status == 200 and found, (status, body[:500])
    return found[1]


def dashboard(url: str, headers: dict[str, str]) -> tuple[int, str]:
    """The dashboard's scan count, and where it was read (replica or primary)."""
    status, body, _ = get(url, "/console/", headers)
    assert status == 200, status
    scans = re.search(r'id="fig-scans">([0-9.]+)<', body)
    source = re.search(r'data-source="([a-z]+)"', body)
    assert scans and source, body[:2000]
    return int(scans[1].replace(".", "")), source[1]


def lag_seconds(page: str) -> float:
    found = re.search(r'data-lag-seconds="([0-9.]+)"', page)
    assert found, page[:2000]
    return float(found[1])
