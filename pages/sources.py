"""Sources: every publisher's figures for one market, their consensus, the outliers, growth and editions."""

import streamlit as st

from marketintel import charts, queries
from marketintel.display import (
    cagr_period,
    growth_note,
    money_in_language,
    outlier_statement,
    source_label,
    text_column,
)
from marketintel.ui import (
    chart,
    chart_marks,
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
from marketintel.view import Named

_ = page_setup()
restore_url(["market", "scale"])
markets = query(queries.market_list)
if markets.empty:
    st.error(_("No market could be loaded. The Data & sources page lists what is wrong with the data files."))
    st.stop()
names = dict(zip(markets["market_id"], text_column(markets, "name", _.lang)))
st.sidebar.header(_("Market"))
market_id, messages = choose_one(
    "market", _("Market"), list(markets["market_id"]), names, markets["market_id"].iloc[0], where=st.sidebar
)
market = query(queries.market_profile, market_id)
name = names[market_id]

st.title(plain(_("{market}: what the publishers say", market=name)))
st.caption(
    _(
        "The primary source (report {code}) gives the dashboard's headline and segment estimates; the others are "
        "shown exactly as their publishers state them.",
        code=plain(market["report_code"]),
    )
)
show_messages(messages)
left_out_banner(dimensions=False)

findings = query(queries.source_findings, market_id)
srcs = query(queries.sources, market_id)
if len(findings) < 2:
    st.info(_("Only one source states figures for this market, so there is nothing to compare it with."))
else:
    flagged = findings[findings["flagged"]]
    for row in flagged.to_dict("records"):
        st.warning(plain(outlier_statement(row, _.lang)))
    others = findings[~findings["flagged"] & findings["edition_of"].isna()]
    st.markdown("\n".join(f"- {plain(outlier_statement(r, _.lang))}" for r in others.to_dict("records")))


def sources_view(**fields):
    """The Sources page's view: one market, every publisher."""
    return page_view("sources", markets=(Named(market_id, market["name_en"], market["name_zh"]),), **fields)


@st.fragment
def timeline_section() -> None:
    """The scale switch reruns only the chart."""
    scale, msg = choose_one(
        "scale",
        _("Scale"),
        ["log", "linear"],
        {"log": _("Log"), "linear": _("Linear")},
        "log",
        widget="segmented",
        help=_("Publishers differ by up to two orders of magnitude: on a linear axis the smallest lie flat."),
    )
    show_messages(msg)
    draw_chart(
        chart(
            charts.source_timeline,
            q(queries.source_series, market_id),
            _("{market}: each source's figures", market=name),
            market["color"],
            lang=_.lang,
            scale=scale,
            consensus=q(queries.source_consensus, market_id),
            events=q(queries.events, [market_id]) if chart_marks()[0] else None,
        ),
        "sources_timeline",
        subtitle=" · ".join([name, _("every publisher"), sources_view(scale=scale).scale_text(_.lang)]),
        view=sources_view(scale=scale),
    )


timeline_section()

if len(findings):
    st.subheader(_("The sources"), anchor=False)
    table = findings.assign(
        source=[source_label(r, _.lang) for r in findings.to_dict("records")],
        period=[cagr_period(a, b, _.lang) for a, b in zip(findings["cagr_start"], findings["cagr_end"])],
        years=[
            f"{int(a)}–{int(b)}" if a != b else str(int(a))
            for a, b in zip(findings["first_year"], findings["last_year"])
        ],
        scope=text_column(findings, "scope", _.lang),
        growth=[growth_note(r, _.lang) for r in findings.to_dict("records")],
        ratio_shown=findings["ratio"],
    )
    common = findings["common_start"].dropna()
    common_label = (
        _(
            "CAGR {start}–{end} (%, from its figures)",
            start=int(common.iloc[0]),
            end=int(findings["common_end"].iloc[0]),
        )
        if len(common)
        else _("CAGR over a common period (%)")
    )
    table = table.fillna({"date": "—", "report_code": "—"})
    register_table(_("Sources"), table)
    st.dataframe(
        table[
            [
                "source",
                "date",
                "report_code",
                "years",
                "cagr_pct",
                "period",
                "implied_cagr_pct",
                "common_cagr_pct",
                "ratio_shown",
                "flagged",
                "scope",
                "url",
                "accessed",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "source": _("Publisher / source"),
            "date": _("Published"),
            "report_code": _("Report id"),
            "years": _("Years stated"),
            "cagr_pct": st.column_config.NumberColumn(_("CAGR stated (%)"), format="%.2f"),
            "period": _("Period stated"),
            "implied_cagr_pct": st.column_config.NumberColumn(_("CAGR its figures imply (%)"), format="%.2f"),
            "common_cagr_pct": st.column_config.NumberColumn(common_label, format="%.2f"),
            "ratio_shown": st.column_config.NumberColumn(_("× the others' median"), format="%.3g"),
            "flagged": _("Outlier"),
            "scope": st.column_config.TextColumn(_("What the figure covers"), width="medium"),
            "url": st.column_config.LinkColumn(_("Page read")),
            "accessed": st.column_config.DateColumn(_("Read on"), format="YYYY-MM-DD"),
        },
    )
    st.markdown("**" + _("Growth: stated against implied") + "**")
    st.markdown("\n".join(f"- **{plain(r['source'])}**: {plain(r['growth'])}" for r in table.to_dict("records")))
    notes = table[text_column(findings, "notes", _.lang).notna()]
    if len(notes):
        with st.expander(_("Notes on the sources (ours)")):
            for r, note in zip(notes.to_dict("records"), text_column(notes, "notes", _.lang)):
                st.markdown(f"- **{plain(r['source'])}**: {plain(note)}")

consensus = query(queries.source_consensus, market_id)
if len(consensus) and consensus["n_sources"].max() >= 2:
    st.subheader(_("Consensus by year"), anchor=False)
    register_table(_("Consensus by year"), consensus)
    shown = money_in_language(consensus, _.lang).assign(
        provenance=[_("reported") if p == "reported" else _("includes derived years") for p in consensus["provenance"]],
        single=[_("one source only") if n == 1 else "" for n in consensus["n_sources"]],
    )
    st.dataframe(
        shown[["year", "n_sources", "low", "median", "high", "provenance", "single"]],
        hide_index=True,
        column_config={
            "year": st.column_config.NumberColumn(_("Year"), format="%d"),
            "n_sources": _("Sources"),
            "low": st.column_config.NumberColumn(_("Lowest ({unit})", unit=_.money_unit), format=_.money_column_format),
            "median": st.column_config.NumberColumn(
                _("Median ({unit})", unit=_.money_unit), format=_.money_column_format
            ),
            "high": st.column_config.NumberColumn(
                _("Highest ({unit})", unit=_.money_unit), format=_.money_column_format
            ),
            "provenance": _("Provenance"),
            "single": " ",
        },
    )

editions = query(queries.edition_changes, market_id)
if len(editions):
    st.subheader(_("Editions: what changed"), anchor=False)
    register_table(_("Editions"), editions)
    by_id = srcs.set_index("source_id")
    for (earlier, current), g in editions.groupby(["earlier_id", "current_id"], sort=False):
        first = g.iloc[0]
        st.markdown(
            _(
                "**{current}** against **{earlier}**: CAGR {new_rate}% ({new_period}) against {old_rate}% "
                "({old_period}); forecast to {new_end} against {old_end}.",
                current=plain(f"{source_label(by_id.loc[current], _.lang)} ({first['current_date']})"),
                earlier=plain(source_label(by_id.loc[earlier], _.lang)),
                new_rate=f"{first['current_cagr_pct']:.2f}",
                new_period=cagr_period(first["current_cagr_start"], first["current_cagr_end"], _.lang),
                old_rate=f"{first['earlier_cagr_pct']:.2f}",
                old_period=cagr_period(first["earlier_cagr_start"], first["earlier_cagr_end"], _.lang),
                new_end=first["current_horizon"],
                old_end=first["earlier_horizon"],
            )
        )
        shown = money_in_language(
            g.rename(columns={"earlier_value": "value_first", "current_value": "value_last"}), _.lang
        )
        st.dataframe(
            shown[["year", "value_first", "earlier_provenance", "value_last", "current_provenance"]],
            hide_index=True,
            column_config={
                "year": st.column_config.NumberColumn(_("Year"), format="%d"),
                "value_first": st.column_config.NumberColumn(
                    _("Earlier edition ({unit})", unit=_.money_unit), format=_.money_column_format
                ),
                "earlier_provenance": _("Provenance (earlier)"),
                "value_last": st.column_config.NumberColumn(
                    _("Current edition ({unit})", unit=_.money_unit), format=_.money_column_format
                ),
                "current_provenance": _("Provenance (current)"),
            },
        )
        note = text_column(by_id.loc[[earlier]].reset_index(), "notes", _.lang).iloc[0]
        if isinstance(note, str) and note:
            st.caption(plain(note))

silent = srcs[srcs["n_figures"] == 0]
for s in silent.itertuples():
    st.warning(
        _(
            "{source} ({date}) states no market size or growth rate, so there is no spread to compute. "
            "Its qualitative claims and taxonomy are shown below, kept separate from the primary report's.",
            source=plain(_.pick(s, "title")),
            date=plain(s.date or _("undated")),
        )
    )
claims = query(queries.claims, market_id)
if len(claims):
    st.subheader(_("What other sources say (no figures)"), anchor=False)
    for c in claims.itertuples():
        st.markdown(f"- {plain(_.pick(c, 'text'))} — *{plain(_.pick(c, 'source_title'))}*")
tax = query(queries.source_taxonomies, market_id)
if tax["source_id"].nunique() > 1:
    st.markdown("**" + _("Where the taxonomies differ") + "**")
    st.dataframe(
        tax[[_.col("dimension_label"), _.col("title"), _.col("segments")]],
        hide_index=True,
        width="stretch",
        column_config={
            _.col("dimension_label"): _("Dimension"),
            _.col("title"): _("Source"),
            _.col("segments"): _("Segments it names"),
        },
    )

page_workbook(f"sources-{market_id}", sources_view())
