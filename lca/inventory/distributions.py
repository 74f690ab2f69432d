"""Distribution specs -> samplers, quantiles (for SALib's unit-hypercube samples) and defaults.

A distribution is written in a scenario or inventory file as

``{distribution: uniform, min: "1 year", max: "6 year", default: "2 year"}``
``{distribution: triangular, min, mode, max}``
``{distribution: normal, mean, sd}`` (``min``/``max`` optional truncation)
``{distribution: lognormal, median, gsd}`` (geometric standard deviation, dimensionless)
``{distribution: loguniform, min, max}`` (uniform in log space; median sqrt(min * max), the default)
``{pedigree: [r, c, t, g, tech], basic_gsd: 1.05}`` on a datum whose value is the median.

References
----------
Weidema, B. P. et al. (2013). Overview and methodology. Data quality guideline for the ecoinvent
database version 3. Ecoinvent Report 1(v3). (Pedigree matrix and its uncertainty factors.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pint

from lca.errors import InputError
from lca.units import Q_, UnitError, parse_quantity

KINDS = ("uniform", "triangular", "normal", "lognormal", "loguniform")

_PEDIGREE_ORDER = ("reliability", "completeness", "temporal_correlation", "geographical_correlation",
                   "technological_correlation")


def load_pedigree(path) -> tuple:
    """Pedigree uncertainty factors per indicator and score, from a ``methods/pedigree.yaml`` file."""
    from lca.inventory.files import load_yaml

    data = load_yaml(path)
    try:
        rows = tuple(tuple(float(x) for x in data["indicators"][k]) for k in _PEDIGREE_ORDER)
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{path}: indicators: expected 5 lists of 5 factors ({', '.join(_PEDIGREE_ORDER)})") from None
    if any(len(r) != 5 for r in rows):
        raise InputError(f"{path}: indicators: each indicator needs 5 factors (scores 1-5)")
    if any(not (x >= 1.0) for r in rows for x in r):
        raise InputError(f"{path}: indicators: factors are geometric standard deviations, each >= 1")
    return rows


@lru_cache(maxsize=1)
def pedigree_factors() -> tuple:
    """Pedigree uncertainty factors of the shipped inventory (inventories/methods/pedigree.yaml)."""
    from lca.inventory.files import inventories_dir

    return load_pedigree(inventories_dir() / "methods" / "pedigree.yaml")


@dataclass(frozen=True)
class Distribution:
    """A univariate distribution of a pint quantity, with a default for deterministic runs."""

    kind: str
    params: dict = field(default_factory=dict)  # magnitudes in `unit`
    unit: str = "dimensionless"
    default: float | None = None  # magnitude in `unit`

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_spec(cls, spec: dict, *, expected: str | None, where: str, value: pint.Quantity | None = None):
        """Read a distribution mapping (see module docstring). ``value`` is the datum's own value
        (used as the median of pedigree and lognormal specs and as the default)."""
        if not isinstance(spec, dict):
            raise InputError(f"{where}: a distribution must be a mapping, got {type(spec).__name__}")
        if "pedigree" in spec:
            return cls._from_pedigree(spec, expected=expected, where=where, value=value)
        kind = spec.get("distribution")
        if kind not in KINDS:
            raise InputError(f"{where}.distribution: expected one of {', '.join(KINDS)}, got {kind!r}")
        required = {"uniform": ("min", "max"), "triangular": ("min", "mode", "max"),
                    "normal": ("mean", "sd"), "lognormal": ("gsd",), "loguniform": ("min", "max")}[kind]
        allowed = set(required) | {"distribution", "default", "min", "max", "median", "note", "source"}
        unknown = set(spec) - allowed
        if unknown:
            raise InputError(f"{where}: unknown key(s) {sorted(unknown)} for a {kind} distribution; allowed: {sorted(allowed)}")
        for k in required:
            if k not in spec:
                raise InputError(f"{where}.{k}: required for a {kind} distribution")
        qs = {}
        for k in ("min", "max", "mode", "mean", "sd", "median", "default"):
            if k in spec and spec[k] is not None:
                qs[k] = parse_quantity(spec[k], expected=expected, where=f"{where}.{k}")
        if kind == "lognormal":
            gsd = parse_quantity(spec["gsd"], expected="dimensionless", where=f"{where}.gsd").m_as("")
            if "median" not in qs:
                median = qs.get("default", value)
                if median is None:  # neither a default nor the datum's own value
                    raise InputError(f"{where}.median: a lognormal needs a median (or the datum's value)")
                qs["median"] = median
        unit = str(next(iter(qs.values())).units) if qs else (str(value.units) if value is not None else "dimensionless")
        try:
            mags = {k: float(q.m_as(unit)) for k, q in qs.items()}
        except pint.DimensionalityError as exc:
            raise InputError(f"{where}: bounds have inconsistent units ({exc})") from None
        for k, v in mags.items():
            if not np.isfinite(v):
                raise InputError(f"{where}.{k}: must be a finite number, got {v}")
        default = mags.pop("default", None)
        if default is None and value is not None:
            default = float(value.m_as(unit))
        params = dict(mags)
        if kind == "lognormal":
            params["gsd"] = float(gsd)
            if not gsd > 1:
                raise InputError(f"{where}.gsd: the geometric standard deviation must be > 1, got {gsd}")
            if params["median"] <= 0:
                raise InputError(f"{where}.median: must be > 0 for a lognormal, got {params['median']}")
        if kind == "loguniform" and not 0 < params["min"]:
            raise InputError(f"{where}.min: must be > 0 for a loguniform, got {params['min']}")
        if kind in ("uniform", "triangular", "loguniform") and not params["min"] < params["max"]:
            raise InputError(f"{where}: min must be < max, got min={params['min']}, max={params['max']}")
        if kind == "triangular" and not params["min"] <= params["mode"] <= params["max"]:
            raise InputError(f"{where}.mode: must lie between min and max, got {params['mode']}")
        if kind == "normal" and not params["sd"] > 0:
            raise InputError(f"{where}.sd: must be > 0, got {params['sd']}")
        d = cls(kind=kind, params=params, unit=unit, default=default)
        if default is not None and "min" in params and "max" in params and not params["min"] <= default <= params["max"]:
            raise InputError(f"{where}.default: {default} {unit} lies outside [{params['min']}, {params['max']}]")
        return d

    @classmethod
    def _from_pedigree(cls, spec, *, expected, where, value):
        scores = spec.get("pedigree")
        if value is None:
            raise InputError(f"{where}: a pedigree uncertainty needs the datum's value (its median)")
        if (not isinstance(scores, (list, tuple)) or len(scores) != 5
                or not all(isinstance(s, int) and 1 <= s <= 5 for s in scores)):
            raise InputError(f"{where}.pedigree: expected 5 integer scores 1-5 "
                             "[reliability, completeness, temporal, geographical, technological], got {scores!r}")
        basic = float(spec.get("basic_gsd", 1.0))
        if basic < 1:
            raise InputError(f"{where}.basic_gsd: must be >= 1, got {basic}")
        # Weidema et al. (2013), eq. 10.1: sigma^2 = sum of log(U_i)^2 over basic + 5 indicators.
        var = np.log(basic) ** 2 + sum(np.log(pedigree_factors()[i][s - 1]) ** 2 for i, s in enumerate(scores))
        gsd = float(np.exp(np.sqrt(var)))
        unit = str(value.units)
        med = float(value.magnitude)
        if gsd <= 1.0:
            raise InputError(f"{where}.pedigree: all scores 1 and basic_gsd 1 give no uncertainty; drop the spec")
        if med <= 0:
            raise InputError(f"{where}: a pedigree (lognormal) uncertainty needs a positive value, got {med}")
        return cls(kind="lognormal", params={"median": med, "gsd": gsd}, unit=unit, default=med)

    # -- use ------------------------------------------------------------------------------------
    def _frozen(self):
        from scipy import stats  # imported on first use: keeps CLI start-up fast

        p = self.params
        if self.kind == "uniform":
            return stats.uniform(loc=p["min"], scale=p["max"] - p["min"])
        if self.kind == "triangular":
            width = p["max"] - p["min"]
            return stats.triang(c=(p["mode"] - p["min"]) / width, loc=p["min"], scale=width)
        if self.kind == "normal":
            lo = (p.get("min", -np.inf) - p["mean"]) / p["sd"]
            hi = (p.get("max", np.inf) - p["mean"]) / p["sd"]
            return stats.truncnorm(lo, hi, loc=p["mean"], scale=p["sd"])
        if self.kind == "loguniform":
            return stats.loguniform(p["min"], p["max"])
        return stats.lognorm(s=np.log(p["gsd"]), scale=p["median"])

    def quantile(self, u: float) -> float:
        """One quantile (magnitude in ``unit``) without scipy: what a deterministic run needs (the
        median, the ends of the support for the bounds check). The closed forms of
        :meth:`ppf_magnitude`; the normal quantile from :class:`statistics.NormalDist` (so that
        no scipy module is imported), truncation included."""
        from statistics import NormalDist

        p, u = self.params, float(u)
        if self.kind in ("uniform", "triangular", "loguniform"):
            return float(self.ppf_magnitude(u))
        std = NormalDist()
        if self.kind == "normal":
            a = std.cdf((p["min"] - p["mean"]) / p["sd"]) if "min" in p else 0.0
            b = std.cdf((p["max"] - p["mean"]) / p["sd"]) if "max" in p else 1.0
            v = min(max(a + u * (b - a), 1e-300), 1 - 1e-16)
            return p["mean"] + p["sd"] * std.inv_cdf(v)
        return p["median"] * p["gsd"] ** std.inv_cdf(u)

    @property
    def central(self) -> float:
        """Default if given, else the median (magnitude in ``unit``)."""
        if self.default is not None:
            return self.default
        if self.kind == "lognormal":
            return float(self.params["median"])
        return self.quantile(0.5)

    def ppf(self, u) -> pint.Quantity:
        """Quantile function: maps uniform [0, 1] numbers to values (vectorised)."""
        return Q_(self._frozen().ppf(np.asarray(u, dtype=float)), self.unit)

    def ppf_magnitude(self, u) -> np.ndarray:
        """:meth:`ppf` as plain magnitudes in ``unit``, for ``u`` in (0, 1), without a pint array.

        The closed forms are scipy's own ``_ppf`` formulas (``scipy.stats`` uniform, triang,
        loguniform, lognorm, norm), written with numpy and ``scipy.special.ndtri``, skipping the
        frozen distributions' argument checks; the values equal :meth:`ppf`'s bit for bit on every
        uncertain input of the shipped scenarios (tests/test_fast_paths.py). A truncated normal
        goes through :meth:`ppf` itself."""
        p, u = self.params, np.asarray(u, dtype=float)
        if self.kind == "uniform":
            return u * (p["max"] - p["min"]) + p["min"]
        if self.kind == "triangular":
            width = p["max"] - p["min"]
            c = (p["mode"] - p["min"]) / width
            return np.where(u < c, np.sqrt(c * u), 1 - np.sqrt((1 - c) * (1 - u))) * width + p["min"]
        if self.kind == "loguniform":
            la = np.log(p["min"])
            return np.exp(la + u * (np.log(p["max"]) - la))
        if self.kind == "normal" and ("min" in p or "max" in p):
            return np.asarray(self._frozen().ppf(u), dtype=float)
        from scipy.special import ndtri  # the standard normal quantile (scipy.special is cheap to import)

        if self.kind == "normal":
            return ndtri(u) * p["sd"] + p["mean"]
        return np.exp(np.log(p["gsd"]) * ndtri(u)) * p["median"]

    def sample(self, rng: np.random.Generator, n: int) -> pint.Quantity:
        """``n`` independent draws using the caller's Generator."""
        if not isinstance(rng, np.random.Generator):
            raise TypeError("sample() needs an explicit numpy.random.Generator")
        return self.ppf(rng.random(n))

    def scaled(self, k: float) -> Distribution:
        """The distribution of ``k`` times the quantity (k > 0): location parameters scale, GSDs do not."""
        params = {n: (v if n == "gsd" else v * k) for n, v in self.params.items()}
        return Distribution(kind=self.kind, params=params, unit=self.unit,
                            default=None if self.default is None else self.default * k)

    def with_unit(self, unit: str) -> Distribution:
        """The same numbers, read in ``unit`` (for values stored as plain numbers in a known unit)."""
        return Distribution(kind=self.kind, params=dict(self.params), unit=unit, default=self.default)

    def describe(self) -> str:
        p = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
        return f"{self.kind}({p}) {self.unit}"


def is_distribution_spec(node) -> bool:
    return isinstance(node, dict) and ("distribution" in node or "pedigree" in node)


__all__ = ["Distribution", "is_distribution_spec", "UnitError"]
