"""The real dashboard for browser tests: a Streamlit server on 127.0.0.1 over a warehouse, and Debian's
Chromium driven by Playwright. Every wait ends on its event; EVENT_MS only stops a hang."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
EVENT_MS = 600_000  # a cap against hangs, not a speed expectation: each wait ends on its event
EVENT_S = EVENT_MS / 1000
CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'


def require_chromium() -> None:
    if not CHROMIUM.exists():  # never `playwright install`: we drive the distribution's browser
        pytest.fail("Debian's Chromium is missing at /usr/bin/chromium: run `apt-get install -y chromium`")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def dashboard(db: Path, folder: Path, viewer: str = "demo-leader") -> Iterator[str]:
    """Serve the dashboard over `db` as `viewer` (logs and audit in `folder`); yields its URL once
    the port listens."""
    require_chromium()  # before starting anything
    port = _free_port()
    log = folder / "server.log"
    env = {
        **os.environ,
        "TOKENYIELD_DB": str(db),
        "TOKENYIELD_LOCAL_VIEWER": viewer,
        "TOKENYIELD_AUDIT_DB": str(folder / "audit.duckdb"),
    }
    command = [
        *(sys.executable, "-m", "streamlit", "run", "app.py"),
        *("--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"),
        *("--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + EVENT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)  # polling the port: the event is the port opening
        else:
            pytest.fail(f"streamlit did not listen on {port} within {EVENT_S:.0f} s:\n{log.read_text()}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def browser_page(url: str) -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
            page.set_default_timeout(EVENT_MS)  # every click and wait: a cap against hangs, not a speed test
            page.goto(url, wait_until="domcontentloaded")
            yield page
        finally:
            browser.close()


def wait_for_charts(page: Page, count: int) -> None:
    page.wait_for_function(
        "([selector, n]) => document.querySelectorAll(selector).length >= n",
        arg=[CHART, count],
        timeout=EVENT_MS,
    )
    # plotly draws asynchronously: wait until every chart has its axes and the app is idle
    page.wait_for_function(
        "(selector) => [...document.querySelectorAll(selector)].every(c => c.querySelector('.main-svg'))",
        arg=CHART,
        timeout=EVENT_MS,
    )
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=EVENT_MS)
    page.wait_for_timeout(800)


def open_page(page: Page, title: str, charts: int) -> None:
    """Go to a page through the sidebar and wait until it has drawn (its h1 and charts, app idle)."""
    page.get_by_role("link", name=title, exact=True).first.click()
    page.locator("h1", has_text=title).first.wait_for(timeout=EVENT_MS)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=EVENT_MS)
    if charts:
        wait_for_charts(page, charts)
    else:
        page.wait_for_timeout(800)
