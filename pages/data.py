"""Data & sources: the documents behind every figure, the validation report, downloads, the history, uploads."""

import streamlit as st

from marketintel import export, queries
from marketintel.ui import has_chrome, page_setup, provenance_legend, query
from marketintel.ui.curation import history_section, upload_section

_ = page_setup()
market_col = _.col("market")
title_col = _.col("title")
st.title(_("Data & sources"))

st.subheader(_("What the labels mean"), anchor=False)
provenance_legend()

st.subheader(_("Sources"), anchor=False)
src = query(queries.sources)
basis_col = _.col("cagr_basis")
st.dataframe(
    src[[market_col, title_col, "report_code", "date", "is_primary", "cagr_pct", basis_col, "document"]].fillna(
        {"report_code": "—", "date": "—"}
    ),
    hide_index=True,
    width="stretch",
    column_config={
        market_col: _("Market"),
        title_col: _("Title"),
        "report_code": _("Report code"),
        "date": st.column_config.TextColumn(_("Date")),
        "is_primary": _("Primary"),
        "first_year": _("First year"),
        "last_year": _("Last year"),
        "cagr_pct": st.column_config.NumberColumn(_("CAGR (%)"), format="%.2f"),
        "cagr_start": st.column_config.NumberColumn(_("CAGR from"), format="%d"),
        "cagr_end": st.column_config.NumberColumn(_("CAGR to"), format="%d"),
        basis_col: st.column_config.TextColumn(_("Which period, and why"), width="large"),
        "document": _("Document"),
    },
)

st.subheader(_("Validation report"), anchor=False)
report = query(queries.validation_report)
errors, warnings = report[report["severity"] == "error"], report[report["severity"] == "warning"]
if report.empty:
    st.success(_("Every data file passed validation: no errors, no warnings."))
else:
    if len(errors):
        st.error(_("{n} error(s): the data named below was not loaded; everything else was.", n=len(errors)))
    if len(warnings):
        st.warning(_("{n} warning(s): loaded, but worth a look.", n=len(warnings)))
    # The problem messages themselves stay English: they are diagnostics for the data curators.
    st.dataframe(
        report,
        hide_index=True,
        width="stretch",
        column_config={
            "severity": _("Severity"),
            "market_id": _("Market"),
            "file": _("File"),
            "location": _("Where"),
            "message": st.column_config.TextColumn(_("Problem"), width="large"),
        },
    )

st.subheader(_("Download the tables"), anchor=False)
st.caption(_("Every table as CSV, exactly as the app uses it (with the provenance column where it has figures)."))
cols = st.columns(3)
for i, name in enumerate(queries.DOWNLOADABLE_TABLES):
    df = query(queries.table, name)
    cols[i % 3].download_button(
        _("{name}.csv ({n:,} rows)", name=name, n=len(df)),
        export.csv_bytes(df, _.lang),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"dl_{name}",
        width="stretch",
        on_click="ignore",
    )
# Sheet names stay the tables' own names, the same as the CSV files and data/README.md.
all_tables = {name: query(queries.table, name) for name in queries.DOWNLOADABLE_TABLES}
lang = _.lang
st.download_button(
    _("All tables as one Excel workbook"),
    data=lambda: export.workbook_bytes(all_tables, src, lang),
    file_name="market-intelligence-data.xlsx",
    on_click="ignore",
    key="dl_all_xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
if not has_chrome():
    st.info(
        _(
            "No Chrome or Chromium was found on this server, so PNG and SVG chart downloads are off. "
            "Install one (Debian: apt-get install chromium) or set BROWSER_PATH. PowerPoint, Excel and CSV work."
        )
    )
st.caption(_("Data files live in data/markets/<market>/; see data/README.md for how to edit them."))

history_section()
upload_section()
