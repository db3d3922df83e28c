"""Union officers register cooperatives and their products."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext

from traceapp.domain.listings import get_cooperative, list_cooperatives, products_of
from traceapp.domain.registry import (
    CooperativeDetails,
    ProductDetails,
    get_union,
    register_cooperative,
    register_product,
)
from traceapp.forms.registry import CooperativeForm, ProductForm
from traceapp.web.auth import actor_name, roles_required
from traceapp.web.console.base import OFFICER, blueprint
from traceapp.web.console.form_errors import form_status, refused
from traceapp.web.request_session import db, settings


@blueprint.get("/cooperatives")
@roles_required(OFFICER)
def cooperatives():
    return render_template("console/cooperatives.html", cooperatives=list_cooperatives(db()))


@blueprint.route("/cooperatives/new", methods=["GET", "POST"])
@roles_required(OFFICER)
def cooperative_new():
    form = CooperativeForm()
    if form.validate_on_submit():
        # Blank optional fields are None; the required ones the form has checked.
        typed: dict[str, Any] = {
            name: (form[name].data or "").strip() or None
            for name in CooperativeDetails.__dataclass_fields__
        }
        details = CooperativeDetails(**typed)
        with refused(form):
            cooperative = register_cooperative(
                db(), get_union(db(), settings().issuer), details, actor_name()
            )
            db().commit()
            flash(gettext("Cooperative %(name)s is registered.", name=cooperative.name))
            return redirect(url_for("console.cooperative", cooperative_id=cooperative.id))
    return render_template(
        "console/form.html",
        form=form,
        title=gettext("Register a cooperative"),
        submit=gettext("Register the cooperative"),
        action=url_for("console.cooperative_new"),
    ), form_status(form)


@blueprint.get("/cooperatives/<int:cooperative_id>")
@roles_required(OFFICER)
def cooperative(cooperative_id: int):
    found = get_cooperative(db(), cooperative_id)
    return render_template(
        "console/cooperative.html", cooperative=found, products=products_of(db(), found.id)
    )


@blueprint.route("/cooperatives/<int:cooperative_id>/products/new", methods=["GET", "POST"])
@roles_required(OFFICER)
def product_new(cooperative_id: int):
    found = get_cooperative(db(), cooperative_id)
    form = ProductForm()
    if form.validate_on_submit():
        with refused(form):
            product = register_product(
                db(),
                found,
                ProductDetails(
                    name=form.name.data.strip(),
                    category=form.category.data,
                    unit=form.unit.data.strip(),
                    ref=form.ref.data.strip(),
                    gtin=(form.gtin.data or "").strip() or None,
                ),
                actor_name(),
            )
            db().commit()
            flash(gettext("Product %(name)s is registered.", name=product.name))
            return redirect(url_for("console.cooperative", cooperative_id=found.id))
    return render_template(
        "console/form.html",
        form=form,
        title=gettext("Register a product of %(name)s", name=found.name),
        submit=gettext("Register the product"),
        action=url_for("console.product_new", cooperative_id=found.id),
    ), form_status(form)
