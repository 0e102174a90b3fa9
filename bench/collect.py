"""Collect the per-area benchmark results into bench/RESULTS.md (run by ``make bench``).

Each benchmark script writes its own ``RESULTS-<area>.md`` (command, machine, date, figures);
this script puts them in one file, headline table first (kept by hand in HEADLINES.md).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["foundation", "geostats", "scenarios", "valuation", "api"]


def main() -> None:
    parts = ["# critmin benchmark results\n"]
    head = HERE / "HEADLINES.md"
    if head.exists():
        parts.append(head.read_text(encoding="utf-8").strip() + "\n")
    files = sorted(
        HERE.glob("RESULTS-*.md"),
        key=lambda p: (ORDER.index(p.stem[8:]) if p.stem[8:] in ORDER else 99, p.name),
    )
    for f in files:
        text = f.read_text(encoding="utf-8").strip()
        lines = text.splitlines()
        if lines and lines[0].startswith("# "):
            lines[0] = "#" + lines[0]  # demote the title one level
        parts.append(f"<!-- from {f.name} -->\n" + "\n".join(lines) + "\n")
    (HERE / "RESULTS.md").write_text("\n".join(parts), encoding="utf-8")


if __name__ == "__main__":
    main()
