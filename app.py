"""Entry point and Overview page: one card per market, growth of all markets, size vs growth.

Run with ``streamlit run app.py``; the other pages are the scripts in ``pages/``.
"""

import pandas as pd
import streamlit as st

from marketintel import charts, queries
from marketintel.settings import load_settings
from marketintel.ui import (figure, choose_one, draw_chart, page_workbook, plain, query, register_table, restore_url,
                            page_setup, show_messages)

page_setup()
cfg = load_settings()
restore_url(["scale"])
st.title(cfg["app"]["title"])
st.caption("Four healthcare technology markets, sized from published market-report summaries. "
           "Hover a figure to see where it comes from.")

all_markets = query(queries.market_list)
if all_markets.empty:
    st.error("No market could be loaded. The Data & sources page lists what is wrong with the data files.")
    st.stop()
limit = cfg["overview_max_markets"]
shown = list(all_markets["market_id"]) if len(all_markets) <= limit else query(queries.largest_markets, limit)
markets = all_markets[all_markets["market_id"].isin(shown)]
headlines = query(queries.headline_figures, shown)

st.info(cfg["overlap_note"])
if len(all_markets) > limit:
    st.caption(f"Showing the {limit} largest of {len(all_markets):,} markets; every market is in the table below, "
               "and Compare or the Market explorer open any of them.")

cols = st.columns(min(4, len(markets)))
for i, m in enumerate(markets.itertuples()):
    with cols[i % len(cols)].container(border=True):
        st.subheader(plain(m.name_en), anchor=False)
        st.caption(f"Report {plain(m.report_code)} · primary source · USD bn")
        for f in headlines[headlines["market_id"] == m.market_id].itertuples():
            st.metric(f"{f.year} {f.role or 'reported'}", f"{f.value:,.2f}",
                      help=f"Reported: stated in report {m.report_code} ({f.role or 'figure'}, {f.year}).")
        if pd.notna(m.cagr_pct):
            st.metric(f"CAGR {int(m.cagr_start)}–{int(m.cagr_end)}", f"{m.cagr_pct:.2f}%",
                      help=f"Reported by report {m.report_code}; the period is the one its figures imply.")

st.divider()


@st.fragment
def growth_section() -> None:
    """The scale switch reruns only this chart, not the cards or the bubble chart."""
    scale, messages = choose_one("scale", "Scale", list(charts.SCALES),
                                 {"linear": "Linear", "log": "Log", "indexed": "Indexed (first year = 100)"},
                                 "log", widget="segmented",
                                 help="The markets differ by two orders of magnitude: a linear axis hides the small ones.")
    show_messages(messages)
    series = query(queries.market_series, shown)
    first, last = int(series["year"].min()), int(series["year"].max())
    draw_chart(figure(charts.growth_chart, series, scale, f"Market size {first}–{last}"), "overview_growth", series,
               f"All markets · {scale} scale")


growth_section()
summary = query(queries.growth_summary, shown)
draw_chart(figure(charts.bubble_chart, summary, "Size vs growth"), "overview_bubble", summary, "All markets")
if len(all_markets) > limit:
    table = query(queries.headline_table)
    st.dataframe(table, width="stretch", height=360)
    register_table("All markets", table.reset_index())
register_table("Headline figures", headlines)
page_workbook("overview")
