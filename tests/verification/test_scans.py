"""Every scan is recorded coarsely, counted on the page, and copied codes are flagged."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from tests.verification.conftest import record_scan
from traceapp.domain import scans
from traceapp.domain.scans import client_hash, coarse_place, distance_km, has_distant_pair
from traceapp.infrastructure.records import ScanPlace
from traceapp.models import Scan
from traceapp.models._columns import utcnow
from traceapp.web.public import flush_scans

JSON = {"Accept": "application/json"}


def scans_of(db_session, label) -> list[Scan]:
    flush_scans(current_app)
    return list(db_session.scalars(select(Scan).where(Scan.label_id == label.id)))


def test_opening_a_code_records_a_scan(client, issued, db_session):
    client.get(issued.path(0))
    assert len(scans_of(db_session, issued.labels[0])) == 1


def test_scan_keeps_a_salted_hash_never_the_address(client, issued, db_session):
    client.get(issued.path(0), environ_base={"REMOTE_ADDR": "203.0.113.7"})
    scan = scans_of(db_session, issued.labels[0])[0]
    assert scan.client_hash == client_hash("203.0.113.7", "test-salt")
    assert "203.0.113.7" not in repr(vars(scan))


def test_browser_location_is_rounded_to_a_tenth_of_a_degree(client, issued, db_session):
    client.get(issued.path(0) + "&lat=22.66634&lon=106.25791")
    scan = scans_of(db_session, issued.labels[0])[0]
    assert (scan.latitude, scan.longitude) == (22.7, 106.3)


def test_cdn_country_header_is_kept_as_region(client, issued, db_session):
    client.get(issued.path(0), headers={"CF-IPCountry": "VN"})
    assert scans_of(db_session, issued.labels[0])[0].region == "VN"


def test_location_sent_after_the_page_completes_the_same_scan(client, issued, db_session):
    client.get(issued.path(0))
    client.get(issued.path(0) + "&lat=22.66&lon=106.25")
    recorded = scans_of(db_session, issued.labels[0])
    assert len(recorded) == 1 and recorded[0].latitude == 22.7


def test_forged_code_scan_is_recorded_without_a_label(client, issued, db_session):
    client.get(issued.path(0).replace(issued.batch.lot_code, "FAKE"))
    flush_scans(current_app)
    forged = db_session.scalars(select(Scan).where(Scan.label_id.is_(None))).all()
    assert [scan.verdict for scan in forged] == ["tampered"]


def test_page_says_how_often_and_since_when(client, issued):
    client.get(issued.path(0))
    page = client.get(issued.path(0), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Scanned 2 times since" in page


def test_json_counts_scans_and_distinct_clients(client, issued):
    client.get(issued.path(0), environ_base={"REMOTE_ADDR": "198.51.100.1"})
    document = client.get(
        issued.path(0), headers=JSON, environ_base={"REMOTE_ADDR": "198.51.100.2"}
    ).get_json()
    assert (document["scans"]["count"], document["scans"]["distinct_clients"]) == (2, 2)


def test_invalid_coordinates_are_dropped():
    assert coarse_place("91", "10") == ScanPlace() and coarse_place("nan", "1") == ScanPlace()


def test_hanoi_to_ho_chi_minh_city_is_about_1140_km():
    assert 1100 < distance_km(21.03, 105.85, 10.78, 106.70) < 1180


def test_distant_scans_within_hours_are_a_distant_pair():
    now = utcnow()
    assert has_distant_pair([(now, 22.7, 106.3), (now + timedelta(hours=2), 10.8, 106.7)])


def test_distant_scans_days_apart_are_plausible():
    now = utcnow()
    assert not has_distant_pair([(now, 22.7, 106.3), (now + timedelta(days=2), 10.8, 106.7)])


def flags_after(client, issued, address: str = "198.51.100.9") -> list[str]:
    document = client.get(issued.path(0), headers=JSON, environ_base={"REMOTE_ADDR": address})
    return document.get_json()["scans"]["flags"]


def test_code_scanned_by_too_many_phones_is_flagged(client, db_session, issued):
    label = issued.labels[0]
    for n in range(scans.MAX_PLAUSIBLE_CLIENTS):
        record_scan(db_session, label.id, client_hash(f"10.0.0.{n}", "s"))
    assert flags_after(client, issued) == ["too_many_clients"]


def test_code_scanned_too_often_by_one_phone_is_flagged(client, db_session, issued):
    label = issued.labels[0]
    for _ in range(scans.MAX_PLAUSIBLE_SCANS):
        record_scan(db_session, label.id, "same-phone")
    assert flags_after(client, issued) == ["too_many_scans"]


def test_a_family_rescanning_is_not_flagged(client, db_session, issued):
    label = issued.labels[0]
    for n in range(12):
        record_scan(db_session, label.id, f"phone-{n % 4}", ScanPlace(22.7, 106.3))
    assert flags_after(client, issued) == []


def test_scans_not_yet_written_are_counted_like_stored_ones(client, db_session, issued):
    label = issued.labels[0]
    for n in range(scans.MAX_PLAUSIBLE_CLIENTS - 1):
        record_scan(db_session, label.id, f"phone-{n}")
    client.get(issued.path(0), environ_base={"REMOTE_ADDR": "198.51.100.1"})  # still buffered
    assert flags_after(client, issued) == ["too_many_clients"]


def test_a_located_view_is_counted_the_same_way_as_a_plain_one(client, issued):
    plain = client.get(issued.path(0), headers=JSON).get_json()["scans"]
    located = client.get(issued.path(1) + "&lat=22.66&lon=106.25", headers=JSON).get_json()
    assert (located["scans"]["count"], located["scans"]["distinct_clients"]) == (
        plain["count"],
        plain["distinct_clients"],
    )


def test_page_warns_that_a_code_scanned_far_apart_may_be_copied(client, issued):
    client.get(
        issued.path(0) + "&lat=22.67&lon=106.26", environ_base={"REMOTE_ADDR": "198.51.100.1"}
    )
    page = client.get(
        issued.path(0) + "&lat=10.78&lon=106.70&lang=en",
        environ_base={"REMOTE_ADDR": "198.51.100.2"},
    ).get_data(as_text=True)
    assert "This label may have been copied" in page
