"""Streamlit glue for the Import page: uploaded bytes → a temporary file → geo.importers, in a child process.

Every read of an upload (its header for the mapping step, and the import
itself) runs in a separate process with a deadline
(:func:`geo.importers.run.run_within`): a file that would keep a core busy
is stopped after :data:`READ_SECONDS` and the page says so in one sentence;
the server never parses in its own threads.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from geo import editing, settings
from geo.auth import Actor
from geo.errors import DatasetConflictError, GeoError, TimeLimitError
from geo.i18n import t, tn
from geo.importers import ImportResult, known_format, read_file
from geo.importers.run import run_within
from geo.importers.table import TEMPLATE_COLUMNS, header_columns
from geo.store import WriteResult, open_store
from ui import state

TEMPLATE = settings.PROJECT_DIR / "data" / "templates" / "events_template.csv"
MAPPED_FIELDS = ("layer", "place", "region", "latitude", "longitude", "time_start", "time_end", "title", "claimant",
                 "party", "stance", "text", "source_url", "publisher")  # fmt: skip
"""Template columns offered in the mapping step (the rest can be set in a mapping file for the CLI)."""
READ_SECONDS = 180.0
"""How long reading one upload may take before it is stopped (a 100,000-row ACLED file takes under 10 s)."""
HEADER_SECONDS = 30.0
"""How long reading an upload's header for the mapping step may take."""


def _suffix(name: str) -> str:
    return "".join(Path(name).suffixes[-2:]) or ".dat"


def _upload_path(tmp: str, name: str) -> Path:
    """Where an upload is written for reading: its own stem (shortened) and extension, in a temporary folder."""
    return Path(tmp) / f"{Path(name).stem[:60] or 'upload'}{_suffix(name)}"


@st.cache_resource(show_spinner=False, max_entries=4)
def _read(digest: str, name: str, _data: bytes, fmt: str, dataset: str, mapping: str) -> ImportResult:
    """Read an upload (cached on its digest and the options: the bytes themselves are not hashed again)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = _upload_path(tmp, name)
        path.write_bytes(_data)
        mapping_path = None
        if mapping:
            mapping_path = Path(tmp) / "mapping.json"
            mapping_path.write_text(mapping, encoding="utf-8")
        result = run_within(READ_SECONDS, read_file, path, format=fmt, dataset=dataset or None, mapping=mapping_path)
    result.source = Path(name).name  # the user's file, not the deleted temporary copy
    return result


def read_upload(name: str, data: bytes, fmt: str, dataset: str, mapping: dict | None) -> ImportResult:
    """Read an uploaded file (cached on its content and the options).

    Raises
    ------
    TimeLimitError
        Reading took longer than :data:`READ_SECONDS` and was stopped.
    GeoError
        The file is unreadable.
    """
    text = json.dumps(mapping, sort_keys=True) if mapping else ""
    with st.spinner(t("Reading the file…")):
        return _read(digest(data), name, data, fmt, dataset, text)


def upload_limit() -> int:
    """Largest upload the Import page reads, in bytes: Streamlit's ``server.maxUploadSize`` and the importers' limit.

    The server refuses larger uploads before any page runs; the page checks again, for every role, so a file that
    reached it another way (a client that skipped the browser's check) is refused the same.
    """
    from geo.importers import _common

    return min(int(st.get_option("server.maxUploadSize")) * 2**20, _common.MAX_BYTES)


def too_large(name: str, data: bytes) -> str | None:
    """The page's sentence for an upload over :func:`upload_limit`, or None."""
    limit = upload_limit()
    if len(data) <= limit:
        return None
    return t(
        "{name} is {size} MB, over the {limit} MB upload limit: nothing was read. Split the file, or import it "
        "from the command line (python -m geo import --max-mb).",
        name=Path(name).name,
        size=f"{len(data) / 2**20:,.1f}",
        limit=f"{limit / 2**20:,.1f}",
    )


def digest(data: bytes) -> str:
    """The SHA-256 of an upload, hexadecimal."""
    return hashlib.sha256(data).hexdigest()


@st.cache_data(show_spinner=False, max_entries=8)
def _columns(digest: str, name: str, _data: bytes) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = _upload_path(tmp, name)
        path.write_bytes(_data)
        try:
            return list(run_within(HEADER_SECONDS, header_columns, path))
        except (GeoError, RuntimeError):
            return []


def columns_of(name: str, data: bytes) -> list[str]:
    """Column names of an uploaded CSV or XLSX, read within bounds (empty when it cannot be read as a table)."""
    return _columns(digest(data), name, data)


def needs_mapping(columns: list[str]) -> bool:
    """A spreadsheet that is no known table (template, ACLED, UCDP: see ``known_format``) needs a mapping step."""
    return bool(columns) and known_format(columns) is None


def commit(result: ImportResult, name: str, sha256: str, actor: Actor | None) -> WriteResult:
    """Write an import into the store as its dataset, in one transaction (:func:`geo.editing.import_dataset`).

    Parameters
    ----------
    result : ImportResult
        What :func:`read_upload` read.
    name : str
        The uploaded file's name.
    sha256 : str
        Its SHA-256 (:func:`digest`): the dataset's source and the audit row record the name and this.
    actor : Actor or None
        Who imports (an editor or an admin; checked before anything is written).

    Raises
    ------
    NotAllowedError
        The actor may not import (nothing written).
    DatasetConflictError
        Some of its ids belong to another dataset (nothing written).
    """
    return editing.import_dataset(_store(), actor, result, name, sha256)


def _store() -> Any:
    return open_store(settings.get().store)


_ID_WORDS = {"acled": "ACLED", "ucdp": "UCDP GED"}


def conflict_sentence(err: DatasetConflictError, fmt: str) -> str:
    """The page's sentence for an import whose ids belong to other datasets (translated)."""
    ids = _ID_WORDS.get(fmt, t("event")) if err.key == "event_id" else t("claim")
    owner = err.only_owner
    if owner is not None and err.updatable("import"):
        return tn(
            "This {ids} id belongs to dataset “{owner}” already; to update that dataset, import into it.",
            "These {n} {ids} ids belong to dataset “{owner}” already; to update that dataset, import into it.",
            err.count,
            ids=ids,
            owner=owner,
        )
    return tn(
        "This {ids} id belongs to {owners} already; ids are unique across datasets: nothing was imported.",
        "These {n} {ids} ids belong to {owners} already; ids are unique across datasets: nothing was imported.",
        err.count,
        ids=ids,
        owners=err.owners_text(),
    )


def import_into(owner: str) -> None:
    """Button callback: read the upload again as dataset ``owner`` and write it there on the next run."""
    st.session_state["import_dataset"] = owner
    st.session_state["import_into"] = owner


def datasets() -> pd.DataFrame:
    """Datasets in the store."""
    return open_store(settings.get().store).datasets()


def delete(name: str, actor: Actor | None) -> int:
    """Delete a dataset (to the trash: an admin can restore it); returns the number of events removed."""
    return editing.delete_dataset(_store(), actor, name)


def delete_and_say(name: str, actor: Actor | None) -> None:
    """Button callback: delete before the page is drawn again, and leave a message for it.

    A callback runs before the page sets the run's language, so the message is put in the session's language here.
    """
    try:
        n = delete(name, actor)
    except GeoError as err:
        st.session_state["import_refused"] = str(err)
        return
    st.session_state["import_deleted"] = tn(
        "Deleted {n} event of “{name}”; an admin can restore it below.",
        "Deleted {n} events of “{name}”; an admin can restore it below.",
        n,
        lang=state.language(),
        name=name,
    )
    st.session_state["import_delete_name"] = None


def deleted() -> pd.DataFrame:
    """Datasets deleted and not restored, newest first (``store.deleted_datasets()``)."""
    return _store().deleted_datasets()


def restore_and_say(deletion: str, name: str, actor: Actor | None) -> None:
    """Button callback: restore a deleted dataset (admins) and leave a message for the page."""
    try:
        n = editing.restore_dataset(_store(), actor, deletion)
    except GeoError as err:
        st.session_state["import_refused"] = str(err)
        return
    st.session_state["import_deleted"] = tn(
        "Restored {n} event of “{name}”.", "Restored {n} events of “{name}”.", n, lang=state.language(), name=name
    )


__all__ = ["HEADER_SECONDS", "MAPPED_FIELDS", "READ_SECONDS", "TEMPLATE", "TEMPLATE_COLUMNS", "DatasetConflictError",
           "GeoError", "TimeLimitError", "columns_of", "commit", "conflict_sentence", "datasets", "delete",
           "delete_and_say", "deleted", "digest", "import_into", "needs_mapping", "read_upload",
           "restore_and_say", "too_large", "upload_limit"]  # fmt: skip
