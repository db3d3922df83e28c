"""Demo data drawn from the news stories in shared/context: Cao Bang's Cooperative
Union and the Bao Hung cooperative's herbal-fed eggs; Quang Ninh's value chains.

Loading is idempotent: every record is looked up by its natural key first.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from traceapp.clock import today_local
from traceapp.domain.accounts import create_user
from traceapp.domain.batches import BatchDetails, certify_batch, create_batch
from traceapp.domain.certifications import CertificationDetails, record_certification
from traceapp.domain.product_images import image_of, store_product_image
from traceapp.domain.registry import (
    CooperativeDetails,
    ProductDetails,
    register_cooperative,
    register_product,
)
from traceapp.domain.where_to_buy import WhereToBuyDetails, add_link, links_of
from traceapp.models import (
    Batch,
    BatchStatus,
    Certification,
    Cooperative,
    Partner,
    Product,
    Union,
    User,
    WhereToBuyKind,
)

DEMO_ACTOR = "demo-loader"
CAO_BANG_UNION = "VN-CB-LMHTX"
QUANG_NINH_UNION = "VN-QN-LMHTX"
BAO_HUNG_LOT = "BH-2611-01"
CAO_BANG_ONLINE_MARKET = "https://chocaobang.vn"
# Shown in the README; the demo is for a laptop, never for production data.
DEMO_PASSWORD = "thu-nghiem-lien-minh"


@dataclass(frozen=True)
class DemoSummary:
    bao_hung_batch_id: int
    created: int


def load_demo_data(session: Session) -> DemoSummary:
    """Create the demo's unions, cooperatives, products, batches and certifications."""
    loader = _Loader(session)
    today = today_local()

    cao_bang = loader.union(CAO_BANG_UNION, "Liên minh Hợp tác xã tỉnh Cao Bằng", "Cao Bằng")
    quang_ninh = loader.union(
        QUANG_NINH_UNION, "Liên minh Hợp tác xã tỉnh Quảng Ninh", "Quảng Ninh"
    )

    bao_hung = loader.cooperative(
        cao_bang,
        CooperativeDetails(
            name="Hợp tác xã Bảo Hưng",
            commune="xã Trường Hà",
            province="Cao Bằng",
            registration_number="CB-4801000123",
            contact_name="Nông Văn Hưng",
            contact_phone="+84 206 385 1234",
        ),
    )
    eggs = loader.product(
        bao_hung,
        ProductDetails(
            name="Trứng gà ăn thảo dược",
            category="eggs",
            unit="quả",
            ref="BH-EGG",
            gtin="8936001000010",
            safety_warnings=(
                "Bảo quản nơi khô ráo, thoáng mát, tránh ánh nắng trực tiếp. "
                "Nấu chín trước khi ăn. Người dị ứng trứng không sử dụng."
            ),
        ),
    )
    loader.picture(eggs, "eggs")
    loader.where_to_buy(
        eggs,
        WhereToBuyDetails(
            WhereToBuyKind.ONLINE_MARKET,
            "Chợ online Cao Bằng",
            url=f"{CAO_BANG_ONLINE_MARKET}/hop-tac-xa-bao-hung",
            languages=("vi",),
        ),
        WhereToBuyDetails(
            WhereToBuyKind.SUPERMARKET_CHAIN,
            "Co.opmart Cao Bằng",
            url="https://www.co-opmart.com.vn",
            address="Số 1 Hoàng Đình Giong, phường Hợp Giang, Cao Bằng",
            languages=("vi", "en"),
        ),
        WhereToBuyDetails(
            WhereToBuyKind.HOTEL_OR_RESTAURANT,
            "Khách sạn Max Boutique Cao Bằng",
            address="Phố Kim Đồng, phường Hợp Giang, Cao Bằng",
            languages=("vi", "en", "fr"),
        ),
        WhereToBuyDetails(
            WhereToBuyKind.COOPERATIVE_SHOP,
            "Cửa hàng Hợp tác xã Bảo Hưng",
            address="Xóm Nà Rạo, xã Trường Hà, Cao Bằng",
            languages=("vi",),
        ),
    )
    egg_batch = loader.batch(
        bao_hung,
        BatchDetails(
            product_id=eggs.id,
            lot_code=BAO_HUNG_LOT,
            quantity=1200,
            unit="quả",
            produced_on=today - timedelta(days=3),
            best_before=today + timedelta(days=25),
            origin_farm="Trại gà Bảo Hưng",
            origin_commune="xã Trường Hà",
            origin_province="Cao Bằng",
            description="Gà đẻ được nuôi thả, thức ăn bổ sung thảo dược (ngải cứu, tía tô, gừng).",
        ),
    )
    loader.certification(
        egg_batch,
        CertificationDetails(
            scheme="herbal_fed",
            certificate_number="LMHTX-CB-2026-0415",
            issuing_body="Liên minh Hợp tác xã tỉnh Cao Bằng",
            valid_from=today - timedelta(days=30),
            valid_to=today + timedelta(days=335),
            claim="Gà được nuôi bằng thức ăn bổ sung thảo dược",
            evidence_ref="HS-2026-0415.pdf",
        ),
    )
    loader.certification(
        egg_batch,
        CertificationDetails(
            scheme="lab_test",
            certificate_number="KN-CB-26-1187",
            issuing_body="Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng Cao Bằng",
            valid_from=today - timedelta(days=5),
            valid_to=today + timedelta(days=60),
            claim="Không phát hiện kháng sinh và Salmonella",
            evidence_ref="PKN-1187.pdf",
        ),
    )
    loader.certify(egg_batch)

    nam_phong = loader.cooperative(
        cao_bang,
        CooperativeDetails(
            name="Hợp tác xã Nam Phong",
            commune="phường Đề Thám",
            province="Cao Bằng",
            registration_number="CB-4801000456",
            contact_name="Hoàng Thị Phương",
        ),
    )
    loader.certification(
        None,
        CertificationDetails(
            scheme="vietgap",
            certificate_number="VietGAP-TT-25-07-04-0021",
            issuing_body="Trung tâm Chứng nhận Phù hợp (QUACERT)",
            valid_from=today - timedelta(days=200),
            valid_to=today + timedelta(days=530),
            claim="Nhà kính 3.000 m² trồng rau quả theo VietGAP",
        ),
        cooperative=nam_phong,
    )
    melons = loader.product(
        nam_phong,
        ProductDetails(
            name="Dưa lưới nhà kính",
            category="fruit",
            unit="kg",
            ref="NP-MELON",
            gtin="8936001000041",
            safety_warnings="Rửa sạch trước khi dùng. Bảo quản ở 8–12 °C sau khi cắt.",
        ),
    )
    loader.picture(melons, "melon")
    loader.where_to_buy(
        melons,
        WhereToBuyDetails(
            WhereToBuyKind.ONLINE_MARKET,
            "Chợ online Cao Bằng",
            url=f"{CAO_BANG_ONLINE_MARKET}/hop-tac-xa-nam-phong",
            languages=("vi",),
        ),
        WhereToBuyDetails(
            WhereToBuyKind.SUPERMARKET_CHAIN,
            "Co.opmart Cao Bằng",
            url="https://www.co-opmart.com.vn",
            languages=("vi", "en"),
        ),
    )
    melon_batch = loader.batch(
        nam_phong,
        BatchDetails(
            product_id=melons.id,
            lot_code="NP-2611-A",
            quantity=800,
            unit="quả",
            produced_on=today - timedelta(days=1),
            best_before=today + timedelta(days=14),
            origin_farm="Nhà kính số 2",
            origin_commune="phường Đề Thám",
            origin_province="Cao Bằng",
        ),
    )
    loader.certify(melon_batch)

    yen_cong = loader.cooperative(
        cao_bang,
        CooperativeDetails(
            name="Hợp tác xã Yên Công",
            commune="xã Yên Sơn",
            province="Cao Bằng",
            registration_number="CB-4801000789",
        ),
    )
    shiitake = loader.product(
        yen_cong,
        ProductDetails(
            name="Nấm hương khô",
            category="mushrooms",
            unit="gói 200 g",
            ref="YC-SHIITAKE",
            gtin="8936001000027",
            safety_warnings="Ngâm nước và nấu chín trước khi ăn. Bảo quản kín, nơi khô ráo.",
        ),
    )
    loader.picture(shiitake, "mushrooms")
    loader.where_to_buy(
        shiitake,
        WhereToBuyDetails(
            WhereToBuyKind.ONLINE_MARKET,
            "Chợ online Cao Bằng",
            url=f"{CAO_BANG_ONLINE_MARKET}/hop-tac-xa-yen-cong",
            languages=("vi",),
        ),
        WhereToBuyDetails(
            WhereToBuyKind.HOTEL_OR_RESTAURANT,
            "Khách sạn Max Boutique Cao Bằng",
            address="Phố Kim Đồng, phường Hợp Giang, Cao Bằng",
            languages=("vi", "en", "fr"),
        ),
    )
    loader.certification(
        None,
        CertificationDetails(
            scheme="ocop",
            ocop_stars=4,
            certificate_number="OCOP-CB-2025-112",
            issuing_body="UBND tỉnh Cao Bằng",
            valid_from=today - timedelta(days=300),
            valid_to=today + timedelta(days=795),
            claim="Sản phẩm OCOP 4 sao: Nấm hương khô Yên Công",
        ),
        cooperative=yen_cong,
    )
    mushroom_batch = loader.batch(
        yen_cong,
        BatchDetails(
            product_id=shiitake.id,
            lot_code="YC-2611",
            quantity=500,
            unit="gói",
            produced_on=today - timedelta(days=10),
            best_before=today + timedelta(days=355),
            origin_farm="Trại nấm 6.000 m²",
            origin_commune="xã Yên Sơn",
            origin_province="Cao Bằng",
        ),
    )
    loader.certify(mushroom_batch)

    cach_linh = loader.cooperative(
        cao_bang,
        CooperativeDetails(
            name="Hợp tác xã dâu tằm Cách Linh",
            commune="xã Bế Văn Đàn",
            province="Cao Bằng",
            registration_number="CB-4801000999",
            contact_name="Đoàn Văn Thời",
        ),
    )
    loader.product(
        cach_linh, ProductDetails(name="Kén tằm vàng", category="silk", unit="kg", ref="CL-COCOON")
    )

    truong_giang = loader.cooperative(
        quang_ninh,
        CooperativeDetails(
            name="Hợp tác xã nông nghiệp tổng hợp Trường Giang",
            commune="xã Đầm Hà",
            province="Quảng Ninh",
            registration_number="QN-5700123456",
            contact_name="Đặng Văn Giang",
        ),
    )
    passion_fruit = loader.product(
        truong_giang,
        ProductDetails(
            name="Chanh leo hữu cơ",
            category="fruit",
            unit="kg",
            ref="TG-PASSION",
            gtin="8936001000034",
            safety_warnings="Rửa sạch trước khi dùng. Không dùng quả đã dập, có mùi lên men.",
        ),
    )
    loader.picture(passion_fruit, "passion_fruit")
    loader.where_to_buy(
        passion_fruit,
        WhereToBuyDetails(
            WhereToBuyKind.PARTNER_COMPANY,
            "Công ty Cổ phần Sài Gòn - Gia Lai",
            address="Gia Lai",
            languages=("vi", "en"),
        ),
    )
    fruit_batch = loader.batch(
        truong_giang,
        BatchDetails(
            product_id=passion_fruit.id,
            lot_code="TG-2611-07",
            quantity=3000,
            unit="kg",
            produced_on=today - timedelta(days=2),
            best_before=today + timedelta(days=20),
            origin_farm="Vườn chanh leo 3 ha",
            origin_commune="xã Đầm Hà",
            origin_province="Quảng Ninh",
        ),
    )
    loader.certification(
        fruit_batch,
        CertificationDetails(
            scheme="organic",
            certificate_number="HC-QN-2026-031",
            issuing_body="Trung tâm Dịch vụ kỹ thuật nông nghiệp huyện Đầm Hà",
            valid_from=today - timedelta(days=90),
            valid_to=today + timedelta(days=275),
        ),
    )
    loader.certification(
        fruit_batch,
        CertificationDetails(
            scheme="lab_test",
            certificate_number="KN-QN-26-5702",
            issuing_body="Viện Kiểm nghiệm An toàn Vệ sinh Thực phẩm Quốc gia",
            valid_from=today - timedelta(days=4),
            valid_to=today + timedelta(days=90),
            claim="Không chứa 570 hoạt chất bảo vệ thực vật bị cấm",
        ),
    )
    loader.certify(fruit_batch)

    for name, role, province in [
        ("Công ty Cổ phần Sài Gòn - Gia Lai", "exporter", "Gia Lai"),
        ("Công ty Cổ phần Than Mạo Khê", "buyer", "Quảng Ninh"),
        ("Công ty Cổ phần Dâu tằm tơ Yên Bái", "processor", "Yên Bái"),
        ("Siêu thị Co.opmart Cao Bằng", "supermarket", "Cao Bằng"),
        ("Khách sạn Max Boutique Cao Bằng", "hotel", "Cao Bằng"),
    ]:
        loader.partner(name, role, province)

    loader.user("can.bo@lienminh-caobang.vn", "Trần Anh Dũng", "union_officer")
    loader.user("van.hanh@baohung.vn", "Nông Văn Hưng", "cooperative_operator", bao_hung)
    loader.user("van.hanh@namphong.vn", "Hoàng Thị Phương", "cooperative_operator", nam_phong)
    loader.user("thanh.tra@caobang.gov.vn", "Lục Văn Kiên", "inspector")

    return DemoSummary(bao_hung_batch_id=egg_batch.id, created=loader.created)


class _Loader:
    """Get-or-create helpers that count what they had to create."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.created = 0

    def union(self, code: str, name: str, province: str) -> Union:
        union = self.session.scalar(select(Union).where(Union.code == code))
        if union is None:
            union = Union(code=code, name=name, province=province)
            self.session.add(union)
            self.session.flush()
            self.created += 1
        return union

    def cooperative(self, union: Union, details: CooperativeDetails) -> Cooperative:
        found = self.session.scalar(
            select(Cooperative).where(
                Cooperative.registration_number == details.registration_number
            )
        )
        if found is not None:
            return found
        self.created += 1
        return register_cooperative(self.session, union, details, DEMO_ACTOR)

    def product(self, cooperative: Cooperative, details: ProductDetails) -> Product:
        found = self.session.scalar(select(Product).where(Product.ref == details.ref))
        if found is not None:
            return found
        self.created += 1
        return register_product(self.session, cooperative, details, DEMO_ACTOR)

    def batch(self, cooperative: Cooperative, details: BatchDetails) -> Batch:
        found = self.session.scalar(
            select(Batch).where(
                Batch.cooperative_id == cooperative.id, Batch.lot_code == details.lot_code
            )
        )
        if found is not None:
            return found
        self.created += 1
        return create_batch(self.session, cooperative, details, DEMO_ACTOR)

    def certification(
        self,
        batch: Batch | None,
        details: CertificationDetails,
        cooperative: Cooperative | None = None,
    ) -> Certification:
        found = self.session.scalar(
            select(Certification).where(
                Certification.certificate_number == details.certificate_number
            )
        )
        if found is not None:
            return found
        self.created += 1
        return record_certification(
            self.session,
            details,
            DEMO_ACTOR,
            batch=batch,
            cooperative_id=cooperative.id if cooperative else None,
        )

    def picture(self, product: Product, subject: str) -> None:
        if image_of(self.session, product.id) is None:
            self.created += 1
            store_product_image(self.session, product, demo_picture(subject), DEMO_ACTOR)

    def where_to_buy(self, product: Product, *links: WhereToBuyDetails) -> None:
        if links_of(self.session, product.id):
            return
        for details in links:
            self.created += 1
            add_link(self.session, product, details, DEMO_ACTOR)

    def certify(self, batch: Batch) -> None:
        if batch.status == BatchStatus.DRAFT:
            certify_batch(self.session, batch, DEMO_ACTOR)

    def user(
        self, email: str, name: str, role: str, cooperative: Cooperative | None = None
    ) -> User:
        found = self.session.scalar(select(User).where(User.email == email))
        if found is not None:
            return found
        self.created += 1
        return create_user(
            self.session,
            email,
            name,
            DEMO_PASSWORD,
            role,
            DEMO_ACTOR,
            cooperative.id if cooperative else None,
        )

    def partner(self, name: str, role: str, province: str) -> Partner:
        found = self.session.scalar(select(Partner).where(Partner.name == name))
        if found is None:
            found = Partner(name=name, role=role, province=province)
            self.session.add(found)
            self.session.flush()
            self.created += 1
        return found


_PICTURES = {
    # subject: (background, shapes as (fill, outline, ellipse box)...)
    "eggs": (
        (236, 214, 160),
        [
            ((205, 150, 95), (150, 100, 60), (60, 90, 200, 280)),
            ((225, 175, 120), (150, 100, 60), (180, 70, 320, 270)),
            ((210, 160, 105), (150, 100, 60), (300, 100, 430, 290)),
        ],
    ),
    "melon": ((200, 226, 180), [((170, 200, 110), (110, 140, 60), (90, 50, 390, 330))]),
    "mushrooms": (
        (230, 220, 200),
        [
            ((120, 80, 50), (80, 50, 30), (60, 80, 240, 200)),
            ((140, 95, 60), (80, 50, 30), (220, 120, 420, 250)),
        ],
    ),
    "passion_fruit": (
        (245, 230, 200),
        [
            ((110, 50, 90), (70, 30, 60), (70, 80, 250, 260)),
            ((250, 200, 60), (200, 150, 30), (230, 100, 410, 280)),
        ],
    ),
}


def demo_picture(subject: str) -> bytes:
    """A drawn stand-in for a product photo (made here, so it needs no licence)."""
    background, shapes = _PICTURES[subject]
    image = Image.new("RGB", (480, 360), background)
    draw = ImageDraw.Draw(image)
    for fill, outline, box in shapes:
        draw.ellipse(box, fill=fill, outline=outline, width=6)
    if subject == "melon":
        for x in range(110, 390, 40):
            draw.line([(x, 60), (x + 60, 320)], fill=(235, 240, 215), width=3)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
