"""Property tests: no single-character change to a code's signed part verifies, and no
text whatsoever makes parse_uri or verify_code raise anything unexpected."""

from __future__ import annotations

import base64
import contextlib
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keys.codes import MalformedCode, parse_uri
from keys.keyset import InvalidKeySet, PublicKeySet
from keys.verify import Verdict, VerificationResult, verify_code
from tests.keys.conftest import BASE_URL

B64URL = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"  # in order
URI_CHARS = string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%"
SETTINGS = settings(
    max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Replacement characters: the URI alphabet (most likely to stay well-formed), the
# base64url alphabet, whitespace and controls, and anything else Unicode offers.
replacements = st.one_of(
    st.sampled_from(URI_CHARS),
    st.sampled_from(B64URL),
    st.sampled_from(" \t\r\n\x00\x7f"),
    st.characters(),
)


def _assert_not_genuine(text: str, keyset: PublicKeySet) -> VerificationResult:
    result = verify_code(text, keyset)
    assert isinstance(result, VerificationResult)
    assert result.verdict is not Verdict.GENUINE, text
    return result


@SETTINGS
@given(data=st.data())
def test_substituting_any_signed_character_breaks_verification(
    data: st.DataObject, gtin_codes: list[str], ref_codes: list[str], keyset: PublicKeySet
) -> None:
    # Every character from the "/" after the base URL on is bound by the signature or
    # by the strict syntax: AI numbers, GTIN, lot, serial, "?8030=", version, key id,
    # signature. The base URL itself is deliberately not signed (tested elsewhere).
    uri = data.draw(st.sampled_from(gtin_codes + ref_codes), label="code")
    position = data.draw(st.integers(len(BASE_URL), len(uri) - 1), label="position")
    char = data.draw(replacements.filter(lambda c: c != uri[position]), label="char")
    _assert_not_genuine(uri[:position] + char + uri[position + 1 :], keyset)


def test_every_ascii_substitution_of_a_signed_character_breaks_verification(
    gtin_codes: list[str], ref_codes: list[str], keyset: PublicKeySet
) -> None:
    # Exhaustive where the property test samples: one code of each form, every position
    # after the base URL, every one of the 127 other ASCII characters (~35,000 codes).
    tried = 0
    for uri in (gtin_codes[0], ref_codes[0]):
        for position in range(len(BASE_URL), len(uri)):
            for char in map(chr, range(128)):
                if char != uri[position]:
                    changed = uri[:position] + char + uri[position + 1 :]
                    assert verify_code(changed, keyset).verdict is not Verdict.GENUINE, changed
                    tried += 1
    assert tried > 30_000


@settings(SETTINGS, max_examples=1000)
@given(data=st.data())
def test_deleting_or_inserting_a_signed_character_breaks_verification(
    data: st.DataObject, gtin_codes: list[str], keyset: PublicKeySet
) -> None:
    uri = data.draw(st.sampled_from(gtin_codes), label="code")
    if data.draw(st.booleans(), label="delete"):
        position = data.draw(st.integers(len(BASE_URL), len(uri) - 1), label="position")
        changed = uri[:position] + uri[position + 1 :]
    else:  # strictly inside: an insertion at len(BASE_URL) would extend the host name
        position = data.draw(st.integers(len(BASE_URL) + 1, len(uri) - 1), label="position")
        changed = uri[:position] + data.draw(replacements, label="char") + uri[position:]
    _assert_not_genuine(changed, keyset)


def test_non_canonical_last_signature_character_is_malformed(
    gtin_codes: list[str], keyset: PublicKeySet
) -> None:
    # 64 bytes are 512 bits; 86 base64 characters carry 516, so the last character's
    # 4 low bits are unused. Setting any of them must not yield a second valid spelling.
    tried = 0
    for uri in gtin_codes:
        last = B64URL.index(uri[-1])
        assert last & 0b1111 == 0
        for unused_bits in range(1, 16):
            variant = uri[:-1] + B64URL[last | unused_bits]
            padded = variant.split("8030=")[1][3:] + "=="
            assert base64.urlsafe_b64decode(padded) == parse_uri(uri).signature  # same bytes
            result = verify_code(variant, keyset)
            assert result.verdict is Verdict.MALFORMED and "canonical" in result.detail
            tried += 1
    assert tried == 15 * len(gtin_codes)


def _parse_or_malformed(text: str) -> None:
    with contextlib.suppress(MalformedCode):
        parse_uri(text)


@SETTINGS
@given(text=st.text())
def test_arbitrary_text_gives_only_malformed_or_a_verdict(text: str, keyset: PublicKeySet) -> None:
    _parse_or_malformed(text)
    assert isinstance(verify_code(text, keyset).verdict, Verdict)


@settings(SETTINGS, max_examples=1000)
@given(data=st.data())
def test_mangled_codes_give_only_malformed_or_a_verdict(
    data: st.DataObject, gtin_codes: list[str], ref_codes: list[str], keyset: PublicKeySet
) -> None:
    # Several random edits anywhere (base URL included) reach deeper parser states
    # than random text does.
    text = data.draw(st.sampled_from(gtin_codes + ref_codes))
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 3))
        insert = data.draw(
            st.text(alphabet=st.one_of(st.sampled_from(URI_CHARS), st.characters()), max_size=4)
        )
        text = text[:position] + insert + text[position + cut :]
    _parse_or_malformed(text)
    assert isinstance(verify_code(text, keyset).verdict, Verdict)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "issuer",
                    "keys",
                    "kty",
                    "crv",
                    "kid",
                    "x",
                    "use",
                    "alg",
                    "status",
                    "created",
                    "revoked_at",
                    "other",
                ]
            ),
            children,
            max_size=8,
        )
    ),
    max_leaves=20,
)


@settings(SETTINGS, max_examples=400)
@given(document=json_values)
def test_arbitrary_key_documents_give_a_key_set_or_invalid_key_set(document: object) -> None:
    with contextlib.suppress(InvalidKeySet):
        PublicKeySet.from_dict(document)


@pytest.mark.parametrize("text", ["[" * 100_000, '{"keys": ' * 5000, "\udcff", "{}"])
def test_pathological_key_json_is_invalid_key_set(text: str) -> None:
    with pytest.raises(InvalidKeySet):
        PublicKeySet.from_json(text)
