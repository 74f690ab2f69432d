"""Transport stage: upstream transport of components to assembly, and distribution of the card.

distribution = sum over modes of factor(mode) [per kg.km] x card mass x distance(mode).
"""

from __future__ import annotations

import numpy as np

from lca.errors import InputError
from lca.model.stages import apply

MODES = ("truck", "boat", "plane")


def upstream(factor_set, total_mass) -> np.ndarray:
    """Parametric upstream transport: factor per kg of card x card mass."""
    if "upstream_transport" not in factor_set.factors:
        raise InputError(f"{factor_set.path}: no upstream_transport factor")
    return apply(factor_set.factors["upstream_transport"].vector, total_mass)


def distribution(mode_factors, total_mass, distances: dict) -> np.ndarray:
    """Distribution to the data centre, (16, n)."""
    out = None
    for mode in MODES:
        key = f"transport_{mode}"
        if key not in mode_factors.factors:
            raise InputError(f"{mode_factors.path}: no {key} factor")
        part = apply(mode_factors.factors[key].vector, total_mass * distances[mode])
        out = part if out is None else out + part
    assert out is not None  # MODES is not empty
    return out
