"""Life-cycle stage models. Pure, vectorised functions: parameters are pint arrays of shape
(n_samples,), factors are :class:`lca.inventory.CategoryVector` (16 categories), and every
function returns magnitudes of shape (16, n_samples) in each category's unit."""

import numpy as np
import pint

from lca.inventory import CategoryVector


def apply(vector: CategoryVector, amount: pint.Quantity) -> np.ndarray:
    """Impacts = per-unit factors x amount, shape (16, n).

    ``amount`` is converted to the factor's reference unit first, so a factor per mm**2 applied to
    a mass raises ``pint.DimensionalityError``.
    """
    mags = np.atleast_1d(amount.m_as(vector.per or "dimensionless"))
    return vector.values[:, None] * mags[None, :]
