"""Monte Carlo in bounded memory: statistics streamed over sample blocks.

``lca run --samples N`` needs, per category, the mean of every component and the mean and the
5th, 50th and 95th percentiles of the total, of each stage, of the single score and of the run's
quantities, plus the robustness measures of :func:`lca.model.result.robustness`. None of these
needs the N x categories x components array of samples kept in memory: this module evaluates
the model block by block (the sampling contract's blocks, so the draws are those of
:func:`lca.model.compose.monte_carlo` for the same seed) and keeps only running sums, counts and
histograms.

Two passes over the blocks: the first accumulates sums, counts, minima and maxima; the second
histograms every series into :data:`HISTOGRAM_BINS` bins between its minimum and maximum
(log-spaced for a positive series), from which the percentiles are read with linear
interpolation inside the bin. A streamed percentile is therefore within one bin of the exact
sample percentile (``numpy.percentile``, linear method): at most ``(max - min) / HISTOGRAM_BINS``
for a series that takes negative values, and a relative ``log(max / min) / HISTOGRAM_BINS`` for
a positive one. Means, probabilities and counts are exact (up to the order of floating-point
summation).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from lca.errors import InputError
from lca.inventory.method import CODES
from lca.model.arrays import RunArrays, category_totals, set_bits, set_code, single_scores, stage_totals, top_k
from lca.model.compose import Model, _check_finite, compute, run_arrays
from lca.scenario.sampling import SAMPLE_BLOCK, resolve_seed, sample_table
from lca.vocab import QUANTITY_UNITS, STAGES

#: Histogram bins per streamed series (the percentile resolution, see the module docstring)
HISTOGRAM_BINS = 2**14

#: Samples evaluated together; a multiple of the sampling contract's block
STREAM_BLOCK = SAMPLE_BLOCK

#: The percentiles a Monte Carlo summary reports
PERCENTILES = (5.0, 50.0, 95.0)

#: Pass 1 bins each series on the first block's range widened by this share of it at each end
#: (a later block rarely falls outside; if a percentile does, a second pass bins on the exact range)
HISTOGRAM_PAD = 0.25

#: Samples per slice of a block for the per-component statistics (bounds their temporary arrays)
STATS_SLICE = 16_384

#: Samples of the first block kept as plain arrays (labels, coverage, provenance, attrs)
HEAD_SAMPLES = 64


@dataclass
class MonteCarloSummary:
    """Statistics of a streamed Monte Carlo run.

    ``head`` is the :class:`~lca.model.arrays.RunArrays` of the first samples (it carries every
    label, the coverage, provenance and attrs, with ``samples`` set to the full count); the arrays hold the
    statistics over all ``samples`` draws. ``series`` names the rows of ``mean`` and
    ``percentiles``: ``("total", code)``, ``("stage", code, stage)``, ``("single_score",)`` and
    ``("quantity", name)``. A series with a NaN in any sample has NaN statistics (as in memory).
    """

    head: RunArrays
    samples: int
    seed: int
    components: list
    component_mean: np.ndarray          # (16, C)
    series: list
    mean: np.ndarray                    # (K,)
    percentiles: np.ndarray             # (K, len(PERCENTILES))
    robustness: dict
    resolution: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))  # (K,) bin width

    def stats(self, key) -> dict:
        i = self.series.index(key)
        out = {"mean": float(self.mean[i])}
        for q, v in zip(("p05", "p50", "p95"), self.percentiles[i]):
            out[q] = float(v)
        return out


def in_memory_gib(model: Model, samples: int) -> float:
    """Estimated peak memory (GiB) of ``samples`` Monte Carlo draws kept in memory: every
    component of every category of every sample, times the measured bytes per value."""
    from lca.scenario import parameter_table
    from lca.vocab import IN_MEMORY_BYTES_PER_VALUE

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        names = compute(model, parameter_table(model.scenario))[1]
    return samples * len(CODES) * len(names) * IN_MEMORY_BYTES_PER_VALUE / 2**30


def _blocks(samples: int, block: int):
    for start in range(0, samples, block):
        yield start, min(samples, start + block)


def _series(q: dict, stages, data) -> tuple[list, np.ndarray, np.ndarray]:
    """The streamed series of one block: (keys, values (K, b), stage totals (16, 4, b))."""
    b = data.shape[-1]
    with np.errstate(invalid="ignore"):
        tot = category_totals(data)                                # (16, b)
        st = stage_totals(data, stages)                            # (16, 4, b)
    ss = single_scores(tot)
    qkeys = [k for k in QUANTITY_UNITS if k in q]
    rows = [tot, st.reshape(len(CODES) * len(STAGES), b), ss.reshape(1, b)]
    keys: list = [("total", c) for c in CODES] + [("stage", c, s) for c in CODES for s in STAGES] + [("single_score",)]
    qrows = []
    for k in qkeys:
        v = q[k]
        qrows.append(np.broadcast_to(np.asarray(v.m_as(QUANTITY_UNITS[k]), dtype=float), (b,)))
        keys.append(("quantity", k))
    if qrows:
        rows.append(np.stack(qrows))
    return keys, np.concatenate(rows, axis=0), st


def _evaluate_block(model: Model, seed: int, start: int, stop: int, sampled):
    p = sample_table(model.scenario, seed, start, stop, sampled)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        q, names, stages, data = compute(model, p)
    _check_finite(model, q, data)
    return q, names, stages, data


def _block_series(model: Model, seed: int, sampled, span):
    """One block drawn, evaluated and reduced to its series: (names, data, keys, x, st)."""
    q, names, stages, data = _evaluate_block(model, seed, span[0], span[1], sampled)
    keys, x, st = _series(q, stages, data)
    return names, data, keys, x, st


def _ahead(fn, items):
    """``fn(item)`` for each item, in order, with the next item's call running on a worker thread
    meanwhile (numpy releases the GIL in its loops): at most two blocks are in memory at once."""
    from concurrent.futures import ThreadPoolExecutor

    items = list(items)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lca-block") as pool:
        nxt = pool.submit(fn, items[0]) if items else None
        for i in range(len(items)):
            assert nxt is not None
            res = nxt.result()
            nxt = pool.submit(fn, items[i + 1]) if i + 1 < len(items) else None
            yield res


class _Histograms:
    """Per-series histograms on a fixed range, with an underflow and an overflow bin."""

    def __init__(self, lo: np.ndarray, hi: np.ndarray, pad: float = 0.0):
        self.log = lo > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(self.log, np.log(np.where(self.log, lo, 1.0)), lo)
            z = np.where(self.log, np.log(np.where(self.log, hi, 1.0)), hi)
        span = z - a
        a, z = a - pad * span, z + pad * span
        self.a, self.width = a, (z - a) / HISTOGRAM_BINS
        self.live = np.isfinite(self.width) & (self.width > 0)
        self.counts = np.zeros((lo.size, HISTOGRAM_BINS + 2))
        self._offs = (np.arange(lo.size) * (HISTOGRAM_BINS + 2))[:, None]

    def add(self, x: np.ndarray) -> None:
        """Count a block of series values (K, b). These are bin indices, not data: a value below the
        range, or a non-positive value of a log-binned series, lands in the underflow bin 0, one
        above it in the overflow bin. (A NaN sample cannot hide here: it makes its whole series'
        statistics NaN, see ``s_nan`` in :func:`summarise`.)"""
        with np.errstate(divide="ignore", invalid="ignore"):
            # log rows: log(0) = -inf and log(negative) = NaN both end in bin 0 below; in place
            t = np.log(x, out=np.array(x, dtype=float), where=self.log[:, None])
            t -= self.a[:, None]
            t /= np.where(self.live, self.width, 1.0)[:, None]
            np.floor(t, out=t)
            t += 1
        np.fmax(t, 0, out=t)                    # below the range, -inf and NaN: bin 0
        np.minimum(t, HISTOGRAM_BINS + 1, out=t)
        idx = t.astype(np.int64)
        idx += self._offs
        self.counts += np.bincount(idx.ravel(), minlength=self.counts.size).reshape(self.counts.shape)

    def percentiles(self, samples: int, usable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(values (K, P), ok (K,)): ok is False where a percentile falls outside the range.

        The fractional 0-based rank of percentile q is r = (n - 1) q / 100 (numpy's linear
        method); inside its bin, the order statistics are taken as evenly spread."""
        r = (samples - 1) * np.asarray(PERCENTILES) / 100.0                  # (P,)
        cum = np.cumsum(self.counts, axis=1)                                  # (K, B + 2)
        b = (cum[:, None, :] <= np.floor(r)[None, :, None]).sum(axis=-1)      # (K, P): bin of rank r
        inside = (b >= 1) & (b <= HISTOGRAM_BINS)
        bb = np.clip(b, 1, HISTOGRAM_BINS)
        before = np.take_along_axis(cum, bb - 1, axis=1)
        count = np.maximum(np.take_along_axis(self.counts, bb, axis=1), 1.0)
        frac = np.clip((r[None, :] - before + 0.5) / count, 0.0, 1.0)
        t = self.a[:, None] + (bb - 1 + frac) * self.width[:, None]
        out = np.where(self.log[:, None], np.exp(np.where(self.log[:, None], t, 0.0)), t)
        use = usable & self.live
        ok = inside.all(axis=1) | ~use
        return np.where(use[:, None] & inside, out, np.nan), ok


def summarise(model: Model, samples: int, seed: int | None = None, *, inputs: str = "all",
              block: int = STREAM_BLOCK) -> MonteCarloSummary:
    """Monte Carlo statistics of ``samples`` draws, streamed over blocks (see module docstring).

    Parameters
    ----------
    model : Model
        From :func:`lca.model.prepare`.
    samples : int
        Number of draws.
    seed : int, optional
        Seed of the sampling contract (drawn from the operating system and recorded when omitted).
    inputs : {"all", "scenario"}
        Which uncertain inputs are drawn (as :func:`lca.model.compose.monte_carlo`).
    block : int
        Samples per evaluated block (a multiple of the sampling block); memory grows with it.

    Returns
    -------
    MonteCarloSummary
    """
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
        raise InputError(f"samples: expected a positive integer, got {samples!r}")
    if inputs not in ("all", "scenario"):
        raise InputError(f"inputs: expected all or scenario, got {inputs!r}")
    if block < 1 or block % SAMPLE_BLOCK and block < samples:
        raise InputError(f"block: expected a multiple of {SAMPLE_BLOCK}, got {block}")
    samples, seed = int(samples), resolve_seed(seed)
    sc = model.scenario
    sampled = list(sc.uncertain if inputs == "all" else sc.uncertain_scenario_inputs)
    head_p = sample_table(sc, seed, 0, min(samples, HEAD_SAMPLES), sampled)
    head = run_arrays(model, head_p)
    head.attrs.update({"samples": samples, "seed": seed, "sampled": ",".join(sampled), "streamed": 1})

    # pass 1: sums, NaN flags, extremes, robustness counts
    comp_sum = comp_fin_sum = comp_fin_n = None
    s_sum = s_nan = s_lo = s_hi = None
    keys: list = []
    names: list = []
    ncat = len(CODES)
    valid_n = np.zeros(ncat)
    win_n = np.zeros((ncat, len(STAGES)))
    both_n = np.zeros(ncat)
    man_gt_use = np.zeros(ncat)
    ok_n = np.zeros(ncat)
    top_n = None
    im, iu = STAGES.index("manufacturing"), STAGES.index("use")
    topsets: dict[int, int] = {}  # (category, top-k set) code -> draws
    k3 = 0
    hist1: _Histograms | None = None
    one = functools.partial(_block_series, model, seed, sampled)
    for names, data, keys, x, st in _ahead(one, _blocks(samples, block)):
        ncomp = len(names)
        k3 = min(3, ncomp)
        if comp_sum is None:
            comp_sum, comp_fin_sum, comp_fin_n = np.zeros((ncat, ncomp)), np.zeros((ncat, ncomp)), np.zeros((ncat, ncomp))
            s_sum, s_nan = np.zeros(len(keys)), np.zeros(len(keys), dtype=bool)
            s_lo, s_hi = np.full(len(keys), np.inf), np.full(len(keys), -np.inf)
            top_n = np.zeros((ncat, ncomp))
        assert comp_sum is not None and comp_fin_sum is not None and comp_fin_n is not None and top_n is not None
        assert s_sum is not None and s_nan is not None and s_lo is not None and s_hi is not None
        if hist1 is None:
            with np.errstate(invalid="ignore"):
                hist1 = _Histograms(np.nanmin(np.where(np.isnan(x), np.inf, x), axis=-1),
                                    np.nanmax(np.where(np.isnan(x), -np.inf, x), axis=-1), pad=HISTOGRAM_PAD)
        hist1.add(x)
        xnan = np.isnan(x)
        s_sum += np.where(xnan, 0.0, x).sum(axis=-1)
        s_nan |= xnan.any(axis=-1)
        with np.errstate(invalid="ignore"):
            s_lo = np.fmin(s_lo, np.where(xnan, np.inf, x).min(axis=-1))
            s_hi = np.fmax(s_hi, np.where(xnan, -np.inf, x).max(axis=-1))
        stnan = np.isnan(st)                                 # (16, 4, b)
        valid = ~stnan.all(axis=1)
        valid_n += valid.sum(axis=1)
        win = np.argmax(np.where(stnan, -np.inf, st), axis=1)   # (16, b)
        win_n += ((win[:, None, :] == np.arange(len(STAGES))[None, :, None]) & valid[:, None, :]).sum(axis=-1)
        both = ~stnan[:, im] & ~stnan[:, iu]
        both_n += both.sum(axis=1)
        man_gt_use += (both & (st[:, im] > st[:, iu])).sum(axis=1)
        # per-component statistics on column slices: their temporaries are (16, C, slice) arrays
        for lo in range(0, data.shape[-1], STATS_SLICE):
            d = data[..., lo:lo + STATS_SLICE]
            nan = np.isnan(d)
            fin = np.where(nan, 0.0, d).sum(axis=-1)
            comp_sum += np.where(nan.any(axis=-1), np.nan, fin)  # a NaN draw makes the mean NaN (as in memory)
            comp_fin_sum += fin
            comp_fin_n += (~nan).sum(axis=-1)
            ok = ~nan.all(axis=1)                                # (16, s)
            ok_n += ok.sum(axis=1)
            idx = top_k(np.where(nan, -np.inf, d), k3)          # (k, 16, s): largest first
            top_n += ((idx[0][:, None, :] == np.arange(ncomp)[None, :, None]) & ok[:, None, :]).sum(axis=-1)
            # the set of the k largest components of each draw as one integer per category, counted
            # over all categories at once
            code = set_bits(idx) + (np.arange(ncat)[:, None] << ncomp)  # (16, s): category in the high bits
            u, cnt = np.unique(code[ok], return_counts=True)
            for uu, cc in zip(u.tolist(), cnt.tolist()):
                topsets[uu] = topsets.get(uu, 0) + cc
    assert comp_sum is not None and comp_fin_sum is not None and comp_fin_n is not None and top_n is not None
    assert s_sum is not None and s_nan is not None and s_lo is not None and s_hi is not None
    assert hist1 is not None
    mean = np.where(s_nan, np.nan, s_sum / samples)
    comp_mean = comp_sum / samples

    # percentiles: the histograms of pass 1 (range from the first block, padded) serve unless a
    # percentile fell outside that range; then a second pass histograms on the exact extremes
    usable = ~s_nan & (s_hi > s_lo)
    pct, ok = hist1.percentiles(samples, usable)
    hist = hist1
    if not ok[usable].all():
        hist = _Histograms(s_lo, s_hi)
        for _names, _data, _keys, x, _st in _ahead(one, _blocks(samples, block)):
            hist.add(x)
        pct, ok = hist.percentiles(samples, usable)
    const = ~s_nan & (s_hi == s_lo)
    pct[const] = s_lo[const][:, None]
    pct = np.clip(pct, s_lo[:, None], s_hi[:, None])
    with np.errstate(invalid="ignore", over="ignore"):
        resolution = np.where(hist.log, s_hi * (1 - np.exp(-hist.width)), hist.width)

    rob = {}
    for i, c in enumerate(CODES):
        entry: dict = {"samples": int(valid_n[i])}
        if valid_n[i]:
            entry["p_stage_dominates"] = {s: float(win_n[i, j] / valid_n[i]) for j, s in enumerate(STAGES)}
            entry["p_manufacturing_exceeds_use"] = float(man_gt_use[i] / both_n[i]) if both_n[i] else None
        if ok_n[i]:
            counts = top_n[i] / ok_n[i]
            best = int(np.argmax(counts))
            means = comp_fin_sum[i] / np.maximum(comp_fin_n[i], 1)
            means[comp_fin_n[i] == 0] = -np.inf
            order = np.argsort(-means, kind="stable")
            code = set_code(order[:k3]) + (i << len(names))
            entry["top_component"] = names[best]
            entry["p_top_component"] = float(counts[best])
            entry["top3_by_mean"] = [names[j] for j in order[:3]]
            entry["p_top3_stable"] = float(topsets.get(code, 0) / ok_n[i])
        rob[c] = entry
    return MonteCarloSummary(head=head, samples=samples, seed=seed, components=list(names),
                             component_mean=comp_mean, series=keys, mean=mean, percentiles=pct,
                             robustness=rob, resolution=resolution)
