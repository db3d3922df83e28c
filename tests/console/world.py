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
from sqlalchemy.orm import Session

from tests.factories import Factory
from traceapp.config import Settings
from traceapp.domain.accounts import create_token
from traceapp.domain.issuance import issue_labels
from traceapp.domain.signing_keys import active_signer
from traceapp.models import Batch, Cooperative, IssuanceRun, Product, Union, User

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
    batch_b = factory.batch(factory.product(coop_b), quantity=100, certified=True)
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
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def bearer(world: World, role: str) -> dict[str, str]:
    token = world.tokens.get(role)
    return {"Authorization": f"Bearer {token}"} if token else {}


def fill_rule(rule, world: World) -> str:
    """The rule's URL with Bao Hung's batch and run, and 1 or 'x' for anything else."""
    values = {"batch_id": world.batch_a.id, "run_id": world.run_a.id}
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(
            rf"<(?:[a-z]+(?:\([^)]*\))?:)?{name}>",
            str(values.get(name, 1) if name.endswith("_id") or name == "number" else "x"),
            url,
        )
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
