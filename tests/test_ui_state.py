"""marketintel.ui.state: which widget a filter gets."""

from __future__ import annotations

import pandas as pd
import pytest

from marketintel.settings import settings
from marketintel.ui import filter_widget


def _segments(n: int, nested: int = 0) -> pd.DataFrame:
    return pd.DataFrame({"segment": [f"s{i}" for i in range(n)], "depth": [0] * (n - nested) + [1] * nested})


@pytest.mark.parametrize(
    "n,nested,widget",
    [
        (2, 0, "pills"),
        (settings().filter_pills_max, 0, "pills"),
        (settings().filter_pills_max + 1, 0, "multiselect"),  # too many to read as a row
        (4, 1, "multiselect"),  # a hierarchy's indented labels need a list
        (14, 5, "multiselect"),
    ],
)
def test_a_short_flat_filter_is_pills_and_a_long_or_nested_one_a_drop_down(n, nested, widget):
    assert filter_widget(_segments(n, nested)) == widget


def test_the_real_markets_get_pills_and_drop_downs_as_their_segments_are(con):
    from marketintel import queries

    region = {
        m: filter_widget(queries.segment_options(con, m, "region")) for m in ("connected-healthcare", "telemedicine")
    }
    assert region == {"connected-healthcare": "pills", "telemedicine": "multiselect"}  # EMEA holds Europe, ...
    assert filter_widget(queries.segment_options(con, "telemedicine", "specialty")) == "multiselect"  # 11
