"""Fixtures of the geostats tests (defined in geostats_fixtures)."""

from geostats_fixtures import small_db, small_spec

__all__ = ["small_db", "small_spec"]
