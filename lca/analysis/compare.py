"""Side-by-side comparison of prepared models: category totals, ratios to the first, and (with
samples) the probability that each scenario is lower than the first, with common random numbers.

Common random numbers: for every parameter path in the union of the scenarios' uncertain inputs,
one uniform vector ``u`` is drawn from ``numpy.random.default_rng([seed, zlib.crc32(path)])``
and mapped through each scenario's own distribution of that path (its quantile function). An
input both scenarios share (``workload.mfu``, ``lifetime.lifespan`` ...) so takes the same
quantile in both, and the comparison is not blurred by noise the two runs have in common:
a scenario compared with itself gives ratio 1 and P(lower) 0 exactly.
"""

from __future__ import annotations

import json
import warnings
import zlib

import numpy as np
import xarray as xr

from lca.errors import InputError
from lca.inventory.method import CODES
from lca.model.compose import Model
from lca.model.kernel import evaluate_outputs, output_unit, table
from lca.scenario.sampling import _ppf, resolve_seed
from lca.scenario.schema import Param, is_data_path


def _uniforms(path: str, seed: int, n: int) -> np.ndarray:
    """The uniform draws of one parameter path (the same in every scenario that has it)."""
    return np.random.default_rng([seed, zlib.crc32(path.encode("utf-8"))]).random(n)


def _totals(model: Model, fixed: dict) -> np.ndarray:
    """Category totals (16, n) from the kernel."""
    return evaluate_outputs(model, table(model, fixed))[: len(CODES)]


def _describe(prm: Param) -> str:
    """``workload.mfu ~ uniform(0.32, 0.36)`` or ``lifetime.utilization = 1``."""
    d = prm.distribution
    if d is None:
        mag, unit = prm.value.magnitude, str(prm.value.units)
        text = f"{prm.path} = {float(mag):.6g}"
    else:
        unit = d.unit
        if d.kind in ("uniform", "loguniform"):
            args = [f"{float(d.params[k]):.6g}" for k in ("min", "max")]
        else:
            args = [f"{k}={float(v):.6g}" for k, v in d.params.items()]
        text = f"{prm.path} ~ {d.kind}({', '.join(args)})"
    return text if unit in ("dimensionless", "") else f"{text} {unit}"


def _same(a: Param, b: Param) -> bool:
    if (a.distribution is None) != (b.distribution is None) or a.unit != b.unit:
        return False
    if a.distribution is not None:
        return a.distribution == b.distribution
    return bool(np.all(a.value.to(a.unit).magnitude == b.value.to(b.unit).magnitude))


def shared_assumptions(models: list[Model]) -> list[str]:
    """Scenario inputs (not inventory data) with the same value or distribution in every model:
    what the comparison takes as given. Uncertain inputs first, then fixed ones."""
    first = models[0].scenario.params
    paths = [p for p in first if not is_data_path(p)
             and all(p in m.scenario.params and _same(first[p], m.scenario.params[p]) for m in models[1:])]
    paths.sort(key=lambda p: first[p].distribution is None)
    return [_describe(first[p]) for p in paths]


def _ratio(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a == 0, np.nan, b / np.where(a == 0, 1.0, a))


def _sampled(models: list[Model], samples: int, seed: int) -> dict:
    """p_lower, ratio_mean, ratio_p05, ratio_p95: arrays (scenario, category)."""
    union = list(dict.fromkeys(p for m in models for p in m.scenario.uncertain))
    u = {p: _uniforms(p, seed, samples) for p in union}
    tots = [_totals(m, {p: _ppf(m.scenario.params[p], u[p]) for p in m.scenario.uncertain}) for m in models]
    base = tots[0]
    A = np.stack(tots)                                   # (scenario, 16, n)
    ok = np.isfinite(A) & np.isfinite(base)[None]        # draws where both totals are covered
    lower = np.where(ok, A < base[None], np.nan)
    r = np.where(ok, _ratio(A, base[None]), np.nan)
    r[~np.isfinite(r)] = np.nan
    with warnings.catch_warnings():  # an all-NaN category (not covered) stays NaN, quietly
        warnings.simplefilter("ignore", RuntimeWarning)
        q05, q95 = np.nanquantile(r, [0.05, 0.95], axis=-1)
        out = {"p_lower": np.nanmean(lower, axis=-1), "ratio_mean": np.nanmean(r, axis=-1),
               "ratio_p05": q05, "ratio_p95": q95}
    return out


def compare(models: list[Model], labels: list[str], *, samples: int | None = None,
            seed: int | None = None) -> xr.Dataset:
    """Compare prepared models (the first is the reference).

    Returns a Dataset with dims (scenario, category): ``total`` (each category in its unit,
    coordinate ``unit`` on ``category``) and ``ratio`` (total / the first scenario's total); with
    ``samples`` also ``p_lower`` (P(total < the first's)), ``ratio_mean``, ``ratio_p05`` and
    ``ratio_p95``. ``attrs``: ``scenario_names`` (JSON list), ``samples`` (0 when deterministic),
    ``seed`` (with samples), ``shared_assumptions`` (JSON list of strings).
    """
    if len(models) < 2:
        raise InputError(f"scenarios: expected at least two scenarios to compare, got {len(models)}")
    if len(labels) != len(models) or len(set(labels)) != len(labels):
        raise InputError("scenarios: labels must be unique, one per scenario")
    if samples is not None and (isinstance(samples, bool) or not isinstance(samples, (int, np.integer))
                                or samples < 1):
        raise InputError(f"samples: expected a positive integer, got {samples!r}")
    det = np.stack([_totals(m, {})[:, 0] for m in models])  # (scenario, 16)
    dims = ("scenario", "category")
    data = {"total": (dims, det), "ratio": (dims, _ratio(det, det[:1]))}
    attrs: dict = {"scenario_names": json.dumps([m.scenario.name for m in models]), "samples": 0,
                   "shared_assumptions": json.dumps(shared_assumptions(models))}
    if samples is not None:
        seed = resolve_seed(seed)
        for k, v in _sampled(models, int(samples), seed).items():
            data[k] = (dims, v)
        attrs.update(samples=int(samples), seed=seed)
    coords = {"scenario": list(labels), "category": list(CODES),
              "unit": ("category", [output_unit(c)[1] for c in CODES])}
    return xr.Dataset(data, coords=coords, attrs=attrs)


def to_json(ds: xr.Dataset) -> dict:
    """The comparison as plain JSON-ready data (lca compare --format json)."""
    def num(x):
        x = float(x)
        return x if np.isfinite(x) else None

    labels = [str(s) for s in ds["scenario"].values]
    out: dict = {"scenarios": labels, "scenario_names": json.loads(ds.attrs["scenario_names"]),
                 "reference": labels[0], "samples": int(ds.attrs.get("samples", 0)) or None,
                 "seed": ds.attrs.get("seed"), "shared_assumptions": json.loads(ds.attrs["shared_assumptions"]),
                 "categories": {}}
    stats = [v for v in ("ratio_mean", "p_lower", "ratio_p05", "ratio_p95") if v in ds.data_vars]
    for c, unit in zip(ds["category"].values, ds["unit"].values):
        row: dict = {"unit": str(unit)}
        for s in labels:
            cell = {"total": num(ds["total"].sel(scenario=s, category=c)),
                    "ratio": num(ds["ratio"].sel(scenario=s, category=c))}
            cell.update({v: num(ds[v].sel(scenario=s, category=c)) for v in stats})
            row[s] = cell
        out["categories"][str(c)] = row
    if out["seed"] is not None:
        out["seed"] = int(out["seed"])
    return out
