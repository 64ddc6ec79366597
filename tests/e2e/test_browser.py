"""The real dashboard in Debian's Chromium: every page renders without an exception or an error, a
filter changes a chart, a chart exports as PNG, the review pack downloads as PDF and PPTX, and each
page is screenshotted. The screenshots go to a temporary folder; `make screenshots` sets
TOKENYIELD_SCREENSHOTS=docs/images to regenerate the README's (the Overview's is docs/images/dashboard.png).

Every wait is on an event (a selector, a download, a port): the cap `EVENT_MS` only stops a hang, so a
loaded machine makes the tests slower, never red."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import Page
from pptx import Presentation
from pypdf import PdfReader

from tests.e2e.serve import CHART, EVENT_MS, ROOT, browser_page, dashboard, open_page

# the bottom of the last element on the page (the main block's own bottom padding is large)
CONTENT_BOTTOM = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const blocks = main.querySelectorAll('[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"]');
    return Math.max(...[...blocks].map(b => b.getBoundingClientRect().bottom + main.scrollTop));
}"""

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # the demo's first leader: every page is offered
    with dashboard(demo_warehouse, tmp_path_factory.mktemp("streamlit")) as url:
        yield url


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: a temporary folder, or docs/images under `make screenshots`."""
    chosen = os.environ.get("TOKENYIELD_SCREENSHOTS")
    return ROOT / chosen if chosen else tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Page]:
    with browser_page(server) as page:
        yield page


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
    open_page(page, title, EVERY_PAGE[title])


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
def test_the_review_pack_downloads_and_its_first_page_is_screenshotted(
    page: Page, images: Path, label: str
) -> None:
    _open(page, "Review pack")
    with page.expect_download(timeout=EVENT_MS) as download:
        page.locator('[data-testid="stDownloadButton"] button', has_text=label).first.click()
    made = Path(download.value.path()).read_bytes()
    if label == "PDF":
        reader = PdfReader(BytesIO(made))
        assert len(reader.pages) > 10 and "Executive summary" in reader.pages[0].extract_text()
        # the README's pack page: the executive summary, as poppler draws it
        pdf = images / "review-pack.pdf"
        pdf.write_bytes(made)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "110",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(images / "pack-page"),
            ],
            check=True,
        )
        pdf.unlink()
        assert (images / "pack-page.png").read_bytes()[:8] == PNG_MAGIC
    else:
        deck = Presentation(BytesIO(made))
        assert len(deck.slides) > 15
