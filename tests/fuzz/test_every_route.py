"""A fuzz run over every route of the app, once per role: public pages anonymously,
console pages with the role's session, the API with the role's token. Each route gets its
path ids mutated and query strings, form fields and JSON bodies made of hostile
values; no answer may be a 5xx. (The API is also fuzzed from its OpenAPI document
by schemathesis in tests/api/test_openapi_conformance.py.)

Run with `-s` to see the figures: requests sent and 5xx seen.
"""

from __future__ import annotations

import inspect
import json
import random
import re
from collections import Counter

import pytest
from flask_wtf import FlaskForm

from tests.console.world import bearer, fill_rule, sign_in_as
from traceapp.forms import accounts, batches, inspections, registry, reports, value_chain
from traceapp.models import User

SEED = 20261130
RANDOM_MIXES = 3
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Each role's handlers are reached only under its own session: the officer's, an
# operator's (Bao Hung, whose batch the paths name) and the inspector's. The public
# pages, the same for everyone, are fuzzed in the first role's run only.
ROLES = ("union_officer", "operator_own", "inspector")
# The user must stay signed in for the run; these end or change the user's own
# session or keys, and are fuzzed by their own tests.
SKIPPED_ENDPOINTS = {"console.sign_out", "console.keys_rotate"}
QUERY_NAMES = [
    "run", "batch_id", "run_id", "from", "to", "limit", "offset", "page", "status",
    "code", "lot_code", "lang", "next", "province", "district", "cooperative_id",
    "format", "preset", "start", "first", "last", "position", "q", "since", "kid",
]  # fmt: skip
HOSTILE = [
    "", "0", "-1", "1", "2147483647", "2147483648", "9" * 40, "1e309", "NaN", "1.5",
    "١٢", "²", "𝟙", "\x00", "%00", "a\x00b", "\ufeff", "\u202e", "🥚" * 50,
    "x" * 5000, "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd",
    "//evil.example/", "https://evil.example", "Cao Bằng", "2026-02-30", "9999-12-31",
    "0000-00-00", "true", "null", "[]", "{}", "%ED%A0%80", "\\ud800",
]  # fmt: skip
JSON_VALUES = [
    None, True, 0, -1, 2**31, 2**64, 1e308, 1.5, "", "x" * 5000, "١٢", "\x00", [], {},
    [[[[[]]]]], {"a": {"b": {"c": None}}},
]  # fmt: skip


def form_field_names() -> list[str]:
    names = set()
    for module in (accounts, batches, inspections, registry, reports, value_chain):
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, FlaskForm) and value is not FlaskForm:
                names |= {n for n, field in value.__dict__.items() if hasattr(field, "field_class")}
                names |= {n for n in dir(value) if n.endswith(("_id", "_date", "_at"))}
    return sorted(names)


def mutated_paths(rule, world, rng: random.Random) -> list[str]:
    base = fill_rule(rule, world)
    paths = [base]
    for _ in range(3):
        url = rule.rule
        for name in rule.arguments:
            value = rng.choice(HOSTILE[:8] + [str(world.batch_b.id), "x"])
            if "int:" in url.split(name)[0].rsplit("<", 1)[-1] and not value.isdigit():
                value = rng.choice(["0", "2147483648", "9" * 30])
            url = re.sub(
                rf"<(?:[a-z]+(?:\([^)]*\))?:)?{name}>", value.replace("/", "%2F") or "x", url
            )
        paths.append(url)
    return paths


def random_params(rng: random.Random, names: list[str]) -> dict[str, str]:
    return {
        name: rng.choice(HOSTILE) for name in rng.sample(names, rng.randint(1, min(6, len(names))))
    }


def random_json(rng: random.Random, names: list[str]) -> str:
    body = {name: rng.choice(JSON_VALUES) for name in rng.sample(names, rng.randint(0, 6))}
    return json.dumps(body)


def requests_for(rule, world, names, rng: random.Random):
    """(path, params) pairs for one route: every hostile value in every parameter at
    once (so each value reaches whichever parameter the route reads), then random mixes."""
    paths = mutated_paths(rule, world, rng)
    for i, value in enumerate(HOSTILE):
        yield paths[i % len(paths)], dict.fromkeys(names, value)
    for _ in range(RANDOM_MIXES):
        yield rng.choice(paths), random_params(rng, names)


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_fuzzing_every_route_finds_no_5xx(
    make_app, world, db_session, test_settings, session_factory, role
):
    # An app of its own: each request then has its own application context and
    # database session, as in production.
    app = make_app(
        test_settings, {"TESTING": True, "WTF_CSRF_ENABLED": False}, session_factory=session_factory
    )
    client = app.test_client()
    rng = random.Random(SEED)
    names = sorted(set(QUERY_NAMES) | set(form_field_names()))
    user = world.users[role]
    token = bearer(world, role)
    sent, failures, statuses = 0, [], Counter()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        if role != ROLES[0] and rule.rule.startswith(("/01/", "/p/", "/transparency", "/keys")):
            continue  # anonymous: the same for every role
        for method in sorted(set(rule.methods) & set(METHODS)):
            for n, (path, params) in enumerate(requests_for(rule, world, names, rng)):
                headers = dict(token) if path.startswith("/api/") else {}
                if not path.startswith(("/api/", "/01/", "/p/", "/transparency", "/keys")):
                    db_session.expire_all()
                    sign_in_as(client, db_session.get(User, user.id))
                if method == "GET":
                    response = client.get(path, query_string=params, headers=headers)
                elif path.startswith("/api/") and n % 2 == 0:
                    response = client.open(
                        path,
                        method=method,
                        data=random_json(rng, names),
                        content_type="application/json",
                        headers=headers,
                    )
                else:
                    response = client.open(path, method=method, data=params, headers=headers)
                sent += 1
                statuses[response.status_code] += 1
                if response.status_code >= 500:
                    failures.append((method, path, params, response.status_code))
                if n == 0 and response.status_code == 403:
                    break  # the role may not use the route (the authorization matrices' part)
    print(f"\n{role}: fuzzed {sent} requests over every route; {len(failures)} answered 5xx")
    print("statuses:", dict(sorted(statuses.items())))
    assert sent > 1000
    assert failures == [], failures[:10]
