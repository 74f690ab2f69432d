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
import json
import time
from pathlib import Path

import numpy as np

from lca import __version__
from lca.errors import InputError
from lca.inventory.method import CODES, category
from lca.outputs.formatting import number
from lca.vocab import STAGES

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


# Drawing the charts is most of the time of a report. With a second core free, the heaviest chart
# is drawn in a forked child process while this one draws the others (the same code on the same
# data, so the same bytes); anything unusual (not Linux, other threads running, one core, a
# failed fork or child) draws everything here, in order. False: always draw here.
PARALLEL_CHARTS = True
# how long the child may take beyond the parent's own drawing before it is given up (killed, and its
# chart drawn here): at least this many seconds, or 5 times what the parent's charts took
CHILD_GRACE_S = 20.0


def _can_fork() -> bool:
    import os
    import sys
    import threading

    if not PARALLEL_CHARTS or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores >= 2 and threading.active_count() == 1  # fork is only safe with one thread


def _draw(job) -> str:
    build, caption, name = job
    return figure_html(build(), caption, name)


def _read_until_closed(fd: int, deadline: float) -> bytes | None:
    """Everything written to pipe ``fd`` until its writer closes it, or None at ``deadline``
    (``time.monotonic``)."""
    import os
    import select

    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def _draw_all(jobs, offload: int) -> list[str]:
    """``figure_html`` of each (build, caption, name) job, in order; job ``offload`` (the heaviest)
    drawn in a child process when :func:`_can_fork`."""
    import contextlib
    import os
    import signal

    if len(jobs) < 2 or not _can_fork():
        return [_draw(j) for j in jobs]
    r, w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return [_draw(j) for j in jobs]
    if pid == 0:  # the child: draw one chart, send its HTML, leave without running the parent's cleanup
        code = 1
        try:
            os.close(r)
            view = memoryview(_draw(jobs[offload]).encode("utf-8"))
            while view:
                view = view[os.write(w, view):]
            code = 0
        except BaseException:  # noqa: BLE001 (any failure: the parent draws the chart itself)
            pass
        finally:
            os._exit(code)
    os.close(w)
    reaped = False
    try:
        start = time.monotonic()
        out = [None if i == offload else _draw(j) for i, j in enumerate(jobs)]
        data = _read_until_closed(r, time.monotonic() + max(CHILD_GRACE_S, 5 * (time.monotonic() - start)))
        if data is None:  # the child hangs: give it up, draw its chart here
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        reaped = True
        text = (data or b"").decode("utf-8", errors="replace")
        ok = os.waitstatus_to_exitcode(status) == 0 and text.startswith("<figure") and text.endswith("</figure>")
        out[offload] = text if ok else _draw(jobs[offload])
        return [str(x) for x in out]
    finally:
        os.close(r)
        if not reaped:  # interrupted (Ctrl-C, SIGTERM) or failed here: stop the child, leave no zombie
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)


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
            + (f"<p class=\"small\">Measured energy input (CodeCarbon): <code>{_e(sc.measured_energy)}</code>; "
               f"{_e(model.energy_note or '')}</p>" if sc.measured_energy else "") +
            "<table id=\"inputs-table\"><thead><tr><th>parameter</th><th>value</th><th>unit</th>"
            "<th>uncertainty</th><th>source</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _references_section(model, ds=None) -> str:
    """Every source the run used (the result's ``sources`` attribute), with the data each supports."""
    known = model.inventory.sources
    recs = json.loads(ds.attrs["sources"]) if ds is not None and "sources" in ds.attrs else \
        [{"id": sid, "supports": []} for sid in _used_sources(model)]
    items = []
    for r in recs:
        sid = r["id"]
        sup = (f' <span class="small">Supports: {_e(", ".join(r["supports"]))}.</span>' if r.get("supports") else "")
        if r.get("sha256"):  # a measured-energy file: the user's own data
            items.append(f'<li id="src-{_e(sid)}"><code>{_e(sid)}</code>: {_e(r["citation"])}. '
                         f'<span class="small">File {_e(r["path"])}, SHA-256 <code>{_e(r["sha256"])}</code>; '
                         f'licence: {_e(r["licence"])}</span>{sup}</li>')
            continue
        s = known.get(sid)
        if s is None:
            items.append(f'<li id="src-{_e(sid)}"><code>{_e(sid)}</code>: not in inventories/sources.yaml</li>')
            continue
        link = s.url or (f"https://doi.org/{s.doi}" if s.doi else "")
        a = f' <a class="citation" href="{_e(link)}">{_e(link)}</a>' if link else ""
        note = f" <span class=\"small\">{_e(s.note)}</span>" if s.note else ""
        items.append(f'<li id="src-{_e(sid)}"><code>{_e(sid)}</code>: {_e(s.authors)} ({_e(s.year)}). '
                     f'<i>{_e(s.title)}</i>.{a} <span class="small">Licence: {_e(s.licence)}</span>{note}{sup}</li>')
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


def _coverage_section(doc, model, ds) -> str:
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
    out.append(_conventions_table(doc, ds))
    out.append(_conventions_paragraph(doc, model))
    out.append(_suspect_section(doc, model, ds))
    return "".join(out)


CONVENTION_LABELS = {"lt_excluded": "LT excluded", "lt_included": "LT included", "not_applicable": "n/a",
                     "mixed": "MIXED", "undeclared": "undeclared", "none": "\u2013"}


def _provenance(ds) -> dict:
    import json

    try:
        return json.loads(ds.attrs.get("provenance", "{}") or "{}")
    except ValueError:
        return {}


def _conventions_table(doc, ds) -> str:
    """Per category: coverage, the long-term-emissions (LT) convention of its data and the
    components behind each convention."""
    prov = _provenance(ds)
    rows = []
    for code, e in doc["impacts"].items():
        conv = e.get("convention") or prov.get(code, {}).get("convention") or "none"
        by: dict = {}
        for comp, k in (prov.get(code, {}).get("conventions") or {}).items():
            by.setdefault(k, []).append(comp)
        if len(by) == 1:  # one convention: say so instead of repeating the component list on every row
            (k, v), = by.items()
            detail = f"{CONVENTION_LABELS.get(k, k)}: all {len(v)} covered components"
        else:
            detail = "; ".join(f"{CONVENTION_LABELS.get(k, k)}: {', '.join(v)}" for k, v in sorted(by.items()))
        sus = ", ".join(x["component"] for x in e.get("suspect", []))
        cls = ' class="none"' if conv == "mixed" else ""
        rows.append(f'<tr data-code="{_e(code)}"><td><code>{_e(code)}</code></td><td>{_e(e["name"])}</td>'
                    f'<td class="{_e(e["coverage"])}">{_e(e["coverage"])}</td>'
                    f"<td{cls}>{_e(CONVENTION_LABELS.get(conv, conv))}</td><td class=\"small\">{_e(detail)}</td>"
                    f"<td>{_e(sus) if sus else ''}</td></tr>")
    return ("<table id=\"coverage-table\"><thead><tr><th>code</th><th>category</th><th>coverage</th>"
            "<th>LT convention</th><th>components by convention</th><th>suspect data</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>"
            "<p class=\"small\">LT convention: whether the characterised data of the covered components include "
            "long-term emissions (e.g. leaching from landfills and spoil heaps beyond 100 years): LT excluded (as the "
            "EF 3.1 toxicity indicators), LT included, n/a (no long-term emissions involved), MIXED (the components "
            "disagree, so the stage shares are not like for like: see Conventions).</p>")


def _conventions_paragraph(doc, model) -> str:
    bid = doc.get("background") or "none"
    try:
        bg = model.inventory.background(bid) if bid != "none" else None
    except InputError:
        bg = None
    if bg is not None:
        used = (f"Electricity background <code>{_e(bg.id)}</code> ({_e(bg.name)}; convention "
                f"{_e(CONVENTION_LABELS.get(bg.convention, bg.convention))}).")
    else:
        used = f"Electricity background <code>{_e(bid)}</code>: the grid files' own values."
    warns = doc.get("warnings") or []
    if warns:
        body = ("<p>Categories whose components mix long-term emission conventions:</p><ul id=\"convention-warnings\">"
                + "".join(f"<li>{_e(w)}</li>" for w in warns) + "</ul><p class=\"small\">Their stage shares are not like "
                "for like; a background whose convention matches the other components' data removes the mix.</p>")
    else:
        body = "<p>No category mixes long-term emission conventions.</p>"
    return (f"<h3 id=\"conventions\">Conventions</h3><p>{used} The background sets the convention of the "
            "electricity data (scenario key <code>background</code>, or <code>lca run --background NAME</code>).</p>"
            + body)


def _datum(model, comp):
    """The published data (CategoryVector) behind component ``comp`` of the prepared model, or
    None (read from the model's inventory objects; outputs/ never runs the model)."""
    meas = getattr(model, "measured", None)
    if meas is not None:
        if comp in meas.components:
            return meas.components[comp][1]
        if comp == "end_of_life" and meas.end_of_life is not None:
            return meas.end_of_life
    fs = getattr(model, "factor_set", None)
    if fs is not None and comp in fs.factors:
        return fs.factors[comp].vector
    tf = getattr(model, "transport_factors", None)
    if comp == "distribution" and tf is not None and tf.factors:
        return next(iter(tf.factors.values())).vector
    return None


def _suspect_section(doc, model, ds) -> str:
    rows = []
    for code, e in doc["impacts"].items():
        i = CODES.index(code)
        for sdat in e.get("suspect", []):
            comp = sdat["component"]
            vec = _datum(model, comp)
            per = (vec.per or "card") if vec is not None else ""
            unit = f"{e['unit']}" + (f" per {per}" if per else "")
            published = float(vec.values[i]) if vec is not None else None
            in_run = e["components"].get(comp)
            share = (in_run / e["total"] * 100) if in_run is not None and e.get("total") else None
            rows.append(f'<tr data-code="{_e(code)}"><td><code>{_e(code)}</code></td><td>{_e(comp)}</td>'
                        f"{_td(published)}{_td(sdat.get('alternative'))}<td>{_e(unit)}</td>{_td(in_run)}"
                        + (_td(None) if share is None else f'<td class="num">{share:.1f}</td>')
                        + f"<td class=\"small\">{_e(sdat.get('reason', ''))}</td></tr>")
    head = "<h3 id=\"suspect-data\">Suspect data</h3>"
    if not rows:
        alt = model.scenario.embodied.get("suspect_data") == "alternative"
        return head + ("<p>No suspect datum used" + (" (the documented alternatives are in use: "
                       "<code>embodied: {suspect_data: alternative}</code>)" if alt else "") + ".</p>")
    return (head + "<p>Data flagged as suspect in the inventory, kept as published in this run (marked "
            "<b>!</b> in the stages chart). To use the documented alternative values instead, set "
            "<code>embodied: {suspect_data: alternative}</code> in the scenario file "
            "(<code>--set embodied.suspect_data=alternative</code>).</p>"
            "<table id=\"suspect-table\"><thead><tr><th>category</th><th>component</th><th>published</th>"
            "<th>alternative</th><th>unit</th><th>in this run</th><th>% of total</th><th>reason</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


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
    sampled = doc.get("sampled") or [x for x in str(ds.attrs.get("sampled", "")).split(",") if x]
    drawn = (f"<p id=\"sampled-inputs\">{len(sampled)} uncertain inputs drawn: "
             + ", ".join(f"<code>{_e(x)}</code>" for x in sampled) + ".</p>")
    return (f"<h2 id=\"uncertainty\">Uncertainty (Monte Carlo, {doc['samples']} samples, seed {_e(doc.get('seed'))})</h2>"
            "<p>Uncertain inputs of the scenario file, sampled independently:</p><ul>" + "".join(unc) + "</ul>" + drawn +
            "<table id=\"uncertainty-table\"><thead><tr><th>category</th><th>unit</th><th>mean</th><th>p05</th>"
            "<th>p50</th><th>p95</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>" +
            figure_html(fig, "Monte Carlo spread of each category total, normalised to its median "
                             "(box: quartiles; whiskers: 5th-95th percentiles).", "distribution") +
            _robustness_section(doc, len(sampled)))


def _p(x) -> str:
    return '<td class="nc">n/c</td>' if x is None else f'<td class="num">{float(x):.2f}</td>'


def _robustness_section(doc, n_inputs: int) -> str:
    """Per category, how often each conclusion holds over the Monte Carlo draws."""
    rows = []
    for code, e in doc["impacts"].items():
        r = e.get("robustness") or {}
        pst = r.get("p_stage_dominates")
        if pst:
            best = max(STAGES, key=lambda s: pst[s])
            dom = f"{best.replace('_', ' ')} {pst[best]:.2f}"
            cells = "".join(_p(pst.get(s)) for s in STAGES)
        else:
            dom, cells = "n/c", "".join(_p(None) for _ in STAGES)
        top = r.get("top_component")
        rows.append(f'<tr data-code="{_e(code)}"><td><code>{_e(code)}</code></td><td>{_e(dom)}</td>{cells}'
                    f"{_p(r.get('p_manufacturing_exceeds_use'))}<td>{_e(top or 'n/c')}</td>{_p(r.get('p_top_component'))}"
                    f"<td class=\"small\">{_e(', '.join(r.get('top3_by_mean', [])))}</td>{_p(r.get('p_top3_stable'))}</tr>")
    stage_heads = "".join(f"<th>P({_e(s.replace('_', ' '))})</th>" for s in STAGES)
    return ("<h3 id=\"robustness\">Robustness of the conclusions</h3>"
            f"<p class=\"small\">Share of the {_e(doc['samples'])} Monte Carlo draws ({n_inputs} uncertain inputs drawn) "
            "in which each conclusion holds. P(stage): the stage has the largest impact of the category (a stage "
            "without data never dominates); P(manufacturing &gt; use): manufacturing exceeds use; top component: the "
            "component largest in most draws, and in what share; P(top-3 stable): the three largest components by "
            "mean are the three largest in that share of draws. Near 1.00 (or 0.00) the conclusion holds whatever "
            "the uncertain inputs; near 0.5 it depends on them.</p>"
            "<table id=\"robustness-table\"><thead><tr><th>category</th><th>most likely dominant stage</th>"
            + stage_heads + "<th>P(manufacturing &gt; use)</th><th>top component</th><th>P(top)</th>"
            "<th>top 3 by mean</th><th>P(top-3 stable)</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


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
           seed: int | None = None, doc: dict | None = None) -> str:
    """The report as one HTML string, from results already computed (see module docstring).

    ``model`` is the prepared scenario (:func:`lca.model.prepare`), ``ds`` its deterministic
    result (a Dataset, or :class:`~lca.model.arrays.RunArrays`, which needs no xarray), ``mc`` an optional Monte Carlo result and ``sens`` an optional Sobol result; this
    function only renders them (:func:`lca.write_report` runs the model). ``doc``: the JSON
    document of ``ds`` (:func:`lca.outputs.files.to_json_dict`) if the caller has it already."""
    from lca.model.arrays import RunArrays
    from lca.outputs import plots
    from lca.outputs.document import run_document

    ov = list(overrides or ())
    if doc is None:
        if isinstance(ds, RunArrays):
            doc = run_document(ds)
        else:
            from lca.outputs.files import to_json_dict

            doc = to_json_dict(ds)
    sc = model.scenario

    charts = [  # (build, caption, name); the absolute chart (16 panels) takes as long as the other three
        (lambda: plots.stages(ds), "Share of each life-cycle stage in the 16 EF 3.1 categories (hatched: not covered; "
                                   "!: a suspect datum is used, see Suspect data).", "stages"),
        (lambda: plots.components(ds), "Cradle-to-gate contribution by component (manufacturing and upstream "
                                       "transport).", "components"),
        (lambda: plots.absolute(ds), "Impact of each stage, one panel per category, in the category's unit.",
         "absolute"),
        (lambda: plots.single_score(ds), "EF 3.1 weighted single score by category and stage.", "single-score"),
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
            ("electricity background", ds.attrs.get("background", "none")),
            ("runs", DEFAULT_SAMPLES_NOTE if samples is None else
             f"Monte Carlo: {samples} samples, seed {seed if seed is not None else (mc.attrs.get('seed') if mc is not None else None)}"),
            ("lca version", __version__)]
    parts += [f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in meta]
    parts.append("</tbody></table>")
    nav = [("inputs", "Inputs"), ("quantities", "Quantities"), ("impacts", "Impacts"), ("coverage", "Coverage"),
           ("conventions", "Conventions"), ("suspect-data", "Suspect data"),
           ("charts", "Charts")] + ([("uncertainty", "Uncertainty"), ("robustness", "Robustness")] if mc is not None else []) + \
          ([("sensitivity", "Sensitivity")] if sens is not None else []) + [("sources", "Sources")]
    parts.append("<p>" + " &middot; ".join(f'<a href="#{a}">{t}</a>' for a, t in nav) + "</p>")
    parts.append(_inputs_section(model))
    parts.append(_quantities_section(doc))
    parts.append(_impacts_section(doc))
    parts.append(_coverage_section(doc, model, ds))
    parts.append("<h2 id=\"charts\">Charts</h2>")
    parts += _draw_all(charts, offload=2)
    if mc is not None:
        from lca.outputs.files import to_json_dict

        parts.append(_uncertainty_section(to_json_dict(mc), model, mc))
    if sens is not None:
        parts.append(_sensitivity_section(sens))
    parts.append(_references_section(model, ds))
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
