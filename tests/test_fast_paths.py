"""The scipy-free quantiles of a deterministic run, and the on-disk inventory cache."""

import os
import subprocess
import sys

import pytest

from lca.inventory.distributions import Distribution

CASES = [
    Distribution("uniform", {"min": 1.0, "max": 3.0}, "kg"),
    Distribution("triangular", {"min": 1.0, "mode": 1.5, "max": 3.0}, "kg"),
    Distribution("loguniform", {"min": 1e-3, "max": 10.0}, "kg"),
    Distribution("lognormal", {"median": 2.0, "gsd": 1.5}, "kg"),
    Distribution("normal", {"mean": 2.0, "sd": 0.5}, "kg"),
    Distribution("normal", {"mean": 2.0, "sd": 0.5, "min": 1.0}, "kg"),
]


@pytest.mark.parametrize("d", CASES, ids=lambda d: d.kind + ("-truncated" if "min" in d.params and d.kind == "normal" else ""))
@pytest.mark.parametrize("u", [1e-12, 0.05, 0.5, 0.9])
def test_quantile_equals_scipy(d, u):
    assert d.quantile(u) == pytest.approx(float(d.ppf(u).magnitude), rel=1e-9)


def test_central_is_the_median_without_scipy():
    code = ("import sys; from lca.model import prepare; prepare('gpt4-a100'); "
            "print('scipy.stats' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "False"


def _load(env):
    code = ("from lca.inventory import load_inventory; inv = load_inventory(); "
            "print(len(inv.grids), sorted(inv.grids)[:3], repr(inv.grids['US'].vector.values[:3]), len(inv.accelerators), inv.manifest == dict(sorted(inv.manifest.items())) or len(inv.manifest))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout


def test_disk_cache_is_written_reused_and_survives_corruption(tmp_path):
    env = {**os.environ, "LCA_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("LCA_NO_CACHE", None)
    fresh = _load({**env, "LCA_NO_CACHE": "1"})
    assert not (tmp_path / "cache").exists()              # turned off: nothing written
    first = _load(env)
    files = list((tmp_path / "cache").glob("inventory-*.pickle"))
    assert len(files) == 1 and first == fresh
    assert _load(env) == fresh                            # read back: the same inventory
    files[0].write_bytes(b"not a pickle")
    assert _load(env) == fresh                            # a broken entry is parsed again and replaced
    assert files[0].read_bytes() != b"not a pickle"


@pytest.mark.parametrize("scenario", ["gpt4-a100", "bloom-a100", "gpt3-v100", "llama31-405b-h100",
                                      "gpt4-flops-to-footprints"])
def test_array_document_equals_the_dataset_document(scenario):
    """`lca run` builds its document from the model's arrays; the Dataset path gives the same one."""
    import math

    from lca.model.compose import evaluate, prepare, run_arrays
    from lca.outputs.document import run_document
    from lca.outputs.files import to_json_dict

    model = prepare(scenario)
    fast, full = run_document(run_arrays(model)), to_json_dict(evaluate(model))

    def same(a, b, where):
        assert type(a) is type(b) or {type(a), type(b)} <= {int, float}, where
        if isinstance(a, dict):
            assert list(a) == list(b), where
            for k in a:
                same(a[k], b[k], f"{where}.{k}")
        elif isinstance(a, list):
            assert len(a) == len(b), where
            for i, (x, y) in enumerate(zip(a, b)):
                same(x, y, f"{where}[{i}]")
        elif isinstance(a, float):
            assert math.isclose(a, b, rel_tol=1e-12), where
        else:
            assert a == b, where

    same(fast, full, scenario)
    assert fast["impacts"]["gwp"]["total"] > 0 and fast["impacts"]["gwp"]["coverage"] == "full"


def test_deterministic_run_imports_no_xarray_pandas_or_scipy(tmp_path):
    code = ("import sys, io, contextlib; from lca.cli import main\n"
            "for fmt in ('table', 'json'):\n"
            "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "        try: main(['run', 'gpt4-a100', '--format', fmt])\n"
            "        except SystemExit as e: assert not e.code, e.code\n"
            "    assert 'gwp' in out.getvalue()\n"
            "print(sorted(m for m in ('xarray', 'pandas', 'scipy.stats', 'dask.array', 'matplotlib') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert r.stdout.strip() == "[]"


def test_streamed_monte_carlo_imports_no_xarray(tmp_path):
    """Above STREAM_ABOVE_SAMPLES the statistics are streamed from arrays: no Dataset is built."""
    from lca.vocab import STREAM_ABOVE_SAMPLES

    code = ("import sys, io, json, contextlib; from lca.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            f"    assert not main(['run', 'gpt4-a100', '--samples', '{STREAM_ABOVE_SAMPLES + 1}', '--seed', '1', "
            "'--format', 'json'])\n"
            "doc = json.loads(out.getvalue())\n"
            "print(doc['monte_carlo']['mode'], doc['samples'], 'xarray' in sys.modules, 'pandas' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert r.stdout.split() == ["streamed", str(STREAM_ABOVE_SAMPLES + 1), "False", "False"]


@pytest.mark.parametrize("scenario", ["gpt4-a100", "bloom-a100", "gpt3-v100", "llama31-405b-h100",
                                      "gpt4-flops-to-footprints"])
def test_monte_carlo_draws_equal_scipy_ppf_bit_for_bit(scenario):
    """The sampling contract maps uniforms with closed forms; they equal scipy's ppf exactly."""
    import numpy as np

    from lca.scenario import load_scenario
    from lca.scenario.sampling import _ppf

    sc = load_scenario(scenario)
    u = np.random.default_rng(11).random(20_000)
    assert len(sc.uncertain) >= 20
    for path in sc.uncertain:
        prm = sc.params[path]
        assert np.array_equal(_ppf(prm, u), prm.distribution.ppf(u).m_as(prm.unit)), path


def test_monte_carlo_imports_no_scipy_stats(tmp_path):
    code = ("import sys; import lca; ds = lca.run('gpt4-a100', samples=256, seed=1); "
            "print(ds.sizes['sample'], 'scipy.stats' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert r.stdout.split() == ["256", "False"]
