"""Tests for lca.sobol (vectorised Sobol' indices, checked against SALib)."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from SALib.analyze import sobol as salib_sobol
from SALib.sample import sobol as salib_sample
from SALib.test_functions import Ishigami

from lca.analysis.sobol import analyze, warnings_for

ISHIGAMI = {
    "num_vars": 3,
    "names": ["x1", "x2", "x3"],
    "bounds": [[-np.pi, np.pi]] * 3,
}
N_ISHIGAMI = 2**13

# Tolerances copied from SALib's tests/test_regression.py::test_regression_sobol
# (assert_allclose(..., atol=5e-2, rtol=1e-1) against the Ishigami values).
ATOL, RTOL = 5e-2, 1e-1


def _ishigami_analytic(a=7.0, b=0.1):
    pi = np.pi
    V1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    V2 = a**2 / 8
    V13 = 8 * b**2 * pi**8 / 225
    V = V1 + V2 + V13
    S1 = np.array([V1, V2, 0.0]) / V
    ST = np.array([V1 + V13, V2, V13]) / V
    return S1, ST, V13 / V


S1_TRUE, ST_TRUE, S13_TRUE = _ishigami_analytic()


@pytest.fixture(scope="module")
def ishigami_Y():
    X = salib_sample.sample(ISHIGAMI, N_ISHIGAMI, calc_second_order=True, seed=7)
    return Ishigami.evaluate(X)


@pytest.fixture(scope="module")
def ishigami_result(ishigami_Y):
    return analyze(ishigami_Y, 3, calc_second_order=True, seed=11)


def _salib(Y1d, problem, so, seed=3):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return salib_sobol.analyze(
            problem, Y1d, calc_second_order=so, print_to_console=False, seed=seed
        )


def _multi_output(so, N=1024, D=4, seed=5):
    problem = {
        "num_vars": D,
        "names": [f"p{i}" for i in range(D)],
        "bounds": [[0.0, 1.0]] * D,
    }
    X = salib_sample.sample(problem, N, calc_second_order=so, seed=seed)
    Y = np.stack(
        [
            Ishigami.evaluate(X[:, :3] * 2 * np.pi - np.pi),  # ignores p3
            1e3 + X @ np.array([1.0, 2.0, 0.5, 0.1]) + 3 * X[:, 0] * X[:, 2],
            np.exp(2 * X[:, 1]) * (1 + X[:, 3]) ** 2 - 40.0,
        ]
    )
    return problem, Y


def test_ishigami_reference_values(ishigami_result):
    r = ishigami_result
    assert_allclose(r["S1"], [0.3139, 0.4424, 0.0], atol=ATOL, rtol=RTOL)
    assert_allclose(r["ST"], [0.5576, 0.4424, 0.2437], atol=ATOL, rtol=RTOL)
    assert_allclose(r["S2"][0, 2], 0.2437, atol=ATOL, rtol=RTOL)
    assert_allclose([r["S2"][0, 1], r["S2"][1, 2]], [0.0, 0.0], atol=ATOL, rtol=RTOL)
    # analytic values agree with the rounded literature values used above
    assert_allclose(S1_TRUE, [0.3139, 0.4424, 0.0], atol=1e-4)
    assert_allclose(ST_TRUE, [0.5576, 0.4424, 0.2437], atol=1e-4)
    # SALib's NaN layout for S2: diagonal and lower triangle
    for key in ("S2", "S2_conf"):
        assert np.isnan(r[key][np.tril_indices(3)]).all()
        assert np.isfinite(r[key][np.triu_indices(3, 1)]).all()


@pytest.mark.parametrize("so", [False, True])
def test_point_estimates_equal_salib(so):
    problem, Y = _multi_output(so)
    D = problem["num_vars"]
    r = analyze(Y, D, calc_second_order=so, seed=0)
    keys = ["S1", "ST"] + (["S2"] if so else [])
    assert set(r) == set(keys) | {k + "_conf" for k in keys}
    for m in range(Y.shape[0]):
        s = _salib(Y[m], problem, so)
        for k in keys:
            assert r[k][m].shape == np.shape(s[k])
            assert_allclose(r[k][m], s[k], rtol=0, atol=1e-9, equal_nan=True)
    # arbitrary leading dims: same numbers, reshaped
    r4 = analyze(np.stack([Y, Y[::-1]]), D, calc_second_order=so, seed=0)
    assert r4["S1"].shape == (2, 3, D)
    assert_allclose(r4["S1"][0], r["S1"], rtol=0, atol=1e-12)
    assert_allclose(r4["ST"][1], r["ST"][::-1], rtol=0, atol=1e-12)
    # 1-D input gives (D,) arrays
    r1 = analyze(Y[1], D, calc_second_order=so, seed=0)
    assert r1["S1"].shape == (D,)
    assert_allclose(r1["ST"], r["ST"][1], rtol=0, atol=1e-12)


def test_seed_reproducibility():
    problem, Y = _multi_output(False, N=512)
    a = analyze(Y, 4, seed=123)
    b = analyze(Y, 4, seed=123)
    c = analyze(Y, 4, rng=np.random.default_rng(123))
    d = analyze(Y, 4, seed=124)
    for k in ("S1_conf", "ST_conf"):
        assert_array_equal(a[k], b[k])
        assert_array_equal(a[k], c[k])
        assert not np.allclose(a[k], d[k])
    for k in ("S1", "ST"):  # point estimates do not depend on the draws
        assert_array_equal(a[k], d[k])
    with pytest.raises(ValueError):
        analyze(Y, 4, seed=1, rng=np.random.default_rng(1))


def test_confidence_intervals_cover_truth_and_match_salib(ishigami_Y, ishigami_result):
    r = ishigami_result
    assert np.all(np.abs(r["S1"] - S1_TRUE) <= r["S1_conf"])
    assert np.all(np.abs(r["ST"] - ST_TRUE) <= r["ST_conf"])
    assert abs(r["S2"][0, 2] - S13_TRUE) <= r["S2_conf"][0, 2]
    s = _salib(ishigami_Y, ISHIGAMI, True, seed=99)
    iu = np.triu_indices(3, 1)
    pairs = [
        (r["S1_conf"], s["S1_conf"]),
        (r["ST_conf"], s["ST_conf"]),
        (r["S2_conf"][iu], s["S2_conf"][iu]),
    ]
    for ours, theirs in pairs:
        ratio = ours / theirs
        assert np.all((ratio > 0.5) & (ratio < 2.0)), ratio


def test_constant_output_gives_nan_without_error():
    problem, Y = _multi_output(True, N=256)
    Y = np.concatenate([Y, np.full((1, Y.shape[1]), 3.7)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = analyze(Y, 4, calc_second_order=True, seed=0)
    for k, v in r.items():
        assert np.isnan(v[3]).all(), k
    ref = analyze(Y[:3], 4, calc_second_order=True, seed=0)
    for k in ("S1", "ST", "S2"):
        assert_allclose(r[k][:3], ref[k], rtol=0, atol=1e-12, equal_nan=True)
    # fully constant input
    r = analyze(np.zeros(6 * 64), 4, seed=0)
    assert np.isnan(r["S1"]).all() and np.isnan(r["ST_conf"]).all()


@pytest.mark.parametrize("so, per_row", [(False, 6), (True, 10)])
def test_wrong_length_raises(so, per_row):
    with pytest.raises(ValueError, match=rf"expected length is .*N\*{per_row}"):
        analyze(np.ones(per_row * 100 + 1), 4, calc_second_order=so)


def test_no_resamples_and_invalid_arguments():
    _, Y = _multi_output(False, N=128)
    r = analyze(Y, 4, num_resamples=0)
    assert np.isnan(r["S1_conf"]).all() and np.isfinite(r["S1"]).all()
    with pytest.raises(ValueError):
        analyze(Y, 4, num_resamples=1)
    with pytest.raises(ValueError):
        analyze(Y, 4, conf_level=1.0)


def test_warnings_for():
    good = {
        "S1": np.array([0.3, 0.4, 0.0]),
        "S1_conf": np.array([0.02, 0.02, 0.01]),
        "ST": np.array([0.55, 0.44, 0.24]),
        "ST_conf": np.array([0.03, 0.02, 0.02]),
    }
    assert warnings_for(good, 1024) == []

    msgs = warnings_for(good, 1000)
    assert len(msgs) == 1 and "power of two" in msgs[0] and "2**10" in msgs[0]

    wide = dict(good, ST_conf=np.array([0.2, 0.02, 0.02]))
    (msg,) = warnings_for(wide, 1024, conf_threshold=0.1)
    # half-width 0.2 -> 0.1 needs 4x samples: 2**12
    assert "ST_conf" in msg and "raise N, e.g. to 2**12" in msg

    neg = dict(good, S1=np.array([0.3, 0.4, -0.05]))
    (msg,) = warnings_for(neg, 1024)
    assert "negative" in msg and "parameter 2" in msg and "raise N" in msg

    # works on multi-output results from analyze, ignores NaN (constant) rows
    _, Y = _multi_output(True, N=64)
    Y = np.concatenate([Y, np.ones((1, Y.shape[1]))])
    r = analyze(Y, 4, calc_second_order=True, seed=0)
    msgs = warnings_for(r, 64, conf_threshold=0.05)
    assert any("S2_conf" in m for m in msgs)
    assert all("raise N, e.g. to 2**" in m for m in msgs)
