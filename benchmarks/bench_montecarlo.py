"""Monte Carlo throughput through the public API (sample x category per second), 1e4 to 1e7 samples.

* ``lca.sweep(model, samples=N, seed=1)``: category totals and run quantities (in memory up
  to 1e6; for 1e7 ``lazy=True`` and chunk-wise reductions, so memory stays bounded);
* ``lca.model.run(scenario, samples=N, seed=1)``: the full result (every component of every
  category) for comparison, up to 1e6.

Target: >= 2.5e7 sample x category per second. Run: ``python benchmarks/bench_montecarlo.py``.
"""

from __future__ import annotations

import time

from _common import PeakRSS, best_of, fmt_rate, start, write_section

SCENARIO = "gpt4-a100"
TARGET = 2.5e7


def main():
    import dask
    import numpy as np

    from lca.analysis.sweep import sweep
    from lca.model import prepare, run

    start()
    t = time.perf_counter()
    model = prepare(SCENARIO)
    t_prepare = time.perf_counter() - t
    sweep(model, samples=1000, seed=1)  # warm-up (imports, pint caches)
    t_fixed, _ = best_of(lambda: sweep(model, samples=1, seed=1), repeats=5)
    rows = []
    for n in (10**4, 10**5, 10**6):
        with PeakRSS() as mem:
            dt, ds = best_of(lambda n=n: sweep(model, samples=n, seed=1), repeats=3 if n < 10**6 else 2)
        assert ds["gwp"].shape == (n,)
        rows.append(("lca.analysis.sweep.sweep (totals)", n, dt, n * 16 / dt, mem.peak / 2**20, "in memory"))
        print(rows[-1])
    n = 10**7
    with PeakRSS() as mem:
        t = time.perf_counter()
        lz = sweep(model, samples=n, seed=1, lazy=True)
        stats = [lz.mean("sample", skipna=False), lz.std("sample", skipna=False),
                 lz.min("sample", skipna=False), lz.max("sample", skipna=False)]
        with dask.config.set(scheduler="threads"):
            out = dask.compute(*stats)
        dt = time.perf_counter() - t
    assert np.isfinite(out[0]["gwp"].item())
    rows.append(("lca.analysis.sweep.sweep(lazy=True) + mean/std/min/max", n, dt, n * 16 / dt, mem.peak / 2**20,
                 f"chunks of {lz['gwp'].chunks[0][0]:,} samples, dask threads"))
    print(rows[-1])
    full = []
    for n in (10**4, 10**5, 10**6):
        with PeakRSS() as mem:
            dt, ds = best_of(lambda n=n: run(SCENARIO, samples=n, seed=1), repeats=2 if n < 10**6 else 1)
        full.append(("lca.model.run (components, incl. loading)", n, dt, n * 16 / dt, mem.peak / 2**20, "in memory"))
        print(full[-1])

    best = max(r[3] for r in rows)
    big = [r for r in rows if r[1] >= 10**6]
    ok = all(r[3] >= TARGET for r in big)
    lines = ["| API | samples | wall time (s) | sample x category / s | peak RSS (MiB) | note |",
             "|---|---:|---:|---:|---:|---|"]
    for api, n, dt, rate, rss, note in rows + full:
        lines.append(f"| `{api}` | {n:.0e} | {dt:.3f} | {fmt_rate(rate)} | {rss:,.0f} | {note} |")
    n_unc = len(model.scenario.uncertain)
    body = f"""Scenario `{SCENARIO}` ({n_unc} uncertain inputs, all drawn: scenario inputs, the grid's 16 factors,
data-quality multipliers of each component; the per-card embodied impacts are therefore evaluated
per sample), seed 1, 16 categories plus
3 quantities evaluated per sample. Model loading (`lca.model.prepare`, once): {t_prepare:.2f} s, not
included in the sweep timings; the `lca.model.run` rows include it. Best of 2-3 repeats.

{chr(10).join(lines)}

**Target >= 2.5e7 sample x category / s: {"met" if ok else "MISSED"}** for 1e6 samples and more
(best {fmt_rate(best)}). At 1e4 samples the fixed cost of a call ({t_fixed * 1e3:.0f} ms for one sample:
parameter table, Dataset construction) dominates, so the rate is lower there.
`lca.model.run` keeps every component of every category (16 x 9 x N values, built with pint) and is
an order of magnitude slower; use `lca.sweep` (or `lca sweep --samples N`) for large
Monte Carlo runs of totals. `lca run --samples N` above 100,000 samples does not build this
array: it streams its statistics block by block (`lca.model.streaming`; timings in the cli section)."""
    write_section("montecarlo", "Monte Carlo throughput", body)


if __name__ == "__main__":
    main()
