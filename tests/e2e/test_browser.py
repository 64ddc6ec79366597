"""The real dashboard in Debian's Chromium: every page renders without an exception or an error, a
filter changes a chart, a chart exports as PNG, the review pack downloads as PDF and PPTX, and each
page is screenshotted. The screenshots go to a temporary folder; `make screenshots` sets
TOKENYIELD_SCREENSHOTS=docs/images to regenerate the README's (the Overview's is docs/images/dashboard.png).

Every wait is on an event (a selector, a download, a port): the cap `EVENT_MS` only stops a hang, so a
loaded machine makes the tests slower, never red."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from pptx import Presentation
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
EVENT_MS = 600_000  # a cap against hangs, not a speed expectation: each wait ends on its event
EVENT_S = EVENT_MS / 1000
CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'
# the bottom of the last element on the page (the main block's own bottom padding is large)
CONTENT_BOTTOM = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const blocks = main.querySelectorAll('[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"]');
    return Math.max(...[...blocks].map(b => b.getBoundingClientRect().bottom + main.scrollTop));
}"""

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
    env = {
        **os.environ,
        "TOKENYIELD_DB": str(demo_warehouse),
        "TOKENYIELD_LOCAL_VIEWER": "demo-leader",  # the demo's first leader: every page is offered
        "TOKENYIELD_AUDIT_DB": str(log.parent / "audit.duckdb"),
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
            time.sleep(0.2)
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


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: a temporary folder, or docs/images under `make screenshots`."""
    chosen = os.environ.get("TOKENYIELD_SCREENSHOTS")
    return ROOT / chosen if chosen else tmp_path_factory.mktemp("screenshots")


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
            page.set_default_timeout(EVENT_MS)  # every click and wait: a cap against hangs, not a speed test
            page.goto(server, wait_until="domcontentloaded")
            yield page
        finally:
            browser.close()


def _wait_for_charts(page: Page, count: int) -> None:
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


def _assert_no_exception(page: Page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


# ---- every page, a filter, the exports (in file order: the filter test changes the period) ----

# page -> plotly charts it draws at least; the demo leader also manages people, so sees My team
EVERY_PAGE = {
    "Overview": 4,
    "Efficiency": 2,
    "Teams": 2,
    "Methods": 0,
    "Review pack": 0,
    "My data": 0,
    "My team": 0,
    "Data": 0,
}
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _open(page: Page, title: str) -> None:
    """Go to a page through the sidebar and wait until it has drawn (its h1 and charts, app idle)."""
    page.get_by_role("link", name=title, exact=True).first.click()
    page.locator("h1", has_text=title).first.wait_for(timeout=EVENT_MS)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=EVENT_MS)
    if EVERY_PAGE[title]:
        _wait_for_charts(page, EVERY_PAGE[title])
    else:
        page.wait_for_timeout(800)


def _screenshot(page: Page, path: Path) -> None:
    height = page.evaluate(CONTENT_BOTTOM)
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 48, 6000)})
    page.wait_for_timeout(800)  # plotly re-lays out on resize
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


@pytest.mark.parametrize("title", list(EVERY_PAGE))
def test_every_page_loads_without_an_error_and_is_screenshotted(page: Page, images: Path, title: str) -> None:
    _open(page, title)
    errors = page.locator(ERRORS)
    assert errors.count() == 0, errors.first.inner_text()
    shot = images / f"{title.lower().replace(' ', '-')}.png"
    _screenshot(page, shot)
    assert shot.stat().st_size > 20_000
    if title == "Overview":  # the README's screenshot
        assert page.get_by_text("Not in these figures").count() == 1
        (images / "dashboard.png").write_bytes(shot.read_bytes())


def _first_chart_weeks(page: Page) -> int:
    return page.evaluate(f"() => document.querySelector('{CHART}').data[0].x.length")


def test_changing_the_period_updates_a_chart(page: Page) -> None:
    _open(page, "Overview")
    before = _first_chart_weeks(page)
    start = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]').first
    start.focus()
    start.press("ArrowRight")  # the period now starts one week later
    page.wait_for_function(
        f"(n) => document.querySelector('{CHART}') && document.querySelector('{CHART}').data[0].x.length == n - 1",
        arg=before,
        timeout=EVENT_MS,
    )
    assert _first_chart_weeks(page) == before - 1


def test_a_chart_exports_as_png(page: Page) -> None:
    _open(page, "Overview")
    page.get_by_role("button", name="Export").first.click()
    button = page.locator('[data-testid="stDownloadButton"] button', has_text="PNG").first
    button.wait_for(timeout=EVENT_MS)
    with page.expect_download(timeout=EVENT_MS) as download:
        button.click()
    png = Path(download.value.path()).read_bytes()
    assert png[:8] == PNG_MAGIC and len(png) > 10_000
    assert download.value.suggested_filename == "weekly-active-rate.png"
    page.keyboard.press("Escape")


@pytest.mark.parametrize("label", ["PDF", "PowerPoint (PPTX)"])
def test_the_review_pack_downloads(page: Page, label: str) -> None:
    _open(page, "Review pack")
    with page.expect_download(timeout=EVENT_MS) as download:
        page.locator('[data-testid="stDownloadButton"] button', has_text=label).first.click()
    made = Path(download.value.path()).read_bytes()
    if label == "PDF":
        reader = PdfReader(BytesIO(made))
        assert len(reader.pages) > 10 and "Executive summary" in reader.pages[0].extract_text()
    else:
        deck = Presentation(BytesIO(made))
        assert len(deck.slides) > 15
