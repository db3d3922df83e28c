"""The /inspect/ app as the server delivers it: page, worker, manifest, words, API."""

from __future__ import annotations

import base64
import re
import uuid

from tests.console.world import bearer
from traceapp.models import Inspection


def test_app_page_has_a_strict_policy_and_no_inline_code(client):
    response = client.get("/inspect/")
    policy = response.headers["Content-Security-Policy"]
    page = response.get_data(as_text=True)
    assert "script-src 'self' 'wasm-unsafe-eval'" in policy and "unsafe-inline" not in policy
    assert not re.search(r"<script(?![^>]*\bsrc=)", page) and "style=" not in page
    assert "<style" not in page and 'lang="vi"' in page


def test_service_worker_precaches_the_app_and_the_decoder(client):
    source = client.get("/inspect/sw.js").get_data(as_text=True)
    assert "/inspect/" in source and "zxing_reader.wasm" in source
    assert "noble-ed25519/index.js" in source and "/inspect/messages.json" in source


def test_every_precached_file_is_served(client):
    source = client.get("/inspect/sw.js").get_data(as_text=True)
    urls = re.search(r"const PRECACHE = (\[.*?\]);", source)[1]
    for url in re.findall(r'"([^"]+)"', urls):
        assert client.get(url).status_code == 200, url


def test_manifest_makes_the_app_installable(client):
    manifest = client.get("/inspect/manifest.webmanifest").get_json(force=True)
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert (manifest["display"], manifest["start_url"], sizes) == (
        "standalone",
        "/inspect/",
        {"192x192", "512x512"},
    )


def test_words_come_in_three_languages_with_the_public_verdict_names(client):
    words = client.get("/inspect/messages.json").get_json()
    assert set(words["vi"]) == set(words["en"]) == set(words["fr"])
    assert words["vi"]["verdict_genuine"] == "Tem thật"
    assert words["vi"]["verdict_not_in_bundle"] == "Không có trong gói dữ liệu này"
    assert words["en"]["verdict_expired"] == "Certification expired"


def test_regions_list_the_provinces_and_communes_with_batches(client, world):
    response = client.get("/api/v1/bundle/regions", headers=bearer(world, "inspector"))
    keys = [item["key"] for item in response.get_json()["items"]]
    assert keys == ["Cao Bằng", "Cao Bằng / xã Trường Hà"]


def test_bundle_of_an_unlisted_region_is_refused(client, world):
    response = client.get(
        "/api/v1/bundle", query_string={"region": "Cao Bang"}, headers=bearer(world, "inspector")
    )
    assert response.status_code == 422 and response.get_json()["field"] == "region"


def test_bundle_needs_an_inspector_or_officer_token(client, world):
    assert client.get("/api/v1/bundle?region=Cao+B%E1%BA%B1ng").status_code == 401
    response = client.get(
        "/api/v1/bundle?region=Cao+B%E1%BA%B1ng", headers=bearer(world, "operator_own")
    )
    assert response.status_code == 403


def _inspection(client_id, **extra):
    return {
        "inspected_on": "2026-01-05",
        "place": "Chợ Sông Bằng",
        "result": "passed",
        "client_id": client_id,
        **extra,
    }


def test_an_offline_inspection_sent_twice_is_stored_once(client, world, db_session):
    client_id = str(uuid.uuid4())
    url = f"/api/v1/batches/{world.batch_a.id}/inspections"
    first = client.post(url, json=_inspection(client_id), headers=bearer(world, "inspector"))
    second = client.post(url, json=_inspection(client_id), headers=bearer(world, "inspector"))
    stored = db_session.query(Inspection).filter_by(client_id=client_id).count()
    assert (first.status_code, second.status_code, stored) == (201, 409, 1)


def test_an_inspection_keeps_its_photo(client, world, db_session):
    photo = b"\xff\xd8\xff\xe0" + bytes(100)
    response = client.post(
        f"/api/v1/batches/{world.batch_a.id}/inspections",
        json=_inspection(str(uuid.uuid4()), photo=base64.b64encode(photo).decode()),
        headers=bearer(world, "inspector"),
    )
    stored = db_session.get(Inspection, response.get_json()["id"])
    assert (response.get_json()["has_photo"], stored.photo) == (True, photo)


def test_a_photo_that_is_not_a_jpeg_is_refused(client, world):
    response = client.post(
        f"/api/v1/batches/{world.batch_a.id}/inspections",
        json=_inspection(str(uuid.uuid4()), photo=base64.b64encode(b"GIF89a").decode()),
        headers=bearer(world, "inspector"),
    )
    assert response.status_code == 422 and response.get_json()["field"] == "photo"
