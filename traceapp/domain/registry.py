"""Registering the Union's cooperatives and their products."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from keys.fields import InvalidField, check_product_ref
from keys.gtin import InvalidGTIN, normalize_gtin
from traceapp.domain import audit_log
from traceapp.errors import Conflict, InvalidInput, NotFound, one_of
from traceapp.models import Cooperative, Product, ProductCategory, Union


@dataclass(frozen=True)
class CooperativeDetails:
    name: str
    commune: str
    province: str
    registration_number: str
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None


@dataclass(frozen=True)
class ProductDetails:
    name: str
    category: str
    unit: str
    ref: str
    gtin: str | None = None


def register_cooperative(
    session: Session, union: Union, details: CooperativeDetails, actor: str
) -> Cooperative:
    _require_text(details.name, "name")
    _require_text(details.registration_number, "registration_number")
    existing = session.scalar(
        select(Cooperative).where(Cooperative.registration_number == details.registration_number)
    )
    if existing is not None:
        raise Conflict(
            f"registration number {details.registration_number!r} is already used "
            f"by {existing.name}",
            field="registration_number",
        )
    cooperative = Cooperative(union=union, **details.__dict__)
    session.add(cooperative)
    session.flush()
    audit_log.record(
        session,
        actor,
        "cooperative.registered",
        "cooperative",
        cooperative.id,
        {"name": cooperative.name, "registration_number": cooperative.registration_number},
    )
    return cooperative


def register_product(
    session: Session, cooperative: Cooperative, details: ProductDetails, actor: str
) -> Product:
    _require_text(details.name, "name")
    one_of(ProductCategory, details.category, "category")
    try:
        check_product_ref(details.ref)
    except InvalidField as exc:
        raise InvalidInput(str(exc), field="ref") from exc
    gtin = None
    if details.gtin:
        try:
            gtin = normalize_gtin(details.gtin)
        except InvalidGTIN as exc:
            raise InvalidInput(str(exc), field="gtin") from exc
        if session.scalar(select(Product.id).where(Product.gtin == gtin)) is not None:
            raise Conflict(f"GTIN {gtin} is already registered", field="gtin")
    if session.scalar(select(Product.id).where(Product.ref == details.ref)) is not None:
        raise Conflict(f"product reference {details.ref!r} is already used", field="ref")
    product = Product(
        cooperative=cooperative,
        name=details.name,
        category=details.category,
        unit=details.unit,
        ref=details.ref,
        gtin=gtin,
    )
    session.add(product)
    session.flush()
    audit_log.record(
        session,
        actor,
        "product.registered",
        "product",
        product.id,
        {"name": product.name, "gtin": gtin, "ref": product.ref},
    )
    return product


def get_union(session: Session, code: str) -> Union:
    union = session.scalar(select(Union).where(Union.code == code))
    if union is None:
        raise NotFound(f"no union with code {code!r}")
    return union


def _require_text(value: str | None, field: str) -> None:
    if not value or not value.strip():
        raise InvalidInput(f"{field} must not be empty", field=field)
