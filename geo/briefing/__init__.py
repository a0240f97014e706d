"""Briefing-grade exports: the content every layout (slide, PDF, PowerPoint) renders.

:mod:`geo.briefing.content` builds what a briefing says — the map frame, the
key claims with their histories and answers, the honest totals, the numbered
sources and the filter in words — as plain dataclasses, apart from any
layout. Import from ``geo.briefing``.
"""

from __future__ import annotations

from geo.briefing.content import (
    Answer,
    Briefing,
    ClaimLine,
    ClaimRow,
    Figure,
    Source,
    TotalLine,
    Verdict,
    briefing,
    claim_rows,
    filter_words,
    frame,
    honest_totals,
    key_claims,
    sources,
)

__all__ = [
    "Answer",
    "Briefing",
    "ClaimLine",
    "ClaimRow",
    "Figure",
    "Source",
    "TotalLine",
    "Verdict",
    "briefing",
    "claim_rows",
    "filter_words",
    "frame",
    "honest_totals",
    "key_claims",
    "sources",
]
