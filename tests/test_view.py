"""The view, named: every filter by its values' names in both languages, its rows and its link."""

from __future__ import annotations

import itertools
from urllib.parse import parse_qs, urlsplit

import pytest

from marketintel import queries
from marketintel.settings import settings
from marketintel.view import FilterChoice, Named, View, app_root, filter_choices

DIMS = ("region", "component")


@pytest.fixture(scope="module")
def options(fx):
    return {d: queries.segment_options(fx, "alpha", d) for d in DIMS}


def view_of(options, filters, **fields) -> View:
    return View(
        page="explorer",
        params=(("market", "alpha"), *((d, ",".join(v)) for d, v in filters.items()), ("lang", "en")),
        markets=(Named("alpha", "Alpha market", "阿尔法市场"),),
        filters=filter_choices(filters, options, settings().dimensions),
        **fields,
    )


@pytest.mark.parametrize(
    "filters, lang, expected",
    [
        ({}, "en", ""),
        ({"region": ["emea"]}, "en", "EMEA"),
        ({"region": ["emea"]}, "zh", "EMEA"),  # no Chinese label in the data: its English
        ({"region": ["us"], "component": ["software"]}, "en", "United States · Software"),
        ({"region": ["us"], "component": ["software"]}, "zh", "美国 · 软件"),
        ({"component": ["hardware", "software"]}, "en", "Component: 2 of 2 (Hardware, Software)"),
        (
            {"region": ["americas", "us", "rest_americas", "emea"]},
            "en",
            "Region: 4 of 4 (Americas, United States, Rest of Americas and 1 more)",
        ),
        ({"component": ["hardware", "software"]}, "zh", "组件：2项中的2项（硬件、软件）"),
    ],
)
def test_the_view_is_named_by_its_values(options, filters, lang, expected):
    assert view_of(options, filters).filters_text(lang) == expected


def _every_combination(options):
    """Every filter combination of the fixture market: no value, one value or two of each dimension."""
    per_dim = []
    for d in DIMS:
        segs = list(options[d]["segment"])
        per_dim.append([()] + [(s,) for s in segs] + list(itertools.combinations(segs, 2)))
    for combo in itertools.product(*per_dim):
        yield {d: list(v) for d, v in zip(DIMS, combo) if v}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_filter_combination_names_each_value_in_the_readers_language(options, lang):
    checked = 0
    for filters in _every_combination(options):
        view = view_of(options, filters, year=2030)
        text, rows = view.summary(lang), dict(view.rows(lang, "http://host:8501"))
        for d, values in filters.items():
            frame = options[d].set_index("segment")
            for v in values:
                en, zh = frame.loc[v, "label_en"], frame.loc[v, "label_zh"]
                name = zh if lang == "zh" and isinstance(zh, str) and zh else en
                # The one-line text names up to three values; the rows name every one.
                assert name in text or "more" in text or "项" in text, (filters, text)
                assert name in rows[getattr(settings().dimensions[d], lang)], (filters, rows)
        assert "selected" not in text and "已选" not in text
        if not filters:
            assert text == ("Alpha market · no filters · 2030" if lang == "en" else "阿尔法市场 · 无筛选 · 2030")
        checked += 1
    assert checked == (1 + 4 + 6) * (1 + 2 + 1)  # the fixture's four regions and two components


def test_the_link_reopens_the_view_with_every_parameter(options):
    view = view_of(options, {"region": ["us", "emea"], "component": ["software"]})
    url = view.url("https://dash.example.com/intel/")
    parts = urlsplit(url)
    assert parts.path == "/intel/explorer"
    assert parse_qs(parts.query) == {
        "market": ["alpha"],
        "region": ["us,emea"],
        "component": ["software"],
        "lang": ["en"],
    }
    assert dict(view.rows("en", "https://dash.example.com/intel"))["Link to this view"] == url.replace(
        "intel//", "intel/"
    )


@pytest.mark.parametrize(
    "page_url, page, root",
    [
        ("http://localhost:8501/explorer", "explorer", "http://localhost:8501"),
        ("http://localhost:8501/", "", "http://localhost:8501"),
        ("https://x.org/base/compare/", "compare", "https://x.org/base"),
        (None, "explorer", ""),
    ],
)
def test_the_apps_root_comes_from_the_address_the_browser_used(page_url, page, root):
    assert app_root(page_url, page) == root


def test_a_long_filter_lists_every_value_in_the_rows_but_three_in_the_line():
    many = FilterChoice(Named("specialty", "Specialty", "专科"), tuple(Named(str(i), f"S{i}") for i in range(5)), 11)
    view = View(filters=(many,))
    assert view.filters_text("en") == "Specialty: 5 of 11 (S0, S1, S2 and 2 more)"
    assert dict(view.rows("en"))["Specialty"] == "S0, S1, S2, S3, S4"
