"""Chart exports through the one persistent Chromium: real PNG, SVG and offline HTML files."""

from __future__ import annotations

import os
import signal
import struct
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dashboard import theme
from dashboard.charts.common import note_below
from pipelines.report import images
from tests.report.conftest import sample_figures

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which the PNG format requires to come first."""
    assert png[:8] == PNG_MAGIC
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def decoded(png: bytes) -> np.ndarray:
    with Image.open(BytesIO(png)) as image:
        image.load()  # decodes every row: a truncated or corrupt file fails here
        return np.asarray(image.convert("L"))


class ExternalRefs(HTMLParser):
    """Every src/href of a script, stylesheet, font, image or frame that points off the page."""

    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (
                name in {"src", "href"}
                and value
                and value.strip().lower().startswith(("http:", "https:", "//"))
            ):
                self.external.append(f"<{tag} {name}={value}>")


def external_refs(html: str) -> list[str]:
    parser = ExternalRefs()
    parser.feed(html)
    lowered = html.lower()
    css = [m for m in ("@import url(http", "url(http", "url('http", 'url("http') if m in lowered]
    return parser.external + css


def test_png_is_a_valid_image_of_the_slide_size(export_server: images.ExportServer) -> None:
    png = images.to_png(sample_figures()[0][1])
    width, height = png_size(png)
    assert (width, height) == (theme.PRINT_WIDTH * theme.PRINT_SCALE, theme.PRINT_HEIGHT * theme.PRINT_SCALE)
    pixels = decoded(png)
    assert pixels.shape == (height, width)
    assert (pixels < 200).mean() > 0.005  # lines and text, not a white sheet


def test_png_honours_the_size_and_scale_asked_for(export_server: images.ExportServer) -> None:
    png = images.to_png(sample_figures()[1][1], width=640, height=400, scale=1.5)
    assert png_size(png) == (960, 600)
    assert decoded(png).std() > 10


def test_svg_parses_with_an_svg_root_of_the_slide_size(export_server: images.ExportServer) -> None:
    svg = images.to_svg(sample_figures()[4][1])
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height")) == (str(theme.PRINT_WIDTH), str(theme.PRINT_HEIGHT))
    texts = "".join(root.itertext())
    assert "deciles of AI users" in texts  # the chart's own title is text, not pixels


def test_html_export_is_self_contained(export_server: images.ExportServer) -> None:
    title, fig = sample_figures()[0]
    html = images.to_html(fig)
    assert html.count("plotly.js v") == 1  # the library inline, once (its banner comment)
    assert external_refs(html) == []
    assert "Plotly.newPlot" in html and title in html


def test_one_server_renders_many_charts(export_server: images.ExportServer) -> None:
    pid = export_server.pid
    pngs = images.slide_pngs([fig for _, fig in sample_figures()])
    assert len(pngs) == 10 and all(png_size(p) == png_size(pngs[0]) for p in pngs)
    assert images.server() is export_server and export_server.pid == pid
    assert export_server.running
    assert "chrom" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").lower()


def test_concurrent_callers_each_get_their_own_image(export_server: images.ExportServer) -> None:
    figures = [fig for _, fig in sample_figures()[:4]]
    sizes = [(300 + 40 * i, 200 + 20 * i) for i in range(len(figures))]
    results: dict[int, tuple[int, int]] = {}

    def export(i: int) -> None:
        results[i] = png_size(images.to_png(figures[i], width=sizes[i][0], height=sizes[i][1], scale=1))

    threads = [threading.Thread(target=export, args=(i,)) for i in range(len(figures))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == dict(enumerate(sizes))
    assert images.server() is export_server


def test_write_chart_writes_png_svg_and_html(export_server: images.ExportServer, tmp_path: Path) -> None:
    paths = images.write_chart(sample_figures()[2][1], tmp_path / "charts", "Merged PRs / engineer-week")
    assert [p.name for p in paths] == [
        "merged-prs-engineer-week.png",
        "merged-prs-engineer-week.svg",
        "merged-prs-engineer-week.html",
    ]
    assert all(p.parent == tmp_path / "charts" for p in paths)
    assert png_size(paths[0].read_bytes())[0] == theme.PRINT_WIDTH * theme.PRINT_SCALE
    assert ET.parse(paths[1]).getroot().tag.endswith("svg")
    assert external_refs(paths[2].read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("name", ["../../etc/passwd", "..", "///"])
def test_a_chart_name_cannot_leave_the_folder(name: str) -> None:
    if not any(c.isalnum() for c in name):
        with pytest.raises(ValueError, match="no usable file name"):
            images.slug(name)
    else:
        assert "/" not in images.slug(name) and not images.slug(name).startswith(".")


def test_print_layout_scales_fonts_and_leaves_the_screen_figure_alone() -> None:
    _, fig = sample_figures()[4]
    before = fig.to_dict()
    printed = theme.print_layout(fig)
    assert fig.to_dict() == before
    screen_ticks = fig.layout.template.layout.xaxis.tickfont.size
    assert printed.layout.template.layout.xaxis.tickfont.size == pytest.approx(
        screen_ticks * theme.PRINT_FONT_SCALE
    )
    assert printed.data[1].textfont.size == pytest.approx(fig.data[1].textfont.size * theme.PRINT_FONT_SCALE)


def test_print_layout_keeps_a_note_under_the_plot_on_the_page() -> None:
    _, fig = sample_figures()[0]
    note_below(fig, "Weeks with fewer than 5 people are not shown")
    printed = theme.print_layout(fig)
    (note,) = [a for a in printed.layout.annotations if a.text.startswith("Weeks with")]
    assert (note.y, note.yanchor) == (0, "top")  # pinned under the plot, not a share of its height
    assert printed.layout.margin.b >= -note.yshift + 30  # and the margin leaves room for its line
    screen = fig.layout.annotations[-1]  # the screen figure keeps its own placement, under the axis
    assert (screen.y, screen.yanchor, screen.yshift) == (0, "top", -66)


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    status = Path(f"/proc/{pid}/status")
    try:
        return "\nState:\tZ" not in status.read_text()
    except FileNotFoundError:
        return False


def wait_until(condition: Callable[[], bool], seconds: float = 600) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


def test_closing_a_server_ends_its_browser() -> None:
    own = images.ExportServer()  # not the shared one: this test ends it
    pid = own.pid
    assert png_size(own.render(sample_figures()[0][1], "png", 200, 100, 1)) == (200, 100)
    own.close()
    assert not own.running
    assert wait_until(lambda: not alive(pid))
    with pytest.raises(RuntimeError, match="closed"):
        own.render(sample_figures()[0][1], "png", 200, 100, 1)


def test_a_browser_that_died_is_noticed() -> None:
    own = images.ExportServer()
    os.kill(own.pid, signal.SIGKILL)  # the Chromium this test started, by its id
    assert wait_until(lambda: not own.running)
    started = time.monotonic()
    own.close()  # closing what is already dead neither hangs nor raises
    assert time.monotonic() - started < 15
