"""One answer to a scan: the code's URL, its JSON twin, /api/v1/verify and
`traceapp verify` agree on every text; malformed text under the code routes is the
red page with 404; headers, methods and languages are decided once."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from urllib.parse import unquote

import pytest

from keys.verdicts import EXIT_CODES
from tests.conftest import lose_the_key_index
from traceapp.web.public import SCAN_BUFFER

JSON = {"Accept": "application/json"}
# What `traceapp verify --keys` can tell without the issuer's records.
OFFLINE_VERDICTS = ("malformed", "tampered", "unknown_key", "revoked_key")
EN = {"Accept-Language": "en"}


def get(client, path: str, **kwargs):
    """GET `path` exactly as written (the test client would read `//01/...` as a host)."""
    head, _, query = path.partition("?")
    overrides = {"PATH_INFO": unquote(head, encoding="latin-1"), "RAW_URI": path}
    overrides["QUERY_STRING"] = query
    return client.get("/", environ_overrides=overrides, **kwargs)


def twin(client, path: str):
    return get(client, path, headers=JSON)


def api(client, text: str):
    return client.get("/api/v1/verify", query_string={"code": text})


def variants(issued, test_settings) -> dict[str, str]:
    """Paths (with query) of one code, spelled many ways: name -> path."""
    path = issued.path(0)
    head, _, signature = path.partition("?")
    gtin = issued.batch.product.gtin
    escaped_head = head.replace(f"/01/{gtin}", f"/01/%3{gtin[0]}{gtin[1:]}", 1)
    return {
        "as printed": path,
        "with lang": f"{path}&lang=en",
        "with a location": f"{path}&lat=22.66&lon=106.25",
        "percent-encoded digit": f"{escaped_head}?{signature}",
        "percent-encoded signature name": f"{head}?%38030={signature.partition('=')[2]}",
        "unknown parameter": f"{path}&utm_source=zalo",
        "repeated signature": f"{path}&{signature}",
        "doubled slash first": f"/{path}",
        "doubled slash inside": path.replace("/10/", "//10/", 1),
        "escaped slash in the lot": path.replace(
            f"/10/{issued.batch.lot_code}", f"/10/{issued.batch.lot_code}%2FX", 1
        ),
        "trailing slash": f"{head}/?{signature}",
        "upper-case P": path.replace("/01/", "/P/", 1),
        "forged serial": path.replace(issued.labels[0].serial, "0000000000AB"),
        "no signature": head,
    }


def own_parameters_removed(path: str) -> str:
    head, _, query = path.partition("?")
    kept = [p for p in query.split("&") if p and p.split("=")[0] not in ("lang", "lat", "lon")]
    return head + ("?" + "&".join(kept) if kept else "")


def test_page_json_twin_api_and_cli_give_one_verdict_for_every_spelling(
    client, issued, test_settings, keyset, run_cli, tmp_path
):
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps(keyset.to_dict()))
    for name, path in variants(issued, test_settings).items():
        text = test_settings.public_base_url + own_parameters_removed(path)
        page = get(client, path, headers=EN)
        twin_document = twin(client, path).get_json()
        api_document = api(client, text).get_json()
        cli = run_cli("verify", text, "--keys", str(keys_file))
        verdict = twin_document["verdict"]
        assert f'data-verdict="{verdict}"' in page.get_data(as_text=True), name
        for document in (twin_document, api_document):
            document.pop("scans")  # each request is one more scan
        assert twin_document == api_document, name
        # Offline, with the key document only, the signature's verdict is the one left.
        reason = twin_document["reason"]
        offline = reason if reason in OFFLINE_VERDICTS else "genuine"
        assert cli.exit_code == EXIT_CODES[offline], name


@pytest.mark.parametrize(
    "name",
    [
        "doubled slash first",
        "doubled slash inside",
        "escaped slash in the lot",
        "trailing slash",
        "upper-case P",
    ],
)
def test_malformed_path_under_the_code_routes_is_the_red_page_with_404(
    client, issued, test_settings, name
):
    response = get(client, variants(issued, test_settings)[name], headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert 'class="verdict verdict-not_genuine"' in page and "✗ Not genuine" in page


@pytest.mark.parametrize("name", ["unknown parameter", "repeated signature", "no signature"])
def test_a_code_path_with_a_malformed_query_is_the_red_page(client, issued, test_settings, name):
    # The item URI itself is well formed (a GS1 resolver's item level): 200, not found
    # nothing; what keys/ refuses is the query, and the page says so in red.
    response = get(client, variants(issued, test_settings)[name], headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-verdict="not_genuine"' in page
    assert twin(client, variants(issued, test_settings)[name]).get_json()["reason"] == "malformed"


@pytest.mark.parametrize(
    "name",
    [
        "as printed",
        "with lang",
        "with a location",
        "percent-encoded digit",
        "percent-encoded signature name",
    ],
)
def test_the_same_label_spelled_another_documented_way_is_genuine(
    client, issued, test_settings, name
):
    response = twin(client, variants(issued, test_settings)[name])
    assert (response.status_code, response.get_json()["verdict"]) == (200, "genuine")


def test_api_calls_malformed_text_malformed_with_200(client, issued, test_settings):
    text = test_settings.public_base_url + "/" + issued.path(0)
    response = api(client, text)
    assert (response.status_code, response.get_json()["reason"]) == (200, "malformed")


def test_page_links_keep_the_code_and_switch_the_language(client, issued):
    page = client.get(issued.path(0), headers=EN).get_data(as_text=True)
    expected = issued.path(0).replace("&", "&amp;") + "&amp;lang=vi"
    assert f'href="{expected}"' in page


def test_asked_language_is_remembered_in_a_cookie(client, issued):
    response = client.get(issued.path(0) + "&lang=fr")
    assert "lang=fr" in response.headers["Set-Cookie"]
    assert 'lang="fr"' in response.get_data(as_text=True)


def test_head_answers_the_headers_without_a_body(client, issued):
    head = client.head(issued.path(0))
    get = client.get(issued.path(0))
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]


def test_post_to_a_code_is_refused_with_405(client, issued):
    response = client.post(issued.path(0), headers=JSON)
    assert response.status_code == 405 and response.headers["Allow"] == "GET, HEAD"


def test_unchanged_answer_is_304_to_its_etag(client, issued, test_settings):
    # A code that matches no label has no scan count, so its answer does not change.
    forged = variants(issued, test_settings)["forged serial"]
    first = client.get(forged, headers=JSON)
    again = client.get(forged, headers={**JSON, "If-None-Match": first.headers["ETag"]})
    assert (again.status_code, again.get_data()) == (304, b"")


def test_a_genuine_page_changes_with_every_scan(client, issued):
    first = client.get(issued.path(1), headers=JSON)
    again = client.get(issued.path(1), headers={**JSON, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.get_json()["scans"]["count"] == 2


def test_scan_answers_carry_the_security_and_cache_headers(client, issued):
    headers = client.get(issued.path(0)).headers
    assert headers["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in headers
    assert headers["Cache-Control"].startswith("no-cache")


@pytest.mark.parametrize("damage", ["unreadable index", "index file", "key directory"])
def test_a_key_store_unreadable_or_missing_once_labels_exist_answers_503_never_not_genuine(
    client, issued, test_settings, caplog, damage
):
    if damage == "unreadable index":
        (test_settings.keys_dir / "keys.json").write_text("{not json")
    else:
        lose_the_key_index(test_settings.keys_dir, damage)
    with caplog.at_level(logging.ERROR):
        page = client.get(issued.path(0), headers=EN)
        document = twin(client, issued.path(0))
        by_api = api(client, issued.uris[0])
        keys = client.get("/keys.json")
    assert [r.status_code for r in (page, document, by_api, keys)] == [503] * 4
    assert "Verification temporarily unavailable" in page.get_data(as_text=True)
    assert "not_genuine" not in page.get_data(as_text=True)
    assert document.mimetype == "application/problem+json"
    assert "key store cannot be read" in caplog.text and "keys.json" in caplog.text


def test_a_fresh_instance_with_no_label_and_no_key_store_publishes_an_empty_key_set(
    client, test_settings
):
    assert not test_settings.keys_dir.exists()
    response = client.get("/keys.json")
    assert (response.status_code, response.get_json()["keys"]) == (200, [])


def test_key_store_read_again_once_it_is_repaired(client, issued, test_settings, keystore):
    index = test_settings.keys_dir / "keys.json"
    good = index.read_text()
    index.write_text("{not json")
    assert twin(client, issued.path(0)).status_code == 503
    index.write_text(good)
    assert twin(client, issued.path(0)).get_json()["verdict"] == "genuine"


def test_a_database_that_cannot_be_reached_is_a_503_page_not_a_traceback(
    make_app, test_settings, issued, caplog
):
    unreachable = test_settings.database_url.replace("127.0.0.1:5432", "127.0.0.1:9")
    if unreachable == test_settings.database_url:  # SQLite: a directory is no database file
        unreachable = f"sqlite:///{test_settings.instance_dir}"
    app = make_app(replace(test_settings, database_url=unreachable))
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get(issued.path(0))
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "Tạm thời không kiểm tra được" in page and "Traceback" not in page
    assert "the database cannot be reached" in caplog.text


def test_behind_a_proxy_each_client_has_its_own_limit(
    make_app, test_settings, session_factory, issued
):
    settings = replace(test_settings, proxy_hops=1, rate_limits=True, rate_limit_public="2/minute")
    app = make_app(settings, session_factory=session_factory)
    client = app.test_client()
    statuses = [
        client.get(issued.path(n), headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
        for n in range(3)
    ]
    again = client.get(issued.path(0), headers={"X-Forwarded-For": "203.0.113.0"})
    third = client.get(issued.path(1), headers={"X-Forwarded-For": "203.0.113.0"})
    app.extensions[SCAN_BUFFER].close()
    assert statuses == [200, 200, 200] and (again.status_code, third.status_code) == (200, 429)
