"""Server settings: keyword-only, validated by pydantic, read from ``CRITMIN_API_*`` variables.

Every limit has a ``DEFAULT_*`` constant; :meth:`Settings.from_env` overrides them
from the environment, so ``critmin serve`` and tests configure the app the same way.

========================================  ==========================================
variable                                  setting
========================================  ==========================================
``CRITMIN_API_KEYS``                      comma-separated API keys
``CRITMIN_API_KEYS_FILE``                 file with one key per line (``#`` comments)
``CRITMIN_API_MAX_BODY_BYTES``            largest request body [bytes]
``CRITMIN_API_MAX_DRAWS``                 largest Monte Carlo run [paths]
``CRITMIN_API_MAX_RUNS_PER_KEY``          queued or running jobs per key
``CRITMIN_API_WORKERS``                   worker pool size
``CRITMIN_API_EXECUTOR``                  ``process`` or ``thread``
``CRITMIN_API_DASK_SCHEDULER``            Dask scheduler address (runs go there)
``CRITMIN_API_ASSETS_DIR``                front-end assets (topojson) folder
``CRITMIN_API_CACHE_SIZE``                cached read responses
``CRITMIN_API_EXAMPLES_DIR``              shipped examples folder (``examples/``)
========================================  ==========================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from critmin.errors import ValidationError as CritminValidationError

__all__ = [
    "DEFAULT_CACHE_SIZE",
    "DEFAULT_EXECUTOR",
    "DEFAULT_JOB_MEMORY_BYTES",
    "DEFAULT_JOB_TIMEOUT_S",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_DRAWS",
    "DEFAULT_MAX_HEAVY",
    "DEFAULT_MAX_JOBS_KEPT",
    "DEFAULT_MAX_RUNS_PER_KEY",
    "DEFAULT_RATE_PER_CLIENT",
    "DEFAULT_RATE_PER_KEY",
    "DEFAULT_WORKERS",
    "Settings",
    "default_assets_dir",
    "default_examples_dir",
]

#: Largest request body, uploads included. [bytes]
DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024
#: Largest Monte Carlo run a client may ask for. [paths]
DEFAULT_MAX_DRAWS = 200_000
#: Jobs one API key may have queued or running at once.
DEFAULT_MAX_RUNS_PER_KEY = 2
#: Worker pool size for heavy runs.
DEFAULT_WORKERS = 1
#: ``process`` (separate processes: reads stay fast) or ``thread``.
DEFAULT_EXECUTOR: Literal["process", "thread"] = "process"
#: Finished jobs kept in memory before the oldest are forgotten.
DEFAULT_MAX_JOBS_KEPT = 200
#: Read responses kept in the in-memory LRU cache (the store is read-only while serving).
DEFAULT_CACHE_SIZE = 512
#: Wall-time limit of one job; a run still going after it is stopped and marked failed. [s]
DEFAULT_JOB_TIMEOUT_S = 900.0
#: Estimated memory one job may plan to use (draws x periods x arrays). [bytes]
DEFAULT_JOB_MEMORY_BYTES = 1 * 1024**3
#: Requests per minute one client address may make (reads and runs; 0 disables).
DEFAULT_RATE_PER_CLIENT = 1200
#: Requests per minute one API key may make on key-protected endpoints (0 disables).
DEFAULT_RATE_PER_KEY = 120
#: CPU-heavy request handlers (uncached reads, validations, claim checks) running at once.
DEFAULT_MAX_HEAVY = 2
#: Read worker processes computing uncached reads (process executor only; 0: threads).
DEFAULT_READ_WORKERS = 2
#: Longest one read may compute in a read worker before it is stopped (503). [s]
DEFAULT_READ_TIMEOUT_S = 300.0

_ENV = {
    "max_body_bytes": "CRITMIN_API_MAX_BODY_BYTES",
    "max_draws": "CRITMIN_API_MAX_DRAWS",
    "max_runs_per_key": "CRITMIN_API_MAX_RUNS_PER_KEY",
    "workers": "CRITMIN_API_WORKERS",
    "executor": "CRITMIN_API_EXECUTOR",
    "dask_scheduler": "CRITMIN_API_DASK_SCHEDULER",
    "assets_dir": "CRITMIN_API_ASSETS_DIR",
    "cache_size": "CRITMIN_API_CACHE_SIZE",
    "examples_dir": "CRITMIN_API_EXAMPLES_DIR",
    "job_timeout_s": "CRITMIN_API_JOB_TIMEOUT_S",
    "job_memory_bytes": "CRITMIN_API_JOB_MEMORY_BYTES",
    "rate_per_client": "CRITMIN_API_RATE_PER_CLIENT",
    "rate_per_key": "CRITMIN_API_RATE_PER_KEY",
    "max_heavy": "CRITMIN_API_MAX_HEAVY",
    "read_workers": "CRITMIN_API_READ_WORKERS",
    "read_timeout_s": "CRITMIN_API_READ_TIMEOUT_S",
}


def default_assets_dir() -> Path:
    """Folder where ``scripts/frontend-assets.sh`` installs the map topojson.

    ``$XDG_CACHE_HOME/critmin/frontend`` (``~/.cache/critmin/frontend``): outside git.
    """
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "critmin" / "frontend"


def default_examples_dir() -> Path:
    """The repository's ``examples/`` folder (source checkout or editable install).

    Falls back to ``./examples`` of the working directory when the package was
    installed without the repository next to it.
    """
    import critmin

    repo = Path(critmin.__file__).resolve().parents[2] / "examples"
    return repo if repo.is_dir() else Path.cwd() / "examples"


class Settings(BaseModel):
    """Configuration of the HTTP API (immutable, keyword-only).

    Parameters
    ----------
    api_keys : tuple of str
        Keys accepted for heavy and upload endpoints; none means those endpoints
        answer 401 to everyone.
    max_body_bytes : int
        Largest request body. [bytes]
    max_draws : int
        Largest Monte Carlo run. [paths]
    max_runs_per_key : int
        Jobs one key may have queued or running.
    workers : int
        Worker pool size.
    executor : {"process", "thread"}
        Pool kind (ignored when ``dask_scheduler`` is set).
    dask_scheduler : str, optional
        Address of a Dask scheduler (``tcp://127.0.0.1:8786``); runs are submitted there.
    assets_dir : pathlib.Path, optional
        Front-end assets folder (``world_110m.json``); default :func:`default_assets_dir`.
    cache_size : int
        Read responses kept in memory (0 disables the cache).
    examples_dir : pathlib.Path, optional
        Folder of the shipped examples the dashboard serves (a fixed list of files,
        never a path a client names); default :func:`default_examples_dir`.
    max_jobs_kept : int
        Finished jobs remembered.
    job_timeout_s : float
        Wall-time limit of one job. [s]
    job_memory_bytes : int
        Memory budget of one job, estimated from draws x periods before it is queued. [bytes]
    rate_per_client : int
        Requests per minute per client address (0: no limit). [1/min]
    rate_per_key : int
        Requests per minute per API key on key-protected endpoints (0: no limit). [1/min]
    max_heavy : int
        CPU-heavy request handlers running at once (the rest wait their turn).
    read_workers : int
        With the ``process`` executor, spawned processes that compute uncached reads
        (:mod:`critmin.api.readpool`); 0 keeps them in threads of the server.
    read_timeout_s : float
        Longest one read may compute in a read worker (then 503). [s]
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_keys: tuple[str, ...] = ()
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, gt=0)
    max_draws: int = Field(default=DEFAULT_MAX_DRAWS, ge=0)
    max_runs_per_key: int = Field(default=DEFAULT_MAX_RUNS_PER_KEY, ge=1)
    workers: int = Field(default=DEFAULT_WORKERS, ge=1, le=64)
    executor: Literal["process", "thread"] = DEFAULT_EXECUTOR
    dask_scheduler: str | None = None
    assets_dir: Path | None = None
    cache_size: int = Field(default=DEFAULT_CACHE_SIZE, ge=0)
    examples_dir: Path | None = None
    max_jobs_kept: int = Field(default=DEFAULT_MAX_JOBS_KEPT, ge=1)
    job_timeout_s: float = Field(default=DEFAULT_JOB_TIMEOUT_S, gt=0)
    job_memory_bytes: int = Field(default=DEFAULT_JOB_MEMORY_BYTES, gt=0)
    rate_per_client: int = Field(default=DEFAULT_RATE_PER_CLIENT, ge=0)
    rate_per_key: int = Field(default=DEFAULT_RATE_PER_KEY, ge=0)
    max_heavy: int = Field(default=DEFAULT_MAX_HEAVY, ge=1, le=64)
    read_workers: int = Field(default=DEFAULT_READ_WORKERS, ge=0, le=32)
    read_timeout_s: float = Field(default=DEFAULT_READ_TIMEOUT_S, gt=0)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from ``CRITMIN_API_*`` variables, then keyword overrides.

        Parameters
        ----------
        env : mapping, optional
            Environment to read (default ``os.environ``).
        **overrides
            Settings given explicitly (win over the environment).

        Raises
        ------
        critmin.errors.ValidationError
            A variable that does not parse, or an unreadable keys file.
        """
        e = os.environ if env is None else env
        values: dict[str, object] = {}
        for name, var in _ENV.items():
            if e.get(var):
                values[name] = e[var]
        keys = [k.strip() for k in e.get("CRITMIN_API_KEYS", "").split(",") if k.strip()]
        kf = e.get("CRITMIN_API_KEYS_FILE")
        if kf:
            keys += read_keys_file(Path(kf))
        if keys:
            values["api_keys"] = tuple(dict.fromkeys(keys))
        values.update(overrides)
        try:
            return cls(**values)  # type: ignore[arg-type]
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(x) for x in err["loc"])
            raise CritminValidationError(
                f"invalid server setting {_ENV.get(field, field)}: {err['msg']}"
            ) from exc

    def assets(self) -> Path:
        """The front-end assets folder in use."""
        return self.assets_dir if self.assets_dir is not None else default_assets_dir()

    def examples(self) -> Path:
        """The shipped examples folder in use."""
        return self.examples_dir if self.examples_dir is not None else default_examples_dir()


def read_keys_file(path: Path) -> list[str]:
    """API keys from a file: one per line, blank lines and ``#`` comments ignored.

    Raises
    ------
    critmin.errors.ValidationError
        The file cannot be read.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CritminValidationError(f"cannot read API keys file {path}: {exc.strerror}") from exc
    out = []
    for line in text.splitlines():
        s = line.split("#", 1)[0].strip()
        if s:
            out.append(s)
    return out
