"""Vietnamese names are stored and shown exactly as typed."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select

from traceapp.models import Cooperative

NAMES = [
    "Hợp tác xã Bảo Hưng",
    "Hợp tác xã dâu tằm Cách Linh",
    "Nấm hương khô Yên Công",
    "Đoàn Văn Thời — xã Bế Văn Đàn, tỉnh Cao Bằng",
]


def test_vietnamese_names_round_trip_unchanged(db_session, factory):
    ids = [factory.cooperative(name=name).id for name in NAMES]
    db_session.expire_all()

    stored = [db_session.scalar(select(Cooperative.name).where(Cooperative.id == i)) for i in ids]
    assert stored == NAMES


def test_decomposed_and_composed_forms_are_kept_as_given(db_session, factory):
    decomposed = unicodedata.normalize("NFD", "Hợp tác xã Trường Giang")
    cooperative = factory.cooperative(name=decomposed)
    db_session.expire_all()

    assert db_session.get(Cooperative, cooperative.id).name == decomposed
