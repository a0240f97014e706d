"""Store locations as they may be shown: never a password."""

from __future__ import annotations

import re
import urllib.parse

__all__ = ["shown"]


def shown(url: str) -> str:
    """A URL as it may be shown: its password replaced by ``***`` (also a ``password=`` parameter)."""
    try:
        parts = urllib.parse.urlsplit(url)
        password = parts.password
    except ValueError:
        return url.split("://", 1)[0] + "://…"
    if password:
        host = parts.netloc.rsplit("@", 1)[1]
        parts = parts._replace(netloc=f"{parts.username or ''}:***@{host}")
    query = re.sub(r"(?i)(^|&)password=[^&]*", r"\1password=***", parts.query)
    return urllib.parse.urlunsplit(parts._replace(query=query))
