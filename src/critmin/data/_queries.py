"""Store queries on the build's quality tables: QA findings, table flags, dropped items, files.

:class:`QualityQueries` is a mixin of :class:`critmin.data.store.Store` (kept apart so the
store module stays readable); it uses the store's ``sql`` and ``records`` methods and its
``observations``. :func:`_where` builds the parameterised ``WHERE`` clauses of every query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["QualityQueries"]


def _where(
    eq: dict[str, Any] | None = None, among: dict[str, Any] | None = None
) -> tuple[str, list[Any]]:
    """``WHERE`` clause and parameters: ``col = ?`` for each non-null ``eq`` value,
    ``col IN (...)`` for each non-null ``among`` value (a string or a list)."""
    where: list[str] = []
    params: list[Any] = []
    for col, val in (eq or {}).items():
        if val is not None:
            where.append(f'"{col}" = ?')
            params.append(val)
    for col, val in (among or {}).items():
        if val is not None:
            codes = [val] if isinstance(val, str) else list(val)
            where.append(f'"{col}" IN ({", ".join("?" for _ in codes)})')
            params.extend(codes)
    return (("WHERE " + " AND ".join(where)) if where else ""), params


class QualityQueries:
    """QA, table-flag, dropped-item, source-file and edition-change queries of the Store."""

    if TYPE_CHECKING:  # provided by Store

        def sql(self, query: str, params: list[Any] | None = None) -> pd.DataFrame: ...

        def records(self, query: str, params: list[Any] | None = None) -> list[dict[str, Any]]: ...

        def observations(self, *args: Any, **kwargs: Any) -> pd.DataFrame: ...

    def edition_changes(self, commodity: str) -> pd.DataFrame:
        """Revisions, appearances and disappearances of a commodity's rows between editions.

        See :func:`critmin.data.editions.edition_changes` (reserves and capacity compared
        at each edition's latest year, so MCS 2025 end-2024 reserves meet MCS 2026 end-2025).
        """
        from critmin.data.editions import edition_changes

        obs = self.observations(commodity, all_editions=True, include_user=False)
        pub = {
            r["edition"]: str(r["published"])
            for r in self.records(
                "SELECT edition, max(published) AS published FROM sources GROUP BY edition"
            )
        }
        return edition_changes(obs, pub)

    def qa_findings(self, commodity: str | None = None) -> pd.DataFrame:
        """Findings of the build's QA gate (``critmin.data.qa.QA_COLUMNS``).

        Parameters
        ----------
        commodity : str, optional
            Canonical id; default all commodities.
        """
        w, params = _where({"commodity": commodity})
        return self.sql(
            f'SELECT * FROM qa {w} ORDER BY status DESC, commodity, "check", measure, year',
            params,
        )

    def qa_open_records(
        self, commodity: str, measure: str | None = None, year: int | None = None
    ) -> list[dict[str, Any]]:
        """QA findings that are not informational (``fail`` or ``explained``), as row dicts.

        The record-level twin of :meth:`qa_findings` for the CLI's table footers (no pandas
        import). A store without a ``qa`` table (built before the QA gate) gives ``[]``.
        """
        w, params = _where({"commodity": commodity, "measure": measure, "year": year})
        w = f"{w} AND" if w else "WHERE"
        try:
            return self.records(
                f"SELECT \"check\", status FROM qa {w} status IN ('fail', 'explained')", params
            )
        except Exception:
            return []

    def table_flags(
        self, commodity: str, measure: str | None = None, year: int | None = None
    ) -> list[dict[str, Any]]:
        """Flags of whole tables, e.g. ``not_additive`` (world total 'XX' in the source).

        Shares, HHI and ranks must refuse a flagged table (or use a stated consistent
        subset) and show the ``reason``.

        Returns
        -------
        list of dict
            Rows ``commodity, measure, product, year, edition, flag, reason, source_id,
            source_row``.
        """
        w, params = _where({"commodity": commodity, "measure": measure, "year": year})
        return self.records(f"SELECT * FROM table_flags {w} ORDER BY measure, year", params)

    def source_files(self) -> pd.DataFrame:
        """Every source file used by the bundled dataset, with its source, URL and licence.

        Returns
        -------
        pandas.DataFrame
            ``source_id, file, url, licence, observations, prices`` (row counts).
        """
        return self.sql(
            """
            WITH f AS (
              SELECT source_id, file, url, count(*) AS observations, 0 AS prices
              FROM observations GROUP BY ALL
              UNION ALL SELECT source_id, file, url, 0, count(*) FROM prices GROUP BY ALL
            )
            SELECT f.source_id, f.file, f.url, s.licence,
                   sum(observations)::BIGINT AS observations, sum(prices)::BIGINT AS prices
            FROM f LEFT JOIN sources s USING (source_id)
            GROUP BY ALL ORDER BY f.source_id, f.file
            """
        )

    def dropped(self) -> pd.DataFrame:
        """Source files, columns and cells the build deliberately did not store, with reasons."""
        return self.sql('SELECT * FROM dropped ORDER BY file, row, "column"')
