"""Many users at once: N concurrent browser sessions on one server, each with its own filters.

Each session opens the explorer with its own market and region, then flips the "Chart"
control K times, timing each flip until the chart is redrawn. Users arrive one a second and
look at the chart for 2-4 s between changes (seeded, so runs repeat): on 2 cores, 20 browsers
and one server clicking in lockstep would measure a saturated machine, not the app. It checks that every session
still shows its own market and filters (no shared state), that no page shows an exception or
logs a console error, and compares the p95 latency with one session alone, measured in the
same run. Everything is bounded: sessions, changes and a wall-clock limit.

    .venv/bin/python bench/load_test.py                 # 20 sessions x 10 changes
    .venv/bin/python bench/load_test.py --short         # CI: 20 sessions x 3 changes
Exit code 1 when a check fails or p95 exceeds 3x the single-user p95.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from bench.stats import load_report, verdict  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, streamlit_server  # noqa: E402

MARKETS = ["connected-healthcare", "telemedicine", "iomt", "metaverse-healthcare"]
REGIONS = ["americas", "emea", "asia_pacific", ""]
TITLES = {
    "connected-healthcare": "Connected Healthcare",
    "telemedicine": "Telemedicine",
    "iomt": "Internet of Medical Things (IoMT)",
    "metaverse-healthcare": "Metaverse in Healthcare",
}
ALLOWED_404 = ("/_stcore/health", "/_stcore/host-config")
STAGGER_S = 1.0  # one new user a second
THINK_S = (2.0, 4.0)  # seconds a user looks at the chart before changing it again


async def settled(page, timeout_s: float = 60) -> None:
    """Wait until the script run finished and every chart is drawn."""
    deadline = time.monotonic() + timeout_s
    await page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_s * 1000)
    while time.monotonic() < deadline:
        state = await page.evaluate("""() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const running = app && app.getAttribute('data-test-script-state') === 'running';
            const status = document.querySelector('[data-testid="stStatusWidget"]');
            const plots = [...document.querySelectorAll('.js-plotly-plot')];
            const drawn = plots.length > 0 && plots.every(p => p._fullLayout);
            return !running && !status && drawn;
        }""")
        if state:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("page did not settle")


async def chart_signature(page) -> str:
    return await page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .map(p => (p.data || []).map(t => t.type + ':' + (t.name || '')).join('|')).join('#')""")


async def session(
    browser,
    base: str,
    index: int,
    changes: int,
    results: dict,
    stagger_s: float = 0.0,
    think_s: tuple[float, float] = (0.0, 0.0),
) -> None:
    market, region = MARKETS[index % 4], REGIONS[(index // 4) % 4]
    rng = random.Random(index)
    await asyncio.sleep(index * stagger_s)  # users arrive one after another, not in the same millisecond
    url = f"{base}/explorer?market={market}&dim=component" + (f"&region={region}" if region else "")
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "404" not in m.text else None)
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not urlsplit(r.url).path.endswith(ALLOWED_404)
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    latencies: list[float] = []
    try:
        await page.goto(url)
        await settled(page, timeout_s=180)
        for i in range(changes):
            await asyncio.sleep(rng.uniform(*think_s))  # reading the chart before the next change
            before = await chart_signature(page)
            label = "Stacked bars" if i % 2 == 0 else "Stacked area"
            start = time.perf_counter()
            await page.get_by_role("radio", name=label, exact=True).click()
            deadline = time.monotonic() + 60
            while await chart_signature(page) == before and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            await settled(page)
            latencies.append((time.perf_counter() - start) * 1000)
        title = await page.locator('[data-testid="stMain"] h1').first.inner_text()
        query = parse_qs(urlsplit(page.url).query)
        own = (
            title.strip() == TITLES[market]
            and query.get("market") == [market]
            and (query.get("region") == [region] if region else "region" not in query)
        )
        exceptions = await page.locator('[data-testid="stException"]').count()
        results[index] = dict(
            latencies=latencies, own_state=bool(own), errors=errors, exceptions=exceptions, market=market, region=region
        )
    except Exception as exc:  # noqa: BLE001 - a failed session is a result, not a crash of the test
        results[index] = dict(
            latencies=latencies,
            own_state=False,
            errors=errors + [repr(exc)],
            exceptions=0,
            market=market,
            region=region,
        )
    finally:
        await context.close()


async def run(base: str, sessions: int, changes: int) -> dict:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        single: dict = {}
        await session(browser, base, 0, changes * 2, single)
        many: dict = {}
        await asyncio.gather(*(session(browser, base, i, changes, many, STAGGER_S, THINK_S) for i in range(sessions)))
        await browser.close()
    return {"single": single, "many": many}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--short", action="store_true", help="CI mode: 3 changes per session")
    parser.add_argument("--limit-s", type=float, default=600, help="wall-clock limit for the whole run")
    args = parser.parse_args()
    changes = 3 if args.short else args.changes
    if not Path(chromium_path()).exists():
        print(f"SKIP: no Chromium at {chromium_path()}")
        return 0
    started = time.monotonic()
    with streamlit_server() as base:
        out = asyncio.run(asyncio.wait_for(run(base, args.sessions, changes), timeout=args.limit_s))
    single = out["single"][0]["latencies"]
    if not single:
        print("FAIL: the single session measured nothing:", out["single"][0]["errors"][:5])
        return 1
    many = [v for r in out["many"].values() for v in r["latencies"]]
    failures = []
    for i, r in sorted(out["many"].items()):
        if not r["own_state"]:
            failures.append(f"session {i} ({r['market']}, {r['region'] or 'all regions'}) lost its own state")
        if r["errors"] or r["exceptions"]:
            failures.append(f"session {i}: {r['exceptions']} exception(s), errors {r['errors'][:3]}")
        if len(r["latencies"]) != changes:
            failures.append(f"session {i} completed {len(r['latencies'])} of {changes} changes")
    if many:
        failures += load_report(
            "load test (browsers)", args.sessions, single, many, f"wall time {time.monotonic() - started:.0f} s"
        )
    return verdict(failures)


if __name__ == "__main__":
    sys.exit(main())
