"""``lca run``, ``lca validate`` and ``lca list``."""

from __future__ import annotations

import sys

from lca.cli.common import bounded_float, console, output_options, sampling_options, scenario_options
from lca.cli.common import overrides as common_overrides
from lca.errors import LcaError
from lca.outputs.formatting import number as _fmt
from lca.vocab import MEMORY_BUDGET_GIB, STAGES, STREAM_ABOVE_SAMPLES


def cmd_run(args) -> int:

    overrides = common_overrides(args)
    if args.factors:
        from lca.scenario import factor_overrides

        overrides = factor_overrides(args.scenario, common_overrides(args), args.factors)
    if args.samples is None and args.seed is not None:
        print("warning: --seed has no effect without --samples (a deterministic run draws nothing)", file=sys.stderr)
    if args.samples is None and args.format in ("table", "json"):
        # the document straight from the model's arrays: no xarray Dataset (a cold run in < 1 s)
        from lca.model.compose import prepare, run_arrays
        from lca.outputs.document import run_document, to_json_text

        doc = run_document(run_arrays(prepare(args.scenario, overrides=overrides)))
        if args.format == "table":
            return _table_out(doc, args)
        _emit_text(to_json_text(doc), args)
        return 0
    from lca.outputs.files import to_csv, to_json, to_json_dict, to_netcdf

    if args.samples is None:
        from lca.model import run

        ds = run(args.scenario, overrides=overrides)
    else:
        from lca.analysis.execution import keep_block_memory
        from lca.model import prepare
        from lca.model.compose import monte_carlo
        from lca.model.streaming import in_memory_gib, summarise

        model = prepare(args.scenario, overrides=overrides)
        inputs = "scenario" if args.scenario_inputs_only else "all"
        need = in_memory_gib(model, args.samples)
        keep = args.keep_samples or args.format in ("csv", "netcdf")
        if keep and need > args.memory_budget:
            why = "--keep-samples" if args.keep_samples else f"--format {args.format}"
            raise LcaError(f"--samples {args.samples:,} with {why} keeps every sample in memory: about {need:.1f} GiB, "
                           f"above the memory budget of {args.memory_budget:g} GiB (--memory-budget); use fewer "
                           "samples, or --format table/json without --keep-samples (statistics are then streamed)")
        if keep or (args.samples <= STREAM_ABOVE_SAMPLES and need <= args.memory_budget):
            ds = monte_carlo(model, args.samples, args.seed, inputs=inputs)
        else:
            keep_block_memory()  # this process ends with the run (see the function)
            summary = summarise(model, args.samples, args.seed, inputs=inputs)
            if args.format == "json":
                _emit_text(to_json(summary), args)
                return 0
            from lca.outputs.files import summary_json_dict

            return _table_out(summary_json_dict(summary), args)
    fmt = args.format
    if fmt == "netcdf":
        if not args.output:
            raise LcaError("--format netcdf needs -o PATH")
        to_netcdf(ds, args.output)
        print(f"wrote {args.output}")
        return 0
    text: str | None
    if fmt == "json":
        text = to_json(ds)
    elif fmt == "csv":
        text = to_csv(ds)
    else:
        text = None
    if text is not None:
        _emit_text(text, args)
        return 0
    return _table_out(to_json_dict(ds), args)


def _emit_text(text: str, args) -> None:
    """Write ``text`` to ``-o PATH`` (atomically) or to standard output."""
    from lca.outputs.files import write_text

    if args.output:
        write_text(args.output, text)
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))


def _table_out(doc: dict, args) -> int:
    from lca.outputs.files import write_text

    if args.output:
        from io import StringIO

        from rich.console import Console

        buf = StringIO()
        print_table(doc, Console(file=buf, width=160, highlight=False, color_system=None))
        write_text(args.output, buf.getvalue())
        print(f"wrote {args.output}")
    else:
        print_table(doc, console())
    return 0


def print_table(doc: dict, console) -> None:
    """The run result as text, fitted to ``console.width`` (see :func:`impact_tables`)."""
    q = doc["quantities"]
    from rich.markup import escape

    console.print(f"[bold]{escape(str(doc['scenario']))}[/bold]  (lca {doc['lca_version']}; accelerator {doc['accelerator']}; "
                  f"embodied {escape(str(doc['embodied_method']))}; grid {doc['grid']} ({escape(str(doc.get('grid_name')))}); "
                  f"background {doc.get('background') or 'none'})")
    if doc.get("overrides"):
        console.print(escape("overrides: " + ", ".join(doc["overrides"])))
    for src in doc.get("sources", []):
        if src.get("sha256"):
            console.print(escape(f"measured energy input: {src['path']} (SHA-256 {src['sha256']})"))
    parts = []
    for k, label in (("accelerator_hours", "accelerator-hours"), ("energy", "energy"),
                     ("lifetimes_consumed", "accelerator lifetimes consumed"), ("accelerator_count", "whole accelerators"),
                     ("hardware_mass", "hardware mass")):
        if k in q:
            unit = {"kilowatt_hour": "kWh", "hour": "h", "dimensionless": "", "kilogram": "kg"}.get(q[k]["unit"], q[k]["unit"])
            parts.append(f"{label} {_fmt(q[k]['value'])} {unit}".rstrip())
    console.print("; ".join(parts))
    if "samples" in doc:
        console.print(escape(f"Monte Carlo: {doc['samples']} samples ({len(doc.get('sampled', []))} uncertain inputs "
                             f"drawn), seed {doc['seed']}; values are means, [p05, p95]"))
    for t in impact_tables(doc, console):
        console.print(t)
    console.print("LT conv.: long-term emissions in the characterised data of all covered components -- LT excl. "
                  "(excluded, as EF 3.1 toxicity), LT incl. (included), n/a (no long-term emissions involved), "
                  "MIXED (the stages disagree: see warnings)")
    for w in doc.get("warnings", []):
        console.print(escape(f"warning: {w}"))
    sus = [(c, s) for c, e in doc["impacts"].items() for s in e.get("suspect", [])]
    if sus:
        console.print("Suspect data (!, kept as published; embodied.suspect_data: alternative uses the documented alternative):")
        for c, s in sus:
            alt = f"; alternative {_fmt(s['alternative'])}" if s.get("alternative") is not None else ""
            console.print(escape(f"  {c}: {s['component']}: {s['reason'][:160]}{alt}"))
    ss = doc["single_score"]
    console.print(f"EF 3.1 single score: {_fmt(ss['value'])} Pt ({ss['coverage']})")
    prox = [(c, e["proxy_components"]) for c, e in doc["impacts"].items() if e.get("proxy_components")]
    if prox:
        console.print("Proxy data (a related indicator, see docs/data.md): "
                      + "; ".join(f"{c}: {', '.join(p)}" for c, p in prox))
    gaps = [(c, e["missing_stages"], e.get("missing_components", [])) for c, e in doc["impacts"].items() if e.get("missing_stages")]
    if gaps:
        console.print("Not covered by open data (n/c; partial totals are lower bounds):")
        for c, stages, comps in gaps:
            console.print(f"  {c}: stage {', '.join(stages)} (components {', '.join(comps)})")
    _print_sources(doc.get("sources", []), console)


_NUMERIC = ("manufacturing", "transport", "use", "end of life", "total", "p05-p95")


def _cells(code: str, e: dict) -> dict:
    """One category's cells, by column name."""
    from rich.markup import escape

    p05 = e.get("p05")
    return {"code": code, "category": e["name"], "unit": e["unit"],
            **{s.replace("_", " "): _fmt(e["stages"][s]) for s in STAGES},
            "total": _fmt(e["total"]),
            "p05-p95": escape(f"[{_fmt(p05)}, {_fmt(e['p95'])}]") if p05 is not None else "",
            "coverage": e["coverage"] + (" !" if e.get("suspect") else ""),
            "LT conv.": CONVENTION_LABELS.get(str(e.get("convention")), "?"),
            "dominant stage (p)": _dominant(e.get("robustness") or {})}


def _table(doc: dict, cols: list[str], *, p_in_total: str = "", title: str | None = None):
    """A table of ``cols``; ``p_in_total`` " " or "\n" puts p05-p95 into the total cell."""
    from rich.table import Table

    t = Table(show_lines=False, title=title, show_edge=title is None)  # the narrow layout has titles
    for col in cols:
        num = col in _NUMERIC
        t.add_column(col, justify="right" if num else "left", min_width=len(col) if num else None)
    for code, e in doc["impacts"].items():
        c = _cells(code, e)
        if p_in_total and c["p05-p95"]:
            c["total"] += p_in_total + c["p05-p95"]
        t.add_row(*(c[col] for col in cols))
    return t


def impact_tables(doc: dict, console) -> list:
    """The impact table(s) that fit ``console.width``, most complete first.

    One table with every column if it fits; else without the category names; else with p05-p95
    under the total; else two tables: stages, then totals with coverage and convention."""
    from rich.measure import Measurement

    sampled = "samples" in doc
    extra = ["coverage", "LT conv."] + (["dominant stage (p)"] if sampled else [])
    stages = [s.replace("_", " ") for s in STAGES]
    wide = console.options.update_width(10 * console.width)
    fits = lambda t: Measurement.get(console, wide, t).maximum <= console.width  # noqa: E731
    for cols, sep in ((["code", "category", "unit", *stages, "total"], " "), (["code", "unit", *stages, "total"], " "),
                      (["code", "unit", *stages, "total"], "\n")):
        t = _table(doc, cols + extra, p_in_total=sep if sampled else "")
        if fits(t):
            return [t]
    totals = ["code", "category", "total"] + (["p05-p95"] if sampled else []) + extra
    second = _table(doc, totals, title="Totals")
    names = max(len(e["name"]) for e in doc["impacts"].values())
    if Measurement.get(console, wide, second).maximum > console.width + names // 2:  # names on up to 2 lines
        second = _table(doc, [c for c in totals if c != "category"], title="Totals")
    return [_table(doc, ["code", "unit", *stages], title="By life-cycle stage"), second]


def _print_sources(sources: list, console) -> None:
    """The table footer: every source the run used, with what it supports and its licence."""
    from rich.markup import escape

    if not sources:
        return
    console.print("Sources:")
    for s in sources:
        sup = s.get("supports", [])
        more = f", ... (+{len(sup) - 6})" if len(sup) > 6 else ""
        console.print(escape(f"  [{s['id']}] {s['citation']} Licence: {s['licence']}. "
                             f"Supports: {', '.join(sup[:6])}{more}"))


def _list_more(what: str, inv, con) -> None:
    from lca.cli.common import Table

    if what == "backgrounds":
        t = Table(title="Electricity backgrounds (scenario key background:, or --background NAME)")
        for col in ("id", "name", "convention", "grids changed", "default"):
            t.add_column(col)
        for b in inv.backgrounds.values():
            t.add_row(b.id, b.name, b.convention, ", ".join(sorted(b.grids)) or "(the grid files)",
                      "yes" if b.id == inv.default_background else "")
    elif what == "hosts":
        t = Table(title="Host servers (scenario key host:)")
        for col in ("id", "name", "accelerators per host", "categories covered"):
            t.add_column(col)
        for h in inv.hosts.values():
            t.add_row(h.id, h.name, f"{h.accelerators_per_host:g}", f"{int(h.embodied.covered.sum())} of 16")
    else:
        from lca.inventory.files import load_yaml, scenarios_dir

        t = Table(title=f"Shipped scenarios ({scenarios_dir()})")
        for col in ("name", "title", "accelerator", "grid"):
            t.add_column(col)
        for f in sorted(scenarios_dir().glob("*.yaml")):
            raw = load_yaml(f)
            grid = (raw.get("operation") or {}).get("grid")
            t.add_row(f.stem, str(raw.get("name", "")), str(raw.get("accelerator", "")),
                      str(grid.get("base", "inline") if isinstance(grid, dict) else grid))
    con.print(t)


CONVENTION_LABELS = {"lt_excluded": "LT excl.", "lt_included": "LT incl.", "not_applicable": "n/a",
                     "mixed": "MIXED", "undeclared": "?", "none": "-"}


def _dominant(rob: dict) -> str:
    p = rob.get("p_stage_dominates")
    if not p:
        return "-"
    stage = max(p, key=lambda s: p[s])
    return f"{stage.replace('_', ' ')} ({p[stage]:.2f})"


def cmd_validate(args) -> int:
    from lca.validation import validate_paths

    n = validate_paths(args.paths)
    print(f"ok: {n} file(s) valid")
    return 0


def cmd_list(args) -> int:
    from lca.cli.common import Table
    from lca.inventory import load_inventory
    from lca.inventory.method import CODES, categories

    inv = load_inventory()
    con = console()
    if args.what == "categories":
        t = Table(title="EF 3.1 impact categories")
        for col in ("code", "name", "unit", "robustness", "normalisation (per person)", "weight %"):
            t.add_column(col)
        for c in categories():
            t.add_row(c.code, c.name, c.unit, c.robustness, f"{c.normalisation:.6g}", f"{c.weight:.2f}")
        con.print(t)
    elif args.what == "accelerators":
        t = Table(title="Accelerators")
        for col in ("id", "name", "peak FLOP/s", "TDP", "measured data", "BOM"):
            t.add_column(col)
        for a in inv.accelerators.values():
            pk = a.specs.get("peak_flops")
            tdp = a.specs.get("tdp")
            t.add_row(a.id, a.name, f"{pk.value.m_as('FLOP/s'):.3g}" if pk else "n/a",
                      f"{tdp.value.m_as('W'):g} W" if tdp else "n/a", ", ".join(a.measured) or "-",
                      "estimated" if a.estimated else "published")
        con.print(t)
    elif args.what in ("backgrounds", "hosts", "scenarios"):
        _list_more(args.what, inv, con)
    elif args.what == "grids":
        full = [g for g in inv.grids.values() if not g.carbon_only]
        t = Table(title="Electricity grids (per kWh): M measured, P proxy, - not covered")
        t.add_column("id")
        t.add_column("name")
        t.add_column("gwp kg CO2 eq/kWh", justify="right")
        for code in CODES:
            t.add_column(code, justify="center")
        t.add_column("coverage")
        for g in full:
            marks = ["M" if s == "measured" else "P" if s == "proxy" else "S" if s == "suspect" else "-"
                     for s in g.vector.status]
            n_m, n_p = marks.count("M"), marks.count("P")
            t.add_row(g.id, g.name, _fmt(g.vector.values[0]), *marks, f"{n_m} measured, {n_p} proxy, {16 - n_m - n_p} n/c")
        con.print(t)
        co = [g for g in inv.grids.values() if g.carbon_only]
        if co:
            con.print(f"plus {len(co)} carbon-only grids (climate change only; ISO-3 ids, e.g. "
                      f"{', '.join(g.id for g in co[:6])}, ...): `lca list grids --all` lists them")
            if args.all:
                t2 = Table(title="Carbon-only grids")
                for col in ("id", "name", "gwp kg CO2 eq/kWh", "year"):
                    t2.add_column(col)
                for g in co:
                    t2.add_row(g.id, g.name, _fmt(g.vector.values[0]), str(g.year or ""))
                con.print(t2)
    return 0



def register(sub) -> None:
    r = sub.add_parser("run", help="evaluate a scenario",
                       parents=[scenario_options(factors=True), sampling_options(inputs=True), output_options()])
    r.add_argument("scenario", help="scenario file, or the name of a shipped scenario (e.g. gpt4-a100)")
    r.add_argument("--format", choices=("table", "json", "csv", "netcdf"), default="table")
    r.add_argument("--keep-samples", action="store_true",
                   help="with --samples: keep every sample in memory (exact percentiles); by default "
                        f"runs above {STREAM_ABOVE_SAMPLES:,} samples stream their statistics")
    r.add_argument("--memory-budget", type=bounded_float(0.01, 1e6), default=MEMORY_BUDGET_GIB, metavar="GIB",
                   help=f"memory (GiB) a run may use for samples kept in memory (default {MEMORY_BUDGET_GIB:g}); "
                        "above it table and json output stream, csv and netcdf are refused")
    r.set_defaults(func=cmd_run)

    v = sub.add_parser("validate", help="validate inventory and scenario files")
    v.add_argument("paths", nargs="+")
    v.set_defaults(func=cmd_validate)

    li = sub.add_parser("list", help="list accelerators, grids, backgrounds, hosts, scenarios or categories")
    li.add_argument("what", choices=("accelerators", "grids", "backgrounds", "hosts", "scenarios", "categories"))
    li.add_argument("--all", action="store_true", help="with grids: also list the carbon-only grids")
    li.set_defaults(func=cmd_list)
