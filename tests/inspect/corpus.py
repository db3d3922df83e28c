"""The parity corpus: real issued labels in every state, and codes broken in every way.

`build_corpus` commits a world to the database and returns the codes with what each
should be: genuine, voided, recalled, expired (certification), not in the bundle of
Cao Bằng (a Quảng Ninh batch), revoked key, unknown key, tampered, malformed, and
"variant": other spellings of genuine codes, whose verdict only has to agree.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from keys.codes import label_uri
from keys.keystore import KeyStore
from keys.signing import CodeSigner, new_serials
from tests.factories import Factory
from traceapp.clock import today_local
from traceapp.config import Settings
from traceapp.domain.batches import recall_batch
from traceapp.domain.issuance import issue_labels
from traceapp.domain.signing_keys import key_store
from traceapp.domain.voiding import void_label
from traceapp.models import Batch, Certification, Label

REGION = "Cao Bằng"
ACTOR = "parity test"


@dataclass
class Corpus:
    codes: list[tuple[str, str]] = field(default_factory=list)  # (code, expected)
    batch_ids: dict[str, int] = field(default_factory=dict)
    old_bundle_text: str = ""  # a bundle signed with the key revoked afterwards
    revoked_kid: str = ""

    def add(self, expected: str, codes: list[str]) -> None:
        self.codes += [(code, expected) for code in codes]

    def of(self, expected: str) -> list[str]:
        return [code for code, kind in self.codes if kind == expected]


def _uris(session: Session, settings: Settings, batch: Batch, run_id: int) -> list[str]:
    labels = session.scalars(select(Label).where(Label.run_id == run_id).order_by(Label.sequence))
    product = batch.product
    return [
        label_uri(
            settings.public_base_url,
            gtin=product.gtin,
            product_ref=product.code_ref,
            lot=batch.lot_code,
            serial=label.serial,
            signature_field=label.signature,
        )
        for label in labels
    ]


def _issue(session: Session, settings: Settings, batch: Batch, count: int) -> list[str]:
    store = key_store(settings)
    signer = store.active_signer(settings.issuer, settings.public_base_url)
    run = issue_labels(session, batch.id, count, signer, ACTOR)
    return _uris(session, settings, batch, run.id)


def build_corpus(session: Session, settings: Settings, bundle_signed_now, scale: int = 1) -> Corpus:
    """Commit the world and return its corpus (about 250 codes at scale 1).

    `bundle_signed_now()` returns the JSON text of the region's bundle as the
    service signs it at that moment (called while the soon-revoked key is active).
    """
    rng = random.Random(15)
    corpus = Corpus()
    store: KeyStore = key_store(settings)
    store.generate()
    factory = Factory(session)
    cooperative = factory.cooperative()

    def batch(province: str = REGION) -> Batch:
        # (A batch is certified only with a complete passport, GTIN included.)
        made = factory.batch(factory.product(cooperative), certified=True)
        made.origin_province = province
        return made

    revoked_batch = batch()
    corpus.add("revoked_key", _issue(session, settings, revoked_batch, 15 * scale))
    corpus.revoked_kid = store.active().kid
    session.commit()
    corpus.old_bundle_text = bundle_signed_now()
    store.rotate()

    genuine_batch = batch()
    genuine = _issue(session, settings, genuine_batch, 60 * scale)
    recalled_batch = batch()
    recalled = _issue(session, settings, recalled_batch, 20 * scale)
    expired_batch = batch()
    expired = _issue(session, settings, expired_batch, 20 * scale)
    elsewhere_batch = batch(province="Quảng Ninh")
    elsewhere = _issue(session, settings, elsewhere_batch, 20 * scale)
    store.revoke(corpus.revoked_kid)

    voided = genuine[:20]
    for code in voided:
        serial = code.split("/21/")[1].split("?")[0]
        void_label(session, genuine_batch.id, serial, "rách tem khi dán", ACTOR)
    recall_batch(session, recalled_batch, "Nghi nhiễm khuẩn Salmonella", ACTOR)
    yesterday = today_local() - timedelta(days=1)
    for cert in session.scalars(
        select(Certification).where(Certification.batch_id == expired_batch.id)
    ):
        cert.valid_from, cert.valid_to = yesterday - timedelta(days=365), yesterday
    session.commit()
    corpus.batch_ids = {
        "genuine": genuine_batch.id,
        "elsewhere": elsewhere_batch.id,
        "recalled": recalled_batch.id,
    }

    corpus.add("genuine", genuine[20:])
    corpus.add("voided", voided)
    corpus.add("recalled", recalled)
    corpus.add("expired", expired)
    corpus.add("not_in_bundle", elsewhere)

    stranger = CodeSigner(
        Ed25519PrivateKey.generate(), "Zz", settings.issuer, settings.public_base_url
    )
    corpus.add(
        "unknown_key",
        [
            stranger.sign(gtin=genuine_batch.product.gtin, lot=genuine_batch.lot_code, serial=s)
            for s in new_serials(15 * scale)
        ],
    )
    corpus.add("tampered", _tampered(genuine[20:], elsewhere, rng))
    corpus.add("malformed", _malformed(genuine[20], rng))
    corpus.add("variant", _variants(genuine[21:31]))
    return corpus


def _tampered(genuine: list[str], other: list[str], rng: random.Random) -> list[str]:
    codes = []
    for code in genuine[:10]:  # another serial, same signature
        serial = code.split("/21/")[1][:12]
        codes.append(code.replace(f"/21/{serial}", f"/21/{new_serials(1)[0]}"))
    for code in genuine[10:20]:  # one signature character changed (last one kept canonical)
        head, sig = code.split("?8030=")
        position = rng.randrange(3, 80)
        swapped = "B" if sig[position] != "B" else "C"
        codes.append(f"{head}?8030={sig[:position]}{swapped}{sig[position + 1 :]}")
    for first, second in zip(genuine[20:30], genuine[30:40], strict=True):  # signatures swapped
        codes.append(first.split("?8030=")[0] + "?8030=" + second.split("?8030=")[1])
    for code, elsewhere in zip(genuine[:10], other[:10], strict=True):  # another product's GTIN
        gtin = elsewhere.split("/01/")[1][:14]
        codes.append(code[: code.index("/01/") + 4] + gtin + code[code.index("/01/") + 18 :])
    return codes


def _malformed(code: str, rng: random.Random) -> list[str]:
    head, sig = code.split("?8030=")
    base, path = head.split("/01/")
    gtin = path[:14]
    wrong_digit = gtin[:13] + str((int(gtin[13]) + 1) % 10)
    # (A blank field is not sent anywhere: the API refuses it as input, not as a code.)
    cases = [
        "hello",
        "-",
        "https://trace.example.vn/",
        head,
        head + "?8030=",
        f"{head}?8030={sig[:-1]}",
        f"{head}?8030={sig}A",
        f"{head}?8030=2{sig[1:]}",
        f"{head}?8030={sig[:-1]}B",
        f"{head}?8030={sig[:-1]}R",
        f"{head}?8030={sig[:40]}+{sig[41:]}",
        f"{head}?8030={sig[:40]}={sig[41:]}",
        f"{head}?8030={sig}&lang=vi",
        f"{head}?lang=vi&8030={sig}",
        f"{head}?8030={sig}#top",
        f"{head}?8031={sig}",
        f"{head}?8030={sig}?",
        f"ftp://{base.split('://')[1]}/01/{path}?8030={sig}",
        f"https://user@{base.split('://')[1]}/01/{path}?8030={sig}",
        f"{base}:99999/01/{path}?8030={sig}",
        f"{base}/01/{wrong_digit}{path[14:]}?8030={sig}",
        f"{base}/01/{gtin[1:]}{path[14:]}?8030={sig}",
        f"{base}/01/00000000000000{path[14:]}?8030={sig}",
        f"{base}/02/{path}?8030={sig}",
        f"{base}/01/{path.replace('/10/', '/11/')}?8030={sig}",
        f"{base}/01/{path.replace('/21/', '/22/')}?8030={sig}",
        f"{head.lower()}?8030={sig}" if head != head.lower() else f"{head}x?8030={sig}",
        f"{head[:-1]}I?8030={sig}",
        f"{head}%?8030={sig}",
        f"{head}%zz?8030={sig}",
        f"{base}/01/{gtin}/10/{'L' * 21}/21/{path.split('/21/')[1]}?8030={sig}",
        f"{base}/01/{gtin}/10/-bad/21/{path.split('/21/')[1]}?8030={sig}",
        f"{base}/01/{gtin}/10/a%2Fb/21/{path.split('/21/')[1]}?8030={sig}",
        f"{base}/./01/{path}?8030={sig}",
        f"{base}//01/{path}?8030={sig}",
        f"{base}/p/{'.'}/10/L1/21/{path.split('/21/')[1]}?8030={sig}",
        f"{head} ?8030={sig}",
        f"{head}?8030={sig}\x00",
        f"https://trace.example.vn/01/{path}?8030={sig}" + "x" * 600,
        f"{base}/Ư/01/{path}?8030={sig}",
        "https://[::1/01/" + path + "?8030=" + sig,
    ]
    assert len(cases) >= 40
    return cases


def _variants(genuine: list[str]) -> list[str]:
    """Other spellings of genuine codes; whichever the verdict, all three must agree."""
    first = genuine[0]
    scheme_host_end = first.index("/", len("https://"))
    return [
        f"  {genuine[1]}\n",
        first[:scheme_host_end].upper() + first[scheme_host_end:],
        genuine[2].replace("/01/", "/%30%31/"),
        genuine[3].replace("/21/", "/2%31/"),
        genuine[4].replace("?8030=", "?%38030="),
        genuine[5].replace("https://trace.example.vn", "https://trace.example.vn:443/a/b"),
        genuine[6].replace("https://", "http://"),
        genuine[7].replace("/01/0", "/01/%200", 1),
        genuine[8].replace("trace.example.vn", "TRACE.example.VN"),
        genuine[9] + "\r\n",
    ]


def bundle_json(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False)
