"""Market explorer: one market, filtered by its dimensions, broken down by one of them."""

import streamlit as st

from marketintel import charts, queries
from marketintel.display import region_labels, scenario_notes, share_table, sizing_lines, slice_headline, text_column
from marketintel.scenarios import SCENARIOS
from marketintel.settings import settings
from marketintel.ui import (
    chart,
    chart_marks,
    choose_many,
    choose_number,
    choose_one,
    choose_tab,
    draw_chart,
    filter_widget,
    left_out_banner,
    page_setup,
    page_view,
    page_workbook,
    plain,
    q,
    query,
    register_assumptions,
    register_table,
    register_view,
    reset_url_values,
    restore_url,
    segment_labels,
    show_messages,
)
from marketintel.view import Named, filter_choices

_ = page_setup()
cfg = settings()
dim_labels = {k: getattr(v, _.lang, None) or v.en for k, v in cfg.dimensions.items()}
restore_url(
    ["market", "dim", "view", "year", "tab", "band", "obtain", *cfg.dimensions]
    + [f"{p}_{n}" for p in ("sc", "from") for n in ("bear", "base", "bull")]
)


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

st.title(plain(name))
st.caption(
    plain(
        _("Primary source: report {code} · {title}", code=market["report_code"], title=_.pick(market, "source_title"))
    )
)
show_messages(messages)
left_out_banner([market_id])

market_named = Named(market_id, market["name_en"], market["name_zh"])
show_events, show_cagr = chart_marks()


def explorer_view(filters_named: tuple, **fields):
    """This page's view now: the market, every filter by name, and the section's own choices."""
    return page_view("explorer", markets=(market_named,), filters=filters_named, **fields)


@st.fragment
def growth_section(market_id: str, name: str, filters_named: tuple) -> None:
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
            events=q(queries.events, [market_id]) if show_events else None,
            callout=show_cagr,
        ),
        "explorer_growth",
        subtitle=_("Whole market, unfiltered")
        + (" · " + _("with the publishers' range, log scale") if band == "on" else ""),
        view=explorer_view(filters_named, scale="log" if band == "on" else "linear"),
    )
    if band == "on":
        st.page_link("pages/sources.py", label=_("What every publisher says"), query_params={"market": market_id})


@st.fragment
def segments_section(market_id: str, market, dims, filters: dict, filters_named: tuple, active: str) -> None:
    """Breakdown, chart type, year and the tabs rerun only this section; the sidebar filters rerun
    ``filtered_page``, which holds it."""
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
    dim_cfg = cfg.dimensions[breakdown_dim]
    view_now = explorer_view(filters_named, breakdown=Named(breakdown_dim, dim_cfg.en, dim_cfg.zh), year=year)
    register_view(view_now)
    rationales = query(queries.slice_rationales, market_id, filters, year)
    headline = slice_headline(
        query(queries.slice_summary, market_id, filters),
        rationales,
        year,
        view_now.filters_text(_.lang),
        dim_labels,
        _.lang,
    )
    basis_notes: list[str] = []
    if headline is not None:
        basis_notes = [headline.provenance, *headline.rationales]
        with st.container(border=True):
            c1, c2, c3 = st.columns([3, 2, 2])
            c1.metric(
                plain(headline.label), headline.value, help=_("The slice your filters leave, in the chosen year.")
            )
            c2.metric(_("Share of the market"), headline.share, help=headline.market)
            c3.metric(plain(headline.growth_label), headline.growth)
            st.caption(plain(headline.provenance) + "  \n" + plain(headline.market))
        register_assumptions(rationales)
    tab, tabs, msg = choose_tab(
        "tab",
        _("Section"),
        list(SECTIONS),
        {
            "charts": _("Charts"),
            "table": _("Share table and assumptions"),
            "scenarios": _("Scenarios and opportunity"),
            "insights": _("Insights"),
        },
        "charts",
    )
    show_messages(msg)
    breakdown_ref = q(queries.segment_breakdown, market_id, breakdown_dim, filters, level=0)
    breakdown = query(breakdown_ref)
    nothing = breakdown.empty or breakdown["value"].sum() == 0
    no_match = _("No segment matches these filters. Clear a filter in the sidebar to see figures again.")
    title = _("{market} by {dimension}", market=name, dimension=dim_labels.get(breakdown_dim, breakdown_dim).lower())
    if not nothing:
        # In the page's workbook whichever tab is open; only the open tab is drawn.
        table = query(queries.segment_share_table, market_id, breakdown_dim, filters, level=None, year=year)
        shown = share_table(table, _.lang)
        first_year, last_year = int(table["first_year"].iloc[0]), int(table["last_year"].iloc[0])
        columns = {
            "segment_label": _("Segment (est.)"),
            "share_of_slice_pct": _("Share of the slice {year} (%)", year=year),
            "share_of_market_pct": _("Share of the market {year} (%)", year=year),
            "value_year": _("{year} ({unit})", year=year, unit=_.money_unit),
            "cagr_pct": _("CAGR {first}–{last} (%)", first=first_year, last=last_year),
            "rationale": _("Why (our assumption)"),
        }
        register_table(_("Share table"), shown[list(columns)].rename(columns=columns))

    with tabs["charts"]:
        if tab == "charts":
            if nothing:
                st.warning(no_match)
            else:
                draw_chart(
                    chart(
                        charts.segment_area_chart,
                        breakdown_ref,
                        title,
                        subtitle,
                        market["report_code"],
                        view,
                        lang=_.lang,
                        events=q(queries.events, [market_id]) if show_events else None,
                        callout=show_cagr,
                    ),
                    "explorer_segments",
                    subtitle=subtitle,
                    view=view_now,
                    notes=basis_notes,
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
                    subtitle,
                    view=view_now,
                    notes=basis_notes,
                )
            regional_chart(market_id, dims, filters, year, subtitle, view_now, basis_notes)

    with tabs["table"]:
        if tab == "table":
            if nothing:
                st.warning(no_match)
            else:
                st.markdown(_("**Share table** · estimates · {year}", year=year))
                st.dataframe(
                    shown[[c for c in columns if c != "rationale"]],
                    hide_index=True,
                    column_config={
                        "segment_label": st.column_config.TextColumn(columns["segment_label"]),
                        "share_of_slice_pct": st.column_config.NumberColumn(
                            columns["share_of_slice_pct"], format="%.1f"
                        ),
                        "share_of_market_pct": st.column_config.NumberColumn(
                            columns["share_of_market_pct"], format="%.1f"
                        ),
                        "value_year": st.column_config.NumberColumn(
                            columns["value_year"], format=_.money_column_format
                        ),
                        "cagr_pct": st.column_config.NumberColumn(columns["cagr_pct"], format="%.2f"),
                    },
                )
                # The rationales in full, under the table: a grid cell cuts long text off.
                st.markdown(
                    f"**{plain(columns['rationale'])}** · {year}\n\n"
                    + "\n".join(
                        f"- **{plain(r.segment_label.strip())}**: {plain(r.rationale)}" for r in shown.itertuples()
                    )
                )
            if headline is not None and headline.rationales:
                rests_on = _("What the slice rests on")  # not inside the f-string: Babel can't see in there
                st.markdown(
                    f"**{plain(rests_on)}**\n\n" + "\n".join("- " + plain(line) for line in headline.rationales)
                )

    with tabs["scenarios"]:
        if tab == "scenarios":  # nothing computed for a reader who does not ask (it was a fifth of a filter change)
            scenarios_section(market_id, market, filters, active, year, view_now, basis_notes)

    with tabs["insights"]:
        if tab == "insights":
            insights_section(market_id, filters)


#: The Explorer's tabs under the slice headline, in order; the first is open by default.
SECTIONS = ("charts", "table", "scenarios", "insights")


def regional_chart(market_id: str, dims, filters: dict, year: int, subtitle: str, view_now, basis_notes) -> None:
    """The slice by region in ``year``, for a market that has regions."""
    if "region" not in set(dims["dimension"]):
        return
    regional_ref = q(queries.segment_breakdown, market_id, "region", filters, level=0)
    regional = query(regional_ref)
    if regional.empty or regional["value"].sum() <= 0:
        return
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
        subtitle,
        view=view_now,
        notes=basis_notes,
    )


def scenarios_section(
    market_id: str, market, filters: dict, active: str, year: int, view_now, basis_notes: list[str]
) -> None:
    """Bear / base / bull beside the slice's published curve, and the opportunity sizing for ``year``."""
    slice_text = view_now.filters_text(_.lang) or _("the whole market")
    defaults = query(queries.scenario_series, market_id, filters).drop_duplicates("scenario").set_index("scenario")
    first_year, last_year = int(market["first_year"]), int(market["last_year"])
    user_rate: dict[str, float] = {}
    user_start: dict[str, int] = {}
    messages: list[str] = []
    words = {"bear": _("Bear"), "base": _("Base"), "bull": _("Bull")}
    with st.expander(_("Set the scenarios by hand (the defaults come from the publishers' spread)")):
        for col, scenario in zip(st.columns(3), SCENARIOS):
            rate, is_user, msg = choose_number(
                f"sc_{scenario}",
                _("{scenario}: % a year", scenario=words[scenario]),
                round(float(defaults.loc[scenario, "cagr_pct"]), 1) if scenario in defaults.index else None,
                -50.0,
                200.0,
                0.5,
                where=col,
            )
            messages += msg
            if is_user:
                user_rate[scenario] = rate
            start, is_user, msg = choose_number(
                f"from_{scenario}",
                _("{scenario}: from", scenario=words[scenario]),
                first_year,
                first_year,
                last_year - 1,
                1,
                where=col,
                integer=True,
            )
            messages += msg
            if is_user:
                user_start[scenario] = int(start)
        st.button(
            _("Back to the defaults"),
            key="scenario_reset",
            on_click=reset_url_values,
            args=([f"{p}_{n}" for p in ("sc", "from") for n in SCENARIOS],),
        )
    show_messages(messages)
    scenario_ref = q(queries.scenario_series, market_id, filters, user_rate, user_start)
    title = _("{market}: scenarios for {slice}", market=name, slice=slice_text)
    subtitle = _("Published curve (solid or dashed) and three scenarios (dotted): assumptions, not forecasts")
    draw_chart(
        chart(
            charts.scenario_chart,
            q(queries.slice_summary, market_id, filters),
            scenario_ref,
            title,
            subtitle,
            name,
            market["color"],
            market["report_code"],
            lang=_.lang,
            events=q(queries.events, [market_id]) if show_events else None,
            callout=show_cagr,
        ),
        "explorer_scenarios",
        subtitle=_("Filters: {active}", active=active),
        view=view_now,
        notes=[*scenario_notes(query(scenario_ref), _.lang), *basis_notes],
    )

    sizing_heading = _("Opportunity sizing")  # not inside the f-string: Babel can't see in there
    st.markdown(f"**{plain(sizing_heading)}** · {year}")
    share, _is_user, msg = choose_number(
        "obtain",
        _("Your share of the addressable slice (%)"),
        settings().scenarios.obtainable_share_pct,
        0.0,
        100.0,
        1.0,
        where=st.columns([1, 2])[0],
        help=_("Your own assumption: what part of the addressable slice you could win. It is in the link."),
    )
    show_messages(msg)
    steps_ref = q(queries.opportunity_steps, market_id, filters, year, share)
    for col, line in zip(st.columns(3), sizing_lines(query(steps_ref), _.lang)):
        col.metric(plain(line.label), line.value, help=line.share)
        col.caption(plain(line.share) + "  \n" + plain(line.provenance))
    draw_chart(
        chart(
            charts.sizing_chart,
            steps_ref,
            year,
            _("{market}: from the market to your share, {year}", market=name, year=year),
            _("Filters: {active}", active=active) + " · " + _("your share: {share}%", share=f"{share:g}"),
            market["color"],
            market["report_code"],
            lang=_.lang,
        ),
        "explorer_sizing",
        subtitle=_("Filters: {active}", active=active) + " · " + _("your share: {share}%", share=f"{share:g}"),
        view=view_now,
        notes=basis_notes,
    )


def insights_section(market_id: str, filters: dict) -> None:
    """Our summaries of the sources, most specific to the filters first, and the other sources' claims."""
    found = query(queries.insights, market_id, None, filters)
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


@st.fragment
def filtered_page(market_id: str, market, dims) -> None:
    """The sidebar's filters and everything they change: a filter reruns this, not the page's frame
    (language, menu, deck, market), which the browser then need not draw again."""
    core = [d for d in cfg.core_filter_dimensions if d in set(dims["dimension"])]
    own = [d for d in dims["dimension"] if d not in core]
    messages: list[str] = []
    filters: dict[str, list[str]] = {}
    option_frames = {}
    for group, names in (("core", core), ("own", own)):
        if group == "own" and names:
            st.sidebar.caption(_("{market} also has:", market=plain(name)))
        for d in names:
            opts = query(queries.segment_options, market_id, d)
            option_frames[d] = opts
            labels = segment_labels(market_id, d, _.lang)
            chosen, msg = choose_many(
                d, dim_labels.get(d, d), list(opts["segment"]), labels, where=st.sidebar, widget=filter_widget(opts)
            )
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
    show_messages(messages)
    chosen_filters = filter_choices(filters, option_frames, cfg.dimensions)
    active = explorer_view(chosen_filters).filters_or_none(_.lang)

    growth_section(market_id, name, chosen_filters)
    if dims.empty:
        # shares.csv is optional: a market without segment shares still has its curve and insights.
        st.info(_("{market} has no segment shares, so there is no breakdown to show.", market=plain(name)))
        st.subheader(_("Insights"), anchor=False)
        insights_section(market_id, filters)
    else:
        segments_section(market_id, market, dims, filters, chosen_filters, active)
    # In the page's workbook whether or not they are drawn (their tab may be closed).
    register_table(_("Insights"), query(queries.insights, market_id, None, filters))
    page_workbook(f"explorer-{market_id}", explorer_view(chosen_filters))


# Outside the fragment: what does not change with a filter is not sent, nor drawn, again.
st.sidebar.header(_("Filters"))
st.sidebar.caption(
    _(
        "Empty means all. Segment figures are estimates; combining dimensions assumes "
        "independence unless a curated cross-tab exists."
    )
)
filtered_page(market_id, market, dims)
