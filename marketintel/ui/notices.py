"""Banners for what validation left out, so a market or dimension never disappears without a word."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from .. import queries
from ..settings import settings
from .data import query
from .state import current_text, plain

DATA_PAGE = "pages/data.py"


def left_out_banner(market_ids: Sequence[str] | None = None, dimensions: bool = True) -> int:
    """A warning naming every market left out (and, for ``market_ids``, their dimensions), with the reason.

    The reason is the curator's message (file, place, what to do), shown literally; a link opens
    Data & sources, where the full validation report is. Returns how many things were named.
    """
    found = query(queries.omissions, list(market_ids) if market_ids is not None else None)
    if not dimensions:
        found = found[found["kind"] == "market"]
    if found.empty:
        return 0
    _ = current_text()
    dim_labels = {k: getattr(v, _.lang, None) or v.en for k, v in settings().dimensions.items()}
    # One line per market and problem: a shares.csv that cannot be read leaves out every breakdown at once.
    groups: dict[tuple, list[str]] = {}
    for o in found.itertuples():
        market = o.market_id or o.folder
        if o.kind == "dimension" and isinstance(o.market_name_en, str):
            market = _.pick(o, "market_name")
        key = (o.kind, market, o.file, o.location, o.message)
        groups.setdefault(key, []).append(dim_labels.get(o.dimension, o.dimension) if o.dimension else "")
    lines = []
    for (kind, market, file, location, message), dims in groups.items():
        where = file + (f" [{location}]" if location else "")
        if kind == "market":
            what = _("Market '{market}' is left out", market=market)
        else:
            what = _("{market}: left out {dimensions}", market=market, dimensions=_.join(dims))
        lines.append(f"- {plain(what)} · {plain(where)}: {plain(message)}")
    st.warning(
        _("Not shown because of a problem in the data files (the rest loads as usual):") + "\n\n" + "\n".join(lines)
    )
    st.page_link(DATA_PAGE, label=_("What to fix, on Data & sources"), icon=":material/arrow_forward:")
    return len(found)
