"""Wording rules of the claims extractor: quantities, hedges, measures and periods.

Pure regexes and tables, no I/O. Every rule is listed in ``docs/claims.md``
("Extraction rules"); a change here changes what ``critmin claims extract`` drafts.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "HEDGES",
    "MEASURE_RULES",
    "NUMBER_WORDS",
    "Hit",
    "clause_cuts",
    "dedupe",
    "hedge_before",
    "hits",
    "infer_measure",
    "modal",
    "money_text",
    "period_years",
    "to_number",
]

NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9}
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twenty": 20,
    "a": 1,
}
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
FRACTIONS = {
    "half": 0.5,
    "a third": 1 / 3,
    "one third": 1 / 3,
    "two thirds": 2 / 3,
    "a quarter": 0.25,
    "one quarter": 0.25,
    "three quarters": 0.75,
}
MULTIPLES = {
    "doubled": 2.0,
    "double": 2.0,
    "tripled": 3.0,
    "triple": 3.0,
    "quadrupled": 4.0,
    "halved": 0.5,
    "twofold": 2.0,
    "threefold": 3.0,
    "fourfold": 4.0,
    "fivefold": 5.0,
    "tenfold": 10.0,
}

MONEY = re.compile(
    rf"(?:US\$|\$|USD\s?)\s?(?P<num>{NUM})(?:\s?(?P<scale>million|billion|thousand|bn|mn|m|k)\b)?"
    r"(?:\s?(?:per|a|/)\s?(?P<per>metric\s+tonne|metric\s+ton|tonne|ton|t|kilogram|kg|pound|lb|ounce|oz)s?\b)?"
)
MASS = re.compile(
    rf"(?P<num>{NUM})(?:\s?(?P<scale>million|thousand|billion)\b)?\s?"
    r"(?P<unit>metric\s+tons|metric\s+tonnes|metric\s+ton|kilotonnes|kilotons|tonnes|tons|tonne|ton|t|kt|Mt|kilograms|kg|ounces|oz)\b"
    r"(?P<rate>\s?(?:a|per)\s?year|/yr|/year)?"
)
PERCENT = re.compile(rf"(?P<num>{NUM})\s?(?:%|percent\b|per\s+cent\b)")
FROM_TO = re.compile(
    rf"\bfrom\s+(?P<a>{NUM})\s*(?:(?P<sa>million|billion|thousand)\s+)?(?:[a-z$%]+\s+)?to\s+(?P<b>{NUM})"
    r"(?:\s?(?P<sb>million|billion|thousand))?(?P<unit>\s?(?:square\s+kilometers|square\s+kilometres|km2|km²|%|tons|tonnes|t)\b)?"
)
OF_COUNT = re.compile(
    r"\b(?P<a>\d+)\s+(?:out\s+)?of\s+(?P<b>\d+)\s+(?P<noun>wells|holes|drillholes|drill\s+holes|boreholes|samples|assays|intercepts)\b"
)
MULTIPLE = re.compile(
    r"\b(?P<word>doubled|double|tripled|triple|quadrupled|halved|twofold|threefold|fourfold|fivefold|tenfold|"
    r"(?P<n>\d+|two|three|four|five|ten)[\s-]?fold)\b",
    re.I,
)
FRACTION = re.compile(
    r"\b(?P<frac>three[\s-]quarters|two[\s-]thirds|one[\s-]third|a\s+third|a\s+quarter|one[\s-]quarter|half)\s+of\b",
    re.I,
)
RANK = re.compile(
    r"\b(?:(?P<ord>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))[\s-]+"
    r"(?:largest|biggest|leading|top)|(?:among\s+the\s+)?top[\s-]+(?P<top>\d+|three|five|ten|twenty)|"
    r"No\.\s?(?P<no>\d+)|(?P<largest>(?:world['’]s|global|the)\s+(?:largest|biggest|leading|top))|"
    r"(?P<oneof>one\s+of\s+the\s+(?P<oneofn>\d+|three|five|ten|twenty)\s+(?:largest|biggest|leading)))"
    r"(?P<gap>(?:\s+[\w’'-]+){0,3}?)\s+(?P<noun>producers?|suppliers?|miners?|refiners?|exporters?|importers?|"
    r"consumers?|holders?|countries|nations|source|sources|reserves?)\b",
    re.I,
)
EXPORT_CURBS = re.compile(
    r"\bexport\s+(?:restrictions|controls|curbs|bans?|licen[cs]ing|limits)\s+on\b", re.I
)
DOMINANCE = re.compile(
    r"\b(?:dependence|reliance|dependency)\s+on\s+|\bdominated\s+by\s+|\bdominance\s+of\s+", re.I
)
BARE = re.compile(
    rf"(?<![\w.,$/-])(?P<num>{NUM})(?:\s(?P<scale>million|billion|thousand))?(?![\w%/-]|\.\d|,\d)"
)
YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
DEPOSIT = re.compile(
    r"\b(?:deposit|site|project|prospect|plant|facility|concession|licen[cs]e\s+area|field)s?\b",
    re.I,
)
GRADE = re.compile(
    r"\b(?:grades?|concentrations?|assays?|content|purity|contain(?:s|ed|ing)?)\b", re.I
)
#: Trade wording: a figure about exports or imports is not production (no trade data in checks).
TRADE = re.compile(r"\b(?:export(?:s|ed|ing)?|import(?:s|ed|ing)?|shipped|shipments?)\b", re.I)
#: A part of output, not national output: an artisanal or traceable batch, a cargo, a stockpile.
SUBSET = re.compile(r"\b(?:artisanal|traceable|batch|cargo|stockpiles?|first\s+[\d,.]+)\b", re.I)
#: "80 per cent is produced in China": a world share without the word "world".
PRODUCED_IN = re.compile(r"\b(?:is|are|was|were)\s+(?:produced|mined|refined|made)\s+in\b", re.I)
#: A duration ("for 4 months") is not a claim about the data.
DURATION = re.compile(r"^\s*(?:-\s*)?(?:days?|weeks?|months?|years?|hours?)\b", re.I)
PRICE = re.compile(r"\bprices?\b", re.I)
GROWTH_UP = re.compile(
    r"\b(?:increase[sd]?|rise|rose|risen|growth|grew|grown|jump(?:ed)?|gain(?:ed)?|climb(?:ed)?|up|higher|surge[sd]?)\b",
    re.I,
)
GROWTH_DOWN = re.compile(
    r"\b(?:decrease[sd]?|decline[sd]?|fall|fell|fallen|drop(?:ped)?|down|lower|slump(?:ed)?|plunge[sd]?)\b",
    re.I,
)
WORLD_SHARE = re.compile(
    r"\b(?:of\s+(?:the\s+)?(?:world|global|worldwide)|world['’]s|global\s+(?:supply|output|production|market)|"
    r"market\s+share|share)\b",
    re.I,
)
ORE = re.compile(r"\bof\s+ore\b|\bore\b", re.I)


#: Hedge words (lower case) -> (operator, approximate). Approximate figures get the wider
#: tolerance (``TOLERANCES["about"]``); ``ge``/``le`` compare with no tolerance.
HEDGES: dict[str, tuple[str, bool]] = {
    "more than": ("ge", False),
    "over": ("ge", False),
    "above": ("ge", False),
    "exceeding": ("ge", False),
    "in excess of": ("ge", False),
    "at least": ("ge", False),
    "upwards of": ("ge", False),
    "less than": ("le", False),
    "fewer than": ("le", False),
    "under": ("le", False),
    "below": ("le", False),
    "at most": ("le", False),
    "no more than": ("le", False),
    "up to": ("le", False),
    "as high as": ("le", False),
    "as much as": ("le", False),
    "about": ("eq", True),
    "around": ("eq", True),
    "approximately": ("eq", True),
    "roughly": ("eq", True),
    "some": ("eq", True),
    "nearly": ("eq", True),
    "almost": ("eq", True),
    "close to": ("eq", True),
    "an estimated": ("eq", True),
    "estimated": ("eq", True),
    "circa": ("eq", True),
    "~": ("eq", True),
}
_HEDGE_RE = re.compile(
    r"(?:^|[\s(])(?P<h>"
    + "|".join(re.escape(h) for h in sorted(HEDGES, key=len, reverse=True))
    + r")\s*(?:of\s+)?(?:the\s+)?$",
    re.I,
)
_MODAL = re.compile(
    r"\b(?:could|may|might|would|will|expected\s+to|expects?\s+to|plans?\s+to|planned|aims?\s+to|"
    r"targets?|potential|projected|forecasts?|set\s+to|intends?\s+to)\b",
    re.I,
)

#: Tolerances by claim type: (plain figure, approximate figure). Relative for quantity,
#: value and growth; absolute (share points) for shares.
TOLERANCES: dict[str, tuple[float, float]] = {
    "quantity": (0.05, 0.10),
    "value": (0.05, 0.10),
    "growth": (0.05, 0.10),
    "growth_multiple": (0.15, 0.15),
    "share": (0.01, 0.05),
}

#: Wording -> measure, first match wins (checked on the words around the figure).
MEASURE_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\breserves?\b", re.I), "reserves"),
    (re.compile(r"\bcapacity\b", re.I), "capacity"),
    (
        re.compile(r"\brefin(?:e|es|ed|ery|eries|ing|er|ers)\b|\bprocessing\b|\bsmelt", re.I),
        "refinery_production",
    ),
    (re.compile(r"\bprimary\b", re.I), "primary_production"),
    (
        re.compile(r"\bmin(?:e|es|ed|ing|er|ers)\b|\bore\s+(?:production|output)\b", re.I),
        "mine_production",
    ),
]


def infer_measure(words: str) -> str | None:
    """Measure read from the wording (None: the commodity's default production measure)."""
    for pat, measure in MEASURE_RULES:
        if pat.search(words):
            return measure
    return None


def hedge_before(text: str, pos: int) -> tuple[str | None, str, bool]:
    """Hedge word just before ``pos``: (word, operator, approximate); ``(None, "eq", False)`` if none."""
    m = _HEDGE_RE.search(text[max(0, pos - 30) : pos])
    if not m:
        return None, "eq", False
    word = m.group("h").lower()
    op, approx = HEDGES[word]
    return word, op, approx


def modal(text: str) -> str | None:
    """The modal or planning word of a clause ("could", "plans to"), if any."""
    m = _MODAL.search(text)
    return m.group(0).lower() if m else None


def to_number(num: str, scale: str | None = None) -> float:
    """'250,000' -> 250000.0; ('1', 'million') -> 1e6."""
    v = float(num.replace(",", ""))
    return v * SCALE.get((scale or "").lower(), 1.0)


_PERIOD = re.compile(
    r"\b(?:over|in|during|within)\s+(?:the\s+)?(?:past|last|previous)?\s*(?P<dec>decade)\b|"
    r"\b(?:over|in|during|within)\s+(?:the\s+)?(?:past|last|previous)?\s*(?P<n>\d+|two|three|four|five|six|seven|eight|nine|ten|twenty)\s+years\b|"
    r"\bsince\s+(?P<since>(?:19|20)\d\d)\b|\bfrom\s+(?P<y0>(?:19|20)\d\d)\s+to\s+(?P<y1>(?:19|20)\d\d)\b|"
    r"\bbetween\s+(?P<b0>(?:19|20)\d\d)\s+and\s+(?P<b1>(?:19|20)\d\d)\b",
    re.I,
)


def period_years(text: str, end_default: int | None) -> tuple[int | None, int | None, str | None]:
    """(start, end, wording) of a period stated in ``text``; end defaults to ``end_default``."""
    m = _PERIOD.search(text)
    if not m:
        return None, None, None
    if m.group("y0"):
        return int(m.group("y0")), int(m.group("y1")), m.group(0)
    if m.group("b0"):
        return int(m.group("b0")), int(m.group("b1")), m.group(0)
    if m.group("since"):
        return int(m.group("since")), end_default, m.group(0)
    if end_default is None:
        return None, None, m.group(0)
    if m.group("dec"):
        return end_default - 10, end_default, m.group(0)
    n = m.group("n").lower()
    years = int(n) if n.isdigit() else NUMBER_WORDS[n]
    return end_default - years, end_default, m.group(0)


@dataclass
class Hit:
    """A figure found in a sentence: its kind, span and the regex groups."""

    kind: str
    start: int
    end: int
    data: dict[str, Any]


def hits(s: str) -> list[Hit]:
    """Figures of a sentence, earlier patterns winning overlaps."""
    found: list[Hit] = []

    def free(a: int, b: int) -> bool:
        return all(b <= h.start or a >= h.end for h in found)

    for kind, pat in (
        ("rank", RANK),
        ("count", OF_COUNT),
        ("from_to", FROM_TO),
        ("money", MONEY),
        ("percent", PERCENT),
        ("mass", MASS),
        ("multiple", MULTIPLE),
        ("fraction", FRACTION),
        ("bare", BARE),
    ):
        for m in pat.finditer(s):
            if not free(m.start(), m.end()):
                continue
            if kind == "bare":
                v = m.group("num")
                if YEAR.fullmatch(v) or (s[max(0, m.start() - 1) : m.start()] == "-"):
                    continue
                if DURATION.match(s[m.end() :]):
                    continue
            if kind == "from_to" and YEAR.fullmatch(m.group("a")):
                continue
            found.append(Hit(kind, m.start(), m.end(), m.groupdict()))
    return sorted(found, key=lambda h: h.start)


_CLAUSE = re.compile(r",\s*(?:with|while|and|but)\b|;|\s+and\s+(?=an?\b|the\b)|,\s+")


def clause_cuts(s: str, hits: list[Hit]) -> list[int]:
    """Window bounds of each figure: cut between two figures at the last clause break."""
    cuts = [0]
    for h0, h1 in itertools.pairwise(hits):
        between = s[h0.end : h1.start]
        ms = list(_CLAUSE.finditer(between))
        cuts.append(h0.end + ms[-1].start() if ms else h0.end)
    cuts.append(len(s))
    return cuts


def money_text(v: float) -> str:
    if v >= 1e9:
        return f"{v / 1e9:g} USD billion"
    if v >= 1e6:
        return f"{v / 1e6:g} USD million"
    return f"{v:g} USD"


def dedupe(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop repeats, keeping the last: a headline restated in the body keeps the body's
    sentence (its fuller wording); then number the ids in article order."""
    last: dict[tuple[Any, ...], int] = {}
    for i, c in enumerate(claims):
        key = (
            c["type"],
            c.get("commodity"),
            c.get("country"),
            str(c.get("claimed")),
            c.get("measure"),
            c.get("series"),
            str(c.get("inputs")),
            str(c.get("members")),
        )
        last[key] = i
    out = [claims[i] for i in sorted(last.values())]
    for i, c in enumerate(out, 1):
        slug = c.get("commodity") or c.get("series") or "story"
        c["id"] = f"c{i:02d}-{slug}-{c['type']}"
    return out
