"""The inspectors' app in real headless Chromium, offline: the parity corpus gives the
same verdict in the app, in `traceapp verify --bundle` and on the server; inspections
recorded offline reach the server once; tampered and revoked-key bundles are refused."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keys.cli import verify_command
from keys.verdicts import EXIT_CODES, VERDICT_ORDER
from tests.inspect.app_driver import CHECK_ALL, download, fetch_json, open_app, outcome
from tests.inspect.corpus import REGION
from traceapp.models import Inspection

OUTCOME_BY_EXIT = {code: outcome for outcome, code in EXIT_CODES.items()}


def server_outcomes(client_get, codes: list[str]) -> list[str]:
    found = []
    for code in codes:
        document = client_get(f"/api/v1/verify?code={quote(code, safe='')}")
        found.append(outcome(document.get("verdict"), document.get("reason")) or str(document))
    return found


@pytest.mark.browser
def test_parity_corpus_same_verdict_in_app_cli_and_server(field, chromium, tmp_path):
    base, corpus, token, _engine = field
    codes = [code for code, _ in corpus.codes]
    assert len(codes) >= 200

    context = chromium.new_context(locale="vi-VN", service_workers="allow")
    page = context.new_page()
    open_app(page, base, token)
    assert "Đã lưu" in download(page)
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    order = page.evaluate("import('/static/inspect/verifier.js').then(v => v.VERDICT_ORDER)")
    assert order == [verdict.value for verdict in VERDICT_ORDER]
    in_app = [outcome(v, r) for v, r, _ in page.evaluate(CHECK_ALL, codes)]
    page.goto(f"{base}/inspect/?crypto=noble")  # the pure-JS Ed25519, still offline
    page.wait_for_selector("body[data-ready=true]")
    with_noble = [outcome(v, r) for v, r, _ in page.evaluate(CHECK_ALL, codes)]
    context.set_offline(False)

    bundle = tmp_path / "bundle.json"
    bundle.write_text(
        page.evaluate("async () => (await import('/static/inspect/store.js')).getItem('bundle')")
    )
    keys = tmp_path / "keys.json"
    keys.write_text(page.evaluate(f"fetch('{base}/keys.json').then(r => r.text())"))
    context.close()
    runner = CliRunner()
    in_cli = [
        OUTCOME_BY_EXIT[
            runner.invoke(
                verify_command, [code, "--keys", str(keys), "--bundle", str(bundle)]
            ).exit_code
        ]
        for code in codes
    ]
    on_server = server_outcomes(lambda path: fetch_json(base + path), codes)

    for index, (code, expected) in enumerate(corpus.codes):
        seen = (in_app[index], with_noble[index], in_cli[index])
        assert len(set(seen)) == 1, (code, expected, seen)
        if expected != "variant":
            assert in_app[index] == expected, (code, expected, seen)
        # The server knows every batch: "not in bundle" is the only verdict it cannot give.
        server_expected = "genuine" if in_app[index] == "not_in_bundle" else in_app[index]
        assert on_server[index] == server_expected, (code, expected, on_server[index])


@pytest.mark.browser
def test_inspection_recorded_offline_is_stored_once_when_back_online(field, chromium):
    base, corpus, token, engine = field
    context = chromium.new_context(locale="vi-VN", service_workers="allow")
    page = context.new_page()
    open_app(page, base, token)
    download(page)

    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    verdicts = page.evaluate(CHECK_ALL, corpus.of("genuine")[:1] + corpus.of("recalled")[:1])
    assert [v for v, _, _ in verdicts] == ["genuine", "recalled"]
    assert page.locator("#verdict-data-as-of").inner_text().startswith("Dữ liệu tính đến")
    page.evaluate(CHECK_ALL, corpus.of("genuine")[:1])
    page.select_option("#result", "observations")
    page.fill("#place", "Chợ Sông Bằng, Cao Bằng")
    page.fill("#notes", "Tem còn nguyên, hàng để nơi khô ráo.")
    photo = io.BytesIO()
    Image.new("RGB", (2000, 1500), (90, 140, 60)).save(photo, "JPEG")
    page.set_input_files(
        "#photo",
        files=[{"name": "ke-hang.jpg", "mimeType": "image/jpeg", "buffer": photo.getvalue()}],
    )
    page.click("#inspection-form button[type=submit]")
    page.wait_for_selector("#queue-count[data-count='1']")

    context.set_offline(False)
    page.wait_for_selector("#queue-count[data-count='0']", timeout=15000)
    page.click("#send-now")  # nothing left to send: nothing sent twice
    page.wait_for_timeout(300)
    context.close()
    with Session(engine) as session:
        stored = session.scalars(
            select(Inspection).where(Inspection.batch_id == corpus.batch_ids["genuine"])
        ).all()
        total = session.scalar(select(func.count()).select_from(Inspection))
    assert [(i.result, i.place, total) for i in stored] == [
        ("observations", "Chợ Sông Bằng, Cao Bằng", 1)
    ]
    assert stored[0].client_id
    with Session(engine) as session:
        kept = session.get(Inspection, stored[0].id).photo
    # The phone keeps a 1280-pixel JPEG of the 2000-pixel photo.
    assert Image.open(io.BytesIO(kept)).size == (1280, 960)


@pytest.mark.browser
def test_an_app_with_its_bundle_asks_for_the_regions_only_when_the_download_is_opened(
    field, chromium
):
    base, _corpus, token, _engine = field
    context = chromium.new_context(locale="vi-VN", service_workers="block")
    page = context.new_page()
    open_app(page, base, token, worker=False)
    download(page)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_timeout(500)
    on_opening = ([url for url in asked if "/api/" in url], page.locator("#region").is_visible())
    page.click("#bundle-download > summary")
    page.wait_for_selector(f"#region option[value='{REGION}']", state="attached")
    context.close()
    assert on_opening == ([], False)
    assert [url for url in asked if "/api/" in url] == [f"{base}/api/v1/bundle/regions"]


def _serve_bundle_instead(page, text: str) -> None:
    page.route(
        "**/api/v1/bundle?*",
        lambda route: route.fulfill(status=200, content_type="application/json", body=text),
    )


@pytest.mark.browser
def test_app_refuses_a_tampered_bundle(field, chromium):
    base, corpus, token, _engine = field
    context = chromium.new_context(locale="en-US", service_workers="block")
    page = context.new_page()
    open_app(page, base, token, worker=False)
    document = json.loads(
        page.evaluate(f"""fetch('{base}/api/v1/bundle?region=' +
        encodeURIComponent('{REGION}'), {{headers: {{Authorization: 'Bearer {token}'}}}})
        .then(r => r.text())""")
    )
    recalled = next(b for b in document["batches"] if b["status"] == "recalled")
    recalled["status"] = "certified"
    _serve_bundle_instead(page, json.dumps(document, ensure_ascii=False))
    status = download(page)
    context.close()
    assert "từ chối" in status and "signature does not verify" in status


@pytest.mark.browser
def test_app_refuses_a_bundle_signed_by_a_revoked_key(field, chromium):
    base, corpus, token, _engine = field
    context = chromium.new_context(locale="vi-VN", service_workers="block")
    page = context.new_page()
    open_app(page, base, token, worker=False)
    _serve_bundle_instead(page, corpus.old_bundle_text)
    status = download(page)
    context.close()
    assert "từ chối" in status and f"key {corpus.revoked_kid}" in status


def test_cli_refuses_a_bundle_signed_by_a_revoked_key(field, tmp_path):
    base, corpus, _token, _engine = field
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(fetch_json(f"{base}/keys.json")))
    bundle = tmp_path / "old.json"
    bundle.write_text(corpus.old_bundle_text)
    result = CliRunner().invoke(
        verify_command, [corpus.of("genuine")[0], "--keys", str(keys), "--bundle", str(bundle)]
    )
    assert result.exit_code == 2 and f"key {corpus.revoked_kid}" in result.output


@pytest.mark.browser
def test_old_data_gets_a_plain_warning_on_every_verdict(field, chromium):
    base, corpus, token, _engine = field
    context = chromium.new_context(locale="en-US", service_workers="block")
    page = context.new_page()
    open_app(page, base, token, worker=False)
    download(page)
    page.clock.set_fixed_time(datetime.now(UTC) + timedelta(days=9, hours=1))
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    page.evaluate(CHECK_ALL, corpus.of("genuine")[:1])
    warning = page.locator("#verdict-stale")
    shown = (warning.is_visible(), warning.inner_text())
    page.fill("#max-age", "30")  # the inspector's own limit, in the settings
    page.click("#settings-form button[type=submit]")
    page.evaluate(CHECK_ALL, corpus.of("genuine")[:1])
    hidden_at_30_days = warning.is_hidden()
    context.close()
    assert shown[0] and "cũ 9 ngày" in shown[1] and hidden_at_30_days
