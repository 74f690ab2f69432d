"""Helpers on a result Dataset: totals, stage totals and shares, single score, tidy frames.

A category total is the sum of its covered components; where some are not covered the total is a
lower bound and the category's ``coverage`` attribute says ``partial``. A stage or total with no
covered component is NaN (null in JSON), never 0.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pint
import pint_xarray  # noqa: F401  (registers the .pint accessor)
import xarray as xr

from lca.inventory.method import CODES, category
from lca.model.arrays import set_code, top_sets
from lca.units import ureg
from lca.vocab import STAGES  # noqa: E402


def magnitudes(ds: xr.Dataset) -> xr.Dataset:
    """The category variables as plain floats, each with ``units`` in attrs (netCDF-ready)."""
    out = ds.pint.dequantify() if any(hasattr(ds[c].data, "units") for c in CODES if c in ds) else ds
    return out


def _nansum(da: xr.DataArray, dim) -> xr.DataArray:
    return da.sum(dim=dim, skipna=True, min_count=1)


def totals(ds: xr.Dataset) -> xr.Dataset:
    """Sum over components (pint units kept)."""
    m = magnitudes(ds)
    out = xr.Dataset({c: _nansum(m[c], "component") for c in CODES}, attrs=ds.attrs)
    for c in CODES:
        out[c].attrs = dict(m[c].attrs)
    return out.pint.quantify(unit_registry=ureg) if "units" in m[CODES[0]].attrs else out


def stage_totals(ds: xr.Dataset) -> xr.Dataset:
    """Sum over the components of each stage; dims (stage[, sample])."""
    m = magnitudes(ds)
    stage = m["stage"].values
    res = {}
    for c in CODES:
        parts = []
        for s in STAGES:
            sel = m[c].isel(component=np.flatnonzero(stage == s))
            if sel.sizes["component"]:
                parts.append(_nansum(sel, "component"))
            else:  # no component in this stage: not covered, not zero
                parts.append(xr.full_like(_nansum(m[c], "component"), np.nan))
        da = xr.concat(parts, dim=pd.Index(list(STAGES), name="stage"))
        da.attrs = dict(m[c].attrs)
        res[c] = da
    out = xr.Dataset(res, attrs=ds.attrs)
    drop = [k for k in out.coords if k not in ("stage", "sample") and "component" in out[k].dims]
    out = out.drop_vars(drop)
    return out.pint.quantify(unit_registry=ureg) if "units" in m[CODES[0]].attrs else out


def stage_shares(ds: xr.Dataset) -> xr.Dataset:
    """Stage share of each category total (dimensionless, NaN where not covered)."""
    st = magnitudes(stage_totals(ds))
    tot = st.sum("stage", skipna=True, min_count=1)
    out = st / tot
    for c in CODES:
        out[c].attrs = {"units": "dimensionless", "coverage": ds[c].attrs.get("coverage")}
    return out


def single_score(ds: xr.Dataset, *, allow_partial: bool = True) -> tuple[pint.Quantity, str]:
    """EF 3.1 single score of the totals and its coverage (``full`` or ``partial``)."""
    from lca.inventory.method import single_score as _ss

    t = totals(ds)
    impacts = {c: t[c].data for c in CODES}
    partial = any(ds[c].attrs.get("coverage") != "full" for c in CODES)
    return _ss(impacts, allow_partial=allow_partial), ("partial" if partial else "full")


def single_score_by_stage(ds: xr.Dataset) -> xr.DataArray:
    """Single score (Pt) split by category and stage; dims (category, stage[, sample])."""
    st = magnitudes(stage_totals(ds))
    arrs = []
    for c in CODES:
        f = category(c).single_score_factor.m_as(ureg.Pt / category(c).units)
        arrs.append(st[c] * f)
    da = xr.concat(arrs, dim=pd.Index(list(CODES), name="category"))
    da.attrs["units"] = "Pt"
    return da


def to_frame(ds: xr.Dataset) -> pd.DataFrame:
    """Tidy table: one row per category x component (x sample), with value and unit."""
    m = magnitudes(ds)
    frames = []
    for c in CODES:
        df = m[c].to_dataframe(name="value").reset_index()
        keep = ["component", "stage", "value"] + (["sample"] if "sample" in m[c].dims else [])
        df = df[[col for col in df.columns if col in keep]]
        df.insert(0, "category", c)
        df["unit"] = category(c).unit
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def coverage(ds: xr.Dataset) -> dict:
    return json.loads(ds.attrs["coverage"])


def robustness(ds: xr.Dataset) -> dict:
    """How robust each conclusion is, from Monte Carlo samples (``ds`` with a ``sample`` dim).

    Per category: the probability that each stage dominates (has the largest impact; shares sum
    to 1 over the samples where any stage is covered), the probability that manufacturing
    exceeds use, and the stability of the component ranking: which component is the largest in
    most draws, in what share of draws, and how often the top three (by mean) stay the top three.
    Not-covered stages never dominate (they are skipped, not counted as 0).
    """
    if "sample" not in ds.dims or ds.sizes["sample"] < 2:
        raise ValueError("robustness needs a Monte Carlo result with at least 2 samples")
    m = magnitudes(ds)
    st = magnitudes(stage_totals(ds))
    out = {}
    for c in CODES:
        s = np.stack([np.asarray(st[c].sel(stage=x).values, dtype=float) for x in STAGES])  # (4, n)
        valid = ~np.isnan(s).all(axis=0)
        entry: dict = {"samples": int(valid.sum())}
        if valid.any():
            win = np.nanargmax(np.where(np.isnan(s[:, valid]), -np.inf, s[:, valid]), axis=0)
            entry["p_stage_dominates"] = {x: float(np.mean(win == i)) for i, x in enumerate(STAGES)}
            man, use = s[STAGES.index("manufacturing")], s[STAGES.index("use")]
            both = ~np.isnan(man) & ~np.isnan(use)
            entry["p_manufacturing_exceeds_use"] = float(np.mean(man[both] > use[both])) if both.any() else None
        comp = np.asarray(m[c].transpose("component", "sample").values, dtype=float)  # (C, n)
        names = [str(x) for x in m[c]["component"].values]
        ok = ~np.isnan(comp).all(axis=0)
        if ok.any():
            filled = np.where(np.isnan(comp[:, ok]), -np.inf, comp[:, ok])
            top = np.argmax(filled, axis=0)
            counts = np.bincount(top, minlength=len(names)) / top.size
            best = int(np.argmax(counts))
            finite = ~np.isinf(filled)
            means = np.where(finite, filled, 0.0).sum(axis=1) / np.maximum(finite.sum(axis=1), 1)
            means[~finite.any(axis=1)] = -np.inf  # a component never covered ranks last
            order = np.argsort(-means, kind="stable")
            k = min(3, len(names))
            same = np.mean(top_sets(filled, k) == set_code(order[:k]))  # the k largest, as a set
            entry["top_component"] = names[best]
            entry["p_top_component"] = float(counts[best])
            entry["top3_by_mean"] = [names[i] for i in order[:3]]
            entry["p_top3_stable"] = float(same)
        out[c] = entry
    return out
