"""Data & sources: the documents behind every figure, the validation report, downloads."""

import streamlit as st

from marketintel import queries
import pandas as pd

from marketintel import export
from marketintel.settings import data_dir
from marketintel.upload import install_market, stage_upload
from marketintel.ui import forget_fingerprint, page_setup, plain, provenance_legend, query

page_setup()
st.title("Data & sources")

st.subheader("What the labels mean", anchor=False)
provenance_legend()

st.subheader("Sources", anchor=False)
src = query(queries.sources)
st.dataframe(src[["market", "title_en", "report_code", "date", "is_primary", "cagr_pct", "cagr_basis", "document"]]
             .fillna({"report_code": "—"}),
             hide_index=True, width="stretch", column_config={
                 "market": "Market", "title_en": "Title", "kind": "Kind", "report_code": "Report code",
                 "date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"), "is_primary": "Primary",
                 "first_year": "First year", "last_year": "Last year",
                 "cagr_pct": st.column_config.NumberColumn("CAGR (%)", format="%.2f"),
                 "cagr_start": st.column_config.NumberColumn("CAGR from", format="%d"),
                 "cagr_end": st.column_config.NumberColumn("CAGR to", format="%d"),
                 "cagr_basis": st.column_config.TextColumn("Which period, and why", width="large"),
                 "document": "Document"})

st.subheader("Validation report", anchor=False)
report = query(queries.validation_report)
errors, warnings = report[report["severity"] == "error"], report[report["severity"] == "warning"]
if report.empty:
    st.success("Every data file passed validation: no errors, no warnings.")
else:
    if len(errors):
        st.error(f"{len(errors)} error(s): the data named below was not loaded; everything else was.")
    if len(warnings):
        st.warning(f"{len(warnings)} warning(s): loaded, but worth a look.")
    st.dataframe(report, hide_index=True, width="stretch", column_config={
        "severity": "Severity", "market_id": "Market", "file": "File", "location": "Where",
        "message": st.column_config.TextColumn("Problem", width="large")})

st.subheader("Download the tables", anchor=False)
st.caption("Every table as CSV, exactly as the app uses it (with the provenance column where it has figures).")
cols = st.columns(3)
for i, name in enumerate(queries.DOWNLOADABLE_TABLES):
    df = query(queries.table, name)
    cols[i % 3].download_button(f"{name}.csv ({len(df):,} rows)", export.csv_bytes(df),
                                file_name=f"{name}.csv", mime="text/csv", key=f"dl_{name}", width="stretch",
                                on_click="ignore")
all_tables = {name: query(queries.table, name) for name in queries.DOWNLOADABLE_TABLES}
st.download_button("All tables as one Excel workbook", data=lambda: export.workbook_bytes(all_tables, src),
                   file_name="market-intelligence-data.xlsx", on_click="ignore", key="dl_all_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
if export.chrome_path() is None:
    st.info("No Chrome or Chromium was found on this server, so PNG and SVG chart downloads are off. "
            "Install one (Debian: apt-get install chromium) or set BROWSER_PATH. PowerPoint, Excel and CSV work.")
st.caption(f"Data files live in data/markets/<market>/; see data/README.md for how to edit them.")

st.subheader("Try a market of your own", anchor=False)
st.caption("Upload market.yaml and figures.csv (shares.csv, crosstab.csv and insights.yaml are optional), "
           "or one zip holding them. The files are checked in full before anything is saved; a market that "
           "fails is not saved at all. See data/README.md for the format.")
uploaded = st.file_uploader("Market files or a zip", type=["yaml", "yml", "csv", "zip"], accept_multiple_files=True,
                            key="market_upload")
if uploaded:
    staged = stage_upload([(f.name, f.getvalue()) for f in uploaded], data_dir())
    table = pd.DataFrame([p.__dict__ for p in staged.problems],
                         columns=["severity", "file", "location", "message", "market_id"])
    if staged.ok:
        st.success(f"Market '{plain(staged.market_id)}' passed validation"
                   + (f" with {len(table)} warning(s)." if len(table) else "."))
        if st.button(f"Add '{staged.market_id}' to the dashboard", type="primary", key="install_market"):
            try:
                install_market(staged, data_dir())
            except (FileExistsError, OSError) as exc:
                st.error(f"Could not save the market: {plain(exc)}")
            else:
                forget_fingerprint()
                st.success(f"Saved. '{plain(staged.market_id)}' is now in every page's market list.")
    else:
        st.error(f"Not saved: the upload has {int((table['severity'] == 'error').sum())} problem(s). "
                 "Nothing in the data folder was changed.")
    if len(table):
        st.dataframe(table.drop(columns="market_id"), hide_index=True, width="stretch", column_config={
            "severity": "Severity", "file": "File", "location": "Where",
            "message": st.column_config.TextColumn("Problem", width="large")})
