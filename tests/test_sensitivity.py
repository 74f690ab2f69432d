"""lca.analysis.sensitivity and `lca sensitivity`: Sobol indices that follow from the model's form,
reproducibility, agreement with SALib, the other methods, warnings and the CLI."""

import json
import warnings

import numpy as np
import pytest
import xarray as xr
import yaml

from lca.analysis.sensitivity import sensitivity
from lca.cli import main
from lca.errors import InputError
from lca.inventory.files import scenarios_dir
from lca.inventory.method import CODES
from lca.model import prepare
from lca.model.kernel import OUTPUTS

GPT4 = "gpt4-a100"


@pytest.fixture(scope="module")
def gpt4_model():
    return prepare(GPT4)


#: The three scenario inputs whose indices follow analytically from the model's form (the other
#: uncertain data -- training FLOPs, power, grid factors, data.<component> -- are held at their defaults)
FORM_PARAMS = ["workload.mfu", "operation.pue", "lifetime.lifespan"]


@pytest.fixture(scope="module")
def sobol_gpt4(gpt4_model):
    return sensitivity(gpt4_model, "sobol", 4096, params=FORM_PARAMS, seed=7)


def _uniform_inv_moments(a, b):
    """E[1/X] and E[1/X^2] of X ~ U(a, b)."""
    return np.log(b / a) / (b - a), 1.0 / (a * b)


def _product_indices(m1, m2):
    """S1 and ST of Y = U * W (U, W independent) from E[U], E[U^2], E[W], E[W^2]."""
    (eu, eu2), (ew, ew2) = m1, m2
    vu, vw = eu2 - eu**2, ew2 - ew**2
    v = eu2 * ew2 - (eu * ew) ** 2           # Var(UW)
    s1 = np.array([vu * ew**2, eu**2 * vw]) / v
    st = s1 + vu * vw / v                     # + the interaction term Var(U) Var(W)
    return s1, st


def test_dataset_layout(sobol_gpt4):
    ds = sobol_gpt4
    assert list(ds["output"].values) == list(CODES) + ["accelerator_hours", "energy", "lifetimes_consumed"]
    assert list(ds["parameter"].values) == FORM_PARAMS  # the order given
    for v in ("S1", "S1_conf", "ST", "ST_conf"):
        assert ds[v].dims == ("output", "parameter")
    assert ds.attrs["method"] == "sobol" and ds.attrs["N"] == 4096 and ds.attrs["seed"] == 7
    assert ds.attrs["evaluations"] == 4096 * 5
    assert "S2" not in ds


def test_lifetimes_consumed_indices_follow_the_model_form(sobol_gpt4, gpt4_model):
    """lifetimes = c / (mfu x lifespan): a product of independent 1/U(a, b) variables, whose
    variance decomposition is analytic; PUE does not enter it at all."""
    sc = gpt4_model.scenario
    mfu, life = sc.params["workload.mfu"].distribution.params, sc.params["lifetime.lifespan"].distribution.params
    s1, st = _product_indices(_uniform_inv_moments(mfu["min"], mfu["max"]),
                              _uniform_inv_moments(life["min"], life["max"]))
    r = sobol_gpt4.sel(output="lifetimes_consumed")
    got_st = r["ST"].sel(parameter=["workload.mfu", "lifetime.lifespan"]).values
    conf = r["ST_conf"].sel(parameter=["workload.mfu", "lifetime.lifespan"]).values
    assert np.all(np.abs(got_st - st) <= 3 * conf + 0.01), (got_st, st, conf)
    got_s1 = r["S1"].sel(parameter=["workload.mfu", "lifetime.lifespan"]).values
    conf1 = r["S1_conf"].sel(parameter=["workload.mfu", "lifetime.lifespan"]).values
    assert np.all(np.abs(got_s1 - s1) <= 3 * conf1 + 0.01), (got_s1, s1, conf1)
    # both matter; with mfu in 0.32-0.36 and lifespan in 1-6 y, lifespan dominates
    assert st[0] > 0 and got_st[0] > 0
    assert got_st[1] > 0.9 and got_st[1] > 50 * got_st[0]
    # PUE is not in the formula: exactly no effect
    assert r["ST"].sel(parameter="operation.pue").item() == 0.0
    assert r["S1"].sel(parameter="operation.pue").item() == 0.0


def test_energy_and_hours_do_not_depend_on_lifespan(sobol_gpt4):
    for out in ("energy", "accelerator_hours"):
        assert sobol_gpt4["ST"].sel(output=out, parameter="lifetime.lifespan").item() == 0.0
    r = sobol_gpt4.sel(output="accelerator_hours")
    assert r["ST"].sel(parameter="workload.mfu").item() == pytest.approx(1.0, abs=0.05)
    # energy = c x pue / mfu: analytic indices of a product of U(1.1, 1.4) and 1/U(0.32, 0.36)
    pue_m = (1.25, (1.4**3 - 1.1**3) / (3 * 0.3))
    s1, st = _product_indices(pue_m, _uniform_inv_moments(0.32, 0.36))
    e = sobol_gpt4.sel(output="energy")
    got = e["ST"].sel(parameter=["operation.pue", "workload.mfu"]).values
    assert np.all(np.abs(got - st) <= 3 * e["ST_conf"].sel(parameter=["operation.pue", "workload.mfu"]).values + 0.01)


@pytest.fixture(scope="module")
def grid_scenario(tmp_path_factory):
    """gpt4-a100 with an uncertain grid climate-change factor, written as a scenario file."""
    raw = yaml.safe_load((scenarios_dir() / "gpt4-a100.yaml").read_text())
    raw["name"] = "GPT-4, uncertain grid carbon intensity"
    raw["operation"]["grid"] = {"base": "US", "gwp": {"distribution": "uniform", "min": "0.2 kg CO2 eq/kWh",
                                                      "max": "0.6 kg CO2 eq/kWh", "default": "0.4 kg CO2 eq/kWh"}}
    path = tmp_path_factory.mktemp("sc") / "gpt4-grid.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def test_grid_factor_does_not_matter_for_lifetimes(grid_scenario):
    ds = sensitivity(grid_scenario, "sobol", 2048, seed=3)
    assert "operation.grid.gwp" in list(ds["parameter"].values)
    g = ds.sel(parameter="operation.grid.gwp")
    assert g["ST"].sel(output="lifetimes_consumed").item() == pytest.approx(0.0, abs=1e-12)
    assert g["ST"].sel(output="energy").item() == pytest.approx(0.0, abs=1e-12)
    # ... but it drives climate change, and only climate change among the grid factors
    assert g["ST"].sel(output="gwp").item() > 0.3
    assert g["ST"].sel(output="pm").item() == pytest.approx(0.0, abs=1e-12)


def test_same_seed_identical_results(gpt4_model):
    a = sensitivity(gpt4_model, "sobol", 256, second_order=True, seed=11)
    b = sensitivity(gpt4_model, "sobol", 256, second_order=True, seed=11)
    xr.testing.assert_identical(a, b)
    c = sensitivity(gpt4_model, "sobol", 256, second_order=True, seed=12)
    assert not np.allclose(a["S1"].values, c["S1"].values, equal_nan=True)
    m1 = sensitivity(gpt4_model, "morris", 10, seed=5)
    m2 = sensitivity(gpt4_model, "morris", 10, seed=5)
    xr.testing.assert_identical(m1, m2)


def test_point_estimates_equal_salib_on_the_same_samples(gpt4_model):
    """The vectorised estimator on the model outputs equals SALib.analyze.sobol for every output."""
    from SALib.analyze import sobol as salib_sobol
    from SALib.sample import sobol as salib_sample

    from lca.analysis.sensitivity import _evaluate, _map, _seeds

    n, seed = 512, 21
    ds = sensitivity(gpt4_model, "sobol", n, second_order=True, seed=seed)
    names = list(ds["parameter"].values)
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    U = salib_sample.sample(problem, n, calc_second_order=True, seed=_seeds(seed)[0])
    Y = _evaluate(gpt4_model, _map(gpt4_model, names, U), U.shape[0])
    for out in ("gwp", "wu", "energy", "lifetimes_consumed"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = salib_sobol.analyze(problem, Y[OUTPUTS.index(out)], calc_second_order=True, seed=1)
        r = ds.sel(output=out)
        np.testing.assert_allclose(r["S1"].values, ref["S1"], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(r["ST"].values, ref["ST"], rtol=1e-9, atol=1e-12)
        iu = np.triu_indices(len(names), 1)
        np.testing.assert_allclose(r["S2"].values[iu], ref["S2"][iu], rtol=1e-9, atol=1e-12)


def test_param_subset_and_constant_outputs(gpt4_model):
    ds = sensitivity(gpt4_model, "sobol", 256, params=["operation.pue"], seed=1)
    assert list(ds["parameter"].values) == ["operation.pue"]
    # lifetimes and embodied-only categories do not depend on PUE: NaN with a note, no crash
    assert np.isnan(ds["ST"].sel(output="lifetimes_consumed").item())
    assert "lifetimes_consumed" in ds.attrs["notes"] and "constant" in ds.attrs["notes"]
    assert np.isfinite(ds["ST"].sel(output="gwp").item())


def test_param_errors(gpt4_model):
    with pytest.raises(InputError, match="lifetime.lifespan"):
        sensitivity(gpt4_model, params=["lifetime.lifespn"])
    with pytest.raises(InputError, match="fixed"):
        sensitivity(gpt4_model, params=["operation.server_overhead"])
    with pytest.raises(InputError, match="method"):
        sensitivity(gpt4_model, "sobolx")
    with pytest.raises(InputError, match="second_order"):
        sensitivity(gpt4_model, "morris", 10, second_order=True)
    with pytest.raises(InputError, match="4\\*M\\*\\*2"):
        sensitivity(gpt4_model, "fast", 32)


def test_warnings_say_what_to_do(gpt4_model):
    ds = sensitivity(gpt4_model, "sobol", 100, seed=2)
    w = ds.attrs["warnings"]
    assert "not a power of two" in w and "raise N" in w
    assert "exceed" in w  # N = 100 gives wide intervals
    big = sensitivity(gpt4_model, "sobol", 4096, seed=2)
    assert "power of two" not in big.attrs["warnings"]


@pytest.mark.parametrize("method,n,vars_", [
    ("morris", 20, ("mu", "mu_star", "mu_star_conf", "sigma")),
    ("fast", 129, ("S1", "S1_conf", "ST", "ST_conf")),
])
def test_other_methods_rank_lifespan_first_for_lifetimes(gpt4_model, method, n, vars_):
    ds = sensitivity(gpt4_model, method, n, seed=4)
    assert ds.attrs["method"] == method
    for v in vars_:
        assert ds[v].dims == ("output", "parameter")
    key = "mu_star" if method == "morris" else "ST"
    r = ds[key].sel(output="lifetimes_consumed")
    assert str(r.idxmax("parameter").item()) == "lifetime.lifespan"
    assert abs(ds[key].sel(output="lifetimes_consumed", parameter="operation.pue").item()) < 0.05 * r.max().item()


def test_delta_method(gpt4_model):
    ds = sensitivity(gpt4_model, "delta", 300, params=["workload.mfu", "lifetime.lifespan"], seed=4,
                     num_resamples=5)
    for v in ("delta", "delta_conf", "S1", "S1_conf"):
        assert ds[v].dims == ("output", "parameter")
    r = ds["delta"].sel(output="lifetimes_consumed")
    assert r.sel(parameter="lifetime.lifespan") > r.sel(parameter="workload.mfu")


# ---- CLI ----------------------------------------------------------------------------------------
def test_cli_table_prints_s1_st_with_intervals_for_16_categories(capsys):
    rc = main(["sensitivity", "scenarios/gpt4-a100.yaml", "--method", "sobol", "-n", "512", "--second-order",
               "--seed", "1", "--no-progress"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "S1" in out and "ST" in out and "95% CI" in out and "±" in out
    for code in CODES:
        assert f" {code} " in out
    assert "lifetimes_consumed" in out and "second-order" in out


def test_cli_json_and_netcdf(tmp_path, capsys):
    rc = main(["sensitivity", GPT4, "-n", "256", "--seed", "3", "--format", "json", "--no-progress"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and doc["method"] == "sobol" and doc["seed"] == 3
    assert set(doc["outputs"]) == set(OUTPUTS)
    # default: every uncertain datum -- the scenario inputs, the grid factors (ctue has none: not
    # covered), the pedigree multipliers of the component data and the transport distances
    uncertain = prepare(GPT4).scenario.uncertain
    assert set(doc["outputs"]["gwp"]["ST"]) == set(uncertain) == set(doc["parameters"])
    assert len(uncertain) == 30
    assert {"workload.training_flops", "workload.mfu", "operation.accelerator_power", "operation.pue",
            "lifetime.lifespan", "operation.grid.gwp", "operation.grid.epf", "operation.grid.lu", "data.casing",
            "data.main_dies", "data.end_of_life", "data.distribution", "transport.truck"} <= set(uncertain)
    assert "operation.grid.ctue" not in uncertain
    nc = tmp_path / "s.nc"
    rc = main(["sensitivity", GPT4, "-n", "256", "--seed", "3", "--format", "netcdf", "-o", str(nc), "--no-progress"])
    assert rc == 0
    back = xr.load_dataset(nc)
    assert back["ST"].sel(output="gwp", parameter="operation.pue").item() == doc["outputs"]["gwp"]["ST"]["operation.pue"]


def test_cli_set_adds_an_uncertain_parameter(capsys):
    rc = main(["sensitivity", GPT4, "-n", "256", "--seed", "3", "--format", "json", "--no-progress",
               "--set", "operation.grid.gwp={distribution: uniform, min: 0.2, max: 0.6}"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and "operation.grid.gwp" in doc["parameters"]


def test_cli_errors_exit_2_without_traceback(capsys):
    rc = main(["sensitivity", GPT4, "--param", "workload.mfx", "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and "workload.mfu" in err and "Traceback" not in err
    rc = main(["sensitivity", GPT4, "--format", "netcdf", "--no-progress"])
    assert rc == 2 and "-o" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["sensitivity", GPT4, "--method", "sobolx"])
    assert exc.value.code == 2
