"""Benchmark the data path: build time, and the query + chart work behind each page, at 4 / 10 / 100 / 1,000 markets.

Run: .venv/bin/python bench/bench_data.py [--repeat 20]
Prints a table of medians and p95s (milliseconds). Browser latencies are measured separately.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate  # noqa: E402
from marketintel import charts, queries, render_plotly  # noqa: E402
from marketintel.db import build_database, connect_read_only  # noqa: E402
from marketintel.settings import data_dir  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def drawn(spec):
    """Describe and draw, as a page does (the old builders returned drawn figures)."""
    return render_plotly.figure(spec)


def page_work(con, market_id: str, others: list[str]):
    def overview():
        drawn(charts.growth_chart(queries.market_series(con), "log"))
        charts.bubble_chart(queries.growth_summary(con))

    def explorer():
        f = {"region": ["asia_pacific"], "end_user": ["hospitals"]}
        drawn(charts.growth_chart(queries.market_series(con, [market_id])))
        b = queries.segment_breakdown(con, market_id, "component", f)
        drawn(charts.segment_area_chart(b, "t", None, None))
        tree = queries.segment_breakdown(con, market_id, "component", f, level=None)
        drawn(charts.segment_hierarchy_chart(tree, int(tree["year"].max()), "t", None, None))
        queries.segment_share_table(con, market_id, "component", f, level=None)
        queries.insights(con, market_id, None, f)

    def compare():
        chosen = [market_id, *others][:4]
        drawn(charts.growth_chart(queries.market_series(con, chosen), "indexed"))
        charts.growth_bars(queries.growth_summary(con, chosen))
        comp = queries.concept_comparison(con, chosen, ["hospitals", "remote_patient_monitoring"])
        drawn(charts.concept_chart(comp, int(comp["year"].max()), "t", []))

    return {"overview": overview, "explorer": explorer, "compare": compare}


def print_export_bench(repeat: int) -> None:
    """Export costs: a 12-chart PowerPoint deck (native charts), one PNG, one workbook."""
    from marketintel import export
    from marketintel.db import ensure_database
    from marketintel.render_pptx import DeckSlide, build_deck

    path, _ = ensure_database()
    con = connect_read_only(path)
    f = {"region": ["asia_pacific"]}
    figs = []
    for mid in queries.market_list(con)["market_id"]:
        figs.append(charts.growth_chart(queries.market_series(con, [mid]), "linear", mid))
        figs.append(charts.segment_area_chart(queries.segment_breakdown(con, mid, "component", f), mid, None, None))
        figs.append(charts.segment_bar_chart(queries.segment_breakdown(con, mid, "region"), 2032, mid, None, None))
    slides = [DeckSlide.from_chart(spec, "bench") for spec in figs[:12]]
    deck_med, deck_p95 = timed(lambda: build_deck(slides), max(5, repeat // 4))
    tables = {f"t{i}": queries.segment_breakdown(con, "telemedicine", "specialty") for i in range(12)}
    xlsx_med, _ = timed(lambda: export.workbook_bytes(tables, queries.sources(con)), 5)
    print(
        f"| export | median (ms) | p95 (ms) |\n|---|---:|---:|\n| 12-chart .pptx (native charts) | {deck_med:,.0f} | {deck_p95:,.0f} |"
    )
    print(f"| 12-sheet .xlsx + sources | {xlsx_med:,.0f} | |")
    if export.chrome_path():
        export.chart_image(figs[0])  # first call starts the browser
        png_med, png_p95 = timed(lambda: export.chart_image(figs[1]), 5)
        print(f"| one PNG via kaleido (warm server) | {png_med:,.0f} | {png_p95:,.0f} |")
    con.close()
    print()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sizes", default="10,100,1000")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cases = [("real data (4 markets)", data_dir())]
        for n in [int(x) for x in args.sizes.split(",") if x]:
            cases.append((f"synthetic, {n:,} markets", generate(tmp / f"data{n}", n)))
        for label, root in cases:
            target = tmp / f"{root.name}.duckdb"
            builds = [timed(lambda r=root, t=target: build_database(r, t), 1)[0] for _ in range(3)]
            con = connect_read_only(target)
            markets = queries.market_list(con)["market_id"].tolist()
            work = page_work(con, markets[0], markets[1:])
            row = {"case": label, "build_ms": statistics.median(builds)}
            for page, fn in work.items():
                med, p95 = timed(fn, args.repeat)
                row[f"{page}_med"], row[f"{page}_p95"] = med, p95
            con.close()
            rows.append(row)
    print_export_bench(args.repeat)
    header = "| case | build (ms) | overview med / p95 (ms) | explorer med / p95 (ms) | compare med / p95 (ms) |"
    print(header)
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['case']} | {r['build_ms']:,.0f} | {r['overview_med']:.1f} / {r['overview_p95']:.1f} | "
            f"{r['explorer_med']:.1f} / {r['explorer_p95']:.1f} | {r['compare_med']:.1f} / {r['compare_p95']:.1f} |"
        )
    base, big = rows[1], rows[-1]
    for page in ("explorer", "compare"):
        print(f"{page}: {big['case']} / {base['case']} = {big[page + '_med'] / base[page + '_med']:.2f}x (median)")


if __name__ == "__main__":
    main()
