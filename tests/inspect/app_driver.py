"""Driving the inspectors' app in Chromium: open it, download a bundle, check codes."""

from __future__ import annotations

import json
from urllib.error import HTTPError
from urllib.request import urlopen

from tests.inspect.corpus import REGION

# Runs in the page: paste each code into the app's field, press Check, read data-verdict.
CHECK_ALL = """async (codes) => {
  const box = document.getElementById("verdict");
  const field = document.getElementById("code");
  const form = document.getElementById("code-form");
  const out = [];
  for (const code of codes) {
    box.dataset.verdict = "";
    field.value = code;
    form.requestSubmit();
    const started = performance.now();
    while (!box.dataset.verdict) {
      if (performance.now() - started > 5000) throw new Error("no verdict for " + code);
      await new Promise((r) => setTimeout(r, 1));
    }
    out.push([box.dataset.verdict, box.dataset.reason, performance.now() - started]);
  }
  return out;
}"""


def outcome(verdict: str, reason: str) -> str:
    """One word per verdict: the reason for not genuine, the verdict otherwise."""
    return reason if verdict == "not_genuine" else verdict


def open_app(page, base: str, token: str, query: str = "", worker: bool = True) -> None:
    page.goto(f"{base}/inspect/{query}")
    page.wait_for_selector("body[data-ready=true]")
    if worker:  # the app is kept for offline use once its worker is active
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.fill("#token", token)
    page.click("#settings-form button[type=submit]")
    page.wait_for_selector(f"#region option[value='{REGION}']", state="attached")


def download(page) -> str:
    if not page.locator("#bundle-download").evaluate("section => section.open"):
        page.click("#bundle-download > summary")
    page.wait_for_selector(f"#region option[value='{REGION}']", state="attached")
    page.select_option("#region", REGION)
    page.click("#bundle-form button[type=submit]")
    status = page.locator("#bundle-status")
    status.filter(has_not_text="…").wait_for()
    return status.inner_text()


def fetch_json(url: str):
    try:
        with urlopen(url, timeout=10) as response:
            return json.load(response)
    except HTTPError as error:  # the verification API answers 404 for unknown codes
        return json.load(error)
