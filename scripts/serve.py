"""Serve the dashboard: ``streamlit run app.py``, with the first page run's work done while a browser loads.

``python scripts/serve.py [streamlit run options]`` from the repository root (``scripts/dashboard.sh``
does), e.g. ``--server.port 8600``. Once the server answers (its start is not delayed), a thread
does what a first page run would otherwise make its reader wait for (``marketintel.warmup``): the
server is idle while the browser loads Streamlit's own scripts, a second or more. Best effort: a
failure is left for the page itself to report, where a reader sees it.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from marketintel import warmup  # noqa: E402  (imports nothing heavy)


def _server_running() -> bool:
    from streamlit.runtime import Runtime, RuntimeState

    return Runtime.exists() and Runtime.instance().state in (
        RuntimeState.NO_SESSIONS_CONNECTED,
        RuntimeState.ONE_OR_MORE_SESSIONS_CONNECTED,
    )


def warm_when_running(timeout_s: float = 120.0) -> None:
    """Wait for the server to run, then warm the imports and the first run."""
    deadline = time.monotonic() + timeout_s
    while not _server_running():
        if time.monotonic() > deadline:
            return
        time.sleep(0.02)
    try:
        if warmup.warm_imports() != list(warmup.WARM_MODULES):
            return
        # Every pill and segmented-control label that starts with a non-ASCII character (the
        # language switch's 简体中文, every Chinese label) is matched against Streamlit's emoji
        # pattern, which is imported and compiled on first use (about 90 ms here).
        from streamlit.string_util import extract_leading_icon

        from marketintel.i18n import LANGUAGES

        for label in LANGUAGES.values():
            extract_leading_icon(label)
        warmup.warm_first_run()
    except Exception:
        pass


def main(argv: list[str]) -> None:
    """``streamlit run app.py`` with ``argv`` as its options, the first run warmed beside it."""
    threading.Thread(target=warm_when_running, name="warm-first-run", daemon=True).start()
    from streamlit.web import cli

    cli.main(["run", str(ROOT / "app.py"), *argv], prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
