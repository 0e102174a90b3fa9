"""CLI ergonomics: usage errors, --version, --debug, closed pipes, shell completion."""

import subprocess
import sys
from pathlib import Path

import pytest

import critmin
from critmin.cli import main as cli_main
from critmin.cli.main import run

CRITMIN = Path(sys.executable).with_name("critmin")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["production", "copper", "--bogus"], "No such option: --bogus"),
        (["--bogus"], "No such option: --bogus"),
        (["production"], "Missing argument 'commodity'."),
        (["nosuchcommand"], "No such command 'nosuchcommand'."),
        (
            ["production", "copper", "--format", "xml"],
            "Invalid value for '--format' / '-f': 'xml' is not one of 'table', 'csv', 'json'.",
        ),
        (
            ["production", "copper", "--year", "abc"],
            "Invalid value for '--year' / '-y': 'abc' is not a valid integer.",
        ),
        (
            ["price", "tin", "--from", "abc"],
            "Invalid value for '--from': 'abc' is not a year or month (2020, 2020-01).",
        ),
        (
            ["price", "tin", "--to", "2020-13"],
            "Invalid value for '--to': '2020-13' is not a year or month (2020, 2020-01).",
        ),
        (
            ["scenario", "run", "x.yaml", "--draws", "abc"],
            "Invalid value for '--draws' / '-n': 'abc' is not a valid integer.",
        ),
        (
            ["risk", "rank", "--draws", "abc"],
            "Invalid value for '--draws' / '-n': 'abc' is not a valid integer.",
        ),
    ],
)
def test_usage_error_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(args) == 2
    captured = capsys.readouterr()
    assert captured.err == f"error: {message}\n"
    assert captured.out == ""


def test_usage_error_with_debug_raises(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(Exception, match="No such option"):
        run(["--debug", "production", "copper", "--bogus"])


def test_no_arguments_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run([]) == 2
    captured = capsys.readouterr()
    assert "Usage: critmin" in captured.out
    assert "error" not in captured.err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"]) == 0
    assert capsys.readouterr().out == f"critmin {critmin.__version__}\n"


def test_help_lists_debug_version_and_completion(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    for opt in ("--debug", "--version", "--install-completion", "--show-completion"):
        assert opt in out


def test_valid_period_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["price", "tin", "--from", "2020-01", "--to", "2020", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("series,period,value")
    assert len(lines) == 13


def _pipe_closed_early(*args: str) -> subprocess.CompletedProcess[bytes]:
    """Run critmin with its stdout pipe closed before it writes anything."""
    proc = subprocess.Popen([str(CRITMIN), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    return subprocess.CompletedProcess(proc.args, proc.wait(timeout=60), b"", err)


@pytest.mark.skipif(not CRITMIN.exists(), reason="critmin script not installed next to python")
@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_closed_pipe_ends_quietly(fmt: str) -> None:
    res = _pipe_closed_early("production", "copper", "--format", fmt)
    assert res.stderr == b""
    assert res.returncode == 0


@pytest.mark.skipif(not CRITMIN.exists(), reason="critmin script not installed next to python")
def test_pipe_to_head_exit_0() -> None:
    res = subprocess.run(
        ["bash", "-c", f"set -o pipefail; '{CRITMIN}' production copper --format csv | head -1"],
        capture_output=True,
        timeout=60,
    )
    assert res.returncode == 0
    assert res.stderr == b""
    assert res.stdout.decode().startswith("rank,iso3,country")


def test_show_completion_bash(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--show-completion", "bash"]) == 0
    out = capsys.readouterr().out
    assert "_CRITMIN_COMPLETE=complete_bash" in out
    assert "complete -o default -F" in out and "critmin" in out


def test_show_completion_unknown_shell(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--show-completion", "cmd"]) == 2
    assert capsys.readouterr().err.startswith("error: Invalid value for '--show-completion'")


def test_install_completion(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(cli_main, "_detect_shell", lambda: "bash")
    assert run(["--install-completion"]) == 0
    script = tmp_path / ".bash_completions" / "critmin.sh"
    assert "_CRITMIN_COMPLETE=complete_bash" in script.read_text()
    assert f"source '{script}'" in (tmp_path / ".bashrc").read_text()
    assert "bash completion installed" in capsys.readouterr().out


def test_install_completion_unknown_shell(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_main, "_detect_shell", lambda: None)
    assert run(["--install-completion"]) == 1
    assert "--show-completion" in capsys.readouterr().err


def test_tab_completion_answers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_CRITMIN_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "critmin prod")
    monkeypatch.setenv("COMP_CWORD", "1")
    with pytest.raises(SystemExit) as exc:
        run([])
    assert exc.value.code == 0
    assert capsys.readouterr().out.split() == ["production"]


def test_narrow_terminal_keeps_tables_readable(monkeypatch: pytest.MonkeyPatch) -> None:
    from critmin.cli import _output

    rows = [
        {
            "rank": 1,
            "iso3": "CHN",
            "country": "China",
            "value": 69000.0,
            "unit": "t",
            "basis": "Mine production, tin content",
            "share": 0.2335,
            "edition": "MCS2025",
            "source_id": "usgs_mcs2025",
        }
    ] * 3
    keep, hidden = _output._fit(list(rows[0]), rows, 60)
    assert hidden[:2] == ["source_id", "edition"] and "share" in keep and "iso3" in keep
    keep, hidden = _output._fit(list(rows[0]), rows, 400)
    assert hidden == []


def test_constant_columns_go_to_the_caption_when_narrow() -> None:
    """A country's positions at 80 columns: iso3 is KAZ in every row, so it is said once."""
    from critmin.cli import _output

    rows = [
        {"iso3": "KAZ", "commodity": c, "measure": "mine_production", "year": 2024, "rank": i,
         "value": 1000.0 * i, "unit": "t", "share": 0.1 / i, "cr1": 0.5}
        for i, c in enumerate(["asbestos", "chromium", "barite"], start=1)
    ]  # fmt: skip
    keep, hidden = _output._fit(list(rows[0]), rows, 70)
    assert "iso3 = KAZ in every row" in hidden and "commodity" in keep and "share" in keep
    assert _output._fmt_cell(0.2341, "cr1") == "23.41 %"


def test_empty_table_is_said_not_blank(capsys: pytest.CaptureFixture[str]) -> None:
    """A country with no top-N position gets a sentence, not a blank line."""
    from critmin.cli.main import run

    assert run(["country", "CIV", "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "no rows" in out and "a larger --top lists lower ranks" in out
