"""The one pint unit registry of `lca`.

Every EF 3.1 impact category gets a unit with a dimension of its own (``CO2_eq``, ``Sb_eq``,
``CTUh_c`` ...), so that adding kg CO2 eq to kg Sb eq raises ``pint.DimensionalityError`` while
kg CO2 eq converts to t CO2 eq. ``FLOP`` is a unit (``FLOP/s`` for peak throughput) and ``Pt`` is
the EF single-score point. No other module creates a registry.

Unit strings as they appear in the literature ("kg CO2 eq", "kg CFC-11 eq", "mol H+ eq",
"m3 world eq. deprived", "disease incidence") are rewritten by :func:`normalise_unit_string`
before pint parses them.
"""

from __future__ import annotations

import re
from typing import Any

import pint

__all__ = ["ureg", "Q_", "parse_quantity", "normalise_unit_string", "UnitError"]


class UnitError(ValueError):
    """A quantity string that cannot be parsed, or has the wrong dimension."""


# Marker units: one dimension per impact category (and per non-SI counting unit).
_DEFINITIONS = """
CO2_eq = [co2_eq]
CFC11_eq = [cfc11_eq]
CTUh_c = [ctuh_cancer]
CTUh_nc = [ctuh_noncancer]
disease_incidence = [disease_incidence]
U235_eq = [u235_eq]
NMVOC_eq = [nmvoc_eq]
Hplus_eq = [hplus_eq]
N_eq = [n_eq]
P_eq = [p_eq]
CTUe = [ctue]
soil_quality_Pt = [soil_quality]
world_eq_deprived = [water_deprivation]
Sb_eq = [sb_eq]
fossil_NCV = [fossil_ncv]
Pt = [ef_single_score]
FLOP = [computation]
accelerator = [accelerator_count]
"""

# force_ndarray_like: pint-xarray refuses a registry without it (whichever of lca and pint_xarray is
# imported first), and scalars behave as 0-d arrays alike everywhere.
def _registry() -> pint.UnitRegistry[Any]:
    """pint's registry; its parsed definition files are cached on disk by pint (keyed by the files'
    content hashes, in the user cache folder), which saves 0.2 s per command. Without a writable
    cache folder (or with LCA_NO_CACHE set) the definitions are parsed as usual."""
    import os

    kw: dict[str, Any] = {"autoconvert_offset_to_baseunit": True, "force_ndarray_like": True}
    if not os.environ.get("LCA_NO_CACHE"):
        try:
            return pint.UnitRegistry(cache_folder=":auto:", **kw)
        except Exception:  # noqa: BLE001  a read-only or missing cache folder: parse instead
            pass
    return pint.UnitRegistry(**kw)


ureg: pint.UnitRegistry[Any] = _registry()
for _line in _DEFINITIONS.strip().splitlines():
    ureg.define(_line)
ureg.formatter.default_format = "D"  # plain names ("year", not "a"); display code asks for "~P"
pint.set_application_registry(ureg)
Q_ = ureg.Quantity

# Literature spellings -> pint names. Order matters (longest first).
_REWRITES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"m3\s*world\s*eq\.?\s*(deprived)?|m³\s*world\s*eq\.?\s*(deprived)?", re.I), "m**3 * world_eq_deprived"),
    (re.compile(r"world\s+eq\.?\s*(deprived)?", re.I), "world_eq_deprived"),
    (re.compile(r"\bCO2[\s-]*eq(uivalents?)?\.?(?=$|[\s/*)])|\bCO2e\b", re.I), "CO2_eq"),
    (re.compile(r"\bCFC[\s-]*11[\s-]*eq\.?(?=$|[\s/*)])", re.I), "CFC11_eq"),
    (re.compile(r"\bU[\s-]*235[\s-]*eq\.?(?=$|[\s/*)])", re.I), "U235_eq"),
    (re.compile(r"\bNMVOC[\s-]*eq\.?(?=$|[\s/*)])", re.I), "NMVOC_eq"),
    (re.compile(r"\bH\+[\s-]*eq\.?(?=$|[\s/*)])", re.I), "Hplus_eq"),
    (re.compile(r"\bSb[\s-]*eq\.?(?=$|[\s/*)])", re.I), "Sb_eq"),
    (re.compile(r"\bN[\s-]*eq\.?(?=$|[\s/*)])"), "N_eq"),
    (re.compile(r"\bP[\s-]*eq\.?(?=$|[\s/*)])"), "P_eq"),
    (re.compile(r"disease\s+(incidence|occurrence)", re.I), "disease_incidence"),
    (re.compile(r"m³"), "m**3"),
    (re.compile(r"µ"), "u"),
]


_COMMA_NUMBER = re.compile(r"\d,\d")
_ANGLE = re.compile(r"radian|degree|arcminute|arcsecond|turn|steradian|grade|gon\b")


def normalise_unit_string(text: str) -> str:
    """Rewrite literature spellings of impact units into names this registry knows."""
    out = text.strip()
    for pattern, repl in _REWRITES:
        out = pattern.sub(repl, out)
    return out


def parse_quantity(value, *, expected: str | None = None, where: str = "") -> pint.Quantity:
    """Parse ``value`` (quantity string, number or Quantity) and check its dimension.

    Parameters
    ----------
    value : str, int, float or pint.Quantity
        ``"826 mm**2"``, ``"400 W"``, ``0.35`` ...
    expected : str, optional
        A unit expression whose dimension the result must have (``"mm**2"``, ``"W"``,
        ``"dimensionless"``). The value keeps its own unit; only the dimension is checked.
    where : str
        Location for the error message (file and key).
    """
    if isinstance(value, bool):
        raise UnitError(f"{where}: expected a quantity, got a boolean {value!r}")
    try:
        if isinstance(value, pint.Quantity):
            q = value
        elif isinstance(value, (int, float)):
            q = Q_(float(value), "dimensionless")
        elif isinstance(value, str):
            text = normalise_unit_string(value)
            if not text:
                raise UnitError(f"{where}: empty quantity string")
            if _COMMA_NUMBER.search(text):  # pint would read "1,2" as 12 and "4,5 year" as 45 years
                raise UnitError(f"{where}: {value!r} has a comma inside a number; write a decimal point "
                                "(1.2) and no thousands separator (1000 or 1e3)")
            q = ureg.Quantity(text)
            if not isinstance(q, pint.Quantity):  # a bare number string
                q = Q_(float(q), "dimensionless")
        else:
            raise UnitError(f"{where}: expected a quantity string such as '400 W', got {type(value).__name__} {value!r}")
    except UnitError:
        raise
    except Exception as exc:  # pint raises several error types for bad strings
        raise UnitError(f"{where}: cannot read {value!r} as a quantity ({exc.__class__.__name__}: {exc})") from None
    if expected is not None and _ANGLE.search(str(q.units)) and not _ANGLE.search(str(expected)):
        # pint counts angles as dimensionless; a share, a ratio or a multiplier is not an angle
        raise UnitError(f"{where}: expected a plain number (dimensionless), got an angle {value!r}")
    if expected is not None and not q.is_compatible_with(expected):
        raise UnitError(
            f"{where}: expected a quantity with the dimension of '{expected}', got {value!r} ({q.dimensionality})"
        )
    return q
