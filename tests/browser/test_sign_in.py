"""Sign-in end to end: a real OpenID provider (oidc-provider-mock), Streamlit's st.login, a viewer and a curator.

Its own Streamlit server (sign-in configured through a temporary secrets file, its own copy of the
data) and its own provider; the rest of the browser tests share the unconfigured server.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from marketintel.history import data_tree_hash

from .conftest import PAGE_TIMEOUT_MS, ROOT, ConsoleLog, free_port, open_page, streamlit_server, wait_for_app

VIEWER = {"sub": "viewer", "email": "viewer@example.com", "name": "Vera Viewer"}
CURATOR = {
    "sub": "curator",
    "email": "curator@example.com",
    "name": "Carl Curator",
    "groups": ["market-intel-curators"],
}


@contextlib.contextmanager
def oidc_provider():
    """``python -m oidc_provider_mock`` on a free port with the two users; yields its base URL."""
    for module, why in (
        ("oidc_provider_mock", "oidc-provider-mock is not installed (requirements-dev.txt)"),
        ("authlib", "Authlib is not installed (streamlit[auth], requirements.txt)"),
    ):
        if importlib.util.find_spec(module) is None:
            pytest.skip(why)
    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="oidc-mock-", suffix=".log", delete=False)
    cmd = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port)]
    for user in (VIEWER, CURATOR):
        cmd += ["--user-claims", json.dumps(user)]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/.well-known/openid-configuration", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError("oidc-provider-mock did not start:\n" + Path(log.name).read_text()[-2000:])
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    """(base URL, data folder, provider URL): a Streamlit server with sign-in against the local provider."""
    tmp = tmp_path_factory.mktemp("signin")
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    port = free_port()
    with oidc_provider() as provider:
        secrets = tmp / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a-long-random-test-secret-0123456789"\n'
            'client_id = "market-dashboard"\n'
            'client_secret = "market-dashboard-secret"\n'
            f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        env = {
            "MARKETINTEL_DATA_DIR": str(data),
            "MARKETINTEL_DATABASE": str(tmp / "db" / "markets.duckdb"),
            "MARKETINTEL_HISTORY_DIR": str(tmp / "history"),
        }
        with streamlit_server(env=env, port=port, args=("--secrets.files", str(secrets))) as base:
            yield base, data, provider


def sign_in(browser, base: str, sub: str):
    """A new browser context signed in as ``sub`` through the provider's form; returns it, its page and log."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    ctx.set_default_timeout(PAGE_TIMEOUT_MS)
    page = ctx.new_page()
    log = ConsoleLog(page)
    open_page(page, base)
    assert page.get_by_role("heading", name="Sign in").is_visible()
    assert page.locator('[data-testid="stMetric"]').count() == 0  # nothing of the data before signing in
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.locator(f'button[name="sub"][value="{sub}"]').click()
    page.wait_for_url(f"{base}/**")
    page.wait_for_selector('[data-testid="stMetric"]')
    wait_for_app(page)
    return ctx, page, log


def assert_app_clean(log: ConsoleLog, provider: str) -> None:
    """No console error or failed request from the app (the test provider's pages, and the stylesheet they
    fetch from a CDN this machine cannot reach, are not ours)."""
    problems = [p for p in log.problems() if provider not in p and "@picocss/pico" not in p]
    assert not problems, problems


def data_page(page, base: str) -> None:
    open_page(page, f"{base}/data")
    page.get_by_role("heading", name="History of the data").wait_for()


def test_a_viewer_signs_in_sees_the_data_and_is_offered_no_upload(browser, team):
    base, data, provider = team
    ctx, page, log = sign_in(browser, base, "viewer")
    try:
        assert page.get_by_text("Signed in as Vera Viewer (viewer)").is_visible()
        data_page(page, base)
        assert page.get_by_text("Only the team's curators can upload or change data").is_visible()
        assert page.locator('[data-testid="stFileUploader"]').count() == 0
        assert page.get_by_role("button", name="Roll back").count() == 0
        assert_app_clean(log, provider)
    finally:
        ctx.close()


def test_a_curator_uploads_a_new_edition_sees_the_diff_applies_and_rolls_back(browser, team):
    base, data, provider = team
    before = data_tree_hash(data)
    folder = data / "markets" / "telemedicine"
    figures = (folder / "figures.csv").read_bytes().replace(b"r2011682,2032,397.21", b"r2011682,2032,410.00", 1)
    ctx, page, log = sign_in(browser, base, "curator")
    try:
        assert page.get_by_text("Signed in as Carl Curator (curator)").is_visible()
        data_page(page, base)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            [
                {"name": "market.yaml", "mimeType": "text/yaml", "buffer": (folder / "market.yaml").read_bytes()},
                {"name": "figures.csv", "mimeType": "text/csv", "buffer": figures},
            ]
        )
        page.get_by_text("A new edition of market 'telemedicine' passed validation.").wait_for()
        wait_for_app(page)
        assert page.get_by_text("What would change (1)").is_visible()
        assert data_tree_hash(data) == before  # nothing written before applying

        page.get_by_role("button", name="Apply the new edition of 'telemedicine'").click()
        page.get_by_text("Applied. The new edition of 'telemedicine' is on every page.").wait_for()
        wait_for_app(page)
        assert data_tree_hash(data) != before
        assert b"410.00" in (folder / "figures.csv").read_bytes()

        page.get_by_role("button", name="Roll back to version 1").click()
        page.get_by_text("Rolled back to version 1; recorded as version").wait_for()
        wait_for_app(page)
        assert data_tree_hash(data) == before
        assert_app_clean(log, provider)
    finally:
        ctx.close()
