"""A result as plain arrays (:class:`RunArrays`), and its category, stage and single-score totals.

The sums behind :mod:`lca.model.result` (on a Dataset), the run document built without xarray
(:func:`lca.outputs.document.run_document`) and the streamed Monte Carlo statistics
(:mod:`lca.model.streaming`), so that all three add the same numbers the same way. A total over
components with none covered is NaN (not covered), never 0; otherwise NaN components are skipped
and the total is a lower bound (the category's coverage says ``partial``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from lca.inventory.method import CODES, category, single_score
from lca.units import Q_
from lca.vocab import STAGES


@dataclass(frozen=True)
class RunArrays:
    """A run's result as plain arrays: what :func:`lca.model.compose.to_dataset` wraps in a Dataset, and what the
    run document (``lca run --format json`` and the table) is built from without xarray.

    ``data`` is (16, C, n) in each category's unit (:data:`lca.inventory.method.CODES` order);
    ``quantities`` maps each quantity to its (n,) magnitudes in :data:`lca.vocab.QUANTITY_UNITS`;
    ``attrs`` are the Dataset's attributes (coverage, provenance, sources as JSON strings)."""

    names: list
    stages: list
    data: np.ndarray
    quantities: dict
    attrs: dict


def component_sum(data: np.ndarray, axis: int = 1) -> np.ndarray:
    """Sum over ``axis`` skipping NaN; NaN where every term is NaN."""
    nan = np.isnan(data)
    return np.where(nan.all(axis=axis), np.nan, np.where(nan, 0.0, data).sum(axis=axis))


def category_totals(data: np.ndarray) -> np.ndarray:
    """(16, C, ...) component impacts -> (16, ...) category totals."""
    return component_sum(data, axis=1)


def stage_totals(data: np.ndarray, stages) -> np.ndarray:
    """(16, C, ...) component impacts -> (16, 4, ...) stage totals (:data:`lca.vocab.STAGES` order);
    a stage without any component is NaN."""
    stages_arr = np.asarray(stages)
    out = np.full((data.shape[0], len(STAGES)) + data.shape[2:], np.nan)
    for j, s in enumerate(STAGES):
        sel = np.flatnonzero(stages_arr == s)
        if sel.size:
            out[:, j] = component_sum(data[:, sel], axis=1)
    return out


@cache
def _pt_per_unit() -> np.ndarray:
    """Pt per unit of each category (the method is loaded once per process, see
    :func:`lca.inventory.method.categories`)."""
    return np.array([single_score({c: Q_(1.0, category(c).units)}, allow_partial=True).m_as("Pt") for c in CODES])


def single_scores(totals: np.ndarray) -> np.ndarray:
    """EF 3.1 single score (Pt) of (16, ...) category totals, covered categories only (as
    :func:`lca.inventory.method.single_score` with ``allow_partial``: a NaN is left out).

    The Pt per unit of each category is converted once with pint, on a scalar; the arrays are then
    plain products and one sum over categories."""
    pts = totals * _pt_per_unit().reshape((-1,) + (1,) * (np.ndim(totals) - 1))
    np.copyto(pts, 0.0, where=np.isnan(pts))
    return pts.sum(axis=0)


def ranks(filled: np.ndarray) -> np.ndarray:
    """Rank of each component in each draw, 0 for the largest: (..., C, n) -> (..., C, n).

    ``filled`` is (..., C, n) with not-covered components as ``-inf``. Components are ordered by
    value, ties (equal values, ``-inf`` included) by index, so the ``k`` components ranked below
    ``k`` are the first ``k`` of a stable descending sort. Counted by comparing every pair of
    components elementwise (C (C - 1) / 2 comparisons of contiguous (..., n) rows), which is much
    faster than sorting or taking argmax along a C-long axis."""
    c = filled.shape[-2]
    r = np.zeros(filled.shape, dtype=np.uint8 if c < 256 else np.int32)
    g = np.empty(filled.shape[:-2] + filled.shape[-1:], dtype=bool)
    for i in range(c):
        for j in range(i + 1, c):
            np.greater_equal(filled[..., i, :], filled[..., j, :], out=g)  # i first on a tie
            r[..., j, :] += g
            np.logical_not(g, out=g)
            r[..., i, :] += g
    return r


def top_ranking(filled: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The set of the ``k`` largest components of each draw, and the largest one:
    (..., C, n) -> (bit masks (..., n), bit i for component i; indices (..., n) int8). The masks
    are int16 up to 15 components, int32 up to 31, else int64.

    ``filled`` as for :func:`ranks` (not covered as ``-inf``; ties by index, so the set is the
    first ``k`` of a stable descending sort and the largest is the first of equal maxima)."""
    c = filled.shape[-2]
    if c > 58:  # the mask, and the category put above it by the streamed counts, must fit in int64
        raise ValueError(f"top-k sets: at most 58 components, got {c}")
    r = ranks(filled)
    shape = filled.shape[:-2] + filled.shape[-1:]
    cdt = np.int16 if c <= 15 else np.int32 if c <= 31 else np.int64   # the narrowest that holds the masks
    codes, top = np.zeros(shape, dtype=cdt), np.zeros(shape, dtype=np.int8)
    hit = np.empty(shape, dtype=bool)
    for j in range(c):
        np.less(r[..., j, :], k, out=hit)
        codes += hit * cdt(1 << j)
        if j:
            np.equal(r[..., j, :], 0, out=hit)
            top += hit * np.int8(j)
    return codes, top


def top_sets(filled: np.ndarray, k: int) -> np.ndarray:
    """The set of the ``k`` largest components of each draw (ties by index, see :func:`ranks`)
    as a bit mask (bit i: component i); (..., C, n) -> (..., n) int64."""
    return top_ranking(filled, k)[0].astype(np.int64)


def set_code(members) -> int:
    """The :func:`top_sets` code of a set of component indices."""
    return int(sum(1 << int(i) for i in set(np.asarray(members).tolist())))
