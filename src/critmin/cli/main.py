"""The ``critmin`` command.

Sub-command groups live in sibling modules (``data``, ``deposit``, ``value``,
``risk``, ``scenario``, ``claims``...), each exposing a ``typer.Typer`` named
``app``. Heavy libraries are imported inside command functions so that the cold
start of a simple query stays well under a second.
"""

from __future__ import annotations

import importlib
import sys

import click
import typer

from critmin.errors import CritminError

app = typer.Typer(
    name="critmin",
    help="Critical-minerals intelligence from sourced data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

#: (module under critmin.cli, group name, help) of sub-command groups.
_GROUPS: list[tuple[str, str, str]] = [
    ("data", "data", "Build, inspect and extend the dataset."),
    ("deposit", "deposit", "Deposit appraisal: drillholes to a classified resource."),
    ("risk", "risk", "Supply-risk indices side by side."),
    ("scenario", "scenario", "Market scenarios: export restrictions, new capacity, Monte Carlo."),
    ("claims", "claims", "Check a story's numbers against the data."),
]

#: Modules that add top-level commands to ``app`` when imported.
_COMMAND_MODULES: list[str] = ["markets", "demo", "value", "brief", "serve"]


def _register() -> None:
    for mod, name, help_ in _GROUPS:
        try:
            module = importlib.import_module(f"critmin.cli.{mod}")
        except ModuleNotFoundError as exc:
            if exc.name == f"critmin.cli.{mod}":
                continue
            raise
        app.add_typer(module.app, name=name, help=help_)
    for mod in _COMMAND_MODULES:
        try:
            module = importlib.import_module(f"critmin.cli.{mod}")
        except ModuleNotFoundError as exc:
            if exc.name == f"critmin.cli.{mod}":
                continue
            raise
        module.register(app)


_register()


def run(argv: list[str] | None = None) -> int:
    """Run the CLI; errors are one line on stderr and a non-zero exit.

    ``--debug`` anywhere on the command line shows the traceback instead.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if debug:
        args = [a for a in args if a != "--debug"]
    code = 0
    try:
        rv = app(args=args, prog_name="critmin", standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except click.exceptions.Abort:
        sys.stderr.write("aborted\n")
        code = 130
    except CritminError as exc:
        if debug:
            raise
        sys.stderr.write(f"error: {exc}\n")
        code = 1
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        code = 130
    except Exception as exc:
        if debug:
            raise
        sys.stderr.write(
            f"error: internal error ({type(exc).__name__}: {exc}); rerun with --debug for details\n"
        )
        code = 2
    if argv is None:
        sys.exit(code)
    return code


if __name__ == "__main__":  # pragma: no cover
    run()
