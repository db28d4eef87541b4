"""English and Chinese: the catalogue is complete, data is bilingual, numbers read as each reader expects."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from openpyxl import load_workbook
from pptx import Presentation

from marketintel import charts, db, export, i18n, queries, render_plotly
from marketintel.render_pptx import DeckSlide, build_deck
from marketintel.settings import settings as load_settings
from tests.data_helpers import SEEDS

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path, _ = db.build_database(DATA, tmp_path_factory.mktemp("i18n") / "markets.duckdb")
    connection = db.connect_read_only(path)
    yield connection
    connection.close()


# -- the catalogue --------------------------------------------------------------------------


def test_every_ui_message_has_a_chinese_translation():
    missing = i18n.untranslated(ROOT)
    assert not missing, f"{len(missing)} message(s) without Chinese; run python -m marketintel i18n update: {missing}"


def test_the_check_finds_a_message_missing_from_the_catalogue(tmp_path):
    """The completeness check can fail: a new message in the code is reported."""
    (tmp_path / "pages").mkdir()
    (tmp_path / "app.py").write_text('_ = object()\n_("A message nobody has translated yet")\n', encoding="utf-8")
    (tmp_path / "marketintel").mkdir()
    assert "A message nobody has translated yet" in i18n.untranslated(tmp_path)


def test_no_message_is_marked_inside_an_f_string():
    """Babel's extractor does not look inside f-strings, so a _("...") there never reaches the
    catalogue and shows in English whatever the language (the completeness check can't see it)."""
    import tokenize

    found = []
    for entry in i18n.SOURCE_DIRS:
        path = ROOT / entry
        for source in [path] if path.is_file() else sorted(path.rglob("*.py")):
            with source.open("rb") as fh:
                for tok in tokenize.tokenize(fh.readline):
                    prefix = re.match(r"[A-Za-z]*", tok.string).group(0).lower() if tok.type == tokenize.STRING else ""
                    if "f" in prefix and re.search(r"\b_\(|\bN_\(", tok.string):
                        found.append(f"{source.relative_to(ROOT)}:{tok.start[0]}")
    assert not found, f"_() inside an f-string (move the call out): {found}"


def test_translations_keep_every_placeholder_and_contain_chinese():
    with i18n.catalogue_path("zh").open("rb") as fh:
        catalog = read_po(fh)
    placeholders = lambda s: sorted(re.findall(r"\{[^{}]*\}", s))  # noqa: E731
    for m in catalog:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for s in strings:
            assert placeholders(s) == placeholders(ids[0]), (m.id, s)
        letters = re.sub(r"\{[^{}]*\}|[^A-Za-z]", "", ids[0])
        if len(letters) > 4 and not re.fullmatch(r"(PNG|SVG|CSV|CAGR|USD|IoMT|Excel)+", letters):
            assert all(CJK.search(s) for s in strings), f"{m.id!r} is not translated into Chinese: {strings}"


def test_config_display_strings_are_messages_but_config_keys_are_not():
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in i18n.extract_messages(ROOT)}
    assert load_settings().overlap_note in ids and "Market size (USD bn)" in ids
    # A config key inside _(...) would be extracted as a bogus message; _.dynamic avoids that.
    assert not ids & {"overlap_note", "money_axis", "title", "label", "deck_title", "cagr_axis"}


def test_switching_language_translates_and_english_is_unchanged():
    assert i18n.text("en")("Export this chart") == "Export this chart"
    assert i18n.text("zh")("Export this chart") == "导出此图表"
    assert i18n.text("zh")("{year} size ({unit})", year=2032, unit="亿美元") == "2032年规模（亿美元）"
    assert i18n.normalise_language("fr") == "en" and i18n.normalise_language("zh") == "zh"


# -- bilingual data ---------------------------------------------------------------------------


def test_every_data_label_has_both_languages(con):
    checks = {
        "markets": ["name_en", "name_zh"],
        "segments": ["label_en", "label_zh"],
        "dimensions": ["label_en", "label_zh"],
        "concepts": ["label_en", "label_zh"],
        "insights": ["title_en", "title_zh", "text_en", "text_zh"],
        "claims": ["text_en", "text_zh"],
        "sources": ["title_en", "title_zh"],
        "events": ["label_en", "label_zh"],
    }
    for table, columns in checks.items():
        df = (
            queries.table(con, table)
            if table in queries.DOWNLOADABLE_TABLES
            else con.execute(f"SELECT * FROM {table}").df()
        )  # table names are the constants above
        assert len(df), table
        for col in columns:
            blank = df[df[col].isna() | (df[col].astype(str).str.strip() == "")]
            assert blank.empty, f"{table}.{col} is empty in {len(blank)} row(s)"
        for col in [c for c in columns if c.endswith("_zh")]:
            # Technical names (4G, Wi-Fi, Zigbee) are written the same in Chinese; nothing else may be.
            same = df[col] == df[col.replace("_zh", "_en")]
            untranslated = df[~df[col].map(lambda v: bool(CJK.search(v))) & ~(same & (df[col].str.len() <= 8))]
            assert untranslated.empty, f"{table}.{col} has text with no Chinese: {untranslated[col].tolist()}"
    for key, label in load_settings().dimensions.items():
        assert label.en and CJK.search(label.zh), key


def test_every_share_rationale_has_chinese_written_for_it():
    for path in sorted(DATA.glob("markets/*/shares.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert rows and "rationale_zh" in rows[0], path
        for i, row in enumerate(rows, start=2):
            assert CJK.search(row["rationale_zh"] or ""), f"{path.relative_to(ROOT)} line {i}: no Chinese rationale"


# -- numbers -----------------------------------------------------------------------------------


def test_money_reads_as_each_reader_expects():
    assert i18n.text("en").money(6.59) == "USD 6.59 bn"
    assert i18n.text("zh").money(6.59) == "65.9亿美元"
    assert i18n.text("zh").money(145.08) == "1,450.8亿美元"


def test_chinese_figures_match_the_chinese_documents_own_wording(con):
    """Each reported figure, formatted for Chinese, is written the same way in the Chinese source."""
    if SEEDS is None:
        pytest.skip("source documents not found")
    zh = i18n.text("zh")
    heads = queries.headline_figures(con)
    sources = queries.sources(con).set_index(["market_id", "source_id"])
    checked = 0
    for row in heads.itertuples():
        document = sources.loc[(row.market_id, row.source_id), "document"]
        text = (SEEDS / document).read_text(encoding="utf-8")
        if not CJK.search(text[:2000]):
            continue
        formatted = zh.money(row.value)  # 1,450.8亿美元
        number = formatted.removesuffix("亿美元")
        assert re.search(re.escape(number) + r"\s*[亿億]美元", text) or re.search(
            re.escape(number.replace(",", "")) + r"\s*[亿億]美元", text
        ), (row.market_id, row.year, formatted)
        checked += 1
    assert checked == 12


# -- charts and exports ------------------------------------------------------------------------


def _figure_texts(fig) -> str:
    spec = fig.to_plotly_json()
    layout = spec["layout"]
    parts = [str(layout.get("title", {}).get("text", ""))]
    parts += [str(a.get("text", "")) for a in layout.get("annotations", [])]
    for axis in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
        parts.append(str((layout[axis].get("title") or {}).get("text", "")))
    parts += [str(t.get("name", "")) + str(t.get("hovertemplate", "")) for t in spec["data"]]
    return "\n".join(parts)


def test_chinese_chart_is_in_chinese_and_in_yi_usd(con):
    series = queries.market_series(con, ["telemedicine"])
    en = render_plotly.figure(charts.growth_chart(series, "linear", "Telemedicine", lang="en"))
    zh = render_plotly.figure(charts.growth_chart(series, "linear", "远程医疗", lang="zh"))
    assert list(zh.data[0].y) == pytest.approx([v * 10 for v in en.data[0].y])
    text = _figure_texts(zh)
    assert "远程医疗" in zh.data[0].name and "亿美元" in text and "来源" in text and "年份" in text
    for english in ("Source:", "Market size", "reported figure", "Year", "USD"):
        assert english not in text, english
    assert "USD" in _figure_texts(en) and "亿" not in _figure_texts(en)


def test_chinese_segment_chart_marks_estimates_in_chinese(con):
    breakdown = queries.segment_breakdown(con, "telemedicine", "component")
    fig = render_plotly.figure(charts.segment_area_chart(breakdown, "远程医疗", None, "2011682", lang="zh"))
    assert {t.name for t in fig.data} == {"硬件（估计）", "服务（估计）", "软件（估计）"}
    assert "细分拆分为估计值" in fig.layout.meta["source_note"]


def test_chinese_workbook_and_csv_have_chinese_sheets_headers_and_units(con):
    series = queries.market_series(con, ["iomt"])
    book = load_workbook(io.BytesIO(export.workbook_bytes({"市场规模": series}, queries.sources(con), "zh")))
    assert book.sheetnames == ["市场规模", "来源"]
    header = [c.value for c in book["市场规模"][1]]
    assert "数值（亿美元）" in header and "年份" in header and "value" not in header
    col = header.index("数值（亿美元）") + 1
    assert book["市场规模"].cell(2, col).value == pytest.approx(series["value"].iloc[0] * 10)
    assert "数值（亿美元）" in export.csv_bytes(series, "zh").decode("utf-8-sig").splitlines()[0]
    english = load_workbook(io.BytesIO(export.workbook_bytes({"Market size": series}, None, "en")))
    assert [c.value for c in english["Market size"][1]][:2] == list(series.columns[:2])


def test_chinese_deck_names_a_cjk_font_and_keeps_the_chinese_text(con):
    breakdown = queries.segment_breakdown(con, "telemedicine", "component")
    fig = charts.segment_area_chart(breakdown, "远程医疗（按组件）", "筛选：无", "2011682", lang="zh")
    deck = Presentation(io.BytesIO(build_deck([DeckSlide.from_chart(fig)], lang="zh")))
    cover, slide = deck.slides[0], deck.slides[1]
    cover_text = " ".join(s.text_frame.text for s in cover.shapes if s.has_text_frame)
    assert "医疗科技市场" in cover_text and "市场情报" in cover_text
    texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
    assert "远程医疗（按组件）" in texts and any("细分拆分为估计值" in t for t in texts)
    font = load_settings().export.pptx_font_east_asian
    xml = slide.shapes[0]._element.xml
    assert f'typeface="{font}"' in xml
    chart = next(s.chart for s in slide.shapes if s.has_chart)
    assert {s.name for s in chart.plots[0].series} == {"硬件（估计）", "服务（估计）", "软件（估计）"}
    assert list(chart.plots[0].series[0].values) == pytest.approx(list(render_plotly.figure(fig).data[0].y))


def test_deck_is_in_english_by_default(con):
    fig = charts.growth_chart(queries.market_series(con, ["iomt"]), "linear", "IoMT")
    deck = Presentation(io.BytesIO(build_deck([DeckSlide.from_chart(fig)])))
    cover_text = " ".join(s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame)
    assert "Market intelligence" in cover_text and not CJK.search(cover_text)


# -- pages in Chinese (AppTest) ---------------------------------------------------------------


def _english_messages() -> list[str]:
    """English literal fragments of every UI message long enough to be unmistakable on a page."""
    with i18n.catalogue_path("zh").open("rb") as fh:
        same = {m.id for m in read_po(fh) if isinstance(m.id, str) and m.string == m.id}
    fragments = []
    for m in i18n.extract_messages(ROOT):
        mid = m.id if isinstance(m.id, str) else m.id[0]
        if not mid or mid in same:
            continue
        for part in re.split(r"\{[^{}]*\}", mid):
            words = re.findall(r"[A-Za-z]{2,}", part)
            if len(words) >= 3:
                fragments.append(part.strip())
    return fragments


def _page_text(at) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(el.value) for el in at.get(kind)]
    for kind in ("selectbox", "multiselect", "button_group", "button", "radio", "download_button"):
        parts += [str(getattr(el, "label", "")) for el in at.get(kind)]
    for el in at.get("plotly_chart"):
        parts.append(_figure_texts_from_spec(json.loads(el.proto.spec)))
    return "\n".join(parts)


def _figure_texts_from_spec(spec: dict) -> str:
    layout = spec.get("layout", {})
    parts = [str((layout.get("title") or {}).get("text", ""))]
    parts += [str(a.get("text", "")) for a in layout.get("annotations", [])]
    parts += [
        str(((layout.get(k) or {}).get("title") or {}).get("text", ""))
        for k in layout
        if k.startswith(("xaxis", "yaxis"))
    ]
    parts += [str(t.get("name", "")) for t in spec.get("data", [])]
    return "\n".join(parts)


@pytest.mark.parametrize(
    "page,params",
    [
        ("overview", {}),
        ("explorer", {"market": "telemedicine", "region": "asia_pacific"}),
        ("compare", {"markets": "connected-healthcare,telemedicine"}),
        ("data", {}),
    ],
)
def test_each_page_in_chinese_leaves_no_english_ui_text(page, params):
    from tests.test_pages_apptest import run_page

    at = run_page(page, lang="zh", **params)
    text = _page_text(at)
    assert len(CJK.findall(text)) > 100, text[:500]
    leaked = sorted({f for f in _english_messages() if f in text})
    assert not leaked, f"English UI text left on the Chinese {page} page: {leaked}"
    assert at.query_params["lang"] == ["zh"] or at.query_params["lang"] == "zh"


def test_chinese_explorer_shows_chinese_insights_and_figures_in_yi_usd():
    from tests.test_pages_apptest import figures, run_page

    at = run_page("explorer", lang="zh", market="iomt", region="asia_pacific", tab="insights")
    text = _page_text(at)
    assert "医疗物联网" in text and "亿美元" in text

    def growth_traces(page):
        # The market's own curve and, behind it, the publishers' band and median: every trace is 10x in Chinese.
        fig = next(f for f in figures(page) if any(t.get("mode") == "lines+markers" for t in f["data"]))
        return fig["data"]

    growth = growth_traces(at)
    en = growth_traces(run_page("explorer", market="iomt", region="asia_pacific", tab="insights"))
    assert len(growth) == len(en) >= 1
    for zh_trace, en_trace in zip(growth, en):
        assert _plotted(zh_trace["y"]) == pytest.approx([v * 10 for v in _plotted(en_trace["y"])])


def _plotted(values) -> list[float]:
    if isinstance(values, dict) and "bdata" in values:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"])).tolist()
    return list(values)


def test_language_switch_in_the_sidebar_sets_the_url_and_translates():
    from tests.test_pages_apptest import run_page

    at = run_page("overview")
    assert not CJK.search(at.title[0].value)
    switch = next(el for el in at.get("button_group") if "语言" in str(el.proto.label))
    switch.set_value("zh").run()
    assert not at.exception
    assert "zh" in str(at.query_params["lang"])
    assert CJK.search(at.title[0].value)


def test_unknown_language_in_the_link_falls_back_to_english():
    from tests.test_pages_apptest import run_page

    at = run_page("overview", lang="xx<script>")
    assert not CJK.search(at.title[0].value)
    assert any("xx" in str(w.value) for w in at.warning)


def test_chinese_category_labels_reach_the_deck_unbroken(con):
    """wrap_label breaks long Chinese names for the screen; the slide's categories are whole again."""
    fig = charts.growth_bars(queries.growth_summary(con), "增长对比", lang="zh")
    deck = Presentation(io.BytesIO(build_deck([DeckSlide.from_chart(fig)], lang="zh")))
    chart = next(s.chart for s in deck.slides[1].shapes if s.has_chart)
    assert "医疗保健领域的元宇宙" in list(chart.plots[0].categories)
