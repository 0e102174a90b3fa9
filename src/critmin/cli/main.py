"""The ``critmin`` command.

Sub-command groups live in sibling modules (``data``, ``deposit``, ``value``,
``risk``, ``scenario``, ``claims``...), each exposing a ``typer.Typer`` named
``app``. Heavy libraries are imported inside command functions so that the cold
start of a simple query stays well under a second, and :func:`run` imports and
registers only the module of the command on its line (all of them for ``--help``,
completion or a name it does not know); ``app`` (module attribute) has them all.

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

import typer

from critmin.cli import _coerce
from critmin.errors import CritminError

_app = typer.Typer(
    name="critmin",
    help="Critical-minerals intelligence from sourced data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
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


#: Module of each top-level command and group, so that :func:`run` imports only the
#: one it needs (tests/cli/test_cli_cold_path.py checks it against a full registration;
#: a command missing here still works, through the full registration).
_MODULE_OF: dict[str, str] = {
    **{name: mod for mod, name, _ in _GROUPS},
    **dict.fromkeys(
        (
            "commodities",
            "production",
            "rank",
            "concentration",
            "price",
            "prices",
            "country",
            "reserves",
            "revisions",
            "sources",
        ),
        "markets",
    ),
    **{mod: mod for mod in ("demo", "value", "brief", "serve")},
}

#: Canonical position of each module (help lists commands in this order).
_ORDER = [mod for mod, _, _ in _GROUPS] + _COMMAND_MODULES
_registered: dict[int, int] = {}  # id(CommandInfo or TyperInfo) -> position in _ORDER
_done: set[str] = set()


def _register(only: str | None = None) -> None:
    """Import and register the command modules (``only``: just that one), once each."""
    for pos, mod in enumerate(_ORDER):
        if mod in _done or (only is not None and mod != only):
            continue
        _done.add(mod)
        try:
            module = importlib.import_module(f"critmin.cli.{mod}")
        except ModuleNotFoundError as exc:
            if exc.name == f"critmin.cli.{mod}":
                continue
            raise
        n_cmd, n_grp = len(_app.registered_commands), len(_app.registered_groups)
        if mod in _COMMAND_MODULES:
            module.register(_app)
        else:
            name, help_ = next((n, h) for m, n, h in _GROUPS if m == mod)
            _app.add_typer(module.app, name=name, help=help_)
        for info in [*_app.registered_commands[n_cmd:], *_app.registered_groups[n_grp:]]:
            _registered[id(info)] = pos
    _app.registered_commands.sort(key=lambda i: _registered.get(id(i), -1))
    _app.registered_groups.sort(key=lambda i: _registered.get(id(i), -1))


def __getattr__(name: str) -> typer.Typer:
    """``app``: the Typer application with every command registered."""
    if name == "app":
        _register()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


@_app.callback()
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


def _click_errors() -> tuple[tuple[type[Exception], ...], tuple[type[BaseException], ...]]:
    """Usage errors and aborts of the copy of Click inside newer Typer, else of Click.

    ``typer.Exit`` and ``typer.Abort`` are Click's own in older Typer. Click itself is
    imported only for an older Typer (newer Typer does not load it).
    """
    if hasattr(typer, "TyperException"):
        return (typer.TyperException,), (typer.Abort,)
    import click

    return (click.ClickException,), (click.exceptions.Abort, typer.Abort)


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
        _register()
    else:
        _register(_MODULE_OF.get(args[0]) if args and not args[0].startswith("-") else None)
    _coerce.install()
    click_errors, aborts = _click_errors()
    code = 0
    try:
        rv = _app(args=args, prog_name="critmin", standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
        sys.stdout.flush()
    except SystemExit as exc:
        # Typer turns EPIPE into sys.exit(1); a closed pipe is not an error.
        if not _is_broken_pipe(exc.__context__):
            raise
        code = _quiet_broken_pipe()
    except BrokenPipeError:
        code = _quiet_broken_pipe()
    except typer.Exit as exc:
        code = exc.exit_code
    except click_errors as exc:
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
    except aborts:
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
