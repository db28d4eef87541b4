"""The view in force, named: markets, filters by their values' names, breakdown, year, scale, language, link.

One :class:`View` describes what a page shows. Chart subtitles, slide subtitles and speaker
notes, images, the deck list, the workbook's View sheet and CSV headers all word it from here,
in either language, and its :meth:`View.url` reopens it. Pure: no Streamlit, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd

from . import i18n
from .i18n import N_

#: Filters with more values than this are named as "Specialty: 3 of 11 (…)" in one-line texts.
NAMED_VALUES = 3

SCALE_WORDS = {
    "linear": N_("linear scale"),
    "log": N_("log scale"),
    "indexed": N_("indexed, first year = 100"),
}
LANGUAGE_NAMES = {"en": "English", "zh": "简体中文"}


@dataclass(frozen=True)
class Named:
    """A key with its names in both languages (Chinese falls back to English)."""

    key: str
    en: str
    zh: str = ""

    def name(self, lang: str) -> str:
        return i18n.localised(self.zh, self.en) if lang == "zh" else self.en


@dataclass(frozen=True)
class FilterChoice:
    """One filter in force: its dimension, the chosen values, and how many the dimension offers."""

    dimension: Named
    values: tuple[Named, ...]
    total: int

    def text(self, lang: str, full: bool = False) -> str:
        """One value by its name; several as "Specialty: 3 of 11 (Cardiology, …)"; ``full`` lists all."""
        _ = i18n.text(lang)
        names = [v.name(lang) for v in self.values]
        if len(names) == 1 and not full:
            return names[0]
        if full:
            return _.join(names)
        listed = _.join(names[:NAMED_VALUES])
        if len(names) > NAMED_VALUES:
            listed = _("{names} and {n} more", names=listed, n=len(names) - NAMED_VALUES)
        return _(
            "{dimension}: {n} of {total} ({names})",
            dimension=self.dimension.name(lang),
            n=len(names),
            total=self.total or len(names),
            names=listed,
        )


def named(frame: pd.DataFrame, key: str = "market_id", base: str = "name") -> tuple[Named, ...]:
    """Each row of ``frame`` as a :class:`Named`: its ``key`` with ``<base>_en`` / ``<base>_zh``."""
    zh = frame[f"{base}_zh"] if f"{base}_zh" in frame else [""] * len(frame)
    return tuple(
        Named(str(k), str(en), z if isinstance(z, str) else "") for k, en, z in zip(frame[key], frame[f"{base}_en"], zh)
    )


def filter_choices(
    filters: Mapping[str, Sequence[str]],
    options: Mapping[str, pd.DataFrame],
    dimensions: Mapping[str, object],
) -> tuple[FilterChoice, ...]:
    """The filters in force by name: ``options`` are each dimension's segments (``segment``,
    ``label_en``, ``label_zh``), ``dimensions`` the configured dimension labels (``en``, ``zh``)."""
    out = []
    for dim, chosen in filters.items():
        if not chosen:
            continue
        frame = options.get(dim)
        names: dict[str, Named] = {}
        if frame is not None:
            zh = frame["label_zh"] if "label_zh" in frame else [""] * len(frame)
            names = {
                s: Named(s, en, z if isinstance(z, str) else "")
                for s, en, z in zip(frame["segment"], frame["label_en"], zh)
            }
        label = dimensions.get(dim)
        dimension = Named(dim, getattr(label, "en", dim), getattr(label, "zh", "") or "")
        out.append(FilterChoice(dimension, tuple(names.get(v, Named(v, v)) for v in chosen), len(names)))
    return tuple(out)


@dataclass(frozen=True)
class View:
    """What a page shows, and the link that reopens it.

    ``page`` is the page's URL path ("" for the Overview, "explorer"…); ``params`` every URL
    parameter in force, language included; ``choices`` other settings a reader should know
    (e.g. the publishers' band), as (label, value) in both languages.
    """

    page: str = ""
    params: tuple[tuple[str, str], ...] = ()
    markets: tuple[Named, ...] = ()
    filters: tuple[FilterChoice, ...] = ()
    breakdown: Named | None = None
    year: int | None = None
    scale: str | None = None
    choices: tuple[tuple[Named, Named], ...] = ()

    @property
    def lang(self) -> str:
        return i18n.normalise_language(dict(self.params).get("lang"))

    def filters_text(self, lang: str) -> str:
        """The filters by their values' names: "Asia-Pacific · Hospitals"; "" without filters."""
        return " · ".join(f.text(lang) for f in self.filters)

    def filters_or_none(self, lang: str) -> str:
        """The filters' names, or "no filters"."""
        _ = i18n.text(lang)
        return self.filters_text(lang) or _("no filters")

    def scale_text(self, lang: str) -> str:
        _ = i18n.text(lang)
        return _(SCALE_WORDS[self.scale]) if self.scale in SCALE_WORDS else ""

    def summary(self, lang: str) -> str:
        """The whole view on one line: markets · filters · breakdown · year · scale."""
        _ = i18n.text(lang)
        parts = [_.join([m.name(lang) for m in self.markets])] if self.markets else []
        parts.append(self.filters_or_none(lang))
        if self.breakdown is not None:
            parts.append(_("by {dimension}", dimension=self.breakdown.name(lang).lower()))
        if self.year is not None:
            parts.append(str(self.year))
        if self.scale_text(lang):
            parts.append(self.scale_text(lang))
        parts += [f"{label.name(lang)}: {value.name(lang)}" for label, value in self.choices]
        return " · ".join(p for p in parts if p)

    def rows(self, lang: str, base_url: str = "") -> list[tuple[str, str]]:
        """The view as (what, value) rows, every filter value named: the workbook's View sheet, speaker notes."""
        _ = i18n.text(lang)
        rows: list[tuple[str, str]] = []
        if self.markets:
            rows.append(
                (_("Markets") if len(self.markets) > 1 else _("Market"), _.join(m.name(lang) for m in self.markets))
            )
        if self.filters:
            rows += [(f.dimension.name(lang), f.text(lang, full=True)) for f in self.filters]
        else:
            rows.append((_("Filters"), _("none (the whole market)")))
        if self.breakdown is not None:
            rows.append((_("Break down by"), self.breakdown.name(lang)))
        if self.year is not None:
            rows.append((_("Year"), str(self.year)))
        if self.scale_text(lang):
            rows.append((_("Scale"), self.scale_text(lang)))
        rows += [(label.name(lang), value.name(lang)) for label, value in self.choices]
        rows.append((_("Display language"), LANGUAGE_NAMES.get(self.lang, self.lang)))
        if base_url:
            rows.append((_("Link to this view"), self.url(base_url)))
        return rows

    def url(self, base_url: str) -> str:
        """The link that reopens this view: ``base_url`` (the app's root) + page + every parameter."""
        base = base_url.rstrip("/")
        query = urlencode(list(self.params), safe=",")
        return f"{base}/{self.page}" + (f"?{query}" if query else "")


def app_root(page_url: str | None, page: str) -> str:
    """The app's root URL from the URL a page was opened on (its page path and query removed)."""
    if not page_url:
        return ""
    parts = urlsplit(page_url)
    path = parts.path.rstrip("/")
    if page and path.endswith("/" + page):
        path = path[: -len(page) - 1]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
