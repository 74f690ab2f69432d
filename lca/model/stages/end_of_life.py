"""End-of-life stage, per card: the published per-card result where there is one, else the
average end-of-life factor per kg of card (ADEME/Hubblo model: whole-card treatment)."""

from __future__ import annotations

import numpy as np

from lca.errors import InputError
from lca.model.stages import apply


def end_of_life(measured_eol, factor_set, total_mass) -> np.ndarray:
    n = np.atleast_1d(total_mass.magnitude).shape[0]
    if measured_eol is not None:
        return np.broadcast_to(measured_eol.values[:, None], (measured_eol.values.shape[0], n))  # read-only view
    if "end_of_life" not in factor_set.factors:
        raise InputError(f"{factor_set.path}: no end_of_life factor")
    return apply(factor_set.factors["end_of_life"].vector, total_mass)
