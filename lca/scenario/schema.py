"""The scenario schema as public tables: the keys a scenario file may have, the dimension and
bounds of every scalar input, and the records a loaded scenario is made of.

The sweep and sensitivity code check their ranges against :data:`SCALARS` too, so a bound is
written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pint

from lca.errors import InputError
from lca.inventory.distributions import Distribution
from lca.units import Q_

#: Scalar inputs: path -> (expected dimension, (low, high, low_inclusive, high_inclusive) or None, description)
SCALARS = {
    "workload.training_flops": ("FLOP", (0, None, False, True), "training compute"),
    "workload.accelerator_hours": ("hour", (0, None, False, True), "accelerator-hours of the run"),
    "workload.mfu": ("dimensionless", (0, 1, False, True), "model FLOPs utilisation, 0 < mfu <= 1"),
    "workload.peak_flops": ("FLOP/s", (0, None, False, True), "peak throughput per accelerator"),
    "operation.accelerator_power": ("W", (0, None, False, True), "average power per accelerator"),
    "operation.server_overhead": ("dimensionless", (1, None, True, True), "server overhead multiplier, >= 1"),
    "operation.pue": ("dimensionless", (1, None, True, True), "power usage effectiveness, >= 1"),
    "operation.wue": ("L/kWh", (0, None, True, True), "on-site water usage effectiveness (L per kWh of IT energy)"),
    "operation.water_scarcity": ("dimensionless", (0, None, True, True),
                                 "AWARE characterisation factor of the site (m3 world eq. deprived per m3 consumed)"),
    "lifetime.lifespan": ("year", (0, None, False, True), "service life of an accelerator, > 0"),
    "lifetime.utilization": ("dimensionless", (0, 1, False, True), "share of the service life spent busy, 0 < u <= 1"),
    "transport.truck": ("km", (0, None, True, True), "distribution distance by truck"),
    "transport.boat": ("km", (0, None, True, True), "distribution distance by boat"),
    "transport.plane": ("km", (0, None, True, True), "distribution distance by plane"),
}

#: Keys allowed at the top level of a scenario file
TOP_KEYS = {"name", "description", "sources", "accelerator", "embodied", "workload", "operation", "lifetime",
             "transport", "factors", "host", "background"}
#: Keys allowed in each section
SECTION_KEYS = {
    "embodied": {"method", "dataset", "factors", "yield_model", "vram_area", "suspect_data"},
    "workload": {"training_flops", "accelerator_hours", "mfu", "peak_flops", "measured_energy"},
    "operation": {"accelerator_power", "server_overhead", "pue", "grid", "wue", "water_scarcity"},
    "lifetime": {"lifespan", "utilization"},
    "transport": {"set", "truck", "boat", "plane"},
}


#: Units the model receives inventory parameters in
BOM_UNITS = {"total_mass": "kg", "heatsink_mass": "kg", "casing_mass": "kg", "pcb_area": "cm**2",
              "gpu_die_area": "mm**2", "vram_capacity": "GB", "vram_dies": "dimensionless", "vram_die_area": "mm**2"}
YIELD_UNITS = {"defect_density": "1/cm**2", "wafer_diameter": "mm", "kerf": "mm"}



@dataclass(frozen=True)
class Param:
    """One model input: fixed value or distribution, with its source."""

    path: str
    value: pint.Quantity            # fixed value or the distribution's central value
    distribution: Distribution | None
    source: str | tuple | None
    unit: str                        # unit the model receives the parameter in

    @property
    def uncertain(self) -> bool:
        return self.distribution is not None


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    path: str
    sources: tuple[str, ...]
    accelerator: str
    embodied: dict                     # method, dataset, factors, yield_model, vram_area
    grid: str                          # base grid id
    params: dict                       # path -> Param (ordered)
    measured_energy: str | None = None
    factor_files: tuple[str, ...] = ()
    grid_status: tuple[str, ...] = ()   # per category: measured / proxy / not_covered / user
    host: str | None = None             # id in inventories/hosts.yaml, or None (GPU only)
    background: str | None = None       # electricity background id (inventories/backgrounds/)
    factor_tables: tuple = field(default=(), repr=False, compare=False)  # user factor files, read once
    user_accelerators: tuple = field(default=(), repr=False, compare=False)  # user card files: (key, sha256, Accelerator)
    warnings: tuple[str, ...] = ()      # implausible but valid inputs (build._warnings); copied to ds.attrs["warnings"]

    @property
    def uncertain(self) -> list[str]:
        """Paths of every uncertain input: scenario inputs and background data alike."""
        return [p for p, v in self.params.items() if v.uncertain]

    @property
    def uncertain_scenario_inputs(self) -> list[str]:
        """Uncertain inputs the scenario file itself sets (not inventory or background data)."""
        return [p for p in self.uncertain if not is_data_path(p)]


#: Factor set of distribution transport (truck, boat, plane per kg*km)
TRANSPORT_FACTORS = "transport-eime"

#: Parameter paths that carry inventory data rather than the user's scenario choices
DATA_PREFIXES = ("operation.grid.", "accelerator.bom.", "embodied.yield.", "data.", "transport.")
#: Uncertainty groups for "is it the data or my scenario?" (Sobol ``groups``), by path prefix
GROUPS = (("grid data", "operation.grid."), ("manufacturing data", "data."), ("bill of materials", "accelerator.bom."),
          ("yield model", "embodied.yield."), ("transport distances", "transport."))


def is_data_path(path: str) -> bool:
    return path.startswith(DATA_PREFIXES)


def group_of(path: str) -> str:
    """The uncertainty group of a parameter path: a data group, or the scenario input itself."""
    if path.startswith("data.end_of_life"):
        return "end-of-life data"
    for name, prefix in GROUPS:
        if path.startswith(prefix):
            return name
    return path



def check_bounds(q: pint.Quantity, bounds, where: str, desc: str, what: str) -> None:
    """Raise :class:`InputError` unless ``q`` is finite and within ``bounds`` (a :data:`SCALARS` entry)."""
    # pint compares through base units, where a huge value (1e300 EFLOP) overflows to inf; that is
    # reported as an overflow once the model runs, not as a RuntimeWarning here
    with np.errstate(over="ignore"):
        _check_bounds(q, bounds, where, desc, what)


def _check_bounds(q: pint.Quantity, bounds, where: str, desc: str, what: str) -> None:
    if q.dimensionless:
        q = q.to("dimensionless")  # "35 %" -> 0.35 before comparing with bounds
    m = float(q.magnitude)
    if not np.isfinite(m):
        raise InputError(f"{where}: {what} must be a finite number, got {m}")
    if not bounds:
        return
    lo, hi, lo_inc, hi_inc = bounds
    unit = q.units
    if lo is not None:
        lo_m = Q_(lo, unit).magnitude if q.dimensionless else lo
        if (m < lo_m) or (m == lo_m and not lo_inc):
            raise InputError(f"{where}: {what} {q:~P} out of range; expected {desc}")
    if hi is not None:
        if (m > hi) or (m == hi and not hi_inc):
            raise InputError(f"{where}: {what} {q:~P} out of range; expected {desc}")


