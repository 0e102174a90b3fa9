"""Article text: HTML to text, sentences with character spans, and name gazetteers.

Pure helpers for :mod:`critmin.claims.extract`: no store access here. The gazetteers
are built from name lists passed in (the commodity registry and the countries table).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = [
    "Mention",
    "Sentence",
    "find_mentions",
    "html_to_text",
    "looks_like_html",
    "name_pattern",
    "sentences",
]

_BLOCK = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "div", "br", "tr", "title"}
_SKIP = {"script", "style", "noscript", "nav", "footer", "header", "aside", "form", "svg"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")
        if tag == "meta":
            a = {k: v or "" for k, v in attrs}
            key = a.get("property") or a.get("name") or ""
            if key and a.get("content"):
                self.meta[key.lower()] = a["content"]

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self.skip:
            self.skip -= 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    """Whether a document is HTML (a tag among its first characters)."""
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype", "<html")) or bool(re.search(r"<(p|div|body|h1)\b", head))


def html_to_text(html: str) -> tuple[str, dict[str, str]]:
    """Visible text of an HTML page, one block per line, and its ``<meta>`` tags.

    Scripts, styles, navigation, headers and footers are left out.
    """
    p = _TextParser()
    p.feed(html)
    raw = "".join(p.parts)
    lines = [re.sub(r"[ \t\xa0]+", " ", ln).strip() for ln in raw.splitlines()]
    return "\n".join(ln for ln in lines if ln), p.meta


@dataclass(frozen=True)
class Sentence:
    """A sentence and where it is: ``text == article[start:end]``."""

    text: str
    start: int
    end: int
    paragraph: int


_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Ltd|Inc|Co|Corp|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|"
    r"Oct|Nov|Dec|vs|approx|est|e\.g|i\.e|U\.S|U\.K)\.)$"
)
_BOUNDARY = re.compile(r"[.!?…][\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")


def sentences(text: str) -> list[Sentence]:
    """Split an article into sentences, keeping character spans; a line is a paragraph."""
    out: list[Sentence] = []
    pos = 0
    for para, line in enumerate(text.split("\n")):
        base = pos
        pos += len(line) + 1
        start = 0
        for m in _BOUNDARY.finditer(line):
            cut = m.start() + 1
            while cut < len(line) and line[cut] in '"”’)':
                cut += 1
            if _ABBREV.search(line[start:cut]):
                continue
            _add(out, line, base, start, cut, para)
            start = m.end()
        _add(out, line, base, start, len(line), para)
    return out


def _add(out: list[Sentence], line: str, base: int, a: int, b: int, para: int) -> None:
    seg = line[a:b]
    lead = len(seg) - len(seg.lstrip())
    seg = seg.strip()
    if seg:
        out.append(Sentence(seg, base + a + lead, base + a + lead + len(seg), para))


@dataclass(frozen=True)
class Mention:
    """A name found in a sentence: ``value`` is a commodity id or an ISO3 code."""

    kind: str
    value: str
    start: int
    end: int
    surface: str


def name_pattern(names: dict[str, str]) -> re.Pattern[str]:
    """One regex matching any of ``names`` (longest first) as whole words, any case."""
    keys = sorted(names, key=len, reverse=True)
    alt = "|".join(re.escape(k).replace(r"\ ", r"[\s-]+") for k in keys)
    return re.compile(rf"(?<![\w-])(?:{alt})(?:['’]s)?(?![\w-])", re.I)


def find_mentions(
    text: str, kind: str, pattern: re.Pattern[str], names: dict[str, str]
) -> list[Mention]:
    """Mentions of the names in ``text`` (``names`` maps a lower-case name to its id)."""
    out = []
    for m in pattern.finditer(text):
        surface = m.group(0)
        key = re.sub(r"['’]s$", "", surface).lower()
        key = re.sub(r"[\s-]+", " ", key)
        value = names.get(key)
        if value is None:
            continue
        out.append(Mention(kind, value, m.start(), m.end(), surface))
    return out
