"""One wording per stored value, from one place, in every language."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from keys.keyset import KeyStatus
from traceapp.models import (
    BatchStatus,
    CertificationScheme,
    InspectionResult,
    LabelStatus,
    PartnerRole,
    ProductCategory,
    Role,
)
from traceapp.web import vocabulary
from traceapp.web.formatting import date_text, moment_text, number_text

TRANSLATIONS = Path(__file__).parents[1] / "traceapp/translations"
ENUMS = {
    "batch_status": BatchStatus,
    "label_status": LabelStatus,
    "key_status": KeyStatus,
    "scheme": CertificationScheme,
    "role": Role,
    "inspection_result": InspectionResult,
    "product_category": ProductCategory,
    "partner_role": PartnerRole,
}


@pytest.mark.parametrize("kind", sorted(ENUMS))
def test_every_stored_value_has_exactly_its_wording(kind):
    assert set(vocabulary.VOCABULARIES[kind]) == set(ENUMS[kind])


@pytest.mark.parametrize("language", ["vi", "fr"])
def test_every_catalogue_entry_is_translated(language):
    with (TRANSLATIONS / language / "LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    untranslated = [
        m.id
        for m in catalogue
        if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", ["vi", "en", "fr"])
def test_the_vocabulary_speaks_the_readers_language(app, language):
    with app.test_request_context(headers={"Accept-Language": language}):
        app.preprocess_request()
        words = {
            "vi": ("Chờ Liên minh duyệt", "Nuôi bằng thảo dược", "Cán bộ Liên minh"),
            "en": ("Waiting for the Union", "Herbal-fed", "Union officer"),
            "fr": ("En attente de l'Union", "Nourri aux plantes médicinales", "Agent de l'Union"),
        }[language]
        assert (
            vocabulary.term("batch_status", BatchStatus.DRAFT),
            vocabulary.term("scheme", "herbal_fed"),
            vocabulary.term("role", Role.UNION_OFFICER),
        ) == words


def test_one_date_time_and_number_style_per_language():
    from datetime import UTC, date, datetime

    moment = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # 14:00 in Vietnam
    assert (
        date_text(date(2026, 11, 27), "vi"),
        moment_text(moment, "vi"),
        number_text(1200, "vi"),
    ) == ("27 thg 11, 2026", "27 thg 11, 2026 14:00", "1.200")
    assert (moment_text(moment, "en"), number_text(1200, "en")) == (
        "Nov 27, 2026 2:00\u202fPM",
        "1,200",
    )
    assert (moment_text(moment, "fr"), number_text(1200, "fr")) == (
        "27 nov. 2026 14:00",
        "1\u202f200",
    )
