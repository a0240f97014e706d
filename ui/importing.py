"""Streamlit glue for the Import page: uploaded bytes → a temporary file → geo.importers."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import settings
from geo.errors import GeoError
from geo.i18n import t, tn
from geo.importers import ImportResult, known_format, read_file
from geo.importers.table import TEMPLATE_COLUMNS
from geo.store import WriteResult, open_store
from ui import state

TEMPLATE = settings.PROJECT_DIR / "data" / "templates" / "events_template.csv"
MAPPED_FIELDS = ("layer", "place", "region", "latitude", "longitude", "time_start", "time_end", "title", "claimant",
                 "party", "stance", "text", "source_url", "publisher")  # fmt: skip
"""Template columns offered in the mapping step (the rest can be set in a mapping file for the CLI)."""


def _suffix(name: str) -> str:
    return "".join(Path(name).suffixes[-2:]) or ".dat"


@st.cache_resource(show_spinner=False, max_entries=4)
def _read(digest: str, name: str, data: bytes, fmt: str, dataset: str, mapping: str) -> ImportResult:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{Path(name).stem[:60] or 'upload'}{_suffix(name)}"
        path.write_bytes(data)
        mapping_path = None
        if mapping:
            mapping_path = Path(tmp) / "mapping.json"
            mapping_path.write_text(mapping, encoding="utf-8")
        return read_file(path, format=fmt, dataset=dataset or None, mapping=mapping_path)


def read_upload(name: str, data: bytes, fmt: str, dataset: str, mapping: dict | None) -> ImportResult:
    """Read an uploaded file (cached on its content and the options); raises GeoError when unreadable."""
    text = json.dumps(mapping, sort_keys=True) if mapping else ""
    with st.spinner(t("Reading the file…")):
        return _read(hashlib.sha256(data).hexdigest(), name, data, fmt, dataset, text)


def columns_of(name: str, data: bytes) -> list[str]:
    """Column names of an uploaded CSV or XLSX (empty when it cannot be read as a table)."""
    import io

    try:
        if name.lower().endswith((".xlsx", ".xlsm")):
            return [str(c) for c in pd.read_excel(io.BytesIO(data), nrows=0).columns]
        head = pd.read_csv(io.BytesIO(data), nrows=5, sep=None, engine="python", encoding="utf-8-sig")
        return [str(c) for c in head.columns]
    except (ValueError, UnicodeDecodeError, OSError, ImportError, pd.errors.ParserError):
        return []


def needs_mapping(columns: list[str]) -> bool:
    """A spreadsheet that is no known table (template, ACLED, UCDP: see ``known_format``) needs a mapping step."""
    return bool(columns) and known_format(columns) is None


def commit(result: ImportResult) -> WriteResult:
    """Write an import into the store as its dataset, in one transaction."""
    store = open_store(settings.get().store)
    return store.write(
        result.events,
        result.claims,
        dataset=result.dataset,
        kind="import",
        source=result.source,
        description=f"Imported from {result.source} ({result.format}) in the dashboard",  # stored data: English
        validated=True,
    )


def datasets() -> pd.DataFrame:
    """Datasets in the store."""
    return open_store(settings.get().store).datasets()


def delete(name: str) -> int:
    """Delete a dataset and its claims; returns the number of events removed."""
    return open_store(settings.get().store).delete_dataset(name)


def delete_and_say(name: str) -> None:
    """Button callback: delete before the page is drawn again, and leave a message for it.

    A callback runs before the page sets the run's language, so the message is put in the session's language here.
    """
    n = delete(name)
    st.session_state["import_deleted"] = tn(
        "Deleted {n} event of “{name}”.", "Deleted {n} events of “{name}”.", n, lang=state.language(), name=name
    )
    st.session_state["import_delete_name"] = None


__all__ = ["MAPPED_FIELDS", "TEMPLATE", "TEMPLATE_COLUMNS", "GeoError", "columns_of", "commit", "datasets", "delete",
           "delete_and_say", "needs_mapping", "read_upload"]  # fmt: skip
