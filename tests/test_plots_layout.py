"""The fast paths of the result charts (issue #11): numpy stage totals equal to the xarray helpers,
plain-text log tick labels, and the fixed layout of the small multiples (nothing clipped, nothing
overlapping), drawn the same way every time."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from lca.inventory.method import CODES, category
from lca.model.result import STAGES, magnitudes, single_score_by_stage, stage_totals, totals
from lca.outputs import plots, report

SCENARIO = "scenarios/gpt4-a100.yaml"


def _mean(da):
    return da.mean("sample", skipna=False) if "sample" in da.dims else da


@pytest.mark.parametrize("which", ["ds", "mc"])
def test_numpy_totals_equal_the_xarray_helpers(which, request):
    data = request.getfixturevalue(which)
    st = magnitudes(stage_totals(data))
    want = np.array([[float(_mean(st[c].sel(stage=s))) for s in STAGES] for c in CODES])
    got = plots._stage_matrix(data)
    assert np.array_equal(np.isnan(got), np.isnan(want)) and np.isnan(got).any()  # n/c stays NaN, never 0
    np.testing.assert_allclose(got, want, rtol=1e-12)
    tot = magnitudes(totals(data))
    np.testing.assert_allclose(plots._category_totals(data), [float(_mean(tot[c])) for c in CODES], rtol=1e-12)
    # the single-score chart: Pt by category and stage, as lca.model.result.single_score_by_stage
    fig = plots.single_score(data)
    bars = [c for c in fig.axes[0].containers if hasattr(c, "patches")]
    labels = [t.get_text().rstrip("*") for t in fig.axes[0].get_yticklabels()]
    ss = _mean(single_score_by_stage(data))
    for j, s in enumerate(STAGES):
        for i, code in enumerate(labels):
            want_pt = float(ss.sel(category=code, stage=s))
            p = bars[j].patches[i]
            if np.isnan(want_pt):
                assert p.get_hatch() == plots.NC_HATCH
            else:
                assert p.get_width() == pytest.approx(want_pt, rel=1e-12)


def test_decade_labels_are_plain_text():
    assert plots._decade_label(1e-3) == "10\u207b\u00b3"
    assert plots._decade_label(1e7) == "10\u2077"
    assert plots._decade_label(1.0) == "10\u2070"
    assert plots._decade_label(1e12) == "10\u00b9\u00b2"
    assert plots._decade_label(2e3) == "" and plots._decade_label(0.0) == "" and plots._decade_label(-10.0) == ""


def _boxes(fig):
    renderer = FigureCanvasAgg(fig).get_renderer() if not isinstance(fig.canvas, FigureCanvasAgg) else \
        fig.canvas.get_renderer()
    fig.draw(renderer)
    return renderer


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 - 0.5 and b.x0 < a.x1 - 0.5 and a.y0 < b.y1 - 0.5 and b.y0 < a.y1 - 0.5


@pytest.mark.parametrize(("scale", "rc"), [("log", {}), ("linear", {}),
                                           ("log", {"ytick.major.pad": 9, "axes.labelpad": 8, "axes.titlepad": 12})])
def test_absolute_layout_fits_and_does_not_overlap(ds, scale, rc):
    import matplotlib

    with matplotlib.rc_context(rc):  # a user's larger pads: the layout reads them
        fig = plots.absolute(ds, scale=scale)
        assert fig.get_layout_engine() is None  # laid out once, when built
        renderer = _boxes(fig)
    page = fig.bbox
    axes = [a for a in fig.axes if a.get_visible()]
    assert len(axes) == len(CODES)
    legend = fig.legends[0].get_window_extent(renderer)
    texts = []  # (panel, kind, bbox)
    for k, ax in enumerate(axes):
        assert ax.get_ylabel() == category(CODES[k]).unit
        texts.append((k, "title", ax.title.get_window_extent(renderer)))
        texts.append((k, "ylabel", ax.yaxis.label.get_window_extent(renderer)))
        lo, hi = sorted(ax.get_ylim())
        for t in ax.yaxis.get_majorticklabels():
            if t.get_text() and lo <= t.get_position()[1] <= hi:
                texts.append((k, "ytick", t.get_window_extent(renderer)))
                if scale == "log":
                    assert "$" not in t.get_text()  # no mathtext to parse
        for t in ax.xaxis.get_majorticklabels():
            texts.append((k, "xtick", t.get_window_extent(renderer)))
    assert sum(kind == "ytick" for _, kind, _ in texts) >= 2 * len(CODES)
    frames = [ax.get_window_extent(renderer) for ax in axes]
    for k, kind, box in texts:
        # inside the page, below the legend
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, (k, kind)
        assert not _overlap(box, legend), (k, kind)
        for j, frame in enumerate(frames):  # no text over a panel (its own ticks and titles sit outside it)
            assert not _overlap(box, frame), (CODES[k], kind, CODES[j])
    for a in range(len(texts)):
        for b in range(a + 1, len(texts)):
            (ka, kinda, ba), (kb, kindb, bb) = texts[a], texts[b]
            if ka == kb and kinda == kindb and kinda in ("xtick", "ytick"):
                continue  # neighbouring tick labels of one axis (checked by matplotlib's own spacing)
            assert not _overlap(ba, bb), (CODES[ka], kinda, CODES[kb], kindb)


def test_report_figures_are_byte_identical_between_runs(ds):
    one = report.figure_html(plots.absolute(ds), "caption", "absolute")
    two = report.figure_html(plots.absolute(ds), "caption", "absolute")
    assert one == two and one.startswith('<figure id="fig-absolute">')
