"""The JSON answer for apps, the public key document, and cache headers."""

from __future__ import annotations

from traceapp.domain.batches import recall_batch


def test_accept_json_gets_the_verdict_document(client, issued):
    response = client.get(issued.path(0), headers={"Accept": "application/json"})
    document = response.get_json()
    assert response.mimetype == "application/json"
    assert (document["verdict"], document["genuine"]) == ("genuine", True)


def test_json_document_carries_product_batch_and_certifications(client, issued):
    document = client.get(issued.path(0), headers={"Accept": "application/json"}).get_json()
    assert document["product"]["gtin"] == issued.batch.product.gtin
    assert document["batch"]["lot"] == issued.batch.lot_code
    assert document["certifications"][0]["valid_today"] is True


def test_api_verify_takes_the_whole_code(client, issued):
    response = client.get("/api/v1/verify", query_string={"code": issued.uris[0]})
    assert response.get_json()["code"]["serial"] == issued.labels[0].serial


def test_api_verify_ignores_the_base_url_of_the_code(client, issued):
    code = issued.uris[0].replace("https://trace.example.vn", "https://old-domain.example")
    assert client.get("/api/v1/verify", query_string={"code": code}).get_json()["genuine"]


def test_page_must_be_revalidated_every_time(client, issued):
    headers = client.get(issued.path(0)).headers
    assert "no-cache" in headers["Cache-Control"] and headers["ETag"]


def test_page_varies_on_accept_language_and_cookie(client, issued):
    vary = client.get(issued.path(0)).headers["Vary"]
    assert all(name in vary for name in ("Accept", "Accept-Language", "Cookie"))


def test_recall_changes_the_answer_to_a_conditional_request(client, issued, db_session):
    first = client.get(issued.path(0), headers={"Accept-Language": "en"})
    recall_batch(db_session, issued.batch, "Salmonella", "test")
    again = client.get(
        issued.path(0), headers={"Accept-Language": "en", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 200 and "verdict-recalled" in again.get_data(as_text=True)


def test_public_key_document_lists_the_instance_keys(client, issued, keystore):
    response = client.get("/.well-known/traceapp-keys.json")
    kids = [key["kid"] for key in response.get_json()["keys"]]
    assert kids == [info.kid for info in keystore.list()]


def test_public_key_document_is_cached_briefly(client, issued):
    response = client.get("/keys.json")
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_public_key_document_has_no_private_material(client, issued):
    text = client.get("/keys.json").get_data(as_text=True)
    assert '"d"' not in text and "PRIVATE" not in text
