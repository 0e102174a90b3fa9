"""Data: the canonical schema, readers at the edge, the dataset builder and the DuckDB store.

- :mod:`critmin.data.schema` — canonical columns, measures and qualifiers.
- :mod:`critmin.data.readers` — one reader per source format.
- :mod:`critmin.data.build` — rebuilds the bundled Parquet dataset from the reference files.
- :mod:`critmin.data.store` — the embedded DuckDB store and its queries.
- :mod:`critmin.data.importer` — validated, transactional import of user observations.
"""
