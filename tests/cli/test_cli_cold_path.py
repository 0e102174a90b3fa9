"""The lean cold path of ``critmin rank``: what it imports, and that it changes no output.

bench/bench_store.py measures the time; these tests hold the pieces that make it short:
``run`` registers only the command's module, option values skip pydantic, the store
opens without DuckDB's Python relation layer, a commodity id needs no YAML parser.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from enum import Enum
from typing import Any

import pytest

from critmin.cli import main as cli_main
from critmin.cli._coerce import _MISS, _leaf

_PROBE = """
import json, sys
from critmin.cli.main import run
code = run({args!r})
heavy = ["pydantic", "click", "yaml", "duckdb", "pandas", "pint", "numpy"]
sys.stderr.write(json.dumps({{"code": code, "loaded": [m for m in heavy if m in sys.modules],
    "cli": sorted(m for m in sys.modules if m.startswith("critmin.cli."))}}))
"""


def _probe(args: list[str]) -> tuple[dict[str, Any], str]:
    p = subprocess.run(
        [sys.executable, "-c", _PROBE.format(args=args)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(p.stderr.strip().splitlines()[-1]), p.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["rank", "gallium"],
        ["rank", "gallium", "--year", "2024", "--format", "json"],
        ["production", "cobalt", "--format", "csv"],
    ],
)
def test_rank_cold_path_imports_no_heavy_library(args: list[str]) -> None:
    from critmin.data.store import get_store

    get_store()  # the store exists (creating it is another path, which loads duckdb)
    info, out = _probe(args)
    assert info["code"] == 0
    assert out.strip()
    assert info["loaded"] == []
    # only the markets commands are registered (and the modules they need)
    assert "critmin.cli.deposit" not in info["cli"]
    assert "critmin.cli.scenario" not in info["cli"]


def test_module_map_matches_full_registration() -> None:
    app = cli_main.app  # module attribute: every command registered
    for info in app.registered_commands:
        assert info.callback is not None
        name = info.name or info.callback.__name__
        assert cli_main._MODULE_OF[name] == info.callback.__module__.rsplit(".", 1)[1], name
    for group in app.registered_groups:
        assert group.name is not None
        mod = cli_main._MODULE_OF[group.name]
        assert group.typer_instance is sys.modules[f"critmin.cli.{mod}"].app


@pytest.mark.parametrize(
    "first", [["rank", "gallium", "--format", "csv"], ["value", "--help"], ["risk", "--help"]]
)
def test_help_lists_every_command_in_order_after_a_lazy_run(first: list[str]) -> None:
    """A fresh process runs one command (one module registered), then ``--help`` (all)."""
    code = (
        "import sys, io, contextlib\n"
        "from critmin.cli.main import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert run({first!r}) == 0\n"
        "assert run(['--help']) == 0\n"
    )
    env = {**os.environ, "COLUMNS": "100"}
    p = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    out = p.stdout
    listed = [m.group(1) for m in re.finditer(r"^\W ([a-z][a-z-]*) ", out, re.MULTILINE)]
    # Typer lists the commands, then the groups, each in registration order
    assert listed == [
        *("commodities", "production", "rank", "concentration", "price", "prices"),
        *("country", "reserves", "revisions", "sources", "demo", "value", "brief", "serve"),
        *("data", "deposit", "risk", "scenario", "claims"),
    ]


def test_lazy_run_output_equals_full_registration(capsys: pytest.CaptureFixture[str]) -> None:
    """The same command through the lazy path and through the full ``app`` prints the same."""
    _, lazy = _probe(["rank", "gallium", "--add", "KAZ=15t", "--format", "json"])
    from typer.testing import CliRunner

    full = CliRunner().invoke(
        cli_main.app, ["rank", "gallium", "--add", "KAZ=15t", "--format", "json"]
    )
    assert full.exit_code == 0
    assert json.loads(lazy) == json.loads(full.stdout)


class _Color(Enum):
    red = "red"
    blue = "blue"


@pytest.mark.parametrize(
    ("annotation", "values"),
    [
        (int, ["2024", "+5", "-5", "007", "0", "123456789012345678", "1_000", " 5", "5.0", "x"]),
        (float, ["1.5", "+1.5", "007.50", "-0.0", "3", "1e3", ".5", "5.", "nan", "x"]),
        (str, ["x", " y ", "é", ""]),
        (_Color, ["red", "RED", "blue", "green", _Color.red]),
    ],
)
def test_lean_conversion_equals_typer_adapter(annotation: type, values: list[object]) -> None:
    """Second implementation: what the lean path converts, Typer's pydantic adapter converts alike."""
    adapters = pytest.importorskip("typer._adapters")
    from typer.models import OptionInfo

    info = OptionInfo()
    adapter = adapters.build_adapter(annotation, info)
    for v in values:
        got = _leaf(annotation, info, v, None)
        if got is _MISS:
            continue  # left to Typer's adapter
        ref = adapter.validate_python(v)
        assert got == ref and type(got) is type(ref), v


def test_bounded_numbers_are_left_to_typer() -> None:
    from typer.models import OptionInfo

    assert _leaf(int, OptionInfo(min=1), "5", None) is _MISS


def test_registry_ids_without_yaml_equal_the_registry() -> None:
    from critmin.data.commodities import ids, registry

    assert ids() == frozenset(registry())
