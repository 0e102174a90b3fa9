"""Command-line interface (Typer + Rich). Entry point: :func:`critmin.cli.main.run`."""
