"""README screenshots, taken with the same server and browser code as the browser tests (not a test).

    .venv/bin/python tests/browser/screenshots.py [--out docs/screenshots] [--small-out /tmp/shots720] [--lang zh]

Writes <page>.png at 1440x900 and <page>_full.png at 1440x2400 (Streamlit scrolls inside its own
container, so a full-page screenshot would only capture the viewport; a tall viewport shows more).
With --small-out it also writes every page at 1280x720 there, for checking the smaller layout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import ROOT, ConsoleLog, launch_browser, open_page, streamlit_server  # noqa: E402

SHOTS = {
    "overview": "/",
    "explorer": "/explorer?market=telemedicine&region=asia_pacific&dim=service_type",
    "compare": "/compare?markets=connected-healthcare,telemedicine,iomt&scale=log",
    "sources": "/sources?market=iomt",
    "data": "/data",
}
SIZES = {"": (1440, 900), "_full": (1440, 2400)}


def take(browser, base: str, out: Path, width: int, height: int, suffix: str, lang: str = "en") -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": width, "height": height})
    problems: list[str] = []
    try:
        for name, path in SHOTS.items():
            page = ctx.new_page()
            console = ConsoleLog(page)
            open_page(page, base + path + ("" if lang == "en" else ("&" if "?" in path else "?") + f"lang={lang}"))
            page.mouse.move(0, height - 1)  # no hover label over a chart
            page.wait_for_timeout(200)
            target = out / f"{name}{'' if lang == 'en' else '_' + lang}{suffix}.png"
            page.screenshot(path=str(target))
            print(f"wrote {target}")
            problems += [f"{name} {width}x{height}: {p}" for p in console.problems()]
            page.close()
    finally:
        ctx.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--small-out", type=Path, default=None, help="also save 1280x720 shots here")
    parser.add_argument("--lang", default="en", help="page language (en or zh); zh shots are named <page>_zh")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with streamlit_server() as base, sync_playwright() as pw:
        browser = launch_browser(pw)
        try:
            for suffix, (w, h) in SIZES.items():
                problems += take(browser, base, args.out, w, h, suffix, args.lang)
            if args.small_out:
                problems += take(browser, base, args.small_out, 1280, 720, "", args.lang)
        finally:
            browser.close()
    for p in dict.fromkeys(problems):
        print("browser problem:", p, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
