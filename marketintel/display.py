"""The display layer: query results (canonical USD bn, keys, both languages) made readable.

Queries return raw numbers, keys and ``<base>_en`` / ``<base>_zh`` text columns; everything a
reader sees — the language's text with its English fallback, money in the reader's unit
(USD bn or 亿美元), translated headers, indented hierarchy labels, "All regions" — is made
here, and pages, chart builders and exporters all call it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from . import i18n
from .i18n import N_, localised
from .settings import settings

#: Headers for exported tables, in the reader's language ({unit}: the money unit).
COLUMN_LABELS: dict[str, str] = {
    "market_id": N_("Market id"),
    "market_en": N_("Market"),
    "market_zh": N_("Market (Chinese)"),
    "name_en": N_("Market (English)"),
    "name_zh": N_("Market (Chinese)"),
    "source_id": N_("Source id"),
    "source_title_en": N_("Source"),
    "source_title_zh": N_("Source (Chinese)"),
    "title_en": N_("Title (English)"),
    "title_zh": N_("Title (Chinese)"),
    "text_en": N_("Text (English)"),
    "text_zh": N_("Text (Chinese)"),
    "label_en": N_("Label (English)"),
    "label_zh": N_("Label (Chinese)"),
    "report_code": N_("Report code"),
    "year": N_("Year"),
    "value": N_("Value ({unit})"),
    "market_value": N_("Market size ({unit})"),
    "first_value": N_("First-year size ({unit})"),
    "last_value": N_("Last-year size ({unit})"),
    "abs_growth": N_("Absolute growth ({unit})"),
    "value_first": N_("First-year value ({unit})"),
    "value_last": N_("Last-year value ({unit})"),
    "low": N_("Lowest ({unit})"),
    "median": N_("Median ({unit})"),
    "high": N_("Highest ({unit})"),
    "provenance": N_("Provenance"),
    "share_pct": N_("Share (%)"),
    "filtered_share_pct": N_("Share of market after filters (%)"),
    "share_first": N_("First-year share (%)"),
    "share_last": N_("Last-year share (%)"),
    "cagr_pct": N_("CAGR (%)"),
    "implied_cagr_pct": N_("Implied CAGR (%)"),
    "cagr_start": N_("CAGR from"),
    "cagr_end": N_("CAGR to"),
    "cagr_basis_en": N_("CAGR period basis"),
    "first_year": N_("First year"),
    "last_year": N_("Last year"),
    "growth_multiple": N_("Growth multiple"),
    "index_value": N_("Index"),
    "segment": N_("Segment id"),
    "dimension": N_("Dimension id"),
    "dimension_label_en": N_("Dimension"),
    "dimension_label_zh": N_("Dimension (Chinese)"),
    "segments_en": N_("Segments"),
    "segments_zh": N_("Segments (Chinese)"),
    "concept": N_("Concept id"),
    "concept_label_en": N_("Concept"),
    "concept_label_zh": N_("Concept (Chinese)"),
    "rationale_en": N_("Rationale (English)"),
    "rationale_zh": N_("Rationale (Chinese)"),
    "basis": N_("Combination basis"),
    "kind_en": N_("Kind"),
    "document": N_("Document"),
    "date": N_("Date"),
    "is_primary": N_("Primary source"),
    "coverage_en": N_("Coverage"),
    "n_figures": N_("Figures stated"),
    "topic": N_("Topic"),
    "relevance": N_("Relevance"),
    "regions": N_("Regions"),
    "region_labels_en": N_("Regions (English)"),
    "region_labels_zh": N_("Regions (Chinese)"),
    "severity": N_("Severity"),
    "file": N_("File"),
    "location": N_("Where"),
    "message": N_("Problem"),
    "color": N_("Colour"),
    "role": N_("Role"),
    "note_en": N_("Note"),
    "parent": N_("Parent segment id"),
    "depth": N_("Depth"),
    "n_sources": N_("Sources"),
    "spread_pct": N_("Spread (%)"),
    "outlier": N_("Outlier source"),
    "claim": N_("Claim"),
    "publisher": N_("Publisher"),
    "url": N_("Page read"),
    "accessed": N_("Read on"),
    "edition_of": N_("Earlier edition of"),
    "scope_en": N_("What the figure covers (English)"),
    "scope_zh": N_("What the figure covers (Chinese)"),
    "notes_en": N_("Notes (English)"),
    "notes_zh": N_("Notes (Chinese)"),
    "insight_id": N_("Insight id"),
    "sort_order": N_("Sort order"),
}
#: Columns holding money in USD bn, scaled to the reader's unit wherever they are shown.
MONEY_COLUMNS = frozenset(
    {
        "value",
        "market_value",
        "first_value",
        "last_value",
        "abs_growth",
        "value_first",
        "value_last",
        "low",
        "high",
        "median",
        "others_median",
        "earlier_value",
        "current_value",
    }
)
#: The hierarchy indent for labels in pickers and tables (an em space keeps tables aligned).
PICKER_INDENT, TABLE_INDENT = "— ", "\u2003"


def text_column(df: pd.DataFrame, base: str, lang: str) -> pd.Series:
    """Column ``base`` in ``lang`` (``base_zh``), its English (``base_en``) where that is empty."""
    en = df[f"{base}_en"] if f"{base}_en" in df.columns else df[base]
    zh = f"{base}_{lang}"
    if lang == i18n.DEFAULT_LANGUAGE or zh not in df.columns:
        return en
    return pd.Series([localised(z, e) for z, e in zip(df[zh], en)], index=df.index, dtype=object)


def indented(df: pd.DataFrame, base: str, lang: str, indent: str = PICKER_INDENT) -> pd.Series:
    """Labels indented by hierarchy ``depth``, for a picker or a table."""
    return pd.Series(
        [indent * int(d) + str(t) for d, t in zip(df["depth"], text_column(df, base, lang))],
        index=df.index,
        dtype=object,
    )


def region_labels(row, lang: str) -> str:
    """The regions an insight is tagged with, or "All regions" when it has none."""
    _ = i18n.text(lang)
    text = _.pick(row, "region_labels")
    return text or _("All regions")


def source_label(row, lang: str) -> str:
    """How a source is named: its publisher, else "Report <code>", else its title; an earlier edition says so."""
    _ = i18n.text(lang)
    publisher = _field(row, "publisher")
    code = _field(row, "report_code")
    name = publisher or (_("Report {code}", code=code) if code else _.pick(row, "title"))
    if _field(row, "edition_of"):
        date = _field(row, "date")
        return (
            _("{name} (earlier edition, {date})", name=name, date=date)
            if date
            else _("{name} (earlier edition)", name=name)
        )
    return name


def _field(row, key: str):
    try:
        value = row[key]
    except (KeyError, IndexError, TypeError):
        value = getattr(row, key, None)
    return value if isinstance(value, str) and value.strip() else None


def provenance_word(value: str, lang: str) -> str:
    """A provenance value (reported / derived / estimate) in words of ``lang``."""
    words = getattr(settings().provenance, value, None) if value in settings().provenance.NAMES else None
    if words is None:
        return value
    label = i18n.text(lang)(words.label)
    return label.lower() if lang == "en" else label


def estimate_label(label: str, lang: str) -> str:
    """A legend or table label marked as an estimate: "Hardware (est.)" / "硬件（估计）"."""
    return f"{label}{i18n.text(lang)(settings().provenance.estimate_suffix)}"


def money_in_language(df: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The table with its money columns (USD bn in the data) in ``lang``'s unit (亿美元 in Chinese)."""
    factor = i18n.text(lang).money_factor
    if factor == 1:
        return df
    out = df.copy()
    for col in out.columns:
        if col in MONEY_COLUMNS and pd.api.types.is_numeric_dtype(out[col]):
            # Rounded: x10 turns 145.08 into 1450.8000000000002, which a table would show as is.
            out[col] = (out[col] * factor).round(6)
    return out


def localise_table(df: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A table for a reader of ``lang``: Chinese gets translated headers and money in 亿美元."""
    if lang == i18n.DEFAULT_LANGUAGE:
        return df
    _ = i18n.text(lang)
    out = money_in_language(df, lang)
    return out.rename(
        columns={
            c: _(COLUMN_LABELS[c], unit=_.money_unit) for c in out.columns if isinstance(c, str) and c in COLUMN_LABELS
        }
    )


def headline_table(heads: pd.DataFrame, markets: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """One row per market: each reported year's size as a column (reader's unit), then the stated CAGR
    and report; ``heads`` from ``queries.headline_figures``, ``markets`` from ``queries.market_list``."""
    if heads.empty:
        return pd.DataFrame()
    _ = i18n.text(lang)
    heads = heads.assign(_name=text_column(heads, "name", lang))
    table = (heads.pivot_table(index="_name", columns="year", values="value", sort=False) * _.money_factor).round(6)
    table.columns = [_("{year} ({unit}, reported)", year=c, unit=_.money_unit) for c in table.columns]
    info = markets.assign(_name=text_column(markets, "name", lang)).set_index("_name")[
        ["cagr_pct", "cagr_start", "cagr_end", "report_code"]
    ]
    table = table.join(info)
    table.index.name = _("Market")
    return table


def share_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``queries.segment_share_table`` for the screen: indented labels and money in the reader's unit."""
    out = money_in_language(table, lang)
    return out.assign(
        segment_label=indented(table, "label", lang, TABLE_INDENT), rationale=text_column(table, "rationale", lang)
    )


def enumerate_names(names: Iterable[str], lang: str) -> str:
    """An enumeration in the reader's punctuation."""
    return i18n.text(lang).join(names)


# -- what the publishers say -------------------------------------------------------------------


def _short_decimals(value_bn: float, lang: str) -> int:
    _ = i18n.text(lang)
    scaled = value_bn * _.money_factor
    return min(0 if scaled >= 50 else 1 if scaled >= 10 else 2, int(_.money_format.decimals))


def money_short(value_bn: float, lang: str) -> str:
    """A market size for a sentence, as precise as a comparison needs: USD 83 bn, USD 1.35 bn / 13.5亿美元."""
    return i18n.text(lang).money(value_bn, _short_decimals(value_bn, lang))


def ratio_words(ratio: float) -> str:
    """How many times, rounded as an analyst would say it: 62 → 60, 3.6 → 4, 1.66 → 1.7."""
    r = ratio if ratio >= 1 else 1 / ratio
    if r >= 20:
        return f"{round(r, -1):,.0f}"
    if r >= 3:
        return f"{r:.0f}"
    return f"{r:.1f}"


def outlier_statement(row, lang: str) -> str:
    """One sentence on a source against the other publishers (``queries.source_findings`` row)."""
    _ = i18n.text(lang)
    name = source_label(row, lang)
    if row["year"] is None or pd.isna(row["year"]):
        return _("{source}: fewer than two other publishers state the same years, so it is not compared.", source=name)
    values = dict(
        source=name,
        year=int(row["year"]),
        value=money_short(row["value"], lang),
        n=int(row["n_others"]),
        median=money_short(row["others_median"], lang),
        ratio=ratio_words(row["ratio"]),
        factor=ratio_words(row["outlier_factor"]),
    )
    if row["flagged"]:
        if row["ratio"] < 1:
            return _(
                "{source} ({year}: {value}) is about {ratio}× below the median of {n} other publishers "
                "for {year} ({median}).",
                **values,
            )
        return _(
            "{source} ({year}: {value}) is about {ratio}× above the median of {n} other publishers "
            "for {year} ({median}).",
            **values,
        )
    return _(
        "{source} ({year}: {value}) is {ratio}× {direction} the median of {n} other publishers for {year} "
        "({median}): within {factor}×, not an outlier.",
        direction=_("above") if row["ratio"] >= 1 else _("below"),
        **values,
    )


def others_summary(row, lang: str) -> str:
    """What the other publishers report near the primary's base year (``queries.others_near_base_year`` row)."""
    _ = i18n.text(lang)
    low, high = (_.money_number(row[b], _short_decimals(row[b], lang)) for b in ("low", "high"))
    span = low if low == high else f"{low}–{high}"
    first, last = int(row["first_year"]), int(row["last_year"])
    years = str(first) if first == last else f"{first}–{last}"
    return _.plural(
        "Other publishers: {range} · {n} publisher · {years}",
        "Other publishers: {range} · {n} publishers · {years}",
        int(row["n_publishers"]),
        range=_.money_format.pattern.format(value=span),
        years=years,
    )


def cagr_period(start, end, lang: str) -> str:
    """A CAGR's period, or that the source names none."""
    if start is None or pd.isna(start):
        _ = i18n.text(lang)
        return _("period not stated")
    return f"{int(start)}–{int(end)}"


def growth_note(row, lang: str) -> str:
    """Stated vs implied CAGR in words, for a ``queries.source_findings`` row."""
    _ = i18n.text(lang)
    if row["cagr_pct"] is None or pd.isna(row["cagr_pct"]):
        return _("No growth rate stated.")
    stated = _(
        "{rate}% stated for {period}",
        rate=f"{row['cagr_pct']:.2f}",
        period=cagr_period(row["cagr_start"], row["cagr_end"], lang),
    )
    note = row["implied_note"]
    if note == "period not stated":
        return _("{stated}; its figures cannot be checked against an unstated period.", stated=stated)
    if note:
        return _("{stated}; its own figures do not cover that period.", stated=stated)
    implied = _("its own figures imply {rate}%", rate=f"{row['implied_cagr_pct']:.2f}")
    if row["cagr_differs"]:
        return _("{stated}, but {implied}: the page's rate and figures disagree.", stated=stated, implied=implied)
    return _("{stated}; {implied}.", stated=stated, implied=implied)


# -- slides and the slice ------------------------------------------------------------------------


def slide_notes(spec, view_rows: Sequence[tuple[str, str]], lang: str, extra: Sequence[str] = ()) -> str:
    """A slide's speaker notes: the view (every filter by name, the link), the sources, what each
    kind of figure on the chart is, and ``extra`` lines (e.g. the basis of an estimate)."""
    _ = i18n.text(lang)
    prov = settings().provenance
    present: list[str] = []
    for panel in spec.panels:
        marks = [n.provenance for n in panel.nodes] + [p for s in panel.series for p in s.provenance]
        present += [m for m in marks if m not in present]
    lines = [_("What this slide shows")]
    lines += [f"{what}: {shown}" for what, shown in view_rows]
    lines += ["", spec.source_note]
    if present:
        lines += ["", _("What the figures are")]
        for name in settings().provenance.NAMES:
            if name in present:
                words = getattr(prov, name)
                lines.append(f"{_.dynamic(words.label)}: {_.dynamic(words.describe)}")
    if extra:
        lines += ["", *extra]
    return "\n".join(lines)


@dataclass(frozen=True)
class SliceHeadline:
    """The filtered slice in one answer: its value in a year, share, growth, and what it rests on."""

    label: str  # the slice, year and provenance: "Asia-Pacific · Hospitals, 2030 · estimate"
    value: str  # "USD 43.67 bn"
    share: str  # "15.4%"
    market: str  # "The whole market: USD 283.50 bn in 2030"
    growth_label: str  # "CAGR 2025–2032"
    growth: str  # "19.5%"
    provenance: str  # "Estimate: … assumed independent"
    rationales: tuple[str, ...]  # every assumption, in full
    estimate: bool


def slice_headline(
    summary: pd.DataFrame, rationales: pd.DataFrame, year: int, filters_text: str, dimension_labels, lang: str
) -> SliceHeadline | None:
    """``queries.slice_summary`` and ``queries.slice_rationales`` as the Explorer's one-line answer."""
    from .series import cagr_pct

    if summary.empty or year not in set(summary["year"]):
        return None
    _ = i18n.text(lang)
    row = summary[summary["year"] == year].iloc[0]
    first, last = summary.iloc[0], summary.iloc[-1]
    rate = cagr_pct(float(first["value"]), float(last["value"]), int(last["year"] - first["year"]))
    estimate = row["provenance"] == "estimate"
    basis = str(row["basis"])
    if not estimate:
        provenance = _(
            "{word}: the whole market, as the primary source states it", word=provenance_word(row["provenance"], lang)
        )
    elif "cross-tab" in basis:
        provenance = _(
            "Estimate: our segment shares applied to the primary source's size; the combined filters use the curated cross-tab"
        )
    elif "independence" in basis:
        provenance = _(
            "Estimate: our segment shares applied to the primary source's size; the filters' dimensions are assumed independent (their shares multiplied)"
        )
    else:
        provenance = _("Estimate: our segment shares applied to the primary source's size")
    lines = []
    for r in rationales.itertuples():
        label = localised(r.label_zh, r.label_en) if lang == "zh" else r.label_en
        why = localised(r.rationale_zh, r.rationale_en) if lang == "zh" else r.rationale_en
        dim = dimension_labels.get(r.dimension, r.dimension)
        lines.append(
            _(
                "{segment} ({dimension}, {share}% in {year}): {why}",
                segment=label,
                dimension=dim,
                share=f"{r.share_pct:.1f}",
                year=int(r.year),
                why=why if isinstance(why, str) else "",
            )
        )
    slice_name = _("{slice}, {year}", slice=filters_text or _("Whole market"), year=year)
    return SliceHeadline(
        label=f"{slice_name} · {provenance_word(row['provenance'], lang).lower()}",
        value=_.money(float(row["value"])),
        share=f"{row['share_pct']:.1f}%",
        market=_("The whole market: {market} in {year}", market=_.money(float(row["market_value"])), year=year),
        growth_label=_("CAGR {start}–{end}", start=int(first["year"]), end=int(last["year"])),
        growth=f"{rate:.1f}%",
        provenance=provenance,
        rationales=tuple(lines),
        estimate=bool(estimate),
    )


@dataclass(frozen=True)
class SizingLine:
    """One step of the opportunity sizing as the panel shows it."""

    label: str
    value: str
    share: str
    provenance: str


def sizing_lines(steps: pd.DataFrame, lang: str) -> list[SizingLine]:
    """``queries.opportunity_steps`` in words: each step's name, value, share and provenance."""
    _ = i18n.text(lang)
    names = {
        "market": _("Whole market"),
        "addressable": _("Addressable: your filters"),
        "obtainable": _("Obtainable: your share"),
    }
    out = []
    for r in steps.itertuples():
        if r.key == "market":
            share = _("the market as the primary source gives it")
        elif r.key == "addressable":
            share = _("{share}% of the market", share=f"{r.share_of_market_pct:.1f}")
        else:
            share = _(
                "{share}% of the addressable slice, {market}% of the market",
                share=f"{r.share_of_previous_pct:.1f}",
                market=f"{r.share_of_market_pct:.2f}",
            )
        word = provenance_word(r.provenance, lang)
        if r.key == "obtainable":
            word = _("your assumption")
        out.append(SizingLine(names.get(r.key, r.key), _.money(float(r.value)), share, word))
    return out


def scenario_notes(scenarios: pd.DataFrame, lang: str) -> list[str]:
    """Each scenario in words, for speaker notes: "bull scenario: 24.0% a year from 2025, user assumption"."""
    if scenarios.empty:
        return []
    return [scenario_words(r, lang) for r in scenarios.drop_duplicates("scenario").itertuples()]


def scenario_words(row, lang: str) -> str:
    """A scenario as exports label it: "bull scenario: 24.0% a year from 2025, user assumption"."""
    _ = i18n.text(lang)
    names = {"bear": _("bear scenario"), "base": _("base scenario"), "bull": _("bull scenario")}
    if row.basis == "user":
        why = _("user assumption")
    elif row.basis == "primary":
        why = _("the primary source's CAGR") if not row.shift_pp else _("the slice's own growth in the primary source")
    elif row.basis == "publishers":
        who = row.source if isinstance(row.source, str) and row.source else _("a publisher")
        low = row.scenario == "bear"
        period = f"{int(row.period_start)}–{int(row.period_end)}" if pd.notna(row.period_start) else ""
        why = (
            _("the lowest publisher's growth ({who}, {period})", who=who, period=period)
            if low
            else _("the highest publisher's growth ({who}, {period})", who=who, period=period)
        )
    else:
        spread = settings().scenarios.spread_pp
        why = (
            _("the primary's CAGR minus {pp} points", pp=f"{spread:g}")
            if row.scenario == "bear"
            else _("the primary's CAGR plus {pp} points", pp=f"{spread:g}")
        )
    if row.shift_pp and row.basis in ("publishers", "spread"):
        why += _(", {shift} points for the slice's own pace", shift=f"{row.shift_pp:+.1f}")
    return _(
        "{scenario}: {rate}% a year from {year}, {why}",
        scenario=names.get(row.scenario, row.scenario),
        rate=f"{row.cagr_pct:.1f}",
        year=int(row.start_year),
        why=why,
    )
