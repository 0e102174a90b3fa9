"""Rich progress for CLI steps that can take longer than about two seconds.

``with step("kriging 285,768 blocks"):`` shows a spinner with the elapsed time on
stderr while the step runs (nothing when stderr is not a terminal, so pipes, CSV
and JSON output stay clean).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["step"]


@contextmanager
def step(description: str) -> Iterator[None]:
    """A spinner with elapsed time on stderr for the duration of the block."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        progress.add_task(description, total=None)
        yield
