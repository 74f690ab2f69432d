"""The fast Sobol' path (issue #11): the factored design, block-major analysis, the float32
resampled S2 sums, closed-form quantiles and the chunked evaluation of the factored design -- each
checked against the direct computation it replaces."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from SALib.analyze import sobol as salib_sobol
from SALib.sample import sobol as salib_sample
from SALib.test_functions import Ishigami

import lca.analysis.sobol as sobol_mod
from lca.analysis.sobol import analyze, design, sample
from lca.inventory.distributions import Distribution


def _outputs(X):
    """Three outputs of a 4-parameter design on [0, 1]: Ishigami (ignores x4), a linear model with
    one interaction and a large offset, and a strongly non-linear one."""
    return np.stack([
        Ishigami.evaluate(X[:, :3] * 2 * np.pi - np.pi),
        1e3 + X @ np.array([1.0, 2.0, 0.5, 0.1]) + 3 * X[:, 0] * X[:, 2],
        np.exp(2 * X[:, 1]) * (1 + X[:, 3]) ** 2 - 40.0,
    ])


@pytest.mark.parametrize("so", [False, True])
@pytest.mark.parametrize("groups", [None, ["a", "b", "a", "c"]])
def test_design_rows_are_a_or_b_by_block(so, groups):
    A, B, from_b = design(4, 64, calc_second_order=so, groups=groups, seed=5)
    U = sample(4, 64, calc_second_order=so, groups=groups, seed=5)
    S = from_b.shape[0]
    G = 4 if groups is None else 3
    assert S == (2 * G + 2 if so else G + 2)
    assert not from_b[0].any() and from_b[-1].all()  # blocks A ... B
    rows = U.reshape(64, S, 4)
    for t in range(S):
        assert_array_equal(rows[:, t], np.where(from_b[t], B, A))
    # and the whole design is SALib's
    problem = {"num_vars": 4, "names": list("wxyz"), "bounds": [[0.0, 1.0]] * 4}
    if groups is not None:
        problem["groups"] = groups
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_array_equal(U, salib_sample.sample(problem, 64, calc_second_order=so, seed=5))


@pytest.mark.parametrize("so", [False, True])
def test_block_major_equals_row_layout_and_salib(so):
    X = sample(4, 512, calc_second_order=so, seed=2)
    Y = _outputs(X)                                   # (3, N*S), SALib's row order
    S = 10 if so else 6
    Yb = Y.reshape(3, 512, S).transpose(0, 2, 1)     # (3, S, N)
    r = analyze(Y, 4, calc_second_order=so, seed=9)
    rb = analyze(np.ascontiguousarray(Yb), 4, calc_second_order=so, seed=9, block_major=True)
    for k in r:  # the same bootstrap draws: the intervals agree too
        assert_allclose(rb[k], r[k], rtol=0, atol=1e-12, equal_nan=True)
    problem = {"num_vars": 4, "names": list("wxyz"), "bounds": [[0.0, 1.0]] * 4}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for m in range(3):
            ref = salib_sobol.analyze(problem, Y[m], calc_second_order=so, print_to_console=False, seed=1)
            for k in ("S1", "ST") + (("S2",) if so else ()):
                assert_allclose(rb[k][m], ref[k], rtol=0, atol=1e-9, equal_nan=True)
    with pytest.raises(ValueError, match="blocks along its second-last axis"):
        analyze(Yb[:, :-1], 4, calc_second_order=so, block_major=True)


def test_float32_resampled_sums_match_float64(monkeypatch):
    X = sample(4, 1024, calc_second_order=True, seed=4)
    Y = _outputs(X)
    r32 = analyze(Y, 4, calc_second_order=True, seed=3)
    monkeypatch.setattr(sobol_mod, "_BOOT_DTYPE", np.float64)
    r64 = analyze(Y, 4, calc_second_order=True, seed=3)
    for k in ("S1", "ST", "S2", "S1_conf", "ST_conf"):  # float64 throughout
        assert_allclose(r32[k], r64[k], rtol=0, atol=1e-13, equal_nan=True)
    iu = np.triu_indices(4, 1)
    c32, c64 = r32["S2_conf"][:, iu[0], iu[1]], r64["S2_conf"][:, iu[0], iu[1]]
    real = c64 > 1e-3  # pairs with an interval worth the name; the others are ~1e-16
    assert real.sum() >= 8
    assert_allclose(c32[real], c64[real], rtol=1e-5, atol=0)
    assert np.all(np.abs(c32[~real] - c64[~real]) < 1e-6)  # absolute: index units
    assert np.any(c32 != c64)  # the float32 path is the one being compared


def test_constant_and_shifted_outputs():
    """A shift of the output leaves every index unchanged (SALib standardises); constants are NaN."""
    X = sample(4, 256, calc_second_order=True, seed=8)
    y = _outputs(X)[0]
    Y = np.stack([y, y + 1e6, np.full_like(y, 2.5)])
    r = analyze(Y, 4, calc_second_order=True, seed=1)
    for k in ("S1", "ST", "S2", "S1_conf", "ST_conf", "S2_conf"):
        assert_allclose(r[k][1], r[k][0], rtol=1e-6, atol=1e-9, equal_nan=True)
        assert np.isnan(r[k][2]).all()


DISTS = [
    Distribution("uniform", {"min": 1.0, "max": 6.0}),
    Distribution("triangular", {"min": 2e25, "mode": 2.15e25, "max": 2.3e25}),
    Distribution("triangular", {"min": 0.0, "mode": 0.0, "max": 1.0}),
    Distribution("loguniform", {"min": 2.9e-11, "max": 2.6e-9}),
    Distribution("lognormal", {"median": 0.39, "gsd": 1.9}),
    Distribution("normal", {"mean": 3.0, "sd": 0.5}),
    Distribution("normal", {"mean": 3.0, "sd": 0.5, "min": 2.5, "max": 4.0}),
]


@pytest.mark.parametrize("dist", DISTS, ids=lambda d: d.kind)
def test_ppf_magnitude_equals_ppf(dist):
    u = np.clip(np.random.default_rng(0).random(20000), 1e-12, 1 - 1e-12)
    u[:3] = [1e-12, 1 - 1e-12, 0.5]
    assert_allclose(dist.ppf_magnitude(u), dist.ppf(u).m, rtol=1e-15, atol=0)


def test_unit_factor():
    from lca.analysis.sensitivity import _unit_factor

    assert _unit_factor("km", "m") == pytest.approx(1000.0, rel=1e-15)
    assert _unit_factor("kWh", "MJ") == pytest.approx(3.6, rel=1e-15)
    assert _unit_factor("degC", "K") is None  # an offset: converted by pint


@pytest.fixture(scope="module")
def gpt4_model():
    from lca.model import prepare

    return prepare("gpt4-a100")


@pytest.mark.parametrize("so, groups", [(True, None), (False, "auto")])
def test_factored_evaluation_equals_full_design(gpt4_model, so, groups, monkeypatch):
    """Mapping only the base rows and expanding the blocks chunk by chunk gives the outputs of
    mapping and evaluating the full design row by row."""
    import lca.analysis.sensitivity as sens

    names = sens.select_parameters(gpt4_model.scenario)
    member = sens.resolve_groups(groups, names) if groups else None
    monkeypatch.setattr(sens, "_DESIGN_CHUNK", 1000)  # several chunks, a short last one
    A, B, from_b = design(len(names), 64, calc_second_order=so, groups=member, seed=6)
    Yb = sens._evaluate_design(gpt4_model, sens._map(gpt4_model, names, np.concatenate((A, B))), from_b)
    U = sample(len(names), 64, calc_second_order=so, groups=member, seed=6)
    Y = sens._evaluate(gpt4_model, sens._map(gpt4_model, names, U), U.shape[0])
    S = from_b.shape[0]
    assert Yb.shape == (Y.shape[0], S, 64)
    assert_allclose(Yb, Y.reshape(-1, 64, S).transpose(0, 2, 1), rtol=1e-14, atol=0, equal_nan=True)


@pytest.mark.parametrize("d, n, seed, scramble", [
    (2, 8, 1, True), (6, 64, 5, True), (60, 1024, 123456789, True), (80, 1000, 2**31 + 5, True),
    (1, 1, 0, True), (3, 2, 9, True), (60, 4096, 2**63 + 11, True), (5, 100, 3, False),
    (7, 3, np.int64(4), True)])
def test_sobol_points_equal_scipy(d, n, seed, scramble):
    from scipy.stats import qmc

    from lca.analysis.sobol import _sobol_points

    with warnings.catch_warnings(record=True) as ref_w:
        warnings.simplefilter("always")
        ref = qmc.Sobol(d=d, scramble=scramble, seed=seed).random(n)
    with warnings.catch_warnings(record=True) as our_w:
        warnings.simplefilter("always")
        ours = _sobol_points(d, n, scramble=scramble, seed=seed)
    assert_array_equal(ours, ref)
    assert len(our_w) == len(ref_w) == (1 if n & (n - 1) else 0)  # scipy's power-of-two notice


def test_sobol_points_other_seeds_use_scipy():
    from scipy.stats import qmc

    from lca.analysis.sobol import _sobol_points

    ours = _sobol_points(4, 16, seed=np.random.default_rng(3))
    assert_array_equal(ours, qmc.Sobol(d=4, seed=np.random.default_rng(3)).random(16))


def test_sobol_path_does_not_import_scipy_stats():
    """The Sobol' driver needs neither scipy.stats nor SALib (their imports cost ~0.5 s cold)."""
    import subprocess
    import sys

    code = ("import sys\nfrom lca.analysis.sensitivity import sensitivity\n"
            "sensitivity('gpt4-a100', 'sobol', 64, second_order=True, seed=1)\n"
            "print(sorted(m for m in ('scipy.stats', 'SALib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    from lca.analysis.sobol import _direction_table

    # with a scipy release the array generator is not verified against, scipy's own is used
    assert out.stdout.strip() == ("[]" if _direction_table() is not None else "['scipy.stats']")


def test_unverified_scipy_release_uses_scipy_itself(monkeypatch):
    from scipy.stats import qmc

    from lca.analysis import sobol

    monkeypatch.setattr(sobol, "SCIPY_SOBOL_VERIFIED", ((0, 1), (0, 2)))
    assert sobol._direction_table() is None
    assert_array_equal(sobol._sobol_points(5, 32, seed=7), qmc.Sobol(d=5, seed=7).random(32))
