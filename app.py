"""Entry point: page config and navigation. Run with ``streamlit run app.py``."""

import streamlit as st

from marketintel.settings import load_settings
from marketintel.ui import deck_sidebar

settings = load_settings()
st.set_page_config(page_title=settings["app"]["title"], layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", url_path="overview", default=True),
    st.Page("pages/explorer.py", title="Market explorer", url_path="explorer"),
    st.Page("pages/compare.py", title="Compare", url_path="compare"),
    st.Page("pages/data_sources.py", title="Data & sources", url_path="data"),
]
st.navigation(pages).run()
deck_sidebar()
