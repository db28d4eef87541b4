"""Entry point and Overview page: one card per market, growth of all markets, size vs growth.

Run with ``python scripts/serve.py`` (``streamlit run app.py``, its first run warmed while the browser loads);
the other pages are the scripts in ``pages/``.
"""

import pandas as pd
import streamlit as st

from marketintel import charts, queries
from marketintel.display import headline_table, others_summary, outlier_statement
from marketintel.i18n import N_
from marketintel.settings import settings
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
from marketintel.view import named

_ = page_setup()
cfg = settings()
# The roles the data files give reported figures (figures.csv "role"), translated where shown;
# any other role is shown as the data has it.
FIGURE_ROLES = (N_("base year"), N_("estimated year"), N_("forecast year"))


restore_url(["scale"])
st.title(_.dynamic(cfg.app.title), anchor=False)

all_markets = query(queries.market_list)
left_out_banner(dimensions=False)
if all_markets.empty:
    st.error(_("No market could be loaded. The Data & sources page lists what is wrong with the data files."))
    st.stop()
limit = cfg.overview_max_markets
shown = list(all_markets["market_id"]) if len(all_markets) <= limit else query(queries.largest_markets, limit)
markets = all_markets[all_markets["market_id"].isin(shown)]
headlines = query(queries.headline_figures, shown)

if len(all_markets) > limit:
    st.caption(
        _(
            "Showing the {limit} largest of {total:,} markets; every market is in the table below, "
            "and Compare or the Market explorer open any of them.",
            limit=limit,
            total=len(all_markets),
        )
    )
others = query(queries.others_near_base_year, shown).set_index("market_id")
primary_findings = query(queries.primary_findings, shown).set_index("market_id")

cols = st.columns(min(4, len(markets)))
for i, m in enumerate(markets.itertuples()):
    with cols[i % len(cols)].container(border=True):
        figures = list(headlines[headlines["market_id"] == m.market_id].itertuples())
        first, rest = figures[0], figures[1:]
        role = _.dynamic(_.pick(first, "role"))
        # One large figure a card and the rest in a line, so every market's headline, the other
        # publishers' range and the start of the growth chart fit a 1280x720 screen.
        st.markdown(f"**{plain(_.pick(m, 'name'))}**")
        # TRANSLATORS: a card's figure label, e.g. "2025 base year"; {role} is one of the roles above.
        label = _("{year} {role}", year=first.year, role=role or _("reported"))
        st.metric(
            f"{label} · {_.money_unit}",
            _.money_number(first.value),
            help=_(
                "Reported: stated in report {code} ({role}, {year}).",
                code=m.report_code,
                role=role or _("figure"),
                year=first.year,
            ),
        )
        line = [f"{f.year}: {_.money_number(f.value)}" for f in rest]
        if pd.notna(m.cagr_pct):
            line.append(_("CAGR {start}–{end}", start=int(m.cagr_start), end=int(m.cagr_end)) + f" {m.cagr_pct:.2f}%")
        st.caption(plain(_("Reported: {figures}", figures=" · ".join(line))))
        if m.market_id in others.index:
            st.caption(plain(others_summary(others.loc[m.market_id], _.lang)))
for mid in markets["market_id"]:
    if mid in primary_findings.index and primary_findings.loc[mid, "flagged"]:
        st.warning(plain(outlier_statement(primary_findings.loc[mid], _.lang)))
st.page_link(
    "pages/sources.py", label=_("What every publisher says, market by market"), icon=":material/arrow_forward:"
)


def overview_view(**fields):
    """The Overview's view: the markets it shows, and the section's own choices."""
    return page_view("", markets=named(markets), **fields)


@st.fragment
def growth_section() -> None:
    """The scale switch reruns only this chart, not the cards or the bubble chart."""
    scale, messages = choose_one(
        "scale",
        _("Scale"),
        list(charts.SCALES),
        {"linear": _("Linear"), "log": _("Log"), "indexed": _("Indexed (first year = 100)")},
        "log",
        widget="segmented",
        help=_("The markets differ by two orders of magnitude: a linear axis hides the small ones."),
    )
    show_messages(messages)
    series_ref = q(queries.market_series, shown)
    series = query(series_ref)
    first, last = int(series["year"].min()), int(series["year"].max())
    view = overview_view(scale=scale)
    show_events, show_cagr = chart_marks()
    draw_chart(
        chart(
            charts.growth_chart,
            series_ref,
            scale,
            _("Market size {first}–{last}", first=first, last=last),
            lang=_.lang,
            events=q(queries.events, shown) if show_events else None,
            callout=show_cagr,
        ),
        "overview_growth",
        subtitle=" · ".join([_("All markets"), view.scale_text(_.lang)]),
        view=view,
    )


growth_section()
st.caption(plain(_.dynamic(cfg.overlap_note)))
draw_chart(
    chart(charts.bubble_chart, q(queries.growth_summary, shown), _("Size vs growth"), lang=_.lang),
    "overview_bubble",
    subtitle=_("All markets"),
    view=overview_view(),
)
if len(all_markets) > limit:
    # Display table: names, year headers and money (亿美元 in Chinese) already follow the language.
    table = headline_table(query(queries.headline_figures), all_markets, _.lang)
    st.dataframe(
        table,
        width="stretch",
        height=360,
        column_config={
            "cagr_pct": st.column_config.NumberColumn(_("CAGR (%, reported)"), format="%.2f"),
            "cagr_start": st.column_config.NumberColumn(_("CAGR from"), format="%d"),
            "cagr_end": st.column_config.NumberColumn(_("CAGR to"), format="%d"),
            "report_code": st.column_config.TextColumn(_("Report")),
        },
    )
    register_table(_("All markets"), table.reset_index())
register_table(_("Headline figures"), headlines)
page_workbook("overview", overview_view())
