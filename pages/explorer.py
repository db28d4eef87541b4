"""Market explorer: one market, filtered by its dimensions, broken down by one of them."""

import streamlit as st

from marketintel import charts, queries
from marketintel.settings import load_settings
from marketintel.ui import (figure, choose_many, choose_one, draw_chart, page_workbook, plain, query, register_table,
                            page_setup, restore_url, show_messages)

page_setup()
cfg = load_settings()
dim_labels = {k: v["en"] for k, v in cfg["dimensions"].items()}
restore_url(["market", "dim", "view", "year", *cfg["dimensions"]])

markets = query(queries.market_list)
if markets.empty:
    st.error("No market could be loaded. The Data & sources page lists what is wrong with the data files.")
    st.stop()
messages: list[str] = []

st.sidebar.header("Market")
market_id, msg = choose_one("market", "Market", list(markets["market_id"]),
                            dict(zip(markets["market_id"], markets["name_en"])), markets["market_id"].iloc[0],
                            where=st.sidebar)
messages += msg
market = markets.set_index("market_id").loc[market_id]

dims = query(queries.market_dimensions, market_id, with_shares_only=True)
core = [d for d in cfg["core_filter_dimensions"] if d in set(dims["dimension"])]
own = [d for d in dims["dimension"] if d not in core]

st.sidebar.header("Filters")
st.sidebar.caption("Empty means all. Segment figures are estimates; combining dimensions assumes "
                   "independence unless a curated cross-tab exists.")
filters: dict[str, list[str]] = {}
for group, names in (("core", core), ("own", own)):
    if group == "own" and names:
        st.sidebar.caption(f"{plain(market['name_en'])} also has:")
    for d in names:
        opts = query(queries.segment_options, market_id, d)
        labels = {s: ("— " * depth) + lbl for s, lbl, depth in zip(opts["segment"], opts["label_en"], opts["depth"])}
        chosen, msg = choose_many(d, dim_labels.get(d, d), list(opts["segment"]), labels, where=st.sidebar)
        messages += msg
        if chosen:
            filters[d] = chosen
# Filters on dimensions this market lacks (e.g. from a link made on another market) are dropped.
for d in cfg["dimensions"]:
    if d not in set(dims["dimension"]) and d in st.query_params:
        messages.append(f"{market['name_en']} has no '{dim_labels.get(d, d)}' dimension; that filter was ignored.")
        del st.query_params[d]

st.title(market["name_en"])
st.caption(f"Primary source: report {market['report_code']} · {market['source_title']}")
show_messages(messages)

active = "; ".join(f"{dim_labels.get(d, d)}: {len(v)} selected" for d, v in filters.items()) or "no filters"
series = query(queries.market_series, [market_id])
draw_chart(figure(charts.growth_chart, series, "linear", f"{market['name_en']}: market size",
                               "● reported figure   ○ derived year — whole market, unfiltered"), "explorer_growth",
           series, "Whole market, unfiltered")


@st.fragment
def segments_section(market_id: str, market, dims, filters: dict, active: str) -> None:
    """Breakdown, chart type and year rerun only this section; the sidebar filters rerun the page."""
    st.subheader("Segments", anchor=False)
    c1, c2, c3 = st.columns([2, 2, 1])
    breakdown_dim, msg1 = choose_one("dim", "Break down by", list(dims["dimension"]), dim_labels,
                                     "component" if "component" in set(dims["dimension"]) else dims["dimension"].iloc[0],
                                     where=c1)
    view, msg = choose_one("view", "Chart", ["area", "bar"], {"area": "Stacked area", "bar": "Stacked bars"}, "area",
                           widget="segmented", where=c2)
    years = [str(y) for y in range(int(market["first_year"]), int(market["last_year"]) + 1)]
    year_s, msg2 = choose_one("year", "Year", years, {}, years[-1], where=c3)
    year = int(year_s)
    show_messages(msg1 + msg + msg2)

    subtitle = f"Filters: {active}"
    breakdown = query(queries.segment_breakdown, market_id, breakdown_dim, filters, level=0)
    if breakdown.empty or breakdown["value"].sum() == 0:
        st.warning("No segment matches these filters. Clear a filter in the sidebar to see figures again.")
    else:
        title = f"{market['name_en']} by {dim_labels.get(breakdown_dim, breakdown_dim).lower()}"
        draw_chart(figure(charts.segment_area_chart, breakdown, title, subtitle, market["report_code"], view), "explorer_segments",
                   breakdown, subtitle)

        tree = query(queries.segment_breakdown, market_id, breakdown_dim, filters, level=None)
        draw_chart(figure(charts.segment_hierarchy_chart, tree, year, f"{title}, {year}", subtitle, market["report_code"]),
                   "explorer_tree", query(queries.segment_breakdown, market_id, breakdown_dim, filters, level=None, year=year),
                   subtitle)
        table = query(queries.segment_share_table, market_id, breakdown_dim, filters, level=None)
        register_table("Share table", table)
        st.markdown(f"**Share table** · estimates · {int(table['first_year'].iloc[0])}→{int(table['last_year'].iloc[0])}")
        st.dataframe(
            table[["display_label", "share_first", "share_last", "value_first", "value_last", "cagr_pct", "rationale"]],
            hide_index=True,
            column_config={
                "display_label": st.column_config.TextColumn("Segment (est.)"),
                "share_first": st.column_config.NumberColumn(f"Share {table['first_year'].iloc[0]} (%)", format="%.1f"),
                "share_last": st.column_config.NumberColumn(f"Share {table['last_year'].iloc[0]} (%)", format="%.1f"),
                "value_first": st.column_config.NumberColumn(f"{table['first_year'].iloc[0]} (USD bn)", format="%.2f"),
                "value_last": st.column_config.NumberColumn(f"{table['last_year'].iloc[0]} (USD bn)", format="%.2f"),
                "cagr_pct": st.column_config.NumberColumn("CAGR (%)", format="%.2f"),
                "rationale": st.column_config.TextColumn("Why (our assumption)", width="large"),
            })

    if "region" in set(dims["dimension"]):
        regional = query(queries.segment_breakdown, market_id, "region", filters, level=0)
        if not regional.empty and regional["value"].sum() > 0:
            draw_chart(figure(charts.segment_bar_chart, regional, year, f"{market['name_en']} by region, {year}",
                          subtitle, market["report_code"]), "explorer_regions",
                   query(queries.segment_breakdown, market_id, "region", filters, level=0, year=year), subtitle)


segments_section(market_id, market, dims, filters, active)

st.subheader("Insights", anchor=False)
found = query(queries.insights, market_id, None, filters)
register_table("Insights", found)
topics = cfg["insight_topics"]
if found.empty:
    st.info("No insight matches these filters.")
else:
    st.caption("Our own summaries of the sources, most specific to your filters first.")
    for ins in found.itertuples():
        with st.container(border=True):
            tags = ins.region_labels
            badge = "matches your filters" if ins.relevance else "general"
            st.markdown(f"**{plain(ins.title_en)}**  \n{plain(topics.get(ins.topic, ins.topic))} · {plain(tags)} · {badge}")
            st.markdown(plain(ins.text_en))
            st.caption(f"Source: {plain('report ' + ins.report_code if isinstance(ins.report_code, str) else ins.source_title)}")

claims = query(queries.claims, market_id)
if not claims.empty:
    st.subheader("What other sources say (no figures)", anchor=False)
    for c in claims.itertuples():
        st.markdown(f"- {plain(c.text_en)} — *{plain(c.source_title)}*")

page_workbook(f"explorer-{market_id}")
