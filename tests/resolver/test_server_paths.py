"""The resolver on the app as a server runs it: the scan front (web/public/scan.py)
hands linkset and JSON-LD requests to the resolver, and names the linkset itself."""

from __future__ import annotations


def test_plain_scan_on_the_scan_front_names_the_linkset(server_app, committed_labels):
    path = committed_labels.paths[0]
    response = server_app.test_client().get(path)
    assert response.status_code == 200
    item = path.split("?")[0]
    assert f"<https://trace.example.vn{item}?linkType=linkset>" in response.headers["Link"]


def test_linkset_accept_on_the_scan_front_gets_the_linkset(server_app, committed_labels):
    response = server_app.test_client().get(
        committed_labels.paths[0], headers={"Accept": "application/linkset+json"}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/linkset+json"


def test_ld_json_accept_on_the_scan_front_gets_the_passport(server_app, committed_labels):
    response = server_app.test_client().get(
        committed_labels.paths[0], headers={"Accept": "application/ld+json"}
    )
    assert response.mimetype == "application/ld+json"
    assert response.get_json(force=True)["type"] == "Product"
