"""Measure chart export and pack writing: `python -m tests.report.measure_exports [--images 3]`.

Prints seconds per image with a browser started for each image (plotly's write_image without a
server, which is what a naive export does) against the persistent export server, and the time to
write a ten-chart review pack as PDF, PPTX and HTML. Uses the small sample charts of the tests.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import kaleido
import plotly.io as pio

from pipelines.report import images
from pipelines.report.pack import write
from tests.report.conftest import make_pack, sample_figures


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=3, help="images exported one browser each")
    args = parser.parse_args()
    figures = [fig for _, fig in sample_figures()]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        one_shot = [
            _timed(
                lambda i=i: pio.write_image(
                    figures[i], out / f"naive{i}.png", width=1200, height=675, scale=2
                )
            )
            for i in range(args.images)
        ]
        no_mathjax = [
            _timed(
                lambda i=i: kaleido.calc_fig_sync(
                    figures[i].to_dict(),
                    opts={"format": "png", "width": 1200, "height": 675, "scale": 2},
                    kopts={"mathjax": False},
                )
            )
            for i in range(args.images)
        ]
        start = _timed(images.server)
        sequential = [_timed(lambda f=f: images.to_png(f)) for f in figures]
        parallel = _timed(lambda: images.slide_pngs(figures))
        svg = [_timed(lambda f=f: images.to_svg(f)) for f in figures]
        pack = make_pack(10)
        packs = {
            suffix: _timed(lambda s=suffix: write(pack, out / f"pack{s}"))
            for suffix in (".pdf", ".pptx", ".html")
        }
        sizes = {suffix: (out / f"pack{suffix}").stat().st_size for suffix in packs}
    images.stop_server()
    mean = sum(sequential) / len(sequential)
    print(
        f"browser per image (plotly write_image, no server): {sum(one_shot) / len(one_shot):.2f} s/image {one_shot}"
    )
    print(
        f"browser per image, MathJax off:                    {sum(no_mathjax) / len(no_mathjax):.2f} s/image"
    )
    print(f"export server start (Chromium, {images.TABS} tabs):          {start:.2f} s")
    print(f"persistent server, PNG 2400x1350, one at a time:  {mean:.2f} s/image (10 charts)")
    print(
        f"persistent server, 10 PNGs on {images.TABS} tabs:             {parallel:.2f} s ({parallel / 10:.2f} s/image)"
    )
    print(f"persistent server, SVG:                           {sum(svg) / len(svg):.2f} s/image")
    for suffix, seconds in packs.items():
        print(f"10-chart pack {suffix:5}: {seconds:.2f} s, {sizes[suffix] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
