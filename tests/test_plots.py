"""Charts (lca.plots, `lca plot`): every kind drawn from a shipped scenario, with assertions on the
structure of the figure (bars, categories, labels, units, not-covered marks)."""

import re

import numpy as np
import pytest
import xarray as xr
from matplotlib.collections import QuadMesh
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.image import AxesImage
from matplotlib.text import Text

from lca.api import load_result
from lca.errors import InputError
from lca.inventory.method import CODES, category
from lca.model.result import STAGES, coverage, magnitudes, single_score, stage_totals
from lca.outputs import plots

SCENARIO = "scenarios/gpt4-a100.yaml"


def _nc_pairs(ds):
    """(category, stage) pairs that the result says are not covered."""
    return {(c, s) for c, v in coverage(ds).items() for s in v["missing_stages"]}


def _labels(ticklabels):
    return [t.get_text().rstrip("*") for t in ticklabels]


def _bar_containers(ax):
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def _all_text(fig):
    return [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]


def _check_readable(fig, widths=(plots.COLUMN_WIDTH, plots.FULL_WIDTH)):
    assert fig.get_figwidth() in widths
    small = [(t.get_text(), t.get_fontsize()) for t in _all_text(fig) if t.get_fontsize() < plots.FONT_PT]
    assert not small, f"text below {plots.FONT_PT} pt: {small[:5]}"
    fig.canvas.draw()  # lays out without error


def test_one_colour_blind_safe_palette_for_stages():
    assert tuple(plots.STAGE_COLORS) == STAGES
    assert len(set(plots.STAGE_COLORS.values())) == len(STAGES)
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
    assert set(plots.STAGE_COLORS.values()) <= okabe_ito


def test_stages_chart(ds):
    fig = plots.plot(ds, "stages")
    ax = fig.axes[0]
    bars = _bar_containers(ax)
    assert len(bars) == len(STAGES) and all(len(b.patches) == len(CODES) for b in bars)
    assert _labels(ax.get_yticklabels()) == list(CODES)
    assert "(%)" in ax.get_xlabel()
    nc = _nc_pairs(ds)
    assert nc, "the shipped scenario has not-covered data (ctue, lu use stage)"
    for _j, (stage, cont) in enumerate(zip(STAGES, bars)):
        for i, p in enumerate(cont.patches):
            if (CODES[i], stage) in nc:  # hatched, labelled, never a zero-width bar
                assert p.get_hatch() == plots.NC_HATCH and p.get_width() > 0
            else:
                assert not p.get_hatch()
                assert np.allclose(p.get_facecolor()[:3], _rgb(plots.STAGE_COLORS[stage]))
    # covered shares add up to 100 % per category
    for i in range(len(CODES)):
        covered = sum(c.patches[i].get_width() for c in bars if not c.patches[i].get_hatch())
        assert covered == pytest.approx(100.0)
    assert sum(t.get_text() == plots.NC_LABEL for t in ax.texts) == len({c for c, _ in nc})
    partial = [t.get_text() for t in ax.get_yticklabels() if t.get_text().endswith("*")]
    assert sorted(partial) == sorted(f"{c}*" for c, v in coverage(ds).items() if v["coverage"] == "partial")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [plots.STAGE_LABELS[s] for s in STAGES] + ["not covered (n/c)"]
    _check_readable(fig)


def _rgb(hexcolor):
    from matplotlib.colors import to_rgb

    return to_rgb(hexcolor)


def test_components_chart_reproduces_the_study(ds):
    fig = plots.plot(ds, "components")
    ax = fig.axes[0]
    comps = plots.cradle_to_gate_components(ds)
    assert comps == ["casing", "heatsink", "pcb", "main_dies", "pop", "upstream_transport"]
    bars = _bar_containers(ax)
    assert len(bars) == len(comps) and all(len(b.patches) == len(CODES) for b in bars)
    assert _labels(ax.get_yticklabels()) == list(CODES)
    assert "cradle-to-gate" in ax.get_xlabel() and "(%)" in ax.get_xlabel()
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [c.replace("_", " ") for c in comps]
    dies = bars[comps.index("main_dies")].patches
    # More than Carbon: GPU chip 81.8 % of climate change, 80.0 % of fossil resource use
    assert dies[CODES.index("gwp")].get_width() == pytest.approx(81.8, abs=0.6)
    assert dies[CODES.index("adpf")].get_width() == pytest.approx(80.0, abs=0.6)
    largest = sum(int(np.argmax([b.patches[i].get_width() for b in bars]) == comps.index("main_dies"))
                  for i in range(len(CODES)))
    assert largest == 10  # "largest contributor in 10 of 16 categories"
    _check_readable(fig)


def test_absolute_small_multiples(ds):
    fig = plots.plot(ds, "absolute")
    axes = [a for a in fig.axes if a.get_visible()]
    assert len(axes) == len(CODES)
    st = magnitudes(stage_totals(ds))
    nc = _nc_pairs(ds)
    for code, ax in zip(CODES, axes):
        assert ax.get_title().startswith(code)
        assert ax.get_ylabel() == category(code).unit
        bars = _bar_containers(ax)
        assert len(bars) == 1 and len(bars[0].patches) == len(STAGES)
        assert [t.get_text() for t in ax.get_xticklabels()] == [plots.STAGE_SHORT[s] for s in STAGES]
        for stage, p in zip(STAGES, bars[0].patches):
            if (code, stage) in nc:
                assert p.get_hatch() == plots.NC_HATCH and p.get_height() > 0
            else:
                assert p.get_height() == pytest.approx(float(st[code].sel(stage=stage)))
    _check_readable(fig)


def test_distribution_needs_samples(ds, mc):
    with pytest.raises(InputError, match="--samples N"):
        plots.plot(ds, "distribution")
    fig = plots.plot(mc, "distribution")
    ax, right = fig.axes[0], fig.axes[1]
    assert len(ax.patches) == len(CODES)  # one box per category
    assert _labels(ax.get_yticklabels()) == list(CODES)
    assert "median" in ax.get_xlabel() and "(\u2013)" in ax.get_xlabel()
    for code, t in zip(CODES, right.get_yticklabels()):
        assert t.get_text().endswith(category(code).unit)
    # normalised to the median: every box straddles 1
    for p in ax.patches:
        x = p.get_path().vertices[:, 0]
        assert x.min() <= 1.0 <= x.max()
    assert "64 samples" in fig.get_suptitle()
    _check_readable(fig)


def test_single_score_by_category_and_stage(ds):
    fig = plots.plot(ds, "single-score")
    ax = fig.axes[0]
    bars = _bar_containers(ax)
    assert len(bars) == len(STAGES) and all(len(b.patches) == len(CODES) for b in bars)
    assert sorted(_labels(ax.get_yticklabels())) == sorted(CODES)
    assert "(Pt)" in ax.get_xlabel()
    covered = sum(p.get_width() for b in bars for p in b.patches if not p.get_hatch())
    total, cov = single_score(ds)
    assert covered == pytest.approx(total.m_as("Pt"))
    assert cov == "partial" and "partial" in fig.get_suptitle()
    hatched = sum(bool(p.get_hatch()) for b in bars for p in b.patches)
    assert hatched == len(_nc_pairs(ds))
    widths = [sum(p.get_width() for b in bars for p in [b.patches[i]] if not p.get_hatch()) for i in range(len(CODES))]
    assert widths == sorted(widths, reverse=True)  # largest first
    _check_readable(fig)


# --- sensitivity and sweep charts: synthetic datasets of the documented shapes ------------------
PARAMS = ["workload.mfu", "operation.pue", "lifetime.lifespan", "accelerator.bom.total_mass"]


def _sensitivity(outputs=CODES, params=PARAMS):
    rng = np.random.default_rng(0)
    s1 = rng.dirichlet(np.ones(len(params)), size=len(outputs)) * 0.9
    shape = ("output", "parameter")
    return xr.Dataset({"S1": (shape, s1), "S1_conf": (shape, np.full_like(s1, 0.03)),
                       "ST": (shape, s1 + 0.05), "ST_conf": (shape, np.full_like(s1, 0.04))},
                      coords={"output": list(outputs), "parameter": list(params)},
                      attrs={"method": "sobol", "N": 128, "conf_level": 0.95})


def _check_sobol_bars(axes, sens):
    outs = [o for o in CODES if o in sens["output"].values]
    n_par = sens.sizes["parameter"]
    assert len(axes) == len(outs)
    for out, ax in zip(outs, axes):
        assert ax.get_title().startswith(out)
        bars = _bar_containers(ax)
        assert [b.get_label() for b in bars] == ["S1", "ST"]
        assert all(len(b.patches) == n_par for b in bars)
        errs = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
        assert len(errs) == 2  # confidence intervals on both indices
        st = {p: float(sens["ST"].sel(output=out, parameter=p)) for p in sens["parameter"].values}
        names = plots.short_parameter_names(list(st))
        # y axes are shared: the parameter names are the tick labels of the first panel
        shown = {t.get_text(): b.get_width() for t, b in zip(axes[0].get_yticklabels(), bars[1].patches)}
        for (_p, v), name in zip(st.items(), names):
            assert shown[name] == pytest.approx(v if np.isfinite(v) else 0.0)
    assert "(\u2013)" in axes[-1].get_xlabel()


def test_sobol_bars_and_heatmap():
    sens = _sensitivity()
    fig = plots.plot(sens, "sobol")
    axes = [a for a in fig.axes if a.get_visible() and _bar_containers(a)]
    _check_sobol_bars(axes, sens)
    maps = [a for a in fig.axes if a.images]
    assert len(maps) == 1
    im = maps[0].images[0]
    assert isinstance(im, AxesImage) and im.get_array().shape == (len(PARAMS), len(CODES))
    assert [t.get_text() for t in maps[0].get_xticklabels()] == list(CODES)
    assert sorted(t.get_text() for t in maps[0].get_yticklabels()) == sorted(plots.short_parameter_names(PARAMS))
    cbar = [a for a in fig.axes if "Sobol index ST" in a.get_ylabel()]
    assert cbar and "(\u2013)" in cbar[0].get_ylabel()
    _check_readable(fig)
    one = plots.plot(sens, "sobol-heatmap", index="S1")
    assert one.axes[0].images[0].get_array().shape == (len(PARAMS), len(CODES))
    with pytest.raises(InputError, match="sensitivity dataset"):
        plots.plot(_sweep(), "sobol")


def _sweep():
    mfu = np.linspace(0.2, 0.6, 9)
    life = np.linspace(1, 6, 6)
    lt = 1e4 * 0.34 / mfu[:, None] / life[None, :]
    dims = ("workload.mfu", "lifetime.lifespan")
    return xr.Dataset({"lifetimes_consumed": (dims, lt, {"units": "dimensionless"}),
                       "gwp": (dims, lt * 5 + 1e6, {"units": "kg * CO2_eq"})},
                      coords={"workload.mfu": ("workload.mfu", mfu, {"units": "dimensionless"}),
                              "lifetime.lifespan": ("lifetime.lifespan", life, {"units": "year"})})


def _check_heatmap(fig, nx, ny, xdim, ydim, xunit, yunit, label):
    ax = fig.axes[0]
    mesh = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(mesh) == 1 and mesh[0].get_array().shape == (ny, nx)
    # readable name (unit) on the first line, the parameter path on the second
    assert ax.get_xlabel() == plots.parameter_label(xdim, xunit) and f"({xunit})\n{xdim}" in ax.get_xlabel()
    assert ax.get_ylabel() == plots.parameter_label(ydim, yunit) and f"({yunit})\n{ydim}" in ax.get_ylabel()
    assert len(ax.texts) >= 2 and all(t.get_text() for t in ax.texts)  # contour labels
    assert fig.axes[1].get_ylabel() == label  # colour bar with the output and its unit


def test_heatmap_over_two_swept_parameters():
    sw = _sweep()
    fig = plots.plot(sw, "heatmap")
    _check_heatmap(fig, 9, 6, "workload.mfu", "lifetime.lifespan", "\u2013", "year", "lifetimes consumed (\u2013)")
    _check_readable(fig)
    fig = plots.plot(sw, "heatmap", var="gwp", x="lifetime.lifespan")
    _check_heatmap(fig, 6, 9, "lifetime.lifespan", "workload.mfu", "year", "\u2013", "Climate change (total) (kg CO2 eq)")
    with pytest.raises(InputError, match="exactly two swept parameters"):
        plots.plot(sw.isel({"lifetime.lifespan": 0}), "heatmap")
    with pytest.raises(InputError, match="not in the sweep"):
        plots.plot(sw, "heatmap", var="nope")


def test_sobol_from_shipped_scenario(tmp_path):
    """`lca sensitivity --format netcdf` then `lca plot --kind sobol|sobol-heatmap`."""
    from lca.cli import main
    from lca.scenario import load_scenario

    nc = tmp_path / "sobol.nc"
    assert main(["sensitivity", SCENARIO, "--method", "sobol", "-n", "64", "--seed", "1", "--no-progress",
                 "--format", "netcdf", "-o", str(nc)]) == 0
    sens = load_result(nc)
    assert plots.data_kind(sens) == "sensitivity"
    uncertain = load_scenario(SCENARIO).uncertain
    assert sorted(sens["parameter"].values) == sorted(uncertain)
    fig = plots.plot(sens, "sobol")
    _check_sobol_bars([a for a in fig.axes if a.get_visible() and _bar_containers(a)], sens)
    im = [a for a in fig.axes if a.images][0]
    assert im.images[0].get_array().shape == (len(uncertain), len(CODES))
    assert [t.get_text() for t in im.get_xticklabels()] == list(CODES)  # categories only, not quantities
    assert im.get_yticklabels()[0].get_text() in plots.short_parameter_names(uncertain)
    # climate change on the US grid is driven by the use stage: the grid carbon intensity, the
    # accelerator power and the PUE are the three most influential of the 30 uncertain data (their
    # order is within the sampling noise at N = 64); among the scenario's own inputs the PUE
    # matters more than the MFU and the lifespan
    gwp = sens["ST"].sel(output="gwp")
    top3 = [str(p) for p in gwp.sortby(gwp, ascending=False)["parameter"].values[:3]]
    assert set(top3) == {"operation.grid.gwp", "operation.accelerator_power", "operation.pue"}
    assert gwp.sel(parameter="operation.pue") > gwp.sel(parameter=["workload.mfu", "lifetime.lifespan"]).max()
    assert main(["plot", str(nc), "--kind", "sobol-heatmap", "--index", "S1", "-o", str(tmp_path / "h.svg")]) == 0
    assert main(["plot", str(nc), "--kind", "stages", "-o", str(tmp_path / "x.svg")]) == 2


def test_heatmap_from_shipped_scenario(tmp_path):
    """`lca sweep --format netcdf` over MFU x lifespan, then `lca plot --kind heatmap`."""
    from lca.cli import main

    nc = tmp_path / "sweep.nc"
    assert main(["sweep", SCENARIO, "--grid", "workload.mfu=0.2:0.6:9", "--grid", "lifetime.lifespan=1:6:6",
                 "--no-progress", "--format", "netcdf", "-o", str(nc)]) == 0
    sw = load_result(nc)
    assert plots.data_kind(sw) == "sweep"
    fig = plots.plot(sw, "heatmap")
    _check_heatmap(fig, 9, 6, "workload.mfu", "lifetime.lifespan", "\u2013", "year",
                   "Accelerator lifetimes consumed (\u2013)")
    mesh = [c for c in fig.axes[0].collections if isinstance(c, QuadMesh)][0]
    assert np.allclose(mesh.get_array(), sw["lifetimes_consumed"].transpose("lifetime.lifespan", "workload.mfu").values)
    # lifetimes consumed fall with MFU and with lifespan
    z = sw["lifetimes_consumed"].values
    assert np.all(np.diff(z, axis=0) < 0) and np.all(np.diff(z, axis=1) < 0)
    fig = plots.plot(sw, "heatmap", var="gwp")
    assert fig.axes[1].get_ylabel() == "Climate change (total) (kg CO2 eq)"
    assert main(["plot", str(nc), "--kind", "heatmap", "--var", "lu", "-o", str(tmp_path / "lu.png")]) == 0
    assert main(["plot", str(nc), "--kind", "heatmap", "--x", "operation.pue", "-o", str(tmp_path / "e.png")]) == 2


# --- files and CLI ------------------------------------------------------------------------------
def test_save_formats_and_errors(ds, tmp_path):
    fig = plots.plot(ds, "stages")
    heads = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}
    for fmt, head in heads.items():
        out = plots.save(fig, tmp_path / f"s.{fmt}")
        assert out.read_bytes().startswith(head)
    svg = (tmp_path / "s.svg").read_text()
    assert re.search(r"<text[^>]*>[^<]*share of category total \(%\)", svg)  # text kept as text, editable
    with pytest.raises(InputError, match=r"\.png, \.svg or \.pdf"):
        plots.save(fig, tmp_path / "s.jpg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.pdf", "s.png", "s.svg"]  # no temp files left
    with pytest.raises(InputError, match="expected one of"):
        plots.plot(ds, "pie")


def test_cli_plot_from_netcdf_and_yaml(tmp_path, capsys):
    from lca.cli import main

    nc = tmp_path / "r.nc"
    assert main(["run", SCENARIO, "--format", "netcdf", "-o", str(nc)]) == 0
    assert plots.data_kind(load_result(nc)) == "result"
    assert main(["plot", str(nc), "--kind", "stages", "-o", str(tmp_path / "a.svg")]) == 0
    assert "<svg" in (tmp_path / "a.svg").read_text()
    assert main(["plot", str(nc), "--kind", "distribution", "-o", str(tmp_path / "b.png")]) == 2
    assert "run with --samples N" in capsys.readouterr().err
    assert main(["plot", SCENARIO, "--kind", "sobol", "-o", str(tmp_path / "c.png")]) == 2
    assert "lca sensitivity" in capsys.readouterr().err
    assert main(["plot", SCENARIO, "--kind", "stages", "-o", str(tmp_path / "d.gif")]) == 2
    assert main(["plot", SCENARIO, "--kind", "stages", "--var", "gwp", "-o", str(tmp_path / "e.png")]) == 2
    assert main(["plot", str(tmp_path / "missing.nc"), "--kind", "stages", "-o", str(tmp_path / "f.png")]) == 2
    assert main(["plot", SCENARIO, "--kind", "distribution", "--samples", "20", "--seed", "3",
                 "--width", "column", "-o", str(tmp_path / "g.pdf")]) == 0
    assert (tmp_path / "g.pdf").read_bytes().startswith(b"%PDF")
    sw = tmp_path / "sweep.nc"
    _sweep().to_netcdf(sw)
    assert main(["plot", str(sw), "--kind", "heatmap", "--var", "gwp", "-o", str(tmp_path / "h.png")]) == 0
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


# --- suspect data and robustness in the stages chart -------------------------------------------
def test_stages_chart_marks_suspect_data(ds):
    fig = plots.plot(ds, "stages")
    ax = fig.axes[0]
    marks = [t for t in ax.texts if (t.get_gid() or "").startswith("suspect-")]
    assert {t.get_gid() for t in marks} == {"suspect-wu"}  # wu: end-of-life water use flagged
    assert all(t.get_text() == plots.SUSPECT_MARK and t.get_visible() for t in marks)
    assert marks[0].get_position()[1] == CODES.index("wu")  # on the wu row
    assert plots.suspect_categories(ds) == {"wu": ["end_of_life"]}
    assert "! suspect datum used (see report)" in fig.legends[0].get_title().get_text()
    assert _labels(ax.get_yticklabels()) == list(CODES)  # tick labels stay plain codes
    assert not [t for t in ax.texts if t.get_gid() == "dominance"]  # deterministic: no probabilities
    _check_readable(fig)


def test_stages_chart_monte_carlo_dominance():
    from lca.model import run

    mc = run(SCENARIO, samples=200, seed=1)
    fig = plots.plot(mc, "stages")
    ax = fig.axes[0]
    dom = [t for t in ax.texts if t.get_gid() == "dominance"]
    assert len(dom) == len(CODES)
    by_row = {CODES[int(round(t.get_position()[1]))]: t.get_text() for t in dom}
    m = re.fullmatch(r"(?i)use (\d\.\d\d)", by_row["gwp"])
    assert m and float(m.group(1)) >= 0.99  # electricity: use dominates climate change in ~every draw
    assert by_row["odp"].startswith(plots.STAGE_SHORT["manufacturing"])
    assert plots.dominance(mc)["gwp"][0] == "use" and plots.dominance(mc)["gwp"][1] >= 0.99
    assert "probability" in fig.legends[0].get_title().get_text()
    _check_readable(fig)
