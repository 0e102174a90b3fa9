"""``critmin demo``: the main job that ``make demo`` runs."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["register"]

DEMO_COMMODITIES = ("gallium", "antimony", "tin", "copper")


def market_summary(commodities: tuple[str, ...] = DEMO_COMMODITIES, year: int = 2024) -> None:
    """Print top producers, shares, HHI and the what-if rank of Kazakhstan at 15 t of gallium."""
    from rich.console import Console

    import critmin
    from critmin.cli._output import Format, emit

    console = Console(width=None if __import__("sys").stdout.isatty() else 160)
    for c in commodities:
        df = critmin.production(c, year)
        a = df.attrs
        conc = critmin.concentration(c, a["year"]).iloc[0]
        top = df[df["entity_type"] == "country"].head(5)
        view = top[["rank", "iso3", "country", "value", "unit", "share", "qualifier"]]
        emit(
            view,
            Format.table,
            title=f"{a['commodity']}: {a['measure']} {a['year']} — top 5",
            caption=f"HHI {conc['hhi']:,.0f} (0-10,000; up to {conc['hhi_max']:,.0f} if 'other countries' were one producer), "
            f"CR1 {100 * conc['cr1']:.1f} %, CR3 {100 * conc['cr3']:.1f} %; edition {conc['edition']}",
        )
    r = critmin.rank("gallium", 2024, add={"KAZ": "15t"})
    kaz = r[r["iso3"] == "KAZ"].iloc[0]
    chn = r[r["iso3"] == "CHN"].iloc[0]
    console.print(
        f"[bold]What-if (assumption: Kazakhstan adds 15 t/yr of gallium, ERG plan):[/bold] Kazakhstan would rank "
        f"{int(kaz['rank'])} with {100 * kaz['share']:.1f} % of 2024 primary production; China {100 * chn['share_before']:.1f} % "
        f"as published, {100 * chn['share']:.1f} % after the addition."
    )
    pc = critmin.price_change("tin", 2020, 2025).iloc[0]
    console.print(
        f"Tin price (World Bank, annual average): {pc['value_start']:,.0f} -> {pc['value_end']:,.0f} {pc['unit']} "
        f"from {pc['start']} to {pc['end']} (x{pc['ratio']:.2f})."
    )


def register(app: typer.Typer) -> None:
    """Add ``demo``."""

    @app.command()
    def demo(
        out: Annotated[
            str | None, typer.Option("--out", help="Where to write the briefing HTML.")
        ] = None,
    ) -> None:
        """Run the main job: market summary (and the Kazakhstan briefing where available).

        Example: critmin demo --out reports/demo.html
        """
        market_summary()
        from critmin.cli.brief import print_summary
        from critmin.report.brief import brief, demo_folder

        folder = demo_folder()
        if folder is not None:
            print_summary(brief(folder, out))
