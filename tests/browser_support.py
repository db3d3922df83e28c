"""Headless Chromium (Debian's, driven by Playwright) and a live server, for browser tests.

Use from any test package's conftest.py:

    from tests.browser_support import chromium, phone_page, serve  # noqa: F401

`chromium` skips the test when /usr/bin/chromium is missing, unless
TRACEAPP_REQUIRE_BROWSER=1 is set (as .ci/run does): then it fails, so a CI
machine without the browser cannot pass silently. Mark browser tests
`@pytest.mark.browser`. Never run `playwright install`: the browser comes from apt.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from traceapp import close_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
REQUIRE_BROWSER_ENV = "TRACEAPP_REQUIRE_BROWSER"
PHONE_VIEWPORT = {"width": 390, "height": 844}


def contrast_violations(page) -> list[str]:
    """WCAG 2 AA colour-contrast failures on `page`, by axe-core (the engine browser
    audits use), one line per element: its selector, the ratio found and the one due."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "rule", "values": ["color-contrast"]}})
    return [
        f"{', '.join(node['target'])}: {node['any'][0]['message'] if node['any'] else ''}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


@pytest.fixture(scope="session")
def chromium():
    """A launched headless Chromium browser, shared by the whole test session."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
            pytest.fail(f"{REQUIRE_BROWSER_ENV}=1 but {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(chromium):
    """A fresh page in a phone-sized (390x844), Vietnamese-speaking browser context."""
    context = chromium.new_context(
        viewport=PHONE_VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Flask], str]]:
    """serve(app) runs `app` on 127.0.0.1 in a background thread and returns its base URL.

    The app must use a real, committed database (see the `committed_engine` fixture):
    the server's threads open their own connections.
    """
    servers = []

    def _serve(app: Flask) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((app, server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield _serve
    for app, server, thread in servers:
        server.shutdown()
        thread.join(timeout=5)
        close_app(app)
