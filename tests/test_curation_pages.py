"""Data & sources as a curator and as a viewer (AppTest drives the uploader, the buttons and ``st.user``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from marketintel.history import data_tree_hash, history_for, versions

REPO = Path(__file__).resolve().parent.parent
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-secret",
    "client_id": "dashboard",
    "client_secret": "dashboard-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


@pytest.fixture
def app_data(data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("MARKETINTEL_DATA_DIR", str(data_copy))
    monkeypatch.setenv("MARKETINTEL_DATABASE", str(tmp_path / "db" / "markets.duckdb"))
    return data_copy


def data_page(user: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    if user is not None:
        at.secrets["auth"] = AUTH
        at.user = user
    at.run()
    if at.button and at.button[0].key == "sign_in":
        return at
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def new_edition(data: Path) -> list[tuple[str, bytes, str]]:
    folder = data / "markets" / "telemedicine"
    figures = (folder / "figures.csv").read_bytes().replace(b"r2011682,2032,397.21", b"r2011682,2032,410.00", 1)
    return [("market.yaml", (folder / "market.yaml").read_bytes(), "text/yaml"), ("figures.csv", figures, "text/csv")]


def texts(elements) -> str:
    return " ".join(e.value for e in elements).replace("\\", "")


def test_local_curator_uploads_a_new_edition_sees_the_difference_applies_and_rolls_back(app_data):
    before = data_tree_hash(app_data)
    at = data_page()
    assert "History of the data" in texts(at.subheader)
    at.file_uploader[0].set_value(new_edition(app_data)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "A new edition of market 'telemedicine' passed validation" in texts(at.success)
    diff = next(df.value for df in at.dataframe if "before" in df.value.columns)
    assert diff[["what", "key", "before", "after"]].values.tolist() == [["figure", "r2011682 2032", "397.21", "410"]]

    at.button(key="install_market").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Applied. The new edition of 'telemedicine' is on every page." in texts(at.success)
    assert data_tree_hash(app_data) != before
    # The next rerun (or a second click) must not report the market as existing or nothing saved.
    at.run()
    assert not at.error and "already exists" not in texts(at.warning) + texts(at.info)
    assert not at.get("button") or all(b.key != "install_market" for b in at.button)

    kept = versions(history_for(app_data))
    assert [v.author for v in kept][-1] == "local"
    at.selectbox(key="rollback_version").set_value(kept[-2].number).run()
    at.button(key="rollback").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"Rolled back to version {kept[-2].number}" in texts(at.success)
    assert data_tree_hash(app_data) == before


def test_cancel_leaves_the_data_as_it_was(app_data):
    before = data_tree_hash(app_data)
    at = data_page()
    at.file_uploader[0].set_value(new_edition(app_data)).run()
    at.button(key="cancel_upload").click().run()
    assert "Cancelled: nothing was saved." in texts(at.success)
    assert data_tree_hash(app_data) == before


def test_signed_in_viewer_is_offered_no_upload_and_no_rollback(app_data):
    at = data_page({"is_logged_in": True, "email": "viewer@example.com", "sub": "viewer"})
    assert "Only the team's curators can upload" in texts(at.info)
    assert not at.file_uploader
    assert all(b.key != "rollback" for b in at.button)
    assert "viewer@example.com (viewer)" in texts(at.sidebar.caption)


def test_signed_in_curator_by_group_may_upload(app_data):
    at = data_page({"is_logged_in": True, "email": "c@example.com", "sub": "c", "groups": ["market-intel-curators"]})
    assert at.file_uploader
    assert "c@example.com (curator)" in texts(at.sidebar.caption)


def test_with_sign_in_configured_nothing_shows_before_signing_in(app_data):
    at = data_page({"is_logged_in": False})
    assert [b.key for b in at.button] == ["sign_in"]
    assert not at.dataframe and not at.metric


def test_adding_a_new_market_then_rerunning_reports_no_clash(app_data):
    folder = app_data / "markets" / "iomt"
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    files["market.yaml"] = files["market.yaml"].replace(b"id: iomt", b"id: added-here", 1)
    files["insights.yaml"] = files["insights.yaml"].replace(b"id: iomt-", b"id: added-here-")
    at = data_page()
    at.file_uploader[0].set_value([(n, c, "text/plain") for n, c in files.items()]).run()
    at.button(key="install_market").click().run()
    assert "Saved. 'added-here' is now in every page's market list." in texts(at.success)
    at.run()
    assert not at.error and not at.file_uploader[0].value
    assert (app_data / "markets" / "added-here" / "market.yaml").exists()


def test_a_forced_apply_by_someone_no_longer_a_curator_is_refused(app_data):
    """The page was a curator's when the upload was checked; the next run is a viewer's: nothing is saved."""
    before = data_tree_hash(app_data)
    at = data_page({"is_logged_in": True, "email": "c@example.com", "sub": "c", "groups": ["market-intel-curators"]})
    at.file_uploader[0].set_value(new_edition(app_data)).run()
    apply = at.button(key="install_market")
    at.user = {"is_logged_in": True, "email": "viewer@example.com", "sub": "viewer"}
    apply.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Only the team's curators can upload" in texts(at.info)
    assert data_tree_hash(app_data) == before


def test_incomplete_sign_in_settings_are_named_not_a_traceback(app_data):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": AUTH["redirect_uri"]}
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert "incomplete: cookie_secret, client_id, client_secret, server_metadata_url missing" in texts(at.error)
    assert not at.button
