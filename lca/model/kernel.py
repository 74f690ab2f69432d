"""The fast totals kernel: category totals and run quantities, shape (19, n), without building a
Dataset. Sweeps, Monte Carlo statistics and sensitivity analysis evaluate the model through it.

Totals equal ``lca.model.result.totals(lca.model.evaluate(...))`` at every point (tested).
"""

from __future__ import annotations

import numpy as np

from lca.errors import unknown_id
from lca.inventory.method import CODES, category
from lca.model.compose import Model, compute, coverage_of, per_card, quantities
from lca.model.stages import use
from lca.scenario import parameter_table
from lca.scenario.sampling import derive
from lca.units import Q_
from lca.vocab import KERNEL_QUANTITIES as QUANTITIES
from lca.vocab import QUANTITY_NAMES, QUANTITY_UNITS, UNIT_LABELS

#: Rows of the kernel's output: the 16 category codes, then the quantities
OUTPUTS = tuple(CODES) + QUANTITIES


class _Recorder(dict):
    """A parameter table that records which paths a stage function reads."""

    def __init__(self, data):
        super().__init__(data)
        self.read = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)


def _varies(q) -> bool:
    m = np.asarray(q.magnitude)
    return m.size > 1 and not bool(np.all(m == m.flat[0]))


def evaluate_outputs(model: Model, p: dict, out: np.ndarray | None = None) -> np.ndarray:
    """Category totals and run quantities for a parameter table, as one float array (19, n).

    Rows follow :data:`OUTPUTS`: the 16 category codes (each total in the category's unit, the sum
    of the covered components, NaN where none is covered -- as :func:`lca.result.totals`) then
    ``accelerator_hours`` (h), ``energy`` (kWh), ``lifetimes_consumed``.

    ``p`` is a parameter table (:func:`lca.scenario.parameter_table`) whose arrays may have
    length 1 or n: constant inputs can stay length 1 and are broadcast. The per-card embodied
    impacts are computed once when none of the inputs they read varies (the measured route, or a
    parametric card with a fixed bill of materials), which is what makes this path fast; the
    result equals summing :func:`lca.model.compute` over components (to rounding).
    """
    n = max(np.asarray(v.magnitude).size for v in p.values())
    q = quantities(model, p)
    rec = _Recorder({k: v[:1] for k, v in p.items()})
    card = per_card(model, rec)
    if any(k in p and _varies(p[k]) for k in rec.read):
        card = per_card(model, p)
    cs = _nansum_stack([arr for _stage, arr in card.values()])  # (16, 1 or n)
    life = np.broadcast_to(np.asarray(q["lifetimes_consumed"].m_as(""), dtype=float), (n,))
    e = np.broadcast_to(np.asarray(q["energy"].m_as("kWh"), dtype=float), (n,))
    # electricity is linear in energy: use.electricity(1 kWh) gives the per-kWh factors (16, 1 or n),
    # and factor x energy below is the same product use.electricity(energy) computes
    grid = {c: p[f"operation.grid.{c}"] for c in CODES}
    G = use.electricity(Q_(np.ones(max(np.asarray(g.magnitude).size for g in grid.values())), "kWh"), grid)
    water = None
    if "onsite_water" in q:
        water = use.onsite_water_impacts(q["onsite_water"], p.get("operation.water_scarcity"))
    if out is None:
        out = np.empty((len(OUTPUTS), n))
    inputs_finite = not (np.isnan(life).any() or np.isnan(e).any())
    tmp = np.empty(n)
    for k in range(len(CODES)):
        ck = cs[k] if cs.shape[1] > 1 else cs[k, 0]
        gk = G[k] if G.shape[1] > 1 else G[k, 0]
        row = out[k]
        if water is None and inputs_finite and np.ndim(ck) == 0 and np.ndim(gk) == 0 and not (np.isnan(ck) or np.isnan(gk)):
            np.multiply(ck, life, out=row)          # embodied share of the run
            np.multiply(gk, e, out=tmp)             # electricity
            row += tmp
            continue
        terms = []
        if np.ndim(ck) or not np.isnan(ck):
            terms.append(ck * life)
        if np.ndim(gk) or not np.isnan(gk):
            terms.append(gk * e)
        if water is not None:
            terms.append(water[k] if water.shape[1] == n else np.broadcast_to(water[k], (n,)))
        _nansum_into(terms, row)
    for i, name in enumerate(QUANTITIES):
        out[len(CODES) + i] = q[name].m_as(QUANTITY_UNITS[name])
    return out


def _nansum_stack(arrs):
    """Sum of (R, 1 or m) arrays ignoring NaN; NaN where all are NaN (min_count=1). Rows without
    NaN (the usual case) cost one NaN check and one addition per array."""
    rows = arrs[0].shape[0]
    width = max(a.shape[1] for a in arrs)
    total = np.zeros((rows, width))
    full = np.zeros(rows, dtype=bool)    # some array has no NaN in this row: the sum is defined
    seen = {}                            # row -> mask of samples with at least one value
    for a in arrs:
        nan_rows = np.isnan(a).any(axis=1)
        if not nan_rows.any():
            total += a
            full[:] = True
            continue
        for r in range(rows):
            if not nan_rows[r]:
                total[r] += a[r]
                full[r] = True
                continue
            ok = ~np.isnan(a[r])
            if ok.any():
                total[r] += np.where(ok, a[r], 0.0)
                seen[r] = (seen[r] | ok) if r in seen else np.broadcast_to(ok, (width,)).copy()
    for r in np.flatnonzero(~full):
        mask = seen.get(r)
        if mask is None:
            total[r] = np.nan
        else:
            total[r][~np.broadcast_to(mask, (width,))] = np.nan
    return total


def _nansum_into(terms, out):
    """out[:] = sum of 1-D terms ignoring NaN, NaN where every term is NaN."""
    clean, masks, full = [], [], False
    for t in terms:
        nan = np.isnan(t)
        if nan.all():
            continue
        if nan.any():
            clean.append(np.where(nan, 0.0, t))
            masks.append(~nan)
        else:
            clean.append(t)
            full = True
    if not clean:
        out[...] = np.nan
        return
    np.copyto(out, clean[0])
    for t in clean[1:]:
        out += t
    if not full:
        seen = masks[0].copy()
        for m in masks[1:]:
            seen |= m
        out[~seen] = np.nan


def output_unit(name: str) -> tuple[str, str]:
    """(pint unit string, display label) of an output row."""
    if name in QUANTITY_UNITS:
        u = QUANTITY_UNITS[name]
        return u, UNIT_LABELS[u]
    c = category(name)
    return str(c.pint_unit), c.unit


def unit_name(unit: str) -> str:
    """Long, pint-parsable spelling of a unit (``a`` -> ``year``, ``mm²`` -> ``millimeter ** 2``)."""
    from lca.units import ureg

    return format(ureg.Unit(unit), "D")


def _unit_label(path, unit):
    if path.startswith("operation.grid."):
        return f"{category(path.rsplit('.', 1)[1]).unit}/kWh"
    name = unit_name(unit)
    return "-" if name == "dimensionless" else name


def output_name(name: str) -> str:
    if name in QUANTITY_UNITS:
        return QUANTITY_NAMES[name]
    return category(name).name


_CACHE: dict = {}   # id(model) -> (weak reference to the model, {name: value})


def _cached(model, key, make):
    import weakref

    ref, store = _CACHE.get(id(model), (None, None))
    if ref is None or ref() is not model:
        store = {}
        _CACHE[id(model)] = (weakref.ref(model, lambda _r, i=id(model): _CACHE.pop(i, None)), store)
    if key not in store:
        store[key] = make()
    return store[key]


def table(model: Model, fixed: dict) -> dict:
    """``parameter_table(model.scenario, fixed=fixed)`` for plain arrays in each parameter's unit,
    without re-parsing unit strings: the deterministic table is built once per model and the
    fixed arrays are attached to its units (same values as parameter_table gives)."""
    base = _cached(model, "table", lambda: parameter_table(model.scenario))
    unknown = [k for k in fixed if k not in base]
    if unknown:
        raise unknown_id("parameter path", unknown[0], base.keys())
    p = dict(base)
    for k, v in fixed.items():
        p[k] = Q_(np.asarray(v, dtype=float), base[k].units)
    return derive(p)


def coverage(model: Model) -> dict:
    """Coverage flags of the categories at the deterministic point (cached per model)."""
    def make():
        q, names, stages, arr = compute(model, parameter_table(model.scenario))
        return coverage_of(arr, names, stages)
    return _cached(model, "coverage", make)


