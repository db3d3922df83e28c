"""The console leads to the value-chain pages: from the navigation and a batch's page."""

from __future__ import annotations

from tests.console.world import sign_in_as


def page(client, world, role: str, url: str) -> str:
    sign_in_as(client, world.users[role])
    return client.get(url).get_data(as_text=True)


def test_navigation_links_to_partners_for_every_role(client, world):
    assert all(
        'href="/console/chain/partners"' in page(client, world, role, "/console/")
        for role in ("union_officer", "operator_own", "inspector")
    )


def test_navigation_offers_epcis_import_to_the_union_officer(client, world):
    assert 'href="/console/chain/import"' in page(client, world, "union_officer", "/console/")


def test_navigation_hides_epcis_import_from_operators(client, world):
    assert 'href="/console/chain/import"' not in page(client, world, "operator_own", "/console/")


def test_batch_page_links_to_recording_a_step_and_exporting(client, world):
    html = page(client, world, "operator_own", f"/console/batches/{world.batch_a.id}")
    chain = f"/console/chain/batches/{world.batch_a.id}"
    assert (
        f'href="{chain}#record-step"' in html,
        f'href="{chain}/epcis.jsonld"' in html,
        f'href="{chain}#box-labels"' in html,
    ) == (True, True, True)


def test_batch_page_offers_the_union_officer_epcis_import(client, world):
    html = page(client, world, "union_officer", f"/console/batches/{world.batch_a.id}")
    assert 'href="/console/chain/import"' in html


def test_every_value_chain_link_on_the_batch_page_opens(client, world):
    html = page(client, world, "union_officer", f"/console/batches/{world.batch_a.id}")
    links = {link.split("#")[0] for link in _hrefs(html) if link.startswith("/console/chain")}
    assert {link: client.get(link).status_code for link in links} == dict.fromkeys(links, 200)


def _hrefs(html: str) -> list[str]:
    import re

    return re.findall(r'href="([^"]+)"', html)
