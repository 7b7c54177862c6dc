"""The web app for field staff: `mediation serve` runs this script with Streamlit.

Wiring only: page setup, the sidebar (filters, answer mode, index status) shared by both
pages, and navigation between Ask (chat.py), Library (library.py) and Briefing
(briefing_page.py).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from interfaces.web import sidebar, state

HERE = Path(__file__).parent

st.set_page_config(
    page_title="Mediation Guidance Assistant",
    page_icon=":material/handshake:",
    layout="centered",
    menu_items={"About": "Cited answers from UN mediation guidance. Works offline."},
)
page = st.navigation(
    [
        st.Page(HERE / "chat.py", title="Ask", icon=":material/forum:", default=True),
        st.Page(
            HERE / "library.py", title="Library", icon=":material/menu_book:", url_path="library"
        ),
        st.Page(
            HERE / "briefing_page.py",
            title="Briefing",
            icon=":material/description:",
            url_path="briefing",
        ),
    ],
    position="top",
)
sidebar.render(state.assistant(quiet=True))  # the page says why when there is no index
page.run()
