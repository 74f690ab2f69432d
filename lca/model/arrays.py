"""A result as plain arrays (:class:`RunArrays`), and its category, stage and single-score totals.

The sums behind :mod:`lca.model.result` (on a Dataset), the run document built without xarray
(:func:`lca.outputs.document.run_document`) and the streamed Monte Carlo statistics
(:mod:`lca.model.streaming`), so that all three add the same numbers the same way. A total over
components with none covered is NaN (not covered), never 0; otherwise NaN components are skipped
and the total is a lower bound (the category's coverage says ``partial``).
"""

from __future__ import annotations

from dataclasses import dataclass

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


def single_scores(totals: np.ndarray) -> np.ndarray:
    """EF 3.1 single score (Pt) of (16, ...) category totals, covered categories only."""
    ss = single_score({c: Q_(totals[i], category(c).units) for i, c in enumerate(CODES)}, allow_partial=True)
    return np.asarray(ss.m_as("Pt"), dtype=float)


def top_k(filled: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest components of each draw, largest first: (k, ..., n).

    ``filled`` is (..., C, n) with not-covered components as ``-inf``. Components are ordered by
    value, ties (equal values, ``-inf`` included) by index: the first ``k`` of a stable descending
    sort, found by ``k`` argmax passes (argmax returns the first of equal maxima) with each pick
    then set below every value, which is much faster than sorting C-long rows."""
    c = filled.shape[-2]
    k = min(k, c)
    w = np.moveaxis(filled, -2, -1).copy()           # (..., n, C): components contiguous
    w[w == -np.inf] = -np.finfo(float).max           # not covered: below every value, above a pick
    out = np.empty((k,) + w.shape[:-1], dtype=np.int64)
    for m in range(k):
        i = np.argmax(w, axis=-1)
        out[m] = i
        if m + 1 < k:
            np.put_along_axis(w, i[..., None], -np.inf, axis=-1)
    return out


def set_bits(idx: np.ndarray) -> np.ndarray:
    """Indices (k, ...) from :func:`top_k` as one bit mask per draw (bit i: component i)."""
    if idx.size and idx.max() > 57:  # the mask, and the category put above it by the streamed counts, must fit in int64
        raise ValueError(f"top-k sets: at most 58 components, got index {idx.max()}")
    return np.bitwise_or.reduce(np.left_shift(np.int64(1), idx), axis=0)


def top_sets(filled: np.ndarray, k: int) -> np.ndarray:
    """The set of the ``k`` largest components of each draw (:func:`top_k`) as a bit mask (bit
    i: component i); (..., C, n) -> (..., n)."""
    return set_bits(top_k(filled, k))


def set_code(members) -> int:
    """The :func:`top_sets` code of a set of component indices."""
    return int(sum(1 << int(i) for i in set(np.asarray(members).tolist())))
