"""Conflict-events geospatial library: claims, layers, store, reference geography.

The library behind the dashboard. It never imports Streamlit, so scripts,
tests and the command line (``python -m geo``) use it directly.
"""

__version__ = "0.1.0"
