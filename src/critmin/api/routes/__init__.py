"""Routers of the HTTP API, one module per concern; optional ones load only when their domain module imports."""
