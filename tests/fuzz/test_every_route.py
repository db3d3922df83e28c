"""A fuzz run over every route of the app, once per role (the Union officer, a
cooperative operator, an inspector): public pages anonymously, console pages with the
role's session, the API with the role's token. Each route gets its path ids mutated
and query strings, form fields, uploaded files and JSON bodies made of hostile values;
no answer may be a 5xx. Paths start from real identifiers (a product's GTIN, a
certified lot, an issued serial, a where-to-buy link) so that the hostile values reach
the rules behind them, and a form's select fields keep a valid choice while the other
fields are hostile, so a value gets past the select to the domain rule. A route that
answers the role 403 is left to the authorization matrices. (The API is also fuzzed
from its OpenAPI document by schemathesis in tests/api/test_openapi_conformance.py.)

Run with `-s` to see the figures: requests sent and 5xx seen.
"""

from __future__ import annotations

import importlib
import inspect
import io
import json
import pkgutil
import random
import re
from collections import Counter
from html import unescape
from types import ModuleType

import pytest
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import SelectField

import traceapp.forms
from tests.console.world import bearer, fill_rule, sign_in_as
from traceapp.domain.product_images import image_of
from traceapp.models import Label, User

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
    "linkType", "8030",
]  # fmt: skip
HOSTILE = [
    "", "0", "-1", "1", "2147483647", "2147483648", "9" * 40, "1e309", "NaN", "1.5",
    "١٢", "²", "𝟙", "\x00", "%00", "a\x00b", "\ufeff", "\u202e", "🥚" * 50,
    "x" * 5000, "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd",
    "//evil.example/", "https://evil.example", "Cao Bằng", "2026-02-30", "9999-12-31",
    "0000-00-00", "true", "null", "[]", "{}", "%ED%A0%80", "\\ud800",
    "http://[::1", "https://chợ.vn:port/", "https://💩.la/", "gs1:pip", "linkset",
    "https://gs1.org/voc/dpp", "gs1:defaultLink",
]  # fmt: skip
# What an uploaded file starts with: nothing, then the first bytes of a JPEG, a PNG, a
# GIF and a WebP, each followed by a hostile value (a truncated picture).
FILE_STARTS = [
    b"", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"GIF89a\xff\xff\xff\xff", b"RIFF\xff\xff\xff\xffWEBPVP8 ",
]  # fmt: skip
# A public path is fuzzed without a session.
PUBLIC_PATHS = (
    "/api/", "/01/", "/p/", "/transparency", "/keys", "/passport/", "/epcis/", "/media/",
    "/.well-known/",
)  # fmt: skip
JSON_VALUES = [
    None, True, 0, -1, 2**31, 2**64, 1e308, 1.5, "", "x" * 5000, "١٢", "\x00", [], {},
    [[[[[]]]]], {"a": {"b": {"c": None}}},
]  # fmt: skip


def form_modules() -> list[ModuleType]:
    """Every module of traceapp.forms: a form added later is fuzzed without a list here."""
    return [
        importlib.import_module(f"traceapp.forms.{info.name}")
        for info in pkgutil.iter_modules(traceapp.forms.__path__)
    ]


def form_fields() -> dict[str, object]:
    """Every field of every console form, by name, as declared (UnboundField)."""
    fields: dict[str, object] = {}
    for module in form_modules():
        for _name, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, FlaskForm) and form.__module__ == module.__name__:
                for name, field in vars(form).items():
                    if hasattr(field, "field_class"):
                        fields.setdefault(name, field)
    return fields


def form_field_names() -> list[str]:
    names = set(form_fields())
    for module in form_modules():
        for _name, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, FlaskForm):
                names |= {n for n in dir(form) if n.endswith(("_id", "_date", "_at"))}
    return sorted(names)


def select_choices() -> dict[str, list[str]]:
    """Each select field's valid values, where the form declares them (a field of the
    same name in several forms: all their values)."""
    found: dict[str, list[str]] = {}
    for module in form_modules():
        for _name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, FlaskForm):
                continue
            for name, field in vars(form).items():
                declared = getattr(field, "kwargs", {}).get("choices")
                if getattr(field, "field_class", None) is SelectField and declared:
                    values = [str(getattr(c, "value", None) or c[0]) for c in declared]
                    found[name] = list(dict.fromkeys([*found.get(name, []), *values]))
    return found


_SELECT = re.compile(r'<select[^>]*\bname="([^"]+)"[^>]*>(.*?)</select>', re.S)
_OPTION = re.compile(r'<option[^>]*\bvalue="([^"]*)"')


def offered_choices(html: str) -> dict[str, list[str]]:
    """The select fields of a form page and the values each offers (those filled in
    by the view too: the products, runs and partners a user may pick)."""
    return {
        name: [unescape(value) for value in _OPTION.findall(options)]
        for name, options in _SELECT.findall(html)
        if _OPTION.search(options)
    }


def file_fields() -> set[str]:
    return {
        name
        for name, field in form_fields().items()
        if issubclass(getattr(field, "field_class", object), FileField)
    }


def known_path_values(world, db_session) -> dict[str, object]:
    """Real identifiers for the path arguments that name them."""
    product = world.product_a
    image = image_of(db_session, product.id)
    serial = db_session.scalar(
        select(Label.serial).where(Label.run_id == world.run_a.id).order_by(Label.id)
    )
    values: dict[str, object] = {
        "product_id": product.id,
        "gtin": product.gtin,
        "lot": world.batch_a.lot_code,
        "serial": serial,
        "cooperative_id": world.coop_a.id,
        # Another user's account and token: the officer fuzzing stays signed in.
        "user_id": world.users["operator_other"].id,
        "token_id": world.token_ids["operator_other"],
    }
    if image is not None:
        values["name"] = image.digest[:16]
    if world.link_a is not None:
        values["link_id"] = world.link_a.id
    return values


def mutated_paths(rule, world, known, rng: random.Random) -> list[str]:
    base = fill_rule(rule, world, known)
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


def requests_for(rule, world, known, names, choices, rng: random.Random):
    """(path, params) pairs for one route: on the route's real path, every hostile
    value in every parameter at once with the select fields holding a valid choice (so
    each value reaches whichever parameter the route reads, past its select); on each
    mutated path, one hostile value everywhere, selects included; then random mixes."""
    base, *mutated = mutated_paths(rule, world, known, rng)
    for i, value in enumerate(HOSTILE):
        params = dict.fromkeys(names, value)
        params |= {name: valid[i % len(valid)] for name, valid in choices.items()}
        yield base, params
    for path in mutated:
        yield path, dict.fromkeys(names, rng.choice(HOSTILE))
    for _ in range(RANDOM_MIXES):
        yield rng.choice([base, *mutated]), random_params(rng, names)


def with_files(params: dict[str, str], files: set[str], n: int) -> dict[str, object]:
    """`params` with each file field's value sent as an uploaded file."""
    start = FILE_STARTS[n % len(FILE_STARTS)]
    return {
        name: (
            (io.BytesIO(start + value.encode("utf-8", "surrogatepass")), "photo.jpg")
            if name in files
            else value
        )
        for name, value in params.items()
    }


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
    choices, files = select_choices(), file_fields()
    known = known_path_values(world, db_session)
    user = world.users[role]
    token = bearer(world, role)
    sent, failures, statuses = 0, [], Counter()
    # Deleting routes last: the others still find what they edit.
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: ("delete" in r.rule, r.rule)):
        if rule.endpoint == "static" or rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        if (
            role != ROLES[0]
            and rule.rule.startswith(PUBLIC_PATHS)
            and not rule.rule.startswith("/api/")
        ):
            continue  # anonymous: the same for every role
        route_choices = dict(choices)
        if "GET" in rule.methods and not rule.rule.startswith(PUBLIC_PATHS):
            # The route's own form, as its page offers it to the role.
            db_session.expire_all()
            sign_in_as(client, db_session.get(User, user.id))
            page = client.get(fill_rule(rule, world, known))
            sent += 1
            statuses[page.status_code] += 1
            if page.status_code >= 500:
                failures.append(("GET", rule.rule, {}, page.status_code))
            if page.status_code == 403:
                continue  # the role may not use the route (the authorization matrices' part)
            if page.mimetype == "text/html":
                route_choices |= offered_choices(page.get_data(as_text=True))
        for method in sorted(set(rule.methods) & set(METHODS)):
            for n, (path, params) in enumerate(
                requests_for(rule, world, known, names, route_choices, rng)
            ):
                headers = dict(token) if path.startswith("/api/") else {}
                if not path.startswith(PUBLIC_PATHS):
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
                    response = client.open(
                        path, method=method, data=with_files(params, files, n), headers=headers
                    )
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
