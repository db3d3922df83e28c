from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from keys.keyset import KeyStatus
from keys.keystore import PASSPHRASE_ENV, KeyIndexMissing, KeyStore, KeyStoreError
from keys.signing import new_serials
from keys.verify import Verdict, verify_code
from tests.keys.conftest import BASE_URL, GTIN, ISSUER, LOT, PASSPHRASE


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _sign_one(store: KeyStore) -> str:
    return store.active_signer(ISSUER, BASE_URL).sign(gtin=GTIN, lot=LOT, serial=new_serials(1)[0])


def test_generate_makes_an_active_key_with_private_file_modes(store: KeyStore) -> None:
    info = store.generate()
    assert info.status is KeyStatus.ACTIVE and len(info.kid) == 2
    assert info.created_at.endswith("Z") and info.revoked_at is None
    assert store.list() == [info] and store.active() == info
    assert _mode(store.directory) == 0o700
    for name in (f"{info.kid}.pem", "keys.json"):
        assert _mode(store.directory / name) == 0o600, name
    assert not list(store.directory.glob("*.tmp"))


def test_private_keys_are_encrypted_pkcs8_and_never_hold_the_passphrase(store: KeyStore) -> None:
    info = store.generate()
    pem = (store.directory / f"{info.kid}.pem").read_bytes()
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    index = (store.directory / "keys.json").read_bytes()
    for content in (pem, index):
        assert PASSPHRASE not in content
    assert b"PRIVATE" not in index
    assert "correct horse" not in repr(store)


def test_generate_refuses_when_a_key_is_active(store: KeyStore) -> None:
    store.generate()
    with pytest.raises(KeyStoreError, match="already active; rotate"):
        store.generate()


def test_rotate_retires_the_active_key_and_old_labels_stay_genuine(store: KeyStore) -> None:
    first = store.generate()
    old_label = _sign_one(store)
    second = store.rotate()
    assert second.kid != first.kid
    statuses = {k.kid: k.status for k in store.list()}
    assert statuses == {first.kid: KeyStatus.RETIRED, second.kid: KeyStatus.ACTIVE}
    assert store.list()[0].retired_at is not None
    new_label = _sign_one(store)
    assert parse_kid(new_label) == second.kid
    keyset = store.public_keyset(ISSUER)
    assert verify_code(old_label, keyset).verdict is Verdict.GENUINE
    assert verify_code(new_label, keyset).verdict is Verdict.GENUINE


def parse_kid(uri: str) -> str:
    return uri.split("8030=")[1][1:3]


def test_revoked_keys_labels_verify_as_revoked(store: KeyStore) -> None:
    first = store.generate()
    label = _sign_one(store)
    store.rotate()
    revoked = store.revoke(first.kid)
    assert revoked.status is KeyStatus.REVOKED and revoked.revoked_at is not None
    result = verify_code(label, store.public_keyset(ISSUER))
    assert result.verdict is Verdict.REVOKED_KEY
    with pytest.raises(KeyStoreError, match="already revoked"):
        store.revoke(first.kid)
    with pytest.raises(KeyStoreError, match="no key 'QQ'"):
        store.revoke("QQ")


def test_revoking_the_active_key_stops_signing_until_rotation(store: KeyStore) -> None:
    info = store.generate()
    store.revoke(info.kid)
    with pytest.raises(KeyStoreError, match="no active signing key"):
        store.active_signer(ISSUER, BASE_URL)
    assert store.rotate().kid != info.kid
    _sign_one(store)


def test_key_ids_are_never_reused(store: KeyStore) -> None:
    kids = [store.generate().kid]
    for _ in range(12):
        store.revoke(kids[-1])
        kids.append(store.rotate().kid)
    assert len(set(kids)) == len(kids) == 13
    # Even a key file orphaned by a crash before the index was written keeps its id.
    (store.directory / "keys.json").unlink()
    assert store.generate().kid not in kids


def test_a_store_with_no_index_is_empty_unless_the_caller_says_keys_must_exist(
    store: KeyStore,
) -> None:
    assert store.public_keyset(ISSUER).keys == ()
    with pytest.raises(KeyIndexMissing, match="nor does its directory"):
        store.public_keyset(ISSUER, missing_ok=False)
    store.generate()
    (store.directory / "keys.json").unlink()
    with pytest.raises(KeyIndexMissing, match="keys.json does not exist$"):
        store.public_keyset(ISSUER, missing_ok=False)


def test_key_ids_can_run_out(store: KeyStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("keys.keystore.ALL_KEY_IDS", ("AA",))
    store.generate()
    with pytest.raises(KeyStoreError, match="used up"):
        store.rotate()


def test_wrong_passphrase_is_a_key_store_error(store: KeyStore) -> None:
    store.generate()
    with pytest.raises(KeyStoreError, match=f"wrong passphrase in {PASSPHRASE_ENV}"):
        KeyStore(store.directory, b"wrong").active_signer(ISSUER, BASE_URL)


@pytest.mark.parametrize("passphrase", [None, b""])
def test_missing_passphrase_names_the_environment_variable(
    store: KeyStore, passphrase: bytes | None
) -> None:
    store.generate()
    keyless = KeyStore(store.directory, passphrase)
    for action in (
        keyless.generate,
        keyless.rotate,
        lambda: keyless.active_signer(ISSUER, BASE_URL),
    ):
        with pytest.raises(KeyStoreError, match=PASSPHRASE_ENV):
            action()
    assert [k.kid for k in keyless.list()] == [k.kid for k in store.list()]
    assert keyless.public_keyset(ISSUER).get(store.list()[0].kid) is not None


def test_an_empty_or_missing_store(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "nowhere", PASSPHRASE)
    assert store.list() == [] and store.active() is None
    assert store.public_keyset(ISSUER).keys == ()
    with pytest.raises(KeyStoreError, match="no active signing key"):
        store.active_signer(ISSUER, BASE_URL)
    with pytest.raises(KeyStoreError, match="no keys"):
        store.revoke("AB")
    assert not (tmp_path / "nowhere").exists()


def test_a_damaged_index_is_a_key_store_error(store: KeyStore) -> None:
    store.generate()
    index = store.directory / "keys.json"
    for damage in ("{", '{"keys": [{"kid": "../x"}]}', '{"keys": [{}]}', "[]"):
        index.write_text(damage)
        with pytest.raises(KeyStoreError, match="damaged"):
            store.list()


def test_a_key_file_that_does_not_match_the_index_is_refused(store: KeyStore) -> None:
    info = store.generate()
    other = KeyStore(store.directory.parent / "other", PASSPHRASE)
    other_info = other.generate()
    (store.directory / f"{info.kid}.pem").write_bytes(
        (other.directory / f"{other_info.kid}.pem").read_bytes()
    )
    with pytest.raises(KeyStoreError, match="does not hold the key"):
        store.active_signer(ISSUER, BASE_URL)
    (store.directory / f"{info.kid}.pem").unlink()
    with pytest.raises(KeyStoreError, match="cannot read key"):
        store.active_signer(ISSUER, BASE_URL)


def test_public_keyset_lists_every_key_with_status(store: KeyStore) -> None:
    first = store.generate()
    second = store.rotate()
    third = store.rotate()
    store.revoke(second.kid)
    document = store.public_keyset(ISSUER).to_dict()
    assert document["issuer"] == ISSUER
    assert [(k["kid"], k["status"]) for k in document["keys"]] == [
        (first.kid, "retired"),
        (second.kid, "revoked"),
        (third.kid, "active"),
    ]
    assert "revoked_at" in document["keys"][1]
    assert json.loads(json.dumps(document)) == document


def test_new_keys_need_a_long_passphrase(tmp_path: Path) -> None:
    with pytest.raises(KeyStoreError, match=f"{PASSPHRASE_ENV} is too short"):
        KeyStore(tmp_path / "keys", b"short").generate()
    assert not (tmp_path / "keys").exists()
