"""Morris charts, readable sweep axis labels and wrapped titles (lca.outputs.plots)."""

from __future__ import annotations

import numpy as np
import pytest

import lca
from lca.errors import InputError
from lca.outputs import plots


@pytest.fixture(scope="module")
def morris():
    return lca.sensitivity("gpt4-a100", "morris", 20, seed=1)


def test_morris_chart_draws_one_bar_per_parameter(morris):
    fig = plots.plot(morris, "morris")
    bars = fig.axes[0].patches
    assert len(bars) == morris.sizes["parameter"]
    heights = np.array([b.get_width() for b in bars])  # horizontal bars: the bar length
    assert np.isfinite(heights).all() and heights.max() > 0
    assert "gwp" in fig.axes[0].get_xlabel()
    assert len(fig.axes[1].collections) >= 1  # the mu* vs sigma scatter


def test_morris_chart_other_output_and_bad_var(morris):
    fig = plots.plot(morris, "morris", var="energy")
    assert "energy" in fig.axes[0].get_xlabel()
    with pytest.raises(InputError, match="not an output"):
        plots.plot(morris, "morris", var="nope")


def test_sobol_kind_on_morris_set_points_to_morris(morris):
    for kind in ("sobol", "sobol-bars", "sobol-heatmap"):
        with pytest.raises(InputError, match="--kind morris"):
            plots.plot(morris, kind)


def test_morris_kind_on_a_result_is_an_input_error():
    with pytest.raises(InputError, match="morris"):
        plots.plot(lca.run("gpt4-a100"), "morris")


def test_heatmap_axis_labels_are_readable():
    sw = lca.sweep("gpt4-a100", ["workload.mfu=0.2:0.6:3", "lifetime.lifespan=1:6:3"])
    ax = plots.heatmap(sw, "gwp").axes[0]
    x, y = ax.get_xlabel(), ax.get_ylabel()
    assert "MFU" in x and "year" in y
    assert x != "workload.mfu" and y != "lifetime.lifespan"
    assert "workload.mfu" in x and "lifetime.lifespan" in y  # the path is still findable


def test_parameter_label_grid_factor():
    lab = plots.parameter_label("operation.grid.gwp", "kg CO2 eq/kWh")
    assert lab.startswith("Grid factor gwp (kg CO2 eq/kWh)")
    assert plots.parameter_label("data.main_dies") == "data.main_dies"
    assert plots.short_parameter_names(["operation.grid.gwp", "workload.mfu"]) == ["grid gwp", "mfu"]


def test_long_title_is_wrapped(morris):
    long = morris.copy()
    long.attrs["scenario"] = ("A very long scenario name " * 6)[:150]
    assert len(long.attrs["scenario"]) == 150
    title = plots.plot(long, "morris")._suptitle.get_text()
    assert "\n" in title and title.replace("\n", " ").startswith(long.attrs["scenario"].rstrip())
