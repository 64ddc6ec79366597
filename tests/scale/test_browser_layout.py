"""Every page in Debian's Chromium at 30, 500 and 10,000 people: no two pieces of chart text overlap,
every category of a chart has a visible label, and no page shows an exception.

Checked in the browser on what plotly actually drew (its SVG text boxes and computed ticks), since a
figure's spec cannot tell whether labels collide at the size they are drawn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.serve import browser_page, dashboard, open_page, wait_for_charts
from tests.scale.conftest import scale_warehouse

pytestmark = pytest.mark.e2e

# page -> plotly charts it draws at least (the demo leader also manages people: My team shows)
PAGES = {"Overview": 4, "Efficiency": 2, "Teams": 1, "Methods": 0, "My team": 0, "Data": 0}
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'

# Each chart: pairs of its visible text boxes that overlap by more than 2 px each way, and its
# category axes whose categories outnumber the tick labels plotly drew.
LAYOUT = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')].map(gd => {
    const boxes = [...gd.querySelectorAll('text')]
        .filter(t => t.textContent.trim() && getComputedStyle(t).visibility !== 'hidden'
                     && getComputedStyle(t).opacity !== '0' && !t.closest('.legend .scrollbox > g:not(.groups)'))
        .map(t => ({text: t.textContent.trim(), r: t.getBoundingClientRect()}))
        .filter(b => b.r.width > 0 && b.r.height > 0);
    const overlaps = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].r, b = boxes[j].r;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 2 && h > 2) overlaps.push([boxes[i].text, boxes[j].text]);
    }
    const unlabelled = [];
    const full = gd._fullLayout || {};
    for (const name of Object.keys(full).filter(k => /^[xy]axis\\d*$/.test(k))) {
        const ax = full[name];
        if (ax.type === 'category' && ax.visible !== false && ax.showticklabels !== false) {
            const categories = (ax._categories || []).length;
            const labels = (ax._vals || []).filter(v => v.text !== '').length;
            if (categories > labels) unlabelled.push([name, categories, labels]);
        }
    }
    const title = (full.title && full.title.text) || gd.id;
    return {title, overlaps: overlaps.slice(0, 5), unlabelled};
})"""


@pytest.fixture(scope="module", params=[30, 500, 10_000], ids=lambda n: f"{n}-people")
def page(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    db = scale_warehouse(tmp_path_factory, request.param)
    with dashboard(db, tmp_path_factory.mktemp("streamlit")) as url, browser_page(url) as page:
        yield page


@pytest.mark.parametrize("title", list(PAGES))
def test_no_chart_text_overlaps_and_every_category_is_labelled(
    page: Page, title: str, tmp_path: Path
) -> None:
    open_page(page, title, 0)
    # a view with no estimate (a 30-person organization) says why instead of drawing its estimates
    withheld = page.get_by_text("No estimate is shown for this view").count() > 0
    if PAGES[title] and not withheld:
        wait_for_charts(page, PAGES[title])
    errors = page.locator(ERRORS)
    assert errors.count() == 0, errors.first.inner_text()
    charts = page.evaluate(LAYOUT)
    assert charts or not PAGES[title] or withheld
    overlapping = {c["title"]: c["overlaps"] for c in charts if c["overlaps"]}
    unlabelled = {c["title"]: c["unlabelled"] for c in charts if c["unlabelled"]}
    assert overlapping == {} and unlabelled == {}
