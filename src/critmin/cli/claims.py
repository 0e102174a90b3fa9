"""``critmin claims extract ARTICLE`` and ``critmin claims check FILE|ARTICLE``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from critmin.cli._output import Format, emit

if TYPE_CHECKING:  # pragma: no cover
    from critmin.claims.spec import ClaimsFile

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)

_YAML = (".yaml", ".yml")
_DATE_HELP = (
    "The story's date (YYYY, YYYY-MM or YYYY-MM-DD): places 'over the past decade' and picks "
    "the edition current at that date. Default: the HTML's published time, else none."
)


def _read(path: Path) -> str:
    from critmin.errors import CritminError

    try:
        return path.read_text("utf-8", errors="replace")
    except OSError as exc:
        raise CritminError(f"{path}: cannot read the article ({exc.strerror})") from exc


def _draft(article: Path, date: str | None) -> dict[str, Any]:
    from critmin.claims.extract import extract

    return extract(_read(article), date=date, file=str(article))


def _dump(doc: dict[str, Any]) -> str:
    import yaml

    head = (
        "# Draft claims extracted by `critmin claims extract` (rules, no model): review each\n"
        "# claim (type, commodity, country, measure, year, operator, tolerance) before checking.\n"
        "# 'untyped' claims are kept with the reason they cannot be checked.\n"
    )
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    return head + body


@app.command()
def extract(
    article: Annotated[Path, typer.Argument(help="Article: plain text or HTML.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the draft claims YAML here.")
    ] = None,
    date: Annotated[str | None, typer.Option("--date", help=_DATE_HELP)] = None,
) -> None:
    """Draft a claims file from an article: one claim per figure, with the quoted sentence.

    Example: critmin claims extract story.txt -o claims.yaml
    """
    from critmin.claims.spec import parse_claims

    doc = _draft(article, date)
    parse_claims(doc, str(article))  # the draft must be a valid claims file
    text = _dump(doc)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, "utf-8")
    n = len(doc["claims"])
    untyped = sum(1 for c in doc["claims"] if c["type"] == "untyped")
    typer.echo(f"{output}: {n} claims ({untyped} untyped, kept with the reason)", err=True)


def _load(file: Path, date: str | None) -> ClaimsFile:
    from critmin.claims.spec import load_claims, parse_claims

    if file.suffix.lower() in _YAML:
        spec = load_claims(file)
        if date:
            spec.source.date = date
        return spec
    return parse_claims(_draft(file, date), str(file))


@app.command()
def check(
    file: Annotated[
        Path,
        typer.Argument(help="Claims YAML file, or an article (text or HTML) to extract first."),
    ],
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="table, csv or json.")
    ] = Format.table,
    date: Annotated[str | None, typer.Option("--date", help=_DATE_HELP)] = None,
) -> None:
    """Check a story's claims against the data: supported, contradicted, not checkable or
    not independent (the only evidence comes from the story's own source).

    Example: critmin claims check examples/kazakhstan-2025/claims.yaml --format json
    """
    from critmin.claims import check_claims

    df = check_claims(_load(file, date))
    if fmt is Format.json:
        emit(
            df[
                [
                    "id",
                    "type",
                    "verdict",
                    "claimed",
                    "computed",
                    "unit",
                    "text",
                    "explanation",
                    "basis",
                    "revision",
                    "sources",
                    "assumptions",
                    "evidence",
                ]
            ],
            fmt,
        )
        return
    view = df[["id", "verdict", "claimed", "computed", "unit", "explanation", "basis"]].copy()
    if fmt is Format.table:
        from critmin.cli.brief import short as _short

        view["claimed"] = view["claimed"].map(_short)
        view["computed"] = view["computed"].map(_short)
    counts = df["verdict"].value_counts().to_dict()
    emit(
        view,
        fmt,
        title=f"Claims: {df.attrs['source'].get('title', file)}",
        caption=f"supported {counts.get('supported', 0)}, contradicted {counts.get('contradicted', 0)}, "
        f"not checkable {counts.get('not_checkable', 0)}, "
        f"not independent {counts.get('not_independent', 0)}",
    )
