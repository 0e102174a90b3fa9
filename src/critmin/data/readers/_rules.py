"""Rule files of the readers: table-level semantics and known source errors.

The rules live in ``critmin/data/registry/table_rules.yaml`` (each cites the published
page that proves it); readers stay pure functions of their file and these rules.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

__all__ = ["registry_yaml", "table_rules"]


def registry_yaml(name: str) -> Any:
    """Parse ``critmin/data/registry/<name>`` (safe YAML)."""
    import yaml

    text = resources.files("critmin.data").joinpath(f"registry/{name}").read_text("utf-8")
    return yaml.safe_load(text)


@functools.lru_cache(maxsize=1)
def table_rules() -> dict[str, list[dict[str, Any]]]:
    """The table-level rules of the MCS world-data release (``table_rules.yaml``)."""
    data: dict[str, list[dict[str, Any]]] = registry_yaml("table_rules.yaml")
    return data
