"""Categorical sweeps (accelerator, operation.grid, background ids) and `lca export` of sweep results."""

import io
import json

import numpy as np
import pandas as pd
import pytest

import lca
from lca.analysis.sweep import sweep
from lca.cli import main

GPT4 = "gpt4-a100"
CARDS = ["a100-sxm4-40gb", "h100-sxm5-80gb"]
PARAMETRIC = ["embodied.method=parametric"]


def _run_total(set_, code="gwp"):
    """Total over components of ``lca.run`` (in the sweep's unit of the category)."""
    from lca.model.kernel import output_unit

    q = lca.run(GPT4, set=set_)[code].data
    return float(np.nansum(np.asarray(q.m_as(output_unit(code)[0]), dtype=float)))


def test_accelerator_sweep_equals_separate_runs():
    ds = sweep(GPT4, [f"accelerator={','.join(CARDS)}"], overrides=PARAMETRIC)
    assert ds["gwp"].dims == ("accelerator",)
    assert list(ds["accelerator"].values) == CARDS
    for card in CARDS:
        got = float(ds["gwp"].sel(accelerator=card))
        assert got == pytest.approx(_run_total(PARAMETRIC + [f"accelerator={card}"]), rel=1e-9)


def test_grid_sweep_in_the_given_order_equals_runs():
    ds = sweep(GPT4, ["operation.grid=FR,DE,US"])
    assert list(ds["operation.grid"].values) == ["FR", "DE", "US"]
    for g in ("FR", "DE", "US"):
        assert float(ds["gwp"].sel({"operation.grid": g})) == pytest.approx(_run_total([f"operation.grid={g}"]),
                                                                             rel=1e-9)


def test_mixed_categorical_and_numeric_dims():
    ds = sweep(GPT4, ["workload.mfu=0.3,0.4,0.5", f"accelerator={','.join(CARDS)}", "operation.grid=FR,DE"],
               overrides=PARAMETRIC)
    assert ds["gwp"].dims == ("workload.mfu", "accelerator", "operation.grid")
    assert ds["gwp"].shape == (3, 2, 2)
    got = float(ds["gwp"].sel({"workload.mfu": 0.4, "accelerator": CARDS[1], "operation.grid": "DE"}))
    ref = _run_total(PARAMETRIC + [f"accelerator={CARDS[1]}", "operation.grid=DE", "workload.mfu=0.4"])
    assert got == pytest.approx(ref, rel=1e-9)


def test_samples_common_random_numbers_across_categorical_values():
    ds = sweep(GPT4, ["operation.grid=US,DE"], samples=16, seed=3)
    plain = sweep(GPT4, None, samples=16, seed=3)
    # the base scenario's value equals the plain Monte Carlo sweep (same draws)
    np.testing.assert_allclose(ds["gwp"].sel({"operation.grid": "US"}).values, plain["gwp"].values, rtol=1e-12)
    # energy does not depend on the grid: shared paths got the same draws for both grids
    np.testing.assert_array_equal(ds["energy"].values[0], ds["energy"].values[1])


def test_unknown_id_exits_2_naming_the_id_and_the_nearest(capsys):
    rc = main(["sweep", GPT4, "--grid", "accelerator=a100-sxm4-40gb,h100-sxm5-8gb", "--set",
               "embodied.method=parametric", "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "h100-sxm5-8gb" in err and "h100-sxm5-80gb" in err and "--grid" in err


def test_measured_method_without_data_says_to_use_parametric(capsys):
    rc = main(["sweep", GPT4, "--grid", f"accelerator={','.join(CARDS)}", "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and "embodied.method=parametric" in err and "Traceback" not in err


@pytest.fixture()
def sweep_nc(tmp_path, capsys):
    nc = tmp_path / "sweep.nc"
    assert main(["sweep", GPT4, "--grid", "operation.grid=FR,DE,US", "--grid", "workload.mfu=0.3,0.5",
                 "--format", "netcdf", "-o", str(nc), "--no-progress"]) == 0
    capsys.readouterr()
    return nc


def test_export_sweep_json_round_trips(sweep_nc, capsys):
    ref = lca.load_result(sweep_nc)
    assert main(["export", str(sweep_nc), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["dims"] == ["operation.grid", "workload.mfu"]
    assert doc["swept"]["operation.grid"]["values"] == ["FR", "DE", "US"]
    assert doc["swept"]["workload.mfu"]["values"] == [0.3, 0.5]
    np.testing.assert_allclose(doc["impacts"]["gwp"]["values"], ref["gwp"].values, rtol=1e-12)


def test_export_sweep_csv_keeps_the_swept_coordinates(sweep_nc, capsys):
    ref = lca.load_result(sweep_nc)
    assert main(["export", str(sweep_nc), "--format", "csv"]) == 0
    df = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(df["operation.grid"]) == ["FR", "FR", "DE", "DE", "US", "US"]
    assert list(df["workload.mfu"]) == [0.3, 0.5] * 3
    np.testing.assert_allclose(df["gwp"].values, ref["gwp"].values.ravel(), rtol=1e-9)


def test_background_is_a_categorical_dim():
    ds = sweep(GPT4, ["background=ef31-lt-excluded,unece-lt-included"])
    assert list(ds["background"].values) == ["ef31-lt-excluded", "unece-lt-included"]
    assert float(ds["gwp"].sel(background="unece-lt-included")) == pytest.approx(
        _run_total(["background=unece-lt-included"]), rel=1e-9)


def test_export_sensitivity_netcdf_to_json(tmp_path, capsys):
    nc = tmp_path / "sens.nc"
    assert main(["sensitivity", GPT4, "--method", "morris", "-n", "4", "--seed", "1", "--format", "netcdf",
                 "-o", str(nc), "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["export", str(nc), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["method"] == "morris" and "gwp" in doc["outputs"]
    assert main(["export", str(nc), "--format", "csv"]) == 2
    assert "--format csv" in capsys.readouterr().err
