"""Named, parameterised queries: a DuckDB connection in, a DataFrame out.

Every figure comes back with a ``provenance`` column (reported / derived / estimate). User
choices arrive only as bound parameters, never as SQL text. Filters are
``{dimension: [segment, ...]}`` using the market's own keys; keys the market does not have
are ignored here (the UI layer reports them to the user).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import numpy as np
import pandas as pd

from .consensus import SourcePoints, common_period, consensus_by_year, growth_comparison, outliers
from .scenarios import (
    SCENARIOS,
    PublisherRate,
    default_scenarios,
    opportunity_sizing,
    scenario_curve,
    with_user_values,
)
from .schema import ancestors
from .series import cagr_pct
from .settings import settings

Filters = Mapping[str, Sequence[str]]


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence | None = None) -> pd.DataFrame:
    cur = con.cursor()
    try:
        return cur.execute(sql, list(params or [])).df()
    finally:
        cur.close()


# -- markets and headline figures ---------------------------------------------------------


def market_list(con) -> pd.DataFrame:
    """One row per market with its primary source, stated CAGR and the source's window."""
    return _df(
        con,
        """
        SELECT m.market_id, m.name_en, m.name_zh, m.color, m.currency, m.unit, m.primary_source_id,
               s.report_code, s.title_en AS source_title_en, s.title_zh AS source_title_zh, s.cagr_pct, s.cagr_start, s.cagr_end,
               s.first_year, s.last_year
        FROM markets m JOIN sources s ON s.market_id = m.market_id AND s.source_id = m.primary_source_id
        ORDER BY m.sort_order""",
    )


def market_profile(con, market_id: str) -> dict:
    """One market's row of ``market_list`` as a dict (empty when the market is unknown)."""
    rows = market_list(con)
    rows = rows[rows["market_id"] == market_id]
    return rows.iloc[0].to_dict() if len(rows) else {}


def largest_markets(con, n: int) -> list[str]:
    """Ids of the ``n`` largest markets by their primary source's first reported size, largest first."""
    return _df(
        con,
        """
        SELECT f.market_id FROM source_figures f
        JOIN markets m ON m.market_id = f.market_id AND m.primary_source_id = f.source_id
        QUALIFY row_number() OVER (PARTITION BY f.market_id ORDER BY f.year) = 1
        ORDER BY f.value DESC, f.market_id LIMIT ?""",
        [int(n)],
    )["market_id"].tolist()


def headline_figures(con, market_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Each market's reported figures from its primary source (whatever years it states)."""
    return _df(
        con,
        """
        SELECT m.market_id, m.name_en, m.name_zh, m.color, f.source_id, s.report_code, f.year, f.value, f.role,
               'reported' AS provenance
        FROM source_figures f
        JOIN markets m ON m.market_id = f.market_id AND m.primary_source_id = f.source_id
        JOIN sources s ON s.market_id = f.market_id AND s.source_id = f.source_id
        WHERE ? IS NULL OR list_contains(?, m.market_id)
        ORDER BY m.sort_order, f.year""",
        [_opt(market_ids), _opt(market_ids)],
    )


def market_series(con, market_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Yearly primary-source series per market: reported anchors and derived years between,
    with ``index_value`` (first year = 100) for comparing markets of very different size."""
    df = _df(
        con,
        """
        SELECT ps.market_id, m.name_en, m.name_zh, m.color, ps.source_id, s.report_code, ps.year, ps.value,
               ps.provenance
        FROM primary_series ps JOIN markets m USING (market_id)
        JOIN sources s ON s.market_id = ps.market_id AND s.source_id = ps.source_id
        WHERE ? IS NULL OR list_contains(?, ps.market_id)
        ORDER BY m.sort_order, ps.year""",
        [_opt(market_ids), _opt(market_ids)],
    )
    first = df.groupby("market_id")["value"].transform("first")
    return df.assign(index_value=df["value"] / first * 100)


def growth_summary(con, market_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Per market: first and last year of the primary series, absolute growth, stated and implied CAGR."""
    series = market_series(con, market_ids)
    markets = market_list(con).set_index("market_id")
    rows = []
    for mid, g in series.groupby("market_id", sort=False):
        first, last = g.iloc[0], g.iloc[-1]
        years = int(last["year"] - first["year"])
        m = markets.loc[mid]
        rows.append(
            dict(
                market_id=mid,
                name_en=m["name_en"],
                name_zh=m["name_zh"],
                color=m["color"],
                report_code=m["report_code"],
                first_year=int(first["year"]),
                last_year=int(last["year"]),
                first_value=first["value"],
                last_value=last["value"],
                abs_growth=last["value"] - first["value"],
                growth_multiple=last["value"] / first["value"],
                implied_cagr_pct=cagr_pct(first["value"], last["value"], years),
                cagr_pct=m["cagr_pct"],
                cagr_start=m["cagr_start"],
                cagr_end=m["cagr_end"],
                provenance="reported",
            )
        )
    return pd.DataFrame(rows)


# -- segments ------------------------------------------------------------------------------


def market_dimensions(con, market_id: str, with_shares_only: bool = False) -> pd.DataFrame:
    """The primary source's dimensions for a market, in the configured display order."""
    df = _df(
        con,
        """
        SELECT d.dimension, d.label_en, d.label_zh, d.source_id, d.has_shares
        FROM dimensions d JOIN markets m ON m.market_id = d.market_id AND m.primary_source_id = d.source_id
        WHERE d.market_id = ? AND (NOT ? OR d.has_shares)""",
        [market_id, with_shares_only],
    )
    order = list(settings().dimensions)
    return df.assign(_o=df["dimension"].map(order.index)).sort_values("_o").drop(columns="_o").reset_index(drop=True)


def segment_options(con, market_id: str, dimension: str, source_id: str | None = None) -> pd.DataFrame:
    """A dimension's segments (hierarchy order) for a market's primary source, or ``source_id``."""
    return _df(
        con,
        """
        SELECT g.segment, g.label_en, g.label_zh, g.parent, g.depth, g.sort_order, g.color, g.concept, g.is_leaf
        FROM segments g JOIN markets m ON m.market_id = g.market_id
        WHERE g.market_id = ? AND g.dimension = ? AND g.source_id = coalesce(?, m.primary_source_id)
        ORDER BY g.sort_order""",
        [market_id, dimension, source_id],
    )


def _normalise_selection(options: pd.DataFrame, selected: Sequence[str]) -> list[str]:
    """Known keys only, without any whose ancestor is also selected (so nothing counts twice)."""
    parent = dict(zip(options["segment"], options["parent"]))
    chosen = [s for s in dict.fromkeys(selected) if s in parent]

    return [s for s in chosen if not set(ancestors(parent, s)) & set(chosen)]


def _descendants(options: pd.DataFrame, roots: Sequence[str]) -> set[str]:
    out = set(roots)
    changed = True
    while changed:
        kids = set(options.loc[options["parent"].isin(out), "segment"])
        changed = not kids <= out
        out |= kids
    return out


def segment_breakdown(
    con, market_id: str, dimension: str, filters: Filters | None = None, level: int | None = 0, year: int | None = None
) -> pd.DataFrame:
    """Estimated segment figures for one dimension, every year of the primary source's window
    (or only ``year``).

    ``filters`` narrows the market: a filter on ``dimension`` itself keeps those segments; a
    filter on another dimension scales each segment by the selected share of that dimension.
    Where the data holds a cross-tab of the two dimensions it is used; otherwise dimensions
    are assumed independent, and ``basis`` says which. ``level`` 0 gives top-level segments,
    1 their children, None every node (for hierarchy charts).
    """
    filters = {k: list(v) for k, v in (filters or {}).items() if v}
    base = _df(
        con,
        """
        SELECT sf.market_id, sf.dimension, sf.segment, g.label_en, g.label_zh, g.parent, g.depth, g.color,
               g.sort_order, g.is_leaf, sf.year, sf.share_pct, ms.value AS market_value, sf.rationale AS rationale_en,
               sf.rationale_zh
        FROM segment_figures sf
        JOIN markets m ON m.market_id = sf.market_id AND m.primary_source_id = sf.source_id
        JOIN segments g ON g.market_id = sf.market_id AND g.source_id = sf.source_id
             AND g.dimension = sf.dimension AND g.segment = sf.segment
        JOIN market_series ms ON ms.market_id = sf.market_id AND ms.source_id = sf.source_id AND ms.year = sf.year
        WHERE sf.market_id = ? AND sf.dimension = ?
        ORDER BY g.sort_order, sf.year""",
        [market_id, dimension],
    )
    if base.empty:
        return base.assign(filtered_share_pct=[], value=[], provenance=[], basis=[])

    options = base.drop_duplicates("segment")[["segment", "parent"]]
    if dimension in filters:
        keep = _descendants(options, _normalise_selection(options, filters[dimension]))
        base = base[base["segment"].isin(keep)]

    joint = base["share_pct"].to_numpy(dtype=float) / 100.0
    bases: set[str] = set()
    for other, selected in filters.items():
        if other == dimension:
            continue
        other_shares = _df(
            con,
            """
            SELECT sf.segment, g.parent, sf.year, sf.share_pct
            FROM segment_shares sf JOIN markets m ON m.market_id = sf.market_id AND m.primary_source_id = sf.source_id
            JOIN segments g ON g.market_id = sf.market_id AND g.source_id = sf.source_id
                 AND g.dimension = sf.dimension AND g.segment = sf.segment
            WHERE sf.market_id = ? AND sf.dimension = ?""",
            [market_id, other],
        )
        if other_shares.empty:
            continue
        chosen = _normalise_selection(other_shares.drop_duplicates("segment"), selected)
        if not chosen:
            continue
        conditional = _crosstab_conditional(con, market_id, dimension, other, chosen, base)
        if conditional is not None:
            joint = joint * conditional
            bases.add("cross-tab")
        else:
            factor = other_shares[other_shares["segment"].isin(chosen)].groupby("year")["share_pct"].sum() / 100.0
            joint = joint * base["year"].map(factor).fillna(0).to_numpy(dtype=float)
            bases.add("independence")
    basis = " + ".join(sorted(bases)) or "estimate"
    out = base.assign(
        filtered_share_pct=joint * 100,
        value=joint * base["market_value"].to_numpy(dtype=float),
        provenance="estimate",
        basis=basis,
    )
    if level is not None:
        out = out[out["depth"] == level]
    if year is not None:
        out = out[out["year"] == year]
    return out.reset_index(drop=True)


def _crosstab_conditional(
    con, market_id: str, dimension: str, other: str, chosen: list[str], base: pd.DataFrame
) -> np.ndarray | None:
    """P(other in chosen | segment) per row of ``base`` from a curated cross-tab, or None."""
    cells = _df(
        con,
        """
        SELECT CASE WHEN dimension_a = ? THEN segment_a ELSE segment_b END AS seg,
               CASE WHEN dimension_a = ? THEN segment_b ELSE segment_a END AS other_seg,
               year, share_pct
        FROM crosstab_shares
        WHERE market_id = ? AND ((dimension_a = ? AND dimension_b = ?) OR (dimension_a = ? AND dimension_b = ?))""",
        [dimension, dimension, market_id, dimension, other, other, dimension],
    )
    if cells.empty or not set(chosen) <= set(cells["other_seg"]):
        return None
    top = base[base["depth"] == 0][["segment", "year", "share_pct"]]
    joint = cells[cells["other_seg"].isin(chosen)].groupby(["seg", "year"])["share_pct"].sum()
    cond = {
        (r.segment, r.year): (joint.get((r.segment, r.year), 0.0) / r.share_pct if r.share_pct else 0.0)
        for r in top.itertuples()
    }
    # Children inherit their top-level ancestor's conditional share (independence below the cross-tab).
    parent = dict(zip(base["segment"], base["parent"]))

    def root(seg: str) -> str:
        return ([seg, *ancestors(parent, seg)])[-1]

    return np.array([cond.get((root(s), y), 0.0) for s, y in zip(base["segment"], base["year"])])


def slice_summary(con, market_id: str, filters: Filters | None = None) -> pd.DataFrame:
    """Per year of the primary source: the whole market, the slice ``filters`` leave, its share of
    the market, and what the slice rests on (``provenance``; ``basis`` of a combined estimate).

    Unfiltered, the slice is the market itself (reported and derived); filtered, an estimate:
    the chosen segments of the first filtered dimension, scaled by the other filters' shares.
    """
    filters = {k: list(v) for k, v in (filters or {}).items() if v}
    series = market_series(con, [market_id])
    if not filters or series.empty:
        return pd.DataFrame(
            {
                "year": series["year"],
                "market_value": series["value"],
                "value": series["value"],
                "share_pct": 100.0,
                "provenance": series["provenance"],
                "basis": "",
            }
        )
    dimension = next(iter(filters))
    rows = segment_breakdown(con, market_id, dimension, filters, level=None)
    chosen = _normalise_selection(rows.drop_duplicates("segment")[["segment", "parent"]], filters[dimension])
    part = rows[rows["segment"].isin(chosen)]
    out = (
        part.groupby("year", as_index=False)
        .agg(market_value=("market_value", "first"), value=("value", "sum"), share_pct=("filtered_share_pct", "sum"))
        .assign(provenance="estimate", basis=rows["basis"].iloc[0] if not rows.empty else "estimate")
    )
    return out


def slice_rationales(con, market_id: str, filters: Filters | None = None, year: int | None = None) -> pd.DataFrame:
    """Every chosen segment's estimated share of its dimension in ``year`` (default: the last) and
    the curated rationale for it: the assumptions a filtered figure rests on."""
    filters = {k: list(v) for k, v in (filters or {}).items() if v}
    if not filters:
        return pd.DataFrame(
            columns=[
                "dimension",
                "segment",
                "label_en",
                "label_zh",
                "year",
                "share_pct",
                "rationale_en",
                "rationale_zh",
            ]
        )
    dims = list(filters)
    segs = [s for d in dims for s in filters[d]]
    return _df(
        con,
        """
        SELECT sf.dimension, sf.segment, g.label_en, g.label_zh, sf.year, sf.share_pct,
               sf.rationale AS rationale_en, sf.rationale_zh
        FROM segment_figures sf
        JOIN markets m ON m.market_id = sf.market_id AND m.primary_source_id = sf.source_id
        JOIN segments g ON g.market_id = sf.market_id AND g.source_id = sf.source_id
             AND g.dimension = sf.dimension AND g.segment = sf.segment
        WHERE sf.market_id = ? AND list_contains(?, sf.dimension) AND list_contains(?, sf.segment)
          AND sf.year = coalesce(?, (SELECT max(year) FROM segment_figures WHERE market_id = ?))
        ORDER BY list_position(?, sf.dimension), g.sort_order""",
        [market_id, dims, segs, year, market_id, dims],
    )


def segment_share_table(
    con,
    market_id: str,
    dimension: str,
    filters: Filters | None = None,
    level: int | None = 0,
    year: int | None = None,
) -> pd.DataFrame:
    """Per segment: share and value in the first and last year, the segment CAGR between, and in
    ``year`` (default: the last) its value, its share of the filtered slice and of the whole market."""
    df = segment_breakdown(con, market_id, dimension, filters, level)
    if df.empty:
        return pd.DataFrame(
            columns=[
                "segment",
                "label_en",
                "label_zh",
                "depth",
                "first_year",
                "last_year",
                "share_first",
                "share_last",
                "value_first",
                "value_last",
                "cagr_pct",
                "provenance",
                "basis",
                "year",
                "value_year",
                "share_of_slice_pct",
                "share_of_market_pct",
                "rationale_en",
                "rationale_zh",
            ]
        )
    first_year, last_year = int(df["year"].min()), int(df["year"].max())
    a = df[df["year"] == first_year].set_index("segment")
    b = df[df["year"] == last_year].set_index("segment")
    years = last_year - first_year
    table = pd.DataFrame(
        {
            "segment": a.index,
            "label_en": a["label_en"].to_numpy(),
            "label_zh": a["label_zh"].to_numpy(),
            "depth": a["depth"].to_numpy(),
            "parent": a["parent"].to_numpy(),
            "color": a["color"].to_numpy(),
            "first_year": first_year,
            "last_year": last_year,
            "share_first": a["filtered_share_pct"].to_numpy(),
            "share_last": b.loc[a.index, "filtered_share_pct"].to_numpy(),
            "value_first": a["value"].to_numpy(),
            "value_last": b.loc[a.index, "value"].to_numpy(),
        }
    )
    table["cagr_pct"] = [cagr_pct(v0, v1, years) for v0, v1 in zip(table["value_first"], table["value_last"])]
    table["provenance"] = "estimate"
    table["basis"] = df["basis"].iloc[0]
    chosen_year = year if year is not None and year in set(df["year"]) else last_year
    c = df[df["year"] == chosen_year].set_index("segment").loc[a.index]
    # The slice is what the roots of the shown hierarchy add up to (a child's parent may be filtered out).
    roots = ~c["parent"].isin(c.index)
    slice_total = float(c.loc[roots, "value"].sum())
    table["year"] = chosen_year
    table["value_year"] = c["value"].to_numpy()
    table["share_of_slice_pct"] = (c["value"] / slice_total * 100).to_numpy() if slice_total else np.nan
    table["share_of_market_pct"] = c["filtered_share_pct"].to_numpy()
    table["rationale_en"] = c["rationale_en"].to_numpy()
    table["rationale_zh"] = c["rationale_zh"].to_numpy()
    return table


# -- cross-market -------------------------------------------------------------------------


def comparable_concepts(con, market_ids: Sequence[str]) -> pd.DataFrame:
    """Concepts that at least two of ``market_ids`` have a segment for (with estimated shares)."""
    return _df(
        con,
        """
        SELECT c.concept, c.kind, c.label_en, c.label_zh, count(DISTINCT g.market_id) AS n_markets
        FROM segments g JOIN concepts c USING (concept)
        JOIN markets m ON m.market_id = g.market_id AND m.primary_source_id = g.source_id
        JOIN dimensions d ON d.market_id = g.market_id AND d.source_id = g.source_id AND d.dimension = g.dimension
        WHERE list_contains(?, g.market_id) AND d.has_shares
        GROUP BY ALL HAVING count(DISTINCT g.market_id) >= 2
        ORDER BY c.kind, c.label_en""",
        [list(market_ids)],
    )


def concept_comparison(con, market_ids: Sequence[str], concepts: Sequence[str] | None = None) -> pd.DataFrame:
    """Estimated size of each concept (e.g. remote patient monitoring) in each market, every year.

    A concept's value in a market is the sum of the market's segments mapped to it (skipping a
    segment whose ancestor is also mapped to it, so nothing counts twice).
    """
    df = _df(
        con,
        """
        SELECT g.market_id, m.name_en, m.name_zh, m.color, g.concept, c.label_en AS concept_label_en,
               c.label_zh AS concept_label_zh, c.kind, g.dimension, g.segment, g.label_en AS segment_label,
               g.label_zh AS segment_label_zh, g.parent, g.concept_note, g.concept_note_zh,
               sf.year, sf.share_pct, sf.value
        FROM segments g
        JOIN markets m ON m.market_id = g.market_id AND m.primary_source_id = g.source_id
        JOIN concepts c USING (concept)
        JOIN segment_figures sf ON sf.market_id = g.market_id AND sf.source_id = g.source_id
             AND sf.dimension = g.dimension AND sf.segment = g.segment
        WHERE list_contains(?, g.market_id) AND (? IS NULL OR list_contains(?, g.concept))
        ORDER BY m.sort_order, g.sort_order, sf.year""",
        [list(market_ids), _opt(concepts), _opt(concepts)],
    )
    if df.empty:
        return df
    mapped = set(zip(df["market_id"], df["dimension"], df["segment"], df["concept"]))
    df = df[
        [
            not (isinstance(p, str) and (m, d, p, c) in mapped)
            for m, d, p, c in zip(df["market_id"], df["dimension"], df["parent"], df["concept"])
        ]
    ]
    grouped = df.groupby(
        ["market_id", "name_en", "name_zh", "color", "concept", "concept_label_en", "concept_label_zh", "kind", "year"],
        sort=False,
        as_index=False,
    ).agg(
        share_pct=("share_pct", "sum"),
        value=("value", "sum"),
        segments_en=("segment_label", lambda s: ", ".join(dict.fromkeys(s))),
        segments_zh=("segment_label_zh", lambda s: "、".join(dict.fromkeys(s))),
        note_en=("concept_note", lambda s: "; ".join(dict.fromkeys(x for x in s if isinstance(x, str)))),
        note_zh=("concept_note_zh", lambda s: "；".join(dict.fromkeys(x for x in s if isinstance(x, str)))),
    )
    return grouped.assign(provenance="estimate")


# -- insights -----------------------------------------------------------------------------


def insights(con, market_id: str, topics: Sequence[str] | None = None, filters: Filters | None = None) -> pd.DataFrame:
    """Insights for a market that fit the filters, most specific first.

    An insight tagged with regions (or segments) matches when one of its tags is a selected
    segment, an ancestor or a descendant of one; an untagged insight applies to all and
    matches as ``general``. ``relevance`` counts the active filters it matches specifically.
    """
    filters = {k: list(v) for k, v in (filters or {}).items() if v}
    df = _df(
        con,
        """
        SELECT i.insight_id, i.topic, i.title_en, i.title_zh, i.text_en, i.text_zh, i.source_id,
               s.report_code, s.title_en AS source_title_en, s.title_zh AS source_title_zh, s.date AS source_date,
               i.sort_order,
               coalesce((SELECT list(region ORDER BY region) FROM insight_regions r
                         WHERE r.market_id = i.market_id AND r.insight_id = i.insight_id), []) AS regions,
               coalesce((SELECT list(dimension || '/' || segment) FROM insight_segments g
                         WHERE g.market_id = i.market_id AND g.insight_id = i.insight_id), []) AS segments
        FROM insights i JOIN sources s ON s.market_id = i.market_id AND s.source_id = i.source_id
        WHERE i.market_id = ? AND (? IS NULL OR list_contains(?, i.topic))
        ORDER BY i.sort_order""",
        [market_id, _opt(topics), _opt(topics)],
    )
    labels = _df(
        con,
        """
        SELECT g.segment, g.label_en, g.label_zh FROM segments g JOIN markets m
          ON m.market_id = g.market_id AND m.primary_source_id = g.source_id
        WHERE g.market_id = ? AND g.dimension = 'region'""",
        [market_id],
    )
    names = dict(zip(labels["segment"], labels["label_en"]))
    names_zh = dict(zip(labels["segment"], labels["label_zh"]))
    # Empty for an untagged insight (it concerns every region): the display layer names that.
    df = df.assign(
        region_labels_en=[", ".join(names.get(r, r) for r in regions) for regions in df["regions"]],
        region_labels_zh=["、".join(names_zh.get(r, r) for r in regions) for regions in df["regions"]],
    )
    if df.empty or not filters:
        return df.assign(relevance=0)

    related: dict[str, set[str]] = {}
    chains: dict[str, dict[str, set[str]]] = {}
    for dim, selected in filters.items():
        # The primary source's tree only: another source's tree for the same dimension must not mix in.
        opts = segment_options(con, market_id, dim)
        keys = set(_descendants(opts, [s for s in selected if s in set(opts["segment"])]))
        parent = dict(zip(opts["segment"], opts["parent"]))
        chains[dim] = {seg: set(ancestors(parent, seg)) for seg in parent}
        related[dim] = keys.union(*(chains[dim].get(s, set()) for s in keys))

    keep, relevance = [], []
    for regions, segments in zip(df["regions"], df["segments"]):
        ok, score = True, 0
        for dim, keys in related.items():
            tags = (
                set(regions) if dim == "region" else {s.split("/", 1)[1] for s in segments if s.split("/", 1)[0] == dim}
            )
            if not tags:
                continue  # general for this dimension
            # A tag that is an ancestor of another tag adds nothing: [emea, europe] is about Europe.
            implied = set().union(*(chains[dim].get(t, set()) for t in tags))
            tags = tags - implied
            if tags & keys:
                score += 1
            else:
                ok = False
        keep.append(ok)
        relevance.append(score)
    out = df.assign(relevance=relevance)[keep]
    return out.sort_values(["relevance", "sort_order"], ascending=[False, True]).reset_index(drop=True)


# -- sources and data quality -------------------------------------------------------------


def sources(con, market_id: str | None = None) -> pd.DataFrame:
    """Source records: document, report code, date, primary or not, window and stated CAGR."""
    return _df(
        con,
        """
        SELECT s.market_id, m.name_en AS market_en, m.name_zh AS market_zh, s.source_id, s.is_primary,
               s.kind_en, s.kind_zh, s.title_en, s.title_zh, s.publisher, s.report_code, s.document, s.date,
               s.url, strftime(s.accessed, '%Y-%m-%d') AS accessed, s.edition_of, s.scope_en, s.scope_zh, s.notes_en, s.notes_zh,
               s.coverage_en, s.coverage_zh, s.cagr_pct, s.cagr_start, s.cagr_end, s.cagr_basis_en, s.cagr_basis_zh,
               s.first_year, s.last_year, s.n_figures
        FROM sources s JOIN markets m USING (market_id)
        WHERE ? IS NULL OR s.market_id = ?
        ORDER BY m.sort_order, NOT s.is_primary, s.source_id""",
        [market_id, market_id],
    )


def source_series(con, market_id: str) -> pd.DataFrame:
    """Every source's reported points and derived curve for one market, on one timeline.

    ``current`` is false for an earlier edition of a report that has a later one.
    """
    return _source_series_of(con, [market_id])


def _source_series_of(con, market_ids: Sequence[str]) -> pd.DataFrame:
    """``source_series`` of several markets in one query (each market's rows in ``source_series`` order)."""
    return _df(
        con,
        """
        SELECT ms.market_id, ms.source_id, s.title_en, s.title_zh, s.publisher, s.report_code, s.is_primary,
               s.edition_of, s.edition_of IS NULL AS current, s.date, ms.year, ms.value, ms.provenance
        FROM market_series ms JOIN sources s USING (market_id, source_id)
        WHERE list_contains(?::VARCHAR[], ms.market_id)
        ORDER BY ms.market_id, NOT s.is_primary, s.edition_of IS NOT NULL, ms.source_id, ms.year""",
        [list(market_ids)],
    )


def _source_points(con, market_id: str, info: pd.DataFrame | None = None) -> list[SourcePoints]:
    """Each source's yearly points for the consensus functions; ``info`` is ``sources`` when the caller has it."""
    return _points_of(source_series(con, market_id), sources(con, market_id) if info is None else info)


def _points_of(series: pd.DataFrame, info: pd.DataFrame) -> list[SourcePoints]:
    """One market's ``source_series`` and ``sources`` as the consensus functions' points."""
    info = info.set_index("source_id")
    out = []
    for sid, g in series.groupby("source_id", sort=False):
        row = info.loc[sid]
        out.append(
            SourcePoints(
                str(sid),
                {int(y): (float(v), str(p)) for y, v, p in zip(g["year"], g["value"], g["provenance"])},
                bool(row["is_primary"]),
                _num(row["cagr_pct"]),
                _int(row["cagr_start"]),
                _int(row["cagr_end"]),
                current=not isinstance(row["edition_of"], str),
            )
        )
    return out


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _int(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def source_consensus(con, market_id: str) -> pd.DataFrame:
    """Per year, across the market's current sources: how many, median, low and high, and who is low and high.

    A source contributes its reported years and its derived years strictly inside its own span;
    ``provenance`` is reported when every value of the year is, else derived.
    """
    rows = consensus_by_year(_source_points(con, market_id))
    columns = [
        "market_id",
        "year",
        "n_sources",
        "n_reported",
        "median",
        "low",
        "high",
        "low_source",
        "high_source",
        "provenance",
    ]
    return pd.DataFrame(
        [
            dict(
                market_id=market_id,
                year=r.year,
                n_sources=r.n_sources,
                n_reported=r.n_reported,
                median=r.median,
                low=r.low,
                high=r.high,
                low_source=r.low_source,
                high_source=r.high_source,
                provenance="reported" if r.n_reported == r.n_sources else "derived",
            )
            for r in rows
        ],
        columns=columns,
    )


def source_findings(con, market_id: str) -> pd.DataFrame:
    """Each current source against the median of the others (``consensus.outlier_factor`` in config),
    with the source's stated and implied CAGR beside each other; earlier editions get growth only."""
    info = sources(con, market_id)
    return _findings_of(market_id, info, _source_points(con, market_id, info))


def _findings_of(market_id: str, info: pd.DataFrame, points: list[SourcePoints]) -> pd.DataFrame:
    """``source_findings`` from one market's ``sources`` and points."""
    cfg = settings().consensus
    found = {f.source_id: f for f in outliers(points, cfg.outlier_factor, cfg.min_others)}
    growth = {g.source_id: g for g in growth_comparison(points, cfg.cagr_tolerance_pp)}
    common = common_period(points)
    rows = []
    for r in info.itertuples():
        if r.n_figures == 0:
            continue
        f, g = found.get(r.source_id), growth[r.source_id]
        rows.append(
            dict(
                market_id=market_id,
                source_id=r.source_id,
                is_primary=bool(r.is_primary),
                publisher=r.publisher,
                report_code=r.report_code,
                title_en=r.title_en,
                title_zh=r.title_zh,
                date=r.date,
                url=r.url,
                accessed=r.accessed,
                edition_of=r.edition_of,
                scope_en=r.scope_en,
                scope_zh=r.scope_zh,
                notes_en=r.notes_en,
                notes_zh=r.notes_zh,
                first_year=r.first_year,
                last_year=r.last_year,
                n_figures=r.n_figures,
                year=f.year if f else None,
                value=f.value if f else None,
                value_provenance=f.provenance if f else None,
                others_median=f.others_median if f else None,
                n_others=f.n_others if f else 0,
                ratio=f.ratio if f else None,
                typical_ratio=f.typical_ratio if f else None,
                n_years_compared=f.n_years if f else 0,
                flagged=bool(f and f.flagged),
                cagr_pct=g.stated_pct,
                cagr_start=g.stated_start,
                cagr_end=g.stated_end,
                implied_cagr_pct=g.implied_pct,
                implied_note=g.implied_note,
                own_start=g.own_start,
                own_end=g.own_end,
                own_cagr_pct=g.own_pct,
                cagr_differs=g.differs,
                common_start=common[0] if common else None,
                common_end=common[1] if common else None,
                common_cagr_pct=g.common_pct,
                outlier_factor=cfg.outlier_factor,
            )
        )
    return pd.DataFrame(rows)


def primary_findings(con, market_ids: Sequence[str]) -> pd.DataFrame:
    """``source_findings`` of each market's primary source (where it states figures).

    Two queries for all the markets, not two per market: the Overview asks for every market's at once.
    """
    wanted = list(dict.fromkeys(market_ids))
    info, series = sources(con), _source_series_of(con, wanted)
    frames = []
    for m in wanted:
        mine = info[info["market_id"] == m].reset_index(drop=True)
        found = _findings_of(m, mine, _points_of(series[series["market_id"] == m], mine))
        if len(found):
            frames.append(found[found["is_primary"]])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["market_id", "flagged"])


def edition_changes(con, market_id: str) -> pd.DataFrame:
    """For each earlier edition: its values and the current edition's in every year both cover
    (reported, or derived inside their own spans), beside their CAGRs, periods and horizons."""
    info = sources(con, market_id).set_index("source_id")
    series = source_series(con, market_id)
    rows = []
    for sid, src in info.iterrows():
        current_id = src["edition_of"]
        if not isinstance(current_id, str) or current_id not in info.index:
            continue
        cur = info.loc[current_id]
        old = series[series["source_id"] == sid].set_index("year")
        new = series[series["source_id"] == current_id].set_index("year")
        for year in sorted(set(old.index) & set(new.index)):
            rows.append(
                dict(
                    market_id=market_id,
                    earlier_id=sid,
                    current_id=current_id,
                    earlier_date=src["date"],
                    current_date=cur["date"],
                    year=int(year),
                    earlier_value=float(old.loc[year, "value"]),
                    earlier_provenance=old.loc[year, "provenance"],
                    current_value=float(new.loc[year, "value"]),
                    current_provenance=new.loc[year, "provenance"],
                    earlier_cagr_pct=_num(src["cagr_pct"]),
                    earlier_cagr_start=_int(src["cagr_start"]),
                    earlier_cagr_end=_int(src["cagr_end"]),
                    current_cagr_pct=_num(cur["cagr_pct"]),
                    current_cagr_start=_int(cur["cagr_start"]),
                    current_cagr_end=_int(cur["cagr_end"]),
                    earlier_horizon=_int(src["last_year"]),
                    current_horizon=_int(cur["last_year"]),
                )
            )
    return pd.DataFrame(rows)


def others_near_base_year(con, market_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Per market: what the other current publishers report for the year nearest the primary's first year.

    One reported figure per publisher (the nearest year; the later on a tie), never a derived one:
    this is what they say, for the card beside the primary's figure.
    """
    figures = _df(
        con,
        """
        WITH base AS (
            SELECT p.market_id, min(p.year) AS base_year FROM source_figures p
            JOIN markets m ON m.market_id = p.market_id AND m.primary_source_id = p.source_id GROUP BY p.market_id)
        SELECT f.market_id, f.source_id, f.year, f.value, base.base_year
        FROM source_figures f
        JOIN markets m USING (market_id)
        JOIN base USING (market_id)
        JOIN sources s ON s.market_id = f.market_id AND s.source_id = f.source_id
        WHERE (? IS NULL OR list_contains(?, f.market_id)) AND f.source_id <> m.primary_source_id
              AND s.edition_of IS NULL
        ORDER BY m.sort_order, f.source_id, f.year""",
        [_opt(market_ids), _opt(market_ids)],
    )
    rows = []
    for mid, g in figures.groupby("market_id", sort=False):
        base = int(g["base_year"].iloc[0])
        picks = (
            g.assign(distance=(g["year"] - base).abs(), later=-g["year"])
            .sort_values(["source_id", "distance", "later"])
            .drop_duplicates("source_id")
        )
        rows.append(
            dict(
                market_id=mid,
                base_year=base,
                n_publishers=len(picks),
                low=float(picks["value"].min()),
                high=float(picks["value"].max()),
                first_year=int(picks["year"].min()),
                last_year=int(picks["year"].max()),
            )
        )
    return pd.DataFrame(
        rows, columns=["market_id", "base_year", "n_publishers", "low", "high", "first_year", "last_year"]
    )


def source_taxonomies(con, market_id: str) -> pd.DataFrame:
    """Each source's dimensions and top-level segments for a market, to show where they differ."""
    return _df(
        con,
        """
        SELECT g.source_id, s.title_en, s.title_zh, s.is_primary, g.dimension, d.label_en AS dimension_label_en,
               d.label_zh AS dimension_label_zh, string_agg(g.label_en, '; ' ORDER BY g.sort_order) AS segments_en,
               string_agg(g.label_zh, '；' ORDER BY g.sort_order) AS segments_zh
        FROM segments g JOIN sources s USING (market_id, source_id)
        JOIN dimensions d ON d.market_id = g.market_id AND d.source_id = g.source_id AND d.dimension = g.dimension
        WHERE g.market_id = ? AND g.depth = 0
        GROUP BY ALL ORDER BY g.dimension, s.is_primary DESC""",
        [market_id],
    )


def claims(con, market_id: str) -> pd.DataFrame:
    """Statements a source makes without a number (largest segment, fastest-growing region...)."""
    return _df(
        con,
        """
        SELECT c.source_id, s.title_en AS source_title_en, s.title_zh AS source_title_zh, c.dimension, c.segment, c.claim, c.text_en, c.text_zh
        FROM claims c JOIN sources s USING (market_id, source_id)
        WHERE c.market_id = ?""",
        [market_id],
    )


def validation_report(con) -> pd.DataFrame:
    """Every problem the last build found, errors first."""
    return _df(
        con,
        """SELECT severity, market_id, file, location, message FROM problems
                       ORDER BY severity = 'warning', file, location""",
    )


def omissions(con, market_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """What validation left out: every market, and the dimensions of ``market_ids`` (all when None).

    Each row says where the problem is (file, location) and what it is (message), for the pages'
    banners; ``market_name_en/zh`` is the market's name where it loaded (a dimension's market).
    """
    return _df(
        con,
        """
        SELECT o.kind, o.folder, o.market_id, o.dimension, o.file, o.location, o.message,
               m.name_en AS market_name_en, m.name_zh AS market_name_zh
        FROM omissions o LEFT JOIN markets m ON m.market_id = o.market_id AND o.kind = 'dimension'
        WHERE o.kind = 'market' OR ? IS NULL OR list_contains(?, o.market_id)
        ORDER BY o.kind = 'dimension', o.folder, o.dimension""",
        [_opt(market_ids), _opt(market_ids)],
    )


#: Tables a user may download whole.
DOWNLOADABLE_TABLES = (
    "markets",
    "sources",
    "source_figures",
    "market_series",
    "segments",
    "segment_figures",
    "crosstab_shares",
    "insights",
    "concepts",
    "events",
    "problems",
)


def table(con, name: str) -> pd.DataFrame:
    """A whole table by name, from the fixed list ``DOWNLOADABLE_TABLES``."""
    if name not in DOWNLOADABLE_TABLES:
        raise KeyError(f"unknown table {name!r}")
    return _df(con, f'SELECT * FROM "{name}"')  # name is one of the constants above


def _opt(values: Sequence[str] | None) -> list[str] | None:
    return None if values is None else list(values)


# -- events and scenarios ---------------------------------------------------------------------


def events(con, market_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Dated events that concern any of ``market_ids`` (all events when None), in date order."""
    return _df(
        con,
        """
        SELECT event_id, date, position, label_en, label_zh, kind, all_markets, markets, sources, note_en, note_zh
        FROM events
        WHERE ? IS NULL OR all_markets
           OR len(list_intersect(string_split(markets, ','), ?)) > 0
        ORDER BY position, event_id""",
        [_opt(market_ids), _opt(market_ids)],
    )


def scenario_inputs(con, market_id: str) -> pd.DataFrame:
    """Each current publisher's growth over its own reported span, for the bear and bull defaults:
    ``source_findings`` without earlier editions (they are not a second publisher)."""
    columns = ["source_id", "is_primary", "publisher", "report_code", "title_en", "title_zh"]
    columns += ["own_start", "own_end", "own_cagr_pct"]
    found = source_findings(con, market_id)
    if found.empty:
        return pd.DataFrame(columns=columns)
    return found.loc[found["edition_of"].isna(), columns].reset_index(drop=True)


def scenario_series(
    con,
    market_id: str,
    filters: Filters | None = None,
    cagr: Mapping[str, float] | None = None,
    start: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Bear, base and bull curves for a market, or for the slice ``filters`` leave (see ``scenarios``):
    one row per scenario and year, with its rate, start year, basis and (for a publisher's rate) whose.

    ``cagr`` and ``start`` are the user's own values by scenario name; the rest are the defaults.
    Values are USD bn like the published curve, and never added into it: provenance ``scenario``.
    """
    cfg = settings().scenarios
    published = slice_summary(con, market_id, filters)
    columns = [
        "market_id",
        "scenario",
        "year",
        "value",
        "provenance",
        "cagr_pct",
        "start_year",
        "basis",
        "source",
        "period_start",
        "period_end",
        "shift_pp",
    ]
    if published.empty:
        return pd.DataFrame(columns=columns)
    curve = dict(zip(published["year"].astype(int), published["value"].astype(float)))
    window = (min(curve), max(curve))
    stated = market_profile(con, market_id)["cagr_pct"]
    primary = float(stated) if pd.notna(stated) else cagr_pct(curve[window[0]], curve[window[1]], window[1] - window[0])
    found = scenario_inputs(con, market_id)
    rates = [
        PublisherRate(
            r.source_id,
            r.publisher if isinstance(r.publisher, str) else r.report_code or r.source_id,
            float(r.own_cagr_pct),
            int(r.own_start),
            int(r.own_end),
        )
        for r in found.itertuples()
        if pd.notna(r.own_cagr_pct)
    ]
    # A slice grows at its own rate (its shares move): base is that rate, and bear and bull move with it.
    shift = 0.0
    if any(v for v in (filters or {}).values()):
        own = cagr_pct(curve[window[0]], curve[window[1]], window[1] - window[0])
        market = slice_summary(con, market_id, None)
        whole = dict(zip(market["year"].astype(int), market["value"].astype(float)))
        shift = own - cagr_pct(whole[window[0]], whole[window[1]], window[1] - window[0])
    defaults = default_scenarios(primary, window, rates, cfg.spread_pp, cfg.min_sources, cfg.min_span_years, shift)
    chosen = with_user_values(defaults, dict(cagr or {}), dict(start or {}), window)
    rows = []
    for name in SCENARIOS:
        s = chosen[name]
        for year, value in scenario_curve(curve, s):
            rows.append(
                (
                    market_id,
                    name,
                    year,
                    value,
                    "scenario",
                    s.cagr_pct,
                    s.start_year,
                    s.basis,
                    s.source,
                    s.period[0] if s.period else None,
                    s.period[1] if s.period else None,
                    s.shift_pp,
                )
            )
    return pd.DataFrame(rows, columns=columns)


def opportunity_steps(con, market_id: str, filters: Filters | None, year: int, obtainable_pct: float) -> pd.DataFrame:
    """The opportunity sizing for ``year``: the whole market → the slice ``filters`` leave → the user's
    ``obtainable_pct`` of it, one row per step (see ``scenarios.opportunity_sizing``)."""
    summary = slice_summary(con, market_id, filters)
    market = slice_summary(con, market_id, None)
    if summary.empty or year not in set(summary["year"]):
        return pd.DataFrame(columns=["key", "value", "share_of_previous_pct", "share_of_market_pct", "provenance"])
    row = summary[summary["year"] == year].iloc[0]
    whole = market[market["year"] == year].iloc[0]
    steps = opportunity_sizing(
        float(whole["value"]),
        str(whole["provenance"]),
        float(row["value"]),
        row["provenance"] == "estimate",
        float(obtainable_pct),
    )
    return pd.DataFrame([vars(s) for s in steps])


def scenario_series_of(con, market_ids: Sequence[str]) -> pd.DataFrame:
    """``scenario_series`` (the defaults) of several markets, one after the other."""
    frames = [scenario_series(con, m) for m in market_ids]
    return pd.concat(frames, ignore_index=True) if frames else scenario_series(con, "")
