"""Factories for realistic records, Vietnamese names included.

They go through the domain functions, so test data obeys the same rules as real data.
"""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta
from functools import cache

from PIL import Image
from sqlalchemy.orm import Session

from traceapp.clock import today_local
from traceapp.domain.batches import BatchDetails, certify_batch, create_batch
from traceapp.domain.certifications import CertificationDetails, record_certification
from traceapp.domain.product_images import store_product_image
from traceapp.domain.registry import (
    CooperativeDetails,
    ProductDetails,
    register_cooperative,
    register_product,
)
from traceapp.models import Batch, BatchStatus, Certification, Cooperative, Product, Union

_numbers = itertools.count(1)


@cache
def product_photo() -> bytes:
    """A small PNG standing in for a product photo (a brown egg on straw)."""
    image = Image.new("RGB", (320, 240), (222, 196, 120))
    image.paste((176, 112, 64), (110, 60, 210, 190))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def gtin_with_check_digit(body13: str) -> str:
    """Append the GS1 mod-10 check digit to 13 digits."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body13)))
    return body13 + str((10 - total % 10) % 10)


class Factory:
    ACTOR = "test"

    def __init__(self, session: Session) -> None:
        self.session = session

    def union(self) -> Union:
        n = next(_numbers)
        union = Union(
            code=f"VN-T{n}", name=f"Liên minh Hợp tác xã thử nghiệm {n}", province="Cao Bằng"
        )
        self.session.add(union)
        self.session.flush()
        return union

    def cooperative(
        self, union: Union | None = None, name: str = "Hợp tác xã Bảo Hưng"
    ) -> Cooperative:
        n = next(_numbers)
        return register_cooperative(
            self.session,
            union or self.union(),
            CooperativeDetails(
                name=name,
                commune="xã Trường Hà",
                province="Cao Bằng",
                registration_number=f"T-{n:08d}",
                contact_name="Nông Thị Hồng",
            ),
            self.ACTOR,
        )

    def product(
        self,
        cooperative: Cooperative | None = None,
        with_gtin: bool = True,
        with_image: bool = True,
        safety_warnings: str | None = "Bảo quản nơi khô ráo, thoáng mát; nấu chín trước khi ăn.",
    ) -> Product:
        """A product with every passport field (GTIN, photo, safety warnings) unless told."""
        n = next(_numbers)
        product = register_product(
            self.session,
            cooperative or self.cooperative(),
            ProductDetails(
                name="Trứng gà ăn thảo dược",
                category="eggs",
                unit="quả",
                ref=f"P{n}",
                gtin=gtin_with_check_digit(f"893{n:010d}") if with_gtin else None,
                safety_warnings=safety_warnings,
            ),
            self.ACTOR,
        )
        if with_image:
            store_product_image(self.session, product, product_photo(), self.ACTOR)
        return product

    def batch(
        self,
        product: Product | None = None,
        quantity: int = 1000,
        certified: bool = False,
        lot_code: str | None = None,
    ) -> Batch:
        product = product or self.product()
        today = today_local()
        batch = create_batch(
            self.session,
            product.cooperative,
            BatchDetails(
                product_id=product.id,
                lot_code=lot_code or f"L{next(_numbers)}",
                quantity=quantity,
                unit="quả",
                produced_on=today - timedelta(days=2),
                best_before=today + timedelta(days=28),
                origin_farm="Trại gà Bảo Hưng",
                origin_commune="xã Trường Hà",
                origin_province="Cao Bằng",
                description="Thức ăn bổ sung thảo dược",
            ),
            self.ACTOR,
        )
        if certified:
            self.certification(batch)
            certify_batch(self.session, batch, self.ACTOR)
        return batch

    def legacy_certified_batch(self, product: Product, quantity: int = 1000) -> Batch:
        """A batch certified before digital product passports were required (migration
        0015): e.g. a product without GTIN, whose labels use its product reference."""
        batch = self.batch(product, quantity=quantity)
        self.certification(batch)
        batch.status = BatchStatus.CERTIFIED
        self.session.flush()
        return batch

    def certification(
        self,
        batch: Batch,
        scheme: str = "herbal_fed",
        valid_from: date | None = None,
        valid_to: date | None = None,
        ocop_stars: int | None = None,
    ) -> Certification:
        today = today_local()
        return record_certification(
            self.session,
            CertificationDetails(
                scheme=scheme,
                certificate_number=f"CN-{next(_numbers)}",
                issuing_body="Liên minh Hợp tác xã tỉnh Cao Bằng",
                valid_from=valid_from or today - timedelta(days=10),
                valid_to=valid_to or today + timedelta(days=355),
                ocop_stars=ocop_stars,
                claim="Gà được nuôi bằng thảo dược",
            ),
            self.ACTOR,
            batch=batch,
        )
