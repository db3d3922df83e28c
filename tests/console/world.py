"""A small realistic world for console and API tests: the Cao Bang Union, two
cooperatives with a certified batch each, one user per role, API tokens, and a
run of signed labels."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from tests.factories import Factory
from traceapp.config import Settings
from traceapp.domain.accounts import create_token
from traceapp.domain.issuance import issue_labels
from traceapp.domain.print_jobs import PrintRequest, request_print
from traceapp.domain.signing_keys import active_signer
from traceapp.domain.where_to_buy import WhereToBuyDetails, add_link
from traceapp.models import (
    AuditEntry,
    Batch,
    ChainEvent,
    ChainEventBatch,
    Cooperative,
    Inspection,
    IssuanceRun,
    PrintJob,
    Product,
    Union,
    User,
    WhereToBuyKind,
    WhereToBuyLink,
)

PASSWORD = "mat-khau-thu-nghiem"
ROLES = ("anonymous", "union_officer", "operator_own", "operator_other", "inspector")


@cache
def password_hash() -> str:
    # Hashed once per test session: Argon2id is slow on purpose.
    return PasswordHasher().hash(PASSWORD)


@dataclass
class World:
    union: Union
    coop_a: Cooperative
    coop_b: Cooperative
    product_a: Product
    batch_a: Batch
    draft_a: Batch
    batch_b: Batch
    run_a: IssuanceRun
    users: dict[str, User]
    tokens: dict[str, str]
    token_ids: dict[str, int]
    # Where to buy Bao Hung's product (the passport's console pages).
    link_a: WhereToBuyLink | None = None
    draft_b: Batch | None = None
    # A queued print job of run_a (no worker runs in these tests).
    job_a: PrintJob | None = None


def build_world(session: Session, settings: Settings, run_size: int = 3) -> World:
    factory = Factory(session)
    union = Union(
        code=settings.issuer, name="Liên minh Hợp tác xã tỉnh Cao Bằng", province="Cao Bằng"
    )
    session.add(union)
    session.flush()
    coop_a = factory.cooperative(union, name="Hợp tác xã Bảo Hưng")
    coop_b = factory.cooperative(union, name="Hợp tác xã Nam Phong")
    product_a = factory.product(coop_a)
    batch_a = factory.batch(product_a, quantity=100, certified=True)
    draft_a = factory.batch(product_a, quantity=50)
    product_b = factory.product(coop_b)
    batch_b = factory.batch(product_b, quantity=100, certified=True)
    draft_b = factory.batch(product_b, quantity=900)
    run_a = issue_labels(session, batch_a.id, run_size, active_signer(settings), "test")
    users = {
        "union_officer": _user(
            session, "can.bo@lienminh-caobang.vn", "Trần Anh Dũng", "union_officer"
        ),
        "operator_own": _user(
            session, "van.hanh@baohung.vn", "Nông Văn Hưng", "cooperative_operator", coop_a
        ),
        "operator_other": _user(
            session, "van.hanh@namphong.vn", "Hoàng Thị Phương", "cooperative_operator", coop_b
        ),
        "inspector": _user(session, "thanh.tra@caobang.gov.vn", "Lục Văn Kiên", "inspector"),
    }
    made = {role: create_token(session, user, "tests", "test") for role, user in users.items()}
    link_a = add_link(
        session,
        product_a,
        WhereToBuyDetails(
            WhereToBuyKind.ONLINE_MARKET,
            "Chợ online Cao Bằng",
            url="https://chocaobang.vn/bao-hung",
            languages=("vi",),
        ),
        "test",
    )
    session.flush()
    return World(
        union,
        coop_a,
        coop_b,
        product_a,
        batch_a,
        draft_a,
        batch_b,
        run_a,
        users,
        tokens={role: secret for role, (_token, secret) in made.items()},
        token_ids={role: token.id for role, (token, _secret) in made.items()},
        link_a=link_a,
        draft_b=draft_b,
        job_a=request_print(session, run_a.id, PrintRequest(), "test"),
    )


def _user(
    session: Session, email: str, name: str, role: str, cooperative: Cooperative | None = None
) -> User:
    user = User(
        email=email,
        name=name,
        password_hash=password_hash(),
        role=role,
        cooperative_id=cooperative.id if cooperative else None,
    )
    session.add(user)
    session.flush()
    return user


def sign_in_as(client, user: User | None) -> None:
    """Put a signed-in Flask-Login session on the test client (no password round trip)."""
    if user is None:
        return
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}.{user.session_generation}"
        session["_fresh"] = True


def bearer(world: World, role: str) -> dict[str, str]:
    token = world.tokens.get(role)
    return {"Authorization": f"Bearer {token}"} if token else {}


def fill_rule(rule, world: World, known: dict[str, object] | None = None) -> str:
    """The rule's URL with Bao Hung's batch and run, the `known` values given, and 1
    or 'x' for anything else."""
    values: dict[str, object] = {"batch_id": world.batch_a.id, "run_id": world.run_a.id}
    if world.job_a is not None:
        values["job_id"] = world.job_a.id
    values |= known or {}
    url = rule.rule
    for name in rule.arguments:
        default = 1 if name.endswith("_id") or name == "number" else "x"
        url = re.sub(rf"<(?:[a-z]+(?:\([^)]*\))?:)?{name}>", str(values.get(name, default)), url)
    return url


@dataclass(frozen=True)
class RouteCase:
    """One row of a role matrix: a route, and the status each of ROLES gets from it."""

    endpoint: str
    method: str
    url: Callable[[World], str]
    expected: tuple[int, ...]
    payload: dict | None = None


def role_matrix(cases: list[RouteCase]) -> list:
    """pytest params (case, role, expected status), one per role per case."""
    return [
        pytest.param(case, role, status, id=f"{case.endpoint}-{role}")
        for case in cases
        for role, status in zip(ROLES, case.expected, strict=True)
    ]


# --- ids named in bodies and query strings ---------------------------------------------

# What a field names, seen from the role sending the request: a batch of the caller's
# own cooperative, another cooperative's certified batch and draft. Each is compared
# with an id no batch has. Officers and inspectors see every batch; an operator only
# their own cooperative's.
TARGETS = ("own", "foreign", "foreign_draft")
MISSING_ID = 2**31 - 1


def path_batch(world: World, role: str) -> Batch:
    """The batch a role's request writes to: a draft of its own cooperative."""
    return world.draft_b if role == "operator_other" else world.draft_a


def named_batch(world: World, role: str, target: str) -> Batch | None:
    """The batch a field names (None: an id no batch has)."""
    if target == "missing":
        return None
    mine, theirs = (world.batch_a, (world.batch_b, world.draft_b))
    if role == "operator_other":
        mine, theirs = (world.batch_b, (world.batch_a, world.draft_a))
    return {"own": mine, "foreign": theirs[0], "foreign_draft": theirs[1]}[target]


def may_see(role: str, target: str) -> bool:
    """The visibility rule the app must apply to every id, written out for the tests."""
    return role in ("union_officer", "inspector") or target == "own"


@dataclass(frozen=True)
class IdFieldCase:
    """A request naming a batch (or its product) in its body or query string.

    `url(world, role, batch)` and `payload(world, role, batch)` get the batch the field
    names, or None for an id no batch has; `expected` is the status each of ROLES gets
    when the field names a batch that role may see. A batch the role may not see must
    be answered exactly like an id no batch has.
    """

    name: str
    method: str
    url: Callable[[World, str, Batch | None], str]
    expected: tuple[int, ...]
    payload: Callable[[World, str, Batch | None], dict] | None = None


def id_field_matrix(cases: list[IdFieldCase]) -> list:
    """pytest params (case, role, target, expected): one per role per target per case."""
    return [
        pytest.param(case, role, target, status, id=f"{case.name}-{role}-{target}")
        for case in cases
        for role, status in zip(ROLES, case.expected, strict=True)
        for target in TARGETS
    ]


def batch_id_or_missing(batch: Batch | None) -> int:
    return batch.id if batch is not None else MISSING_ID


def product_id_or_missing(batch: Batch | None) -> int:
    return batch.product_id if batch is not None else MISSING_ID


def cooperative_id_or_missing(batch: Batch | None) -> int:
    return batch.cooperative_id if batch is not None else MISSING_ID


def stored_state(connection: Connection) -> dict[str, int]:
    """How many rows the tables a request naming a batch could write to hold.

    Read on the test's connection, outside any session, so no savepoint is left open.
    """
    return {
        model.__tablename__: connection.scalar(select(func.count()).select_from(model))
        for model in (AuditEntry, Batch, ChainEvent, ChainEventBatch, Inspection)
    }


def answers_alike(refused, batch: Batch | None, missing) -> bool:
    """True when two answers differ at most where each names the id its request named.

    The bodies are compared number by number: every number must be the same in both,
    except where the refused answer has an id of `batch` and the other MISSING_ID.
    """
    named = {str(n) for n in (batch.id, batch.product_id, batch.cooperative_id)} if batch else set()
    if refused.status_code != missing.status_code:
        return False
    first = re.split(r"(\d+)", refused.get_data(as_text=True))
    second = re.split(r"(\d+)", missing.get_data(as_text=True))
    return len(first) == len(second) and all(
        a == b or (index % 2 == 1 and a in named and b == str(MISSING_ID))
        for index, (a, b) in enumerate(zip(first, second, strict=True))
    )
