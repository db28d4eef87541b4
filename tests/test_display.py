"""The display layer: language fallback, indented labels, money in the reader's unit, headline table."""

from __future__ import annotations

import pandas as pd
import pytest

from marketintel import display, queries


@pytest.mark.parametrize("zh, expected", [("欧洲", "欧洲"), ("", "Europe"), (None, "Europe"), ("  ", "Europe")])
def test_chinese_falls_back_to_english(zh, expected):
    frame = pd.DataFrame({"label_en": ["Europe"], "label_zh": [zh]})
    assert display.text_column(frame, "label", "zh").tolist() == [expected]
    assert display.text_column(frame, "label", "en").tolist() == ["Europe"]


def test_options_are_indented_by_depth(fx):
    options = queries.segment_options(fx, "alpha", "region")
    assert display.indented(options, "label", "en").tolist() == [
        "Americas",
        "— United States",
        "— Rest of Americas",
        "EMEA",
    ]
    assert display.indented(options, "label", "zh").tolist()[-1] == "EMEA"  # no Chinese: English


def test_untagged_insights_concern_all_regions(fx):
    found = queries.insights(fx, "alpha")
    labels = {r["insight_id"]: display.region_labels(r, "en") for r in found.to_dict("records")}
    assert labels == {"alpha-general": "All regions", "alpha-emea": "EMEA"}
    assert display.region_labels(found.iloc[0], "zh") == "所有地区"


def test_money_in_chinese_is_in_yi_usd_and_rounded():
    frame = pd.DataFrame({"value": [145.08], "share_pct": [12.5]})
    out = display.money_in_language(frame, "zh")
    assert out["value"].tolist() == [1450.8] and out["share_pct"].tolist() == [12.5]
    assert display.money_in_language(frame, "en") is frame


def test_headline_table_pivots_reported_years(fx):
    table = display.headline_table(queries.headline_figures(fx), queries.market_list(fx), "en")
    assert list(table.index) == ["Alpha Health", "Beta Care"] and table.index.name == "Market"
    assert table.loc["Alpha Health", "2026 (USD bn, reported)"] == 12
    assert pd.isna(table.loc["Beta Care", "2026 (USD bn, reported)"])
    zh = display.headline_table(queries.headline_figures(fx), queries.market_list(fx), "zh")
    assert zh.loc["贝塔护理", "2030年（亿美元，报告值）"] == 2000


def test_share_table_for_the_screen(fx):
    table = display.share_table(queries.segment_share_table(fx, "alpha", "region", level=None), "zh")
    assert table["segment_label"].tolist()[1] == "\u2003美国"
    assert table["rationale"].tolist()[0] == "假设：美洲最大"  # 2030's rationale, the last year's
    assert table["value_first"].tolist()[0] == pytest.approx(70.0)


def test_localised_headers_in_chinese():
    out = display.localise_table(pd.DataFrame({"year": [2025], "value": [1.0]}), "zh")
    assert list(out.columns) == ["年份", "数值（亿美元）"]


def test_every_money_column_of_the_consensus_is_in_the_readers_unit(fx):
    consensus = queries.source_consensus(fx, "alpha")
    zh = display.money_in_language(consensus, "zh")
    for column in ("low", "median", "high"):
        assert zh[column].tolist() == pytest.approx((consensus[column] * 10).tolist()), column


def test_the_slice_headline_answers_value_share_growth_and_basis(fx):
    filters = {"region": ["us"]}
    summary = queries.slice_summary(fx, "alpha", filters)
    rationales = queries.slice_rationales(fx, "alpha", filters, 2030)
    h = display.slice_headline(summary, rationales, 2030, "United States", {"region": "Region"}, "en")
    # US is 40% of alpha in 2030 (fixture shares.csv), of USD 20 bn.
    assert h.value == "USD 8.00 bn" and h.share == "40.0%" and h.estimate
    assert h.label == "United States, 2030 · estimate"
    assert h.market == "The whole market: USD 20.00 bn in 2030"
    assert h.provenance.startswith("Estimate: our segment shares")
    assert h.rationales == ("United States (Region, 40.0% in 2030): Assumption: US most of the Americas",)
    zh = display.slice_headline(summary, rationales, 2030, "美国", {"region": "地区"}, "zh")
    assert zh.value == "80.0亿美元" and zh.rationales[0].startswith("美国（地区，2030年占40.0%）")


def test_the_unfiltered_headline_is_the_reported_market(fx):
    h = display.slice_headline(
        queries.slice_summary(fx, "alpha", {}), queries.slice_rationales(fx, "alpha", {}), 2030, "", {}, "en"
    )
    assert h.value == "USD 20.00 bn" and h.share == "100.0%" and not h.estimate and h.rationales == ()
    assert h.label == "Whole market, 2030 · reported"
