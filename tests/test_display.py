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
