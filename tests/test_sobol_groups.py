"""Grouped Sobol' indices (SALib's ``groups``): lca.analysis.sobol.sample/analyze against SALib,
analytic values, and ``sensitivity(..., groups=...)`` / ``lca sensitivity --groups``."""

import json
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from SALib.analyze import sobol as salib_sobol
from SALib.sample import sobol as salib_sample
from SALib.test_functions import Ishigami, Sobol_G

from lca.analysis.sobol import analyze, compile_groups, sample
from lca.errors import InputError

# Ishigami with x1 and x3 in one group (their interaction S13 is inside the group).
ISHIGAMI_GROUPS = ["x1+x3", "x2", "x1+x3"]
# Sobol' G function, 6 parameters in 3 interleaved groups (order of first appearance: p, q, r).
G_A = np.array([0.0, 1.0, 4.5, 9.0, 0.5, 99.0])
G_GROUPS = ["p", "q", "p", "r", "q", "r"]
TOL_SALIB = 1e-12


def _problem(D, bounds, groups=None):
    p = {"num_vars": D, "names": [f"x{i + 1}" for i in range(D)], "bounds": [list(b) for b in bounds]}
    if groups is not None:
        p["groups"] = list(groups)
    return p


def _salib(problem, Y, so):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return salib_sobol.analyze(problem, Y, calc_second_order=so, num_resamples=10, seed=3)


def _max_diff(ours, ref, so):
    d = max(np.max(np.abs(ours["S1"] - np.asarray(ref["S1"]))), np.max(np.abs(ours["ST"] - np.asarray(ref["ST"]))))
    if so:
        a, b = ours["S2"], np.asarray(ref["S2"])
        assert_array_equal(np.isnan(a), np.isnan(b))
        d = max(d, np.nanmax(np.abs(a - b)))
    return float(d)


def _g_analytic(a, groups):
    """Closed first-order and total indices of each group of the G function (independent U(0,1))."""
    Vi = 1.0 / (3.0 * (1.0 + a) ** 2)
    V = np.prod(1 + Vi) - 1
    names, member = compile_groups(groups)
    S1 = np.array([np.prod(1 + Vi[member == g]) - 1 for g in range(len(names))]) / V
    ST = np.array([1 - (np.prod(1 + Vi[member != g]) - 1) / V for g in range(len(names))])
    return S1, ST


# -- compile_groups and the design ---------------------------------------------------------------
def test_compile_groups_keeps_order_of_first_appearance():
    names, member = compile_groups(G_GROUPS, 6)
    assert names == ["p", "q", "r"]
    assert_array_equal(member, [0, 1, 0, 2, 1, 2])
    with pytest.raises(ValueError, match="one group name per parameter"):
        compile_groups(["a", "b"], 3)
    with pytest.raises(ValueError, match="sequence"):
        compile_groups("ab")


@pytest.mark.parametrize("so", [False, True])
@pytest.mark.parametrize("D, groups", [(3, ISHIGAMI_GROUPS), (6, G_GROUPS), (4, None), (3, ["a", "b", "c"])])
def test_design_equals_salib(D, groups, so):
    N = 128
    ref = salib_sample.sample(_problem(D, [(0, 1)] * D, groups), N, calc_second_order=so, seed=17)
    ours = sample(D, N, calc_second_order=so, groups=groups, seed=17)
    G = D if groups is None else len(set(groups))
    assert ours.shape == (N * (2 * G + 2 if so else G + 2), D)
    assert_array_equal(ours, ref)  # bit for bit


def test_design_switches_whole_groups():
    X = sample(6, 8, groups=G_GROUPS, seed=1).reshape(8, 5, 6)  # A, AB_p, AB_q, AB_r, B
    A, B = X[:, 0], X[:, -1]
    for k, cols in enumerate(([0, 2], [1, 4], [3, 5])):
        other = [j for j in range(6) if j not in cols]
        assert_array_equal(X[:, 1 + k][:, cols], B[:, cols])
        assert_array_equal(X[:, 1 + k][:, other], A[:, other])


# -- point estimates equal SALib's on the same samples -------------------------------------------
@pytest.mark.parametrize("so", [False, True])
def test_ishigami_grouped_equals_salib(so):
    problem = _problem(3, [(-np.pi, np.pi)] * 3, ISHIGAMI_GROUPS)
    X = salib_sample.sample(problem, 2**12, calc_second_order=so, seed=5)
    Y = Ishigami.evaluate(X)
    ours = analyze(Y, 3, groups=ISHIGAMI_GROUPS, calc_second_order=so, seed=1)
    assert ours["S1"].shape == (2,)
    assert _max_diff(ours, _salib(problem, Y, so), so) < TOL_SALIB
    # analytic: the group {x1, x3} holds V1 + V13, x2 holds V2 (no interaction with the group)
    a, b = 7.0, 0.1
    V1, V2, V13 = 0.5 * (1 + b * np.pi**4 / 5) ** 2, a**2 / 8, 8 * b**2 * np.pi**8 / 225
    V = V1 + V2 + V13
    # measured |error| 3e-4 (S1), 4.5e-4 (ST) at N = 2**12
    assert_allclose(ours["S1"], [(V1 + V13) / V, V2 / V], rtol=0, atol=0.01)
    assert_allclose(ours["ST"], [(V1 + V13) / V, V2 / V], rtol=0, atol=0.01)


@pytest.mark.parametrize("so", [False, True])
def test_g_function_three_groups_equals_salib_multi_output(so):
    problem = _problem(6, [(0, 1)] * 6, G_GROUPS)
    X = salib_sample.sample(problem, 2**12, calc_second_order=so, seed=9)
    Y = np.stack([Sobol_G.evaluate(X, G_A), 2.0 + X @ np.arange(1.0, 7.0), np.exp(X[:, 0] + X[:, 3])])
    ours = analyze(Y, 6, groups=G_GROUPS, calc_second_order=so, seed=1)
    assert ours["ST"].shape == (3, 3)
    if so:
        assert ours["S2"].shape == (3, 3, 3)
    for i in range(3):
        one = {k: v[i] for k, v in ours.items()}
        assert _max_diff(one, _salib(problem, Y[i], so), so) < TOL_SALIB
    S1, ST = _g_analytic(G_A, G_GROUPS)  # measured |error| 1.4e-3 (S1), 2.6e-3 (ST) at N = 2**12
    assert_allclose(ours["S1"][0], S1, rtol=0, atol=0.02)
    assert_allclose(ours["ST"][0], ST, rtol=0, atol=0.02)


def test_groups_none_and_singleton_groups_are_unchanged():
    X = sample(6, 512, seed=2)
    Y = Sobol_G.evaluate(X, G_A)
    plain = analyze(Y, 6, seed=4)
    single = analyze(Y, 6, seed=4, groups=[f"x{i}" for i in range(6)])
    for k in plain:
        assert_array_equal(plain[k], single[k])


def test_grouped_length_check_names_groups():
    Y = np.zeros(11 * 4)  # N*(G+2) for G=2, but 3 groups (needs a multiple of 5) are given
    with pytest.raises(ValueError, match="3 groups"):
        analyze(Y, 6, groups=G_GROUPS)
    with pytest.raises(ValueError, match="6 parameters"):
        analyze(np.zeros(50), 6, groups=["a", "b"])


def test_additive_linear_model_group_share_of_squares():
    """y = sum a_i x_i, x_i ~ U(0,1): S1_g = ST_g = sum_{i in g} a_i^2 / sum_i a_i^2."""
    a = np.array([1.0, 2.0, 0.5, 3.0, 1.5, 0.25])
    groups = ["u", "v", "u", "w", "v", "w"]
    N = 2**14
    X = sample(6, N, groups=groups, seed=123)
    res = analyze(X @ a, 6, groups=groups, seed=1)
    names, member = compile_groups(groups)
    exact = np.array([np.sum(a[member == g] ** 2) for g in range(len(names))]) / np.sum(a**2)
    # measured |error| <= 2e-6 (S1) and 2e-7 (ST) for seeds 0-4 and 123 at N = 2**14 (a scrambled
    # Sobol' design integrates a linear model almost exactly); the tolerance leaves a wide margin
    assert_allclose(res["S1"], exact, rtol=0, atol=1e-3)
    assert_allclose(res["ST"], exact, rtol=0, atol=1e-3)
    assert np.all(res["S1_conf"] < 0.05)


# -- the scenario driver -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gpt4_model():
    from lca.model import prepare

    return prepare("gpt4-a100")


@pytest.fixture(scope="module")
def grouped_gpt4():
    from lca.analysis.sensitivity import sensitivity

    return sensitivity("gpt4-a100", "sobol", 512, seed=1, groups=True)


def test_sensitivity_auto_groups(grouped_gpt4):
    from lca.scenario.schema import group_of

    ds = grouped_gpt4
    groups = json.loads(ds.attrs["groups"])
    names = [str(p) for p in ds["parameter"].values]
    assert names == list(groups)
    assert {"grid data", "workload.mfu", "lifetime.lifespan", "operation.pue"} <= set(names)
    paths = ds.attrs["parameters"].split(",")
    assert sorted(sum(groups.values(), [])) == sorted(paths)
    assert all(group_of(p) == g for g, ms in groups.items() for p in ms)
    assert ds["ST"].dims == ("output", "parameter") and ds["ST"].shape == (19, len(names))
    assert [m.split(",") for m in ds["members"].values] == list(groups.values())
    G = len(names)
    assert ds.attrs["evaluations"] == 512 * (G + 2)
    st = ds["ST"].sel(output="gwp").to_series()
    assert np.all(np.isfinite(st)) and np.all(np.isfinite(ds["S1"].sel(output="gwp")))
    assert st.min() >= 0 and st.max() <= 1.1
    st_all = ds["ST"].values
    assert np.all((st_all[np.isfinite(st_all)] >= 0) & (st_all[np.isfinite(st_all)] <= 1.2))
    assert st["grid data"] > 0.1  # the grid factor sets the use-phase emissions


def test_sensitivity_groups_equal_salib_on_the_same_design(gpt4_model):
    """The driver's grouped point estimates are SALib's on SALib's own grouped design."""
    from SALib.sample import sobol as sampler

    from lca.analysis.sensitivity import _evaluate, _map, _seeds, select_parameters, sensitivity
    from lca.model.kernel import OUTPUTS

    names = select_parameters(gpt4_model.scenario)
    mapping = {p: "grid" for p in names if p.startswith("operation.grid.")}
    mapping.update({"workload.mfu": "compute", "operation.accelerator_power": "compute"})
    ds = sensitivity(gpt4_model, "sobol", 256, seed=3, groups=mapping)
    groups = [mapping.get(p, p) for p in names]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names), "groups": groups}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        U = sampler.sample(problem, 256, calc_second_order=False, seed=_seeds(3)[0])
    Y = _evaluate(gpt4_model, _map(gpt4_model, names, U), U.shape[0])
    assert ds["members"].sel(parameter="compute").item() == "workload.mfu,operation.accelerator_power"
    for o in ("gwp", "energy"):
        ref = _salib(problem, Y[list(OUTPUTS).index(o)], False)
        assert_allclose(ds["S1"].sel(output=o).values, ref["S1"], rtol=0, atol=1e-10)
        assert_allclose(ds["ST"].sel(output=o).values, ref["ST"], rtol=0, atol=1e-10)


def test_sensitivity_group_list_second_order_and_json(gpt4_model):
    from lca.analysis.sensitivity import sensitivity, to_json_dict

    ds = sensitivity(gpt4_model, "sobol", 128, seed=2, params=["workload.mfu", "operation.pue", "lifetime.lifespan"],
                     groups=["use", "use", "life"], second_order=True)
    assert list(ds["parameter"].values) == ["use", "life"]
    assert list(ds["parameter_j"].values) == ["use", "life"]
    assert ds.attrs["evaluations"] == 128 * (2 * 2 + 2)
    doc = to_json_dict(ds)
    assert doc["groups"] == {"use": ["workload.mfu", "operation.pue"], "life": ["lifetime.lifespan"]}
    assert doc["parameters"]["use"]["members"] == ["workload.mfu", "operation.pue"]
    assert set(doc["outputs"]["gwp"]["S2"]) == {"use|life"}


def test_sensitivity_group_errors(gpt4_model):
    from lca.analysis.sensitivity import sensitivity

    with pytest.raises(InputError, match="groups"):
        sensitivity(gpt4_model, "morris", 10, seed=1, groups=True)
    with pytest.raises(InputError, match="groups"):
        sensitivity(gpt4_model, "sobol", 64, seed=1, params=["workload.mfu"], groups=["a", "b"])
    with pytest.raises(InputError, match="groups"):
        sensitivity(gpt4_model, "sobol", 64, seed=1, groups="by-data")
    with pytest.raises(InputError, match="groups"):
        sensitivity(gpt4_model, "sobol", 64, seed=1, params=["workload.mfu"], groups={"workload.mfuu": "x"})


def test_sensitivity_scenario_inputs_only(gpt4_model):
    from lca.analysis.sensitivity import sensitivity

    sc = gpt4_model.scenario
    ds = sensitivity(gpt4_model, "sobol", 64, seed=1, inputs="scenario")
    assert list(ds["parameter"].values) == sc.uncertain_scenario_inputs
    # auto groups on scenario inputs only: every input is its own group
    dg = sensitivity(gpt4_model, "sobol", 64, seed=1, inputs="scenario", groups=True)
    assert list(dg["parameter"].values) == sc.uncertain_scenario_inputs
    assert_allclose(dg["ST"].values, ds["ST"].values, rtol=0, atol=1e-12)
    data_path = next(p for p in sc.uncertain if p not in sc.uncertain_scenario_inputs)
    with pytest.raises(InputError, match="scenario input"):
        sensitivity(gpt4_model, "sobol", 64, seed=1, inputs="scenario", params=[data_path])
    with pytest.raises(InputError, match="inputs"):
        sensitivity(gpt4_model, "sobol", 64, seed=1, inputs="data")


# -- command line and charts ---------------------------------------------------------------------
def test_cli_groups_table_json_netcdf_and_plot(tmp_path, capsys):
    import matplotlib

    matplotlib.use("Agg")
    from lca.cli import main

    assert main(["sensitivity", "gpt4-a100", "-n", "64", "--seed", "1", "--groups", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "grid data = operation.grid.gwp" in out and "group" in out
    assert main(["sensitivity", "gpt4-a100", "-n", "64", "--seed", "1", "--groups", "--format", "json",
                 "-o", str(tmp_path / "s.json"), "--no-progress"]) == 0
    doc = json.loads((tmp_path / "s.json").read_text())
    assert "grid data" in doc["groups"] and "grid data" in doc["outputs"]["gwp"]["ST"]
    nc = tmp_path / "s.nc"
    assert main(["sensitivity", "gpt4-a100", "-n", "64", "--seed", "1", "--groups", "--format", "netcdf",
                 "-o", str(nc), "--no-progress"]) == 0
    png = tmp_path / "s.png"
    assert main(["plot", str(nc), "--kind", "sobol", "-o", str(png)]) == 0
    assert png.stat().st_size > 10_000
    capsys.readouterr()
    assert main(["sensitivity", "gpt4-a100", "-n", "64", "--seed", "1", "--scenario-inputs-only",
                 "--format", "json", "-o", str(tmp_path / "i.json"), "--no-progress"]) == 0
    doc = json.loads((tmp_path / "i.json").read_text())
    assert all(not p.startswith(("operation.grid.", "data.")) for p in doc["parameters"])
    assert main(["sensitivity", "gpt4-a100", "--method", "morris", "--groups", "--no-progress"]) == 2
    assert "groups" in capsys.readouterr().err
