"""Manufacturing stage: per-card cradle-to-gate impacts by component.

Two routes (docs/methodology.md, "Per-card embodied impacts: two routes"):

* ``measured``: per-component results published for the card (More than Carbon supplement, ADEME
  per-card rows), used as they are;
* ``parametric``: bill of materials x per-unit component factors, with the die areas scaled up by a
  yield model (wafer edge, kerf and defect losses) to the *effective* silicon area consumed.
"""

from __future__ import annotations

import numpy as np
import pint

from lca.errors import InputError
from lca.model.stages import apply

MANUFACTURING_COMPONENTS = ("gpu_die", "vram", "main_dies", "pcb", "pop", "heatsink", "casing")


def effective_die_area(area: pint.Quantity, formula: str, *, defect_density: pint.Quantity | None = None,
                       wafer_diameter: pint.Quantity | None = None, kerf: pint.Quantity | None = None) -> pint.Quantity:
    """Silicon area consumed per good die, ``area / yield`` (vectorised).

    ``murphy``:  Y = ((1 - exp(-A D0)) / (A D0))**2                      (Murphy 1964)
    ``poisson``: Y = exp(-A D0)
    ``circular_wafer``: the ADEME/Hubblo calculator's ``computeDieSurface``: dies per wafer
    N = round(pi r^2 / s - pi d / sqrt(2 s)) with s = (sqrt(A) + kerf)^2, wafer coverage
    A N / (pi r^2), usable fraction exp(-sqrt(A D0)); effective area = A / (coverage x usable).
    ``none``: the die area itself.

    References
    ----------
    Murphy, B. T. (1964). Cost-size optima of monolithic integrated circuits. Proc. IEEE 52(12).
    Lees-Perasso et al. (2026), ADEME; Hubblo GPU calculator ``calculations.ts`` (commit 2308a62).
    """
    if formula == "none":
        return area.to("mm**2")
    ad = (area * defect_density).m_as("dimensionless")
    if formula == "murphy":
        y = ((1.0 - np.exp(-ad)) / ad) ** 2
        return (area / y).to("mm**2")
    if formula == "poisson":
        return (area / np.exp(-ad)).to("mm**2")
    if formula == "circular_wafer":
        s = (np.sqrt(area) + kerf) ** 2
        if wafer_diameter is None:  # same exception type as the `None / 2` this check replaces
            raise TypeError("circular_wafer yield needs wafer_diameter")
        r = wafer_diameter / 2
        wafer = np.pi * r**2
        n_dies = np.round((wafer / s).m_as("") - (np.pi * wafer_diameter / np.sqrt(2 * s)).m_as(""))
        coverage = (area * n_dies / wafer).m_as("")
        usable = np.exp(-np.sqrt(ad))
        return (area / (coverage * usable)).to("mm**2")
    raise InputError(f"unknown yield formula {formula!r}; expected murphy, poisson, circular_wafer or none")


def measured(dataset, n: int) -> dict:
    """Published per-card component impacts -> {component: (stage, (16, n) array)}; the arrays are
    read-only views of the (16,) vectors, repeated without copying."""
    return {name: (stage, np.broadcast_to(vec.values[:, None], (vec.values.shape[0], n)))
            for name, (stage, vec) in dataset.components.items()}


def vram_area(p: dict, factor_set, formula: str, yield_kw: dict, basis: str) -> pint.Quantity:
    """Effective VRAM silicon area the VRAM factor is applied to.

    ``all_dies``: n_dies x effective area of one die (consistent with factors normalised by the
    total VRAM area); ``single_die``: one die's effective area (what the public calculator does).
    A card without a documented die area gets capacity x (die area per GB) / n_dies, the per-GB
    area being a documented datum of the factor set.
    """
    n_dies = p["accelerator.bom.vram_dies"].m_as("")
    if "accelerator.bom.vram_die_area" in p:
        die = p["accelerator.bom.vram_die_area"]
    else:
        per_gb = factor_set.data.get("vram_die_area_per_gb")
        if per_gb is None:
            raise InputError(f"{factor_set.path}: the card has no vram_die_area and the factor set gives no "
                             "data.vram_die_area_per_gb to estimate it")
        die = (p["accelerator.bom.vram_capacity"] * per_gb.value / n_dies).to("mm**2")
    eff = effective_die_area(die, formula, **yield_kw)
    return eff * n_dies if basis == "all_dies" else eff


def parametric(p: dict, factor_set, yield_model, vram_basis: str) -> dict:
    """Bill of materials x component factors -> {component: ("manufacturing", (16, n))}."""
    f = factor_set.factors
    yield_kw = {k: p[f"embodied.yield.{k}"] for k in ("defect_density", "wafer_diameter", "kerf")
                if f"embodied.yield.{k}" in p}
    need = ("gpu_die", "vram", "pcb", "heatsink", "casing")
    missing = [c for c in need if c not in f]
    if missing:
        raise InputError(f"{factor_set.path}: factors for {', '.join(missing)} are needed by the parametric route")
    bom_missing = [k for k in ("gpu_die_area", "vram_dies", "pcb_area", "heatsink_mass", "casing_mass", "total_mass")
                   if f"accelerator.bom.{k}" not in p]
    if bom_missing:
        raise InputError(f"accelerator bill of materials lacks {', '.join(bom_missing)} needed by the parametric route")
    die = effective_die_area(p["accelerator.bom.gpu_die_area"], yield_model.formula, **yield_kw)
    return {
        "gpu_die": ("manufacturing", apply(f["gpu_die"].vector, die)),
        "vram": ("manufacturing", apply(f["vram"].vector, vram_area(p, factor_set, yield_model.formula, yield_kw, vram_basis))),
        "pcb": ("manufacturing", apply(f["pcb"].vector, p["accelerator.bom.pcb_area"])),
        "heatsink": ("manufacturing", apply(f["heatsink"].vector, p["accelerator.bom.heatsink_mass"])),
        "casing": ("manufacturing", apply(f["casing"].vector, p["accelerator.bom.casing_mass"])),
    }
