"""The real dashboard in Debian's Chromium: every page renders its charts without an exception,
and the Overview's screenshot (docs/images/dashboard.png, embedded in the README) is refreshed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = ROOT / "docs" / "images" / "dashboard.png"
CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'
# the bottom of the last element on the page (the main block's own bottom padding is large)
CONTENT_BOTTOM = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const blocks = main.querySelectorAll('[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"]');
    return Math.max(...[...blocks].map(b => b.getBoundingClientRect().bottom + main.scrollTop));
}"""
PAGES = {"Overview": 4, "Efficiency": 2, "Teams": 2}  # page -> plotly charts it draws

pytestmark = pytest.mark.e2e


def _require_chromium() -> None:
    if not CHROMIUM.exists():  # never `playwright install`: we drive the distribution's browser
        pytest.fail("Debian's Chromium is missing at /usr/bin/chromium: run `apt-get install -y chromium`")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _require_chromium()  # before starting anything
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = {**os.environ, "TOKENYIELD_DB": str(demo_warehouse)}
    command = [
        *(sys.executable, "-m", "streamlit", "run", "app.py"),
        *("--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"),
        *("--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail(f"streamlit did not listen on {port} within 60 s:\n{log.read_text()}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Page]:
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
            page.goto(server, wait_until="domcontentloaded")
            yield page
        finally:
            browser.close()


def _wait_for_charts(page: Page, count: int) -> None:
    page.wait_for_function(
        "([selector, n]) => document.querySelectorAll(selector).length >= n",
        arg=[CHART, count],
        timeout=45_000,
    )
    # plotly draws asynchronously: wait until every chart has its axes and the app is idle
    page.wait_for_function(
        "(selector) => [...document.querySelectorAll(selector)].every(c => c.querySelector('.main-svg'))",
        arg=CHART,
        timeout=15_000,
    )
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=30_000)
    page.wait_for_timeout(800)


def _assert_no_exception(page: Page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def test_overview_renders_and_screenshot(page: Page) -> None:
    _wait_for_charts(page, PAGES["Overview"])
    _assert_no_exception(page)
    assert page.get_by_text("Not in these figures").count() == 1
    # Streamlit scrolls inside its main block, not the document: grow the viewport to the content
    height = page.evaluate(CONTENT_BOTTOM)
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 48, 4000)})
    _wait_for_charts(page, PAGES["Overview"])  # plotly re-lays out on resize
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})
    assert SCREENSHOT.stat().st_size > 50_000


@pytest.mark.parametrize(
    ("title", "marker"), [("Efficiency", "Pooled elasticity"), ("Teams", "Team figures add up")]
)
def test_page_renders(page: Page, title: str, marker: str) -> None:
    page.get_by_role("link", name=title).first.click()
    page.get_by_text(marker).first.wait_for(timeout=30_000)  # the new page, not the old one going stale
    _wait_for_charts(page, PAGES[title])
    _assert_no_exception(page)
