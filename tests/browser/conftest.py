"""Real-browser tests: one Streamlit server and one Chromium for the whole session.

Run with ``pytest tests/browser`` (marker ``browser``; deselect with ``-m "not browser"``).
Chromium is never downloaded: Debian's ``/usr/bin/chromium`` is used, or the path in the
``BROWSER_PATH`` / ``CHROMIUM_PATH`` environment variable.

The plain functions here (``streamlit_server``, ``launch_browser``, ``open_page``, ``ConsoleLog``)
are also used by ``screenshots.py``, so they do not depend on pytest.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORTS = {"1440x900": {"width": 1440, "height": 900}, "1280x720": {"width": 1280, "height": 720}}
SERVER_START_TIMEOUT_S = 60
PAGE_TIMEOUT_MS = 30_000

# Streamlit's frontend asks for these relative to the page it was opened on (e.g. /explorer/_stcore/health);
# the server answers 404 there and the frontend falls back to the root. Nothing else may fail.
ALLOWED_404_SUFFIXES = ("/_stcore/health", "/_stcore/host-config")
ALLOWED_404_CONSOLE = "Failed to load resource: the server responded with a status of 404"


# -- server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
            return resp.status == 200 and resp.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def streamlit_server(
    timeout_s: float = SERVER_START_TIMEOUT_S,
    env: dict[str, str] | None = None,
    script: str = "app.py",
    port: int | None = None,
    args: tuple[str, ...] = (),
) -> Iterator[str]:
    """Start ``streamlit run <script>`` (app.py through ``scripts/serve.py``) on a free localhost port;
    yield its base URL; stop it.

    ``env`` adds environment variables (e.g. MARKETINTEL_DATA_DIR for a test's own data); ``script``
    lets the benchmark start its floor app the same way; ``port`` (chosen beforehand, e.g. for a
    sign-in redirect) and ``args`` (e.g. ``--secrets.files``) go to ``streamlit run``."""
    port = port or free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="streamlit-browser-tests-", suffix=".log", delete=False)
    # The app as scripts/dashboard.sh serves it: streamlit run app.py, its first run warmed (scripts/serve.py).
    launch = ["scripts/serve.py"] if script == "app.py" else ["-m", "streamlit", "run", script]
    cmd = [
        sys.executable,
        *launch,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *args,
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while not _healthy(base):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = Path(log.name).read_text(errors="replace")[-3000:]
                why = (
                    f"exited with code {proc.returncode}"
                    if proc.poll() is not None
                    else f"no answer in {timeout_s:.0f} s"
                )
                raise RuntimeError(f"Streamlit server {why} ({base}/_stcore/health). Log {log.name}:\n{tail}")
            time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


# -- browser --------------------------------------------------------------------------------


def chromium_path() -> str:
    return os.environ.get("BROWSER_PATH") or os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM


def launch_browser(playwright):
    path = chromium_path()
    if not Path(path).exists():
        raise FileNotFoundError(path)
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)


class ConsoleLog:
    """Console errors, failed requests and HTTP >= 400 responses seen by one page."""

    def __init__(self, page) -> None:
        self.console_errors: list[tuple[str, str]] = []  # (text, url of the resource/script)
        self.failed_requests: list[tuple[str, str]] = []  # (url, failure)
        self.bad_responses: list[tuple[int, str]] = []  # (status, url)
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.console_errors.append((f"uncaught exception: {exc}", page.url)))
        page.on("requestfailed", lambda req: self.failed_requests.append((req.url, req.failure or "?")))
        page.on(
            "response", lambda resp: self.bad_responses.append((resp.status, resp.url)) if resp.status >= 400 else None
        )

    def _on_console(self, msg) -> None:
        if msg.type == "error":
            self.console_errors.append((msg.text, (msg.location or {}).get("url", "")))

    @staticmethod
    def _allowed_response(status: int, url: str) -> bool:
        return status == 404 and urlsplit(url).path.endswith(ALLOWED_404_SUFFIXES)

    def problems(self) -> list[str]:
        out = [f"HTTP {status} {url}" for status, url in self.bad_responses if not self._allowed_response(status, url)]
        out += [f"request failed ({failure}): {url}" for url, failure in self.failed_requests]
        only_allowed_404s = all(self._allowed_response(s, u) for s, u in self.bad_responses)
        for text, url in self.console_errors:
            if (
                text.startswith(ALLOWED_404_CONSOLE)
                and only_allowed_404s
                and self._allowed_response(404, url or "/_stcore/health")
            ):
                continue
            out.append(f"console error: {text} [{url or 'no url'}]")
        return list(dict.fromkeys(out))

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "Unexpected browser errors/requests:\n  " + "\n  ".join(problems)


# -- waiting for the app --------------------------------------------------------------------

_APP_IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;   // "Running..." indicator
  if (document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]')) return false;
  const main = document.querySelector('[data-testid="stMain"]') || app;
  if (!main.querySelector('h1, [data-testid="stException"], [data-testid="stAlert"], .js-plotly-plot')) return false;
  // Every Plotly element Streamlit created must have been drawn by plotly.js.
  for (const el of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    const plot = el.querySelector('.js-plotly-plot');
    if (!plot || !plot._fullData || !plot.querySelector('.main-svg')) return false;
  }
  return true;
}"""


def wait_for_app(page, timeout_ms: int = PAGE_TIMEOUT_MS, expect_rerun: bool = False) -> None:
    """Wait until Streamlit finished running the script and every chart is drawn.

    With ``expect_rerun`` (after a widget change or a navigation click), first give the app a moment to
    leave its idle state, so the wait does not return on the run *before* the interaction.
    """
    if expect_rerun:
        with contextlib.suppress(Exception):
            page.wait_for_function(
                """() => {
              const app = document.querySelector('[data-testid="stApp"]');
              return !app || app.getAttribute('data-test-script-state') !== 'notRunning'
                     || document.querySelector('[data-testid="stStatusWidget"], [data-stale="true"]');
            }""",
                timeout=3000,
                polling=20,
            )
    page.wait_for_function(_APP_IDLE_JS, timeout=timeout_ms, polling=100)
    # Two consecutive idle checks a short while apart: Streamlit may start a follow-up run (e.g. after it
    # rewrites the URL), and Plotly redraws once after the first layout.
    page.wait_for_timeout(300)
    page.wait_for_function(_APP_IDLE_JS, timeout=timeout_ms, polling=100)


def open_page(page, url: str, timeout_ms: int = PAGE_TIMEOUT_MS) -> None:
    """Navigate to ``url`` and wait until the app has rendered completely."""
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    wait_for_app(page, timeout_ms)


# The figures as plotly.js sees them: _fullData has decoded the typed arrays (bdata) plotly.py sends.
PLOTS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(el => {
  const title = (el.layout && el.layout.title && (el.layout.title.text || el.layout.title)) || '';
  const arr = v => (v == null ? null : (typeof v === 'object' && 'length' in v ? Array.from(v) : null));
  return {
    title: String(title),
    shapes: ((el.layout && el.layout.shapes) || []).length,
    annotations: ((el.layout && el.layout.annotations) || []).map(a => String(a.text || '')),
    traces: (el._fullData || []).map(t => ({
      type: t.type, name: t.name || '',
      x: arr(t.x), y: arr(t.y), values: arr(t.values), labels: arr(t.labels),
    })),
  };
})"""


def plots(page) -> list[dict]:
    return page.evaluate(PLOTS_JS)


def trace_points(trace: dict) -> int:
    lengths = [len(v) for k in ("x", "y", "values") if (v := trace.get(k)) is not None]
    return max(lengths, default=0)


# -- pytest wiring --------------------------------------------------------------------------


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "browser: real-browser tests (Streamlit server + Chromium via Playwright)")


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    with streamlit_server() as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not Path(path).exists():
        pytest.skip(
            f"Chromium not found at {path}: install Debian's chromium to run browser tests "
            "(or set BROWSER_PATH / CHROMIUM_PATH)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements-dev.txt)")
    with sync_api.sync_playwright() as pw:
        b = launch_browser(pw)
        yield b
        b.close()


@pytest.fixture(scope="session")
def contexts(browser):
    """One browser context per viewport, created on first use and shared by every test."""
    made: dict[str, object] = {}

    def get(viewport: str = "1440x900"):
        if viewport not in made:
            ctx = browser.new_context(viewport=VIEWPORTS[viewport])
            ctx.set_default_timeout(PAGE_TIMEOUT_MS)
            made[viewport] = ctx
        return made[viewport]

    yield get
    for ctx in made.values():
        ctx.close()


@pytest.fixture
def new_page(contexts):
    """Factory: a fresh tab (its own Streamlit session) in the shared context of a viewport, with a ConsoleLog."""
    opened = []

    def make(viewport: str = "1440x900"):
        page = contexts(viewport).new_page()
        opened.append(page)
        return page, ConsoleLog(page)

    yield make
    for page in opened:
        page.close()


@pytest.fixture
def page(new_page):
    return new_page("1440x900")[0]
