"""One verdict per kind of code, through the public page and the domain function."""

from __future__ import annotations

from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys.signing import CodeSigner, new_serials
from traceapp.clock import today_local
from traceapp.domain.batches import recall_batch
from traceapp.domain.signing_keys import active_signer
from traceapp.domain.verification import session_verifier
from traceapp.domain.voiding import void_label
from traceapp.models import Certification

EN = {"Accept-Language": "en"}


def verdict_of(client, path: str) -> dict:
    return client.get(path, headers={"Accept": "application/json"}).get_json()


def path_of(uri: str) -> str:
    return uri[uri.index("/", len("https://")) :]


def test_issued_label_is_genuine(client, issued):
    response = client.get(issued.path(0), headers=EN)
    assert response.status_code == 200
    assert "✓ Genuine" in response.get_data(as_text=True)


def test_label_of_product_without_gtin_is_genuine(client, issue, factory):
    labels = issue(1, factory=factory, with_gtin=False)
    assert "/p/" in labels.uris[0]
    assert verdict_of(client, labels.path(0))["verdict"] == "genuine"


def test_genuine_page_shows_product_cooperative_origin_and_dates(client, issued):
    page = client.get(issued.path(0), headers=EN).get_data(as_text=True)
    batch = issued.batch
    for expected in (
        batch.product.name,
        batch.cooperative.name,
        batch.origin_farm,
        batch.lot_code,
        "Produced on",
        "Best before",
    ):
        assert expected in page


def test_genuine_page_lists_each_certification_with_number_issuer_and_validity(
    client, issued, db_session
):
    certification = db_session.query(Certification).filter_by(batch_id=issued.batch.id).one()
    page = client.get(issued.path(0), headers=EN).get_data(as_text=True)
    assert certification.certificate_number in page
    assert certification.issuing_body in page
    assert "Valid from" in page


def test_lab_results_show_the_lab_test_claim(client, issue, factory):
    batch = factory.batch(certified=True)
    factory.certification(batch, scheme="lab_test")
    labels = issue(1, batch)
    page = client.get(labels.path(0), headers=EN).get_data(as_text=True)
    assert "Lab results" in page


def test_history_lists_certification_and_issuance(client, issued):
    history = verdict_of(client, issued.path(0))["history"]
    assert [event["event"] for event in history] == ["certified", "issued"]


def test_altered_signature_is_not_genuine(client, issued):
    path = issued.path(0)
    last = path[-1]
    forged = path[:-2] + ("A" if path[-2] != "A" else "B") + last
    document = verdict_of(client, forged)
    assert (document["verdict"], document["reason"]) in (
        ("not_genuine", "tampered"),
        ("not_genuine", "malformed"),
    )


def test_altered_serial_is_not_genuine(client, issued):
    other = new_serials(1)[0]
    forged = issued.path(0).replace(issued.labels[0].serial, other)
    assert verdict_of(client, forged)["reason"] == "tampered"


def test_altered_lot_is_not_genuine(client, issued):
    forged = issued.path(0).replace(f"/10/{issued.batch.lot_code}/", "/10/OTHER-LOT/")
    assert verdict_of(client, forged)["reason"] == "tampered"


def test_altered_gtin_with_valid_check_digit_is_not_genuine(client, issued):
    gtin = issued.batch.product.gtin
    forged = issued.path(0).replace(gtin, "08936001000010")
    assert verdict_of(client, forged)["reason"] == "tampered"


def test_gtin_with_wrong_check_digit_is_malformed(client, issued):
    gtin = issued.batch.product.gtin
    wrong = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
    document = verdict_of(client, issued.path(0).replace(gtin, wrong))
    assert (document["verdict"], document["reason"]) == ("not_genuine", "malformed")


def test_code_signed_by_unpublished_key_is_not_genuine(client, issued, test_settings, keystore):
    used = {key.kid for key in keystore.list()}
    kid = next(k for k in ("Zz", "Zy", "Zx") if k not in used)
    stranger = CodeSigner(
        Ed25519PrivateKey.generate(), kid, test_settings.issuer, test_settings.public_base_url
    )
    uri = stranger.sign(
        gtin=issued.batch.product.gtin, lot=issued.batch.lot_code, serial=issued.labels[0].serial
    )
    assert verdict_of(client, path_of(uri))["reason"] == "unknown_key"


def test_well_signed_code_never_issued_is_not_genuine(client, issued, test_settings):
    uri = active_signer(test_settings).sign(
        gtin=issued.batch.product.gtin, lot=issued.batch.lot_code, serial=new_serials(1)[0]
    )
    document = verdict_of(client, path_of(uri))
    assert (document["verdict"], document["reason"]) == ("not_genuine", "unknown_code")


def test_not_genuine_page_says_so_in_red(client, issued):
    forged = issued.path(0).replace(issued.labels[0].serial, new_serials(1)[0])
    page = client.get(forged, headers=EN).get_data(as_text=True)
    assert 'class="verdict verdict-not_genuine"' in page and "✗ Not genuine" in page


def test_label_signed_by_revoked_key_says_revoked(client, issued, keystore):
    keystore.revoke(issued.labels[0].key_id)
    assert verdict_of(client, issued.path(0))["verdict"] == "revoked_key"


def test_voided_label_says_voided(client, issued, db_session):
    void_label(db_session, issued.batch.id, issued.labels[0].serial, "Tem bị rách", "test")
    assert verdict_of(client, issued.path(0))["verdict"] == "voided"


def test_other_labels_of_the_run_stay_genuine_after_one_is_voided(client, issued, db_session):
    void_label(db_session, issued.batch.id, issued.labels[0].serial, "Tem bị rách", "test")
    assert verdict_of(client, issued.path(1))["verdict"] == "genuine"


def test_recalled_batch_says_recalled_with_reason(client, issued, db_session):
    recall_batch(db_session, issued.batch, "Phát hiện Salmonella", "test")
    page = client.get(issued.path(0), headers=EN).get_data(as_text=True)
    assert "verdict-recalled" in page and "Phát hiện Salmonella" in page


def test_batch_without_certification_valid_today_says_expired(client, issued, db_session):
    today = today_local()
    for certification in db_session.query(Certification).filter_by(batch_id=issued.batch.id):
        certification.valid_from = today - timedelta(days=400)
        certification.valid_to = today - timedelta(days=1)
    db_session.flush()
    assert verdict_of(client, issued.path(0))["verdict"] == "expired"


def test_revoked_key_outranks_voided_and_recalled(db_session, issued, keystore, test_settings):
    void_label(db_session, issued.batch.id, issued.labels[0].serial, "hỏng", "test")
    recall_batch(db_session, issued.batch, "thu hồi", "test")
    keystore.revoke(issued.labels[0].key_id)
    outcome = session_verifier(db_session).verify(
        issued.uris[0], keystore.public_keyset(test_settings.issuer), today_local()
    )
    assert outcome.verdict == "revoked_key"


def test_voided_outranks_recalled(db_session, issued, keystore, test_settings):
    void_label(db_session, issued.batch.id, issued.labels[0].serial, "hỏng", "test")
    recall_batch(db_session, issued.batch, "thu hồi", "test")
    outcome = session_verifier(db_session).verify(
        issued.uris[0], keystore.public_keyset(test_settings.issuer), today_local()
    )
    assert outcome.verdict == "voided"


def test_recalled_outranks_expired(db_session, issued, keystore, test_settings):
    recall_batch(db_session, issued.batch, "thu hồi", "test")
    outcome = session_verifier(db_session).verify(
        issued.uris[0],
        keystore.public_keyset(test_settings.issuer),
        today_local() + timedelta(days=5000),
    )
    assert outcome.verdict == "recalled"


def test_certification_lapsing_later_makes_the_same_label_expired(
    db_session, issued, keystore, test_settings
):
    outcome = session_verifier(db_session).verify(
        issued.uris[0],
        keystore.public_keyset(test_settings.issuer),
        today_local() + timedelta(days=5000),
    )
    assert outcome.verdict == "expired"
