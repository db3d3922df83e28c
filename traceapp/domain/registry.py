"""Registering the Union's cooperatives and their products."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keys.fields import PRODUCT_REF_MAX_LENGTH, InvalidField, check_product_ref
from keys.gtin import InvalidGTIN, normalize_gtin
from traceapp.domain import audit_log
from traceapp.domain.resolver import gtin_refusal
from traceapp.errors import Conflict, InvalidInput, NotFound, one_of
from traceapp.models import Batch, Cooperative, Label, Product, ProductCategory, Union


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
    safety_warnings: str | None = None


@dataclass(frozen=True)
class ProductPassportDetails:
    """What the console's product page changes: the passport's product fields."""

    safety_warnings: str | None
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
            "registration number %(number)s is already used by %(cooperative)s",
            field="registration_number",
            number=details.registration_number,
            cooperative=existing.name,
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
        raise InvalidInput(
            "product reference %(ref)s must be 1 to %(most)s characters from A-Z a-z 0-9 . _ - "
            "and not '.' or '..'",
            field="ref",
            ref=repr(str(details.ref)[:40]),
            most=PRODUCT_REF_MAX_LENGTH,
        ) from exc
    gtin = _new_gtin(session, details.gtin) if details.gtin else None
    if session.scalar(select(Product.id).where(Product.ref == details.ref)) is not None:
        raise Conflict("product reference %(ref)s is already used", field="ref", ref=details.ref)
    product = Product(
        cooperative=cooperative,
        name=details.name,
        category=details.category,
        unit=details.unit,
        ref=details.ref,
        gtin=gtin,
        safety_warnings=(details.safety_warnings or "").strip() or None,
    )
    session.add(product)
    session.flush()
    audit_log.record(
        session,
        actor,
        "product.registered",
        "product",
        product.id,
        {
            "name": product.name,
            "gtin": gtin,
            "ref": product.ref,
            "safety_warnings": product.safety_warnings,
        },
    )
    return product


def get_product(session: Session, product_id: int, cooperative_id: int | None = None) -> Product:
    """The product, or NotFound; an operator only ever finds their cooperative's products."""
    product = session.get(Product, product_id)
    if product is None or (cooperative_id is not None and product.cooperative_id != cooperative_id):
        raise NotFound("no product %(id)s", field="product_id", id=str(product_id))
    return product


def update_product_passport(
    session: Session, product: Product, details: ProductPassportDetails, actor: str
) -> Product:
    """Change a product's safety warnings, and give it a GTIN if it has none yet.

    A GTIN is never changed once set, nor added once labels were issued under the
    product reference: printed codes would stop matching their product.
    """
    changes: dict[str, object] = {}
    warnings = (details.safety_warnings or "").strip() or None
    if warnings != product.safety_warnings:
        product.safety_warnings = warnings
        changes["safety_warnings"] = warnings
    new_gtin = (details.gtin or "").strip()
    if new_gtin and (product.gtin is None or normalize_gtin_or_refuse(new_gtin) != product.gtin):
        if product.gtin is not None:
            raise Conflict("a product's GTIN cannot change once set", field="gtin")
        issued = session.scalar(
            select(func.count(Label.id))
            .join(Batch, Batch.id == Label.batch_id)
            .where(Batch.product_id == product.id)
        )
        if issued:
            raise Conflict(
                "labels were already issued under the product reference; register a new "
                "product for the GTIN",
                field="gtin",
            )
        product.gtin = _new_gtin(session, new_gtin)
        changes["gtin"] = product.gtin
    if changes:
        session.flush()
        audit_log.record(session, actor, "product.changed", "product", product.id, changes)
    return product


def normalize_gtin_or_refuse(text: str) -> str:
    try:
        return normalize_gtin(text)
    except InvalidGTIN as exc:
        raise gtin_refusal(text, InvalidInput) from exc


def _new_gtin(session: Session, text: str) -> str:
    gtin = normalize_gtin_or_refuse(text)
    if session.scalar(select(Product.id).where(Product.gtin == gtin)) is not None:
        raise Conflict("GTIN %(gtin)s is already registered", field="gtin", gtin=gtin)
    return gtin


def get_union(session: Session, code: str) -> Union:
    union = session.scalar(select(Union).where(Union.code == code))
    if union is None:
        raise NotFound("no union with code %(code)s", code=code)
    return union


def _require_text(value: str | None, field: str) -> None:
    if not value or not value.strip():
        raise InvalidInput("fill in this field", field=field)
