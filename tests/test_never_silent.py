"""Nothing left out in silence: a market or breakdown a problem drops is named where it would have shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from marketintel.validate import validate_data_dir

REPO = Path(__file__).resolve().parent.parent


def _tab_in_telemedicine(data: Path) -> None:
    path = data / "markets" / "telemedicine" / "market.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\ncurrency: USD", "\n\tcurrency: USD", 1), "utf-8")


@pytest.mark.parametrize(
    "page, params",
    [("overview", {}), ("explorer", {"market": "telemedicine"}), ("compare", {}), ("sources", {})],
)
def test_a_left_out_market_is_named_on_every_page_that_would_show_it(data_copy, tmp_path, monkeypatch, page, params):
    _tab_in_telemedicine(data_copy)
    monkeypatch.setenv("MARKETINTEL_DATA_DIR", str(data_copy))
    monkeypatch.setenv("MARKETINTEL_DATABASE", str(tmp_path / "db.duckdb"))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    banner = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "Market 'telemedicine' is left out · markets/telemedicine/market.yaml" in banner
    assert "a tab character; YAML indents with spaces only" in banner
    assert "What to fix, on Data & sources" in [link.proto.label for link in at.get("page_link")]


def test_a_share_error_names_only_its_dimension(data_copy):
    shares = data_copy / "markets" / "metaverse-healthcare" / "shares.csv"
    lines = shares.read_text(encoding="utf-8").splitlines()
    i = next(k for k, line in enumerate(lines) if ",region," in line)
    cells = lines[i].split(",")
    cells[4] = str(float(cells[4]) + 5)
    lines[i] = ",".join(cells)
    shares.write_text("\n".join(lines) + "\n", encoding="utf-8")
    left_out = [(o.market_id, o.dimension) for o in validate_data_dir(data_copy).omissions]
    assert left_out == [("metaverse-healthcare", "region")]


def test_an_unreadable_shares_csv_names_every_breakdown_of_the_primary_source(data_copy):
    shares = data_copy / "markets" / "metaverse-healthcare" / "shares.csv"
    shares.write_bytes(shares.read_bytes().replace(b"Assumption", "Assumption \u2013".encode("cp1252"), 1))
    catalog = validate_data_dir(data_copy)
    left_out = {o.dimension for o in catalog.omissions if o.market_id == "metaverse-healthcare"}
    assert left_out == {"component", "application", "end_user", "region"}  # the article's own have no shares
    assert all("saved as Windows-1252" in o.message for o in catalog.omissions)


def test_every_file_the_app_does_not_read_is_a_warning(data_copy):
    tele = data_copy / "markets" / "telemedicine"
    (tele / "figures (1).csv").write_bytes((tele / "figures.csv").read_bytes())
    (tele / "market.yaml.bak").write_text("old", encoding="utf-8")
    (tele / "Shares.CSV").write_text("x", encoding="utf-8")
    (data_copy / "notes.docx").write_bytes(b"x")
    (data_copy / "markets" / "stray.csv").write_text("x", encoding="utf-8")
    warned = {p.file: p.message for p in validate_data_dir(data_copy).warnings}
    assert "looks like a copy of figures.csv" in warned["markets/telemedicine/figures (1).csv"]
    assert "editor's backup" in warned["markets/telemedicine/market.yaml.bak"]
    assert "rename it" in warned["markets/telemedicine/Shares.CSV"]
    assert "move it out of data/ or delete it" in warned["notes.docx"]
    assert "each market is a folder" in warned["markets/stray.csv"]
    assert "README.md" not in warned and "concepts.yaml" not in warned
