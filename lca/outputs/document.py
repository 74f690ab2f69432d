"""The run document (``lca run --format json``, and the table printed from it), built from plain
arrays (:class:`lca.model.arrays.RunArrays`) so that a deterministic run needs no xarray.

:func:`lca.outputs.files.to_json_dict` builds the same document from a result Dataset through
:func:`run_document`, so both paths give the same keys and numbers (the contract in docs/cli.md).
"""

from __future__ import annotations

import json
import math

import numpy as np

from lca import __version__
from lca.inventory.method import CODES, category
from lca.model.arrays import RunArrays, category_totals, single_scores, stage_totals
from lca.vocab import QUANTITY_UNITS, STAGES


def _num(x):
    x = float(x)
    return None if math.isnan(x) else x


def _stats(arr) -> dict:
    a = np.asarray(arr, dtype=float)
    if np.all(np.isnan(a)):
        return {"mean": None, "p05": None, "p50": None, "p95": None}
    return {"mean": _num(np.mean(a)), "p05": _num(np.percentile(a, 5)), "p50": _num(np.percentile(a, 50)),
            "p95": _num(np.percentile(a, 95))}


def run_document(r: RunArrays, *, sampled: bool = False, robustness: dict | None = None) -> dict:
    """The ``lca run --format json`` document of ``r`` (``r.data`` is (16, C, n)).

    With ``sampled``, numbers are means over the n samples and every total, stage and quantity
    also gets ``mean``, ``p05``, ``p50`` and ``p95``; otherwise n is 1 and numbers are its values.
    ``robustness`` (per category, :func:`lca.model.result.robustness`) is added when given."""
    attrs = r.attrs
    data = r.data
    tot = category_totals(data)                       # (16, n)
    st = stage_totals(data, r.stages)                 # (16, 4, n)
    cov = json.loads(attrs["coverage"])
    prov = json.loads(attrs.get("provenance", "{}"))

    def val(a):
        a = np.asarray(a, dtype=float)
        if sampled:
            return None if np.all(np.isnan(a)) else _num(np.mean(a))
        return _num(a.reshape(-1)[0])

    quantities = {}
    for k, unit in QUANTITY_UNITS.items():
        if k in r.quantities:
            entry = {"value": val(r.quantities[k]), "unit": unit}
            if sampled:
                entry.update(_stats(r.quantities[k]))
            quantities[k] = entry
    impacts = {}
    for i, c in enumerate(CODES):
        cat = category(c)
        entry = {"name": cat.name, "unit": cat.unit, "coverage": cov[c]["coverage"], "total": val(tot[i]),
                 "stages": {s: val(st[i, j]) for j, s in enumerate(STAGES)},
                 "components": {str(comp): val(data[i, k]) for k, comp in enumerate(r.names)}}
        if cov[c]["missing_stages"]:
            entry["missing_stages"] = cov[c]["missing_stages"]
            entry["missing_components"] = cov[c]["missing_components"]
        if cov[c].get("proxy_components"):
            entry["proxy_components"] = cov[c]["proxy_components"]
        entry["convention"] = prov.get(c, {}).get("convention")
        if prov.get(c, {}).get("suspect"):
            entry["suspect"] = prov[c]["suspect"]
        if prov.get(c, {}).get("warning"):
            entry["warning"] = prov[c]["warning"]
        if sampled:
            entry.update(_stats(tot[i]))
            entry["stage_stats"] = {s: _stats(st[i, j]) for j, s in enumerate(STAGES)}
            if robustness is not None:
                entry["robustness"] = robustness[c]
        impacts[c] = entry
    ss = single_scores(tot)
    partial = any(cov[c]["coverage"] != "full" for c in CODES)
    ss_entry = {"value": val(ss), "unit": "Pt", "coverage": "partial" if partial else "full"}
    if sampled:
        ss_entry.update(_stats(ss))
    doc = {"scenario": attrs.get("scenario"), "lca_version": attrs.get("lca_version", __version__),
           "accelerator": attrs.get("accelerator"), "embodied_method": attrs.get("embodied_method"),
           "grid": attrs.get("grid"), "grid_name": attrs.get("grid_name"), "background": attrs.get("background"),
           "energy_source": attrs.get("energy_source"),
           "quantities": quantities, "impacts": impacts, "single_score": ss_entry}
    doc["warnings"] = json.loads(attrs.get("warnings", "[]"))
    if sampled:
        doc["samples"] = int(data.shape[-1])
        doc["monte_carlo"] = {"mode": "in memory", "percentiles": "exact (numpy.percentile, linear)"}
        doc["seed"] = attrs.get("seed")
        doc["sampled"] = [x for x in str(attrs.get("sampled", "")).split(",") if x]
    doc["overrides"] = json.loads(attrs.get("overrides", "[]"))
    doc["sources"] = json.loads(attrs.get("sources", "[]"))
    doc["data_manifest"] = json.loads(attrs.get("data_manifest", "{}"))
    return doc


def to_json_text(doc: dict) -> str:
    """A document as JSON text (strict: a non-finite number is an error, never ``Infinity``)."""
    return json.dumps(doc, indent=2, allow_nan=False)
