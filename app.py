"""Entry point: page config and navigation. Run with ``streamlit run app.py``."""

import streamlit as st

from marketintel.settings import load_settings

settings = load_settings()
st.set_page_config(page_title=settings["app"]["title"], page_icon=":material/monitoring:", layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("pages/explorer.py", title="Market explorer", icon=":material/travel_explore:", url_path="explorer"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    st.Page("pages/data_sources.py", title="Data & sources", icon=":material/menu_book:", url_path="data"),
]
st.navigation(pages).run()
