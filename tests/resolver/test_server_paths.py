"""The resolver on the app as a server runs it: the direct path in front of Flask
hands linkset and JSON-LD requests to the resolver, and names the linkset itself."""

from __future__ import annotations

from tests.verification import test_speed_paths

committed_labels = test_speed_paths.committed_labels
server_app = test_speed_paths.server_app


def test_plain_scan_on_the_direct_path_names_the_linkset(server_app, committed_labels):
    path = committed_labels.paths[0]
    response = server_app.test_client().get(path)
    assert response.status_code == 200
    item = path.split("?")[0]
    assert f"<https://trace.example.vn{item}?linkType=linkset>" in response.headers["Link"]


def test_linkset_accept_on_the_direct_path_gets_the_linkset(server_app, committed_labels):
    response = server_app.test_client().get(
        committed_labels.paths[0], headers={"Accept": "application/linkset+json"}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/linkset+json"


def test_ld_json_accept_on_the_direct_path_gets_the_passport(server_app, committed_labels):
    response = server_app.test_client().get(
        committed_labels.paths[0], headers={"Accept": "application/ld+json"}
    )
    assert response.mimetype == "application/ld+json"
    assert response.get_json(force=True)["type"] == "Product"
