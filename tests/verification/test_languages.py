"""The page speaks Vietnamese by default, English or French on request, and remembers."""

from __future__ import annotations


def test_vietnamese_page_says_tem_that(client, issued):
    page = client.get(issued.path(0), headers={"Accept-Language": "vi-VN,vi;q=0.9"})
    assert "Tem thật" in page.get_data(as_text=True)


def test_english_page_says_genuine(client, issued):
    page = client.get(issued.path(0), headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Genuine" in page.get_data(as_text=True)


def test_french_page_says_authentique(client, issued):
    page = client.get(issued.path(0), headers={"Accept-Language": "fr"})
    assert "Authentique" in page.get_data(as_text=True)


def test_unsupported_language_falls_back_to_vietnamese(client, issued):
    page = client.get(issued.path(0), headers={"Accept-Language": "de"})
    assert '<html lang="vi">' in page.get_data(as_text=True)


def test_lang_parameter_overrides_accept_language(client, issued):
    page = client.get(issued.path(0) + "&lang=en", headers={"Accept-Language": "vi"})
    assert "Genuine" in page.get_data(as_text=True)


def test_chosen_language_is_remembered_in_a_cookie(client, issued):
    client.get(issued.path(0) + "&lang=en", headers={"Accept-Language": "vi"})
    page = client.get(issued.path(1), headers={"Accept-Language": "vi"})
    assert "Genuine" in page.get_data(as_text=True)


def test_page_links_to_every_language_keeping_the_signature(client, issued):
    page = client.get(issued.path(0)).get_data(as_text=True)
    signature = issued.labels[0].signature
    for code in ("vi", "en", "fr"):
        assert f"8030={signature}&amp;lang={code}" in page


def test_not_genuine_verdict_is_translated(client, issued):
    forged = issued.path(0).replace(issued.batch.lot_code, "XX")
    page = client.get(forged, headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "Không phải tem thật" in page


def test_json_message_follows_the_language(client, issued):
    document = client.get(
        issued.path(0), headers={"Accept": "application/json", "Accept-Language": "vi"}
    ).get_json()
    assert document["title"] == "Tem thật"


def test_certification_schemes_are_named_in_the_readers_language(client, issued):
    vietnamese = client.get(issued.path(0), headers={"Accept-Language": "vi"})
    english = client.get(issued.path(0), headers={"Accept-Language": "en"})
    assert "Nuôi bằng thảo dược" in vietnamese.get_data(as_text=True)
    assert "Herbal-fed" in english.get_data(as_text=True)
