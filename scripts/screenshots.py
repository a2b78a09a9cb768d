"""Screenshots of every tab of the page at phone (390x844) and desktop (1366x768) width, into docs/screenshots/.

    python scripts/screenshots.py [--url http://127.0.0.1:8000] [--out docs/screenshots] [--dark]

Without --url it starts `rag serve` itself (this checkout's code and index) on a free loopback port. The tabs are
the page's own (tests/_tabs.py reads them from Gradio's config), so a new tab is photographed without a change
here; the chat tab shows one answer. Images are reduced to 256 colours (a few tens of kB each). `make screenshots`
runs this after the browser tests' own images.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from _live_server import rag_serve  # noqa: E402 - the tests' helpers, from the path set just above
from _tabs import open_tab, tabs  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
DEVICES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1366, "height": 768}},
}
QUESTION = "青岛生育津贴怎么领取？"  # an answer with its clause cards, the next step and suggested questions


def _ask(page, question: str) -> None:
    box = page.locator("#rag-input textarea")
    box.wait_for(timeout=90_000)
    box.fill(question)
    box.press("Enter")
    page.locator("#rag-chat .bot .rag-cite").first.wait_for(timeout=90_000)
    page.wait_for_timeout(800)


def _small_png(path: Path) -> None:
    """256 colours: the same picture at a fraction of the bytes (Pillow comes with Gradio)."""
    from PIL import Image

    with Image.open(path) as img:
        img.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def shoot(url: str, out: Path, dark: bool) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for device, options in DEVICES.items():
            ctx = browser.new_context(**options, color_scheme="dark" if dark else "light")
            page = ctx.new_page()
            page.goto(url + ("/?__theme=dark" if dark else "/"))
            _ask(page, QUESTION)
            for tab in tabs(page):
                open_tab(page, tab)
                path = out / f"{tab['slug']}-{device}{'-dark' if dark else ''}.png"
                page.screenshot(path=str(path))
                _small_png(path)
                written.append(path)
            ctx.close()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a running page (default: start `rag serve` here)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--dark", action="store_true", help="dark colour scheme (file names end in -dark)")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print("Debian chromium is not installed (make sysdeps).", file=sys.stderr)
        return 1
    server = contextlib.nullcontext(args.url.rstrip("/")) if args.url else rag_serve({"RAG_RATE_LIMIT": "0"})
    with server as url:
        for path in shoot(url, args.out, args.dark):
            print(
                f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} kB"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
