"""A 1e8-evaluation sweep on dask.distributed with its peak resident memory.

scenarios/gpt4-a100.yaml over a 10,000 x 10,000 grid of workload.mfu (0.2-0.6) x lifetime.lifespan
(1-6 years): 1e8 points x 19 outputs (16 category totals + 3 quantities). The full result would
be 15 GB, so the lazy sweep is reduced on the cluster (mean, min and max of every output over the
grid) chunk by chunk. Target: < 2 GB peak resident memory. A 1e6-point sweep is also checked to
be identical on dask and in memory. Run: ``python benchmarks/bench_sweep.py``.
"""

from __future__ import annotations

import time

from _common import PeakRSS, start, write_section

SCENARIO = "gpt4-a100"
SIDE = 10_000
TARGET_GB = 2.0


def main():
    import dask
    import numpy as np

    from lca.analysis.execution import dask_client
    from lca.analysis.sweep import DEFAULT_CHUNK, sweep
    from lca.model import prepare
    from lca.model.kernel import OUTPUTS

    start()
    model = prepare(SCENARIO)
    grid = {"workload.mfu": np.linspace(0.2, 0.6, SIDE), "lifetime.lifespan": np.linspace(1, 6, SIDE)}
    n = SIDE * SIDE
    with dask_client("local") as client:
        info = client.scheduler_info()
        workers = len(info["workers"])
        threads = sum(w["nthreads"] for w in info["workers"].values())
        # identity check on a smaller grid (1e6 points)
        small = {"workload.mfu": grid["workload.mfu"][::10], "lifetime.lifespan": grid["lifetime.lifespan"][::10]}
        a = sweep(model, small)
        b = sweep(model, small, client=client)
        same = all(np.array_equal(a[v].values, b[v].values, equal_nan=True) for v in OUTPUTS)
        print("1e6 in memory == dask:", same)
        del a, b
        with PeakRSS() as mem:
            t = time.perf_counter()
            lz = sweep(model, grid, lazy=True)
            nchunks = int(np.prod(lz["gwp"].data.numblocks))
            stats = [lz.mean(skipna=False), lz.min(skipna=False), lz.max(skipna=False)]
            futs = client.compute(stats)
            res = client.gather(futs)
            dt = time.perf_counter() - t
    mean = res[0]
    print(f"{n:.0e} evaluations in {dt:.1f} s; peak RSS {mem.peak / 2**30:.2f} GiB (base {mem.base / 2**30:.2f})")
    print("mean gwp", float(mean["gwp"]), "max lifetimes", float(res[2]["lifetimes_consumed"]))
    # the same reduction on dask's local threaded scheduler (no distributed), for comparison
    with PeakRSS() as mem_t:
        t = time.perf_counter()
        lz = sweep(model, grid, lazy=True)
        with dask.config.set(scheduler="threads"):
            dask.compute(lz.mean(skipna=False), lz.min(skipna=False), lz.max(skipna=False))
        dt_t = time.perf_counter() - t
    print(f"threads: {dt_t:.1f} s; peak RSS {mem_t.peak / 2**30:.2f} GiB")
    ok = mem.peak / 2**30 < TARGET_GB
    body = f"""`lca.sweep(model, grid, lazy=True)` on `{SCENARIO}`: workload.mfu (0.2-0.6) x lifetime.lifespan
(1-6 years), {SIDE:,} x {SIDE:,} = {n:.0e} evaluations, each giving 16 category totals and 3 quantities
(1.9e9 numbers; 15 GB if kept). The lazy result is reduced on a dask.distributed LocalCluster
({workers} worker, {threads} threads, `lca.analysis.execution.dask_client("local")`) to the mean, minimum and maximum
of every output over the grid, in {nchunks} chunks of up to {DEFAULT_CHUNK:,} evaluations.

| evaluations | chunks | wall time (s) | evaluations / s | peak RSS (GiB) | RSS before (GiB) | target |
|---:|---:|---:|---:|---:|---:|---|
| {n:.0e} | {nchunks} | {dt:.1f} | {n / dt:.3g} | **{mem.peak / 2**30:.2f}** | {mem.base / 2**30:.2f} | < {TARGET_GB:g} GiB: {"met" if ok else "MISSED"} |

For comparison, the same lazy sweep and reduction on dask's local threaded scheduler (no
distributed): {dt_t:.1f} s ({n / dt_t:.3g} evaluations / s), peak RSS {mem_t.peak / 2**30:.2f} GiB. The difference is
dask.distributed's per-task overhead: xarray reduces each of the 19 output variables separately,
so the graph has about {nchunks * 19 * 4:,} small tasks besides the {nchunks} evaluation tasks.

Peak resident memory is that of the whole process tree (client, scheduler and worker share one
process here), sampled every 20 ms. Check on a 1,000 x 1,000 sub-grid: the dask result is
{"identical (bit for bit)" if same else "NOT identical"} to the in-memory sweep.

To keep such a sweep on disk instead, `lca sweep ... --dask local --format netcdf -o sweep.nc`
streams the chunks into the netCDF file (15 GB for this grid) with the same bounded memory."""
    write_section("sweep", "Sweep of 1e8 evaluations on dask.distributed", body)


if __name__ == "__main__":
    main()
