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
