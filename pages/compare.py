"""Compare: two to four markets side by side, segment by segment, and source by source."""

import streamlit as st

from marketintel import charts, queries
from marketintel.settings import load_settings
from marketintel.ui import (figure, choose_many, choose_one, draw_chart, page_workbook, plain, query, register_table,
                            page_setup, restore_url, show_messages)

page_setup()
cfg = load_settings()
restore_url(["markets", "scale", "concepts", "cyear", "measure", "source_market"])
markets = query(queries.market_list)
if len(markets) < 2:
    st.error("Comparing needs at least two markets; the Data & sources page lists what failed to load.")
    st.stop()
names = dict(zip(markets["market_id"], markets["name_en"]))

st.title("Compare markets")
st.info(cfg["overlap_note"])
chosen, messages = choose_many("markets", "Markets", list(markets["market_id"]), names,
                               default=list(markets["market_id"])[:4], max_selections=4)
if len(chosen) < 2:
    show_messages(messages)
    st.warning("Choose at least two markets to compare.")
    st.stop()
show_messages(messages)
series = query(queries.market_series, chosen)
summary = query(queries.growth_summary, chosen)
picked_names = ", ".join(names[m] for m in chosen)


@st.fragment
def growth_section() -> None:
    """The scale switch reruns only this chart."""
    scale, msg = choose_one("scale", "Scale", list(charts.SCALES),
                            {"linear": "Linear", "log": "Log", "indexed": "Indexed (first year = 100)"}, "indexed",
                            widget="segmented")
    show_messages(msg)
    draw_chart(figure(charts.growth_chart, series, scale, "Market size compared"), "compare_growth", series,
               f"{picked_names} · {scale} scale")


growth_section()
draw_chart(figure(charts.growth_bars, summary, "Growth compared"), "compare_bars", summary, picked_names)

st.subheader("Headline figures", anchor=False)
headline = query(queries.headline_table, chosen)
register_table("Headline figures", headline.reset_index())
st.dataframe(headline, column_config={
    "cagr_pct": st.column_config.NumberColumn("CAGR (%, reported)", format="%.2f"),
    "cagr_start": st.column_config.NumberColumn("CAGR from", format="%d"),
    "cagr_end": st.column_config.NumberColumn("CAGR to", format="%d"),
    "report_code": st.column_config.TextColumn("Report"),
}, width="stretch")

st.subheader("Segment by segment", anchor=False)
st.caption("Segments that mean the same thing across markets, matched through shared concept keys. "
           "Segment figures are estimates.")
concepts = query(queries.comparable_concepts, chosen)
if concepts.empty:
    st.info("These markets share no comparable segment.")
else:
    clabels = dict(zip(concepts["concept"], concepts["label_en"]))
    defaults = [c for c in ("remote_patient_monitoring", "hospitals", "home_care") if c in clabels]
    picked, msg = choose_many("concepts", "Segments to compare", list(concepts["concept"]), clabels,
                              default=defaults or list(concepts["concept"])[:3])
    years = sorted({int(y) for y in series["year"]})
    ca, cb = st.columns([1, 2])
    cyear, msg2 = choose_one("cyear", "Year", [str(y) for y in years], {}, str(years[-1]), where=ca)
    measure, msg3 = choose_one("measure", "Measure", ["value", "share"],
                               {"value": "Size (USD bn)", "share": "Share of each market (%)"}, "value",
                               widget="segmented", where=cb,
                               help="Shares put markets of very different size on one scale.")
    show_messages(msg + msg2 + msg3)
    if picked:
        comp = query(queries.concept_comparison, chosen, picked)
        draw_chart(figure(charts.concept_chart, comp, int(cyear), "Comparable segments across markets",
                                        list(markets.set_index("market_id").loc[chosen, "report_code"]), measure),
                   "compare_concepts", comp, f"{picked_names} · {cyear}")
        detail = comp[comp["year"] == int(cyear)][["concept_label", "name_en", "segments", "share_pct", "value", "note"]]
        st.dataframe(detail, hide_index=True, width="stretch", column_config={
            "concept_label": "Segment", "name_en": "Market", "segments": "Market's own segment(s)",
            "share_pct": st.column_config.NumberColumn("Share (%, est.)", format="%.1f"),
            "value": st.column_config.NumberColumn(f"{cyear} (USD bn, est.)", format="%.2f"),
            "note": "Note"})
    else:
        st.info("Pick at least one segment to compare.")

st.subheader("Sources side by side", anchor=False)
srcs = query(queries.sources)
multi = srcs.groupby("market_id").size()
multi_ids = [m for m in markets["market_id"] if multi.get(m, 0) > 1]
if not multi_ids:
    st.info("Every market has a single source today.")
else:
    smarket, msg = choose_one("source_market", "Market with more than one source", multi_ids, names, multi_ids[0])
    show_messages(msg)
    msrc = srcs[srcs["market_id"] == smarket]
    st.dataframe(msrc[["title_en", "kind", "report_code", "date", "is_primary", "first_year", "last_year", "n_figures",
                       "cagr_pct", "coverage"]], hide_index=True, width="stretch", column_config={
        "title_en": "Source", "kind": "Kind", "report_code": "Report code",
        "date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
        "is_primary": "Primary", "first_year": "First year", "last_year": "Last year",
        "n_figures": "Figures stated", "cagr_pct": st.column_config.NumberColumn("CAGR (%)", format="%.2f"),
        "coverage": "What it covers"})
    sseries = query(queries.source_series, smarket)
    color = markets.set_index("market_id").loc[smarket, "color"]
    draw_chart(figure(charts.source_timeline, sseries, f"{names[smarket]}: each source's figures", color), "compare_sources",
               sseries, names[smarket])
    spread = query(queries.source_spread, smarket)
    numeric = msrc[msrc["n_figures"] > 0]
    silent = msrc[msrc["n_figures"] == 0]
    if len(numeric) >= 2:
        st.dataframe(spread, hide_index=True, column_config={
            "year": "Year", "n_sources": "Sources", "low": st.column_config.NumberColumn("Lowest (USD bn)", format="%.2f"),
            "high": st.column_config.NumberColumn("Highest (USD bn)", format="%.2f"),
            "spread_pct": st.column_config.NumberColumn("Spread (%)", format="%.1f"), "outlier": "Far from the others"})
        for row in spread.dropna(subset=["outlier"]).itertuples():
            st.warning(f"{row.year}: source {plain(row.outlier)} sits far from the others "
                       f"(spread {row.spread_pct:.0f}%).")
    for s in silent.itertuples():
        st.warning(f"{plain(s.title_en)} ({plain(s.date)}) states no market size or growth rate, so there is no "
                   "spread to compute. Its qualitative claims and taxonomy are shown below, kept separate from "
                   "the primary report's.")
    claims = query(queries.claims, smarket)
    for c in claims.itertuples():
        st.markdown(f"- {plain(c.text_en)} — *{plain(c.source_title)}*")
    tax = query(queries.source_taxonomies, smarket)
    st.markdown("**Where the taxonomies differ**")
    st.dataframe(tax[["dimension_label", "title_en", "segments"]], hide_index=True, width="stretch",
                 column_config={"dimension_label": "Dimension", "title_en": "Source", "segments": "Segments it names"})

page_workbook("compare")
