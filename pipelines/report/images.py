"""Charts as files: PNG and SVG through one persistent Chromium, and self-contained HTML.

Starting a browser for every image costs about 3 s, so the first export starts one kaleido browser
in a background thread and every later export in the process reuses it (0.2-0.4 s an image). It is
stopped at exit. Requests from several threads (Streamlit sessions) are safe: each call waits on
its own future, so an image can never reach the wrong caller. MathJax is off because it would come
from a CDN, and nothing here may need the network; plotly.js comes from the installed plotly.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import re
import threading
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import kaleido
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from PIL import Image

from dashboard import theme

RENDER_TIMEOUT_S = 60
TABS = 2  # figures render in parallel on this many browser tabs (one per core here)
# the plotly config of every exported interactive chart: no logo link, PNG button at slide size
HTML_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "toImageButtonOptions": {
        "format": "png",
        "width": theme.PRINT_WIDTH,
        "height": theme.PRINT_HEIGHT,
        "scale": theme.PRINT_SCALE,
    },
}


class ExportServer:
    """One headless Chromium (via kaleido) and the event loop that drives it, in a daemon thread."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kaleido-export", daemon=True)
        self._thread.start()
        self._browser: kaleido.Kaleido | None = None
        try:
            self._submit(self._open())
        except BaseException:
            self.close()
            raise

    async def _open(self) -> None:
        browser = kaleido.Kaleido(n=TABS, mathjax=False, timeout=RENDER_TIMEOUT_S)
        await browser.open()
        self._browser = browser

    def _submit(self, coroutine: Any, figures: int = 1) -> Any:
        # kaleido times out each figure itself; this only guards against a wedged event loop
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout=RENDER_TIMEOUT_S * (1 + figures / TABS) + 30)

    @property
    def pid(self) -> int:
        """The process id of the Chromium this server renders with."""
        if self._browser is None:
            raise RuntimeError("the export server is closed")
        return self._browser.subprocess.pid

    @property
    def running(self) -> bool:
        return self._browser is not None and self._browser.subprocess.poll() is None

    def render(self, fig: go.Figure, fmt: str, width: int, height: int, scale: float) -> bytes:
        return self.render_many([fig], fmt, width, height, scale)[0]

    def render_many(
        self, figs: list[go.Figure], fmt: str, width: int, height: int | list[int], scale: float
    ) -> list[bytes]:
        """The figures rendered concurrently on the browser's tabs, in the order given; `height`
        is one for all or one per figure."""
        browser = self._browser
        if browser is None:
            raise RuntimeError("the export server is closed")
        heights = height if isinstance(height, list) else [height] * len(figs)

        async def all_of() -> list[bytes]:
            return await asyncio.gather(
                *(
                    browser.calc_fig(
                        f.to_dict(), opts={"format": fmt, "width": width, "height": h, "scale": scale}
                    )
                    for f, h in zip(figs, heights, strict=True)
                )
            )

        return self._submit(all_of(), len(figs))

    def close(self) -> None:
        browser, self._browser = self._browser, None
        if browser is not None and self._loop.is_running():
            # a browser that already died is closed enough; this runs at exit too
            with contextlib.suppress(Exception):
                self._submit(browser.close())
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        if not self._loop.is_running():
            self._loop.close()


_server: ExportServer | None = None
_server_lock = threading.Lock()


def server() -> ExportServer:
    """The process-wide export server, started on first use (restarted if its browser died)."""
    global _server
    with _server_lock:
        if _server is None or not _server.running:
            if _server is not None:
                _server.close()
            _server = ExportServer()
        return _server


def stop_server() -> None:
    """Stop the export server; the next export starts a new one. Registered to run at exit."""
    global _server
    with _server_lock:
        if _server is not None:
            _server.close()
            _server = None


atexit.register(stop_server)


@dataclass(frozen=True)
class Size:
    width: int
    height: int
    scale: float


# a 16:9 slide or print page; see theme.print_layout for the fonts
SLIDE = Size(theme.PRINT_WIDTH, theme.PRINT_HEIGHT, theme.PRINT_SCALE)


def to_png(
    fig: go.Figure,
    width: int = SLIDE.width,
    height: int = SLIDE.height,
    scale: float = SLIDE.scale,
) -> bytes:
    """PNG bytes of the figure in its print layout; the image is width*scale x height*scale pixels."""
    return server().render(theme.print_layout(fig), "png", width, height, scale)


def to_svg(fig: go.Figure, width: int = SLIDE.width, height: int = SLIDE.height) -> bytes:
    """SVG bytes (UTF-8) of the figure in its print layout."""
    return server().render(theme.print_layout(fig), "svg", width, height, 1)


def to_html(fig: go.Figure) -> str:
    """One self-contained interactive HTML page: plotly.js inline (~5 MB), no network needed."""
    return pio.to_html(fig, include_plotlyjs=True, full_html=True, config=HTML_CONFIG)


def chart_div(fig: go.Figure) -> str:
    """The chart as an HTML fragment for a page that has already loaded plotly.js once."""
    return pio.to_html(fig, include_plotlyjs=False, full_html=False, config=HTML_CONFIG, default_width="100%")


def slug(name: str) -> str:
    """A safe file stem: lower case, letters, digits and dashes only (no path can escape out_dir)."""
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not stem:
        raise ValueError(f"no usable file name in {name!r}")
    return stem


def write_chart(fig: go.Figure, out_dir: Path, name: str) -> list[Path]:
    """Write NAME.png, NAME.svg and NAME.html into out_dir (created if needed); returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = slug(name)
    paths = [out_dir / f"{stem}.png", out_dir / f"{stem}.svg", out_dir / f"{stem}.html"]
    paths[0].write_bytes(to_png(fig))
    paths[1].write_bytes(to_svg(fig))
    paths[2].write_text(to_html(fig), encoding="utf-8")
    return paths


def print_height(fig: go.Figure) -> int:
    """Layout pixels the figure needs at print width: a 16:9 page, or taller when the figure asks for
    more room than a screen chart (many teams, many small multiples), its fonts being enlarged too."""
    asked = fig.layout.height or 0
    return max(SLIDE.height, round(asked * theme.PRINT_FONT_SCALE))


def slide_pngs(
    figures: list[go.Figure | None], width: int = SLIDE.width, height: int = SLIDE.height
) -> list[bytes | None]:
    """Each figure as a PNG (None stays None), all through the one export server: `width` layout
    pixels wide and `height` high, or as high as its content needs (print_height) when that is more.
    A writer passes the shape of the room a chart has on its page, so that the chart fills it."""
    present = [fig for fig in figures if fig is not None]
    heights = [max(height, print_height(fig)) for fig in present]
    printed = [theme.print_layout(fig) for fig in present]
    pngs = iter(server().render_many(printed, "png", width, heights, SLIDE.scale))
    return [None if fig is None else next(pngs) for fig in figures]


def png_slices(png: bytes, most: int, pieces: int) -> tuple[list[bytes], bool]:
    """A tall PNG cut into at most `pieces` parts of at most `most` pixels each, each page filled
    as far as the last wide gap (between two bars or panels, never through a label) before its
    limit; and whether the parts hold all of it (False: the figure needs
    more than `pieces` parts, and the first ones are returned)."""
    with Image.open(BytesIO(png)) as image:
        picture = image.convert("RGB")
    if picture.height <= most:
        return [png], True
    ink = (np.asarray(picture.convert("L")) < 200).sum(axis=1)
    parts: list[bytes] = []
    top = 0
    while top < picture.height and len(parts) < pieces:
        bottom = min(top + most, picture.height)
        if bottom < picture.height:
            start = top + most // 2
            bottom = start + _quietest(ink[start:bottom], aim=bottom - start)
        out = BytesIO()
        picture.crop((0, top, picture.width, bottom)).save(out, format="PNG")
        parts.append(out.getvalue())
        top = bottom
    return parts, top >= picture.height


def _quietest(ink: np.ndarray, aim: int) -> int:
    """The middle of a run of the least-inked rows (a gap between two bars or panels) nearest `aim`,
    among the runs at least 12 pixels high when there are any (a gap, not a hairline between lines)."""
    quiet = np.concatenate([[False], ink <= ink.min(), [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(quiet))
    runs = list(zip(edges[::2], edges[1::2], strict=True))
    start, stop = max(runs, key=lambda run: (min(run[1] - run[0], 12), -abs((run[0] + run[1]) // 2 - aim)))
    return int((start + stop) // 2)


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels."""
    with Image.open(BytesIO(png)) as image:
        return image.size
