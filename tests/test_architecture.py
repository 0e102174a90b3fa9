"""The layers hold: walk every import in src/critmin and fail on a forbidden edge.

Rules (docs/architecture.md):
- nothing outside ``critmin.cli`` imports ``critmin.cli``; nothing outside ``critmin.api``
  imports ``critmin.api`` (the interfaces sit on top);
- the pure layers (``markets``, ``params``, ``spec``, ``_records``, ``errors``, ``units``) never
  import the store, a domain module or presentation code;
- only ``critmin.data`` talks to DuckDB;
- no module imports ``critmin.report`` except ``report`` itself and the interfaces.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "critmin"


def _module(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    mod = _module(path)
    pkg = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            out.add(name)
            out.update(f"{name}.{a.name}" for a in node.names)
    return out


def _edges() -> list[tuple[str, str]]:
    edges = []
    for p in SRC.rglob("*.py"):
        src = _module(p)
        edges.extend((src, dst) for dst in _imports(p) if dst.startswith(("critmin", "duckdb")))
    return edges


def _within(mod: str, pkg: str) -> bool:
    return mod == pkg or mod.startswith(pkg + ".")


PURE = ("critmin.markets", "critmin.params", "critmin.spec", "critmin._records", "critmin.errors")
DOMAINS = (
    "critmin.risk",
    "critmin.scenarios",
    "critmin.geostats",
    "critmin.valuation",
    "critmin.claims",
    "critmin.report",
)


def test_no_import_of_the_interfaces_from_below() -> None:
    bad = [
        (s, d)
        for s, d in _edges()
        for top in ("critmin.cli", "critmin.api")
        if _within(d, top)
        and not _within(s, top)
        # `critmin serve` starts the HTTP API: the CLI may import api (both are on top)
        and not (top == "critmin.api" and _within(s, "critmin.cli"))
    ]
    assert not bad, bad


def test_pure_layers_import_no_store_domain_or_presentation() -> None:
    banned = ("critmin.data", "duckdb", "critmin._api", *DOMAINS, "critmin.cli", "critmin.api")
    bad = [
        (s, d)
        for s, d in _edges()
        if any(_within(s, p) for p in PURE) and any(_within(d, b) for b in banned)
    ]
    assert not bad, bad


def test_only_data_talks_to_duckdb() -> None:
    bad = [(s, d) for s, d in _edges() if _within(d, "duckdb") and not _within(s, "critmin.data")]
    assert not bad, bad


def test_report_is_imported_only_from_above() -> None:
    allowed = ("critmin.report", "critmin.cli", "critmin.api", "critmin")
    bad = [
        (s, d)
        for s, d in _edges()
        if _within(d, "critmin.report")
        and not any(s == a or _within(s, a) for a in allowed[:3])
        and s != "critmin"
    ]
    assert not bad, bad


def test_the_walker_sees_a_known_edge() -> None:
    # guards the test itself: a real import must be found
    assert ("critmin.cli.markets", "critmin.cli._output") in set(_edges())
