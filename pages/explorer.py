"""Market explorer: one market, filtered by its dimensions, broken down by one of them."""

import streamlit as st

from marketintel import charts, queries
from marketintel.display import named_filters, region_labels, share_table, text_column
from marketintel.settings import settings
from marketintel.ui import (
    chart,
    choose_many,
    choose_one,
    draw_chart,
    left_out_banner,
    page_setup,
    page_workbook,
    plain,
    q,
    query,
    register_table,
    restore_url,
    segment_labels,
    show_messages,
)

_ = page_setup()
cfg = settings()
dim_labels = {k: getattr(v, _.lang, None) or v.en for k, v in cfg.dimensions.items()}
restore_url(["market", "dim", "view", "year", "band", *cfg.dimensions])


markets = query(queries.market_list)
if markets.empty:
    st.error(_("No market could be loaded. The Data & sources page lists what is wrong with the data files."))
    st.stop()
messages: list[str] = []

st.sidebar.header(_("Market"))
market_id, msg = choose_one(
    "market",
    _("Market"),
    list(markets["market_id"]),
    dict(zip(markets["market_id"], text_column(markets, "name", _.lang))),
    markets["market_id"].iloc[0],
    where=st.sidebar,
)
messages += msg
market = query(queries.market_profile, market_id)
name = _.pick(market, "name")

dims = query(queries.market_dimensions, market_id, with_shares_only=True)
core = [d for d in cfg.core_filter_dimensions if d in set(dims["dimension"])]
own = [d for d in dims["dimension"] if d not in core]

st.sidebar.header(_("Filters"))
st.sidebar.caption(
    _(
        "Empty means all. Segment figures are estimates; combining dimensions assumes "
        "independence unless a curated cross-tab exists."
    )
)
filters: dict[str, list[str]] = {}
option_frames = {}
for group, names in (("core", core), ("own", own)):
    if group == "own" and names:
        st.sidebar.caption(_("{market} also has:", market=plain(name)))
    for d in names:
        opts = query(queries.segment_options, market_id, d)
        option_frames[d] = opts
        labels = segment_labels(market_id, d, _.lang)
        chosen, msg = choose_many(d, dim_labels.get(d, d), list(opts["segment"]), labels, where=st.sidebar)
        messages += msg
        if chosen:
            filters[d] = chosen
# Filters on dimensions this market lacks (e.g. from a link made on another market) are dropped.
for d in cfg.dimensions:
    if d not in set(dims["dimension"]) and d in st.query_params:
        messages.append(
            _(
                "{market} has no '{dimension}' dimension; that filter was ignored.",
                market=name,
                dimension=dim_labels.get(d, d),
            )
        )
        del st.query_params[d]

st.title(plain(name))
st.caption(
    plain(
        _("Primary source: report {code} · {title}", code=market["report_code"], title=_.pick(market, "source_title"))
    )
)
show_messages(messages)
left_out_banner([market_id])

active = named_filters(filters, option_frames, dim_labels, _.lang) or _("no filters")


@st.fragment
def growth_section(market_id: str, name: str) -> None:
    """The publishers' band switch reruns only this chart."""
    n_sources = int(query(queries.source_consensus, market_id)["n_sources"].max() or 0)
    band = "off"
    if n_sources >= 2:
        band, msg = choose_one(
            "band",
            _("Other publishers"),
            ["on", "off"],
            {"on": _("Show their range (log scale)"), "off": _("Primary source only")},
            "on",
            widget="segmented",
            help=_("The range and median of every publisher's figures for this market, behind the primary curve."),
        )
        show_messages(msg)
    draw_chart(
        chart(
            charts.growth_chart,
            q(queries.market_series, [market_id]),
            "log" if band == "on" else "linear",
            _("{market}: market size", market=name),
            _("● reported figure   ○ derived year — whole market, unfiltered")
            + (" · " + _("band: the other publishers' range") if band == "on" else ""),
            lang=_.lang,
            consensus=q(queries.source_consensus, market_id) if band == "on" else None,
        ),
        "explorer_growth",
        subtitle=_("Whole market, unfiltered")
        + (" · " + _("with the publishers' range, log scale") if band == "on" else ""),
    )
    if band == "on":
        st.page_link("pages/sources.py", label=_("What every publisher says"), query_params={"market": market_id})


growth_section(market_id, name)


@st.fragment
def segments_section(market_id: str, market, dims, filters: dict, active: str) -> None:
    """Breakdown, chart type and year rerun only this section; the sidebar filters rerun the page."""
    st.subheader(_("Segments"), anchor=False)
    c1, c2, c3 = st.columns([2, 2, 1])
    breakdown_dim, msg1 = choose_one(
        "dim",
        _("Break down by"),
        list(dims["dimension"]),
        dim_labels,
        "component" if "component" in set(dims["dimension"]) else dims["dimension"].iloc[0],
        where=c1,
    )
    view, msg = choose_one(
        "view",
        _("Chart"),
        ["area", "bar"],
        {"area": _("Stacked area"), "bar": _("Stacked bars")},
        "area",
        widget="segmented",
        where=c2,
    )
    years = [str(y) for y in range(int(market["first_year"]), int(market["last_year"]) + 1)]
    year_s, msg2 = choose_one("year", _("Year"), years, {}, years[-1], where=c3)
    year = int(year_s)
    show_messages(msg1 + msg + msg2)

    subtitle = _("Filters: {active}", active=active)
    breakdown_ref = q(queries.segment_breakdown, market_id, breakdown_dim, filters, level=0)
    breakdown = query(breakdown_ref)
    if breakdown.empty or breakdown["value"].sum() == 0:
        st.warning(_("No segment matches these filters. Clear a filter in the sidebar to see figures again."))
    else:
        title = _(
            "{market} by {dimension}", market=name, dimension=dim_labels.get(breakdown_dim, breakdown_dim).lower()
        )
        draw_chart(
            chart(charts.segment_area_chart, breakdown_ref, title, subtitle, market["report_code"], view, lang=_.lang),
            "explorer_segments",
            subtitle=subtitle,
        )

        # TRANSLATORS: the treemap's title: the title above (e.g. "Telemedicine by component") and a year.
        draw_chart(
            chart(
                charts.segment_hierarchy_chart,
                q(queries.segment_breakdown, market_id, breakdown_dim, filters, level=None),
                year,
                _("{title}, {year}", title=title, year=year),
                subtitle,
                market["report_code"],
                lang=_.lang,
            ),
            "explorer_tree",
            q(queries.segment_breakdown, market_id, breakdown_dim, filters, level=None, year=year),
            subtitle,
        )
        table = query(queries.segment_share_table, market_id, breakdown_dim, filters, level=None)
        register_table(_("Share table"), table)
        first_year, last_year = int(table["first_year"].iloc[0]), int(table["last_year"].iloc[0])
        st.markdown(_("**Share table** · estimates · {first}→{last}", first=first_year, last=last_year))
        st.dataframe(
            share_table(table, _.lang)[
                ["segment_label", "share_first", "share_last", "value_first", "value_last", "cagr_pct", "rationale"]
            ],
            hide_index=True,
            column_config={
                "segment_label": st.column_config.TextColumn(_("Segment (est.)")),
                "share_first": st.column_config.NumberColumn(_("Share {year} (%)", year=first_year), format="%.1f"),
                "share_last": st.column_config.NumberColumn(_("Share {year} (%)", year=last_year), format="%.1f"),
                "value_first": st.column_config.NumberColumn(
                    _("{year} ({unit})", year=first_year, unit=_.money_unit), format=_.money_column_format
                ),
                "value_last": st.column_config.NumberColumn(
                    _("{year} ({unit})", year=last_year, unit=_.money_unit), format=_.money_column_format
                ),
                "cagr_pct": st.column_config.NumberColumn(_("CAGR (%)"), format="%.2f"),
                "rationale": st.column_config.TextColumn(_("Why (our assumption)"), width="large"),
            },
        )

    if "region" in set(dims["dimension"]):
        regional_ref = q(queries.segment_breakdown, market_id, "region", filters, level=0)
        regional = query(regional_ref)
        if not regional.empty and regional["value"].sum() > 0:
            draw_chart(
                chart(
                    charts.segment_bar_chart,
                    regional_ref,
                    year,
                    _("{market} by region, {year}", market=name, year=year),
                    subtitle,
                    market["report_code"],
                    lang=_.lang,
                ),
                "explorer_regions",
                q(queries.segment_breakdown, market_id, "region", filters, level=0, year=year),
                subtitle,
            )


if dims.empty:
    # shares.csv is optional: a market without segment shares still has its curve and insights.
    st.info(_("{market} has no segment shares, so there is no breakdown to show.", market=plain(name)))
else:
    segments_section(market_id, market, dims, filters, active)

st.subheader(_("Insights"), anchor=False)
found = query(queries.insights, market_id, None, filters)
register_table(_("Insights"), found)
topics = cfg.insight_topics
if found.empty:
    st.info(_("No insight matches these filters."))
else:
    st.caption(_("Our own summaries of the sources, most specific to your filters first."))
    for ins in found.to_dict("records"):
        topic = _.dynamic(topics[ins["topic"]]) if ins["topic"] in topics else ins["topic"]
        badge = _("matches your filters") if ins["relevance"] else _("general")
        source = (
            _("report {code}", code=ins["report_code"])
            if isinstance(ins["report_code"], str)
            else _.pick(ins, "source_title")
        )
        source_line = _("Source: {source}", source=source)  # not inside the f-string: Babel can't see in there
        # One element per card: every element is a message to each session's browser, and
        # twenty users changing filters at once made the cards a large part of the server's work.
        st.container(border=True).markdown(
            f"**{plain(_.pick(ins, 'title'))}**  \n:gray[{plain(topic)} · {plain(region_labels(ins, _.lang))}"
            f" · {plain(badge)}]\n\n{plain(_.pick(ins, 'text'))}\n\n"
            f":gray[:small[{plain(source_line)}]]"
        )

claims = query(queries.claims, market_id)
if not claims.empty:
    st.subheader(_("What other sources say (no figures)"), anchor=False)
    for c in claims.itertuples():
        st.markdown(f"- {plain(_.pick(c, 'text'))} — *{plain(_.pick(c, 'source_title'))}*")

page_workbook(f"explorer-{market_id}")
