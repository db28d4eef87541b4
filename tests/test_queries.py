"""The named queries over the real data, and a fifth market added through data files alone."""

from __future__ import annotations

import shutil
import textwrap

import numpy as np
import pandas as pd
import pytest
from data_helpers import DATA, MARKETS

from marketintel import queries
from marketintel.db import build_database, connect_read_only
from marketintel.validate import validate_data_dir


def _shares(con, market, dimension, segment):
    """Per year, the estimated share (%) of one segment."""
    rows = con.execute(
        """SELECT year, share_pct FROM segment_shares
                          WHERE market_id = ? AND dimension = ? AND segment = ?""",
        [market, dimension, segment],
    ).fetchall()
    return dict(rows)


# -- filters change the breakdown ------------------------------------------------------------------


def test_region_filter_on_connected_healthcare_uses_the_cross_tab(con):
    plain = queries.segment_breakdown(con, "connected-healthcare", "component")
    apac = queries.segment_breakdown(con, "connected-healthcare", "component", {"region": ["asia_pacific"]})
    assert set(plain["basis"]) == {"estimate"}
    assert set(apac["basis"]) == {"cross-tab"}
    assert list(apac["segment"].unique()) == ["hardware", "services", "software"]
    region = _shares(con, "connected-healthcare", "region", "asia_pacific")
    marginal_product = apac["share_pct"] * apac["year"].map(region) / 100
    assert not np.allclose(apac["filtered_share_pct"], marginal_product), "cross-tab ignored"
    cells = dict(
        con.execute("""SELECT segment_b || '/' || year, share_pct FROM crosstab_shares
                                WHERE market_id = 'connected-healthcare' AND segment_a = 'asia_pacific'""").fetchall()
    )
    for seg, year, share in zip(apac["segment"], apac["year"], apac["filtered_share_pct"]):
        assert share == pytest.approx(cells[f"{seg}/{year}"])
    # the filtered parts add up to the region's share of the market
    by_year = apac.groupby("year")["filtered_share_pct"].sum()
    for year, total in by_year.items():
        assert total == pytest.approx(region[year])
    assert np.allclose(apac["value"], apac["filtered_share_pct"] / 100 * apac["market_value"])


def test_region_filter_on_telemedicine_assumes_independence(con):
    apac = queries.segment_breakdown(con, "telemedicine", "component", {"region": ["asia_pacific"]})
    assert set(apac["basis"]) == {"independence"}
    region = _shares(con, "telemedicine", "region", "asia_pacific")
    expected = apac["share_pct"] * apac["year"].map(region) / 100
    assert np.allclose(apac["filtered_share_pct"], expected)
    plain = queries.segment_breakdown(con, "telemedicine", "component")
    assert not np.allclose(apac["value"], plain["value"])


def test_filter_on_the_dimension_itself_keeps_those_segments(con):
    df = queries.segment_breakdown(con, "connected-healthcare", "component", {"component": ["software"]}, level=None)
    assert set(df["segment"]) == {"software", "analytics", "platform"}


def test_filter_with_unknown_keys_is_ignored(con):
    plain = queries.segment_breakdown(con, "iomt", "component")
    odd = queries.segment_breakdown(con, "iomt", "component", {"region": ["mars"], "specialty": ["cardiology"]})
    assert np.allclose(plain["filtered_share_pct"], odd["filtered_share_pct"])


def test_basis_names_both_methods_whatever_the_filter_order(con):
    a = queries.segment_breakdown(
        con, "connected-healthcare", "component", {"region": ["asia_pacific"], "end_user": ["hospitals"]}
    )
    b = queries.segment_breakdown(
        con, "connected-healthcare", "component", {"end_user": ["hospitals"], "region": ["asia_pacific"]}
    )
    assert np.allclose(a["value"], b["value"])
    assert "cross-tab" in a["basis"].iloc[0] and "independence" in a["basis"].iloc[0]
    assert a["basis"].iloc[0] == b["basis"].iloc[0]


# -- insights ------------------------------------------------------------------------------------


@pytest.mark.parametrize("market", MARKETS)
def test_insights_for_asia_pacific(con, market):
    df = queries.insights(con, market, filters={"region": ["asia_pacific"]})
    everything = queries.insights(con, market)
    specific = df[df["relevance"] >= 1]
    for topic in ("tariff_impact", "regional_dynamics", "competitive_landscape"):
        assert topic in set(specific["topic"]), f"{market}: no {topic} insight for Asia-Pacific"
    for regions in specific["regions"]:
        assert "asia_pacific" in list(regions)
    untagged = everything[[len(r) == 0 for r in everything["regions"]]]
    assert set(untagged["insight_id"]) <= set(df["insight_id"]), "general insights should stay"
    elsewhere = everything[[len(r) > 0 and "asia_pacific" not in list(r) for r in everything["regions"]]]
    assert elsewhere.empty or not set(elsewhere["insight_id"]) & set(df["insight_id"])
    assert list(df["relevance"]) == sorted(df["relevance"], reverse=True)


def test_insights_exclude_other_regions_by_name(con):
    ids = set(queries.insights(con, "iomt", filters={"region": ["asia_pacific"]})["insight_id"])
    assert "iomt-tariffs-apac-manufacturing" in ids
    assert not {"iomt-tariffs-us-components", "iomt-americas-regional", "iomt-emea-regional"} & ids
    tm = set(queries.insights(con, "telemedicine", filters={"region": ["asia_pacific"]})["insight_id"])
    assert "telemedicine-europe-regional" not in tm


def test_insights_sub_region_filter_matches_its_own_and_parent_tags(con):
    ids = set(queries.insights(con, "telemedicine", filters={"region": ["europe"]})["insight_id"])
    assert "telemedicine-europe-regional" in ids
    assert "telemedicine-africa-regional" not in ids
    assert "telemedicine-tariffs-hardware-costs" in ids  # tagged emea, the parent of europe


def test_insights_topic_filter(con):
    df = queries.insights(con, "connected-healthcare", topics=["methodology"])
    assert list(df["topic"]) == ["methodology"]


# -- concepts ------------------------------------------------------------------------------------


def test_remote_patient_monitoring_spans_three_markets(con):
    df = queries.concept_comparison(con, list(MARKETS), ["remote_patient_monitoring"])
    assert set(df["market_id"]) == {"connected-healthcare", "telemedicine", "iomt"}
    assert set(df["provenance"]) == {"estimate"}
    assert (df.groupby("market_id")["year"].nunique() == 8).all()


def test_hospitals_spans_all_four_markets(con):
    df = queries.concept_comparison(con, list(MARKETS), ["hospitals"])
    assert set(df["market_id"]) == set(MARKETS)
    mv = df[(df["market_id"] == "metaverse-healthcare") & (df["year"] == 2025)].iloc[0]
    assert mv["segments_en"] == "Hospitals & clinics" and "clinics" in mv["note_en"]


def test_concept_value_is_share_times_size(con):
    df = queries.concept_comparison(con, list(MARKETS), ["hardware"])
    size = queries.market_series(con).set_index(["market_id", "year"])["value"]
    for mid, year, share, value in zip(df["market_id"], df["year"], df["share_pct"], df["value"]):
        assert value == pytest.approx(share / 100 * size[(mid, year)])
    iomt_2025 = df[(df["market_id"] == "iomt") & (df["year"] == 2025)].iloc[0]
    assert iomt_2025["share_pct"] == pytest.approx(50.0)  # connectivity modules 20 + sensors 30


def test_comparable_concepts(con):
    df = queries.comparable_concepts(con, list(MARKETS))
    assert {"hospitals", "remote_patient_monitoring", "software", "asia_pacific"} <= set(df["concept"])


# -- parameters, never SQL text ----------------------------------------------------------------

INJECTION = "x' OR 1=1 --"


@pytest.mark.parametrize(
    "call",
    [
        lambda con: queries.segment_breakdown(con, INJECTION, "component"),
        lambda con: queries.segment_breakdown(con, "iomt", INJECTION),
        lambda con: queries.insights(con, INJECTION),
        lambda con: queries.insights(con, "iomt", topics=[INJECTION]),
        lambda con: queries.sources(con, INJECTION),
        lambda con: queries.source_series(con, INJECTION),
        lambda con: queries.source_consensus(con, INJECTION),
        lambda con: queries.source_findings(con, INJECTION),
        lambda con: queries.claims(con, INJECTION),
        lambda con: queries.market_dimensions(con, INJECTION),
        lambda con: queries.segment_options(con, INJECTION, "component"),
        lambda con: queries.headline_figures(con, [INJECTION]),
        lambda con: queries.market_series(con, [INJECTION]),
        lambda con: queries.concept_comparison(con, [INJECTION]),
        lambda con: queries.source_taxonomies(con, INJECTION),
    ],
)
def test_hostile_market_id_returns_nothing(con, call):
    df = call(con)
    assert isinstance(df, pd.DataFrame) and df.empty


def test_table_refuses_names_outside_the_list(con):
    with pytest.raises(KeyError):
        queries.table(con, "markets; DROP TABLE markets")
    assert len(queries.table(con, "markets")) == 4


def test_market_dimensions_follow_config_order(con, settings):
    dims = list(queries.market_dimensions(con, "telemedicine")["dimension"])
    order = list(settings.dimensions)
    assert dims == sorted(dims, key=order.index)
    assert set(dims) == {
        "component",
        "service_type",
        "modality",
        "technology",
        "application",
        "specialty",
        "end_user",
        "region",
    }


def test_source_taxonomies_keep_the_article_apart(con):
    df = queries.source_taxonomies(con, "metaverse-healthcare")
    article = df[df["source_id"] == "art-2026-01-11"]
    assert set(article["dimension"]) == {"component", "technology", "application", "end_user", "region"}
    assert "technology" not in set(df[df["is_primary"]]["dimension"])


# -- a fifth market, through files alone ---------------------------------------------------------

FIFTH_MARKET = textwrap.dedent("""\
    id: digital-therapeutics
    name: {en: Digital Therapeutics, zh: 数字疗法}
    currency: USD
    unit: billion
    sources:
      - id: dtx-main
        primary: true
        kind: market report (test)
        title: {en: Digital Therapeutics Market 2024-2030, zh: 数字疗法市场}
        cagr: {value_pct: 16.5, start_year: 2024, end_year: 2030}
      - id: dtx-alt
        kind: press release (test)
        title: {en: Another view of digital therapeutics, zh: 另一种估计}
    dimensions:
      - key: component
        label: {en: Component, zh: 组件}
        segments:
          - {key: hardware, label: {en: Hardware, zh: 硬件}, concept: hardware}
          - key: software
            label: {en: Software, zh: 软件}
            concept: software
            children:
              - {key: apps, label: {en: Apps, zh: 应用程序}}
              - {key: platforms, label: {en: Platforms, zh: 平台}}
      - key: region
        label: {en: Region, zh: 地区}
        segments:
          - {key: americas, label: {en: Americas, zh: 美洲}, concept: americas}
          - {key: asia_pacific, label: {en: Asia-Pacific, zh: 亚太地区}, concept: asia_pacific}
    """)

FIFTH_FIGURES = """source_id,year,value,role,note
dtx-main,2023,10.0,history,test
dtx-main,2024,12.0,base year,test
dtx-main,2030,30.0,forecast year,test
dtx-alt,2024,24.0,,far above the main source
dtx-alt,2029,50.0,,
"""

FIFTH_SHARES = """source_id,dimension,segment,year,share_pct,rationale
dtx-main,component,hardware,2024,40,test assumption
dtx-main,component,software,2024,60,test assumption
dtx-main,component,apps,2024,35,test assumption
dtx-main,component,platforms,2024,25,test assumption
dtx-main,component,hardware,2030,30,test assumption
dtx-main,component,software,2030,70,test assumption
dtx-main,component,apps,2030,45,test assumption
dtx-main,component,platforms,2030,25,test assumption
dtx-main,region,americas,2024,70,test assumption
dtx-main,region,asia_pacific,2024,30,test assumption
dtx-main,region,americas,2030,60,test assumption
dtx-main,region,asia_pacific,2030,40,test assumption
"""

FIFTH_INSIGHTS = textwrap.dedent("""\
    insights:
      - id: digital-therapeutics-apac
        topic: regional_dynamics
        title: {en: Asia-Pacific gains, zh: 亚太地区增长}
        text: {en: Asia-Pacific grows from 30% to 40% of the market in this test., zh: 测试数据。}
        regions: [asia_pacific]
        segments: [component/apps]
        source: dtx-main
    """)


@pytest.fixture(scope="module")
def fifth(tmp_path_factory):
    """The real data plus the fifth market, built once for this module: (connection, catalog, data folder)."""
    tmp_path = tmp_path_factory.mktemp("fifth")
    data_copy = tmp_path / "data"
    shutil.copytree(DATA, data_copy)
    folder = data_copy / "markets" / "digital-therapeutics"
    folder.mkdir()
    (folder / "market.yaml").write_text(FIFTH_MARKET, encoding="utf-8")
    (folder / "figures.csv").write_text(FIFTH_FIGURES, encoding="utf-8")
    (folder / "shares.csv").write_text(FIFTH_SHARES, encoding="utf-8")
    (folder / "insights.yaml").write_text(FIFTH_INSIGHTS, encoding="utf-8")
    target, catalog = build_database(data_copy, tmp_path / "fifth.duckdb")
    connection = connect_read_only(target)
    yield connection, catalog, data_copy
    connection.close()


def test_fifth_market_validates_cleanly(fifth):
    _, catalog, root = fifth
    assert [str(p) for p in catalog.problems] == []
    assert [str(p) for p in validate_data_dir(root).problems] == []
    assert len(catalog.markets) == 5


def test_fifth_market_in_market_list(fifth):
    con = fifth[0]
    row = queries.market_list(con).set_index("market_id").loc["digital-therapeutics"]
    assert row["primary_source_id"] == "dtx-main"
    assert (row["cagr_pct"], row["cagr_start"], row["cagr_end"]) == (16.5, 2024, 2030)
    assert (row["first_year"], row["last_year"]) == (2023, 2030)
    assert row["color"].startswith("#")
    head = queries.headline_figures(con, ["digital-therapeutics"])
    assert dict(zip(head["year"], head["value"])) == {2023: 10.0, 2024: 12.0, 2030: 30.0}


def test_fifth_market_series(fifth):
    con = fifth[0]
    s = queries.market_series(con, ["digital-therapeutics"])
    assert list(s["year"]) == list(range(2023, 2031))
    values = dict(zip(s["year"], s["value"]))
    prov = dict(zip(s["year"], s["provenance"]))
    assert (values[2023], values[2024], values[2030]) == (10.0, 12.0, 30.0)
    assert {y for y, p in prov.items() if p == "reported"} == {2023, 2024, 2030}
    assert values[2027] == pytest.approx(12.0 * (30.0 / 12.0) ** 0.5)
    growth = queries.growth_summary(con, ["digital-therapeutics"]).iloc[0]
    assert growth["first_year"] == 2023 and growth["last_value"] == 30.0


def test_fifth_market_segment_breakdown(fifth):
    con = fifth[0]
    df = queries.segment_breakdown(con, "digital-therapeutics", "component")
    assert set(df["year"]) == set(range(2023, 2031))
    sw = df[df["segment"] == "software"].set_index("year")
    assert sw.loc[2023, "share_pct"] == 60  # held flat before the first estimate
    assert sw.loc[2027, "share_pct"] == pytest.approx(65)
    assert sw.loc[2030, "value"] == pytest.approx(21.0)
    kids = queries.segment_breakdown(con, "digital-therapeutics", "component", level=1)
    assert set(kids["segment"]) == {"apps", "platforms"}
    apac = queries.segment_breakdown(con, "digital-therapeutics", "component", {"region": ["asia_pacific"]})
    assert set(apac["basis"]) == {"independence"}
    assert apac[apac["year"] == 2030]["filtered_share_pct"].sum() == pytest.approx(40)
    assert list(queries.market_dimensions(con, "digital-therapeutics")["dimension"]) == ["component", "region"]


def test_fifth_market_sources_on_one_timeline(fifth):
    con = fifth[0]
    ss = queries.source_series(con, "digital-therapeutics")
    assert set(ss["source_id"]) == {"dtx-main", "dtx-alt"}
    alt = ss[ss["source_id"] == "dtx-alt"]
    assert list(alt["year"]) == list(range(2024, 2030))
    assert dict(zip(alt["year"], alt["provenance"]))[2029] == "reported"
    spread = queries.source_consensus(con, "digital-therapeutics").set_index("year")
    assert list(spread.index) == list(range(2023, 2031))
    assert spread.loc[2023, "n_sources"] == 1 and spread.loc[2030, "n_sources"] == 1
    for year in range(2024, 2030):
        assert spread.loc[year, "n_sources"] == 2
    assert spread.loc[2024, "high"] / spread.loc[2024, "low"] == pytest.approx(2.0)
    # Two sources: neither has two others to be compared with, so no outlier is named.
    findings = queries.source_findings(con, "digital-therapeutics")
    assert not findings["flagged"].any() and set(findings["n_others"]) == {0} and findings["ratio"].isna().all()
    srcs = queries.sources(con, "digital-therapeutics")
    assert list(srcs["source_id"]) == ["dtx-main", "dtx-alt"]


def test_fifth_market_insights_and_concepts(fifth):
    con = fifth[0]
    ins = queries.insights(con, "digital-therapeutics", filters={"region": ["asia_pacific"]})
    assert list(ins["insight_id"]) == ["digital-therapeutics-apac"] and ins.iloc[0]["relevance"] == 1
    assert queries.insights(con, "digital-therapeutics", filters={"region": ["americas"]}).empty
    hw = queries.concept_comparison(con, ["digital-therapeutics", "iomt"], ["software"])
    assert set(hw["market_id"]) == {"digital-therapeutics", "iomt"}


# -- the filtered slice -------------------------------------------------------------------------


def test_the_unfiltered_slice_is_the_market_as_reported(con):
    s = queries.slice_summary(con, "telemedicine", {}).set_index("year")
    assert s.loc[2025, "value"] == pytest.approx(122.86) and s.loc[2032, "value"] == pytest.approx(397.21)
    assert (s["share_pct"] == 100).all() and s.loc[2025, "provenance"] == "reported"


def test_the_filtered_slice_is_the_product_of_its_shares_under_independence(con):
    filters = {"region": ["asia_pacific"], "end_user": ["hospitals"]}
    s = queries.slice_summary(con, "telemedicine", filters).set_index("year")
    region = _shares(con, "telemedicine", "region", "asia_pacific")
    hospitals = _shares(con, "telemedicine", "end_user", "hospitals")
    for year in (2025, 2030, 2032):
        expected = region[year] * hospitals[year] / 100
        assert s.loc[year, "share_pct"] == pytest.approx(expected), year
        assert s.loc[year, "value"] == pytest.approx(s.loc[year, "market_value"] * expected / 100), year
    assert set(s["provenance"]) == {"estimate"} and set(s["basis"]) == {"independence"}


def test_the_slice_rationales_are_every_chosen_segments_for_the_year(con):
    r = queries.slice_rationales(con, "telemedicine", {"region": ["asia_pacific"], "end_user": ["hospitals"]}, 2030)
    assert list(zip(r["dimension"], r["segment"])) == [("region", "asia_pacific"), ("end_user", "hospitals")]
    assert set(r["year"]) == {2030} and r["rationale_en"].str.len().min() > 20


def test_share_table_follows_the_year_and_gives_shares_of_the_slice_and_of_the_market(con):
    filters = {"region": ["asia_pacific"]}
    t = queries.segment_share_table(con, "telemedicine", "component", filters, level=None, year=2030)
    assert set(t["year"]) == {2030}
    assert t.loc[t["depth"] == 0, "share_of_slice_pct"].sum() == pytest.approx(100)
    region = _shares(con, "telemedicine", "region", "asia_pacific")[2030]
    assert t.loc[t["depth"] == 0, "share_of_market_pct"].sum() == pytest.approx(region)
    # Not the first→last shares: 2030's own.
    later = queries.segment_share_table(con, "telemedicine", "component", filters, level=None, year=2032)
    assert not np.allclose(t["share_of_market_pct"], later["share_of_market_pct"])


def test_primary_findings_of_all_markets_at_once_equal_each_markets_own(con):
    """The Overview's batched findings (two queries) say what each market's own ``source_findings`` says."""
    ids = list(queries.market_list(con)["market_id"])
    batched = queries.primary_findings(con, [*ids, ids[0]])  # a repeated market is reported once
    one_by_one = pd.concat(
        [f[f["is_primary"]] for f in (queries.source_findings(con, m) for m in ids) if len(f)], ignore_index=True
    )
    missing_as_none = lambda d: d.astype(object).where(d.notna(), None)  # noqa: E731  (None or NaN, per frame)
    pd.testing.assert_frame_equal(missing_as_none(batched), missing_as_none(one_by_one))
    assert list(batched["market_id"]) == ids and batched["is_primary"].all()
    assert queries.primary_findings(con, []).empty
