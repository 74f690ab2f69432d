"""Use stage: the energy of the training run and its electricity (and on-site water) impacts.

accelerator_hours = training_flops / (peak_flops x mfu)            (or given directly)
it_energy         = accelerator_hours x accelerator_power x server_overhead
energy            = it_energy x pue
electricity       = energy x grid factor per kWh                   (16 categories)
onsite water      = it_energy x wue; into water use via the site's AWARE factor, if given
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pint

from lca.inventory.method import CODES, category
from lca.units import ureg


def accelerator_hours(training_flops: pint.Quantity, peak_flops: pint.Quantity, mfu: pint.Quantity) -> pint.Quantity:
    return (training_flops / (peak_flops * mfu)).to("hour")


def it_energy(hours: pint.Quantity, power: pint.Quantity, server_overhead: pint.Quantity) -> pint.Quantity:
    return (hours * power * server_overhead).to("kWh")


def facility_energy(it: pint.Quantity, pue: pint.Quantity) -> pint.Quantity:
    return (it * pue).to("kWh")


def electricity(energy: pint.Quantity, grid: dict) -> np.ndarray:
    """(16, n): energy x per-kWh factor of each category (NaN where the grid lacks data).

    ``grid`` maps category code -> Quantity in that category's unit per kWh; the conversion to
    ``category unit / kWh`` is what checks the unit."""
    e = energy.m_as("kWh")
    return np.stack([grid[c].m_as(_per_kwh(c)) * e for c in CODES])


@cache
def _per_kwh(code: str) -> pint.Unit:
    """The unit of a category's grid factor (category unit per kWh), built once."""
    return category(code).units / ureg.kWh


def onsite_water(it: pint.Quantity, wue: pint.Quantity) -> pint.Quantity:
    return (it * wue).to("m**3")


def onsite_water_impacts(water: pint.Quantity, scarcity: pint.Quantity | None) -> np.ndarray:
    """(16, n): on-site water consumption only characterises in water use (AWARE). Without a
    site factor the water-use value is NaN (not covered); evaporated water has no flow into the
    other 15 categories, which are therefore exactly 0 for this component."""
    n = np.atleast_1d(water.magnitude).shape[0]
    out = np.zeros((len(CODES), n))
    wi = CODES.index("wu")
    out[wi] = water.m_as("m**3") * scarcity.m_as("") if scarcity is not None else np.nan
    return out
