"""lca.analysis.sweep and `lca sweep`: the fast totals path equals the full model, grid dims named by path,
reproducible samples, chunk/scheduler independence (dask LocalCluster), writers and the CLI."""

import json

import numpy as np
import pytest
import xarray as xr

from lca.analysis.sweep import parse_grid, sweep
from lca.cli import main
from lca.errors import InputError
from lca.inventory.method import CODES
from lca.model import compute, prepare
from lca.model.kernel import OUTPUTS, evaluate_outputs
from lca.scenario import parameter_table

GPT4 = "gpt4-a100"
GRID = {"workload.mfu": np.linspace(0.2, 0.6, 5), "lifetime.lifespan": np.linspace(1, 6, 3)}


@pytest.fixture(scope="module")
def gpt4_model():
    return prepare(GPT4)


def _reference(model, p):
    q, _names, _stages, data = compute(model, p)
    tot = np.nansum(data, axis=1)
    tot[np.isnan(data).all(axis=1)] = np.nan
    return q, tot


@pytest.mark.parametrize("scenario,overrides", [
    ("gpt4-a100", ()),
    ("bloom-a100", ()),
    ("llama31-405b-h100", ()),                       # parametric, uncertain bill of materials
    ("gpt4-flops-to-footprints", ()),
    ("gpt4-a100", ("operation.wue=1.8 L/kWh", "operation.water_scarcity=20")),   # on-site water component
    ("gpt4-a100", ("operation.grid.gwp={distribution: uniform, min: 0.2, max: 0.6}",)),
])
def test_fast_totals_equal_the_full_model(scenario, overrides):
    model = prepare(scenario, overrides=overrides)
    p = parameter_table(model.scenario, n=300, rng=np.random.default_rng(5))
    q, ref = _reference(model, p)
    got = evaluate_outputs(model, p)
    assert got.shape == (len(OUTPUTS), 300)
    np.testing.assert_allclose(got[:16], ref, rtol=1e-12, equal_nan=True)
    assert np.array_equal(np.isnan(got[:16]), np.isnan(ref))
    np.testing.assert_allclose(got[16], q["accelerator_hours"].m_as("hour"), rtol=1e-14)
    np.testing.assert_allclose(got[17], q["energy"].m_as("kWh"), rtol=1e-14)
    np.testing.assert_allclose(got[18], q["lifetimes_consumed"].m_as(""), rtol=1e-14)


def test_grid_dims_are_named_by_path_and_match_the_model(gpt4_model):
    ds = sweep(gpt4_model, GRID)
    assert ds["gwp"].dims == ("workload.mfu", "lifetime.lifespan")
    assert ds["gwp"].shape == (5, 3)
    assert ds["lifetime.lifespan"].attrs["units"] == "year"
    assert ds["workload.mfu"].attrs["units"] == "dimensionless"
    assert set(OUTPUTS) <= set(ds.data_vars)
    assert ds["gwp"].attrs["unit_label"] == "kg CO2 eq"
    # one point against a deterministic run with --set overrides
    m = prepare(GPT4, overrides=["workload.mfu=0.4", "lifetime.lifespan=3.5 year"])
    q, ref = _reference(m, parameter_table(m.scenario))
    pt = ds.sel({"workload.mfu": 0.4, "lifetime.lifespan": 3.5})
    for i, c in enumerate(CODES):
        np.testing.assert_allclose(pt[c].item(), ref[i, 0], rtol=1e-12)
    assert pt["lifetimes_consumed"].item() == pytest.approx(q["lifetimes_consumed"].m_as("")[0], rel=1e-12)
    # lifetimes consumed = c / (mfu x lifespan)
    lc = ds["lifetimes_consumed"].values
    prod = lc * GRID["workload.mfu"][:, None] * GRID["lifetime.lifespan"][None, :]
    np.testing.assert_allclose(prod, prod[0, 0], rtol=1e-12)


def test_samples_same_seed_identical_and_chunk_independent(gpt4_model):
    a = sweep(gpt4_model, GRID, samples=200, seed=9)
    b = sweep(gpt4_model, GRID, samples=200, seed=9, chunk_size=77)
    xr.testing.assert_identical(a, b)
    assert a["gwp"].dims == ("workload.mfu", "lifetime.lifespan", "sample")
    # every uncertain datum that is not swept is sampled (scenario inputs, grid factors, data.<component>)
    sampled = a.attrs["sampled"].split(",")
    assert a.attrs["seed"] == 9 and sampled == [p for p in gpt4_model.scenario.uncertain if p not in GRID]
    assert not set(GRID) & set(sampled) and len(sampled) == len(gpt4_model.scenario.uncertain) - 2
    assert {"operation.pue", "workload.training_flops", "operation.accelerator_power", "operation.grid.gwp",
            "data.main_dies", "data.distribution"} <= set(sampled)
    c = sweep(gpt4_model, GRID, samples=200, seed=10)
    assert not np.array_equal(a["gwp"].values, c["gwp"].values)
    # common random numbers: the FLOPs, power and PUE draws of a sample are the same at every grid point
    e = a["energy"].values * GRID["workload.mfu"][:, None, None]
    np.testing.assert_allclose(e, np.broadcast_to(e[:1, :1, :], e.shape), rtol=1e-12)
    # a smaller run is a prefix of a larger one
    d = sweep(gpt4_model, GRID, samples=50, seed=9)
    np.testing.assert_array_equal(d["gwp"].values, a["gwp"].values[..., :50])


def test_monte_carlo_without_grid(gpt4_model):
    ds = sweep(gpt4_model, samples=1000, seed=1)
    assert ds["gwp"].dims == ("sample",)
    assert ds["lifetimes_consumed"].std() > 0
    lo, hi = ds["lifetimes_consumed"].min().item(), ds["lifetimes_consumed"].max().item()
    assert hi / lo > 5  # lifespan 1-6 years


def test_lazy_equals_in_memory(gpt4_model):
    a = sweep(gpt4_model, GRID, samples=100, seed=2)
    lz = sweep(gpt4_model, GRID, samples=100, seed=2, lazy=True, chunk_size=64)
    assert lz["gwp"].chunks is not None
    xr.testing.assert_identical(a, lz.compute())


def test_dask_local_cluster_equals_in_memory(gpt4_model):
    pytest.importorskip("distributed")
    from lca.analysis.execution import dask_client

    a = sweep(gpt4_model, GRID, samples=64, seed=3)
    with dask_client("local", n_workers=1, threads_per_worker=2, processes=False) as client:
        d = sweep(gpt4_model, GRID, samples=64, seed=3, client=client, chunk_size=100)
    xr.testing.assert_identical(a, d)
    for v in a.data_vars:
        assert np.array_equal(a[v].values, d[v].values, equal_nan=True)


def test_parse_grid_forms_and_errors(gpt4_model):
    sc = gpt4_model.scenario
    g = parse_grid(["workload.mfu=0.2:0.6:9", "operation.pue=1.1,1.2,1.5"], sc)
    np.testing.assert_allclose(g["workload.mfu"], np.linspace(0.2, 0.6, 9))
    np.testing.assert_allclose(g["operation.pue"], [1.1, 1.2, 1.5])
    with pytest.raises(InputError, match="workload.mfu"):
        parse_grid(["workload.mf=0.2:0.6:9"], sc)
    with pytest.raises(InputError, match="START:STOP:NUM"):
        parse_grid(["workload.mfu=0.2:0.6"], sc)
    with pytest.raises(InputError, match="out of range"):
        parse_grid(["workload.mfu=0:0.6:4"], sc)
    with pytest.raises(InputError, match="twice"):
        parse_grid(["operation.pue=1.1", "operation.pue=1.2"], sc)
    with pytest.raises(InputError, match="NUM"):
        parse_grid(["operation.pue=1.1:1.5:2.5"], sc)


def test_write_netcdf_streams_a_lazy_sweep(gpt4_model, tmp_path):
    from lca.outputs.files import write_netcdf

    a = sweep(gpt4_model, GRID, samples=30, seed=4)
    path = tmp_path / "s.nc"
    write_netcdf(sweep(gpt4_model, GRID, samples=30, seed=4, lazy=True, chunk_size=50), path)
    back = xr.load_dataset(path)
    for v in OUTPUTS:
        np.testing.assert_array_equal(back[v].values, a[v].values)
    assert back["gwp"].attrs["units"]


# ---- CLI ----------------------------------------------------------------------------------------
def test_cli_table(capsys):
    rc = main(["sweep", GPT4, "--grid", "workload.mfu=0.2:0.6:3", "--grid", "lifetime.lifespan=1:6:2",
               "--no-progress", "--category", "gwp", "--category", "adpe"])
    out = capsys.readouterr().out
    assert rc == 0 and "workload.mfu" in out and "lifetime.lifespan" in out and "adpe" in out
    assert "lifetimes" in out


def test_cli_json_csv_netcdf(tmp_path, capsys):
    args = ["sweep", GPT4, "--grid", "workload.mfu=0.3,0.4", "--samples", "20", "--seed", "1", "--no-progress"]
    assert main(args + ["--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["dims"] == ["workload.mfu"] and doc["samples"] == 20 and doc["seed"] == 1
    assert len(doc["impacts"]["gwp"]["mean"]) == 2 and doc["impacts"]["gwp"]["unit"] == "kg CO2 eq"
    assert main(args + ["--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("workload.mfu,sample,accelerator_hours") and len(lines) == 1 + 2 * 20
    nc = tmp_path / "w.nc"
    assert main(args + ["--format", "netcdf", "-o", str(nc)]) == 0
    assert xr.load_dataset(nc)["gwp"].shape == (2, 20)
    capsys.readouterr()
    # same seed, same numbers through the CLI
    assert main(args + ["--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["impacts"]["gwp"] == doc["impacts"]["gwp"]


def test_cli_dask_local_netcdf(tmp_path, capsys):
    pytest.importorskip("distributed")
    nc = tmp_path / "d.nc"
    rc = main(["sweep", GPT4, "--grid", "workload.mfu=0.3:0.4:3", "--samples", "10", "--seed", "2",
               "--dask", "local", "--chunk-size", "8", "--format", "netcdf", "-o", str(nc), "--no-progress"])
    assert rc == 0
    ref = sweep(GPT4, {"workload.mfu": np.linspace(0.3, 0.4, 3)}, samples=10, seed=2)
    np.testing.assert_array_equal(xr.load_dataset(nc)["gwp"].values, ref["gwp"].values)


def test_cli_errors(capsys):
    rc = main(["sweep", GPT4, "--grid", "lifetime.lifespn=1:6:6", "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and "lifetime.lifespan" in err and "Traceback" not in err
    assert main(["sweep", GPT4, "--no-progress"]) == 2
    assert "--grid" in capsys.readouterr().err
    assert main(["sweep", GPT4, "--grid", "workload.mfu=0.3", "--format", "netcdf"]) == 2


def test_nan_sums_follow_min_count_semantics():
    """Totals skip not-covered (NaN) components; all-NaN stays NaN (never 0)."""
    from lca.model.kernel import _nansum_into, _nansum_stack

    rng = np.random.default_rng(0)
    arrs = []
    for width in (1, 50, 1, 50):
        a = rng.random((6, width))
        a[rng.random((6, width)) < 0.3] = np.nan
        arrs.append(a)
    arrs[0][5] = np.nan
    arrs[1][5] = np.nan
    arrs[2][5] = np.nan
    arrs[3][5, :25] = np.nan
    stack = np.stack([np.broadcast_to(a, (6, 50)) for a in arrs])
    ref = np.nansum(stack, axis=0)
    ref[np.isnan(stack).all(axis=0)] = np.nan
    got = _nansum_stack(arrs)
    np.testing.assert_allclose(got, ref, rtol=1e-15)
    assert np.array_equal(np.isnan(got), np.isnan(ref)) and np.isnan(got[5, :25]).all()
    out = np.empty(50)
    _nansum_into([stack[1, 0], stack[3, 0]], out)
    r = np.nansum(stack[[1, 3], 0], axis=0)
    r[np.isnan(stack[[1, 3], 0]).all(axis=0)] = np.nan
    np.testing.assert_allclose(out, r, rtol=1e-15)
    assert np.array_equal(np.isnan(out), np.isnan(r))


def test_fast_uniform_quantiles_equal_distribution_ppf(gpt4_model):
    from lca.scenario.sampling import _ppf

    u = np.random.default_rng(3).random(1000)
    for path in gpt4_model.scenario.uncertain:
        prm = gpt4_model.scenario.params[path]
        np.testing.assert_array_equal(_ppf(prm, u), prm.distribution.ppf(u).m_as(prm.unit))
