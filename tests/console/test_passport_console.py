"""The console side of the digital product passport: which fields a batch lacks, the
refusal to certify it, the product photo, and where-to-buy links in the audit log."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import select

from tests.console.world import bearer, sign_in_as
from tests.factories import Factory, product_photo
from traceapp.domain.issuance import issue_labels
from traceapp.domain.product_images import MAX_BYTES
from traceapp.domain.signing_keys import active_signer
from traceapp.models import AuditEntry, ProductImage, WhereToBuyLink


def upload_photo(client, product_id: int, data: bytes, filename: str):
    """The console's product-photo form, as a browser posts it."""
    return client.post(
        f"/console/products/{product_id}/image",
        data={"image": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def bare_draft(db_session, world):
    """A draft of a product with no photo and no safety warnings, with a certification."""
    factory = Factory(db_session)
    product = factory.product(world.coop_a, with_image=False, safety_warnings=None)
    batch = factory.batch(product)
    factory.certification(batch)
    db_session.commit()
    return batch


def test_batch_page_names_each_missing_passport_field(client, world, db_session):
    batch = bare_draft(db_session, world)
    sign_in_as(client, world.users["union_officer"])
    page = client.get(f"/console/batches/{batch.id}").get_data(as_text=True)
    assert 'data-field="product_image"' in page
    assert 'data-field="safety_warnings"' in page
    assert 'data-field="gtin"' not in page


def test_certifying_an_incomplete_batch_is_refused_naming_the_fields(client, world, db_session):
    batch = bare_draft(db_session, world)
    sign_in_as(client, world.users["union_officer"])
    response = client.post(f"/console/batches/{batch.id}/certify")
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "product_image" in text and "safety_warnings" in text
    db_session.refresh(batch)
    assert batch.status == "draft"


def test_api_certify_refuses_an_incomplete_batch_with_the_field(client, world, db_session):
    batch = bare_draft(db_session, world)
    response = client.post(
        f"/api/v1/batches/{batch.id}/certify", headers=bearer(world, "union_officer")
    )
    assert response.status_code == 409
    assert response.get_json()["field"] == "product_image"


def test_completed_passport_lets_the_batch_be_certified(client, world, db_session):
    batch = bare_draft(db_session, world)
    sign_in_as(client, world.users["union_officer"])
    product_id = batch.product_id
    client.post(
        f"/console/products/{product_id}/passport",
        data={"safety_warnings": "Nấu chín trước khi ăn."},
    )
    upload = upload_photo(client, product_id, product_photo(), "trung.png")
    assert upload.status_code == 302
    assert client.post(f"/console/batches/{batch.id}/certify").status_code == 302
    db_session.refresh(batch)
    assert batch.status == "certified"


def test_uploaded_photo_is_resized_to_a_small_jpeg(client, world, db_session):
    big = Image.effect_noise((2400, 1800), 80).convert("RGB")
    buffer = io.BytesIO()
    big.save(buffer, "PNG")
    sign_in_as(client, world.users["operator_own"])
    upload_photo(client, world.product_a.id, buffer.getvalue(), "photo.png")
    stored = db_session.get(ProductImage, world.product_a.id)
    db_session.refresh(stored)
    assert len(stored.data) <= MAX_BYTES
    assert max(stored.width, stored.height) <= 480
    assert Image.open(io.BytesIO(stored.data)).format == "JPEG"


def test_a_file_that_is_not_a_picture_is_refused_on_the_form(client, world):
    sign_in_as(client, world.users["operator_own"])
    response = upload_photo(client, world.product_a.id, b"%PDF-1.4 not a picture", "giay.pdf")
    assert response.status_code == 422
    assert "không phải là ảnh" in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["GIF", "BMP", "TIFF"])
def test_a_picture_in_another_format_than_jpeg_png_or_webp_is_refused(client, world, kind):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (222, 196, 120)).save(buffer, kind)
    sign_in_as(client, world.users["operator_own"])
    response = upload_photo(client, world.product_a.id, buffer.getvalue(), f"anh.{kind.lower()}")
    assert response.status_code == 422
    assert "không phải là ảnh" in response.get_data(as_text=True)


def png_claiming(width: int, height: int) -> bytes:
    """A PNG header announcing a picture of that size, and no pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def test_a_picture_of_too_many_pixels_is_refused_before_it_is_decoded(client, world):
    sign_in_as(client, world.users["operator_own"])
    response = upload_photo(client, world.product_a.id, png_claiming(8_000, 6_000), "bom.png")
    assert response.status_code == 422
    assert "quá nhiều điểm ảnh" in response.get_data(as_text=True)


def test_a_stored_photo_keeps_none_of_the_uploads_metadata(client, world, db_session):
    exif = Image.Exif()
    exif[0x010F] = "Máy ảnh của chị Hoa"  # Make
    exif[0x8825] = {2: (22.0, 40.0, 0.0)}  # GPSInfo: a latitude
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (222, 196, 120)).save(buffer, "JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(buffer.getvalue())).getexif()  # the upload has it
    sign_in_as(client, world.users["operator_own"])
    upload_photo(client, world.product_a.id, buffer.getvalue(), "anh.jpg")
    stored = db_session.get(ProductImage, world.product_a.id)
    db_session.refresh(stored)
    assert not Image.open(io.BytesIO(stored.data)).getexif()


def test_where_to_buy_changes_are_each_in_the_audit_log(client, world, db_session):
    sign_in_as(client, world.users["operator_own"])
    product_id = world.product_a.id
    response = client.post(
        f"/console/products/{product_id}/where-to-buy/new",
        data={
            "kind": "supermarket_chain",
            "name": "Co.opmart Cao Bằng",
            "url": "https://www.co-opmart.com.vn",
            "address": "",
            "languages": "vi, en",
        },
    )
    assert response.status_code == 302
    link = db_session.scalars(
        select(WhereToBuyLink).where(WhereToBuyLink.name == "Co.opmart Cao Bằng")
    ).one()
    assert link.languages == "vi,en"
    client.post(
        f"/console/where-to-buy/{link.id}/edit",
        data={
            "kind": "supermarket_chain",
            "name": "Co.opmart Cao Bằng (Hợp Giang)",
            "url": "https://www.co-opmart.com.vn",
            "address": "",
            "languages": "vi",
        },
    )
    client.post(f"/console/where-to-buy/{link.id}/delete")
    actions = db_session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.subject_type == "where_to_buy_link", AuditEntry.subject_id == str(link.id)
        )
    ).all()
    assert actions == ["where_to_buy.added", "where_to_buy.changed", "where_to_buy.removed"]


def test_where_to_buy_needs_an_address_of_some_kind(client, world):
    sign_in_as(client, world.users["operator_own"])
    response = client.post(
        f"/console/products/{world.product_a.id}/where-to-buy/new",
        data={"kind": "hotel_or_restaurant", "name": "Khách sạn", "languages": "vi"},
    )
    assert response.status_code == 422


def test_where_to_buy_refuses_a_script_address(client, world):
    sign_in_as(client, world.users["operator_own"])
    response = client.post(
        f"/console/products/{world.product_a.id}/where-to-buy/new",
        data={
            "kind": "online_market",
            "name": "Chợ",
            "url": "javascript:alert(1)",
            "languages": "vi",
        },
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "url", ["http://[::1", "https://chợ.vn:port/", "https://💩.la/", "https://chợ.vn/\u202egà"]
)
def test_where_to_buy_refuses_a_malformed_web_address_clearly(client, world, url):
    sign_in_as(client, world.users["operator_own"])
    data = {"kind": "online_market", "name": "Chợ", "url": url, "languages": "vi"}
    for path in (
        f"/console/products/{world.product_a.id}/where-to-buy/new",
        f"/console/where-to-buy/{world.link_a.id}/edit",
    ):
        response = client.post(path, data=data)
        assert response.status_code == 422, path
        assert "Địa chỉ trang web không hợp lệ." in response.get_data(as_text=True)


def test_where_to_buy_stores_a_vietnamese_host_in_its_ascii_form(client, world, db_session):
    sign_in_as(client, world.users["operator_own"])
    response = client.post(
        f"/console/products/{world.product_a.id}/where-to-buy/new",
        data={
            "kind": "cooperative_shop",
            "name": "Cửa hàng đặc sản",
            "url": "https://ĐặcSản.vn/trứng-gà?loại=thảo dược".replace(" ", "+"),
            "languages": "vi",
        },
    )
    assert response.status_code == 302
    stored = db_session.scalar(
        select(WhereToBuyLink.url).where(WhereToBuyLink.name == "Cửa hàng đặc sản")
    )
    assert stored == (
        "https://xn--csn-uqa6698amda.vn/tr%E1%BB%A9ng-g%C3%A0?lo%E1%BA%A1i=th%E1%BA%A3o+d%C6%B0%E1%BB%A3c"
    )


def test_gtin_cannot_be_added_once_labels_were_issued_under_the_reference(
    client, world, db_session
):
    factory = Factory(db_session)
    product = factory.product(world.coop_a, with_gtin=False)
    batch = factory.legacy_certified_batch(product, quantity=5)
    settings = client.application.extensions["traceapp.settings"]
    issue_labels(db_session, batch.id, 1, active_signer(settings), "test")
    db_session.commit()
    sign_in_as(client, world.users["union_officer"])
    response = client.post(
        f"/console/products/{product.id}/passport",
        data={"safety_warnings": "Nấu chín.", "gtin": "8936001000997"},
    )
    assert response.status_code == 422
    assert "Đã cấp tem theo mã sản phẩm" in response.get_data(as_text=True)
