"""The GS1-conformant resolver: every level x link type x Accept header, checked
against GS1's published schemas and parsed with biip (a GS1 Digital Link parser)."""

from __future__ import annotations

from urllib.parse import urlsplit

import biip
import pytest

from traceapp.domain.resolver import LINK_TYPE_ALIASES, LinkType
from traceapp.domain.where_to_buy import WhereToBuyDetails, add_link
from traceapp.models import WhereToBuyKind
from traceapp.web.resolver_requests import resolver_request

BASE = "https://trace.example.vn"
LINKSET = "application/linkset+json"
JSON_LD = "application/ld+json"
ACCEPTS = (None, "text/html", LINKSET, JSON_LD, "application/json")
LEVELS = ("product", "batch", "item", "item_signed")
REQUESTED = (
    None, *LinkType, *LINK_TYPE_ALIASES, "linkset", "all", "gs1:allergenInfo", "nonsense",
)  # fmt: skip


def level_paths(labels) -> dict[str, tuple[str, str]]:
    """level -> (request path with its query string, the identifier's anchor)."""
    product = labels.batch.product
    gtin, lot = product.gtin, labels.batch.lot_code
    serial, signature = labels.labels[0].serial, labels.labels[0].signature
    item = f"/01/{gtin}/10/{lot}/21/{serial}"
    return {
        "product": (f"/01/{gtin}", f"{BASE}/01/{gtin}"),
        "batch": (f"/01/{gtin}/10/{lot}", f"{BASE}/01/{gtin}/10/{lot}"),
        "item": (item, f"{BASE}{item}"),
        "item_signed": (f"{item}?8030={signature}", f"{BASE}{item}"),
    }


def expected_links(labels, level: str) -> dict[str, list[str]]:
    """What each link type of `level` points to."""
    gtin, lot = labels.batch.product.gtin, labels.batch.lot_code
    batch_page = f"{BASE}/01/{gtin}/10/{lot}"
    links = {
        "gs1:pip": [f"{BASE}/01/{gtin}"],
        "gs1:hasRetailers": [
            "https://chocaobang.vn/bao-hung",
            "https://www.co-opmart.com.vn/cao-bang",
        ],
    }
    if level == "product":
        links["gs1:defaultLink"] = [f"{BASE}/01/{gtin}"]
        return links
    links.update(
        {
            "gs1:traceability": [batch_page],
            "gs1:certificationInfo": [f"{batch_page}#certifications"],
            "gs1:epcis": [f"{BASE}/epcis/01/{gtin}/10/{lot}"],
            "gs1:dpp": [f"{BASE}/passport/01/{gtin}/10/{lot}"],
            "gs1:defaultLink": [batch_page],
        }
    )
    if level.startswith("item"):
        item = f"{batch_page}/21/{labels.labels[0].serial}"
        links["gs1:verificationService"] = [item]
        links["gs1:defaultLink"] = [item]
    return links


def query_of(path: str) -> str:
    return urlsplit(path).query


def with_link_type(path: str, link_type: str | None) -> str:
    if link_type is None:
        return path
    return f"{path}{'&' if '?' in path else '?'}linkType={link_type}"


def test_every_level_link_type_and_accept_answers_as_the_standard_says(
    labelled, client, linkset_schema
):
    # Everything read from the database before the first request (see conftest).
    paths = level_paths(labelled)
    expectations = {level: expected_links(labelled, level) for level in LEVELS}
    product_name = labelled.batch.product.name
    for level in LEVELS:
        path, anchor = paths[level]
        expected = expectations[level]
        for requested in REQUESTED:
            for accept in ACCEPTS:
                headers = {"Accept": accept} if accept else {}
                url = with_link_type(path, requested)
                response = client.get(url, headers=headers)
                where = f"{level} linkType={requested} Accept={accept}"
                links = response.headers.getlist("Link")
                assert any(
                    link.startswith(f"<{anchor}?linkType=linkset>") and 'rel="linkset"' in link
                    for link in links
                ), f"{where}: no Link header naming the linkset ({links})"
                if requested in ("linkset", "all") or (
                    requested is None
                    and (
                        accept == LINKSET
                        or (accept == "application/json" and level in ("product", "batch"))
                    )
                ):
                    assert response.status_code == 200, where
                    assert response.mimetype == LINKSET, where
                    document = response.get_json(force=True)
                    linkset_schema.validate(document)
                    entry = document["linkset"][0]
                    assert entry["anchor"] == anchor, where
                    for link_type, hrefs in expected.items():
                        uri = "https://gs1.org/voc/" + link_type.removeprefix("gs1:")
                        assert [link["href"] for link in entry[uri]] == hrefs, where
                    continue
                if requested is None:
                    if accept == JSON_LD:
                        assert response.status_code == 200, where
                        assert response.mimetype == JSON_LD, where
                        assert response.get_json(force=True)["@context"], where
                    elif level.startswith("item"):
                        # The printed code's own page: the verification page, as before.
                        assert response.status_code == 200, where
                    else:
                        assert response.status_code == 200, where
                        assert response.mimetype == "text/html", where
                        assert product_name in response.get_data(as_text=True)
                    continue
                published = LINK_TYPE_ALIASES.get(str(requested), requested)
                targets = expected.get(str(published))
                if not targets:
                    assert response.status_code == 404, where
                    continue
                assert response.status_code == 307, where
                location = response.headers["Location"]
                target, _, rest = location.partition("?")
                if "#" in target or not rest:
                    assert location.split("?")[0].split("#")[0] in [
                        t.split("#")[0] for t in targets
                    ], where
                assert location.count("?") <= 1, f"{where}: {location}"
                assert "linkType" not in location, where
                passed = query_of(path)
                if passed and location.startswith(f"{BASE}/"):
                    assert passed in location, f"{where}: query string lost ({location})"
                elif passed:  # a shop's site: not the label's signature
                    assert "8030" not in location, f"{where}: {location}"
                base_target = location.split("?")[0]
                assert any(
                    base_target == t or location.startswith(t.split("#")[0]) for t in targets
                ), f"{where}: {location} not in {targets}"


def test_a_shop_with_a_vietnamese_host_is_published_as_a_valid_uri(
    labelled, client, db_session, linkset_schema
):
    add_link(
        db_session,
        labelled.batch.product,
        WhereToBuyDetails(
            WhereToBuyKind.COOPERATIVE_SHOP,
            "Cửa hàng đặc sản Cao Bằng",
            url="https://đặcsản-caobằng.vn/trứng-gà",
            languages=("vi",),
        ),
        "test",
    )
    db_session.flush()
    path, _ = level_paths(labelled)["batch"]
    document = client.get(f"{path}?linkType=linkset").get_json(force=True)
    linkset_schema.validate(document)
    shops = document["linkset"][0]["https://gs1.org/voc/hasRetailers"]
    assert shops[-1]["href"] == ("https://xn--csn-caobng-ukb6591gnfawc.vn/tr%E1%BB%A9ng-g%C3%A0")


def test_redirect_passes_the_query_string_on_exactly_once(labelled, client):
    path, _ = level_paths(labelled)["item_signed"]
    signature = labelled.labels[0].signature
    response = client.get(f"{path}&linkType=gs1:verificationService&lang=fr")
    assert response.status_code == 307
    location = response.headers["Location"]
    assert location == f"{BASE}{path.split('?')[0]}?8030={signature}&lang=fr"


def test_a_shop_gets_the_query_string_but_not_the_signature_or_the_place(labelled, client):
    path, _ = level_paths(labelled)["item_signed"]
    response = client.get(
        f"{path}&linkType=gs1:hasRetailers&lat=22.66&lon=106.26&utm_source=tem&lang=vi"
    )
    assert response.status_code == 307
    assert response.headers["Location"] == ("https://chocaobang.vn/bao-hung?utm_source=tem&lang=vi")


def test_query_string_goes_before_a_fragment_with_no_second_question_mark(labelled, client):
    gtin, lot = labelled.batch.product.gtin, labelled.batch.lot_code
    response = client.get(f"/01/{gtin}/10/{lot}?linkType=gs1:certificationInfo&x=a%20b")
    assert response.headers["Location"] == f"{BASE}/01/{gtin}/10/{lot}?x=a%20b#certifications"


def test_signature_survives_the_redirect_to_the_verification_page(labelled, client):
    path, _ = level_paths(labelled)["item_signed"]
    response = client.get(f"{path}&linkType=gs1:verificationService")
    target = response.headers["Location"].removeprefix(BASE)
    page = client.get(target, headers={"Accept": "application/json"}).get_json()
    assert page["verdict"] == "genuine"


def test_link_type_may_be_given_as_a_full_uri(labelled, client):
    gtin = labelled.batch.product.gtin
    response = client.get(f"/01/{gtin}?linkType=https://gs1.org/voc/pip")
    assert response.status_code == 307
    assert response.headers["Location"] == f"{BASE}/01/{gtin}"


def test_unknown_link_type_is_404_naming_what_is_available(labelled, client):
    gtin = labelled.batch.product.gtin
    response = client.get(
        f"/01/{gtin}?linkType=gs1:allergenInfo", headers={"Accept": "application/json"}
    )
    assert response.status_code == 404
    assert "gs1:pip" in response.get_json()["detail"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/01/08936001000019", 400),  # wrong check digit
        ("/01/89360010", 400),  # GTIN-8 with a wrong check digit
        ("/01/abc", 400),
        ("/01/08936001000126", 404),  # well formed, never registered here
        ("/01/08936001000010/10/%00", 400),  # NUL: not in GS1's character set 82
        ("/01/08936001000010/10/" + "L" * 21, 400),  # AI 10 has at most 20 characters
        ("/01/08936001000010/10/L1/21/%C3%A9?linkType=linkset", 400),
    ],
)
def test_bad_and_unknown_gtins(labelled, client, path, status):
    assert client.get(path, headers={"Accept": "application/json"}).status_code == status


def test_draft_batch_is_not_resolved(factory, client):
    batch = factory.batch()
    response = client.get(f"/01/{batch.product.gtin}/10/{batch.lot_code}")
    assert response.status_code == 404


def test_unissued_serial_is_not_resolved(labelled, client):
    gtin, lot = labelled.batch.product.gtin, labelled.batch.lot_code
    response = client.get(f"/01/{gtin}/10/{lot}/21/NEVER1?linkType=linkset")
    assert response.status_code == 404


def test_trailing_slash_is_tolerated(labelled, client):
    gtin = labelled.batch.product.gtin
    assert client.get(f"/01/{gtin}/?linkType=linkset").status_code == 200


def test_head_answers_like_get(labelled, client):
    gtin = labelled.batch.product.gtin
    assert client.head(f"/01/{gtin}?linkType=gs1:pip").status_code == 307


def test_preflight_allows_cross_origin_reads(labelled, client):
    gtin = labelled.batch.product.gtin
    response = client.options(f"/01/{gtin}")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_answers_allow_cross_origin_reads(labelled, client):
    gtin = labelled.batch.product.gtin
    response = client.get(f"/01/{gtin}?linkType=linkset")
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_biip_parses_every_identifier_and_resolver_link(labelled, client):
    for level, (path, _anchor) in level_paths(labelled).items():
        document = client.get(with_link_type(path, "linkset")).get_json(force=True)
        entry = document["linkset"][0]
        parsed = biip.parse(entry["anchor"])
        assert parsed.gs1_digital_link_uri is not None, level
        assert parsed.gtin.value == labelled.batch.product.gtin
        for key, links in entry.items():
            if not key.startswith("https://gs1.org/voc/"):
                continue
            for link in links:
                href = link["href"].split("#")[0]
                if urlsplit(href).path.startswith("/01/"):
                    assert biip.parse(href).gs1_digital_link_uri is not None, href
    signed, _ = level_paths(labelled)["item_signed"]
    assert biip.parse(f"{BASE}{signed}").gs1_digital_link_uri is not None


def test_description_file_is_valid_against_gs1_schema(client, description_schema):
    response = client.get("/.well-known/gs1resolver")
    assert response.status_code == 200
    document = response.get_json()
    description_schema.validate(document)
    assert document["resolverRoot"] == BASE
    assert document["supportedPrimaryKeys"] == ["01"]


def test_shipped_description_schema_is_gs1s_published_bytes():
    import hashlib

    from tests.resolver.conftest import SCHEMAS

    data = (SCHEMAS / "gs1-resolver-description-file-schema.json").read_bytes()
    # sha256 of what ref.gs1.org served for resolver 1.2.0 (docs/resolver.md).
    assert (
        hashlib.sha256(data).hexdigest()
        == "99d505c7aa2004cde3277651e8db0e019eab61d2746b2631ddab3fec8a13617e"
    )


@pytest.mark.parametrize(
    ("path", "query", "accept", "expected"),
    [
        ("/01/08936001000010", "", None, True),
        ("/01/08936001000010/", "", "text/html", True),
        ("/01/08936001000010/10/L1", "", None, True),
        ("/01/08936001000010/10/L1/21/S1", "8030=abc", "text/html", False),
        ("/01/08936001000010/10/L1/21/S1", "8030=abc", "application/json", False),
        ("/01/08936001000010/10/L1/21/S1", "8030=abc&linkType=gs1:pip", None, True),
        ("/01/08936001000010/10/L1/21/S1", "linkType=", None, False),
        ("/01/08936001000010/10/L1/21/S1", "", "application/linkset+json", True),
        ("/01/08936001000010/10/L1/21/S1", "", "application/ld+json", True),
        ("/p/BH-EGG/10/L1/21/S1", "linkType=gs1:pip", None, False),
        ("/api/v1/verify", "", None, False),
    ],
)
def test_which_requests_are_the_resolvers(path, query, accept, expected):
    assert resolver_request(path, query, accept) is expected
