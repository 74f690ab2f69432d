"""The sampling contract: scenario parameters -> arrays with a ``sample`` dimension."""

from __future__ import annotations

import numpy as np
import pint

from lca.errors import unknown_id
from lca.scenario.schema import Scenario
from lca.units import Q_


def parameter_table(scenario: Scenario, n: int | None = None, rng: np.random.Generator | None = None,
                    fixed: dict | None = None) -> dict:
    """Model inputs as pint arrays of shape (n,) (n = 1 for a deterministic run).

    Uncertain parameters are drawn with ``rng`` (one draw per parameter per sample, shared by every
    stage); the others are repeated. ``fixed`` maps paths to arrays that replace them (sweeps,
    sensitivity samples).
    """
    fixed = fixed or {}
    unknown = set(fixed) - set(scenario.params)
    if unknown:
        raise unknown_id("parameter path", sorted(unknown)[0], scenario.params.keys())
    if n is None:
        n = 1
        sampling = False
    else:
        sampling = True
        if rng is None:
            raise ValueError("parameter_table(n=...) needs an explicit numpy.random.Generator")
    out = {}
    for path, p in scenario.params.items():
        if path in fixed:
            v = fixed[path]
            q = v if isinstance(v, pint.Quantity) else Q_(np.asarray(v, dtype=float), p.unit)
            out[path] = q.to(p.unit)
        elif sampling and p.uncertain:
            out[path] = p.distribution.sample(rng, n).to(p.unit)
        else:
            out[path] = Q_(np.full(n, p.value.magnitude, dtype=float), p.unit)
    return out
