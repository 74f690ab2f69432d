"""lca.analysis.sweep.sweep_stats (statistics reduced chunk by chunk), the memory budget of computed
sweeps, and the distributed path (model scattered once, blocks assembled in the client, process
workers)."""

import numpy as np
import pytest
import xarray as xr

from lca.analysis.sweep import BYTES_PER_POINT, STATS, sweep, sweep_stats
from lca.cli import main
from lca.errors import InputError
from lca.model import prepare
from lca.model.kernel import OUTPUTS

GPT4 = "gpt4-a100"
GRID = {"workload.mfu": np.linspace(0.2, 0.6, 23), "lifetime.lifespan": np.linspace(1, 6, 17)}


@pytest.fixture(scope="module")
def model():
    return prepare(GPT4)


@pytest.fixture(scope="module")
def full(model):
    return sweep(model, GRID, samples=40, seed=7)


def test_stats_over_every_dim_equal_the_reduced_sweep(model, full):
    st = sweep_stats(model, GRID, samples=40, seed=7, chunk_size=97)
    assert list(st["stat"].values) == list(STATS)
    assert st["gwp"].dims == ("stat",)
    assert set(OUTPUTS) == set(st.data_vars)
    for v in OUTPUTS:
        np.testing.assert_allclose(st[v].sel(stat="mean").item(), full[v].mean(skipna=False).item(), rtol=1e-13)
        assert st[v].sel(stat="min").item() == full[v].min(skipna=False).item()
        assert st[v].sel(stat="max").item() == full[v].max(skipna=False).item()
        assert st[v].attrs["units"] == full[v].attrs["units"]
    assert st.attrs["reduced"] == "workload.mfu,lifetime.lifespan,sample"
    assert st.attrs["sampled"] == full.attrs["sampled"] and "workload.mfu" not in st.attrs["sampled"]
    assert st.attrs["seed"] == 7
    # the spread is real: lifespan 1-6 years changes the embodied share
    assert st["lifetimes_consumed"].sel(stat="max").item() > 5 * st["lifetimes_consumed"].sel(stat="min").item()


def test_stats_over_some_dims_keep_the_others(model, full):
    st = sweep_stats(model, GRID, samples=40, seed=7, dims=["sample"], chunk_size=200)
    assert st["gwp"].dims == ("stat", "workload.mfu", "lifetime.lifespan")
    np.testing.assert_array_equal(st["workload.mfu"].values, GRID["workload.mfu"])
    assert st["lifetime.lifespan"].attrs["units"] == "year"
    assert "sample" not in st.coords
    np.testing.assert_allclose(st["gwp"].sel(stat="mean").values, full["gwp"].mean("sample").values, rtol=1e-13)
    np.testing.assert_array_equal(st["energy"].sel(stat="max").values, full["energy"].max("sample").values)
    by_mfu = sweep_stats(model, GRID, samples=40, seed=7, dims="workload.mfu", stats=["max", "min"], chunk_size=50)
    assert by_mfu["gwp"].dims == ("stat", "lifetime.lifespan", "sample")
    assert list(by_mfu["stat"].values) == ["max", "min"]
    np.testing.assert_array_equal(by_mfu["gwp"].sel(stat="min").values, full["gwp"].min("workload.mfu").values)
    np.testing.assert_array_equal(by_mfu["sample"].values, np.arange(40))


def test_stats_identical_in_memory_lazy_and_distributed(model):
    pytest.importorskip("distributed")
    from lca.analysis.execution import dask_client

    a = sweep_stats(model, GRID, samples=30, seed=1, chunk_size=64)
    lz = sweep_stats(model, GRID, samples=30, seed=1, chunk_size=64, lazy=True)
    assert lz["gwp"].chunks is not None
    # one task per block, one combining task, and nothing per output
    blocks = int(np.prod(sweep(model, GRID, samples=30, seed=1, chunk_size=64, lazy=True)["gwp"].data.numblocks))
    assert len(lz["gwp"].data.__dask_graph__()) < blocks + 2 * sum(len(v) for v in GRID.values()) + 40
    xr.testing.assert_identical(a, lz.compute())
    from lca.analysis.execution import _SCATTERED, scattered

    with dask_client("local", n_workers=1, threads_per_worker=2, processes=False) as client:
        d = sweep_stats(model, GRID, samples=30, seed=1, chunk_size=64, client=client)
        fut = scattered(client, model)          # scattered once, reused by later sweeps on this client
        assert fut is scattered(client, model) and (id(client), id(model)) in _SCATTERED
        d2 = sweep_stats(model, GRID, samples=30, seed=1, chunk_size=64, client=client)
    assert (id(client), id(model)) not in _SCATTERED   # dropped with the client
    xr.testing.assert_identical(a, d)
    xr.testing.assert_identical(a, d2)
    # min and max do not depend on the chunks; the mean only to rounding
    b = sweep_stats(model, GRID, samples=30, seed=1, chunk_size=1000)
    np.testing.assert_array_equal(a["gwp"].sel(stat="max").values, b["gwp"].sel(stat="max").values)
    np.testing.assert_allclose(a["gwp"].sel(stat="mean").values, b["gwp"].sel(stat="mean").values, rtol=1e-13)


def test_process_workers_equal_in_memory_and_keep_the_malloc_threshold_dynamic(model):
    pytest.importorskip("distributed")
    import os

    from lca.analysis.execution import dask_client

    grid = {"workload.mfu": GRID["workload.mfu"]}
    ref = sweep(model, grid, samples=50, seed=2)
    ref_st = sweep_stats(model, grid, samples=50, seed=2, chunk_size=128)
    with dask_client("local", n_workers=1, threads_per_worker=1, processes=True) as client:
        env = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        got = sweep(model, grid, samples=50, seed=2, client=client, chunk_size=128)
        got_st = sweep_stats(model, grid, samples=50, seed=2, chunk_size=128, client=client)
    assert list(env.values()) == [None]
    xr.testing.assert_identical(ref, got)
    xr.testing.assert_identical(ref_st, got_st)


def test_nan_propagates_through_the_statistics():
    from lca.analysis.sweep import _stats_combine

    part = np.array([[[[1.0, np.nan]], [[0.5, 2.0]], [[3.0, 4.0]]]])   # (1 output, 3 stats, 1, 2 blocks)
    out = _stats_combine(part, axes=(0, 1), stats=["mean", "min", "max"], count=4)
    assert np.isnan(out[0, 0]) and out[0, 1] == 0.5 and out[0, 2] == 4.0


def test_stats_bad_input(model):
    with pytest.raises(InputError, match="stats: expected distinct names among mean, min, max"):
        sweep_stats(model, GRID, stats=["median"])
    with pytest.raises(InputError, match="dims: expected distinct dimensions among workload.mfu, lifetime.lifespan"):
        sweep_stats(model, GRID, dims=["sample"])
    with pytest.raises(InputError, match="categorical dimension accelerator is not supported"):
        sweep_stats(GPT4, {"accelerator": ["a100-sxm4-40gb"], "workload.mfu": [0.3]})


def test_computed_sweep_above_the_memory_budget_is_refused_before_evaluating(model):
    grid = {"workload.mfu": np.linspace(0.2, 0.6, 1000), "lifetime.lifespan": np.linspace(1, 6, 1000)}
    need = 1e6 * BYTES_PER_POINT / 2**30
    with pytest.raises(InputError, match=r"1,000,000 evaluations: the result would hold 0.142 GiB.*budget of 0.1 GiB"):
        sweep(model, grid, memory_budget=0.1)
    with pytest.raises(InputError, match="memory budget"):
        sweep(model, grid, dask="local", memory_budget=need / 2)
    with pytest.raises(InputError, match="memory_budget: expected a positive number"):
        sweep(model, GRID, memory_budget=0)
    # lazy results and statistics are not held in memory: no refusal
    assert sweep(model, grid, lazy=True, memory_budget=0.1)["gwp"].shape == (1000, 1000)
    assert sweep(model, GRID, memory_budget=need)["gwp"].shape == (23, 17)


def test_cli_memory_budget(tmp_path, capsys):
    args = ["sweep", GPT4, "--grid", "workload.mfu=0.2:0.6:400", "--grid", "lifetime.lifespan=1:6:400", "--no-progress"]
    out = tmp_path / "s.json"
    assert main(args + ["--memory-budget", "0.01", "--format", "json", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "0.0226 GiB, above the memory budget of 0.01 GiB (--memory-budget)" in err and "Traceback" not in err
    assert not out.exists()
    nc = tmp_path / "s.nc"
    assert main(args + ["--memory-budget", "0.01", "--format", "netcdf", "-o", str(nc)]) == 0
    assert "streamed" in capsys.readouterr().out
    ref = sweep(GPT4, ["workload.mfu=0.2:0.6:400", "lifetime.lifespan=1:6:400"])
    back = xr.load_dataset(nc)
    for v in OUTPUTS:
        np.testing.assert_array_equal(back[v].values, ref[v].values)


def test_categorical_sweep_on_a_cluster_equals_in_memory():
    pytest.importorskip("distributed")
    from lca.analysis.execution import dask_client

    grid = {"operation.grid": ["FR", "US"], "workload.mfu": [0.3, 0.5]}
    a = sweep(GPT4, grid, samples=20, seed=5)
    with dask_client("local", n_workers=1, threads_per_worker=2, processes=False) as client:
        d = sweep(GPT4, grid, samples=20, seed=5, client=client, chunk_size=16)
    xr.testing.assert_identical(a, d)
    assert a["gwp"].sel({"operation.grid": "FR"}).mean() < a["gwp"].sel({"operation.grid": "US"}).mean()
