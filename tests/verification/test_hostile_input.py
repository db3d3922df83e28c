"""Whatever is typed into a code's URL: a clear answer, never a 500, never reflected markup."""

from __future__ import annotations

from urllib.parse import quote

import pytest

SCRIPT = "<script>alert(1)</script>"
SQL = "' OR 1=1; DROP TABLE labels; --"


def hostile_paths(path: str, gtin: str, lot: str, serial: str, signature: str) -> list[str]:
    paths = []
    for payload in (SCRIPT, SQL, "\u0000", "%", "🥚", "../../etc/passwd"):
        escaped = quote(payload, safe="")
        paths += [
            path.replace(f"/01/{gtin}/", f"/01/{escaped}/"),
            path.replace(f"/10/{lot}/", f"/10/{escaped}/"),
            path.replace(f"/21/{serial}", f"/21/{escaped}"),
            path.replace(signature, escaped),
            path + "&lang=" + escaped,
            path + "&lat=" + escaped + "&lon=" + escaped,
            f"/p/{escaped}/10/{lot}/21/{serial}?8030={signature}",
        ]
    return paths


def test_hostile_parameters_never_error_or_reflect_markup(client, issued):
    label = issued.labels[0]
    paths = hostile_paths(
        issued.path(0),
        issued.batch.product.gtin,
        issued.batch.lot_code,
        label.serial,
        label.signature,
    )
    for path in paths:
        for accept in ("text/html", "application/json"):
            response = client.get(path, headers={"Accept": accept})
            assert response.status_code < 500, path
            assert SCRIPT not in response.get_data(as_text=True), path


def test_hostile_region_header_is_not_reflected(client, issued):
    response = client.get(issued.path(0), headers={"CF-IPCountry": SCRIPT})
    assert SCRIPT not in response.get_data(as_text=True)


@pytest.mark.parametrize("cut", [1, 10, 60, 89])
def test_truncated_signature_is_not_genuine(client, issued, cut):
    path = issued.path(0)
    document = client.get(path[: len(path) - cut], headers={"Accept": "application/json"})
    assert document.get_json()["verdict"] == "not_genuine"


def test_truncated_path_is_the_batch_page_without_a_verdict(client, issued):
    # /01/{gtin}/10/{lot} is the GS1 resolver's batch level (docs/resolver.md).
    response = client.get(issued.path(0).split("/21/")[0])
    assert response.status_code == 200
    assert 'data-verdict="genuine"' not in response.get_data(as_text=True)


def test_truncated_path_of_unknown_lot_is_not_found(client, issued):
    path = issued.path(0).split("/10/")[0] + "/10/NO-SUCH-LOT"
    assert client.get(path).status_code == 404


def test_missing_signature_is_not_genuine(client, issued):
    response = client.get(issued.path(0).split("?")[0], headers={"Accept": "application/json"})
    assert response.get_json()["reason"] == "malformed"


def test_over_long_url_is_not_genuine(client, issued):
    path = issued.path(0) + "A" * 5000
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.get_json()["reason"] == "malformed"


def test_over_long_serial_is_not_genuine(client, issued):
    serial = issued.labels[0].serial
    response = client.get(
        issued.path(0).replace(serial, serial * 40), headers={"Accept": "application/json"}
    )
    assert response.get_json()["verdict"] == "not_genuine"


def test_api_without_code_is_a_422_problem(client):
    response = client.get("/api/v1/verify")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_api_with_huge_code_is_a_422_problem(client):
    response = client.get("/api/v1/verify", query_string={"code": "x" * 10_000})
    assert response.status_code == 422


def test_api_with_markup_code_does_not_reflect_it(client):
    response = client.get("/api/v1/verify", query_string={"code": SCRIPT})
    assert response.status_code == 200 and SCRIPT not in response.get_data(as_text=True)
