"""The one number formatter and unit labeller of every output (terminal tables, HTML report,
charts, model card). Import-light: the CLI uses it before numpy is loaded."""

from __future__ import annotations

import math

#: How a value that open data do not cover is shown (never as 0)
NC_LABEL = "n/c"

#: Short display names of the units results are stored in
UNIT_LABELS = {"hour": "h", "kilowatt_hour": "kWh", "kilogram": "kg", "year": "year", "a": "year",
               "meter ** 3": "m\u00b3", "m ** 3": "m\u00b3", "dimensionless": ""}


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and not math.isfinite(x))


def number(x, *, sig: int | None = None) -> str:
    """A number for people: ``n/c`` for a missing value, scientific notation outside
    [0.01, 1e5), three decimals below 100, one above; ``sig`` gives that many significant digits
    instead (charts, where space is short). Integers-as-floats stay integers (``3,213``)."""
    if x is not None and not isinstance(x, (int, float)):
        x = float(x)  # numpy scalars
    if _missing(x):
        return NC_LABEL
    if sig is not None:
        return f"{x:.{sig}g}"
    ax = abs(x)
    if ax == 0:
        return "0"
    if ax >= 1e5 or ax < 1e-2:
        return f"{x:.3e}"
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.3f}" if ax < 100 else f"{x:,.1f}"


def unit_label(unit: str | None, *, dimensionless: str = "\u2013") -> str:
    """Human unit (``kWh``, ``m³``); ``dimensionless`` for a dimensionless one (an en dash on axes)."""
    if unit is None or str(unit).strip() in ("", "dimensionless", "1"):
        return dimensionless
    u = str(unit)
    return UNIT_LABELS.get(u) or u.replace(" ** ", "^").replace("**", "^")
