"""HTTP API and dashboard for critmin (``critmin serve``).

Contents
--------
:mod:`~critmin.api.app`
    :func:`create_app`: FastAPI application, error mapping, security headers.
:mod:`~critmin.api.settings`
    :class:`Settings` (keyword-only, ``DEFAULT_*`` limits, ``CRITMIN_API_*`` variables).
:mod:`~critmin.api.security`
    API keys (``hmac.compare_digest``), body-size limit, status of each error.
:mod:`~critmin.api.jobs`, :mod:`~critmin.api.tasks`
    Worker pool (processes, threads or Dask) and the task functions it runs.
:mod:`~critmin.api.routes`
    ``markets`` (open reads), ``valuation``, ``jobs``, ``imports``, ``dashboard``.
``static/``
    The dashboard's HTML, JS and CSS (no build step, no CDN).

FastAPI is imported only when :func:`create_app` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from fastapi import FastAPI

    from critmin.api.settings import Settings

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI application (see :func:`critmin.api.app.create_app`)."""
    from critmin.api.app import create_app as _create

    return _create(settings)
