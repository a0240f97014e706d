"""Streamlit glue shared by app.py and the pages: cached data, filter state, map rendering.

Everything with logic lives in ``geo``; this package only connects it to
Streamlit (caching, session state, query parameters, widgets).
"""
