"""The words of the value-chain timeline and box page, in the public pages' languages
(Vietnamese first; English for anything a language lacks)."""

from __future__ import annotations

from flask import g

STEP_NAMES = {
    "vi": {"commissioning": "Thu hoạch / sản xuất", "inspecting": "Kiểm tra",
           "packing": "Đóng gói", "shipping": "Xuất hàng", "receiving": "Nhận hàng",
           "transforming": "Chế biến"},
    "en": {"commissioning": "Harvested / produced", "inspecting": "Inspected",
           "packing": "Packed", "shipping": "Shipped", "receiving": "Received",
           "transforming": "Processed"},
    "fr": {"commissioning": "Récolté / produit", "inspecting": "Contrôlé",
           "packing": "Emballé", "shipping": "Expédié", "receiving": "Réceptionné",
           "transforming": "Transformé"},
}
WORDS = {
    "vi": {"heading": "Hành trình sản phẩm", "at": "Tại", "to": "Đến", "lot": "Lô",
           "boxes": "%s thùng × %s", "first_box": "Xem thùng đầu tiên",
           "made_from": "Làm từ:", "became": "Đã chế biến thành", "external":
           "Tham chiếu bên ngoài:", "box": "Thùng", "cooperative": "Hợp tác xã",
           "status": "Tình trạng", "certified": "Đã chứng nhận", "recalled": "Đã thu hồi",
           "not_certified": "Chưa chứng nhận", "last_step": "Bước gần nhất",
           "certifications": "Chứng nhận"},
    "en": {"heading": "Value chain", "at": "At", "to": "To", "lot": "Lot",
           "boxes": "%s boxes × %s", "first_box": "See the first box",
           "made_from": "Made from:", "became": "Processed into", "external":
           "External reference:", "box": "Box", "cooperative": "Cooperative",
           "status": "Status", "certified": "Certified", "recalled": "Recalled",
           "not_certified": "Not certified", "last_step": "Latest step",
           "certifications": "Certifications"},
    "fr": {"heading": "Chaîne de valeur", "at": "À", "to": "Vers", "lot": "Lot",
           "boxes": "%s cartons × %s", "box": "Carton", "made_from": "Fait à partir de :",
           "became": "Transformé en", "status": "Statut", "certified": "Certifié",
           "recalled": "Rappelé", "certifications": "Certifications"},
}


def _language() -> str:
    return g.get("lang", "vi") if g else "vi"


def chain_step_name(step: str) -> str:
    names = STEP_NAMES.get(_language(), {})
    return names.get(step) or STEP_NAMES["en"].get(step, step)


def chain_word(key: str) -> str:
    return WORDS.get(_language(), {}).get(key) or WORDS["en"][key]
