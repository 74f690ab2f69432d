"""Charts of results, sensitivity indices and sweeps (matplotlib; every function returns a Figure).

Kinds (``lca plot RESULT --kind KIND -o FILE``):

``stages``        16 categories, 100 % stacked bars by life-cycle stage (``!``: a suspect datum is
                  used; with Monte Carlo samples, the probability that the largest stage dominates)
``components``    cradle-to-gate contribution by component per category (manufacturing components
                  and upstream transport, the More than Carbon figure)
``absolute``      small multiples, one per category, stage values in the category's unit
``distribution``  Monte Carlo spread of each category total, normalised to its median
``sobol``         S1/ST bars with confidence intervals per output, and a parameter x category
                  heatmap of ST (``sobol-bars`` and ``sobol-heatmap`` draw one part each)
``heatmap``       one output over two swept parameters, with labelled contours
``morris``        Morris screening of one output: mu* bars with confidence intervals per
                  parameter, and mu* against sigma
``single-score``  EF 3.1 weighted single score split by category and stage

Conventions: one stage palette (:data:`STAGE_COLORS`, Okabe-Ito, colour-blind safe) in every
chart; units in every axis label; fonts of 7 pt or more; widths of a paper column
(:data:`COLUMN_WIDTH`) or a full page (:data:`FULL_WIDTH`). Data that are not covered (NaN) are
never drawn as zero: they get a hatched placeholder labelled ``n/c``, and categories whose total
is a lower bound (partial coverage) are marked with ``*``.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from lca.errors import InputError
from lca.inventory.method import CODES, category
from lca.model.arrays import RunArrays
from lca.outputs.formatting import NC_LABEL, number, unit_label
from lca.units import ureg
from lca.vocab import KINDS, QUANTITY_UNITS, STAGES  # noqa: E402  (re-exported)

if TYPE_CHECKING:
    import xarray as xr

FORMATS = ("png", "svg", "pdf")

# Okabe & Ito (2008) "Color Universal Design" palette: distinguishable with every common colour
# vision deficiency. One colour per life-cycle stage, used by every chart.
STAGE_COLORS = {
    "manufacturing": "#0072B2",  # blue
    "transport": "#E69F00",      # orange
    "use": "#009E73",            # bluish green
    "end_of_life": "#CC79A7",    # reddish purple
}
STAGE_LABELS = {"manufacturing": "Manufacturing", "transport": "Transport", "use": "Use",
                "end_of_life": "End of life"}
STAGE_SHORT = {"manufacturing": "Mfg", "transport": "Transp.", "use": "Use", "end_of_life": "EoL"}
# Components (not stages) use Paul Tol's "muted" qualitative scheme, also colour-blind safe.
COMPONENT_COLORS = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677",
                    "#882255", "#AA4499", "#DDDDDD")
NC_HATCH = "////"

COLUMN_WIDTH = 3.5  # inch, one column of a two-column paper
FULL_WIDTH = 7.2    # inch, full page width
FONT_PT = 7

_RC = {"font.size": FONT_PT, "axes.titlesize": FONT_PT + 1, "axes.labelsize": FONT_PT,
       "xtick.labelsize": FONT_PT, "ytick.labelsize": FONT_PT, "legend.fontsize": FONT_PT,
       "figure.titlesize": FONT_PT + 2, "axes.linewidth": 0.6, "hatch.linewidth": 0.6}
# read when a figure is saved: editable text in SVG and PDF, reproducible SVG ids
_SAVE_RC = {"svg.fonttype": "none", "pdf.fonttype": 42, "svg.hashsalt": "lca"}


def _figure(width, height) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _styled(func):
    """Run a chart function with the package style (rcParams apply when artists are created)."""
    import functools

    import matplotlib

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(_RC):
            return func(*args, **kwargs)

    return wrapper


def _text_color(face) -> str:
    """Black or white, whichever reads better on ``face``."""
    import colorsys

    from matplotlib.colors import to_rgb

    return "black" if colorsys.rgb_to_hls(*to_rgb(face))[1] > 0.5 else "white"


# ------------------------------------------------------------------------------------------------
# data helpers
# ------------------------------------------------------------------------------------------------
def data_kind(ds: xr.Dataset) -> str:
    """``result`` (lca run), ``sensitivity`` (lca sensitivity) or ``sweep`` (lca sweep)."""
    if isinstance(ds, RunArrays):
        return "result"
    if "S1" in ds.data_vars and "ST" in ds.data_vars:
        return "sensitivity"
    if "mu_star" in ds.data_vars and "parameter" in ds.dims:
        return "morris"
    if "component" in ds.dims and all(c in ds.data_vars for c in CODES):
        return "result"
    if any(v in ds.data_vars for v in (*CODES, "lifetimes_consumed")):
        return "sweep"
    raise InputError("not an lca result, sweep or sensitivity dataset (no category variables, no S1/ST, no mu_star)")


def _require(ds, kind: str, wanted: str):
    got = data_kind(ds)
    if got == wanted and isinstance(ds, RunArrays) and ds.data.shape[-1] > 1:
        raise InputError(f"kind {kind}: charts of Monte Carlo samples take the result Dataset "
                         "(lca.run(scenario, samples=N)); RunArrays are drawn for a deterministic run")
    if got == wanted:
        return
    if got == "morris" and wanted == "sensitivity":
        raise InputError(f"kind {kind} needs Sobol indices (S1/ST), got a Morris sensitivity dataset "
                         "(mu_star, sigma); draw it with --kind morris (lca.plot(ds, 'morris'))")
    how = {
        "result": "`lca run SCENARIO --format netcdf -o result.nc` (or give the scenario YAML)",
        "sensitivity": "`lca sensitivity SCENARIO --method sobol --format netcdf -o sobol.nc`",
        "morris": "`lca sensitivity SCENARIO --method morris --format netcdf -o morris.nc`",
        "sweep": "`lca sweep SCENARIO --grid workload.mfu=0.2:0.6:9 --grid lifetime.lifespan=1:6:6 "
                 "format netcdf -o sweep.nc`",
    }[wanted]
    raise InputError(f"kind {kind} needs a {wanted} dataset, got a {got} dataset; make one with {how}")


def _mean_sample(da: xr.DataArray) -> xr.DataArray:
    return da.mean("sample", skipna=False) if "sample" in da.dims else da


# The result charts read the category variables once as plain float arrays (numpy only): the
# xarray helpers of lca.model.result (stage_totals, totals, single_score_by_stage) give the same
# numbers but cost ~0.1 s a call in a report that draws four charts.
def _category_values(ds, code) -> np.ndarray:
    """Magnitudes of category ``code`` as floats, dims (component[, sample]); ``ds`` a result
    Dataset or the :class:`~lca.model.arrays.RunArrays` of a deterministic run."""
    if isinstance(ds, RunArrays):
        v = np.asarray(ds.data[CODES.index(code)], dtype=float)
        return v[:, 0] if v.shape[-1] == 1 else v
    da = ds[code]
    if "sample" in da.dims:
        da = da.transpose("component", "sample")
    data = da.data
    return np.asarray(getattr(data, "magnitude", data), dtype=float)


def _sum_covered(a: np.ndarray) -> np.ndarray:
    """Sum over axis 0 of the covered entries; NaN where none is covered (never 0)."""
    if a.shape[0] == 0:
        return np.full(a.shape[1:], np.nan)
    return np.where(np.isnan(a).all(axis=0), np.nan, np.nansum(a, axis=0))


def _sampled(ds) -> bool:
    return ds.data.shape[-1] > 1 if isinstance(ds, RunArrays) else "sample" in ds.dims


def _names(ds) -> list[str]:
    """The result's component names, in order."""
    return list(ds.names) if isinstance(ds, RunArrays) else [str(c) for c in ds["component"].values]


def _stages(ds) -> list[str]:
    """The life-cycle stage of each component."""
    return list(ds.stages) if isinstance(ds, RunArrays) else [str(s) for s in ds["stage"].values]


def _sample_mean(a: np.ndarray, ds) -> np.ndarray:
    """Mean over the last axis (the samples) of a sampled result, NaN if any sample is NaN."""
    return a.mean(axis=-1) if _sampled(ds) else a


def _stage_totals(ds) -> np.ndarray:
    """(16, 4[, sample]) sums over the components of each stage (as
    :func:`lca.model.result.stage_totals`), NaN where not covered."""
    stage = np.asarray(_stages(ds)).astype(str)
    out = []
    for c in CODES:
        v = _category_values(ds, c)
        out.append([_sum_covered(v[stage == s]) for s in STAGES])
    return np.array(out, dtype=float)


def _stage_matrix(ds) -> np.ndarray:
    """(16, 4) stage totals (mean over samples), NaN where not covered."""
    return _sample_mean(_stage_totals(ds), ds)


def _category_totals(ds) -> np.ndarray:
    """(16,) category totals (sum of the covered components, mean over samples), NaN where none."""
    return np.array([float(_sample_mean(_sum_covered(_category_values(ds, c)), ds)) for c in CODES])


def _partial(ds) -> dict:
    cov = json.loads(ds.attrs["coverage"])  # as lca.model.result.coverage, for RunArrays too
    return {c: cov[c]["coverage"] for c in CODES}


def _cat_tick(code, cov) -> str:
    return code + ("*" if cov.get(code) == "partial" else "")


def variable_unit(ds: xr.Dataset, name: str) -> str:
    """Display unit of a data variable or coordinate (category unit for a category code)."""
    if name in CODES:
        return category(name).unit
    da = ds[name]
    units = getattr(da.data, "units", None)
    if units is not None:
        return unit_label(f"{units:~}")
    if da.attrs.get("unit_label", "-") not in ("-", ""):  # sweep coordinates: the display unit
        return str(da.attrs["unit_label"])
    if "units" in da.attrs:
        return unit_label(da.attrs["units"])
    return unit_label(QUANTITY_UNITS.get(name))


def _fmt(x) -> str:
    return number(x, sig=3)


def _contour_label(v) -> str:
    return f"{v:,.0f}" if 100 <= abs(v) < 1e5 else f"{v:.3g}"


def _wrap(text, width=26, lines=2) -> str:
    """``text`` on at most ``lines`` lines of ``width`` characters; a longer text ends in an ellipsis
    (labels only: titles use :func:`_wrap_to`, which never clips)."""
    parts = textwrap.wrap(text, width)
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: max(1, width - 1)].rstrip() + "\u2026"
    return "\n".join(parts)


# typesetting, not data: a point is 1/72 inch, and an average character of the sans-serif chart
# font is about 0.55 em wide (measured on DejaVu Sans); titles never get fewer than 20 characters a line
POINTS_PER_INCH = 72
CHAR_WIDTH_EM = 0.55
MIN_TITLE_CHARS = 20


def _wrap_to(text, width_in, fontsize) -> str:
    """``text`` wrapped (never clipped) to a line of ``width_in`` inches at ``fontsize`` points;
    explicit newlines are kept."""
    chars = max(MIN_TITLE_CHARS, int(width_in * POINTS_PER_INCH / (CHAR_WIDTH_EM * fontsize)))
    return "\n".join("\n".join(textwrap.wrap(line, chars)) or line for line in str(text).split("\n"))


def _suptitle(fig, text, fontsize=FONT_PT + 1):
    """Figure title wrapped to the figure width."""
    fig.suptitle(_wrap_to(text, fig.get_figwidth() * 0.95, fontsize), fontsize=fontsize)


def _ax_title(ax, text, fontsize=FONT_PT):
    """Axes title wrapped to the width of the axes' figure."""
    ax.set_title(_wrap_to(text, ax.get_figure().get_figwidth() * 0.8, fontsize), fontsize=fontsize)


# short names of parameters whose schema description is long, or an acronym everyone uses
_PARAMETER_NAMES = {"workload.mfu": "MFU", "operation.pue": "PUE", "operation.wue": "WUE"}


def parameter_label(path, unit=None) -> str:
    """A readable axis label of a scenario parameter path: a short name (from the scenario schema's
    description, text before the first comma, capitalised), the unit in parentheses, and the path
    on a second line, e.g. ``"MFU (–)\nworkload.mfu"``."""
    from lca.scenario.schema import SCALARS

    path = str(path)
    parts = path.split(".")
    if path in _PARAMETER_NAMES:
        name = _PARAMETER_NAMES[path]
    elif path in SCALARS and SCALARS[path][2]:
        desc = SCALARS[path][2].split(",")[0].strip()
        name = desc[:1].upper() + desc[1:]
    elif len(parts) == 3 and parts[:2] == ["operation", "grid"]:
        name = f"Grid factor {parts[2]}"
    else:
        return path + (f" ({unit})" if unit else "")
    return f"{name}" + (f" ({unit})" if unit else "") + f"\n{path}"


def _nc_legend_handle():
    return Patch(facecolor="white", edgecolor="0.3", hatch=NC_HATCH, label=f"not covered ({NC_LABEL})")


def _stage_legend(fig, cov, partial_note, *, loc="outside lower center", ncol=3, notes=()):
    """The stage palette (plus the n/c hatch); notes what ``*`` (partial total) means, and any
    further ``notes`` (one line each) in the legend title."""
    handles = [Patch(color=STAGE_COLORS[s], label=STAGE_LABELS[s]) for s in STAGES] + [_nc_legend_handle()]
    lines = ([f"* partial total: {partial_note}"] if any(v == "partial" for v in cov.values()) else []) + list(notes)
    title = "\n".join(lines) or None
    fig.legend(handles=handles, loc=loc, ncol=ncol, frameon=False, title=title, title_fontsize=FONT_PT)


def _shares(values) -> np.ndarray:
    """Percent of each row's covered total. With credits (negative entries) the shares of a row
    still add up to 100: positives may pass 100 and credits sit left of 0. NaN stays NaN."""
    with np.errstate(invalid="ignore", divide="ignore"):
        net = np.nansum(values, axis=1)
        gross = np.nansum(np.abs(values), axis=1)
        denom = np.where(net > 0, net, gross)
        share = np.where(denom[:, None] > 0, values / denom[:, None] * 100, np.nan)
    return np.where(np.isnan(values), np.nan, share)


# ------------------------------------------------------------------------------------------------
# stacked horizontal bars with visible not-covered placeholders
# ------------------------------------------------------------------------------------------------
def _stacked_barh(ax, values, colors, labels, *, nc_width):
    """Stack the columns of ``values`` (rows x series) as horizontal bars, positives to the right
    of 0 and negatives to the left. A NaN entry is drawn as a hatched placeholder of width
    ``nc_width`` after the end of its bar, in its series colour, and labelled ``n/c``. Returns
    the BarContainers (one per series, one patch per row), the right end of the n/c boxes and the
    left end of the credits, per row."""
    n, k = values.shape
    y = np.arange(n)
    pos = np.zeros(n)
    neg = np.zeros(n)
    vals = np.where(np.isnan(values), 0.0, values)
    end = np.nansum(np.clip(vals, 0, None), axis=1)
    nc_next = np.maximum(end, 0) + nc_width / 4
    containers = []
    for j in range(k):
        v = values[:, j]
        nc = np.isnan(v)
        width = np.where(nc, nc_width, vals[:, j])
        left = np.where(nc, nc_next, np.where(vals[:, j] >= 0, pos, neg))
        bars = ax.barh(y, width, left=left, height=0.8, color=colors[j], label=labels[j],
                       edgecolor="white", linewidth=0.3)
        for i in np.flatnonzero(nc):
            patch = bars.patches[i]
            patch.set_facecolor("white")
            patch.set_edgecolor(colors[j])
            patch.set_hatch(NC_HATCH)
            patch.set_linewidth(0.6)
            patch.set_gid("not-covered")
        nc_next = np.where(nc, nc_next + nc_width, nc_next)
        pos = pos + np.where(~nc & (vals[:, j] >= 0), vals[:, j], 0)
        neg = neg + np.where(~nc & (vals[:, j] < 0), vals[:, j], 0)
        containers.append(bars)
    for i in np.flatnonzero(np.isnan(values).any(axis=1)):
        ax.text(nc_next[i] + nc_width / 8, i, NC_LABEL, va="center", ha="left", fontsize=FONT_PT, color="0.3")
    ax.set_yticks(y)
    ax.invert_yaxis()
    return containers, nc_next, neg


# ------------------------------------------------------------------------------------------------
# charts of a result
# ------------------------------------------------------------------------------------------------
@_styled
def stages(ds: xr.Dataset, *, width: float = COLUMN_WIDTH) -> Figure:
    """100 % stacked bars by life-cycle stage for the 16 categories (shares of the covered total;
    a not-covered stage is a hatched ``n/c`` box after the bar)."""
    _require(ds, "stages", "result")
    st = _stage_matrix(ds)
    cov = _partial(ds)
    share = _shares(st)
    fig = _figure(width, width * 1.2)
    ax = fig.add_subplot()
    _, nc_end, neg_end = _stacked_barh(ax, share, [STAGE_COLORS[s] for s in STAGES], [STAGE_LABELS[s] for s in STAGES],
                              nc_width=10)
    ax.set_yticklabels([_cat_tick(c, cov) for c in CODES])
    for i, c in enumerate(CODES):
        if cov[c] == "none":
            ax.text(50, i, "not covered", ha="center", va="center", fontsize=FONT_PT)
    _share_axis(ax, nc_end, neg_end)
    ax.set_xlabel("share of category total (%)")
    ax.set_ylabel("EF 3.1 impact category")
    notes = []
    if _mark_suspect(ax, suspect_categories(ds)):
        notes.append(f"{SUSPECT_MARK} suspect datum used (see report)")
    if _dominance_column(ax, ds, st):
        notes.append("P: probability that the largest stage (by mean) dominates, over the Monte Carlo samples "
                     "(brown: below 0.90)")
    _stage_legend(fig, cov, "shares of the covered stages", notes=[_wrap(n, 60, 3) for n in notes])
    _suptitle(fig, ds.attrs.get("scenario", ""))
    return fig


SUSPECT_MARK = "!"


def suspect_categories(ds: xr.Dataset) -> dict:
    """{category: [components]} of the categories whose result uses a datum flagged as suspect
    (``suspect_components`` attribute of each category; absent in older files: none)."""
    out = {}
    prov = json.loads(ds.attrs.get("provenance", "{}") or "{}") if isinstance(ds, RunArrays) else None
    for c in CODES:
        if prov is not None:  # what lca.model.compose.to_dataset puts in suspect_components
            names = [sd["component"] for sd in prov.get(c, {}).get("suspect", [])]
        else:
            names = [x for x in str(ds[c].attrs.get("suspect_components", "") or "").split(",") if x]
        if names:
            out[c] = names
    return out


def _mark_suspect(ax, suspect: dict) -> bool:
    """A bold ``!`` right after the tick label of each category with suspect data (a text of its
    own, gid ``suspect``, so the tick labels keep the plain codes). Returns whether any."""
    from matplotlib.transforms import offset_copy

    if not suspect:
        return False
    pad = FONT_PT * 1.1  # room for the mark between the tick label and the axis
    ax.tick_params(axis="y", pad=3.5 + pad)
    trans = offset_copy(ax.get_yaxis_transform(), fig=ax.figure, x=-(3.5 + 1), y=0, units="points")
    for i, c in enumerate(CODES):
        if c in suspect:
            t = ax.text(0, i, SUSPECT_MARK, transform=trans, ha="right", va="center", fontsize=FONT_PT,
                        fontweight="bold", color="#A00000", clip_on=False)
            t.set_gid(f"suspect-{c}")
    return True


def dominance(ds: xr.Dataset, st: np.ndarray | None = None) -> dict:
    """{category: (stage, p)}: the stage with the largest mean and the share of Monte Carlo
    samples in which it is the largest (:func:`lca.model.result.robustness`). Empty without
    at least 2 samples."""
    if not _sampled(ds) or isinstance(ds, RunArrays) or ds.sizes["sample"] < 2:
        return {}
    from lca.model.result import robustness

    st = _stage_matrix(ds) if st is None else st
    rob = robustness(ds)
    out = {}
    for i, c in enumerate(CODES):
        p = rob[c].get("p_stage_dominates")
        if not p or not np.isfinite(st[i]).any():
            continue
        s = STAGES[int(np.nanargmax(np.where(np.isnan(st[i]), -np.inf, st[i])))]
        out[c] = (s, p[s])
    return out


def _dominance_column(ax, ds, st) -> bool:
    """With Monte Carlo samples, a column right of the bars: the largest stage of each category
    and the probability that it dominates (e.g. ``Use 1.00``; texts with gid ``dominance``)."""
    from matplotlib.transforms import offset_copy

    dom = dominance(ds, st)
    if not dom:
        return False
    trans = offset_copy(ax.get_yaxis_transform(), fig=ax.figure, x=3, y=0, units="points")
    for i, c in enumerate(CODES):
        if c in dom:
            s, p = dom[c]
            t = ax.text(1, i, f"{STAGE_SHORT[s]} {p:.2f}", transform=trans, ha="left", va="center",
                        fontsize=FONT_PT, clip_on=False, color="0.15" if p >= 0.9 else "#A05A00")
            t.set_gid("dominance")
    head = ax.text(1, -0.9, "P(largest\ndominates)", transform=trans, ha="left", va="bottom", fontsize=FONT_PT,
                   clip_on=False, color="0.3")
    head.set_gid("dominance-header")
    return True


def _share_axis(ax, nc_end, neg_end):
    from matplotlib.ticker import MultipleLocator

    ax.set_xlim(min(0.0, float(np.min(neg_end)) - 2), max(100.0, float(np.max(nc_end))) + 14)
    ax.xaxis.set_major_locator(MultipleLocator(25))
    ax.axvline(0, color="0.3", linewidth=0.5)
    ax.axvline(100, color="0.5", linewidth=0.5, linestyle=":")


CRADLE_TO_GATE_EXTRA = ("upstream_transport",)


def cradle_to_gate_components(ds: xr.Dataset) -> list[str]:
    """Components of the cradle-to-gate system: the manufacturing stage plus upstream transport."""
    comps = _names(ds)
    stage = dict(zip(comps, _stages(ds)))
    return [c for c in comps if stage[c] == "manufacturing" or c in CRADLE_TO_GATE_EXTRA]


@_styled
def components(ds: xr.Dataset, *, width: float = COLUMN_WIDTH) -> Figure:
    """Cradle-to-gate contribution (%) of each component per category (the study's figure)."""
    _require(ds, "components", "result")
    comps = cradle_to_gate_components(ds)
    index = [_names(ds).index(k) for k in comps]
    vals = np.array([_sample_mean(_category_values(ds, c)[index], ds) for c in CODES], dtype=float)
    share = _shares(vals)
    cov = {c: ("partial" if np.isnan(vals[i]).any() and not np.isnan(vals[i]).all() else
               "none" if np.isnan(vals[i]).all() else "full") for i, c in enumerate(CODES)}
    colors = [COMPONENT_COLORS[i % len(COMPONENT_COLORS)] for i in range(len(comps))]
    labels = [k.replace("_", " ") for k in comps]
    fig = _figure(width, width * 1.2)
    ax = fig.add_subplot()
    containers, nc_end, neg_end = _stacked_barh(ax, share, colors, labels, nc_width=10)
    # label the largest contribution of each category (e.g. main dies 82 % of climate change)
    for i in range(len(CODES)):
        if np.isfinite(share[i]).any():
            j = int(np.nanargmax(share[i]))
            p = containers[j].patches[i]
            if share[i, j] >= 20:
                ax.text(p.get_x() + p.get_width() / 2, i, f"{share[i, j]:.0f}", ha="center", va="center",
                        fontsize=FONT_PT, color=_text_color(colors[j]))
    ax.set_yticklabels([_cat_tick(c, cov) for c in CODES])
    _share_axis(ax, nc_end, neg_end)
    ax.set_xlabel("share of cradle-to-gate total (%)")
    ax.set_ylabel("EF 3.1 impact category")
    handles = [Patch(color=c, label=lab) for c, lab in zip(colors, labels)]
    if np.isnan(share).any():
        handles.append(_nc_legend_handle())
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False)
    _suptitle(fig, f"Cradle-to-gate by component: {ds.attrs.get('accelerator', '')}")
    return fig


# plain-text powers of ten for log axes: 10⁻³ reads as $10^{-3}$ without the mathtext parser
# (parsing the tick labels of 16 log axes was a sixth of the time of drawing the absolute chart)
_SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def _decade_label(value, _pos=None) -> str:
    """``10⁻³`` for 0.001; empty for a value that is not a power of ten."""
    if not value > 0:
        return ""
    e = float(np.log10(value))
    k = round(e)
    return "10" + str(int(k)).translate(_SUPERSCRIPT) if abs(e - k) < 1e-6 else ""


# typesetting of a fixed layout (not data): the gap between panels and around the figure, in
# points, and matplotlib's line spacing of multi-line text (Text(linespacing=1.2), not an rcParam);
# tick lengths and pads, the label pad and the title pad are read from rcParams when laying out
_GAP_PT = 4.0
TEXT_LINE_SPACING = 1.2


def _small_multiples_layout(fig, axes, top_artist=None):
    """Place a grid of panels (``axes``: 2-D array) by measuring the few texts that need room (the
    figure's ``top_artist``, e.g. a legend, each panel's title, y tick labels, y label, and x tick
    labels), so the figure is drawn once when saved, without a layout engine (constrained layout
    laid the 16 panels of :func:`absolute` out twice before drawing: 3 passes over every text)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.font_manager import FontProperties
    from matplotlib.ticker import FuncFormatter

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    dpi = fig.dpi
    W, H = fig.get_figwidth(), fig.get_figheight()
    prop = FontProperties(size=FONT_PT)

    def width_in(text) -> float:
        return renderer.get_text_width_height_descent(text, prop, ismath=False)[0] / dpi if text else 0.0

    import matplotlib

    rc = matplotlib.rcParams
    line_in = FONT_PT * TEXT_LINE_SPACING / POINTS_PER_INCH  # one line of chart text
    pt = 1 / POINTS_PER_INCH
    ytick_pt = rc["ytick.major.size"] + rc["ytick.major.pad"]
    xtick_pt = rc["xtick.major.size"] + rc["xtick.major.pad"]
    label_pt, title_pt = rc["axes.labelpad"], rc["axes.titlepad"]
    gap = _GAP_PT * pt
    nrow, ncol = axes.shape

    def ytick_width(ax) -> float:
        """The widest y tick label the axis will draw at its current size, with tick and pad."""
        lo, hi = sorted(ax.get_ylim())
        locs = ax.yaxis.get_major_locator()()  # as when drawn: ticks for the view and the axis length
        labels = ax.yaxis.get_major_formatter().format_ticks(locs)
        shown = [t for v, t in zip(locs, labels) if lo <= v <= hi]
        return max((width_in(t) for t in shown), default=0.0) + ytick_pt * pt

    top = np.zeros(nrow)     # room above each row: title (and the offset text of a linear axis)
    bottom = np.zeros(nrow)  # room below each row: x tick labels
    for (r, _c), ax in np.ndenumerate(axes):
        title = ax.title.get_text()
        need = (title.count("\n") + 1) * line_in + title_pt * pt if title else 0.0
        if not isinstance(ax.yaxis.get_major_formatter(), FuncFormatter):
            need += line_in  # room for an offset text (e.g. 1e5) above a linear axis
        top[r] = max(top[r], need)
        if any(t.get_text() for t in ax.xaxis.get_ticklabels()):
            bottom[r] = max(bottom[r], line_in + xtick_pt * pt)
    head = top_artist.get_window_extent(renderer).height / dpi + gap if top_artist is not None else 0.0
    panel_h = (H - head - top.sum() - bottom.sum() - gap * (nrow + 1)) / nrow

    def place(left, right=0.0) -> float:
        panel_w = (W - left.sum() - right - gap * (ncol + 1)) / ncol
        y = H - head - gap
        for r in range(nrow):
            y -= top[r] + panel_h
            x = gap
            for c in range(ncol):
                x += left[c]
                axes[r, c].set_position([x / W, y / H, panel_w / W, panel_h / H])
                x += panel_w + gap
            y -= bottom[r] + gap
        return panel_w

    # a title wider than its panel (centred over it) reaches into the gap beside it: at the edges of
    # the figure and between two panels there must be room for what reaches out
    title_w = np.array([[max(map(width_in, ax.title.get_text().split("\n"))) for ax in row] for row in axes])
    labels = np.array([[line_in + label_pt * pt if ax.get_ylabel() else 0.0 for ax in row] for row in axes])
    # the ticks of a linear axis depend on its length: measure at the default size, place, measure
    # again at the placed size (the widths rarely change) and place for good
    left = np.zeros(ncol)  # room left of each column: y tick labels, y label
    right = 0.0
    for _ in range(3):
        widths = np.array([[ytick_width(ax) for ax in row] for row in axes])
        left = np.maximum(left, (widths + labels).max(axis=0))
        panel_w = place(left, right)
        out = np.clip((title_w - panel_w) / 2, 0.0, None).max(axis=0)  # per column, on each side
        left = np.maximum(left, np.concatenate([[out[0]], out[:-1] + out[1:]]))  # and the gap stays free
        right = max(right, float(out[-1]))
        panel_w = place(left, right)
    for ax in axes.flat:
        # where matplotlib would put the y label (left of the tick labels), set once: drawing then
        # skips measuring every tick label again to place it
        ax.yaxis.set_label_coords(-(ytick_width(ax) + label_pt * pt) / panel_w, 0.5)


@_styled
def absolute(ds: xr.Dataset, *, width: float = FULL_WIDTH, scale: str = "log") -> Figure:
    """Small multiples, one per category: impact of each stage in the category's unit.
    ``scale='log'`` (default; linear where a value is <= 0) or ``'linear'``."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    _require(ds, "absolute", "result")
    st = _stage_matrix(ds)
    cov = _partial(ds)
    tot = _category_totals(ds)
    fig = Figure(figsize=(width, width * 1.1))  # laid out by _small_multiples_layout
    axes = fig.subplots(4, 4)
    x = np.arange(len(STAGES))
    for i, (code, ax) in enumerate(zip(CODES, axes.flat)):
        v = st[i]
        ok = np.isfinite(v)
        use_log = scale == "log" and ok.any() and np.all(v[ok] > 0)
        bars = ax.bar(x, np.where(ok, v, 0.0), color=[STAGE_COLORS[s] for s in STAGES], width=0.7)
        if use_log:
            ax.set_yscale("log")
            ax.yaxis.set_major_locator(LogLocator(numticks=5))
            ax.yaxis.set_major_formatter(FuncFormatter(_decade_label))
            ax.yaxis.set_minor_locator(NullLocator())  # minor ticks over many decades: clutter (and slow)
            lo, hi = np.min(v[ok]) / 4, np.max(v[ok]) * 4
        else:
            lo = min(0.0, float(np.min(v[ok]))) if ok.any() else 0.0
            hi = float(np.max(v[ok])) if ok.any() else 1.0
            hi = hi + (hi - lo) / 10 if hi > lo else 1.0
        for j in np.flatnonzero(~ok):  # not covered: a hatched column over the full height
            p = bars.patches[j]
            p.set_y(lo)
            p.set_height(hi - lo)
            p.set_facecolor("white")
            p.set_edgecolor(STAGE_COLORS[STAGES[j]])
            p.set_hatch(NC_HATCH)
            p.set_gid("not-covered")
            ax.text(j, np.sqrt(lo * hi) if use_log else (lo + hi) / 2, NC_LABEL, ha="center", va="center",
                    fontsize=FONT_PT, bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
        ax.set_ylim(lo, hi)
        ax.set_xticks(x, [STAGE_SHORT[s] for s in STAGES])
        cat = category(code)
        ax.set_ylabel(cat.unit)
        total = float(tot[i])
        star = "*" if cov[code] == "partial" else ""
        # a log axis has no offset text to clear: the title sits at the top of the panel (y=1 fixes
        # it there, where matplotlib would measure the axis to find the same place)
        ax.set_title(f"{_wrap(f'{code}{star}: {cat.name}', 24, 3)}\ntotal {_fmt(total)}{star}", fontsize=FONT_PT,
                     y=1.0 if use_log else None)
        ax.tick_params(axis="x", length=0)
        # explicit, so that the number of ticks of a linear axis (which matplotlib derives from the
        # tick label size when drawing, outside this style's rc_context) is the one laid out for
        ax.tick_params(axis="y", labelsize=FONT_PT)
    _stage_legend(fig, cov, "lower bound, some stages not covered", loc="upper center", ncol=5)
    _small_multiples_layout(fig, axes, top_artist=fig.legends[0])
    return fig


@_styled
def distribution(ds: xr.Dataset, *, width: float = FULL_WIDTH) -> Figure:
    """Monte Carlo spread of each category total, as box plots of total / median (box: quartiles,
    whiskers: 5th-95th percentiles); the median with its unit is written on the right."""
    _require(ds, "distribution", "result")
    if "sample" not in ds.dims or ds.sizes["sample"] < 2:
        raise InputError("kind distribution needs Monte Carlo samples: run with --samples N (e.g. --samples 500)")
    cov = _partial(ds)
    data, medians, positions, covered = [], [], [], []
    for i, c in enumerate(CODES):
        v = _sum_covered(_category_values(ds, c))
        v = v[np.isfinite(v)]
        med = float(np.median(v)) if v.size else np.nan
        medians.append(med)
        if v.size and med != 0:
            data.append(v / med)
            positions.append(i)
            covered.append(c)
    fig = _figure(width, width * 0.6)
    ax = fig.add_subplot()
    bp = ax.boxplot(data, positions=positions, orientation="horizontal", whis=(5, 95), widths=0.6,
                    patch_artist=True, showfliers=False, medianprops={"color": "black", "linewidth": 1})
    for box in bp["boxes"]:
        box.set_facecolor("#56B4E9")
        box.set_edgecolor("0.2")
        box.set_linewidth(0.6)
    ax.set_yticks(range(len(CODES)), [_cat_tick(c, cov) for c in CODES])
    ax.set_ylim(len(CODES) - 0.5, -0.5)
    ax.axvline(1.0, color="0.5", linewidth=0.5, linestyle=":")
    for i, c in enumerate(CODES):
        if c not in covered:
            ax.text(1.0, i, NC_LABEL, ha="center", va="center", fontsize=FONT_PT)
    right = ax.twinx()
    right.set_ylim(ax.get_ylim())
    right.set_yticks(range(len(CODES)), [f"median {_fmt(m)} {category(c).unit}" for c, m in zip(CODES, medians)])
    ax.set_xlabel("category total / its median (\u2013)")
    ax.set_ylabel("EF 3.1 impact category")
    n = ds.sizes["sample"]
    _suptitle(fig, f"Monte Carlo, {n} samples (seed {ds.attrs.get('seed', 'n/a')}): box 25-75 %, whiskers 5-95 %")
    return fig


@_styled
def single_score(ds: xr.Dataset, *, width: float = COLUMN_WIDTH) -> Figure:
    """EF 3.1 weighted single score (Pt) stacked by stage, one bar per category (largest first)."""
    _require(ds, "single-score", "result")
    factors = np.array([category(c).single_score_factor.m_as(ureg.Pt / category(c).units) for c in CODES])
    st = _stage_totals(ds)  # as lca.model.result.single_score_by_stage: Pt of each sample, then the mean
    vals = _sample_mean(st * factors.reshape((-1,) + (1,) * (st.ndim - 1)), ds)
    cov = _partial(ds)
    order = np.argsort(-np.nansum(vals, axis=1), kind="stable")
    vals = vals[order]
    codes = [CODES[i] for i in order]
    total = float(np.nansum(vals))
    nc_w = max(float(np.nanmax(np.nansum(np.clip(vals, 0, None), axis=1))), np.finfo(float).tiny) / 12
    fig = _figure(width, width * 1.2)
    ax = fig.add_subplot()
    _, nc_end, neg_end = _stacked_barh(ax, vals, [STAGE_COLORS[s] for s in STAGES],
                                       [STAGE_LABELS[s] for s in STAGES], nc_width=nc_w)
    ax.set_yticklabels([_cat_tick(c, cov) for c in codes])
    ax.set_xlim(min(0.0, float(np.min(neg_end)) * 1.1), float(np.max(nc_end)) + nc_w * 1.5)
    ax.set_xlabel("EF 3.1 weighted single score (Pt)")
    ax.set_ylabel("EF 3.1 impact category")
    partial = any(v != "full" for v in cov.values())
    _stage_legend(fig, cov, "n/c stages left out")
    _suptitle(fig, f"Single score {_fmt(total)} Pt" + (" (partial: n/c stages left out)" if partial else ""))
    return fig


# ------------------------------------------------------------------------------------------------
# sensitivity (dims output x parameter; S1, S1_conf, ST, ST_conf)
# ------------------------------------------------------------------------------------------------
def _sobol_order(ds, outputs=None):
    """Outputs (the categories, in contract order, unless ``outputs`` is given) and parameters
    (by their largest ST, most influential first)."""
    have = [str(o) for o in ds["output"].values]
    if outputs is None:
        outs = [o for o in CODES if o in have] or have
    else:
        outs = [outputs] if isinstance(outputs, str) else list(outputs)
        bad = [o for o in outs if o not in have]
        if bad:
            raise InputError(f"output {bad[0]!r} is not in the sensitivity result; available: {', '.join(have)}")
    params = [str(p) for p in ds["parameter"].values]
    st = ds["ST"].sel(output=outs).transpose("parameter", "output").values
    with np.errstate(all="ignore"):
        key = np.where(np.isfinite(st), st, -1).max(axis=1)
    params = [params[i] for i in np.argsort(-key, kind="stable")]
    return outs, params


def short_parameter_names(paths) -> list[str]:
    """Last part of each dotted path, or the last two where the last part is not unique; a grid
    factor ``operation.grid.gwp`` is ``grid gwp`` (not to be read as the output ``gwp``)."""
    paths = [str(p) for p in paths]
    last = [p.split(".")[-1] for p in paths]
    return [f"grid {lab}" if p.startswith("operation.grid.") and p.count(".") == 2
            else lab if last.count(lab) == 1 else ".".join(p.split(".")[-2:]) for p, lab in zip(paths, last)]


def _sobol_bars_into(fig_or_sub, ds, outs, params):
    ncol = 4
    nrow = int(np.ceil(len(outs) / ncol))
    axes = np.atleast_1d(fig_or_sub.subplots(nrow, ncol, sharey=True, sharex=True)).ravel()
    y = np.arange(len(params))
    names = short_parameter_names(params)
    for ax, out in zip(axes, outs):
        sub = ds.sel(output=out, parameter=params)
        for idx, off, color, _hatch in (("S1", -0.2, "#0072B2", None), ("ST", 0.2, "#D55E00", None)):
            v = np.asarray(sub[idx].values, dtype=float)
            err = np.asarray(sub[f"{idx}_conf"].values, dtype=float) if f"{idx}_conf" in sub else None
            ax.barh(y + off, np.where(np.isfinite(v), v, 0.0), height=0.4, color=color, label=idx,
                    xerr=err, error_kw={"elinewidth": 0.6, "capsize": 1.2, "ecolor": "0.2"})
            for i in np.flatnonzero(~np.isfinite(v)):
                ax.text(0, i + off, " " + NC_LABEL, va="center", fontsize=FONT_PT)
        ax.set_title(_wrap(f"{out} ({_output_unit(ds, out)})", 30, 3), fontsize=FONT_PT)
        ax.set_yticks(y, names)
        ax.set_xlim(0, 1.1)
        ax.axvline(0, color="0.3", linewidth=0.5)
        ax.grid(axis="x", linewidth=0.3, color="0.9")
    axes[0].invert_yaxis()
    for ax in axes[len(outs):]:
        ax.set_visible(False)
    for ax in axes[(nrow - 1) * ncol:]:
        ax.set_xlabel("Sobol index (\u2013)")
    return axes


def _output_unit(ds, out) -> str:
    if out in CODES:
        return category(out).unit
    if "output_unit" in ds.coords:
        return unit_label(str(ds["output_unit"].sel(output=out).values).strip("-") or None)
    return unit_label(None)


def _sobol_heatmap_into(ax, ds, outs, params, index="ST"):
    mat = ds[index].sel(output=outs, parameter=params).transpose("parameter", "output").values.astype(float)
    im = ax.imshow(np.clip(mat, 0, 1), cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(outs)), outs, rotation=90)
    ax.set_yticks(range(len(params)), short_parameter_names(params))
    ax.set_xlabel("output (EF 3.1 impact category)" if set(outs) <= set(CODES) else "output")
    ax.set_ylabel("parameter")
    for (i, j), v in np.ndenumerate(mat):
        if not np.isfinite(v):
            ax.text(j, i, NC_LABEL, ha="center", va="center", fontsize=FONT_PT, color="0.5")
        elif v >= 0.1:
            txt = f"{v:.2f}"
            ax.text(j, i, txt[1:] if txt.startswith("0.") else txt, ha="center", va="center",
                    fontsize=FONT_PT, color="black" if v > 0.6 else "white")
    return im


@_styled
def sobol_bars(ds: xr.Dataset, *, width: float = FULL_WIDTH, outputs=None) -> Figure:
    """First-order (S1) and total-order (ST) Sobol indices with confidence intervals, one panel
    per output (category), parameters sorted by their largest ST."""
    _require(ds, "sobol-bars", "sensitivity")
    outs, params = _sobol_order(ds, outputs)
    nrow = int(np.ceil(len(outs) / 4))
    fig = _figure(width, nrow * max(1.3, 0.5 + 0.2 * len(params)) + 0.5)
    _sobol_bars_into(fig, ds, outs, params)
    _sobol_legend(fig, ds)
    return fig


@_styled
def sobol_heatmap(ds: xr.Dataset, *, width: float = FULL_WIDTH, index: str = "ST", outputs=None) -> Figure:
    """Parameter x category heatmap of a Sobol index (``ST`` by default)."""
    _require(ds, "sobol-heatmap", "sensitivity")
    if index not in ("S1", "ST"):
        raise InputError(f"index: expected S1 or ST, got {index!r}")
    outs, params = _sobol_order(ds, outputs)
    fig = _figure(width, 1.4 + 0.2 * len(params))
    ax = fig.add_subplot()
    im = _sobol_heatmap_into(ax, ds, outs, params, index)
    fig.colorbar(im, ax=ax, label=f"{'total' if index == 'ST' else 'first'}-order Sobol index {index} (\u2013)",
                 shrink=0.9)
    _suptitle(fig, _sobol_title(ds))
    return fig


def _sobol_title(ds):
    a = ds.attrs
    bits = [f"{a.get('method', 'sobol')}"]
    for k in ("N", "n", "samples", "base_samples"):
        if k in a:
            bits.append(f"{k}={a[k]}")
            break
    if "scenario" in a:
        bits.insert(0, str(a["scenario"]))
    return ", ".join(bits)


def _sobol_legend(fig, ds):
    handles = [Patch(color="#0072B2", label="S1 first order"), Patch(color="#D55E00", label="ST total order")]
    conf = ds.attrs.get("conf_level", None)
    lab = f"bars: {int(float(conf) * 100)} % confidence interval" if conf is not None else "bars: confidence interval"
    fig.legend(handles=handles, loc="outside upper center", ncol=2, frameon=False, title=lab)


@_styled
def sobol(ds: xr.Dataset, *, width: float = FULL_WIDTH, index: str = "ST", outputs=None) -> Figure:
    """S1/ST bars with confidence intervals per output (top) and the parameter x category heatmap
    of ``index`` (bottom), in one figure."""
    _require(ds, "sobol", "sensitivity")
    if index not in ("S1", "ST"):
        raise InputError(f"index: expected S1 or ST, got {index!r}")
    outs, params = _sobol_order(ds, outputs)
    nrow = int(np.ceil(len(outs) / 4))
    h_bars = nrow * max(1.3, 0.5 + 0.2 * len(params)) + 0.5
    h_map = 1.6 + 0.2 * len(params)
    fig = _figure(width, h_bars + h_map)
    top, bottom = fig.subfigures(2, 1, height_ratios=[h_bars, h_map])  # type: ignore[misc]  # stubs: SubFigure | ndarray; (2, 1) gives an array
    _sobol_bars_into(top, ds, outs, params)
    _sobol_legend(top, ds)
    ax = bottom.add_subplot()
    im = _sobol_heatmap_into(ax, ds, outs, params, index)
    bottom.colorbar(im, ax=ax, label=f"Sobol index {index} (\u2013)", shrink=0.9)
    _suptitle(fig, _sobol_title(ds))
    return fig


# ------------------------------------------------------------------------------------------------
# Morris screening (dims output x parameter; mu_star, mu_star_conf, mu, sigma)
# ------------------------------------------------------------------------------------------------
@_styled
def morris(ds: xr.Dataset, var: str = "gwp", *, width: float = FULL_WIDTH) -> Figure:
    """Morris elementary effects of one output (``var``, default ``gwp``): mu* bars with their
    confidence intervals, one per parameter (largest first, left), and mu* against sigma (right;
    sigma/mu* > 1 suggests non-linear effects or interactions)."""
    _require(ds, "morris", "morris")
    have = [str(o) for o in ds["output"].values]
    if var not in have:
        raise InputError(f"var {var!r}: not an output of the Morris result; available: {', '.join(have)}")
    sub = ds.sel(output=var)
    params = [str(p) for p in ds["parameter"].values]
    mu_star = np.asarray(sub["mu_star"].values, dtype=float)
    order = np.argsort(-np.where(np.isfinite(mu_star), mu_star, -np.inf), kind="stable")
    params = [params[i] for i in order]
    mu_star = mu_star[order]
    conf = np.asarray(sub["mu_star_conf"].values, dtype=float)[order] if "mu_star_conf" in sub else None
    sigma = np.asarray(sub["sigma"].values, dtype=float)[order] if "sigma" in sub else None
    names = short_parameter_names(params)
    unit = _output_unit(ds, var)
    fig = _figure(width, max(2.4, 0.9 + 0.13 * len(params)))
    ax_bar, ax_sc = fig.subplots(1, 2, width_ratios=[1.3, 1]) if sigma is not None else (fig.add_subplot(), None)
    y = np.arange(len(params))
    ok = np.isfinite(mu_star)
    ax_bar.barh(y, np.where(ok, mu_star, 0.0), height=0.7, color="#0072B2", label="\u03bc*",
                xerr=None if conf is None else np.where(np.isfinite(conf), conf, 0.0),
                error_kw={"elinewidth": 0.6, "capsize": 1.2, "ecolor": "0.2"})
    for j in np.flatnonzero(~ok):
        ax_bar.text(0, float(j), " " + NC_LABEL, va="center", fontsize=FONT_PT)
    ax_bar.set_yticks(y, names)
    ax_bar.set_ylim(len(params) - 0.5, -0.5)
    ax_bar.set_xlabel(f"\u03bc* of {var} ({unit})")
    ax_bar.grid(axis="x", linewidth=0.3, color="0.9")
    conf_level = ds.attrs.get("conf_level")
    ax_bar.set_title("bars: " + (f"{int(float(conf_level) * 100)} % " if conf_level is not None else "")
                     + "confidence interval", fontsize=FONT_PT)
    if ax_sc is not None and sigma is not None:
        good = ok & np.isfinite(sigma)
        ax_sc.scatter(mu_star[good], sigma[good], s=10, color="#D55E00", zorder=3)
        xtop = float(np.max(mu_star[good], initial=0.0)) or 1.0
        ytop = float(np.max(sigma[good], initial=0.0)) or xtop
        ax_sc.plot([0, xtop * 1.2], [0, xtop * 1.2], color="0.5", linewidth=0.5, linestyle=":",
                   label="\u03c3 = \u03bc*")
        for k, i in enumerate([i for i in range(len(params)) if good[i] and mu_star[i] > 0][:5]):  # the five largest
            right = mu_star[i] > xtop / 2
            ax_sc.annotate(names[i], (mu_star[i], sigma[i]), xytext=(-3 if right else 3, 4 + 7 * (k % 2)),
                           textcoords="offset points", fontsize=FONT_PT, ha="right" if right else "left")
        ax_sc.set_xlim(0, xtop * 1.1)
        ax_sc.set_ylim(0, ytop * 1.25)
        ax_sc.set_xlabel(f"\u03bc* ({unit})")
        ax_sc.set_ylabel(f"\u03c3 ({unit})")
        ax_sc.legend(loc="upper left", frameon=False)
        ax_sc.grid(linewidth=0.3, color="0.9")
    name = str(sub["output_name"].values) if "output_name" in sub.coords else var
    bits = [str(ds.attrs["scenario"])] if "scenario" in ds.attrs else []
    bits.append(f"Morris, {ds.attrs.get('N', '?')} trajectories" + (f" (seed {ds.attrs['seed']})" if "seed" in ds.attrs else ""))
    _suptitle(fig, ", ".join(bits) + f": {name}")
    return fig


# ------------------------------------------------------------------------------------------------
# sweep (one dim per swept parameter path)
# ------------------------------------------------------------------------------------------------
@_styled
def heatmap(ds: xr.Dataset, var: str | None = None, *, x: str | None = None, y: str | None = None,
            width: float = COLUMN_WIDTH) -> Figure:
    """One output (``lifetimes_consumed``, a category total ...) over two swept parameters, as a
    colour map with labelled contour lines."""
    _require(ds, "heatmap", "sweep")
    if var is None:
        var = "lifetimes_consumed" if "lifetimes_consumed" in ds.data_vars else next(c for c in CODES if c in ds)
    if var not in ds.data_vars:
        raise InputError(f"var {var!r}: not in the sweep; available: {', '.join(map(str, ds.data_vars))}")
    unit = variable_unit(ds, var)
    da = ds[var]
    if hasattr(da.data, "units"):
        da = da.pint.dequantify()
    if "component" in da.dims:
        da = da.sum("component", skipna=True, min_count=1)
    da = _mean_sample(da)
    dims = [d for d in da.dims if da.sizes[d] > 1]
    for d in [d for d in da.dims if da.sizes[d] == 1]:
        da = da.isel({d: 0})
    if x or y:
        want = [d for d in (x, y) if d]
        bad = [d for d in want if d not in dims]
        if bad:
            raise InputError(f"heatmap: {bad[0]!r} is not a swept parameter; swept: {', '.join(map(str, dims))}")
        dims = want + [d for d in dims if d not in want]
    if len(dims) != 2:
        raise InputError(f"kind heatmap needs exactly two swept parameters, the sweep has {len(dims)}"
                         f" ({', '.join(map(str, dims)) or 'none'}); sweep two parameters with two --grid options")
    xd, yd = dims
    z = da.transpose(yd, xd).values.astype(float)
    xv = np.asarray(ds[xd].values, dtype=float)
    yv = np.asarray(ds[yd].values, dtype=float)
    fig = _figure(width, width * 0.9)
    ax = fig.add_subplot()
    finite = z[np.isfinite(z)]
    norm = None
    levels: int | list[float] = 6
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 10:  # spans a decade or more: log colours
        from matplotlib.colors import LogNorm
        from matplotlib.ticker import LogLocator

        norm = LogNorm(finite.min(), finite.max())
        levels = [v for v in LogLocator(subs=(1, 2, 3, 5)).tick_values(finite.min(), finite.max())
                  if finite.min() < v < finite.max()]
    mesh = ax.pcolormesh(xv, yv, np.ma.masked_invalid(z), shading="nearest", cmap="viridis", norm=norm)
    if finite.size >= 4 and finite.max() > finite.min() and min(z.shape) >= 2 and levels:
        cs = ax.contour(xv, yv, z, levels=levels, colors="white", linewidths=0.6)
        ax.clabel(cs, fontsize=FONT_PT, fmt=_contour_label)
    if np.isnan(z).any():
        ax.text(0, 0, f" blank cells: {NC_LABEL}", transform=ax.transAxes, fontsize=FONT_PT)
    ax.set_xlabel(parameter_label(xd, variable_unit(ds, str(xd))))
    ax.set_ylabel(parameter_label(yd, variable_unit(ds, str(yd))))
    name = category(var).name if var in CODES else ds[var].attrs.get("long_name", var.replace("_", " "))
    fig.colorbar(mesh, ax=ax, label=f"{name} ({unit})")
    if var in CODES and "coverage" in ds.attrs:
        try:
            if json.loads(ds.attrs["coverage"])[var]["coverage"] != "full":
                _ax_title(ax, f"{var}: partial total (lower bound)")
        except (ValueError, KeyError, TypeError):
            pass
    return fig


@_styled
def compare(ds: xr.Dataset, *, width: float = COLUMN_WIDTH) -> Figure:
    """Ratio of each scenario's category totals to the first scenario's (``lca.compare``): one bar
    group per category, one bar per scenario, a line at 1, P(lower) annotated with samples."""
    if not {"ratio", "total"} <= set(ds.data_vars) or "scenario" not in ds.dims:
        raise InputError("kind compare needs a comparison dataset; make one with lca.compare([...]) "
                         "or `lca compare A.yaml B.yaml --plot FILE.svg`")
    labels = [str(s) for s in ds["scenario"].values]
    others = labels[1:]
    codes = [str(c) for c in ds["category"].values]
    ratio = np.asarray(ds["ratio"].sel(scenario=others).transpose("scenario", "category").values, dtype=float)
    p_low = (np.asarray(ds["p_lower"].sel(scenario=others).transpose("scenario", "category").values, dtype=float)
             if "p_lower" in ds.data_vars else None)
    fig = _figure(width, max(2.5, 0.28 * len(codes) * max(1, len(others)) ** 0.5 + 1.2))
    ax = fig.add_subplot()
    h = 0.8 / len(others)
    y = np.arange(len(codes))
    colors = [COMPONENT_COLORS[i % len(COMPONENT_COLORS)] for i in range(len(others))]
    for i, name in enumerate(others):
        pos = y - 0.4 + h * (i + 0.5)
        vals = ratio[i]
        ok = np.isfinite(vals)  # a ratio of a not-covered total is shown as n/c, never as a 0-length bar
        ax.barh(pos[ok], vals[ok], height=h * 0.9, color=colors[i], label=_wrap(name, 40))
        for yy in pos[~ok]:
            ax.text(0.01, yy, NC_LABEL, va="center", ha="left", fontsize=FONT_PT - 2, color="0.3",
                    transform=ax.get_yaxis_transform())
        if p_low is not None:
            for yy, v, pl in zip(pos, vals, p_low[i]):
                if np.isfinite(pl) and np.isfinite(v):
                    ax.annotate(f"P={pl:.2f}", (v, yy), xytext=(2, 0),
                                textcoords="offset points", va="center", fontsize=FONT_PT - 2)
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(codes)
    ax.invert_yaxis()
    ax.set_xlabel(f"ratio to {_wrap(labels[0], 50)}")
    ax.set_ylabel("EF 3.1 impact category")
    fig.legend(loc="outside lower center", frameon=False)
    ax.set_xlim(0, max(1.0, float(np.nanmax(ratio, initial=1.0))) * 1.25)
    title = "Ratio to the first scenario"
    if p_low is not None:
        title += f" (P = P(lower), {ds.attrs.get('samples')} samples)"
    fig.suptitle(title, fontsize=FONT_PT + 1)
    return fig


# ------------------------------------------------------------------------------------------------
# dispatch, loading, saving
# ------------------------------------------------------------------------------------------------
_FUNCS = {"stages": stages, "components": components, "absolute": absolute, "distribution": distribution,
          "sobol": sobol, "sobol-bars": sobol_bars, "sobol-heatmap": sobol_heatmap, "heatmap": heatmap,
          "single-score": single_score, "compare": compare, "morris": morris}


def plot(ds: xr.Dataset, kind: str, **options) -> Figure:
    """Draw chart ``kind`` (one of :data:`KINDS`) from a result, sweep or sensitivity Dataset.
    ``options`` are passed on (``var``, ``x``, ``y`` for heatmap; ``index`` for sobol; ``var`` for
    morris)."""
    if kind not in _FUNCS:
        raise InputError(f"kind {kind!r}: expected one of {', '.join(KINDS)}")
    import inspect

    func = _FUNCS[kind]
    options = {k: v for k, v in options.items() if v is not None}
    accepted = set(inspect.signature(func).parameters) - {"ds"}
    extra = sorted(set(options) - accepted)
    if extra:
        raise InputError(f"--{extra[0]} does not apply to --kind {kind} (options of this kind: "
                         f"{', '.join('--' + a for a in sorted(accepted)) or 'none'})")
    return func(ds, **options)


def output_format(path) -> str:
    """``png``, ``svg`` or ``pdf`` from the file name; anything else is an input error."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError(f"-o {path}: expected a .png, .svg or .pdf file name, got suffix {path.suffix or '(none)'!r}")
    return fmt


def save(fig: Figure, path, *, dpi: int = 300) -> Path:
    """Write ``fig`` atomically; format from the suffix (.png, .svg or .pdf)."""
    from lca.outputs.files import atomic_write

    path = Path(path)
    fmt = output_format(path)
    # no date or software stamp, so a regenerated file only changes when the chart does
    meta = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}[fmt]

    def write(tmp):
        import matplotlib

        with matplotlib.rc_context(_SAVE_RC):
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=meta)

    atomic_write(path, write)
    return path


__all__ = ["KINDS", "FORMATS", "STAGE_COLORS", "STAGE_LABELS", "COMPONENT_COLORS", "COLUMN_WIDTH", "FULL_WIDTH",
           "stages", "components", "absolute", "distribution", "sobol", "sobol_bars", "sobol_heatmap", "morris", "heatmap",
           "single_score", "plot", "save", "data_kind", "cradle_to_gate_components"]
