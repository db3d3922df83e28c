"""Errors reach people as problem details or a page, never a traceback."""

from __future__ import annotations


def test_unknown_api_path_is_a_json_problem(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404


def test_unknown_page_is_an_html_page_in_the_readers_language(client):
    response = client.get("/nothing-here", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "<h1>Không tìm thấy trang</h1>" in response.get_data(as_text=True)
    english = client.get("/nothing-here", headers={"Accept-Language": "en"})
    assert "<h1>Page not found</h1>" in english.get_data(as_text=True)


def test_health_check_reaches_the_database(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
