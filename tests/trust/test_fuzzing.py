"""The code parser and the verification page survive generated and mutated input:
no exception escapes verify_code, and no request gets a 500."""

from __future__ import annotations

import contextlib
import random
import string
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keys.codes import MalformedCode, parse_uri
from keys.verify import Verdict, verify_code
from tests.factories import gtin_with_check_digit

PARSER_MUTATIONS = 100_000
HYPOTHESIS_EXAMPLES = 2_000
ROUTE_REQUESTS = 3_000
ALPHABET = string.printable + "đĐằếỳ\u00a0\u200b\ufeff\x00%/?=&#"
FRAGMENTS = [
    "/01/",
    "/10/",
    "/21/",
    "/p/",
    "?8030=",
    "%",
    "%2F",
    "%00",
    "//",
    "..",
    "&8030=",
    "#",
    "?",
    "0" * 20,
    "A" * 90,
    "https://",
    "ĐƯỜNG",
    " ",
    "\t",
    "%C3%A0",
]


def _real_codes(signer, count: int = 20) -> list[str]:
    codes = []
    for number in range(count):
        gtin = gtin_with_check_digit(f"893{number:010d}")
        serials = [f"S{number:04d}{i:07d}" for i in range(1)]
        if number % 3 == 0:
            pairs = signer.sign_many(
                product_ref=f"P{number}", lot=f"BH-2611-{number:02d}", serials=serials
            )
        else:
            pairs = signer.sign_many(gtin=gtin, lot=f"BH-2611-{number:02d}", serials=serials)
        codes += [uri for _, uri in pairs]
    return codes


def _mutate(code: str, rng: random.Random) -> str:
    text = code
    for _ in range(rng.randint(1, 4)):
        position = rng.randint(0, len(text))
        choice = rng.random()
        if choice < 0.3:
            text = text[:position] + rng.choice(ALPHABET) + text[position + 1 :]
        elif choice < 0.45:
            text = text[:position] + text[position + rng.randint(1, 8) :]
        elif choice < 0.65:
            text = text[:position] + rng.choice(FRAGMENTS) + text[position:]
        elif choice < 0.75:
            text = text[:position]
        elif choice < 0.85:
            start = rng.randint(0, len(text))
            text = text[:position] + text[start : start + rng.randint(1, 30)] + text[position:]
        elif choice < 0.92:
            text = text.swapcase() if rng.random() < 0.5 else text.upper()
        else:
            text = text * rng.randint(2, 12)
    return text


@pytest.mark.slow
def test_verify_code_survives_100000_mutated_codes(signer, keyset):
    rng = random.Random(20261125)
    seeds = _real_codes(signer)
    assert {verify_code(code, keyset).verdict for code in seeds} == {Verdict.GENUINE}
    escaped, verdicts = [], {}

    for _ in range(PARSER_MUTATIONS):
        mutated = _mutate(rng.choice(seeds), rng)
        try:
            verdict = verify_code(mutated, keyset).verdict
        except Exception as exc:  # noqa: BLE001 - counting exactly what must not happen
            escaped.append((mutated, repr(exc)))
            continue
        verdicts[verdict] = verdicts.get(verdict, 0) + 1

    print(
        f"\nverify_code: {PARSER_MUTATIONS:,} mutated codes, verdicts "
        f"{ {v.value: n for v, n in verdicts.items()} }, unhandled exceptions {len(escaped)}"
    )
    assert escaped == []


@settings(
    max_examples=HYPOTHESIS_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    st.text(max_size=600)
    | st.from_regex(
        r"https?://[a-z.]{1,20}/(01/[0-9]{1,16}|p/[A-Za-z0-9]{1,12})/10/[^/?]{0,25}/21/[^/?]{0,25}"
        r"(\?8030=[A-Za-z0-9_%-]{0,95})?",
        fullmatch=True,
    )
)
def test_parse_uri_raises_only_malformed_code(text):
    with contextlib.suppress(MalformedCode):
        parse_uri(text)


@pytest.mark.slow
def test_verification_route_survives_mutated_requests(client, signer, test_settings):
    rng = random.Random(112026)
    seeds = _real_codes(signer, count=6)
    server_errors, statuses = [], {}

    for _ in range(ROUTE_REQUESTS):
        mutated = _mutate(rng.choice(seeds), rng)
        relative = mutated.replace(test_settings.public_base_url, "", 1)
        path, _, query = relative.partition("?")
        path = quote(path if path.startswith("/") else "/" + path, safe="/%:@-._~")
        if rng.random() < 0.5:
            url = f"/api/v1/verify?code={quote(mutated, safe='')}"
        else:
            url = path + ("?" + quote(query, safe="=&%") if query else "")
        response = client.get(
            url, headers={"Accept": rng.choice(["text/html", "application/json", "*/*"])}
        )
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            server_errors.append((url, response.status_code))

    print(
        f"\nverification route: {ROUTE_REQUESTS:,} mutated requests, statuses "
        f"{dict(sorted(statuses.items()))}, server errors {len(server_errors)}"
    )
    assert server_errors == []
