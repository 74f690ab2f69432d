"""lca.compare / lca compare: totals side by side, ratios to the first scenario, P(lower) with
common random numbers, shared assumptions, the compare chart."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import lca
from lca.cli import main

REPO = Path(__file__).resolve().parents[1]
H100 = {"scenario": "gpt4-a100", "set": {"accelerator": "h100-sxm5-80gb", "embodied.method": "parametric"},
        "label": "gpt4-h100"}


@pytest.fixture(scope="module")
def pair():
    return lca.compare(["gpt4-a100", H100], samples=2000, seed=1)


@pytest.fixture()
def h100_yaml(tmp_path):
    text = (REPO / "scenarios" / "gpt4-a100.yaml").read_text()
    text = text.replace("accelerator: a100-sxm4-40gb", "accelerator: h100-sxm5-80gb")
    text = text.replace("embodied: {method: measured, dataset: more-than-carbon}", "embodied: {method: parametric}")
    path = tmp_path / "gpt4-h100.yaml"
    path.write_text(text)
    return path


def test_self_comparison_is_exactly_even():
    ds = lca.compare(["gpt4-a100", "gpt4-a100"], samples=500, seed=3)
    assert list(ds.sizes.items()) == [("scenario", 2), ("category", 16)]
    assert len(set(ds["scenario"].values)) == 2
    assert np.all(ds["ratio"].values == 1.0)
    # common random numbers: every draw equal in both, so never lower and no spread in the ratio
    assert np.all(ds["p_lower"].values == 0.0)
    assert np.all(ds["ratio_p05"].values == 1.0) and np.all(ds["ratio_p95"].values == 1.0)
    assert np.all(ds["ratio_mean"].values == 1.0)


def test_ratio_equals_two_runs(pair):
    a = lca.totals(lca.run("gpt4-a100"))
    b = lca.totals(lca.run("gpt4-a100", set=H100["set"]))
    for code in ("gwp", "adpe", "wu"):
        ta, tb = float(a[code].pint.magnitude), float(b[code].pint.magnitude)
        assert float(pair["total"].sel(scenario="gpt4-a100", category=code)) == pytest.approx(ta, rel=1e-12)
        assert float(pair["ratio"].sel(scenario="gpt4-h100", category=code)) == pytest.approx(tb / ta, rel=1e-12)
    assert pair["unit"].sel(category="gwp").item() == "kg CO2 eq"


def test_probabilities_are_reproducible(pair):
    p = pair["p_lower"].sel(scenario="gpt4-h100").values
    assert np.all((p >= 0) & (p <= 1))
    assert pair.attrs["samples"] == 2000 and pair.attrs["seed"] == 1
    again = lca.compare(["gpt4-a100", H100], samples=2000, seed=1)
    for v in ("p_lower", "ratio_mean", "ratio_p05", "ratio_p95"):
        np.testing.assert_array_equal(again[v].values, pair[v].values)
    other = lca.compare(["gpt4-a100", H100], samples=2000, seed=2)
    assert not np.array_equal(other["ratio_mean"].values, pair["ratio_mean"].values)
    assert np.all(pair["ratio_p05"].values <= pair["ratio_p95"].values)


def test_shared_assumptions(pair):
    shared = json.loads(pair.attrs["shared_assumptions"])
    assert "workload.mfu ~ uniform(0.32, 0.36)" in shared
    assert not any(s.startswith(("operation.grid.", "accelerator.bom.", "data.")) for s in shared)
    assert not any(s.startswith("workload.peak_flops") for s in shared)  # differs between the cards


def test_cli_table_json_csv_and_plot(h100_yaml, tmp_path, capsys):
    assert main(["compare", "gpt4-a100", str(h100_yaml)]) == 0
    out = capsys.readouterr().out
    assert "gwp" in out and "kg CO2 eq" in out and "both assume workload.mfu ~ uniform(0.32, 0.36)" in out
    js = tmp_path / "cmp.json"
    svg = tmp_path / "cmp.svg"
    assert main(["compare", "gpt4-a100", str(h100_yaml), "--samples", "200", "--seed", "1", "--format", "json",
                 "-o", str(js), "--plot", str(svg)]) == 0
    doc = json.loads(js.read_text())
    assert doc["reference"] == "gpt4-a100" and doc["samples"] == 200 and doc["seed"] == 1
    cell = doc["categories"]["gwp"][str(h100_yaml)]
    assert doc["categories"]["gwp"]["unit"] == "kg CO2 eq"
    assert 0 <= cell["p_lower"] <= 1 and cell["ratio"] < 1
    assert "workload.mfu ~ uniform(0.32, 0.36)" in doc["shared_assumptions"]
    assert svg.read_text().lstrip().startswith("<?xml") and "P=" in svg.read_text()
    capsys.readouterr()
    assert main(["compare", "gpt4-a100", "gpt4-a100", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("category,unit,scenario,total,ratio") and len(lines) == 1 + 16 * 2


def test_cli_one_scenario_is_an_input_error(capsys):
    assert main(["compare", "gpt4-a100"]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "at least two scenarios" in err and "Traceback" not in err


def test_chart_needs_a_comparison():
    with pytest.raises(lca.InputError, match="comparison dataset"):
        lca.plot(lca.run("gpt4-a100"), "compare")


def test_chart_shows_a_not_covered_ratio_as_nc_not_as_zero():
    """A NaN ratio (a category not covered) must stay visible: no bar of length 0, an n/c label."""
    import numpy as np

    import lca
    from lca.outputs import plots

    ds = lca.compare(["gpt4-a100", "gpt4-a100"])
    ratio = ds["ratio"].values.copy()
    j = [str(c) for c in ds["category"].values].index("ctue")
    ratio[1, j] = np.nan
    ds["ratio"] = (ds["ratio"].dims, ratio)
    fig = plots.compare(ds)
    ax = fig.axes[0]
    widths = [p.get_width() for p in ax.patches]
    assert len(widths) == len(ds["category"]) - 1 and 0.0 not in widths
    assert any(t.get_text() == plots.NC_LABEL for t in ax.texts)
