"""The inspectors' app's budgets (issue 15), in headless Chromium, printed as figures.

- first load, with the QR decoder: bytes the server sends until the service worker
  has cached the whole app (budget 1.5 MB);
- repeat loads: requests reaching the server on a reload and on an offline reload
  (budget 0);
- verification per code, CPU throttled 4x (CDP Emulation.setCPUThrottlingRate), in
  the app's own field and button (budget 50 ms);
- a bundle of BATCHES batches and VOIDED voided labels: loading it (signature check
  and index) with the CPU throttled 4x (budget 3 s), and the space it takes on the
  phone (budget 10 MB).

Each throttled figure is printed with its ratio to the same step unthrottled,
measured in the same run (the baseline). The bundle is made here, signed with the
served instance's key, and handed to the app in place of the API's answer.

    .venv/bin/python benchmarks/bench_inspect_app.py [--batches 10000] [--voided 100000]
        [--codes 200] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from keys.bundle import BUNDLE_FORMAT  # noqa: E402
from keys.keystore import KeyStore  # noqa: E402
from keys.serials import new_serials  # noqa: E402
from keys.statements import sign_statement, statement_text  # noqa: E402
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.factories import gtin_with_check_digit  # noqa: E402
from traceapp import create_app, schema  # noqa: E402
from traceapp.config import Settings  # noqa: E402

ISSUER = "VN-CB-LMHTX"
BASE_URL = "https://trace.caobang.vn"
REGION = "Cao Bằng"
MB = 1024 * 1024


class Counting:
    """WSGI middleware counting the requests and body bytes the server sends."""

    def __init__(self, app) -> None:
        self.app, self.requests, self.bytes = app, 0, 0

    def __call__(self, environ, start_response):
        self.requests += 1
        for chunk in self.app(environ, start_response):
            self.bytes += len(chunk)
            yield chunk


def make_bundle(store: KeyStore, batches: int, voided: int, codes: int):
    """(bundle JSON text, codes to check): batches of one province, voided labels spread."""
    kid, private_key = store.active_private_key()
    signer = store.active_signer(ISSUER, BASE_URL)
    today = date.today()
    per_batch = max(1, voided // batches)
    summaries = []
    for n in range(batches):
        gtin = gtin_with_check_digit(f"893{n:010d}")
        summaries.append(
            {
                "batch_id": n + 1,
                "gtin": gtin,
                "product_ref": None,
                "lot": f"L{n:06d}",
                "product": "Trứng gà ăn thảo dược",
                "cooperative": "Hợp tác xã Bảo Hưng",
                "status": "recalled" if n % 97 == 0 else "certified",
                "quantity": 1000,
                "unit": "quả",
                "produced_on": (today - timedelta(days=3)).isoformat(),
                "best_before": (today + timedelta(days=27)).isoformat(),
                "origin_farm": "Trại gà Bảo Hưng",
                "origin_commune": "xã Trường Hà",
                "origin_province": REGION,
                "recalled_at": None,
                "recall_reason": None,
                "certifications": [
                    {
                        "scheme": "vietgap",
                        "ocop_stars": None,
                        "certificate_number": f"VG-{n:06d}",
                        "issuing_body": "Trung tâm Chứng nhận VietGAP",
                        "valid_from": (today - timedelta(days=100)).isoformat(),
                        "valid_to": (today + timedelta(days=265)).isoformat(),
                        "claim": None,
                    }
                ],
                "voided_serials": sorted(new_serials(per_batch)),
            }
        )
    document = {
        "format": BUNDLE_FORMAT,
        "issuer": ISSUER,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "timezone": "Asia/Ho_Chi_Minh",
        "region": {"province": REGION, "commune": None},
        "keys": store.public_keyset(ISSUER).to_dict(),
        "batches": summaries,
    }
    signed = sign_statement(document, private_key, kid)
    checked = []
    for i in range(codes):
        batch = summaries[(i * 7919) % batches]
        serial = batch["voided_serials"][0] if i % 5 == 0 else new_serials(1)[0]
        checked.append(signer.sign(gtin=batch["gtin"], lot=batch["lot"], serial=serial))
    return statement_text(signed), checked


CHECK_ALL = """async (codes) => {
  const box = document.getElementById("verdict");
  const field = document.getElementById("code");
  const form = document.getElementById("code-form");
  const times = [];
  for (const code of codes) {
    box.dataset.verdict = "";
    field.value = code;
    const started = performance.now();
    form.requestSubmit();
    while (!box.dataset.verdict) await new Promise((r) => setTimeout(r, 0));
    times.push(performance.now() - started);
  }
  return times;
}"""

LOAD_BUNDLE = """async ([text, keys]) => {
  const v = await import("/static/inspect/verifier.js");
  const started = performance.now();
  const bundle = await v.loadBundle(text, v.readKeyDocument(keys));
  return [performance.now() - started, bundle.batches.size];
}"""


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def run(args: argparse.Namespace) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            env="development",
            instance_dir=Path(tmp),
            database_url=f"sqlite:///{tmp}/bench.db",
            keys_dir=Path(tmp) / "keys",
            key_passphrase="bench-passphrase-long",
            public_base_url=BASE_URL,
            secret_key="bench-secret",
            scan_salt="bench",
        )
        schema.upgrade(settings.database_url)
        store = KeyStore(settings.keys_dir, settings.key_passphrase.encode())
        store.generate()
        print(f"making a bundle of {args.batches:,} batches, {args.voided:,} voided labels...")
        bundle_text, codes = make_bundle(store, args.batches, args.voided, args.codes)
        keys_document = store.public_keyset(ISSUER).to_dict()
        counting = Counting(create_app(settings))
        server = make_server("127.0.0.1", 0, counting, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        regions = json.dumps({"items": [{"key": REGION, "name": REGION}]})

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(locale="vi-VN", service_workers="allow")
            # The API's answers (token, regions, bundle) come from here, not the server.
            context.route(
                "**/api/v1/bundle/regions",
                lambda r: r.fulfill(status=200, content_type="application/json", body=regions),
            )
            context.route(
                "**/api/v1/bundle?*",
                lambda r: r.fulfill(status=200, content_type="application/json", body=bundle_text),
            )
            page = context.new_page()
            page.goto(f"{base}/inspect/")
            page.wait_for_selector("body[data-ready=true]")
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            page.wait_for_timeout(500)
            first_requests, first_bytes = counting.requests, counting.bytes

            counting.requests = counting.bytes = 0
            page.reload()
            page.wait_for_selector("body[data-ready=true]")
            repeat_requests = counting.requests
            context.set_offline(True)
            page.reload()
            page.wait_for_selector("body[data-ready=true]")
            offline_requests = counting.requests - repeat_requests
            context.set_offline(False)

            page.fill("#token", "bench-token")
            page.click("#settings-form button[type=submit]")
            page.wait_for_selector(f"#region option[value='{REGION}']", state="attached")
            page.click("#bundle-form button[type=submit]")
            page.locator("#bundle-status").filter(has_text="Đã lưu").wait_for(timeout=120000)
            usage = page.evaluate("navigator.storage.estimate().then(e => e.usage)")

            cdp = context.new_cdp_session(page)
            figures = {}
            for rate in (1, 4):
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
                load_ms, size = page.evaluate(LOAD_BUNDLE, [bundle_text, keys_document])
                page.reload()
                started = page.evaluate("performance.timeOrigin")
                page.wait_for_selector("body[data-ready=true]", timeout=120000)
                startup_ms = page.evaluate("performance.timeOrigin + performance.now()") - started
                times = page.evaluate(CHECK_ALL, codes)
                figures[rate] = (load_ms, startup_ms, median(times), max(times), size)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
            verdicts = page.evaluate("document.getElementById('verdict').dataset.verdict")
            browser.close()
        server.shutdown()

    def line(name: str, value: float, unit: str, budget: float, baseline: float | None = None):
        ok = "ok" if value < budget else "OVER BUDGET"
        ratio = f"   x{value / baseline:.2f} of unthrottled" if baseline else ""
        print(f"  {name:<52} {value:10.1f} {unit:<3} (budget < {budget:g}) {ok}{ratio}")

    slow, fast = figures[4], figures[1]
    print(f"bundle: {len(bundle_text.encode()) / MB:.2f} MB of JSON, {slow[4]:,} batches")
    line("first load incl. decoder (server bytes)", first_bytes / MB, "MB", 1.5)
    print(f"  {'first load: requests':<52} {first_requests:10d}")
    line("repeat load: requests reaching the server", repeat_requests, "", 1)
    line("repeat load offline: requests reaching the server", offline_requests, "", 1)
    line("verification per code, median, CPU 4x", slow[2], "ms", 50, fast[2])
    line("verification per code, slowest, CPU 4x", slow[3], "ms", 50, fast[3])
    line("bundle load (signature + index), CPU 4x", slow[0] / 1000, "s", 3, fast[0] / 1000)
    line("app start with the stored bundle, CPU 4x", slow[1] / 1000, "s", 3, fast[1] / 1000)
    line("space used on the phone (storage estimate)", usage / MB, "MB", 10)
    print(f"  (last verdict shown: {verdicts})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=10_000)
    parser.add_argument("--voided", type=int, default=100_000)
    parser.add_argument("--codes", type=int, default=200)
    parser.add_argument("--smoke", action="store_true", help="1,000 batches, 20 codes (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.batches, args.voided, args.codes = 1_000, 10_000, 20
    run(args)


if __name__ == "__main__":
    main()
