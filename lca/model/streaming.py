"""Monte Carlo in bounded memory: statistics streamed over sample blocks.

``lca run --samples N`` needs, per category, the mean of every component and the mean and the
5th, 50th and 95th percentiles of the total, of each stage, of the single score and of the run's
quantities, plus the robustness measures of :func:`lca.model.result.robustness`. None of these
needs the N x categories x components array of samples kept in memory: this module evaluates
the model block by block (the sampling contract's blocks, so the draws are those of
:func:`lca.model.compose.monte_carlo` for the same seed) and keeps only running sums, counts and
histograms.

Blocks are evaluated and reduced on worker threads (:func:`ordered_map`; their sums are added
in block order). One pass accumulates sums, counts, minima and maxima, and histograms every
series into :data:`HISTOGRAM_BINS` bins (log-spaced for a positive series) over the first
block's range widened by :data:`HISTOGRAM_PAD` at each end; the percentiles are read from the
histograms with linear interpolation inside the bin. Only if a percentile falls outside that
range does a second pass histogram every series between its exact minimum and maximum.
A streamed percentile is therefore within one bin of the exact sample percentile
(``numpy.percentile``, linear method; the bin width is the summary's ``resolution``): at most
``(1 + 2 HISTOGRAM_PAD) (max - min) / HISTOGRAM_BINS`` for a series that takes negative values,
and the same relative width in ``log`` for a positive one. Means, probabilities and counts are exact (up to the order of floating-point
summation).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from lca.errors import InputError
from lca.inventory.method import CODES
from lca.model.arrays import RunArrays, set_code, single_scores, top_ranking
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

#: Components up to which the top-k sets of a block are counted with a dense bincount
#: (16 x 2**C bins); above it with numpy.unique
SET_BINCOUNT_MAX = 16

#: Worker threads evaluating and reducing blocks (each holds one block; one more waits)
STREAM_WORKERS = 2

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


@dataclass
class _Block:
    """One block reduced to sums and counts (what :func:`summarise` adds up); ``x`` is dropped
    once it has been histogrammed."""

    names: list
    keys: list
    n: int
    x_sum: np.ndarray          # (K,) NaN where a draw is NaN
    x_lo: np.ndarray           # (K,) NaN-skipping minimum (NaN if all are)
    x_hi: np.ndarray
    comp_sum: np.ndarray       # (16, C) NaN where a draw is NaN
    comp_fin_sum: np.ndarray   # (16, C) NaN-skipping
    comp_fin_n: np.ndarray     # (16, C)
    ok_n: np.ndarray           # (16,) draws with a covered component
    top_n: np.ndarray          # (16, C) draws in which the component is the largest
    sets: dict                 # (category, top-k set) code -> draws
    valid_n: np.ndarray        # (16,) draws with a covered stage
    win_n: np.ndarray          # (16, 4) draws in which the stage is the largest
    both_n: np.ndarray         # (16,) draws with manufacturing and use covered
    man_gt_use: np.ndarray     # (16,)
    counts: np.ndarray | None = None   # histogram counts of x, when ranges were given
    x: np.ndarray | None = None        # (K, n) series values, when no ranges were given


def _series_keys(q: dict) -> list:
    return ([("total", c) for c in CODES] + [("stage", c, s) for c in CODES for s in STAGES] + [("single_score",)]
            + [("quantity", k) for k in QUANTITY_UNITS if k in q])


def _and(masks: list[np.ndarray | None]) -> np.ndarray | None:
    """Draws in which every one of the masks is set (None: a mask never set, so no draw)."""
    present = [m for m in masks if m is not None]
    if not masks or len(present) < len(masks):
        return None
    out = present[0].copy()
    for m in present[1:]:
        out &= m
    return out


def _reduce(q: dict, names: list, stages: list, data: np.ndarray, k: int) -> _Block:
    """Reduce one evaluated block (16, C, b) to the sums and counts of :class:`_Block`.

    ``data`` is modified in place (it belongs to this block). NaN (not covered) values are
    found from the per-component sums, which are NaN exactly where a draw is NaN, so only the few
    affected rows are masked: they are set to 0 for the NaN-skipping totals (as
    :func:`lca.model.arrays.component_sum`) and to ``-inf`` for the ranking (as :func:`ranks`
    expects), instead of masking the whole block."""
    ncat, ncomp, b = data.shape
    comp_sum = data.sum(axis=-1)                                      # (16, C)
    comp_fin_sum, comp_fin_n = comp_sum.copy(), np.full((ncat, ncomp), float(b))
    masks: dict[tuple[int, int], np.ndarray] = {}
    for i, j in zip(*np.nonzero(np.isnan(comp_sum))):
        m = np.isnan(data[i, j])
        masks[(int(i), int(j))] = m
        data[i, j][m] = 0.0
        comp_fin_sum[i, j] = data[i, j].sum()
        comp_fin_n[i, j] = b - np.count_nonzero(m)

    def all_nan(i: int, cols) -> np.ndarray | None:
        return _and([masks.get((i, j)) for j in cols])

    keys = _series_keys(q)
    x = np.empty((len(keys), b))
    tot, st = x[:ncat], x[ncat:ncat * (1 + len(STAGES))].reshape(ncat, len(STAGES), b)
    np.sum(data, axis=1, out=tot)
    uncovered = [all_nan(i, range(ncomp)) for i in range(ncat)]      # draws with no component covered
    for i, m in enumerate(uncovered):
        if m is not None:
            tot[i][m] = np.nan
    sarr = np.asarray(stages)
    for s_i, s in enumerate(STAGES):
        sel = np.flatnonzero(sarr == s)
        if not sel.size:
            st[:, s_i] = np.nan
            continue
        if sel[-1] - sel[0] + 1 == sel.size:                          # contiguous (compute orders by stage)
            np.sum(data[:, sel[0]:sel[-1] + 1], axis=1, out=st[:, s_i])
        else:
            np.sum(data[:, sel], axis=1, out=st[:, s_i])
        for i in range(ncat):
            m = all_nan(i, sel.tolist())
            if m is not None:
                st[i, s_i][m] = np.nan
    r0 = ncat * (1 + len(STAGES))
    x[r0] = single_scores(tot)
    for n_i, key in enumerate(keys[r0 + 1:]):
        x[r0 + 1 + n_i] = np.asarray(q[key[1]].m_as(QUANTITY_UNITS[key[1]]), dtype=float)
    with np.errstate(invalid="ignore"):
        x_sum = x.sum(axis=-1)                                        # NaN exactly where a draw is NaN
        x_lo, x_hi = x.min(axis=-1), x.max(axis=-1)
        for r in np.flatnonzero(np.isnan(x_sum)):                     # the few series with NaN draws
            x_lo[r], x_hi[r] = np.fmin.reduce(x[r]), np.fmax.reduce(x[r])

    # which stage is the largest: first of equal maxima, not-covered stages never win
    stn = np.isnan(st)                                                # (16, 4, b)
    valid = ~stn.all(axis=1)
    best = np.where(stn[:, 0], -np.inf, st[:, 0])
    win = np.zeros((ncat, b), dtype=np.int8)
    for s_i in range(1, len(STAGES)):
        better = st[:, s_i] > best                                    # NaN compares False
        np.copyto(best, st[:, s_i], where=better)
        np.copyto(win, s_i, where=better)
    win_n = np.stack([np.count_nonzero((win == s_i) & valid, axis=-1) for s_i in range(len(STAGES))], axis=1)
    im, iu = STAGES.index("manufacturing"), STAGES.index("use")
    both = ~stn[:, im] & ~stn[:, iu]
    with np.errstate(invalid="ignore"):
        man_gt_use = np.count_nonzero(both & (st[:, im] > st[:, iu]), axis=-1)

    # component ranking: not covered ranks last
    for (i, j), m in masks.items():
        data[i, j][m] = -np.inf
    ok = np.ones((ncat, b), dtype=bool)
    for i, m in enumerate(uncovered):
        if m is not None:
            ok[i] = ~m
    codes, top = top_ranking(data, k)                                 # (16, b) each
    cat = np.arange(ncat, dtype=np.int64)[:, None]
    top_n = np.bincount((top + cat * ncomp)[ok], minlength=ncat * ncomp).reshape(ncat, ncomp)
    codes = codes + (cat << ncomp)                                    # int64, category in the high bits
    if ncomp <= SET_BINCOUNT_MAX:
        cnt = np.bincount(codes[ok], minlength=ncat << ncomp)
        u = np.flatnonzero(cnt)
        sets = dict(zip(u.tolist(), cnt[u].tolist()))
    else:
        u, c = np.unique(codes[ok], return_counts=True)
        sets = dict(zip(u.tolist(), c.tolist()))
    return _Block(names=names, keys=keys, n=b, x_sum=x_sum, x_lo=x_lo, x_hi=x_hi, comp_sum=comp_sum,
                  comp_fin_sum=comp_fin_sum, comp_fin_n=comp_fin_n, ok_n=np.count_nonzero(ok, axis=-1),
                  top_n=top_n, sets=sets, valid_n=np.count_nonzero(valid, axis=-1), win_n=win_n,
                  both_n=np.count_nonzero(both, axis=-1), man_gt_use=man_gt_use, x=x)


def _evaluate_block(model: Model, seed: int, start: int, stop: int, sampled):
    p = sample_table(model.scenario, seed, start, stop, sampled)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        q, names, stages, data = compute(model, p)
    _check_finite(model, q, data)
    return q, names, stages, data


class _Ranges:
    """The histogram ranges, set once (from the first block, or the exact extremes of a second
    pass) and awaited by the workers of the later blocks."""

    def __init__(self, hist: _Histograms | None = None):
        import threading

        self.hist, self._set = hist, threading.Event()
        if hist is not None:
            self._set.set()

    def put(self, hist: _Histograms | None) -> None:
        """Set the ranges (None: the first block failed)."""
        self.hist = hist
        self._set.set()

    def get(self) -> _Histograms:
        self._set.wait()
        if self.hist is None:
            raise RuntimeError("the first block of the Monte Carlo run failed")
        return self.hist


def _block_stats(model: Model, seed: int, sampled, ranges: _Ranges, item) -> _Block:
    """One block drawn, evaluated, reduced and histogrammed (on a worker thread). The first block
    of pass 1 sets the histogram ranges, from its own extremes widened by :data:`HISTOGRAM_PAD`;
    every block (the first included) then bins its values on those ranges, the later ones after
    waiting for them."""
    start, stop, first = item
    try:
        q, names, stages, data = _evaluate_block(model, seed, start, stop, sampled)
        blk = _reduce(q, names, stages, data, min(3, len(names)))
        del data
        assert blk.x is not None
        if first:
            ranges.put(_Histograms(blk.x_lo, blk.x_hi, pad=HISTOGRAM_PAD))
    except BaseException:
        if first:
            ranges.put(None)  # release the waiting workers; the caller gets this block's error first
        raise
    blk.counts, blk.x = ranges.get().bin(blk.x, overwrite=True), None
    return blk


def ordered_map(fn, items, workers: int = STREAM_WORKERS):
    """``fn(item)`` for each item, yielded in order, computed on ``workers`` threads (numpy
    releases the GIL in its loops), with at most ``workers + 1`` results in flight, which bounds
    the memory. The caller sees the results in item order whatever the scheduling, so sums
    accumulated from them are reproducible."""
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    items = list(items)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lca-block") as pool:
        pending: deque = deque()
        it = iter(items)
        for item in it:
            pending.append(pool.submit(fn, item))
            if len(pending) > workers:
                break
        while pending:
            res = pending.popleft().result()
            nxt = next(it, None)
            if nxt is not None:
                pending.append(pool.submit(fn, nxt))
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
        # bin of a value v: floor((log v - a) / width) + 1 (1..BINS inside the range) put at its
        # row's offset in the flat counts; (log v) * inv + shift computes it in two passes
        offs = np.arange(lo.size) * float(HISTOGRAM_BINS + 2)
        self._inv = np.where(self.live, 1.0 / np.where(self.live, self.width, 1.0), 1.0)[:, None]
        self._shift = (offs + 1.0 - self.a * self._inv[:, 0])[:, None]
        self._lo, self._hi = offs[:, None], (offs + HISTOGRAM_BINS + 1)[:, None]

    def bin(self, x: np.ndarray, overwrite: bool = False) -> np.ndarray:
        """Counts (K, BINS + 2) of a block of series values (K, b). A value below the range, or a
        non-positive value of a log-binned series, lands in the underflow bin 0, one above it in the
        overflow bin. (A NaN sample cannot hide here: it makes its whole series' statistics NaN,
        see ``s_nan`` in :func:`summarise`.) ``overwrite``: ``x`` (float) may be used as scratch."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # log rows: log(0) = -inf and log(negative) = NaN both end in bin 0 below
            t = x if overwrite else np.array(x, dtype=float)
            np.log(t, out=t, where=self.log[:, None])
            t *= self._inv
            t += self._shift
        np.fmax(t, self._lo, out=t)             # below the range, -inf and NaN: bin 0
        np.minimum(t, self._hi, out=t)
        idx = t.astype(np.intp)                 # truncation: the floor, as t >= 0 here
        return np.bincount(idx.ravel(), minlength=self.counts.size).reshape(self.counts.shape)

    def add(self, x: np.ndarray) -> None:
        """Count a block of series values (K, b) (see :meth:`bin`)."""
        self.counts += self.bin(x)

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

    # pass 1: sums, NaN flags, extremes, robustness counts and histograms, block by block on
    # worker threads (the first block sets the histogram ranges for the others)
    names: list = []
    keys: list = []
    acc: dict = {}
    topsets: dict[int, int] = {}  # (category, top-k set) code -> draws
    spans = list(_blocks(samples, block))
    ranges = _Ranges()
    one = functools.partial(_block_stats, model, seed, sampled, ranges)
    hist1: _Histograms | None = None
    for blk in ordered_map(one, [(lo, hi, i == 0) for i, (lo, hi) in enumerate(spans)]):
        names, keys = blk.names, blk.keys
        if not acc:
            acc = {"s_sum": np.zeros(len(keys)), "s_lo": np.full(len(keys), np.inf),
                   "s_hi": np.full(len(keys), -np.inf)}
            for f in ("comp_sum", "comp_fin_sum", "comp_fin_n", "ok_n", "top_n", "valid_n", "win_n", "both_n",
                      "man_gt_use"):
                acc[f] = np.zeros_like(getattr(blk, f), dtype=float)
            hist1 = ranges.get()
        acc["s_sum"] += blk.x_sum                                      # NaN stays NaN: s_nan below
        acc["s_lo"] = np.fmin(acc["s_lo"], blk.x_lo)
        acc["s_hi"] = np.fmax(acc["s_hi"], blk.x_hi)
        for f in ("comp_sum", "comp_fin_sum", "comp_fin_n", "ok_n", "top_n", "valid_n", "win_n", "both_n",
                  "man_gt_use"):
            acc[f] += getattr(blk, f)
        for code, cnt in blk.sets.items():
            topsets[code] = topsets.get(code, 0) + cnt
        assert hist1 is not None and blk.counts is not None
        hist1.counts += blk.counts
    assert hist1 is not None
    k3 = min(3, len(names))
    s_nan = np.isnan(acc["s_sum"])
    s_lo, s_hi = acc["s_lo"], acc["s_hi"]
    mean = np.where(s_nan, np.nan, acc["s_sum"] / samples)
    comp_mean = acc["comp_sum"] / samples
    comp_fin_sum, comp_fin_n, top_n, ok_n = acc["comp_fin_sum"], acc["comp_fin_n"], acc["top_n"], acc["ok_n"]
    valid_n, win_n, both_n, man_gt_use = acc["valid_n"], acc["win_n"], acc["both_n"], acc["man_gt_use"]

    # percentiles: the histograms of pass 1 (range from the first block, padded) serve unless a
    # percentile fell outside that range; then a second pass histograms on the exact extremes
    usable = ~s_nan & (s_hi > s_lo)
    pct, ok = hist1.percentiles(samples, usable)
    hist = hist1
    if not ok[usable].all():
        hist = _Histograms(s_lo, s_hi)
        again = functools.partial(_block_stats, model, seed, sampled, _Ranges(hist))
        for blk in ordered_map(again, [(lo, hi, False) for lo, hi in spans]):
            assert blk.counts is not None
            hist.counts += blk.counts
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
