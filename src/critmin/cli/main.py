"""The ``critmin`` command.

Sub-command groups live in sibling modules (``data``, ``deposit``, ``value``,
``risk``, ``scenario``, ``claims``...), each exposing a ``typer.Typer`` named
``app``. Heavy libraries are imported inside command functions so that the cold
start of a simple query stays well under a second.

Shell completion: ``critmin --install-completion`` writes the script for the
current shell into its start-up file; ``critmin --show-completion bash`` (or zsh,
fish, powershell) prints it instead, e.g. to ``source <(critmin --show-completion
bash)`` from ``~/.bashrc``.
"""

from __future__ import annotations

import errno
import importlib
import os
import re
import sys
from enum import StrEnum
from typing import Annotated

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

#: Environment variable through which a shell asks ``critmin`` for completions.
_COMPLETE_VAR = "_CRITMIN_COMPLETE"


class Shell(StrEnum):
    """Shells with a completion script."""

    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"
    pwsh = "pwsh"


def _version_callback(value: bool) -> None:
    if value:
        from critmin import __version__

        typer.echo(f"critmin {__version__}")
        raise typer.Exit(0)


def _show_completion_callback(value: Shell | None) -> None:
    if value is None:
        return
    from typer.completion import get_completion_script

    typer.echo(
        get_completion_script(prog_name="critmin", complete_var=_COMPLETE_VAR, shell=value.value)
    )
    raise typer.Exit(0)


def _detect_shell() -> str | None:
    """The shell that runs ``critmin`` (its parent process), else ``$SHELL``."""
    try:
        import shellingham

        name, _ = shellingham.detect_shell()
        return str(name).lower()
    except Exception:
        shell = os.environ.get("SHELL", "")
        return os.path.basename(shell).lower() or None


def _install_completion_callback(value: bool) -> None:
    if not value:
        return
    shell = _detect_shell()
    if shell not in Shell.__members__:
        raise CritminError(
            f"cannot install completion for shell {shell or '(not detected)'}; "
            "print a script with: critmin --show-completion bash|zsh|fish|powershell"
        )
    from typer.completion import install

    _, path = install(shell=shell, prog_name="critmin", complete_var=_COMPLETE_VAR)
    typer.echo(f"{shell} completion installed in {path}; it takes effect in a new shell")
    raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_version_callback, help="Print the version."
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug", help="Show the full traceback on errors (allowed anywhere on the line)."
        ),
    ] = False,
    wide: Annotated[
        bool,
        typer.Option(
            "--wide",
            help="Tables show every column even when the terminal is narrow "
            "(allowed anywhere on the line).",
        ),
    ] = False,
    install_completion: Annotated[
        bool,
        typer.Option(
            "--install-completion",
            is_eager=True,
            callback=_install_completion_callback,
            help="Install tab completion for the current shell (bash, zsh, fish, powershell).",
        ),
    ] = False,
    show_completion: Annotated[
        Shell | None,
        typer.Option(
            "--show-completion",
            metavar="SHELL",
            is_eager=True,
            callback=_show_completion_callback,
            help="Print the completion script for SHELL (bash, zsh, fish, powershell), "
            "e.g. source <(critmin --show-completion bash) in ~/.bashrc.",
        ),
    ] = None,
) -> None:
    """Critical-minerals intelligence from sourced data."""


#: Usage and option errors of Click (and of the copy of Click inside newer Typer).
_CLICK_ERRORS: tuple[type[Exception], ...] = (
    click.ClickException,
    getattr(typer, "TyperException", click.ClickException),
)
_ABORTS: tuple[type[BaseException], ...] = (
    click.exceptions.Abort,
    getattr(typer, "Abort", click.exceptions.Abort),
)


#: Click's wording for values that newer Typer checks with pydantic.
_PYDANTIC_WORDING = {
    "int_parsing": "{!r} is not a valid integer.",
    "float_parsing": "{!r} is not a valid float.",
}


def _click_message(exc: Exception) -> str:
    """Click's one-line message, without pydantic's ``Value error,`` prefix."""
    errors = getattr(exc.__cause__, "errors", None)
    if callable(errors) and isinstance(getattr(exc, "message", None), str):
        try:
            first = errors()[0]
            exc.message = _PYDANTIC_WORDING[first["type"]].format(first["input"])  # type: ignore[attr-defined]
        except (LookupError, TypeError):
            pass
    fmt = getattr(exc, "format_message", None)
    msg = str(fmt() if callable(fmt) else exc)
    return re.sub(r"(^|: )Value error, ", r"\1", msg, count=1)


def _is_broken_pipe(exc: BaseException | None) -> bool:
    return isinstance(exc, BrokenPipeError) or (
        isinstance(exc, OSError) and exc.errno == errno.EPIPE
    )


def _quiet_broken_pipe() -> int:
    """The reader of stdout went away (``critmin ... | head``): end quietly with 0.

    As the Python docs recommend, stdout is pointed at devnull so that the flush
    at exit does not raise again.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests)
        pass
    return 0


def run(argv: list[str] | None = None) -> int:
    """Run the CLI; errors are one line on stderr and a non-zero exit.

    ``--debug`` anywhere on the command line shows the traceback instead.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if debug:
        args = [a for a in args if a != "--debug"]
    if "--wide" in args:
        from critmin.cli import _output

        _output.WIDE = True
        args = [a for a in args if a != "--wide"]
    if os.environ.get(_COMPLETE_VAR):
        from typer.completion import completion_init

        completion_init()
    code = 0
    try:
        rv = app(args=args, prog_name="critmin", standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
        sys.stdout.flush()
    except SystemExit as exc:
        # Typer turns EPIPE into sys.exit(1); a closed pipe is not an error.
        if not _is_broken_pipe(exc.__context__):
            raise
        code = _quiet_broken_pipe()
    except BrokenPipeError:
        code = _quiet_broken_pipe()
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except _CLICK_ERRORS as exc:
        if debug:
            raise
        msg = _click_message(exc)
        if type(exc).__name__ == "NoArgsIsHelpError":
            msg = msg.strip()  # the help is already printed
            if msg:
                sys.stderr.write(msg + "\n")
        else:
            sys.stderr.write(f"error: {msg}\n")
        code = int(getattr(exc, "exit_code", 1))
    except _ABORTS:
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
