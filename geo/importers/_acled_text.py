"""What ACLED (and UCDP) free text says: who a source speaks for, what was downed, what was an attack.

Three readings of text, each a small table of phrases:

* :func:`party_of_source` — the party a ``source`` cell speaks for, from
  :data:`PARTY_TABLE`.
* :func:`disruption` and :func:`intercepted_in` — whether a *Disrupted
  weapons use* row is an interception (only those become interception
  claims) and how many drones/missiles its notes say were downed, figures in
  digits or words.
* :func:`strike` — whether an *Explosions/Remote violence* row (or a UCDP
  headline) is an aerial, artillery or missile attack, with its weapon, or
  why it is not one (IEDs, mines, grenades, accidents, assassinations).
"""

from __future__ import annotations

import re

__all__ = [
    "NOTE_REASONS",
    "PARTY_TABLE",
    "disruption",
    "intercepted_in",
    "not_an_attack",
    "party_of_source",
    "strike",
    "weapon_in",
]

# --- party of a source ---------------------------------------------------------------------------

PARTY_TABLE: tuple[tuple[str, str, str], ...] = (
    # party, what it covers, pattern (case-insensitive; (?-i:...) for acronyms). First match decides.
    ("RU", "DPR/LPR (DNR/LNR) officials, forces, press services", r"(?-i:\b(?:DPR|DNR|LPR|LNR)\b)"),
    ("RU", "'people's republics' and their militias", r"people'?s (?:republic|militia)"),
    ("RU", "DPR/LPR news agencies", r"donetsk news agency|(?-i:\bDAN\b)|lugansk ?inform ?cent(?:er|re)|\bLIC\b"),
    ("RU", "Russian-installed officials", r"russian-(?:installed|appointed|backed)|occupation (?:authorit|admin)"),
    (
        "RU",
        "Russia's General Staff",
        r"general staff of (?:the )?(?:armed forces of (?:the )?)?russia|russian general staff",
    ),
    (
        "UA",
        "ATO / JFO headquarters (2014–2022)",
        r"(?-i:\b(?:ATO|JFO)\b)|anti-terrorist operation|joint forces operation",
    ),
    (
        "UA",
        "Ukraine's operational commands and groupings",
        r"operational command (?:south|north|east|west)|(?-i:\bOC (?:South|North|East|West)\b)"
        r"|operational-strategic group|southern defen[cs]e forces",
    ),
    ("UA", "Ukraine's Air Force and Navy", r"air force of ukraine|ukrainian (?:air force|navy)|navy of ukraine"),
    (
        "UA",
        "Ukrainian officials and state media",
        r"of ukraine|ukrainian (?:ministry|government|military|armed forces|general staff|president|parliament)"
        r"|general staff|military administration|(?:regional|oblast) state administration|ukrinform"
        r"|state emergency service|(?-i:\b(?:SBU|HUR|GUR|SESU)\b)|verkhovna rada|zelensk",
    ),
    (
        "RU",
        "Russian officials and state media",
        r"of russia|russian (?:ministry|minister|government|military|armed forces|president|defen[cs]e)"
        r"|kremlin|\btass\b|ria novosti|\bsputnik\b|rossiya|zvezda|(?-i:\b(?:FSB|MoD RF)\b)|kadyrov|wagner"
        r"|(?:governor|head) of (?:the )?(?:belgorod|bryansk|kursk|voronezh|rostov|krasnodar|oryol|tula|kaluga"
        r"|moscow|lipetsk|smolensk|pskov|leningrad|tambov|ryazan|novgorod|saratov|tatarstan|bashkortostan"
        r"|crimea|sevastopol|chechnya|chechen)|mayor of moscow",
    ),
)
"""Who a source speaks for: ``(party, what the row covers, pattern)``, most specific first.

A ``source`` cell is split at ``;``; each part takes the party of the first
row whose pattern it matches. When every part is ``RU`` the claim's party is
``RU``, when every part is ``UA`` it is ``UA``; anything else (media,
monitors, a mix of sides, a part no row matches) is ``independent``.
"""
_PARTY_PATTERNS = tuple((party, re.compile(pattern, re.IGNORECASE)) for party, _, pattern in PARTY_TABLE)


def _party_of_part(part: str) -> str | None:
    for party, pattern in _PARTY_PATTERNS:
        if pattern.search(part):
            return party
    return None


def party_of_source(source: str) -> str:
    """Party of an ACLED ``source`` cell (or UCDP ``source_office``), by :data:`PARTY_TABLE`.

    Parameters
    ----------
    source : str
        The sources, separated by ``;``.

    Returns
    -------
    str
        ``"RU"``, ``"UA"`` or ``"independent"``.

    Examples
    --------
    >>> party_of_source("DPR Armed Forces Press Service")
    'RU'
    >>> party_of_source("Ukrinform; JFO HQ press centre")
    'UA'
    >>> party_of_source("Ministry of Defence of Russia; Reuters")
    'independent'
    """
    parties = {_party_of_part(p.strip()) for p in str(source or "").split(";") if p.strip()}
    if parties == {"RU"}:
        return "RU"
    if parties == {"UA"}:
        return "UA"
    return "independent"


# --- weapons named in text -----------------------------------------------------------------------

_DRONE = re.compile(r"drone|\buav|unmanned aerial|shahed|geran|lancet|quadcopter|бпла|дрон")
_GLIDE = re.compile(r"glide bomb|guided (?:aerial )?bomb|\bkab\b|\bfab\b|\bumpk\b")
_MISSILE = re.compile(r"missile|iskander|kalibr|\bkh-\d|ballistic|cruise|kinzhal|s-300|ракет")
_AIR = re.compile(r"air ?strike|air raid|aerial|aircraft|aviation|helicopter|bomber|warplane|\bjets?\b")
_ARTILLERY = re.compile(r"shell|artillery|mortar|mlrs|multiple rocket|\bgrad\b|uragan|smerch|rocket|tank fire")


# The patterns below are lower case and compiled without re.IGNORECASE (several times faster on
# 100,000 notes): every function lower-cases its text first.


def has_drone(text: str) -> bool:
    """True when ``text`` names a drone (UAV, Shahed, Geran, Lancet…)."""
    return bool(_DRONE.search(text.lower()))


def has_missile(text: str) -> bool:
    """True when ``text`` names a missile (Iskander, Kalibr, Kh-…, ballistic, cruise…)."""
    return bool(_MISSILE.search(text.lower()))


def has_glide_bomb(text: str) -> bool:
    """True when ``text`` names a glide or guided bomb (KAB, FAB, UMPK)."""
    return bool(_GLIDE.search(text.lower()))


def weapon_in(text: str) -> str | None:
    """The weapon an attack's text names: drone, glide bomb, missile, aircraft, artillery (first found), or None."""
    text = text.lower()
    for weapon, pattern in (
        ("drone", _DRONE),
        ("glide_bomb", _GLIDE),
        ("missile", _MISSILE),
        ("air", _AIR),
        ("artillery", _ARTILLERY),
    ):
        if pattern.search(text):
            return weapon
    return None


# --- attacks and what is not one -----------------------------------------------------------------

_WEAPON_NOUN = (
    r"(?:drones?|uavs?|fpvs?|quadcopters?|shaheds?|gerans?|lancets?|missiles?|rockets?|shells?|artillery|mortars?"
    r"|mlrs|aircraft|aviation|helicopters?|glide bombs?|guided (?:aerial )?bombs?|kabs?|air ?strikes?)"
)
_ATTACK = re.compile(
    r"air ?strikes?|air raids?|aerial (?:attack|bombardment|bombing)|shell(?:ed|ing)\b|bombard"
    r"|(?:drone|uav|fpv|quadcopter|shahed|geran|lancet|missile|rocket|artillery|mortar|mlrs|tank|helicopter"
    r"|aircraft|aviation)s? (?:strikes?|struck|attack|fire|fired|hit|dropp|launch|shell)"
    rf"|(?:struck|hit|attacked|targeted|bombed|shelled|killed|injured|wounded) (?:by|with|from|in) (?:an? |the )?"
    rf"(?:[\w-]+ ){{0,2}}?{_WEAPON_NOUN}"
    rf"|dropp(?:ed|ing) (?:[\w-]+ ){{0,4}}?(?:from|by) (?:an? |the )?(?:[\w-]+ ){{0,2}}?(?:drones?|uavs?|quadcopters?)"
    rf"|(?:fired|launched) (?:[\w-]+ ){{0,3}}?{_WEAPON_NOUN}"
    r"|(?:missile|rocket|artillery|mortar|drone) (?:attack|strike)",
)
_NOT_ATTACK: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    # reason, words one of which every match holds (a quick test before the pattern), pattern
    (
        "an accident",
        (
            "accident",
            "mishandl",
            "careless",
            "negligen",
            "self-detonat",
            "misfire",
            "handl",
            "dismantl",
            "disassembl",
            "playing with",
        ),
        re.compile(
            r"accident|mishandl|careless|negligen|self-detonat|misfire|improper(?:ly)? handl"
            r"|(?:handling|dismantling|disassembling|playing with) (?:an? |the )?(?:[\w-]+ )?"
            r"(?:grenade|explosive|munition|shell|mine|ordnance)",
        ),
    ),
    (
        "demining, defusal or unexploded ordnance",
        (
            "demin",
            "de-min",
            "defus",
            "disposal",
            "sapper",
            "pyrotechnic",
            "ordnance",
            "eod",
            "unexploded",
            "uxo",
            "remnants",
            "mine",
            "clearing",
        ),
        re.compile(
            r"demin|de-min|defus|bomb[- ]disposal|sappers?\b|pyrotechnic|explosive ordnance|\beod\b|unexploded"
            r"|\buxo\b|explosive remnants|mine[- ]clear|clearing (?:of )?mines",
        ),
    ),
    (
        "an assassination, car bomb or planted explosive",
        (
            "assassinat",
            "car bomb",
            "exploded",
            "blew up",
            "blown up",
            "vbied",
            "planted",
            "booby",
            "elevator",
            "lift shaft",
            "parcel bomb",
            "targeted killing",
            "improvised",
            "ied",
            "explosive device",
            "suicide bomb",
        ),
        re.compile(
            r"assassinat|car bomb|(?:car|vehicle|scooter|bicycle) (?:exploded|blew up|was blown up)|vbied|planted"
            r"|booby[- ]trap|elevator|lift shaft|parcel bomb|targeted killing|improvised explosive|\bied\b"
            r"|explosive device|suicide bomb",
        ),
    ),
    (
        "a landmine",
        ("mine", "tripwire"),
        re.compile(
            r"land ?mines?|anti-(?:personnel|tank) mines?|(?:stepped on|ran over|drove over|hit|detonated) an? "
            r"(?:[\w-]+ )?mine\b|tripwire|mine (?:explo|blast|detonat)",
        ),
    ),
)
_ATTACK_WORDS = (
    *("drone", "uav", "fpv", "quadcopter", "shahed", "geran", "lancet", "missile", "rocket", "artillery", "mortar"),
    *("mlrs", "tank", "helicopter", "aircraft", "aviation", "shell", "bombard", "air", "aerial", "glide", "guided"),
    "kab",
)
"""Every match of ``_ATTACK`` holds one of these (a quick test before the pattern)."""
NOTE_REASONS = frozenset(
    [*(reason for reason, _, _ in _NOT_ATTACK), "no aerial, artillery or missile attack described"]
)
"""The reasons :func:`strike` gives from the notes (any other reason is the sub-event type itself)."""


def _attack(low: str) -> bool:
    return any(w in low for w in _ATTACK_WORDS) and bool(_ATTACK.search(low))


def _not_attack(low: str) -> str | None:
    for reason, words, pattern in _NOT_ATTACK:
        if any(w in low for w in words) and pattern.search(low):
            return reason
    return None


def strike(sub_event_type: str | None, notes: str) -> tuple[str | None, str | None]:
    """Is an explosion an aerial, artillery or missile attack? Its weapon, or why it is not one.

    ACLED's ``sub_event_type`` is read first: *Air/drone strike* and
    *Shelling/artillery/missile attack* are attacks unless the notes describe
    an accident, demining or unexploded ordnance, an assassination or planted
    explosive, or a landmine without describing an attack; any other
    sub-event type (*Remote explosive/landmine/IED*, *Grenade*, *Suicide
    bomb*, *Chemical weapon*) is not one unless the notes describe an aerial,
    artillery or missile attack (a drone dropping a grenade). With no
    sub-event type (ACLED 2016's *Remote violence*, a UCDP headline) the
    notes must name a weapon of those kinds and describe nothing of the
    above.

    Parameters
    ----------
    sub_event_type : str or None
        ACLED's sub-event type; None when the source has none.
    notes : str
        The notes (or headline and place).

    Returns
    -------
    tuple of (str or None, str or None)
        ``(weapon, None)`` for an attack (weapon ``drone``, ``glide_bomb``,
        ``missile``, ``air``, ``artillery`` or ``unknown``), ``(None, reason)``
        otherwise: the sub-event type as written when it is not an attack
        type, else one of :data:`NOTE_REASONS`.

    Examples
    --------
    >>> strike("Grenade", "A soldier was killed by careless handling of a grenade.")
    (None, 'Grenade')
    >>> strike(None, "An IED exploded under a car in Mariupol.")
    (None, 'an assassination, car bomb or planted explosive')
    >>> strike("Grenade", "A Russian drone dropped a grenade on a car in Kherson.")
    ('drone', None)
    """
    text = (notes or "").lower()
    sub = (sub_event_type or "").strip()
    why = _not_attack(text)
    if sub.lower() == "air/drone strike":
        if why and not _attack(text):
            return None, why
        return ("drone" if _DRONE.search(text) else "glide_bomb" if _GLIDE.search(text) else "air"), None
    if sub.lower() == "shelling/artillery/missile attack":
        if why and not _attack(text):
            return None, why
        return ("missile" if _MISSILE.search(text) else "artillery"), None
    if _attack(text):
        return weapon_in(text) or "unknown", None
    if sub:
        return None, sub
    if not why and (weapon := weapon_in(text)):
        return weapon, None
    return None, why or "no aerial, artillery or missile attack described"


def not_an_attack(text: str) -> str | None:
    """Why ``text`` describes no attack although it names a weapon: an accident, a mine… (None: it may be one).

    Used where a source has no sub-event type to read first (UCDP's headlines).
    """
    low = (text or "").lower()
    why = _not_attack(low)
    return why if why and not _attack(low) else None


# --- disrupted weapons use -----------------------------------------------------------------------

_SHOT = re.compile(
    r"shot down|shooting down|downed|intercept|air[- ]defen[cs]e|anti-aircraft|electronic warfare|\bew\b|jamm",
)
_DEFUSED = re.compile(
    r"defus|demin|de-min|disarm|bomb[- ]disposal|sappers?\b|pyrotechnic|explosive ordnance|\beod\b|unexploded"
    r"|mine[- ]clear|clearing (?:of )?mines|dismantl"
    r"|neutrali[sz]ed (?:an? |the )?(?:[\w-]+ )?(?:explosive|bomb|ied|mine|device|ordnance)",
)
_SEIZED = re.compile(
    r"seiz|cache|confiscat|stash|arms depot|smuggl|illegal(?:ly)? (?:held|stored|kept)"
    r"|(?:found|discovered|uncovered) (?:an? |the )?(?:[\w-]+ ){0,2}?(?:weapons|arms|ammunition|explosives|grenades)",
)
_DESTROYED = re.compile(r"destroy|neutrali[sz]|suppress|repel|repuls")
_AERIAL = re.compile(
    r"drone|\buav|quadcopter|missile|rocket|shahed|geran|lancet|aircraft|helicopter|glide bomb|guided (?:aerial )?bomb"
    r"|\bkab\b|balloon|projectile",
)


def disruption(notes: str) -> str | None:
    """Is a *Disrupted weapons use* row an interception? None when it is, else why not.

    Parameters
    ----------
    notes : str
        ACLED's ``notes``.

    Returns
    -------
    str or None
        None for an interception (shot down, downed, intercepted, air
        defence, electronic warfare; or drones/missiles destroyed); else the
        reason: ``"a defusal or demining"``, ``"weapons seized or a cache
        found"`` or ``"no interception described"``.

    Examples
    --------
    >>> disruption("Russian air defence shot down 25 drones over Kursk.")
    >>> disruption("SBU officers found a weapons cache near Kramatorsk.")
    'weapons seized or a cache found'
    """
    text = (notes or "").lower()
    if _SHOT.search(text):
        return None
    if _DEFUSED.search(text):
        return "a defusal or demining"
    if _SEIZED.search(text):
        return "weapons seized or a cache found"
    if _DESTROYED.search(text) and _AERIAL.search(text):
        return None
    return "no interception described"


_UNITS = [
    *("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"),
    *("thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"),
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORD_VALUES: dict[str, int] = {w: i for i, w in enumerate(_UNITS, start=1)}
_WORD_VALUES.update({w: 10 * i for i, w in enumerate(_TENS, start=2)})
_WORD_VALUES.update({"a": 1, "an": 1, "dozen": 12, "a dozen": 12})
_UNIT = "|".join(sorted(_UNITS, key=len, reverse=True))
_NUMBER_WORDS = (
    rf"(?:(?:a|one|two|three|four|five|six|seven|eight|nine) hundred|a dozen|dozen"
    rf"|(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_UNITS[:9])}))?|{_UNIT}|an|a)"
)
_QUALIFIER = (
    r"(?P<q>at least |over |more than |up to |about |around |some |approximately |nearly |almost |as many as )?"
)
_THING = (
    r"(?:drones?|uavs?|unmanned aerial vehicles?|quadcopters?|missiles?|rockets?|shaheds?|gerans?|lancets?"
    r"|projectiles?|glide bombs?|guided (?:aerial )?bombs?|kabs?)"
)
_FILLER = r"(?:(?!\d)(?!(?:and|or|of|with|by|over|in|near)\b)[^\s,;.]+\s+){0,4}?"
_ITEM = rf"{_QUALIFIER}(?P<n>\d[\d,]*|{_NUMBER_WORDS})(?:\s+of(?: the)? \d[\d,]*)?\s+{_FILLER}{_THING}\b"
_ITEM_RE = re.compile(rf"\b{_ITEM}")
_LIST = rf"\b{_ITEM}(?:(?:\s*,\s*(?:and\s+)?|\s+(?:and|as well as|plus)\s+){_ITEM})*"
_LIST_PLAIN = _LIST.replace("?P<q>", "?:").replace("?P<n>", "?:")
_VERB = r"(?:shot down|downed|intercepted|destroyed|neutrali[sz]ed|suppressed)"
_VERB_RE = re.compile(_VERB)
_AFTER_VERB = re.compile(rf"(?:\s+(?:and|or)\s+{_VERB})?\s+(?:a total of\s+|in total\s+)?(?P<list>{_LIST_PLAIN})")
_BEFORE_VERB = re.compile(rf"(?P<list>{_LIST_PLAIN})\s+(?:were |was |had been |have been |has been )?$")
_ENDS_WITH_THING = re.compile(rf"{_THING}\s+(?:were |was |had been |have been |has been )?$")
_WINDOW = 240
"""How far before a verb a passive list ("12 UAVs and 2 missiles were shot down") may start."""
_BOUNDS = {"at least": "at_least", "over": "at_least", "more than": "at_least", "up to": "at_most"}


def _number(text: str) -> float:
    """A figure in digits or words: ``"1,200"``, ``"six"``, ``"twenty-five"``, ``"an"``, ``"two hundred"``."""
    t = text.lower().replace(",", "")
    if t[0].isdigit():
        return float(t)
    if t.endswith(" hundred"):
        return 100.0 * _WORD_VALUES.get(t.split()[0], 1)
    parts = re.split(r"[- ]", t)
    if len(parts) == 2 and parts[0] in _TENS:
        return float(_WORD_VALUES[parts[0]] + _WORD_VALUES[parts[1]])
    return float(_WORD_VALUES[t])


def intercepted_in(notes: str) -> tuple[float | None, str | None]:
    """Number of drones/missiles ``notes`` say were downed, with its bound.

    Figures are read in digits or words, with model names between the figure
    and the noun ("shot down 10 Russian 'Shahed-136/131' drones" → 10, "six
    drones" → 6, "a drone" → 1) and summed over a list ("two missiles and 25
    drones" → 27); "over 20" is at least 20.

    Parameters
    ----------
    notes : str
        ACLED's ``notes``.

    Returns
    -------
    tuple of (float or None, str or None)
        The total and its bound (``exact``, ``at_least``, ``at_most``,
        ``about``), or ``(None, None)`` when no figure is stated.

    Examples
    --------
    >>> intercepted_in("Russian air defence shot down 25 drones over Kursk.")
    (25.0, 'exact')
    >>> intercepted_in("Over 30 Ukrainian UAVs were destroyed; 2 missiles intercepted.")
    (32.0, 'at_least')
    >>> intercepted_in("Air defence shot down two missiles and 25 drones.")
    (27.0, 'exact')
    """
    total = 0.0
    bounds: set[str] = set()
    seen: set[tuple[int, int]] = set()
    text = (notes or "").lower()
    found: list[tuple[int, str]] = []
    for verb in _VERB_RE.finditer(text):
        if after := _AFTER_VERB.match(text, verb.end()):
            found.append((after.start("list"), after.group("list")))
        begin = max(0, verb.start() - _WINDOW)
        window = text[begin : verb.start()]
        if _ENDS_WITH_THING.search(window) and (before := _BEFORE_VERB.search(window)):
            found.append((begin + before.start("list"), before.group("list")))
    for start, listed in found:
        for item in _ITEM_RE.finditer(listed):
            span = (start + item.start("n"), start + item.end("n"))
            if span in seen:
                continue
            seen.add(span)
            total += _number(item.group("n"))
            q = (item.group("q") or "").strip().lower()
            bounds.add(_BOUNDS.get(q, "about" if q else "exact"))
    if not seen:
        return None, None
    if len(bounds) == 1:
        return total, bounds.pop()
    if bounds <= {"exact", "at_least"}:
        return total, "at_least"
    return total, "about"
