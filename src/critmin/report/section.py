"""The briefing-section contract: what a module hands to the briefing, typed.

Every section of the HTML briefing (and of the dashboard's briefing endpoint) is a
:class:`BriefSection`: a title, sentences, key figures with their units, tables and
figures. Adapters in :mod:`critmin.report.sections` build one from a domain result;
:func:`critmin.report.html.render_section` lays it out. Domain modules know nothing
of the briefing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["BriefSection", "KeyFigure"]


@dataclass(frozen=True)
class KeyFigure:
    """One headline number with its unit.

    Attributes
    ----------
    label : str
        What the number is, in words.
    value : float, int, str or None
        The number (``None``: not computable; ``note`` says why).
    unit : str
        Unit of ``value`` (``USD``, ``t``, ``%``, ``1/yr``...); empty for counts and text.
    note : str
        Basis or caveat.
    """

    label: str
    value: float | int | str | None
    unit: str = ""
    note: str = ""


@dataclass
class BriefSection:
    """One section of the briefing.

    Attributes
    ----------
    title : str
        Heading of the result inside the section (a scenario's or project's name).
    text : list of str
        Sentences shown first (the summary of the result).
    key_figures : list of KeyFigure
        Headline numbers with units.
    tables : dict of str to pandas.DataFrame
        Tables by name, in order; long ones are collapsed.
    figures : dict of str to plotly figure
        Charts by name, in order.
    notes : list of str
        Caveats and method notes, shown under the text.
    label : str
        A one-line caveat printed with the section (for example the discount basis).
    """

    title: str
    text: list[str] = field(default_factory=list)
    key_figures: list[KeyFigure] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    label: str = ""
