"""Compare: two to four markets side by side, segment by segment, and source by source."""

import streamlit as st

from marketintel import charts, queries
from marketintel.display import headline_table, money_in_language, scenario_notes, text_column
from marketintel.settings import settings
from marketintel.ui import (
    chart,
    chart_marks,
    choose_many,
    choose_one,
    draw_chart,
    left_out_banner,
    page_setup,
    page_view,
    page_workbook,
    plain,
    q,
    query,
    register_table,
    restore_url,
    show_messages,
)
from marketintel.view import named

_ = page_setup()
cfg = settings()


restore_url(["markets", "scale", "sc", "concepts", "cyear", "measure", "source_market"])
markets = query(queries.market_list)
if len(markets) < 2:
    st.error(_("Comparing needs at least two markets; the Data & sources page lists what failed to load."))
    st.stop()
names = {m.market_id: _.pick(m, "name") for m in markets.itertuples()}

st.title(_("Compare markets"))
st.info(_.dynamic(cfg.overlap_note))
chosen, messages = choose_many(
    "markets", _("Markets"), list(markets["market_id"]), names, default=list(markets["market_id"])[:4], max_selections=4
)
left_out_banner(chosen)
if len(chosen) < 2:
    show_messages(messages)
    st.warning(_("Choose at least two markets to compare."))
    st.stop()
show_messages(messages)
series_ref = q(queries.market_series, chosen)
series = query(series_ref)
picked_names = _.join(names[m] for m in chosen)
chosen_named = named(markets.set_index("market_id").loc[chosen].reset_index())


def compare_view(**fields):
    """The comparison's view: the chosen markets, and the section's own choices."""
    return page_view("compare", markets=chosen_named, **fields)


@st.fragment
def growth_section() -> None:
    """The scale switch reruns only this chart."""
    scale, msg = choose_one(
        "scale",
        _("Scale"),
        list(charts.SCALES),
        {"linear": _("Linear"), "log": _("Log"), "indexed": _("Indexed (first year = 100)")},
        "indexed",
        widget="segmented",
    )
    show_messages(msg)
    view = compare_view(scale=scale)
    show_events, show_cagr = chart_marks()
    draw_chart(
        chart(
            charts.growth_chart,
            series_ref,
            scale,
            _("Market size compared"),
            lang=_.lang,
            events=q(queries.events, chosen) if show_events else None,
            callout=show_cagr,
        ),
        "compare_growth",
        subtitle=" · ".join([picked_names, _("whole markets"), view.scale_text(_.lang)]),
        view=view,
    )


growth_section()


@st.fragment
def scenarios_section() -> None:
    """The markets' bear / base / bull scenarios side by side (the switch reruns only this part)."""
    shown, msg = choose_one(
        "sc",
        _("Scenarios"),
        ["off", "on"],
        {"off": _("Hide"), "on": _("Show side by side")},
        "off",
        widget="segmented",
        help=_("Each market's bear, base and bull growth, from the spread of its publishers (see the Explorer)."),
    )
    show_messages(msg)
    if shown != "on":
        return
    draw_chart(
        chart(
            charts.scenario_grid,
            series_ref,
            q(queries.scenario_series_of, chosen),
            _("Scenarios compared"),
            _(
                "Each market on its own axis · solid: published · dotted: scenarios (× bear, ◇ base, △ bull), assumptions"
            ),
            lang=_.lang,
            events=q(queries.events, chosen) if chart_marks()[0] else None,
        ),
        "compare_scenarios",
        subtitle=" · ".join([picked_names, _("whole markets")]),
        view=compare_view(),
        notes=scenario_notes(query(queries.scenario_series_of, chosen), _.lang),
    )


scenarios_section()
draw_chart(
    chart(charts.growth_bars, q(queries.growth_summary, chosen), _("Growth compared"), lang=_.lang),
    "compare_bars",
    subtitle=" · ".join([picked_names, _("whole markets")]),
    view=compare_view(),
)

st.subheader(_("Headline figures"), anchor=False)
# Display table: names, year headers and money (亿美元 in Chinese) already follow the language.
headline = headline_table(query(queries.headline_figures, chosen), markets, _.lang)
register_table(_("Headline figures"), headline.reset_index())
st.dataframe(
    headline,
    column_config={
        "cagr_pct": st.column_config.NumberColumn(_("CAGR (%, reported)"), format="%.2f"),
        "cagr_start": st.column_config.NumberColumn(_("CAGR from"), format="%d"),
        "cagr_end": st.column_config.NumberColumn(_("CAGR to"), format="%d"),
        "report_code": st.column_config.TextColumn(_("Report")),
    },
    width="stretch",
)

st.subheader(_("Segment by segment"), anchor=False)
st.caption(
    _(
        "Segments that mean the same thing across markets, matched through shared concept keys. "
        "Segment figures are estimates."
    )
)
concepts = query(queries.comparable_concepts, chosen)
if concepts.empty:
    st.info(_("These markets share no comparable segment."))
else:
    clabels = {c.concept: _.pick(c, "label") for c in concepts.itertuples()}
    defaults = [c for c in ("remote_patient_monitoring", "hospitals", "home_care") if c in clabels]
    picked, msg = choose_many(
        "concepts",
        _("Segments to compare"),
        list(concepts["concept"]),
        clabels,
        default=defaults or list(concepts["concept"])[:3],
    )
    years = sorted({int(y) for y in series["year"]})
    ca, cb = st.columns([1, 2])
    cyear, msg2 = choose_one("cyear", _("Year"), [str(y) for y in years], {}, str(years[-1]), where=ca)
    measure, msg3 = choose_one(
        "measure",
        _("Measure"),
        ["value", "share"],
        {"value": _("Size ({unit})", unit=_.money_unit), "share": _("Share of each market (%)")},
        "value",
        widget="segmented",
        where=cb,
        help=_("Shares put markets of very different size on one scale."),
    )
    show_messages(msg + msg2 + msg3)
    if picked:
        comp_ref = q(queries.concept_comparison, chosen, picked)
        comp = query(comp_ref)
        draw_chart(
            chart(
                charts.concept_chart,
                comp_ref,
                int(cyear),
                _("Comparable segments across markets"),
                list(markets.set_index("market_id").loc[chosen, "report_code"]),
                measure,
                lang=_.lang,
            ),
            "compare_concepts",
            subtitle=f"{picked_names} · {cyear}",
            view=compare_view(year=int(cyear)),
        )
        shown = comp[comp["year"] == int(cyear)]
        detail = money_in_language(shown, _.lang).assign(
            concept=text_column(shown, "concept_label", _.lang),
            market=text_column(shown, "name", _.lang),
            segments=text_column(shown, "segments", _.lang),
            note=text_column(shown, "note", _.lang),
        )[["concept", "market", "segments", "share_pct", "value", "note"]]
        st.dataframe(
            detail,
            hide_index=True,
            width="stretch",
            column_config={
                "concept": _("Segment"),
                "market": _("Market"),
                "segments": _("Market's own segment(s)"),
                "share_pct": st.column_config.NumberColumn(_("Share (%, est.)"), format="%.1f"),
                "value": st.column_config.NumberColumn(
                    _("{year} ({unit}, est.)", year=cyear, unit=_.money_unit), format=_.money_column_format
                ),
                "note": _("Note"),
            },
        )
    else:
        st.info(_("Pick at least one segment to compare."))

st.subheader(_("Sources side by side"), anchor=False)
st.caption(
    _(
        "Publishers disagree on the same market by up to 200×. Every source's figures, the publishers' consensus "
        "and the outliers are on the Sources page."
    )
)
for mid in chosen:
    st.page_link(
        "pages/sources.py", label=plain(_("Sources for {market}", market=names[mid])), query_params={"market": mid}
    )

page_workbook("compare", compare_view())
