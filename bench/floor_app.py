"""The floor for the browser benchmark: the least a Streamlit page with N Plotly charts can cost.

``FLOOR_CHARTS=N streamlit run bench/floor_app.py``. The figures are built once per process
(``st.cache_resource``): three sets of N figures, each a few traces x 8 points, titled and laid out
like ours. A segmented control in the sidebar picks the set, so each change redraws every chart with
new data, the way a filter does on the dashboard; nothing else runs on a rerun.
"""

from __future__ import annotations

import os

import plotly.graph_objects as go
import streamlit as st

N_CHARTS = max(1, int(os.environ.get("FLOOR_CHARTS", "4")))
SETS = ("A", "B", "C")
YEARS = list(range(2025, 2033))
TRACES = 4


@st.cache_resource
def figures(n: int) -> dict[str, list[go.Figure]]:
    out: dict[str, list[go.Figure]] = {}
    for s_i, s in enumerate(SETS):
        figs = []
        for c in range(n):
            fig = go.Figure()
            for t in range(TRACES):
                base = 1 + t + c + 3 * s_i
                fig.add_trace(
                    go.Scatter(
                        x=YEARS,
                        y=[round(base * 1.15**k, 3) for k in range(len(YEARS))],
                        name=f"Series {t + 1}",
                        mode="lines+markers",
                        line=dict(width=3),
                        marker=dict(size=8),
                    )
                )
            fig.update_layout(
                template="plotly_white",
                height=480,
                title=dict(
                    text=f"<b>Chart {c + 1}</b><br><span style='font-size:13px'>set {s}</span>", x=0.01, xanchor="left"
                ),
                margin=dict(l=70, r=30, t=90, b=110),
                legend=dict(x=1.02, y=1),
            )
            fig.update_xaxes(title_text="Year", tickmode="array", tickvals=YEARS)
            fig.update_yaxes(title_text="USD bn")
            fig.add_annotation(
                text="Source: floor benchmark",
                xref="paper",
                yref="paper",
                x=0,
                y=0,
                yshift=-78,
                xanchor="left",
                yanchor="top",
                showarrow=False,
            )
            figs.append(fig)
        out[s] = figs
    return out


st.set_page_config(page_title="Floor", layout="wide")
chosen = st.sidebar.segmented_control("Set", SETS, default=SETS[0], required=True, key="set")
st.title(f"Floor: {N_CHARTS} chart{'s' if N_CHARTS != 1 else ''}")
for i, fig in enumerate(figures(N_CHARTS)[chosen]):
    st.plotly_chart(fig, key=f"chart_{i}", theme=None)
