"""The sampling contract: scenario parameters -> arrays with a ``sample`` dimension."""

from __future__ import annotations

import numpy as np
import pint

from lca.errors import InputError, unknown_id
from lca.scenario.schema import Scenario
from lca.units import Q_

#: Samples per random-number block (part of the reproducibility contract: block ``b`` is drawn
#: from ``numpy.random.default_rng([seed, b])``, so results do not depend on chunking)
SAMPLE_BLOCK = 2**16


def parameter_table(scenario: Scenario, n: int | None = None, rng: np.random.Generator | None = None,
                    fixed: dict | None = None, sampled=None) -> dict:
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
        elif sampling and p.uncertain and (sampled is None or path in sampled):
            out[path] = p.distribution.sample(rng, n).to(p.unit)
        else:
            out[path] = Q_(np.full(n, p.value.magnitude, dtype=float), p.unit)
    return derive(out)


def derive(p: dict) -> dict:
    """Quantities derived from sampled parts (in place, and returned): a card's total mass is
    heatsink + casing + board when the board mass is the sampled part."""
    if "accelerator.bom.board_mass" in p:
        p["accelerator.bom.total_mass"] = (p["accelerator.bom.board_mass"] + p["accelerator.bom.heatsink_mass"]
                                           + p["accelerator.bom.casing_mass"]).to("kg")
    return p


def resolve_seed(seed) -> int:
    """A non-negative integer seed; ``None`` draws one from the operating system (record it)."""
    if seed is None:
        entropy = np.random.SeedSequence().entropy
        assert isinstance(entropy, int)  # drawn from the OS when no entropy is given
        return int(entropy % (2**63))
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed: expected a non-negative integer, got {seed!r}")
    return int(seed)


def _ppf(prm, u) -> np.ndarray:
    """Quantiles of a parameter's distribution, as magnitudes in the parameter's unit, from the
    closed forms of :meth:`~lca.inventory.distributions.Distribution.ppf_magnitude` (scipy's own
    formulas without its argument checks, and without importing scipy.stats)."""
    d = prm.distribution
    m = d.ppf_magnitude(u)
    return m if d.unit == prm.unit else Q_(m, d.unit).m_as(prm.unit)


def draw_samples(scenario: Scenario, seed: int, start: int, stop: int, paths=None, order=None) -> dict:
    """Values (magnitudes in each parameter's unit) of samples ``start..stop-1`` for the
    uncertain parameters (all of them, or ``paths``), from the block scheme described above.

    ``order`` (default: the scenario's uncertain paths) gives the random-number row of each path;
    a categorical sweep passes the union of its models' paths, so a shared path gets the same
    draws in every model."""
    unc = scenario.uncertain if order is None else list(order)
    paths = unc if paths is None else list(paths)
    cols: dict[str, list[np.ndarray]] = {p: [] for p in paths}
    for b in range(start // SAMPLE_BLOCK, (stop - 1) // SAMPLE_BLOCK + 1):
        lo = max(start, b * SAMPLE_BLOCK) - b * SAMPLE_BLOCK
        hi = min(stop, (b + 1) * SAMPLE_BLOCK) - b * SAMPLE_BLOCK
        u = np.random.default_rng([seed, b]).random((len(unc), SAMPLE_BLOCK))
        for path in paths:
            cols[path].append(_ppf(scenario.params[path], u[unc.index(path), lo:hi]))
    return {p: np.concatenate(v) if v else np.empty(0) for p, v in cols.items()}




def sample_table(scenario: Scenario, seed: int, start: int, stop: int, sampled=None) -> dict:
    """:func:`parameter_table` for samples ``start..stop-1`` of the block scheme: the ``sampled``
    uncertain parameters (default: all) drawn as :func:`draw_samples` draws them, the others at
    their values. Any slice of a run gets the same numbers as the whole run."""
    n = stop - start
    paths = [p for p in scenario.uncertain if sampled is None or p in set(sampled)]
    drawn = draw_samples(scenario, seed, start, stop, paths) if paths and n > 0 else {}
    out = {}
    for path, p in scenario.params.items():
        if path in drawn:
            out[path] = Q_(drawn[path], p.unit)
        else:
            out[path] = Q_(np.full(n, p.value.magnitude, dtype=float), p.unit)
    return derive(out)
