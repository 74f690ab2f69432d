"""Streamed Monte Carlo statistics equal the in-memory ones for the same seed."""

import json
import subprocess
import sys

import numpy as np
import pytest

from lca.model import prepare
from lca.model.compose import monte_carlo
from lca.model.streaming import HISTOGRAM_BINS, summarise
from lca.outputs.files import summary_json_dict, to_json_dict
from lca.vocab import STAGES

N = 140_000  # three sampling blocks, the last one partial


@pytest.fixture(scope="module")
def pair():
    model = prepare("gpt4-a100")
    return summary_json_dict(summarise(model, N, 7)), to_json_dict(monte_carlo(model, N, 7))


def _close(a, b, rtol):
    if a is None or b is None:
        assert a is b
    else:
        assert a == pytest.approx(b, rel=rtol, abs=0)


def test_means_and_robustness_exact(pair):
    s, m = pair
    assert s["samples"] == m["samples"] == N and s["seed"] == m["seed"] == 7
    assert s["monte_carlo"]["mode"] == "streamed" and m["monte_carlo"]["mode"] == "in memory"
    for c, e in m["impacts"].items():
        se = s["impacts"][c]
        _close(se["total"], e["total"], 1e-9)
        for st in STAGES:
            _close(se["stages"][st], e["stages"][st], 1e-9)
        for comp, v in e["components"].items():
            _close(se["components"][comp], v, 1e-9)
        assert se["coverage"] == e["coverage"]
        r, rm = se["robustness"], e["robustness"]
        assert r["samples"] == rm["samples"]
        assert r.get("top3_by_mean") == rm.get("top3_by_mean")
        for k in ("p_top_component", "p_top3_stable", "p_manufacturing_exceeds_use"):
            _close(r.get(k), rm.get(k), 1e-12)
        for st in STAGES:
            _close(r["p_stage_dominates"][st], rm["p_stage_dominates"][st], 1e-12)
    for k, e in m["quantities"].items():
        _close(s["quantities"][k]["mean"], e["mean"], 1e-9)


def test_percentiles_within_a_bin(pair):
    # log-spaced bins: one bin is a relative log(max/min)/HISTOGRAM_BINS; the series here span
    # less than a factor 1e3, so 7/16384 ~ 4e-4 bounds the error (plus the order-statistic gap)
    s, m = pair
    tol = np.log(1e3) / HISTOGRAM_BINS
    for c, e in m["impacts"].items():
        for q in ("p05", "p50", "p95"):
            _close(s["impacts"][c][q], e[q], tol)
            for st in STAGES:
                _close(s["impacts"][c]["stage_stats"][st][q], e["stage_stats"][st][q], tol)
    for q in ("p05", "p50", "p95"):
        _close(s["single_score"][q], m["single_score"][q], tol)


def test_scenario_inputs_only_draws_the_same_subset():
    model = prepare("gpt4-a100")
    s = summary_json_dict(summarise(model, 2000, 3, inputs="scenario"))
    m = to_json_dict(monte_carlo(model, 2000, 3, inputs="scenario"))
    assert s["sampled"] == m["sampled"] and len(s["sampled"]) < len(model.scenario.uncertain)
    _close(s["impacts"]["gwp"]["total"], m["impacts"]["gwp"]["total"], 1e-9)


def test_cli_streams_above_the_threshold_and_refuses_csv_over_budget(tmp_path):
    out = tmp_path / "mc.json"
    r = subprocess.run([sys.executable, "-m", "lca", "run", "gpt4-a100", "--samples", "100001", "--seed", "2",
                        "--format", "json", "-o", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text())
    assert doc["monte_carlo"]["mode"] == "streamed" and doc["samples"] == 100001
    r = subprocess.run([sys.executable, "-m", "lca", "run", "gpt4-a100", "--samples", "2000000", "--format", "csv",
                        "-o", str(tmp_path / "x.csv")], capture_output=True, text=True)
    assert r.returncode == 2 and "memory budget" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "x.csv").exists()


def test_histogram_percentiles_on_known_samples():
    # a positive (log-binned) and a signed (linear-binned) series against numpy.percentile
    from lca.model.streaming import PERCENTILES, _Histograms

    rng = np.random.default_rng(0)
    x = np.stack([rng.lognormal(0.0, 1.0, 200_000), rng.normal(0.0, 1.0, 200_000)])
    lo, hi = x.min(axis=1), x.max(axis=1)
    h = _Histograms(lo, hi)
    for part in np.array_split(x, 3, axis=1):
        h.add(part)
    got, ok = h.percentiles(x.shape[1], np.ones(2, dtype=bool))
    assert ok.all() and h.counts.sum(axis=1).tolist() == [200_000, 200_000]
    exact = np.percentile(x, PERCENTILES, axis=1).T
    assert np.all(np.abs(np.log(got[0] / exact[0])) <= h.width[0])      # one log bin
    assert np.all(np.abs(got[1] - exact[1]) <= h.width[1])               # one linear bin


def test_histogram_range_too_narrow_is_detected():
    from lca.model.streaming import _Histograms

    x = np.linspace(1.0, 100.0, 10_001)[None, :]
    h = _Histograms(np.array([50.0]), np.array([60.0]))   # a range that misses p05 and p95
    h.add(x)
    _, ok = h.percentiles(x.shape[1], np.array([True]))
    assert not ok[0] and h.counts[0, 0] > 0 and h.counts[0, -1] > 0   # underflow and overflow counted


def test_second_pass_when_the_first_blocks_range_misses(monkeypatch):
    # pass 1 bins on the first block's range; shrink it to its middle so p05/p95 fall outside:
    # the second pass (exact extremes) must give the same statistics as the usual single pass
    import lca.model.streaming as streaming

    model = prepare("gpt4-a100")
    one = summarise(model, 70_000, 5)
    calls = []
    real = streaming._Histograms

    def spy(lo, hi, pad=0.0):
        calls.append(pad)
        return real(lo, hi, pad)

    monkeypatch.setattr(streaming, "HISTOGRAM_PAD", -0.45)
    monkeypatch.setattr(streaming, "_Histograms", spy)
    two = streaming.summarise(model, 70_000, 5)
    assert calls == [-0.45, 0.0]                      # the second pass ran
    assert np.array_equal(one.mean, two.mean, equal_nan=True)
    both = np.isfinite(one.percentiles) & np.isfinite(two.percentiles)
    assert both.sum() > 200 and np.array_equal(np.isfinite(one.percentiles), np.isfinite(two.percentiles))
    assert np.allclose(one.percentiles[both], two.percentiles[both], rtol=np.log(1e3) / HISTOGRAM_BINS, atol=0)


def test_top_sets_are_the_first_k_of_a_stable_descending_sort():
    """Ties (zeros, not-covered -inf) are broken by component index, in memory and streamed alike."""
    from lca.model.arrays import set_code, top_sets

    rng = np.random.default_rng(3)
    x = rng.choice([-np.inf, 0.0, 1.0, 2.0, 5.0], size=(4, 7, 500))  # many ties on purpose
    x[..., :50] = rng.lognormal(size=(4, 7, 50))                        # and some without
    codes = top_sets(x, 3)
    assert codes.shape == (4, 500)
    for i in range(4):
        for s in range(500):
            order = np.argsort(-x[i, :, s], kind="stable")
            assert codes[i, s] == set_code(order[:3]), (i, s)
    assert set_code([4, 0, 2]) == 0b10101
    assert (top_sets(x[:, :2], 3) == 0b11).all()  # fewer components than k: all of them


def test_top_ranking_largest_is_the_first_of_equal_maxima():
    from lca.model.arrays import set_code, top_ranking

    rng = np.random.default_rng(4)
    x = rng.choice([-np.inf, 0.0, 1.0, 2.0], size=(3, 6, 400))
    codes, top = top_ranking(x, 3)
    assert codes.dtype == np.int16 and top.dtype == np.int8
    assert np.array_equal(top, np.argmax(x, axis=1))                 # argmax: the first of equal maxima
    for i in range(3):
        for s in range(0, 400, 7):
            assert codes[i, s] == set_code(np.argsort(-x[i, :, s], kind="stable")[:3])


def _reference_block(data, stages):
    """The block statistics written the plain way (masks over the whole block)."""
    from lca.model.arrays import category_totals, stage_totals

    nan = np.isnan(data)
    tot, st = category_totals(data), stage_totals(data, stages)
    filled = np.where(nan, -np.inf, data)
    ok = ~nan.all(axis=1)
    top = np.argmax(filled, axis=1)
    top_n = np.stack([[np.sum((top[i] == j) & ok[i]) for j in range(data.shape[1])] for i in range(data.shape[0])])
    return tot, st, np.where(nan, 0.0, data).sum(axis=-1), (~nan).sum(axis=-1), ok.sum(axis=1), top_n


def test_block_reduction_with_nan_in_some_draws_equals_the_plain_one():
    # not-covered values are usually whole (category, component) rows; here also scattered draws,
    # a stage without data in some draws and a category with no data at all
    from lca.model.streaming import _reduce, _series_keys

    rng = np.random.default_rng(5)
    stages = ["manufacturing", "manufacturing", "transport", "use", "end_of_life"]
    data = rng.lognormal(size=(16, 5, 3000))
    data[0, 1, ::3] = np.nan                 # scattered
    data[1, 2, :] = np.nan                   # a whole row: transport not covered
    data[2, 3, 10:20] = np.nan               # use missing in some draws
    data[3] = np.nan                         # nothing covered
    data[4, :, 5] = np.nan                   # one draw with nothing covered
    data[5, 0, 7] = data[5, 1, 7] = data[5, 3, 7] = 2.0   # a tie for the largest
    q = {}
    tot, st, fin_sum, fin_n, ok_n, top_n = _reference_block(data, stages)
    blk = _reduce(q, [f"c{j}" for j in range(5)], stages, data.copy(), 3)
    assert blk.keys == _series_keys(q) and blk.x is not None
    np.testing.assert_array_equal(blk.x[:16], tot)
    np.testing.assert_array_equal(blk.x[16:80].reshape(16, 4, -1), st)
    np.testing.assert_allclose(blk.comp_fin_sum, fin_sum, rtol=1e-12)
    np.testing.assert_array_equal(blk.comp_fin_n, fin_n)
    assert np.isnan(blk.comp_sum[0, 1]) and np.isnan(blk.comp_sum[3]).all() and np.isfinite(blk.comp_sum[5]).all()
    np.testing.assert_array_equal(blk.ok_n, ok_n)
    np.testing.assert_array_equal(blk.top_n, top_n)
    assert ok_n[3] == 0 and ok_n[4] == 2999 and top_n[5, 0] >= 1
    assert sum(blk.sets.values()) == ok_n.sum()
    # a total with a NaN draw has NaN statistics (as in memory); the skipped NaN of a partial total does not
    assert np.isfinite(blk.x_sum[0]) and np.isnan(blk.x_sum[3]) and np.isnan(blk.x_sum[4])
    assert np.isnan(blk.x_lo[3]) and blk.x_lo[4] == np.nanmin(tot[4]) and blk.x_hi[5] == tot[5].max()


def test_a_failing_first_block_raises_instead_of_hanging(monkeypatch):
    # the later blocks wait for the first block's histogram ranges: its error must release them
    import lca.model.streaming as streaming
    from lca.errors import InputError

    model = prepare("gpt4-a100")
    real = streaming._evaluate_block

    def broken(model, seed, start, stop, sampled):
        if start == 0:
            raise InputError("block 0 overflows")
        return real(model, seed, start, stop, sampled)

    monkeypatch.setattr(streaming, "_evaluate_block", broken)
    with pytest.raises(InputError, match="block 0 overflows"):
        streaming.summarise(model, 4 * 65536, 1)


def test_allocator_tuning_changes_no_number():
    # the command line tunes glibc's malloc for streaming; the statistics must not move
    code = ("import json, sys; from lca.model import prepare; "
            "from lca.analysis.execution import keep_block_memory; from lca.model.streaming import summarise; "
            "from lca.outputs.files import summary_json_dict; "
            "ok = keep_block_memory(); d = summary_json_dict(summarise(prepare('gpt4-a100'), 70_000, 9)); "
            "print(json.dumps({'ok': ok, 'doc': d}))")
    out = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    if sys.platform.startswith("linux"):
        import platform

        assert out["ok"] is (platform.libc_ver()[0] == "glibc")
    here = json.loads(json.dumps(summary_json_dict(summarise(prepare("gpt4-a100"), 70_000, 9))))
    assert out["doc"]["impacts"] == here["impacts"] and out["doc"]["single_score"] == here["single_score"]
