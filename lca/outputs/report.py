"""``lca report``: one self-contained HTML file with the inputs and their sources, the quantities,
the 16-category table by stage, coverage and data gaps, the charts and, on request, the Monte
Carlo uncertainty and the Sobol sensitivity of the run.

The page needs no network: figures are embedded as base64 PNG, the style sheet is inline, and the
only external addresses are the citation links of the sources (``<a class="citation">``).
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np

from lca import __version__
from lca.errors import InputError
from lca.inventory.method import CODES, category
from lca.model.result import STAGES
from lca.outputs.formatting import number

REPORT_DPI = 150
DEFAULT_SAMPLES_NOTE = "deterministic run: every distribution at its default (else its median)"

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.8em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ddd;padding:.25em .5em;vertical-align:top}th{background:#f3f3f3;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.nc{text-align:center;color:#777;background:repeating-linear-gradient(45deg,#fff,#fff 4px,#eee 4px,#eee 8px)}
.meta td:first-child{font-weight:600}.partial{color:#a05a00}.none{color:#a00}
figure{margin:1.2em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9em;color:#444}.small{font-size:.85em;color:#555}code{font-size:.92em}
ol.refs li{margin-bottom:.3em}
"""

# marks every image that decoded (checked by the browser test; harmless for readers)
_SCRIPT = """window.addEventListener("load",function(){var n=0;for(var i of document.images){
var ok=i.complete&&i.naturalWidth>0;i.setAttribute("data-loaded",ok?"1":"0");if(ok)n++;}
document.body.setAttribute("data-images-loaded",String(n));});"""


def _e(x) -> str:
    return html.escape(str(x), quote=True)


def _fmt(x) -> str:
    return number(None if x is None else float(x))


def _td(x, cls="num") -> str:
    s = _fmt(x)
    return '<td class="nc">n/c</td>' if s == "n/c" else f'<td class="{cls}">{_e(s)}</td>'


def figure_html(fig, caption: str, name: str) -> str:
    """A figure as ``<figure>`` with an embedded base64 PNG."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=REPORT_DPI, metadata={"Software": None})
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<figure id="fig-{_e(name)}"><img class="chart" alt="{_e(caption)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{_e(caption)}</figcaption></figure>')


# ------------------------------------------------------------------------------------------------
def _unit_text(param) -> str:
    if param.path.startswith("operation.grid."):
        return f"{category(param.path.rsplit('.', 1)[1]).unit}/kWh"
    u = param.value.units
    if str(u) == "dimensionless":
        return "\u2013"
    text = f"{u:~P}"
    return {"a": "year"}.get(text, text)


def _describe(dist) -> str:
    text = dist.describe()
    return text[:-2] + " year" if text.endswith(" a") else text


def _source_ids(src) -> tuple:
    if src is None:
        return ()
    return (src,) if isinstance(src, str) else tuple(s for s in src if s)


def _source_links(ids, known) -> str:
    out = []
    for sid in ids:
        out.append(f'<a href="#src-{_e(sid)}">{_e(sid)}</a>' if sid in known else _e(sid))
    return ", ".join(out) or '<span class="small">none given</span>'


def _used_sources(model) -> list[str]:
    """Source ids of everything the run used, in order of first use."""
    ids: list[str] = []

    def add(src):
        for s in _source_ids(src):
            if s not in ids:
                ids.append(s)

    sc = model.scenario
    add(sc.sources)
    for p in sc.params.values():
        add(p.source)
    if model.measured is not None:
        add(model.measured.source)
        for _, vec in model.measured.components.values():
            add(vec.sources)
        if model.measured.end_of_life is not None:
            add(model.measured.end_of_life.sources)
    else:
        for entry in model.factor_set.factors.values():
            add(entry.vector.sources)
    for entry in model.transport_factors.factors.values():
        add(entry.vector.sources)
    return ids


def _inputs_section(model) -> str:
    sc = model.scenario
    known = model.inventory.sources
    rows = []
    for path, p in sc.params.items():
        val = p.value.magnitude
        dist = _describe(p.distribution) if p.distribution is not None else ""
        rows.append(f"<tr><td><code>{_e(path)}</code></td>{_td(val)}<td>{_e(_unit_text(p))}</td>"
                    f"<td>{_e(dist)}</td><td>{_source_links(_source_ids(p.source), known)}</td></tr>")
    return ("<h2 id=\"inputs\">Inputs</h2>"
            "<p class=\"small\">Every parameter of the run, addressed by its dotted path (usable with "
            "<code>--set PATH=VALUE</code>). Value: the deterministic value (a distribution's default, else its "
            "median). n/c: not covered by open data (NaN, never 0).</p>"
            "<table id=\"inputs-table\"><thead><tr><th>parameter</th><th>value</th><th>unit</th>"
            "<th>uncertainty</th><th>source</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _references_section(model) -> str:
    known = model.inventory.sources
    items = []
    for sid in _used_sources(model):
        s = known.get(sid)
        if s is None:
            items.append(f'<li id="src-{_e(sid)}"><code>{_e(sid)}</code>: not in inventories/sources.yaml</li>')
            continue
        link = s.url or (f"https://doi.org/{s.doi}" if s.doi else "")
        a = f' <a class="citation" href="{_e(link)}">{_e(link)}</a>' if link else ""
        note = f" <span class=\"small\">{_e(s.note)}</span>" if s.note else ""
        items.append(f'<li id="src-{_e(sid)}"><code>{_e(sid)}</code>: {_e(s.authors)} ({_e(s.year)}). '
                     f'<i>{_e(s.title)}</i>.{a} <span class="small">Licence: {_e(s.licence)}</span>{note}</li>')
    return "<h2 id=\"sources\">Sources</h2><ol class=\"refs\">" + "".join(items) + "</ol>"


_QUANTITIES = (("accelerator_hours", "accelerator-hours", "h"), ("it_energy", "IT energy", "kWh"),
               ("energy", "facility energy (with PUE)", "kWh"),
               ("lifetimes_consumed", "accelerator lifetimes consumed", "\u2013"),
               ("accelerator_count", "whole accelerators", "\u2013"), ("hardware_mass", "hardware mass allocated", "kg"),
               ("onsite_water", "on-site water", "m\u00b3"))


def _quantities_section(doc) -> str:
    q = doc["quantities"]
    sampled = "samples" in doc
    head = "<th>quantity</th><th>value</th><th>unit</th>" + ("<th>p05</th><th>p50</th><th>p95</th>" if sampled else "")
    rows = []
    for key, label, unit in _QUANTITIES:
        if key not in q:
            continue
        e = q[key]
        extra = "".join(_td(e.get(k)) for k in ("p05", "p50", "p95")) if sampled else ""
        rows.append(f"<tr><td>{_e(label)} <code class=\"small\">{key}</code></td>{_td(e['value'])}"
                    f"<td>{_e(unit)}</td>{extra}</tr>")
    note = f"<p class=\"small\">Energy: {_e(doc.get('energy_source', ''))}." + (
        " Values are Monte Carlo means.</p>" if sampled else "</p>")
    return ("<h2 id=\"quantities\">Quantities</h2><table id=\"quantities-table\"><thead><tr>" + head +
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>" + note)


def _impacts_section(doc) -> str:
    rows = []
    for code, e in doc["impacts"].items():
        cov = e["coverage"]
        rows.append(f'<tr class="category" data-code="{_e(code)}"><td><code>{_e(code)}</code></td><td>{_e(e["name"])}</td>'
                    f"<td>{_e(e['unit'])}</td>" + "".join(_td(e["stages"][s]) for s in STAGES) + _td(e["total"]) +
                    f'<td class="{_e(cov)}">{_e(cov)}</td></tr>')
    ss = doc["single_score"]
    foot = (f"<tfoot><tr><td colspan=\"7\">EF 3.1 weighted single score</td>{_td(ss['value'])}"
            f"<td class=\"{_e(ss['coverage'])}\">{_e(ss['coverage'])} (Pt)</td></tr></tfoot>")
    what = "Monte Carlo means" if "samples" in doc else "deterministic run"
    return ("<h2 id=\"impacts\">Impacts by life-cycle stage (EF 3.1, 16 categories)</h2>"
            f"<p class=\"small\">{_e(what)}. A partial total is the sum of the covered stages only (a lower bound); "
            "n/c marks a stage without open data.</p>"
            "<table id=\"impacts-table\"><thead><tr><th>code</th><th>category</th><th>unit</th><th>manufacturing</th>"
            "<th>transport</th><th>use</th><th>end of life</th><th>total</th><th>coverage</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody>" + foot + "</table>")


def _coverage_section(doc, model) -> str:
    gaps = []
    for code, e in doc["impacts"].items():
        if e.get("missing_stages"):
            gaps.append(f"<li><code>{_e(code)}</code> ({_e(e['name'])}): {_e(e['coverage'])}; not covered: stage "
                        f"{_e(', '.join(e['missing_stages']))} (components {_e(', '.join(e.get('missing_components', [])))})"
                        "</li>")
    full = sum(e["coverage"] == "full" for e in doc["impacts"].values())
    out = [f"<h2 id=\"coverage\">Coverage and data gaps</h2><p>{full} of 16 categories fully covered.</p>"]
    out.append("<ul id=\"gaps\">" + "".join(gaps) + "</ul>" if gaps else "<p>No data gaps.</p>")
    grid = None
    try:
        grid = model.inventory.grid(model.scenario.grid) if model.scenario.grid != "inline" else None
    except InputError:
        grid = None
    if grid is not None:
        mark = {"measured": "M", "proxy": "P", "not_covered": "n/c"}
        cells = "".join(f"<td>{_e(mark.get(s, s))}</td>" for s in grid.vector.status)
        out.append(f"<p class=\"small\">Electricity factors of grid <code>{_e(grid.id)}</code> ({_e(grid.name)}"
                   f"{', ' + str(grid.year) if grid.year else ''}) by category: M measured, P proxy (a related indicator), "
                   "n/c not covered; <code>--set operation.grid.CODE=...</code> fills a gap.</p>"
                   "<table id=\"grid-status\"><thead><tr>" + "".join(f"<th>{c}</th>" for c in CODES) +
                   "</tr></thead><tbody><tr>" + cells + "</tr></tbody></table>")
    return "".join(out)


def _uncertainty_section(doc, model, ds) -> str:
    from lca.outputs import plots

    rows = []
    for code, e in doc["impacts"].items():
        rows.append(f"<tr><td><code>{_e(code)}</code></td><td>{_e(e['unit'])}</td>" +
                    "".join(_td(e.get(k)) for k in ("mean", "p05", "p50", "p95")) + "</tr>")
    ss = doc["single_score"]
    rows.append("<tr><td>single score</td><td>Pt</td>" + "".join(_td(ss.get(k)) for k in ("mean", "p05", "p50", "p95"))
                + "</tr>")
    unc = [f"<li><code>{_e(p)}</code>: {_e(_describe(v.distribution))}</li>" for p, v in model.scenario.params.items()
           if v.uncertain]
    fig = plots.distribution(ds)
    return (f"<h2 id=\"uncertainty\">Uncertainty (Monte Carlo, {doc['samples']} samples, seed {_e(doc.get('seed'))})</h2>"
            "<p>Uncertain inputs, sampled independently:</p><ul>" + "".join(unc) + "</ul>"
            "<table id=\"uncertainty-table\"><thead><tr><th>category</th><th>unit</th><th>mean</th><th>p05</th>"
            "<th>p50</th><th>p95</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>" +
            figure_html(fig, "Monte Carlo spread of each category total, normalised to its median "
                             "(box: quartiles; whiskers: 5th-95th percentiles).", "distribution"))


def _sensitivity_section(sens) -> str:
    from lca.outputs import plots

    outs, params = plots._sobol_order(sens)
    names = plots.short_parameter_names(params)
    rows = []
    for out in outs:
        st = sens["ST"].sel(output=out, parameter=params).values.astype(float)
        s1 = sens["S1"].sel(output=out, parameter=params).values.astype(float)
        if not np.isfinite(st).any():
            rows.append(f"<tr><td><code>{_e(out)}</code></td><td colspan=\"3\" class=\"nc\">n/c</td></tr>")
            continue
        j = int(np.nanargmax(st))
        rows.append(f"<tr><td><code>{_e(out)}</code></td><td><code>{_e(params[j])}</code></td>{_td(s1[j])}{_td(st[j])}</tr>")
    attrs = ", ".join(f"{k} = {v}" for k, v in sens.attrs.items() if k in ("method", "N", "n", "samples", "seed",
                                                                              "conf_level", "evaluations"))
    warn = [w for w in str(sens.attrs.get("warnings", "")).split("\n") + str(sens.attrs.get("notes", "")).split("\n")
            if w.strip()]
    warn_html = ("<ul class=\"small\" id=\"sensitivity-warnings\">" + "".join(f"<li>{_e(w)}</li>" for w in warn)
                 + "</ul>") if warn else ""
    fig = plots.sobol(sens)
    return ("<h2 id=\"sensitivity\">Sensitivity (Sobol indices)</h2>"
            f"<p class=\"small\">{_e(attrs)}. Parameters: {_e(', '.join(names))}. S1: share of the output variance "
            "explained by the parameter alone; ST: including its interactions.</p>" + warn_html +
            "<table id=\"sensitivity-table\"><thead><tr><th>output</th><th>most influential parameter</th><th>S1</th>"
            "<th>ST</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>" +
            figure_html(fig, "First-order (S1) and total-order (ST) Sobol indices with confidence intervals per "
                             "category (top); total-order indices, parameter x category (bottom).", "sobol"))


# ------------------------------------------------------------------------------------------------
def render(model, ds, *, overrides=(), mc=None, sens=None, samples: int | None = None,
           seed: int | None = None) -> str:
    """The report as one HTML string, from results already computed (see module docstring).

    ``model`` is the prepared scenario (:func:`lca.model.prepare`), ``ds`` its deterministic
    result, ``mc`` an optional Monte Carlo result and ``sens`` an optional Sobol result; this
    function only renders them (:func:`lca.write_report` runs the model)."""
    from lca.outputs import plots
    from lca.outputs.files import to_json_dict

    ov = list(overrides or ())
    doc = to_json_dict(ds)
    sc = model.scenario

    charts = [
        (plots.stages(ds), "Share of each life-cycle stage in the 16 EF 3.1 categories (hatched: not covered).", "stages"),
        (plots.components(ds), "Cradle-to-gate contribution by component (manufacturing and upstream transport).",
         "components"),
        (plots.absolute(ds), "Impact of each stage, one panel per category, in the category's unit.", "absolute"),
        (plots.single_score(ds), "EF 3.1 weighted single score by category and stage.", "single-score"),
    ]
    parts = [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{_e(sc.name)} - lca report</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(sc.name)}</h1><p>{_e(sc.description)}</p>",
        "<table class=\"meta\"><tbody>",
    ]
    meta = [("scenario file", sc.path), ("accelerator", f"{model.accelerator.id} ({model.accelerator.name})"),
            ("embodied impacts", ds.attrs.get("embodied_method", "")), ("grid", sc.grid),
            ("method", "EF 3.1, cradle-to-grave; embodied impacts allocated by accelerator lifetimes consumed"),
            ("overrides", ", ".join(f"{k}={v}" for k, v in ov) or "none"),
            ("runs", DEFAULT_SAMPLES_NOTE if samples is None else f"Monte Carlo: {samples} samples, seed {seed}"),
            ("lca version", __version__)]
    parts += [f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in meta]
    parts.append("</tbody></table>")
    nav = [("inputs", "Inputs"), ("quantities", "Quantities"), ("impacts", "Impacts"), ("coverage", "Coverage"),
           ("charts", "Charts")] + ([("uncertainty", "Uncertainty")] if mc is not None else []) + \
          ([("sensitivity", "Sensitivity")] if sens is not None else []) + [("sources", "Sources")]
    parts.append("<p>" + " &middot; ".join(f'<a href="#{a}">{t}</a>' for a, t in nav) + "</p>")
    parts.append(_inputs_section(model))
    parts.append(_quantities_section(doc))
    parts.append(_impacts_section(doc))
    parts.append(_coverage_section(doc, model))
    parts.append("<h2 id=\"charts\">Charts</h2>")
    parts += [figure_html(f, cap, name) for f, cap, name in charts]
    if mc is not None:
        parts.append(_uncertainty_section(to_json_dict(mc), model, mc))
    if sens is not None:
        parts.append(_sensitivity_section(sens))
    parts.append(_references_section(model))
    parts.append(f"<p class=\"small\">Generated by lca {_e(__version__)}. Data files: "
                 f"{len(model.inventory.manifest)} (SHA-256 in the result's data manifest).</p>")
    parts.append(f"<script>{_SCRIPT}</script></body></html>")
    return "\n".join(parts)


def write(text: str, out_dir) -> Path:
    """Write ``out_dir/index.html`` atomically and return its path."""
    from lca.outputs.files import write_text

    path = Path(out_dir) / "index.html"
    write_text(path, text)
    return path


__all__ = ["figure_html", "render", "write"]
