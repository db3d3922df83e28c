"""A product's digital passport fields, its photo and where to buy it; a draft batch's
expiry date. Union officers manage every product, operators their cooperative's."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from traceapp.clock import today_local
from traceapp.domain.batches import get_batch, set_best_before
from traceapp.domain.listings import products_of
from traceapp.domain.passport import missing_passport_fields
from traceapp.domain.product_images import image_of, product_image_path, store_product_image
from traceapp.domain.registry import ProductPassportDetails, get_product, update_product_passport
from traceapp.domain.where_to_buy import (
    WhereToBuyDetails,
    add_link,
    change_link,
    get_link,
    links_of,
    parse_languages,
    remove_link,
)
from traceapp.forms.passport import (
    BestBeforeForm,
    ProductImageForm,
    ProductPassportForm,
    WhereToBuyForm,
)
from traceapp.web.auth import actor_name, cooperative_scope, roles_required
from traceapp.web.console.base import OFFICER, OPERATOR, blueprint
from traceapp.web.console.form_errors import form_status, refused
from traceapp.web.public.passport_wording import (
    PASSPORT_FIELD_NAMES,
    WHERE_TO_BUY_KIND_NAMES,
    language_names,
)
from traceapp.web.request_session import db


@blueprint.get("/products")
@roles_required(OPERATOR)
def products():
    scope = cooperative_scope()
    assert scope is not None  # operators always have a cooperative
    return render_template("console/products.html", products=products_of(db(), scope))


@blueprint.get("/products/<int:product_id>")
@roles_required(OFFICER, OPERATOR)
def product(product_id: int):
    found = get_product(db(), product_id, cooperative_scope())
    form = ProductPassportForm(obj=found, formdata=None)
    form.gtin.data = found.gtin or ""
    return _product_page(found, form, ProductImageForm(), 200)


@blueprint.post("/products/<int:product_id>/passport")
@roles_required(OFFICER, OPERATOR)
def product_passport(product_id: int):
    found = get_product(db(), product_id, cooperative_scope())
    form = ProductPassportForm()
    if form.validate_on_submit():
        with refused(form):
            update_product_passport(
                db(),
                found,
                ProductPassportDetails(form.safety_warnings.data, form.gtin.data or None),
                actor_name(),
            )
            db().commit()
            return redirect(url_for("console.product", product_id=found.id))
    return _product_page(found, form, ProductImageForm(), form_status(form))


@blueprint.post("/products/<int:product_id>/image")
@roles_required(OFFICER, OPERATOR)
def product_image_upload(product_id: int):
    found = get_product(db(), product_id, cooperative_scope())
    form = ProductImageForm()
    if form.validate_on_submit():
        with refused(form):
            store_product_image(db(), found, form.image.data.read(), actor_name())
            db().commit()
            return redirect(url_for("console.product", product_id=found.id))
    passport_form = ProductPassportForm(obj=found, formdata=None)
    return _product_page(found, passport_form, form, form_status(form))


@blueprint.route("/products/<int:product_id>/where-to-buy/new", methods=["GET", "POST"])
@roles_required(OFFICER, OPERATOR)
def where_to_buy_new(product_id: int):
    found = get_product(db(), product_id, cooperative_scope())
    form = WhereToBuyForm()
    if request.method == "GET":
        form.languages.data = "vi"
    if form.validate_on_submit():
        with refused(form):
            add_link(db(), found, _details(form), actor_name())
            db().commit()
            return redirect(url_for("console.product", product_id=found.id))
    return render_template(
        "console/form.html",
        form=form,
        title=_("Where to buy %(product)s", product=found.name),
        action=url_for("console.where_to_buy_new", product_id=found.id),
    ), form_status(form)


@blueprint.route("/where-to-buy/<int:link_id>/edit", methods=["GET", "POST"])
@roles_required(OFFICER, OPERATOR)
def where_to_buy_edit(link_id: int):
    link = get_link(db(), link_id, cooperative_scope())
    form = WhereToBuyForm(obj=link)
    if request.method == "GET":
        form.kind.data = str(link.kind)
    if form.validate_on_submit():
        with refused(form):
            change_link(db(), link, _details(form), actor_name())
            db().commit()
            return redirect(url_for("console.product", product_id=link.product_id))
    return render_template(
        "console/form.html",
        form=form,
        title=_("Where to buy %(product)s", product=link.product.name),
        action=url_for("console.where_to_buy_edit", link_id=link.id),
    ), form_status(form)


@blueprint.post("/where-to-buy/<int:link_id>/delete")
@roles_required(OFFICER, OPERATOR)
def where_to_buy_delete(link_id: int):
    link = get_link(db(), link_id, cooperative_scope())
    product_id = link.product_id
    remove_link(db(), link, actor_name())
    db().commit()
    return redirect(url_for("console.product", product_id=product_id))


@blueprint.route("/batches/<int:batch_id>/best-before", methods=["GET", "POST"])
@roles_required(OFFICER, OPERATOR)
def batch_best_before(batch_id: int):
    found = get_batch(db(), batch_id, cooperative_scope())
    form = BestBeforeForm(obj=found)
    if form.validate_on_submit():
        with refused(form):
            set_best_before(db(), found, form.best_before.data, actor_name())
            db().commit()
            return redirect(url_for("console.batch", batch_id=found.id))
    return render_template(
        "console/form.html",
        form=form,
        title=_("Best-before date of lot %(lot)s", lot=found.lot_code),
        action=url_for("console.batch_best_before", batch_id=found.id),
    ), form_status(form)


def passport_status(batch) -> list:
    """The batch's missing passport fields, for the console's batch page."""
    return missing_passport_fields(db(), batch, today_local())


def _details(form: WhereToBuyForm) -> WhereToBuyDetails:
    return WhereToBuyDetails(
        kind=form.kind.data,
        name=form.name.data,
        url=form.url.data or None,
        address=form.address.data or None,
        languages=parse_languages(form.languages.data or ""),
    )


def _product_page(found, passport_form, image_form, status: int):
    image = image_of(db(), found.id)
    return render_template(
        "console/product.html",
        product=found,
        passport_form=passport_form,
        image_form=image_form,
        image_path=product_image_path(image) if image else None,
        image=image,
        links=links_of(db(), found.id),
        kind_names=WHERE_TO_BUY_KIND_NAMES,
        language_names=language_names,
        field_names=PASSPORT_FIELD_NAMES,
    ), status
