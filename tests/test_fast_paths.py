"""The scipy-free quantiles of a deterministic run, and the on-disk inventory cache."""

import os
import subprocess
import sys

import numpy as np
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


def test_sensitivity_table_and_json_import_no_xarray(tmp_path):
    """lca sensitivity builds its table and json from plain arrays; only netcdf needs a Dataset."""
    code = ("import sys, io, json, contextlib; from lca.cli import main\n"
            "for fmt in ('table', 'json'):\n"
            "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "        assert not main(['sensitivity', 'gpt4-a100', '--method', 'sobol', '-n', '64', '--seed', '1',\n"
            "                         '--second-order', '--no-progress', '--format', fmt])\n"
            "    assert 'operation.pue' in out.getvalue()\n"
            "print(sorted(m for m in ('xarray', 'pandas', 'dask.array', 'matplotlib', 'rich.table') if m in sys.modules))")
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}  # pytest sets 80: the table would not fit
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True, env=env)
    assert r.stdout.strip() == "[]"


def test_sensitivity_result_and_its_dataset_give_the_same_documents():
    from lca.analysis import sensitivity as sens

    res = sens.sensitivity_result("gpt4-a100", "sobol", 64, second_order=True, seed=2, groups=True)
    ds = sens.to_dataset(res)
    assert ds["S2"].dims == ("output", "parameter", "parameter_j") and "members" in ds.coords
    back = sens.result_of(ds)
    assert back.parameters == res.parameters and back.members == res.members and back.attrs == res.attrs
    for k, v in res.data.items():
        np.testing.assert_array_equal(back.data[k], v)
    assert sens.to_json_dict(ds) == sens.to_json_dict(res)
    assert sens.to_json_dict(sens.sensitivity("gpt4-a100", "sobol", 64, second_order=True, seed=2, groups=True)) \
        == sens.to_json_dict(res)


def _both(build):
    """The same table built as lca.cli.common.Table and as rich.table.Table, printed on a plain
    console 100 columns wide."""
    import io

    from rich.table import Table as RichTable

    from lca.cli.common import Table, console

    out = []
    for cls in (Table, RichTable):
        buf = io.StringIO()
        con = console(buf, plain=True)
        con.width = 100
        con.print(build(cls))
        out.append(buf.getvalue())
    return out


def test_table_prints_what_rich_prints():
    rng = np.random.default_rng(0)
    words = ["gwp", "kg CO2 eq", "0.037", "± 0.006", "", "operation.grid.ctuh_c", "m³ world eq", "x y"]
    for _ in range(200):
        ncol = int(rng.integers(1, 6))
        title = None if rng.random() < 0.5 else " ".join(rng.choice(words[:4], int(rng.integers(1, 3))))
        cols = [(str(rng.choice(["output", "unit", "S1", "95% CI"])), str(rng.choice(["left", "right", "center"])))
                for _ in range(ncol)]
        rows = [([str(rng.choice(words)) for _ in range(int(rng.integers(1, ncol + 1)))], bool(rng.random() < 0.3))
                for _ in range(int(rng.integers(1, 7)))]

        def build(cls, title=title, cols=cols, rows=rows):
            t = cls(title=title)
            for h, j in cols:
                t.add_column(h, justify=j)
            for cells, end in rows:
                t.add_row(*cells, end_section=end)
            return t

        ours, theirs = _both(build)
        assert ours == theirs, (title, cols, rows)


def test_table_hands_rich_what_it_would_wrap_or_interpret():
    import lca.cli.common as common

    handed = []
    real = common.Table._rich

    def spy(self):
        handed.append(self.rows[0][0])
        return real(self)

    common.Table._rich = spy
    try:
        for cells in (["[bold]x[/bold]", "1"], ["a :warning: b", "2"], ["w" * 120, "3"]):  # markup, emoji, too wide
            ours, theirs = _both(lambda cls, cells=cells: _rich_copy(cls, cells))
            assert ours == theirs
    finally:
        common.Table._rich = real
    assert len(handed) == 3


def _rich_copy(cls, cells):
    t = cls()
    t.add_column("a")
    t.add_column("b", justify="right")
    t.add_row(*cells)
    return t


def test_sensitivity_table_equals_the_rich_rendering(monkeypatch):
    import io

    import lca.cli.common as common
    from lca.analysis.sensitivity import sensitivity_result
    from lca.cli.analysis import print_sensitivity

    res = sensitivity_result("gpt4-a100", "sobol", 256, second_order=True, seed=4)
    out = []
    for fast in (True, False):
        if not fast:
            monkeypatch.setattr(common.Table, "_plain", lambda self: False)
        buf = io.StringIO()
        print_sensitivity(res, common.console(buf, plain=True))
        out.append(buf.getvalue())
    assert out[0] == out[1] and out[0].count("\n") > 19 * 30


@pytest.mark.parametrize("what", ["grids", "categories", "accelerators", "backgrounds", "hosts", "scenarios"])
def test_list_tables_print_what_rich_prints(what, monkeypatch, capsys):
    import lca.cli.common as common
    from lca.cli import main

    monkeypatch.setenv("COLUMNS", "200")  # wide enough for the direct rendering
    real, used = common.Table._plain, []
    out = []
    for fast in (True, False):
        monkeypatch.setattr(common.Table, "_plain", (lambda self: used.append(real(self)) or used[-1]) if fast
                            else (lambda self: False))
        assert main(["list", what]) == 0
        out.append(capsys.readouterr().out)
    assert used and all(used) and out[0] == out[1]
