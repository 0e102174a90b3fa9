"""critmin: critical-minerals intelligence from sourced data."""
__version__ = "0.1.0"
