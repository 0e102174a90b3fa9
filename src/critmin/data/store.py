"""The embedded DuckDB store.

On first use the store is created from the bundled Parquet files in the user data
directory (``platformdirs``), or at ``$CRITMIN_DB``. It is rebuilt when the bundled
dataset changes (its fingerprint differs); user-imported observations survive the
rebuild. Creation goes to a temporary file that is moved into place, so concurrent
first uses never see a half-written store.

Queries return pandas DataFrames. By default observations come from the latest
edition that reports a table (commodity, measure, product, year); ``edition=``
selects one edition instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from critmin.data._queries import QualityQueries, _where
from critmin.data._storefile import UnopenableStore, carry_user_rows, connect, one_line, unreadable
from critmin.errors import DataNotFoundError, StoreError

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import pandas as pd

__all__ = ["Store", "default_path", "get_store", "reset_store"]

_TABLES = (
    "observations",
    "prices",
    "trade",
    "governance",
    "facts",
    "countries",
    "country_groups",
    "commodities",
    "sources",
    "qa",
    "table_flags",
    "dropped",
)

_USER_DDL = """
CREATE TABLE IF NOT EXISTS user_observations (
    commodity VARCHAR, measure VARCHAR, product VARCHAR, iso3 VARCHAR, entity_type VARCHAR,
    country VARCHAR, year INTEGER, value DOUBLE, unit VARCHAR, qualifier VARCHAR,
    raw_value VARCHAR, raw_unit VARCHAR, basis VARCHAR, note VARCHAR, edition VARCHAR,
    source_id VARCHAR, source_row INTEGER
);
CREATE TABLE IF NOT EXISTS user_sources (
    source_id VARCHAR, edition VARCHAR, title VARCHAR, citation VARCHAR, publisher VARCHAR,
    published VARCHAR, licence VARCHAR, url VARCHAR, accessed VARCHAR, note VARCHAR
);
"""


def bundled_dir() -> Path:
    """Folder of the bundled Parquet dataset."""
    return Path(str(resources.files("critmin.data").joinpath("bundled")))


def default_path() -> Path:
    """Path of the store: ``$CRITMIN_DB`` or ``<user data dir>/critmin/critmin.duckdb``."""
    env = os.environ.get("CRITMIN_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("critmin", appauthor=False)) / "critmin.duckdb"


def _manifest() -> dict[str, Any]:
    p = bundled_dir() / "manifest.json"
    if not p.exists():
        raise StoreError(
            "the bundled dataset is missing; run `critmin data build --reference ../shared/reference`"
        )
    data: dict[str, Any] = json.loads(p.read_text())
    return data


def _fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
    except Exception:
        return None
    return None if row is None else str(row[0])


def _create(path: Path, manifest: dict[str, Any]) -> None:
    """Create the store at a temporary path and move it into place."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    src = bundled_dir()
    try:
        con = duckdb.connect(str(tmp))
        try:
            for t in _TABLES:
                f = (src / f"{t}.parquet").as_posix().replace("'", "''")
                con.execute(f"CREATE TABLE {t} AS SELECT * FROM read_parquet('{f}')")
            con.execute(_USER_DDL)
            if path.exists():  # carry user data over, every row or stop
                carry_user_rows(con, path)
            con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
            con.execute("INSERT INTO meta VALUES ('fingerprint', ?)", [manifest["fingerprint"]])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, path)
    except duckdb.Error as exc:
        raise StoreError(f"cannot create store {path}: {one_line(exc)}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        with contextlib.suppress(FileNotFoundError):
            Path(str(tmp) + ".wal").unlink()


class Store(QualityQueries):
    """Queries over the embedded DuckDB store.

    Parameters
    ----------
    path : str or Path, optional
        Database file; defaults to :func:`default_path`.
    read_only : bool
        Open read-only (the default); imports need ``read_only=False``.
    """

    def __init__(self, path: str | Path | None = None, read_only: bool = True) -> None:
        self.path = Path(path) if path is not None else default_path()
        manifest = _manifest()
        self.fingerprint = str(manifest["fingerprint"])
        self.read_only = read_only
        if self.path.exists():
            try:
                con = connect(self.path, read_only=read_only)
            except UnopenableStore as exc:  # never rebuilt over user rows
                raise unreadable(self.path, one_line(exc.__cause__ or exc)) from exc
            if _fingerprint(con) == self.fingerprint:
                self.con = con
                return
            con.close()
        _create(self.path, manifest)
        self.con = connect(self.path, read_only=read_only)

    # ------------------------------------------------------------------ basics
    def close(self) -> None:
        """Close the connection."""
        self.con.close()

    def for_thread(self) -> Store:
        """A shallow copy of this store on its own DuckDB cursor.

        A DuckDB connection must not be used by two threads at once; each worker
        thread queries through its own copy (see :func:`critmin.api.deps.thread_store`).
        Closing the copy closes only its cursor.

        Returns
        -------
        Store
            Same path, fingerprint and mode; ``con`` is a new cursor on this connection.
        """
        import copy

        st = copy.copy(self)
        st.con = self.con.cursor()
        return st

    def sql(self, query: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run a SQL query and return a DataFrame."""
        return self.con.execute(query, params or []).df()

    def _editions_cte(self) -> str:
        return """
        editions AS (
            SELECT edition, max(published) AS published FROM sources GROUP BY edition
        )"""

    # ------------------------------------------------------------ observations
    def observations(
        self,
        commodity: str | None = None,
        measure: str | None = None,
        year: int | None = None,
        *,
        product: str | None = None,
        iso3: str | list[str] | None = None,
        edition: str | None = None,
        include_user: bool = True,
        all_editions: bool = False,
    ) -> pd.DataFrame:
        """Observations in the canonical schema.

        Parameters
        ----------
        commodity, measure, product : str, optional
            Canonical ids (see :func:`critmin.data.commodities.resolve`).
        year : int, optional
            Reference year. [year]
        iso3 : str or list of str, optional
            Country codes (``WLD``/``OTH`` for aggregates).
        edition : str, optional
            Use this edition only (e.g. ``"MCS2025"``); default: the latest edition
            that reports each table (commodity, measure, product, year).
        include_user : bool
            Add user-imported observations (edition ``user:...``).
        all_editions : bool
            Return rows of every edition (for revisions).
        """
        q, params, uq, uparams = self._observation_query(
            commodity, measure, year, product, iso3, edition, include_user, all_editions
        )
        df = self.sql(q, params)
        if uq is not None:
            user = self.sql(uq, uparams)
            if len(user):
                import pandas as pd

                df = pd.concat([df, user], ignore_index=True)
        return df.sort_values(["commodity", "measure", "product", "year", "iso3"]).reset_index(
            drop=True
        )

    def observation_records(
        self,
        commodity: str | None = None,
        measure: str | None = None,
        year: int | None = None,
        *,
        product: str | None = None,
        iso3: str | list[str] | None = None,
        edition: str | None = None,
        include_user: bool = True,
    ) -> list[dict[str, Any]]:
        """Like :meth:`observations`, as a list of row dicts (no pandas needed)."""
        q, params, uq, uparams = self._observation_query(
            commodity, measure, year, product, iso3, edition, include_user, False
        )
        rows = self.records(q, params)
        if uq is not None:
            rows += self.records(uq, uparams)
        rows.sort(
            key=lambda r: (r["commodity"], r["measure"], r["product"], r["year"], str(r["iso3"]))
        )
        return rows

    def records(self, query: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Run a SQL query and return row dicts."""
        cur = self.con.execute(query, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def _observation_query(
        self,
        commodity: str | None,
        measure: str | None,
        year: int | None,
        product: str | None,
        iso3: str | list[str] | None,
        edition: str | None,
        include_user: bool,
        all_editions: bool,
    ) -> tuple[str, list[Any], str | None, list[Any]]:
        clause, params = _where(
            {"commodity": commodity, "measure": measure, "product": product, "year": year},
            {"iso3": iso3},
        )
        w = (" AND " + clause[len("WHERE ") :]) if clause else ""
        if edition is not None:
            q = f"SELECT * FROM observations WHERE edition = ?{w}"
            qparams = [edition, *params]
        elif all_editions:
            q = f"SELECT * FROM observations WHERE TRUE{w}"
            qparams = list(params)
        else:
            q = f"""
            WITH {self._editions_cte()},
            ranked AS (
                SELECT o.*, dense_rank() OVER (
                    PARTITION BY o.commodity, o.measure, o.product, o.year
                    ORDER BY e.published DESC, o.edition DESC) AS _r
                FROM observations o JOIN editions e USING (edition)
                WHERE TRUE{w}
            )
            SELECT * EXCLUDE (_r) FROM ranked WHERE _r = 1
            """
            qparams = list(params)
        if include_user and edition is None:
            return q, qparams, f"SELECT * FROM user_observations WHERE TRUE{w}", list(params)
        return q, qparams, None, []

    def revisions(self, commodity: str, measure: str | None = None) -> pd.DataFrame:
        """Figures that changed between editions for the same key.

        Returns one row per (measure, product, iso3, year) reported by at least two
        editions with a different value or qualifier: ``edition_old``,
        ``value_old``, ``edition_new``, ``value_new``, ``change`` and ``change_pct``.
        """
        params: list[Any] = [commodity]
        wm = ""
        if measure is not None:
            wm = " AND o.measure = ?"
            params.append(measure)
        q = f"""
        WITH {self._editions_cte()},
        o AS (
            SELECT o.*, e.published FROM observations o JOIN editions e USING (edition)
            WHERE o.commodity = ? AND o.iso3 IS NOT NULL{wm}
        )
        SELECT a.commodity, a.measure, a.product, a.iso3, a.country, a.year, a.unit,
               a.edition AS edition_old, a.value AS value_old, a.qualifier AS qualifier_old,
               b.edition AS edition_new, b.value AS value_new, b.qualifier AS qualifier_new,
               b.value - a.value AS change,
               CASE WHEN a.value IS NOT NULL AND a.value <> 0 THEN (b.value - a.value) / a.value END AS change_pct,
               a.source_id AS source_old, b.source_id AS source_new
        FROM o a JOIN o b
          ON a.commodity = b.commodity AND a.measure = b.measure AND a.product = b.product
         AND a.iso3 = b.iso3 AND a.year = b.year AND a.published < b.published
        WHERE a.value IS DISTINCT FROM b.value OR a.qualifier IS DISTINCT FROM b.qualifier
        ORDER BY a.measure, a.year, a.iso3, a.edition
        """
        return self.sql(q, params)

    def observation_editions(self, commodity: str) -> list[dict[str, Any]]:
        """Distinct (measure, edition, year) of a commodity's bundled observations.

        Parameters
        ----------
        commodity : str
            Canonical commodity id.

        Returns
        -------
        list of dict
            Rows ``measure``, ``edition``, ``year`` [year], sorted by measure, edition
            and year; every edition is listed (not only the latest), user imports are not.
        """
        return self.records(
            "SELECT DISTINCT measure, edition, year FROM observations WHERE commodity = ? "
            "ORDER BY measure, edition, year",
            [commodity],
        )

    def user_observation_count(self) -> int:
        """Number of user-imported observations (rows of ``user_observations``).

        Returns
        -------
        int
            Row count; it changes with every import, so callers use it to key caches.
        """
        row = self.con.execute("SELECT count(*) FROM user_observations").fetchone()
        return 0 if row is None else int(row[0])

    def user_data_hash(self) -> str:
        """SHA-256 of the user tables' content (rows sorted) and the dataset fingerprint.

        Returns
        -------
        str
            Hex digest; equal before an import and after removing what it added.
        """
        import hashlib

        h = hashlib.sha256(self.fingerprint.encode())
        for t in ("user_observations", "user_sources"):
            rows = self.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
            h.update(f"{t}:{rows!r}".encode())
        return h.hexdigest()

    # ------------------------------------------------------------------ others
    def prices(self, series: str | None = None, commodity: str | None = None) -> pd.DataFrame:
        """Price observations (series, commodity, date, period, frequency, value, unit, ...)."""
        w, params = _where({"series": series, "commodity": commodity})
        return self.sql(f"SELECT * FROM prices {w} ORDER BY series, date", params)

    def price_series(self) -> pd.DataFrame:
        """One row per price series: commodity, unit, frequency, first and last period, source."""
        return self.sql(
            """SELECT series, commodity, any_value(unit) AS unit, any_value(frequency) AS frequency,
                      min(period) AS first, max(period) AS last, count(*) AS n,
                      any_value(description) AS description, any_value(source_id) AS source_id,
                      any_value(edition) AS edition
               FROM prices GROUP BY series, commodity ORDER BY commodity, series"""
        )

    def trade(
        self,
        hs6: str | None = None,
        year: int | None = None,
        exporter: str | None = None,
        importer: str | list[str] | None = None,
    ) -> pd.DataFrame:
        """Bilateral trade flows (USD)."""
        w, params = _where({"hs6": hs6, "year": year, "exporter": exporter}, {"importer": importer})
        return self.sql(f"SELECT * FROM trade {w}", params)

    def governance(
        self,
        iso3: str | list[str] | None = None,
        year: int | None = None,
        dimension: str | None = None,
    ) -> pd.DataFrame:
        """WGI estimates and standard errors (long)."""
        w, params = _where({"year": year, "dimension": dimension}, {"iso3": iso3})
        return self.sql(f"SELECT * FROM governance {w} ORDER BY iso3, year, dimension", params)

    def facts(self, topic: str | None = None, pattern: str | None = None) -> pd.DataFrame:
        """Sourced market facts (gallium/germanium compilation); ``pattern`` is a case-insensitive regex on ``item``."""
        w, params = _where({"topic": topic})
        if pattern is not None:
            w = (w + " AND " if w else "WHERE ") + "regexp_matches(item, ?, 'i')"
            params.append(pattern)
        return self.sql(f"SELECT * FROM facts {w} ORDER BY fact_id", params)

    def resolve_iso3(self, text: str) -> str | None:
        """ISO3 code for an ISO2/ISO3 code or a country name in the countries table (None if unknown)."""
        s = text.strip()
        rows = self.con.execute(
            """SELECT iso3, CASE WHEN upper(iso3) = upper($1) THEN 0 WHEN upper(iso2) = upper($1) THEN 1
                                 WHEN lower(name) = lower($1) THEN 2 ELSE 3 END AS k
               FROM countries
               WHERE upper(iso3) = upper($1) OR upper(iso2) = upper($1)
                  OR lower(name) = lower($1) OR lower(official_name) = lower($1)
               ORDER BY k LIMIT 1""",
            [s],
        ).fetchall()
        return str(rows[0][0]) if rows else None

    def country_names(self, codes: list[str]) -> dict[str, str]:
        """Display names of ISO3 codes."""
        if not codes:
            return {}
        rows = self.con.execute(
            f"SELECT iso3, name FROM countries WHERE iso3 IN ({', '.join('?' for _ in codes)})",
            codes,
        ).fetchall()
        return {str(a): str(b) for a, b in rows}

    def country_name_records(self) -> list[dict[str, Any]]:
        """``iso3`` and ``name`` of every country (no aggregates), for name matching."""
        return self.records("SELECT iso3, name FROM countries WHERE entity_type = 'country'")

    def count_facts_matching(self, pattern: str) -> int:
        """Number of valued facts whose ``item`` matches a regular expression (case-insensitive).

        Parameters
        ----------
        pattern : str
            A regular expression (DuckDB ``regexp_matches`` syntax), bound as a parameter.
        """
        rows = self.records(
            "SELECT count(*) AS n FROM facts WHERE value_num IS NOT NULL "
            "AND regexp_matches(item, ?, 'i')",
            [pattern],
        )
        return int(rows[0]["n"])

    def commodity_record(self, commodity_id: str) -> dict[str, Any] | None:
        """The commodities-table row of a canonical id."""
        rows = self.records("SELECT * FROM commodities WHERE commodity = ?", [commodity_id])
        return rows[0] if rows else None

    def countries(self) -> pd.DataFrame:
        """Countries and aggregate pseudo-codes."""
        return self.sql("SELECT * FROM countries ORDER BY iso3")

    def country_groups(self) -> pd.DataFrame:
        """Group memberships (EU27, OECD, G7) with their source."""
        return self.sql('SELECT * FROM country_groups ORDER BY "group", iso3')

    def commodities(self) -> pd.DataFrame:
        """Commodity registry with primary measure and measures present."""
        return self.sql("SELECT * FROM commodities ORDER BY commodity")

    def sources(self) -> pd.DataFrame:
        """Sources (citation, licence, URL, publication date), including user imports."""
        return self.sql(
            "SELECT * FROM sources UNION ALL BY NAME SELECT * FROM user_sources ORDER BY source_id"
        )

    def info(self) -> pd.DataFrame:
        """Row counts per source and edition."""
        return self.sql(
            """
            WITH c AS (
              SELECT source_id, edition, 'observations' AS tbl, count(*) AS n FROM observations GROUP BY ALL
              UNION ALL SELECT source_id, edition, 'prices', count(*) FROM prices GROUP BY ALL
              UNION ALL SELECT source_id, edition, 'trade', count(*) FROM trade GROUP BY ALL
              UNION ALL SELECT source_id, 'WGI-2023', 'governance', count(*) FROM governance GROUP BY ALL
              UNION ALL SELECT source_id, edition, 'user_observations', count(*) FROM user_observations GROUP BY ALL
            )
            SELECT c.source_id, c.edition, c.tbl AS "table", c.n AS rows,
                   coalesce(s.published, u.published) AS published,
                   coalesce(s.licence, u.licence) AS licence
            FROM c LEFT JOIN sources s USING (source_id) LEFT JOIN user_sources u USING (source_id)
            ORDER BY published, source_id, "table"
            """
        )

    def require(self, df: pd.DataFrame, what: str) -> pd.DataFrame:
        """Raise :class:`DataNotFoundError` when ``df`` is empty."""
        if len(df) == 0:
            raise DataNotFoundError(f"no data for {what}")
        return df


_STORE: Store | None = None
_LOCK = threading.Lock()


def get_store() -> Store:
    """The process-wide read-only store (created on first use)."""
    global _STORE
    with _LOCK:
        if _STORE is None or _STORE.path != default_path():
            if _STORE is not None:
                _STORE.close()
            _STORE = Store()
        return _STORE


def reset_store() -> None:
    """Close the process-wide store (after an import or a rebuild)."""
    global _STORE
    with _LOCK:
        if _STORE is not None:
            _STORE.close()
        _STORE = None
