"""Sweeps of 1e7 and 1e8 evaluations beside their numpy floor, in memory, on dask threads and on
dask.distributed (threads and process workers), with peak resident memory.

scenarios/gpt4-a100.yaml over a SIDE x SIDE grid of workload.mfu (0.2-0.6) x lifetime.lifespan
(1-6 years): every point gives 19 outputs (16 category totals + 3 quantities). The reduction is the
mean, minimum and maximum of every output over the grid (1e8 points would be 15 GB kept).

The floor is the same reduction written directly in numpy: the grid cut into the same blocks,
each evaluated with the totals kernel (``lca.model.kernel.table`` + ``evaluate_outputs``) and
reduced with ``ndarray.sum/min/max``, on a thread pool of one thread per CPU; no dask, no xarray.
Each figure is measured in the same run as the floor: the paths are run in groups, alternating
with the floor, and the ratios are those of the medians within a group. Targets (issue #11): the lazy sweep of 1e8 points within 2x of
the floor and under 1 GiB; 2 process workers within 1.5x of dask threads at 1e7 and 1e8.

Run: ``python benchmarks/bench_sweep.py`` (about 8 minutes on 2 cores).
"""

from __future__ import annotations

import logging
import os
import time

from _common import PeakRSS, start, write_section

SCENARIO = "gpt4-a100"
SIDE = 10_000          # 1e8 evaluations
SIDE_SMALL = 3_163     # 1.0005e7 evaluations
TARGET_FLOOR = 2.0     # x the numpy floor (lazy sweep, 1e8)
TARGET_GIB = 1.0       # peak RSS of the lazy sweep, 1e8
TARGET_PROCS = 1.5     # process workers / dask threads
GiB = 2**30


def grid_of(side):
    import numpy as np

    return {"workload.mfu": np.linspace(0.2, 0.6, side), "lifetime.lifespan": np.linspace(1, 6, side)}


def floor(model, grid, chunk):
    """mean, min, max of every output over the grid: blocks of rows, the kernel, numpy reductions."""
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from lca.model.kernel import OUTPUTS, evaluate_outputs, table

    (pa, a), (pb, b) = grid.items()
    rows = max(1, chunk // len(b))
    starts = range(0, len(a), rows)

    def one(i):
        sub = a[i:i + rows]
        p = table(model, {pa: np.repeat(sub, len(b)), pb: np.tile(b, len(sub))})
        out = np.empty((len(OUTPUTS), len(sub) * len(b)))
        evaluate_outputs(model, p, out)
        return out.sum(axis=1), out.min(axis=1), out.max(axis=1)

    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        parts = list(pool.map(one, starts))
    n = len(a) * len(b)
    return (np.sum([s for s, _, _ in parts], axis=0) / n, np.min([m for _, m, _ in parts], axis=0),
            np.max([x for _, _, x in parts], axis=0))


FLOOR = "floor: numpy + the kernel, thread pool"
REPEATS = 2


def alternate(fns, repeats):
    """Run every function of ``fns`` in turn, ``repeats`` rounds; {label: (median s, [s...], peak
    RSS bytes, RSS before bytes)} (peak: the highest of the rounds, process tree)."""
    import statistics

    out: dict = {k: ([], 0, None) for k in fns}
    for _ in range(repeats):
        for k, fn in fns.items():
            with PeakRSS() as mem:
                t = time.perf_counter()
                fn()
                dt = time.perf_counter() - t
            times, peak, base = out[k]
            out[k] = (times + [dt], max(peak, mem.peak), mem.base if base is None else base)
            print(f"  {k}: {dt:.2f} s, peak {mem.peak / GiB:.2f} GiB (before {mem.base / GiB:.2f})", flush=True)
    return {k: (statistics.median(t), t, p, b) for k, (t, p, b) in out.items()}


def main():
    import dask
    import numpy as np

    from lca.analysis.execution import dask_client
    from lca.analysis.sweep import DEFAULT_CHUNK, sweep, sweep_stats
    from lca.errors import InputError
    from lca.model import prepare
    from lca.model.kernel import OUTPUTS

    logging.getLogger("distributed").setLevel(logging.ERROR)
    start()
    load0 = os.getloadavg()[0]
    model = prepare(SCENARIO)
    big, small = grid_of(SIDE), grid_of(SIDE_SMALL)
    n_big, n_small = SIDE * SIDE, SIDE_SMALL * SIDE_SMALL

    def threads_stats(grid):
        with dask.config.set(scheduler="threads"):
            return sweep_stats(model, grid, lazy=True).compute()

    def dist_xarray(client, grid):
        lz = sweep(model, grid, lazy=True)
        return client.gather(client.compute([lz.mean(skipna=False), lz.min(skipna=False), lz.max(skipna=False)]))

    def threads_xarray(grid):
        lz = sweep(model, grid, lazy=True)
        with dask.config.set(scheduler="threads"):
            return dask.compute(lz.mean(skipna=False), lz.min(skipna=False), lz.max(skipna=False))

    # warm-up (imports, pint, the model's caches) and identity checks on 1e6 points
    mid = grid_of(1000)
    a = sweep(model, mid)
    st_mem = sweep_stats(model, mid)
    st_thr = threads_stats(mid)
    with dask_client("local", n_workers=2, threads_per_worker=1, processes=True) as client:
        b = sweep(model, mid, client=client)
        st_proc = sweep_stats(model, mid, client=client)
    same = all(np.array_equal(a[v].values, b[v].values, equal_nan=True) for v in OUTPUTS)
    same_st = all(np.array_equal(st_mem[v].values, x[v].values, equal_nan=True) for x in (st_thr, st_proc)
                  for v in OUTPUTS)
    close = all(np.allclose(st_mem[v].sel(stat="mean").values, a[v].mean().values, rtol=1e-12) and
                st_mem[v].sel(stat="max").item() == a[v].max().item() for v in OUTPUTS)
    print("1e6 in memory == dask (2 process workers):", same, "; stats identical in memory / threads / processes:",
          same_st, "; stats == reduced sweep:", close, flush=True)
    del a, b

    # the in-memory path above the memory budget
    t = time.perf_counter()
    try:
        sweep(model, big)
        refused = "NOT refused"
    except InputError as exc:
        refused = f"refused in {1e3 * (time.perf_counter() - t):.0f} ms: \"{exc}\""
    print("in memory, 1e8:", refused, flush=True)

    # ---- 1e8 ------------------------------------------------------------------------------------
    # each group alternates its runs with the floor; the figures are medians, ratios taken in the group
    def fl(grid):
        return lambda: floor(model, grid, DEFAULT_CHUNK)

    stats_thr, stats_mem = "sweep_stats, dask threads (lazy)", "sweep_stats, in memory (thread pool)"
    stats_dthr, stats_proc = ("sweep_stats, dask.distributed 1 worker x 2 threads",
                              "sweep_stats, dask.distributed 2 process workers")
    xr_thr, xr_dthr, xr_proc = ("sweep(lazy=True) + xarray mean/min/max, dask threads",
                                "sweep(lazy=True) + xarray mean/min/max, dask.distributed 1 worker x 2 threads",
                                "sweep(lazy=True) + xarray mean/min/max, dask.distributed 2 process workers")
    big_runs = alternate({FLOOR: fl(big), stats_thr: lambda: threads_stats(big),
                          stats_mem: lambda: sweep_stats(model, big)}, REPEATS)
    st = threads_stats(big)
    ref = floor(model, big, DEFAULT_CHUNK)
    agree = all(np.allclose(st[v].values, [r[i] for r in ref], rtol=1e-12) for i, v in enumerate(OUTPUTS))
    big_runs[xr_thr] = alternate({xr_thr: lambda: threads_xarray(big)}, 1)[xr_thr]
    with dask_client("local", n_workers=2, threads_per_worker=1, processes=True) as client:
        big_procs = alternate({FLOOR: fl(big), stats_thr: lambda: threads_stats(big),
                               stats_proc: lambda c=client: sweep_stats(model, big, client=c)}, REPEATS)
    with dask_client("local") as client:
        big_dthr = alternate({FLOOR: fl(big), stats_dthr: lambda c=client: sweep_stats(model, big, client=c),
                              xr_dthr: lambda c=client: dist_xarray(c, big)}, 1)

    # ---- 1e7: process workers against threads, reduced and kept ----------------------------------
    with dask_client("local", n_workers=2, threads_per_worker=1, processes=True) as client:
        small_runs = alternate({FLOOR: fl(small), stats_thr: lambda: threads_stats(small),
                                stats_mem: lambda: sweep_stats(model, small),
                                stats_proc: lambda c=client: sweep_stats(model, small, client=c),
                                xr_thr: lambda: threads_xarray(small), xr_proc: lambda c=client: dist_xarray(c, small)},
                               REPEATS + 1)
    with dask_client("local") as client:
        small_dthr = alternate({FLOOR: fl(small), stats_dthr: lambda c=client: sweep_stats(model, small, client=c),
                                xr_dthr: lambda c=client: dist_xarray(c, small)}, REPEATS)
    budget = 2.0  # GiB: the 1e7 result (1.4 GiB) kept in memory

    def kept_run(**kw):
        return lambda: sweep(model, small, memory_budget=budget, **kw) and None   # do not keep the 1.4 GiB

    kept = alternate({"sweep, in memory (result kept)": kept_run()}, 1)
    for name, kw in [("1 worker x 2 threads", {"processes": False}),
                     ("2 process workers", {"n_workers": 2, "threads_per_worker": 1, "processes": True})]:
        with dask_client("local", **kw) as client:
            kept.update(alternate({f"sweep, dask.distributed {name} (result kept)": kept_run(client=client)}, 1))
    load1 = os.getloadavg()[0]

    # ---- the section ------------------------------------------------------------------------------
    def table(groups, n):
        lines = ["| group | path | median wall (s) | runs (s) | x floor | x sweep_stats on dask threads | evaluations / s "
                 "| peak RSS (GiB) | RSS before (GiB) |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        for g, (name, runs, thr_ref) in enumerate(groups, 1):
            fl_ = runs[FLOOR][0] if FLOOR in runs else groups[0][1][FLOOR][0]
            thr = runs[stats_thr][0] if stats_thr in runs else thr_ref
            for k, (dt, times, peak, base) in runs.items():
                lines.append(f"| {g} ({name}) | {'**' + k + '**' if k == FLOOR else k} | {dt:.2f} | "
                             f"{', '.join(f'{x:.2f}' for x in times)} | {dt / fl_:.2f} | {dt / thr:.2f} | {n / dt:.3g} "
                             f"| {peak / GiB:.2f} | {base / GiB:.2f} |")
        return "\n".join(lines)

    lazy_big = big_runs[stats_thr]
    r_big = lazy_big[0] / big_runs[FLOOR][0]
    procs_big = big_procs[stats_proc][0] / big_procs[stats_thr][0]
    procs_small = small_runs[stats_proc][0] / small_runs[stats_thr][0]
    xr_big = big_runs[xr_thr][0] / big_runs[FLOOR][0]
    xr_procs_small = small_runs[xr_proc][0] / small_runs[xr_thr][0]

    def verdict(ok):
        return "met" if ok else "**not met**"

    targets = [
        (f"lazy sweep of 1e8 points (sweep_stats, dask threads) <= {TARGET_FLOOR:g}x the floor", f"{r_big:.2f}x",
         r_big <= TARGET_FLOOR),
        (f"... and <= {TARGET_GIB:g} GiB peak RSS", f"{lazy_big[2] / GiB:.2f} GiB", lazy_big[2] / GiB <= TARGET_GIB),
        (f"2 process workers <= {TARGET_PROCS:g}x dask threads, 1e8 (sweep_stats)", f"{procs_big:.2f}x",
         procs_big <= TARGET_PROCS),
        (f"2 process workers <= {TARGET_PROCS:g}x dask threads, 1e7 (sweep_stats)", f"{procs_small:.2f}x",
         procs_small <= TARGET_PROCS),
        (f"xarray's per-variable reductions of sweep(lazy=True), 1e8, dask threads <= {TARGET_FLOOR:g}x the floor",
         f"{xr_big:.2f}x", xr_big <= TARGET_FLOOR),
        (f"xarray's per-variable reductions, 1e7, 2 process workers <= {TARGET_PROCS:g}x dask threads",
         f"{xr_procs_small:.2f}x", xr_procs_small <= TARGET_PROCS),
        ("in-memory sweep of 1e8 points refused above the memory budget", "refused" if "refused in" in refused
         else "not refused", "refused in" in refused),
    ]
    tgt = "\n".join(["| target | measured | |", "|---|---:|---|"]
                    + [f"| {a_} | {b_} | {verdict(c_)} |" for a_, b_, c_ in targets])
    thr_big = big_runs[stats_thr][0]
    body = f"""`{SCENARIO}` over workload.mfu (0.2-0.6) x lifetime.lifespan (1-6 years): {SIDE:,} x {SIDE:,} = {n_big:.0e}
evaluations (and {SIDE_SMALL:,} x {SIDE_SMALL:,} = {n_small:.4g}), each giving 16 category totals and 3 quantities. The
reduction is the mean, minimum and maximum of every output over the grid, in chunks of up to
{DEFAULT_CHUNK:,} evaluations. Load average {load0:.2f} at the start and {load1:.2f} at the end: the machine is
shared, so runs are alternated with the floor in groups and the ratios are taken within a group
(medians of the rounds; a path without a floor in its group is compared with group 1's).

The **floor** is the same reduction written directly in numpy: the same blocks, each evaluated with
the totals kernel (`lca.model.kernel.table` + `evaluate_outputs`) and reduced with
`ndarray.sum/min/max` on a pool of {os.cpu_count()} threads (no dask, no xarray).

`lca.analysis.sweep.sweep_stats(model, grid)` evaluates and reduces each chunk in one task (one task
per chunk and one combining task, instead of about 76 per chunk when xarray reduces the 19
variables of `sweep(..., lazy=True)` one by one), so only the statistics leave a worker. With a
client, the model is scattered to the workers once. LocalClusters made by
`lca.analysis.execution.dask_client` with process workers import lca in the workers when the
cluster starts (cluster start-up is not timed) and leave glibc's dynamic mmap threshold on there
(distributed's default `MALLOC_TRIM_THRESHOLD_=65536` made every chunk 2-3x slower in a worker
process, in a separate measurement on this machine).
Peak RSS is that of the whole process tree (client, scheduler, workers, and an idle
cluster when one is open in the group), sampled every 20 ms.

### {n_big:.0e} evaluations

{table([("no cluster", big_runs, thr_big), ("2 process workers open", big_procs, thr_big),
        ("1 worker x 2 threads open", big_dthr, thr_big)], n_big)}

### {n_small:.4g} evaluations

{table([("2 process workers open", small_runs, small_runs[stats_thr][0]),
        ("1 worker x 2 threads open", small_dthr, small_runs[stats_thr][0])], n_small)}

Kept in memory (not reduced; {n_small * 19 * 8 / GiB:.2f} GiB of results): the distributed path assembles the blocks in the
client as they arrive (each travels once and is released on its worker).

| path | wall time (s) | x in memory | peak RSS (GiB) | RSS before (GiB) |
|---|---:|---:|---:|---:|
""" + "\n".join(f"| {k} | {v[0]:.2f} | {v[0] / kept['sweep, in memory (result kept)'][0]:.2f} | {v[2] / GiB:.2f} | "
                f"{v[3] / GiB:.2f} |" for k, v in kept.items()) + f"""

### Targets (issue #11)

{tgt}

In memory, 1e8 points: {refused.replace(chr(10), ' ')}

Checks in the same run: on a 1,000 x 1,000 sub-grid the sweep on 2 process workers is
{"identical (bit for bit)" if same else "NOT identical"} to the in-memory sweep; `sweep_stats` is {"identical" if same_st else "NOT identical"}
in memory, on dask threads and on 2 process workers, and {"equals" if close else "does NOT equal"} the reduced in-memory sweep (mean to 1e-12,
min and max exactly); at 1e8 it {"agrees with" if agree else "does NOT agree with"} the floor to 1e-12. Peak resident memory is that of
the whole process tree (client, scheduler, workers), sampled every 20 ms.

To keep such a sweep on disk instead, `lca sweep ... --format netcdf -o sweep.nc` streams the chunks
into the file (15 GB for this grid) when the result is above `--memory-budget` (or with `--dask`)."""
    write_section("sweep", "Sweeps of 1e7 and 1e8 evaluations beside the numpy floor", body)


if __name__ == "__main__":
    main()
