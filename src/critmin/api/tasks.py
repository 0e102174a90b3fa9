"""Task functions run in the worker pool: plain data in, plain data out.

Each task writes the uploaded files into its own private temporary directory
(``tempfile.mkdtemp``: mode 0700, removed afterwards) under sanitised names, and
rewrites the paths of the spec to those files, so a client can never make the
server read a path of its choosing. Errors come back as :class:`TaskError`
(picklable: status and one-line message).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

__all__ = [
    "TaskError",
    "safe_name",
    "spec_file_refs",
    "validate_valuation",
    "valuation_task",
]

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class TaskError(Exception):
    """A run that failed for a reason the client should see.

    Parameters
    ----------
    status : int
        HTTP status to report (422 for bad input, 404 for missing data).
    message : str
        One line.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message


def safe_name(name: str) -> str:
    """The base name of an uploaded file, if safe (letters, digits, ``._-``).

    Raises
    ------
    critmin.errors.ValidationError
        A name that is empty, hidden, too long or has other characters.
    """
    from critmin.errors import ValidationError

    base = PurePosixPath(name.replace("\\", "/")).name
    if not _SAFE.fullmatch(base) or base in (".", ".."):
        raise ValidationError(
            f"file name {name!r} not accepted: use letters, digits, '.', '_', '-' (max 100)"
        )
    return base


def spec_file_refs(data: Mapping[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """Paths a valuation spec reads: ``(key path, value)`` of CSV price decks and histories."""
    out: list[tuple[tuple[str, ...], str]] = []
    price = data.get("price")
    if isinstance(price, Mapping):
        deck = price.get("deck")
        if isinstance(deck, Mapping) and deck.get("kind") == "csv" and "path" in deck:
            out.append((("price", "deck", "path"), str(deck["path"])))
        model = price.get("model")
        if isinstance(model, Mapping):
            hist = model.get("history")
            if isinstance(hist, Mapping) and hist.get("kind") == "csv" and "path" in hist:
                out.append((("price", "model", "history", "path"), str(hist["path"])))
    return out


def _rewrite(data: dict[str, Any], files: Mapping[str, bytes]) -> dict[str, Any]:
    """Point every file reference of the spec at an uploaded file of the same base name."""
    from critmin.errors import SpecError

    for keys, value in spec_file_refs(data):
        base = PurePosixPath(value.replace("\\", "/")).name
        if base not in files:
            have = ", ".join(sorted(files)) or "none"
            raise SpecError(
                "<upload>",
                f"names file {value!r}: upload it with the spec (files uploaded: {have})",
                field=".".join(keys),
            )
        node: Any = data
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = base
    return data


def _parse(spec_text: str, files: Mapping[str, bytes], base: Path | None) -> Any:
    from critmin.errors import SpecError
    from critmin.spec import yaml_data
    from critmin.valuation.spec import parse_spec

    data = yaml_data(spec_text, "<upload>")
    if not isinstance(data, dict):
        raise SpecError("<upload>", "the spec must be a YAML mapping")
    data = _rewrite(data, files)
    return parse_spec(data, (base / "spec.yaml") if base is not None else "<upload>")


def validate_valuation(
    spec_text: str, files: Mapping[str, bytes], draws: int | None, max_draws: int
) -> dict[str, Any]:
    """Check an uploaded valuation before queueing it (in the request, cheap).

    Returns
    -------
    dict
        ``kind`` (project or deposit), ``name``, ``draws`` (effective). [paths]

    Raises
    ------
    critmin.errors.SpecError, critmin.errors.ValidationError
        Invalid spec, a file it names was not uploaded, or too many draws.
    """
    from critmin.errors import ValidationError
    from critmin.valuation.spec import DepositSpec

    spec = _parse(spec_text, files, None)
    if isinstance(spec, DepositSpec):
        return {"kind": "deposit", "name": spec.name, "draws": 0}
    mc = getattr(spec, "monte_carlo", None)
    eff = draws if draws is not None else int(getattr(mc, "draws", 0) or 0)
    if eff > max_draws:
        raise ValidationError(f"draws={eff} is over this server's limit of {max_draws}")
    life = getattr(getattr(getattr(spec, "production", None), "life_years", None), "value", None)
    periods = int(life) if isinstance(life, int | float) and life > 0 else 1
    return {"kind": "project", "name": spec.name, "draws": eff, "periods": periods}


def _histogram(values: Any, bins: int = 40) -> list[dict[str, float]]:
    import numpy as np

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return []
    counts, edges = np.histogram(v, bins=bins)
    return [
        {"npv_low_usd": float(a), "npv_high_usd": float(b), "count": int(c)}
        for a, b, c in zip(edges[:-1], edges[1:], counts, strict=True)
    ]


def valuation_task(
    spec_text: str, files: Mapping[str, bytes], draws: int | None, seed: int | None
) -> dict[str, Any]:
    """Value an uploaded project or deposit spec (runs in the worker pool).

    Parameters
    ----------
    spec_text : str
        The YAML spec.
    files : mapping of str to bytes
        Uploaded files by safe base name (price histories, decks).
    draws : int, optional
        Monte Carlo price paths. [paths]
    seed : int, optional
        Random seed.

    Returns
    -------
    dict
        ``ValuationResult.to_dict()`` (or the deposit's), plus ``npv_histogram``
        (rows ``npv_low_usd``, ``npv_high_usd``, ``count``) when simulated.

    Raises
    ------
    TaskError
        Any critmin error, with its HTTP status.
    """
    from critmin.api.security import error_status, one_line
    from critmin.errors import CritminError

    tmp = Path(tempfile.mkdtemp(prefix="critmin-run-"))
    try:
        for name, content in files.items():
            (tmp / safe_name(name)).write_bytes(content)
        from critmin._records import clean as _clean
        from critmin.valuation import value

        spec = _parse(spec_text, files, tmp)
        res = value(spec, draws=draws, seed=seed)
        out: dict[str, Any] = res.to_dict()
        mc = getattr(res, "mc_npv", None)
        if mc is not None:
            out["npv_histogram"] = _histogram(mc)
        out["kind"] = "deposit" if type(res).__name__ == "DepositResult" else "project"
        cleaned: dict[str, Any] = _clean(out)
        return cleaned
    except CritminError as exc:
        msg = str(exc).replace(f"{tmp}/", "").replace(str(tmp), "<upload>")
        raise TaskError(error_status(exc), one_line(msg)) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _yaml_mapping(text: str, what: str) -> dict[str, Any]:
    from critmin.errors import SpecError
    from critmin.spec import yaml_data

    data = yaml_data(text, "<upload>")
    if not isinstance(data, dict):
        raise SpecError("<upload>", f"the {what} must be a YAML mapping")
    return data


def validate_scenario(spec_text: str) -> dict[str, Any]:
    """Validate an uploaded scenario (in the request); returns ``name`` and ``horizon``.

    Raises
    ------
    critmin.errors.SpecError
        Invalid YAML or a field that fails validation.
    """
    from critmin.scenarios import parse_scenario

    spec = parse_scenario(_yaml_mapping(spec_text, "scenario"), "<upload>")
    return {"name": getattr(spec, "name", ""), "horizon": getattr(spec, "horizon", None)}


def scenario_task(
    spec_text: str, draws: int, seed: int | None, scheduler: str | None = None
) -> dict[str, Any]:
    """Run an uploaded scenario: central case and Monte Carlo (runs in the worker pool).

    Parameters
    ----------
    spec_text : str
        Scenario YAML.
    draws : int
        Monte Carlo draws. [-]
    seed : int, optional
        Seed (same seed, same numbers).
    scheduler : str, optional
        Dask scheduler address for the Monte Carlo chunks.

    Returns
    -------
    dict
        ``markets``, ``price_bands``, ``spread``, ``supply_sources``, ``importers``,
        ``shortfall_probability``, ``assumptions`` (lists of rows), ``notes``,
        ``draws``, ``seed``, ``unit``.

    Raises
    ------
    TaskError
        Any critmin error, with its HTTP status.
    """
    from critmin._records import clean as _clean
    from critmin._records import records
    from critmin.api.security import error_status, one_line
    from critmin.errors import CritminError
    from critmin.scenarios import parse_scenario, run_scenario

    try:
        spec = parse_scenario(_yaml_mapping(spec_text, "scenario"), "<upload>")
        res = run_scenario(spec, draws=draws, seed=seed, scheduler=scheduler)
        out: dict[str, Any] = {
            "name": getattr(spec, "name", ""),
            "unit": res.unit,
            "draws": res.draws,
            "seed": res.seed,
            "notes": list(res.notes),
        }
        for name in (
            "markets",
            "price_bands",
            "spread",
            "supply_sources",
            "importers",
            "assumptions",
        ):
            out[name] = records(getattr(res, name))
        out["shortfall_probability"] = records(res.shortfall_probability()) if draws > 0 else []
        cleaned: dict[str, Any] = _clean(out)
        return cleaned
    except CritminError as exc:
        raise TaskError(error_status(exc), one_line(str(exc))) from None
