"""JSON and CSV documents of sweep results (the run document is in :mod:`lca.outputs.files`)."""

from __future__ import annotations

import json
import math

import numpy as np
import xarray as xr

from lca import __version__
from lca.inventory.method import CODES
from lca.model.kernel import OUTPUTS, QUANTITIES


def _nan_to_none(x):
    if isinstance(x, list):
        return [_nan_to_none(v) for v in x]
    return None if (isinstance(x, float) and math.isnan(x)) else x


def sweep_json_dict(ds: xr.Dataset) -> dict:
    """JSON document of a sweep: nested lists over the swept dims (C order, as ``dims`` lists);
    with samples, ``mean``, ``p05``, ``p50``, ``p95`` over the samples instead of ``values``."""
    sampled = "sample" in ds.dims
    dims = [d for d in ds[OUTPUTS[0]].dims if d != "sample"]

    def stats(da):
        if not sampled:
            return {"values": _nan_to_none(np.asarray(da.values, dtype=float).tolist())}
        a = np.asarray(da.transpose(*dims, "sample").values, dtype=float)
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                res = {"mean": np.nanmean(a, axis=-1)}
                for q in (5, 50, 95):
                    res[f"p{q:02d}"] = np.nanpercentile(a, q, axis=-1)
        return {k: _nan_to_none(v.tolist()) for k, v in res.items()}

    doc = {"scenario": ds.attrs.get("scenario"), "lca_version": ds.attrs.get("lca_version", __version__),
           "accelerator": ds.attrs.get("accelerator"), "grid": ds.attrs.get("grid"),
           "dims": dims,
           "swept": {d: {"values": ds[d].values.tolist(), "unit": ds[d].attrs.get("units")} for d in dims}}
    if sampled:
        doc["samples"] = int(ds.sizes["sample"])
        doc["seed"] = ds.attrs.get("seed")
        doc["sampled"] = [p for p in ds.attrs.get("sampled", "").split(",") if p]
    doc["quantities"] = {k: {"unit": ds[k].attrs["units"], **stats(ds[k])} for k in QUANTITIES}
    cov = json.loads(ds.attrs.get("coverage", "{}"))
    doc["impacts"] = {c: {"name": ds[c].attrs["long_name"], "unit": ds[c].attrs["unit_label"],
                          "coverage": cov.get(c, {}).get("coverage"), **stats(ds[c])} for c in CODES}
    return doc


def sweep_csv(ds: xr.Dataset) -> str:
    """Wide CSV: one row per grid point (and sample), one column per swept parameter, quantity
    and category (units: see ``to_json_dict`` or the netCDF attrs)."""
    dims = list(ds[OUTPUTS[0]].dims)
    df = ds[list(QUANTITIES) + list(CODES)].to_dataframe()
    df = df.reset_index()[dims + list(QUANTITIES) + list(CODES)]
    return df.to_csv(index=False, float_format="%.10g")
