"""The dashboard's pages: one script per page, and one page function (:mod:`views.layer`) for every layer page.

Not ``pages/``: Streamlit switches to its legacy pages-directory mode when a
folder of that name sits beside the main script.
"""
