"""The 16 EF 3.1 impact categories, read from ``inventories/methods/ef31.yaml``.

Codes are fixed (a user contract, docs/cli.md): ``gwp odp ctuh_c ctuh_nc pm ir pocp ap ept epf epm ctue lu wu adpf
adpe``. Every other spelling found in sources (``ADPe``, ``CTUh-c``, ``efp``, ``adp`` ...) is
mapped once, here, by :func:`code_of`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pint

from lca.errors import InputError
from lca.inventory.files import inventories_dir
from lca.units import Q_, normalise_unit_string, ureg

CODES = ("gwp", "odp", "ctuh_c", "ctuh_nc", "pm", "ir", "pocp", "ap", "ept", "epf", "epm",
         "ctue", "lu", "wu", "adpf", "adpe")


@cache
def _unit(expr: str) -> pint.Unit:
    """A category's pint unit, parsed once per process (units are immutable; the stages ask for
    them on every evaluation)."""
    return ureg.Unit(expr)


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    indicator: str
    unit: str            # display string, e.g. "kg CO2 eq"
    pint_unit: str       # expression in lca.units, e.g. "kg * CO2_eq"
    robustness: str
    normalisation: float  # per person, in `unit`
    weight: float         # percent
    aliases: tuple[str, ...]

    @property
    def units(self) -> pint.Unit:
        return _unit(self.pint_unit)

    @property
    def single_score_factor(self) -> pint.Quantity:
        """Pt per unit of indicator: weight / 100 / normalisation factor."""
        return Q_(self.weight / 100.0 / self.normalisation, ureg.Pt / self.units)


_CATEGORY_KEYS = ("code", "name", "indicator", "unit", "pint_unit", "robustness", "normalisation", "weight")


def load_method(path) -> tuple[Category, ...]:
    """Read and check a method file (``methods/ef31.yaml``): 16 categories in contract order, each
    with a name, a unit pint can parse, a positive normalisation factor and a weight >= 0."""
    from lca.inventory.files import load_yaml

    path = Path(path)
    data = load_yaml(path)
    rows = data.get("categories") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise InputError(f"{path}: categories: expected a list of 16 categories")
    cats = []
    for i, row in enumerate(rows):
        where = f"{path}: categories[{i}]"
        if not isinstance(row, dict):
            raise InputError(f"{where}: expected a mapping with keys {', '.join(_CATEGORY_KEYS)}")
        missing = [k for k in _CATEGORY_KEYS if row.get(k) is None]
        if missing:
            raise InputError(f"{where}: missing key(s) {', '.join(missing)}")
        try:
            norm, weight = float(row["normalisation"]), float(row["weight"])
        except (TypeError, ValueError):
            raise InputError(f"{where}: normalisation and weight: expected numbers, got "
                             f"{row['normalisation']!r} and {row['weight']!r}") from None
        if not (np.isfinite(norm) and norm > 0) or not (np.isfinite(weight) and weight >= 0):
            raise InputError(f"{where} ({row['code']}): expected normalisation > 0 and weight >= 0, got {norm} and {weight}")
        try:
            ureg.Unit(str(row["pint_unit"]))
        except Exception:  # pint raises several types for a bad expression
            raise InputError(f"{where} ({row['code']}): pint_unit: cannot parse {row['pint_unit']!r}") from None
        cats.append(Category(
            code=str(row["code"]), name=str(row["name"]), indicator=str(row["indicator"]), unit=str(row["unit"]),
            pint_unit=str(row["pint_unit"]), robustness=str(row["robustness"]), normalisation=norm, weight=weight,
            aliases=tuple(row.get("aliases", ())),
        ))
    if tuple(c.code for c in cats) != CODES:
        raise InputError(f"{path}: categories must be exactly {CODES}, got {tuple(c.code for c in cats)}")
    return tuple(cats)


@cache
def categories() -> tuple[Category, ...]:
    """The 16 categories of the shipped method file, in contract order."""
    return load_method(inventories_dir() / "methods" / "ef31.yaml")


def category(code: str) -> Category:
    return _by_code()[code_of(code)]


@cache
def _by_code() -> dict[str, Category]:
    return {c.code: c for c in categories()}


@cache
def _alias_map() -> dict[str, str]:
    out = {}
    for c in categories():
        for name in (c.code, *c.aliases):
            out[_norm(name)] = c.code
    return out


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).lower()


def code_of(name: str) -> str:
    """Map any known spelling of a category to its fixed code; error lists the codes."""
    try:
        return _alias_map()[_norm(str(name))]
    except KeyError:
        raise InputError(f"unknown impact category {name!r}; expected one of {', '.join(CODES)}") from None


def parse_category_unit(text: str, code: str, *, where: str = "") -> pint.Quantity:
    """Parse a unit string written for category ``code`` (e.g. ``"MJ/kWh"`` for adpf).

    Strings that are ambiguous on their own are resolved by the category: ``CTUh`` becomes
    ``CTUh_c`` or ``CTUh_nc``; plain ``MJ`` in the fossil-resource category is ``MJ fossil_NCV``;
    ``Pt`` in land use is the soil-quality point. The result's numerator must have the category's
    dimension.
    """
    cat = category(code)
    s = normalise_unit_string(text)
    if code in ("ctuh_c", "ctuh_nc"):
        s = re.sub(r"\bCTUh\b(?!_)", cat.pint_unit, s)
    elif code == "lu":
        s = re.sub(r"\b(Pt|pt|points?)\b", "soil_quality_Pt", s)
    elif code == "adpf" and "fossil_NCV" not in s:
        s = re.sub(r"\b([kMGT]?J)\b", r"(\1 * fossil_NCV)", s, count=1)
    try:
        q = Q_(1.0, s)
    except Exception as exc:
        raise InputError(f"{where}: cannot read unit {text!r} for category {code} ({exc})") from None
    return q


def empty_vector() -> np.ndarray:
    """A category vector of NaN (not covered until filled)."""
    return np.full(len(CODES), np.nan)


def single_score(impacts: dict[str, pint.Quantity], *, allow_partial: bool = False) -> pint.Quantity:
    """EF 3.1 single score, Pt = sum_i impact_i / NF_i x WF_i / 100.

    Parameters
    ----------
    impacts : dict
        Category code -> pint Quantity (scalar or array) in any unit of that category.
    allow_partial : bool
        A missing or NaN category makes the score partial. By default that is an error; with
        ``allow_partial=True`` the missing categories are left out (the caller must report the
        score as partial).

    References
    ----------
    Sala, Cerutti & Pant (2018), EUR 28562 EN (weighting); Andreasi Bassi et al. (2023),
    JRC130796 (EF 3.1 normalisation factors).
    """
    missing = [c for c in CODES if c not in impacts]
    total: np.ndarray | float | None = None
    nan_cats = []
    for c in CODES:
        if c not in impacts:
            continue
        q = impacts[c]
        if not isinstance(q, pint.Quantity):
            raise InputError(f"single_score: impact {c} must carry its unit ({category(c).unit})")
        pts = (q * category(c).single_score_factor).to(ureg.Pt)
        mag = np.asarray(pts.magnitude, dtype=float)
        if np.any(np.isnan(mag)):
            nan_cats.append(c)
            if not allow_partial:
                continue
            mag = np.where(np.isnan(mag), 0.0, mag)  # left out of a partial score, reported as partial
        total = mag if total is None else total + mag
    gaps = missing + nan_cats
    if gaps and not allow_partial:
        raise InputError(
            f"single score needs all 16 categories; not covered: {', '.join(gaps)}. "
            "Pass allow_partial=True (CLI: the score is then labelled 'partial')."
        )
    if total is None:
        total = np.nan
    return Q_(total, ureg.Pt)
