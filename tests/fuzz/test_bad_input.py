"""Bad input found by attacking the service (issue 13, item 10): each answered with a
clear 4xx, never a 500, with or without a session cookie."""

from __future__ import annotations

import io
import json
import re

import pytest

from tests.console.world import bearer, fill_rule, sign_in_as
from traceapp.web.openapi import openapi_document

TOO_BIG = "2147483648"
DEEP = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 1500 + "1" + "}" * 1500


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "with-session-cookie"])
def test_proof_of_a_run_past_integer_is_a_422(client, world, signed_in):
    if signed_in:
        sign_in_as(client, world.users["union_officer"])

    response = client.get(f"/transparency/proof?run={TOO_BIG}")

    assert response.status_code == 422
    # The limit, written the reader's way (2.147.483.647 in Vietnamese).
    digits = re.sub(r"(?<=\d)[.,\u202f\xa0](?=\d)", "", response.get_data(as_text=True))
    assert "2147483647" in digits


def test_console_lookup_of_a_batch_past_integer_is_a_422(client, world):
    sign_in_as(client, world.users["inspector"])

    response = client.get(f"/console/lookup?batch_id={TOO_BIG}")

    assert response.status_code == 422


def test_log_entries_from_an_id_past_integer_is_a_422(client, world):
    sign_in_as(client, world.users["union_officer"])

    response = client.get(f"/transparency/entries?from={TOO_BIG}")

    assert response.status_code == 422


def test_issuing_more_labels_than_a_number_can_be_written_is_a_422(client, world):
    # The fuzz run's find: the refused count went on the button, and Babel cannot
    # format a 40-digit number.
    sign_in_as(client, world.users["union_officer"])

    response = client.post(
        f"/console/batches/{world.batch_a.id}/issuance",
        data={"count": "9" * 40, "label_language": "vi"},
    )

    assert response.status_code == 422


def json_post_urls(app, world) -> list[str]:
    """Every POST that reads a JSON body (the OpenAPI document says which do)."""
    with_body = {
        path
        for path, item in openapi_document()["paths"].items()
        if "requestBody" in item.get("post", {})
    }
    urls = []
    for rule in app.url_map.iter_rules():
        documented = re.sub(r"<(?:int:)?([a-z_]+)>", r"{\1}", rule.rule)
        if "POST" in rule.methods and documented in with_body:
            urls.append(fill_rule(rule, world))
    assert len(urls) == len(with_body)
    return sorted(urls)


@pytest.mark.parametrize(
    "body",
    [DEEP, DEEP_OBJECT, '{"name": "\\ud800", "x": ["\\udfff"]}', '{"\\ud800": 1}'],
    ids=["deep-array", "deep-object", "lone-surrogate-value", "lone-surrogate-key"],
)
def test_every_json_post_refuses_deep_nesting_and_lone_surrogates(app, client, world, body):
    answers = {
        url: client.post(
            url, data=body, content_type="application/json", headers=bearer(world, "union_officer")
        )
        for url in json_post_urls(app, world)
    }

    assert answers
    for url, response in answers.items():
        assert 400 <= response.status_code < 500, (url, response.status_code)
        if response.status_code == 422:
            detail = response.get_json()["detail"]
            assert "nested" in detail or "surrogate" in detail, (url, detail)


def test_a_document_nested_64_levels_is_still_read(client, world):
    body = {"name": "Siêu thị Hà Nội", "role": "retailer", "extra": json.loads("[" * 60 + "]" * 60)}

    response = client.post("/api/v1/partners", json=body, headers=bearer(world, "union_officer"))

    assert response.status_code != 422 or "nested" not in response.get_json()["detail"]


BODY_CAP = 8 * 1024 * 1024


@pytest.mark.parametrize("size", [BODY_CAP - 1024, BODY_CAP + 1], ids=["under-8-MB", "over-8-MB"])
def test_a_request_body_over_8_mb_is_a_413_problem(client, world, size):
    body = b'{"name": "' + b"x" * (size - 12) + b'"}'

    response = client.post(
        "/api/v1/partners",
        data=body,
        content_type="application/json",
        headers=bearer(world, "union_officer"),
    )

    if size <= BODY_CAP:
        assert response.status_code != 413
    else:
        assert response.status_code == 413
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == 413


def test_an_upload_over_8_mb_is_a_413_page(client, world):
    sign_in_as(client, world.users["union_officer"])
    document = io.BytesIO(b"[" + b" " * BODY_CAP + b"]")

    response = client.post(
        "/console/chain/import",
        data={"document": (document, "events.jsonld")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 413 and response.mimetype == "text/html"


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (DEEP.encode(), "nested"),
        (DEEP_OBJECT.encode(), "nested"),
        (b'{"type": "EPCISDocument", "x": "\\ud800"}', "surrogate"),
        (b'{"type": "EPCISDocument", ', "Expecting"),
        (b'{"type": "EPCISDocument", "x": "\xff\xfe"}', "utf-8"),
    ],
    ids=["deep-array", "deep-object", "lone-surrogate", "cut-short", "not-utf-8"],
)
def test_an_uploaded_epcis_document_nested_too_deep_or_broken_is_a_422(
    client, world, document, reason
):
    sign_in_as(client, world.users["union_officer"])

    response = client.post(
        "/console/chain/import",
        data={"document": (io.BytesIO(document), "events.jsonld")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert reason in response.get_data(as_text=True)
