"""Names: regions and countries (any language the reference data has), layers and counts, statuses,
precisions, stances, descriptor columns and values."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Final

from geo import layers, schema
from geo.i18n import N_, language, t, tn
from geo.present.values import missing

__all__ = [
    "column_label",
    "count",
    "country_name",
    "in_order",
    "layer_label",
    "layer_word",
    "precision_label",
    "region_label",
    "region_name",
    "stance_label",
    "status_label",
    "value_label",
]

_STATUS: Final = {
    "claimed": (N_("claimed"), N_("claimed (one side asserts)")),
    "disputed": (N_("disputed"), N_("disputed (the other side denies)")),
    "confirmed": (N_("confirmed"), N_("confirmed (corroborated or conceded)")),
    "retracted": (N_("retracted"), N_("retracted")),
    "contested": (N_("contested"), N_("contested (fighting reported)")),
}
_PRECISION: Final = {
    "exact": N_("exact location"),
    "near": N_("approximate location (near)"),
    "admin2": N_("located to a district"),
    "admin1": N_("located only to the region"),
    "country": N_("located only to the country"),
    "unknown": N_("location unknown"),
}
_STANCE: Final = {
    "asserts": N_("asserts"),
    "revises": N_("revises"),
    "denies": N_("denies"),
    "retracts": N_("retracts"),
    "corroborates": N_("corroborates"),
    "reports_fighting": N_("reports fighting"),
}
_COLUMNS: Final = {
    "weapon": N_("weapon"),
    "target_type": N_("target"),
    "impact_type": N_("impact"),
    "side": N_("side"),
    "status": N_("status"),
    "party": N_("party"),
}
_VALUES: Final = (
    *(N_("drone"), N_("missile"), N_("glide bomb"), N_("artillery"), N_("air"), N_("mixed"), N_("unknown")),
    *(N_("energy"), N_("military"), N_("industrial"), N_("residential"), N_("transport"), N_("other")),
    *(N_("power"), N_("heating"), N_("water"), N_("evacuation"), N_("casualties"), N_("damage")),
)
"""Descriptor values (weapons, target and impact types) as messages, for the catalog."""
_COUNTRIES: Final = {"UA": N_("Ukraine"), "RU": N_("Russia"), "BY": N_("Belarus")}


@lru_cache(maxsize=8)
def _region_names(reference_dir: str, lang: str) -> dict[str, str]:
    from geo import reference

    admin1 = reference.load_admin1(simplified=True)
    names: dict[str, str] = {}
    column = f"name_{lang}" if f"name_{lang}" in admin1.columns else "name_en"
    for code, name, en, kind in zip(
        admin1["iso_3166_2"], admin1[column], admin1["name_en"], admin1["type_en"], strict=True
    ):
        label = str(name) if isinstance(name, str) and name.strip() else str(en)
        if column == "name_en" and kind == "Region" and not label.endswith(("Oblast", "Region")):
            label += " Region" if code.startswith("BY-") else " Oblast"
        names[code] = label
    return names


def region_name(code: str, lang: str | None = None) -> str:
    """A region's name as a briefing writes it: ``Bryansk Oblast``, ``Kyiv`` (the city); the code if unknown.

    Parameters
    ----------
    code : str
        ISO 3166-2 code.
    lang : str, optional
        Language (default: the current one); names come from the reference
        data (English, Ukrainian, Russian), English for any other language.

    Returns
    -------
    str
        The name.
    """
    from geo import settings

    lang = lang or language()
    key = str(code).strip().upper()
    return _region_names(str(settings.get().reference_dir), lang).get(key) or key


def region_label(codes: object, *, with_code: bool = True, lang: str | None = None) -> str:
    """Names of the regions of a (multi-valued) ``admin1`` cell: ``Zaporizhzhia Oblast (UA-23); …``.

    Parameters
    ----------
    codes : object
        One code, a ``;``-joined cell or a sequence of codes.
    with_code : bool
        Add each code in brackets.
    lang : str, optional
        Language.

    Returns
    -------
    str
        Plain text (escape it for HTML); ``""`` for a missing cell.
    """
    parts = list(codes) if isinstance(codes, (list, tuple)) else schema.split_multi(codes)
    names = [region_name(c, lang) for c in parts]
    if with_code:
        return "; ".join(f"{n} ({c})" if n != c else c for n, c in zip(names, parts, strict=True))
    return ", ".join(names)


def country_name(code: str) -> str:
    """A country's name from its ISO 3166-1 alpha-2 code (``UA`` → Ukraine).

    Parameters
    ----------
    code : str
        The code.

    Returns
    -------
    str
        The name, translated; the code when unknown.
    """
    name = _COUNTRIES.get(str(code).upper())
    return t(name) if name else str(code)


def layer_label(name: str) -> str:
    """A layer's name ("Claimed captures"), translated; the name itself for an unknown layer.

    Parameters
    ----------
    name : str
        Layer name.

    Returns
    -------
    str
        Its label.
    """
    spec = layers.get(name, None)
    return t(spec.label) if spec else str(name)


def layer_word(name: str) -> str:
    """A layer as a filter in words names it ("captures").

    Parameters
    ----------
    name : str
        Layer name.

    Returns
    -------
    str
        Its word.
    """
    spec = layers.get(name, None)
    return t(spec.word) if spec else str(name)


def count(n: float, layer: str | None = None, *, noun: tuple[str, str] | None = None) -> str:
    """A count with its noun: ``3 capture claims``, ``1 strike``, ``1,204 events``.

    Parameters
    ----------
    n : float
        The count.
    layer : str, optional
        Layer whose nouns to use (default "event"/"events").
    noun : (str, str), optional
        Singular and plural noun instead.

    Returns
    -------
    str
        The count and noun, in the plural form the language takes.
    """
    spec = layers.get(layer, None) if layer else None
    singular, plural = noun or ((spec.noun, spec.nouns) if spec else ("event", "events"))
    return tn("{n} " + singular, "{n} " + plural, n)


def status_label(status: object, *, long: bool = False) -> str:
    """A status as the legend writes it: ``disputed`` or ``disputed (the other side denies)``.

    Parameters
    ----------
    status : object
        One of :data:`geo.schema.STATUSES`.
    long : bool
        Add what it means.

    Returns
    -------
    str
        The label; ``""`` when missing.
    """
    if missing(status):
        return ""
    pair = _STATUS.get(str(status))
    return t(pair[1] if long else pair[0]) if pair else str(status)


def precision_label(precision: object) -> str:
    """How precisely an event is located ("located only to the region").

    Parameters
    ----------
    precision : object
        One of :data:`geo.schema.GEO_PRECISIONS`.

    Returns
    -------
    str
        The label; ``""`` when missing.
    """
    if missing(precision):
        return ""
    label = _PRECISION.get(str(precision))
    return t(label) if label else str(precision)


def stance_label(stance: object) -> str:
    """A claim's stance ("reports fighting").

    Parameters
    ----------
    stance : object
        One of :data:`geo.schema.STANCES`.

    Returns
    -------
    str
        The label; ``""`` when missing.
    """
    if missing(stance):
        return ""
    label = _STANCE.get(str(stance))
    return t(label) if label else str(stance).replace("_", " ")


def column_label(column: str) -> str:
    """An event column as a reader names it: ``target`` for ``target_type`` (translated).

    Parameters
    ----------
    column : str
        The column.

    Returns
    -------
    str
        Its label.
    """
    label = _COLUMNS.get(column)
    return t(label) if label else column.removesuffix("_type").replace("_", " ")


def value_label(column: str, value: object) -> str:
    """A descriptor value as a reader says it: ``glide bomb`` for ``glide_bomb`` (translated).

    Parameters
    ----------
    column : str
        The event column (``weapon``, ``target_type``…), for context.
    value : object
        Its value.

    Returns
    -------
    str
        The label; ``""`` when missing.
    """
    if missing(value):
        return ""
    return t(str(value).replace("_", " "))


def in_order(values: Sequence[str], order: Sequence[str]) -> list[str]:
    """Values sorted by their place in ``order`` (others after, alphabetically).

    Parameters
    ----------
    values : sequence of str
        The values.
    order : sequence of str
        The order.

    Returns
    -------
    list of str
        Sorted values.
    """
    rank = {v: i for i, v in enumerate(order)}
    return sorted(values, key=lambda v: (rank.get(v, len(order)), v))
