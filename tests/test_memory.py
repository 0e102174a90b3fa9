"""The memory guard refuses what would not fit, with the estimate and a hint."""

from __future__ import annotations

import pytest

from critmin._memory import check_memory, float_arrays_bytes
from critmin.errors import CritminError, ResourceLimitError


def test_float_arrays_bytes_by_hand() -> None:
    assert float_arrays_bytes(1000, 30, arrays=4) == 8 * 4 * 1000 * 30


def test_refuses_with_estimate_and_hint() -> None:
    with pytest.raises(ResourceLimitError, match=r"needs about 10.0 GiB .* 4.0 GiB .*--draws"):
        check_memory(10 * 2**30, "10^9 paths", "lower --draws", available=4 * 2**30)
    assert issubclass(ResourceLimitError, CritminError)


def test_accepts_what_fits() -> None:
    check_memory(2**20, "a small run", "n/a", available=4 * 2**30)
    check_memory(float_arrays_bytes(1000, 30), "a small run", "n/a")  # real machine


def test_cli_refuses_monte_carlo_that_would_not_fit(capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from critmin.cli.main import run

    spec = Path(__file__).resolve().parents[1] / "examples" / "projects" / "syrymbet-tin.yaml"
    assert run(["value", str(spec), "--draws", str(10**12)]) == 1
    err = capsys.readouterr().err
    assert "needs about" in err and "lower --draws" in err and err.count("\n") == 1
    assert run(["risk", "rank", "--draws", str(10**10)]) == 1
    assert "needs about" in capsys.readouterr().err
