"""Many users at once, as Streamlit websocket clients: N sessions on one server, each with its own filters.

A browser per user would measure the browsers on a 2-core machine; these clients speak
Streamlit's own protocol (BackMsg / ForwardMsg) over ``/_stcore/stream``, so the server does
exactly the work a user causes and the client costs almost nothing. Each session opens the
explorer with its own market and region, then changes its region filter K times (a rerun with
the new query string, what the URL-bound filters do), timing each change until the script
finishes. Users arrive one every ``--stagger`` seconds and pause ``--think`` seconds between
changes (seeded). Checks: every run finishes without an exception element, every session ends
showing its own market and region (no shared state), and the p95 change latency stays within
3x the single-user p95 measured in the same run.

    .venv/bin/python bench/load_ws.py               # 20 sessions x 10 changes, after a warm-up visit
    .venv/bin/python bench/load_ws.py --changes 20 --cold   # longer, and first visits included
    .venv/bin/python bench/load_ws.py --short --no-latency-gate   # CI: isolation and errors, 20 x 3
Exit code 1 on any failed check.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from bench.stats import load_report, verdict  # noqa: E402
from tests.browser.conftest import streamlit_server  # noqa: E402

MARKETS = {
    "connected-healthcare": "Connected Healthcare",
    "telemedicine": "Telemedicine",
    "iomt": "Internet of Medical Things (IoMT)",
    "metaverse-healthcare": "Metaverse in Healthcare",
}
REGIONS = ["americas", "emea", "asia_pacific"]
RUN_TIMEOUT_S = 60


async def run_script(ws, query: str) -> dict:
    """One rerun of the explorer with ``query``; what it showed and how long it took."""
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = "explorer"
    start = time.perf_counter()
    await ws.send(msg.SerializeToString())
    headings, exceptions, final_query = [], 0, None
    while True:
        fwd = ForwardMsg.FromString(await asyncio.wait_for(ws.recv(), RUN_TIMEOUT_S))
        kind = fwd.WhichOneof("type")
        if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            element = fwd.delta.new_element
            if element.WhichOneof("type") == "heading":
                headings.append(re.sub(r"\\(.)", r"\1", element.heading.body))  # data text arrives escaped
            elif element.WhichOneof("type") == "exception":
                exceptions += 1
        elif kind == "page_info_changed":
            final_query = fwd.page_info_changed.query_string
        elif kind == "script_finished":
            return dict(
                ms=(time.perf_counter() - start) * 1000, headings=headings, exceptions=exceptions, query=final_query
            )


async def session(url: str, index: int, changes: int, stagger_s: float, think_s: tuple[float, float]) -> dict:
    rng = random.Random(index)
    market = list(MARKETS)[index % len(MARKETS)]
    regions = [REGIONS[index % 3], REGIONS[(index + 1) % 3]]
    await asyncio.sleep(index * stagger_s)
    result = dict(market=market, latencies=[], problems=[])
    try:
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
            first = await run_script(ws, f"market={market}&dim=component&region={regions[0]}")
            region = regions[0]
            last = first
            for i in range(changes):
                await asyncio.sleep(rng.uniform(*think_s))
                region = regions[(i + 1) % 2]
                last = await run_script(ws, f"market={market}&dim=component&region={region}")
                result["latencies"].append(last["ms"])
                if last["exceptions"]:
                    result["problems"].append(f"change {i}: {last['exceptions']} exception(s)")
            shown = parse_qs(last["query"] or "")
            if MARKETS[market] not in last["headings"]:
                result["problems"].append(f"shows {last['headings'][:3]}, not {MARKETS[market]}")
            if shown.get("market") != [market] or shown.get("region") != [region]:
                result["problems"].append(f"URL state {last['query']!r}, expected market={market}, region={region}")
    except Exception as exc:  # noqa: BLE001 - a failed session is a result
        result["problems"].append(repr(exc))
    return result


async def warm_up(url: str) -> None:
    """Visit every market x region once, so both phases time the steady state, not first visits.

    Without it the single user (who runs first) meets some views cold and the crowd meets others,
    and the comparison measures cache order rather than contention. Cold start has its own figure
    in bench/bench_browser.py.
    """
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        for market in MARKETS:
            for region in REGIONS:
                await run_script(ws, f"market={market}&dim=component&region={region}")


async def run(
    base: str, sessions: int, changes: int, stagger_s: float, think_s: tuple[float, float], warm: bool = True
):
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    if warm:
        await warm_up(url)
    single = await session(url, 0, max(changes, 10), 0.0, (0.2, 0.4))
    many = await asyncio.gather(*(session(url, i, changes, stagger_s, think_s) for i in range(sessions)))
    return single, many


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--stagger", type=float, default=0.25, help="seconds between arrivals")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), help="pause range between changes, s")
    parser.add_argument("--short", action="store_true", help="CI mode: 3 changes per session")
    parser.add_argument("--limit-s", type=float, default=300, help="wall-clock limit for the whole run")
    parser.add_argument("--cold", action="store_true", help="skip the warm-up visit of every market x region")
    parser.add_argument(
        "--no-latency-gate",
        action="store_true",
        help="report the p95 ratio but fail only on isolation and errors (CI, see README)",
    )
    args = parser.parse_args()
    changes = 3 if args.short else args.changes
    started = time.monotonic()
    with streamlit_server() as base:
        single, many = asyncio.run(
            asyncio.wait_for(
                run(base, args.sessions, changes, args.stagger, tuple(args.think), warm=not args.cold),
                timeout=args.limit_s,
            )
        )
    failures = [f"single session: {p}" for p in single["problems"]]
    for i, r in enumerate(many):
        failures += [f"session {i} ({r['market']}): {p}" for p in r["problems"]]
        if len(r["latencies"]) != changes:
            failures.append(f"session {i} completed {len(r['latencies'])} of {changes} changes")
    lat = [v for r in many for v in r["latencies"]]
    if single["latencies"] and lat:
        failures += load_report(
            "load test (websocket clients)",
            args.sessions,
            single["latencies"],
            lat,
            f"arrivals every {args.stagger} s, think {args.think[0]}-{args.think[1]} s; "
            + ("cold caches; " if args.cold else "caches warmed (every market x region once); ")
            + f"wall {time.monotonic() - started:.0f} s",
            gate=not args.no_latency_gate,
        )
    return verdict(failures)


if __name__ == "__main__":
    sys.exit(main())
