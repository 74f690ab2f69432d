"""``lca sensitivity`` and ``lca sweep``."""

from __future__ import annotations

import math
import sys

from lca.cli.common import (
    MAX_CHUNK,
    MAX_GRID_POINTS,
    MAX_N,
    MAX_RESAMPLES,
    emit,
    emit_console,
    grid_item,
    output_options,
    overrides,
    positive_int,
    progress_options,
    sampling_options,
    scenario_options,
)
from lca.errors import InputError


def _fmt(x) -> str:
    from lca.outputs.formatting import number as f

    return f(None if x is None else float(x))


def _g(x) -> str:
    x = float(x)
    return "n/c" if math.isnan(x) else f"{x:.4g}"


def _idx(x) -> str:
    x = float(x)
    return "n/c" if math.isnan(x) else f"{x:.3f}"


def _ci(x) -> str:
    x = float(x)
    return "" if math.isnan(x) else f"± {x:.3f}"


def _emit(args, console_fn):
    """Print to the console, or write the same text to -o."""
    emit_console(console_fn, args.output)


def _write(args, text):
    emit(text, args.output)


# ------------------------------------------------------------------------------------------------
def cmd_sensitivity(args) -> int:
    from lca.analysis import sensitivity as sens
    from lca.analysis.execution import keep_block_memory

    if args.format == "netcdf" and not args.output:
        raise InputError("--format netcdf needs -o PATH")
    keep_block_memory()  # this process ends with the command (see the function)
    res = sens.sensitivity_result(args.scenario, args.method, args.n, params=args.param or None,
                                  second_order=args.second_order, seed=args.seed, overrides=overrides(args),
                                  num_resamples=args.resamples, progress=not args.no_progress,
                                  groups=True if args.groups else None,
                                  inputs="scenario" if args.scenario_inputs_only else "all")
    if args.format == "netcdf":  # only this format needs xarray
        sens.to_netcdf(sens.to_dataset(res), args.output)
        print(f"wrote {args.output}")
    elif args.format == "json":
        _write(args, sens.to_json(res))
    else:
        _emit(args, lambda con: print_sensitivity(res, con))
    if args.output or args.format != "table":  # warnings also reach the terminal
        for w in [m for m in res.attrs.get("warnings", "").split("\n") if m]:
            print(f"warning: {w}", file=sys.stderr)
    return 0


def print_sensitivity(res, console) -> None:
    """The indices as a table (a :class:`~lca.analysis.sensitivity.SensitivityResult` or its Dataset)."""
    import numpy as np

    from lca.analysis.sensitivity import result_of
    from lca.cli.common import Table

    r = result_of(res)
    a, d = r.attrs, r.data
    method = a["method"]
    console.print(f"[bold]{a['scenario']}[/bold]  (lca {a['lca_version']})")
    console.print(f"{method} sensitivity: N = {a['N']} ({a['evaluations']} model evaluations), seed {a['seed']}; "
                  f"{int(a['conf_level'] * 100)}% confidence half-widths from {a['num_resamples']} bootstrap resamples"
                  if method != "morris" else
                  f"morris screening: {a['N']} trajectories ({a['evaluations']} model evaluations), seed {a['seed']}")
    params = list(r.parameters)
    grouped = r.members is not None
    if r.members is not None:  # grouped Sobol: the "parameters" are groups of paths
        parts = []
        for g, dist, members in zip(params, r.distributions, r.members):
            parts.append(f"{g} ~ {dist}" if members == [g] else f"{g} = {', '.join(members)}")
        console.print(f"{len(params)} groups of {sum(len(m) for m in r.members)} "
                      "parameters: " + "; ".join(parts), markup=False)
    else:
        console.print("parameters: " + "; ".join(f"{p} ~ {dist}" for p, dist in zip(params, r.distributions)),
                      markup=False)
    cols = {"sobol": (("S1", "S1_conf"), ("ST", "ST_conf")), "fast": (("S1", "S1_conf"), ("ST", "ST_conf")),
            "delta": (("delta", "delta_conf"), ("S1", "S1_conf")),
            "morris": (("mu_star", "mu_star_conf"), ("mu", None), ("sigma", None))}[method]
    t = Table()
    t.add_column("output")
    t.add_column("unit")
    t.add_column("group" if grouped else "parameter")
    for key, ckey in cols:
        t.add_column(key, justify="right")
        if ckey:
            t.add_column(f"{int(a['conf_level'] * 100)}% CI", justify="left")
    if method == "morris":
        t.add_column("mu*/max", justify="right")
    outs = list(r.outputs)
    for i, out in enumerate(outs):
        unit = r.output_units[i]
        vals = {k: v[i] for k, v in d.items() if not k.startswith("S2")}
        first = True
        if not np.any(np.isfinite(vals[cols[0][0]])):
            t.add_row(out, unit, "(indices not defined: see notes)", *[""] * (len(t.columns) - 3), end_section=True)
            continue
        for j, p in enumerate(params):
            row = [out if first else "", unit if first else "", p]
            for key, ckey in cols:
                v = vals[key][j]
                row.append(_fmt(v) if method == "morris" else _idx(v))
                if ckey:
                    c = vals[ckey][j]
                    row.append(("" if np.isnan(c) else f"± {_fmt(c)}") if method == "morris" else _ci(c))
            if method == "morris":
                mx = np.nanmax(vals["mu_star"])
                row.append(f"{vals['mu_star'][j] / mx:.3f}" if mx > 0 else "n/c")
            t.add_row(*row, end_section=(j == len(params) - 1))
            first = False
    console.print(t)
    if "S2" in d:
        _print_second_order(r, console, outs, params, grouped)
    guide = {"sobol": "S1: share of the output variance due to the parameter alone; ST: including its interactions "
                      "(ST ~ 0: the parameter can be fixed anywhere in its range).",
             "fast": "S1: share of the output variance due to the parameter alone; ST: including its interactions.",
             "delta": "delta: moment-independent importance (0 = the output distribution does not depend on the parameter); "
                      "S1: first-order Sobol index estimated from the same samples.",
             "morris": "mu*: mean absolute elementary effect (output units, per unit of the [0, 1] level scale): ranks "
                       "the parameters; sigma >> 0: non-linear or interacting."}[method]
    if grouped:
        guide = ("S1: share of the output variance due to the group's parameters alone (with their interactions "
                 "inside the group); ST: including interactions with other groups (ST ~ 0: the whole group can be "
                 "fixed).")
    console.print(guide)
    for m in [m for m in a.get("notes", "").split("\n") if m]:
        console.print(f"note: {m}", markup=False)
    for m in [m for m in a.get("warnings", "").split("\n") if m]:
        console.print(f"warning: {m}", markup=False)


def _print_second_order(r, console, outs, params, grouped) -> None:
    """The second-order indices that differ from 0 beyond their confidence interval."""
    import numpy as np

    from lca.cli.common import Table

    a = r.attrs
    s2, c2 = r.data["S2"], r.data["S2_conf"]
    with np.errstate(invalid="ignore"):
        sig = np.abs(s2) > c2
    if not sig.any():
        console.print("second-order indices S2: none differs from 0 beyond its confidence interval "
                      "(no detectable pairwise interaction; all values in the json/netcdf output)")
    else:
        t2 = Table(title="second-order indices S2 that differ from 0 beyond their confidence interval")
        for col in ("output", "groups" if grouped else "parameters", "S2", f"{int(a['conf_level'] * 100)}% CI"):
            t2.add_column(col, justify="right" if col == "S2" else "left")
        for i, x, y in zip(*np.nonzero(sig)):
            t2.add_row(outs[i], f"{params[x]} x {params[y]}", _idx(s2[i, x, y]), _ci(c2[i, x, y]))
        console.print(t2)


# ------------------------------------------------------------------------------------------------
def cmd_sweep(args) -> int:
    import json

    from lca.analysis.execution import dask_client
    from lca.analysis.sweep import BYTES_PER_POINT, parse_grid, sweep
    from lca.inventory.method import CODES
    from lca.model import prepare
    from lca.outputs.documents import sweep_csv as to_csv
    from lca.outputs.documents import sweep_json_dict as to_json_dict
    from lca.outputs.files import write_netcdf

    if args.format == "netcdf" and not args.output:
        raise InputError("--format netcdf needs -o PATH")
    if not args.grid and args.samples is None:
        raise InputError("give at least one --grid PATH=START:STOP:NUM (e.g. --grid workload.mfu=0.2:0.6:9), or --samples N")
    cats = []
    for c in args.category or []:
        if c == "all":
            cats = list(CODES)
            break
        from lca.inventory.method import code_of

        cats.append(code_of(c))
    model = prepare(args.scenario, overrides=overrides(args))
    grid = parse_grid(args.grid, model.scenario)
    points = math.prod(len(v) for v in grid.values())  # Python ints: no overflow
    if points > MAX_GRID_POINTS:
        raise InputError(f"--grid: {points:,} grid points; at most {MAX_GRID_POINTS:,} (the product of the NUMs)")
    total = points * (args.samples or 1)
    if args.format != "netcdf" and total > 5_000_000:
        raise InputError(f"the sweep has {total:,} evaluations: too many for --format {args.format}; "
                         "write --format netcdf -o FILE (streamed with --dask), or sweep fewer points")
    progress = not args.no_progress
    if args.dask is not None and args.format == "netcdf":
        with dask_client(args.dask) as client:
            ds = sweep(model, grid, samples=args.samples, seed=args.seed, lazy=True, chunk_size=args.chunk_size)
            write_netcdf(ds, args.output, client=client, progress=progress)
        print(f"wrote {args.output}")
        return 0
    if args.format == "netcdf" and total * BYTES_PER_POINT > args.memory_budget * 2**30:
        # above the memory budget: stream the chunks into the file (dask threads), never the whole result
        ds = sweep(model, grid, samples=args.samples, seed=args.seed, lazy=True, chunk_size=args.chunk_size)
        write_netcdf(ds, args.output)
        print(f"wrote {args.output} (streamed: {total * BYTES_PER_POINT / 2**30:.3g} GiB is above the memory budget "
              f"of {args.memory_budget:g} GiB)")
        return 0
    if total * BYTES_PER_POINT > args.memory_budget * 2**30:
        raise InputError(f"the sweep's result would hold {total * BYTES_PER_POINT / 2**30:.3g} GiB, above the memory "
                         f"budget of {args.memory_budget:g} GiB (--memory-budget); write --format netcdf -o FILE "
                         "(streamed), sweep fewer points, or raise --memory-budget")
    ds = sweep(model, grid, samples=args.samples, seed=args.seed, dask=args.dask, chunk_size=args.chunk_size,
               progress=progress, memory_budget=args.memory_budget)
    if args.format == "netcdf":
        write_netcdf(ds, args.output)
        print(f"wrote {args.output}")
    elif args.format == "json":
        _write(args, json.dumps(to_json_dict(ds), indent=2))
    elif args.format == "csv":
        _write(args, to_csv(ds))
    else:
        _emit(args, lambda con: print_sweep(ds, con, cats or ["gwp"]))
    return 0


def print_sweep(ds, console, cats, max_rows=200) -> None:
    import numpy as np
    from rich.table import Table

    from lca.vocab import KERNEL_QUANTITIES as QUANTITIES

    sampled = "sample" in ds.dims
    dims = [d for d in ds["gwp"].dims if d != "sample"]
    a = ds.attrs
    console.print(f"[bold]{a['scenario']}[/bold]  (lca {a['lca_version']}; grid {a['grid']})")
    npts = int(np.prod([ds.sizes[d] for d in dims])) if dims else 1
    swept = ", ".join(f"{d} ({ds.sizes[d]} values, {ds[d].attrs.get('unit_label', ds[d].attrs.get('units'))})"
                      for d in dims)
    line = f"sweep over {swept or 'no grid'}"
    if sampled:
        line += (f"; Monte Carlo: {a['samples']} samples per point (seed {a['seed']}; sampled: {a.get('sampled') or 'none'}); "
                 "values are means, [p05, p95] for the categories")
    console.print(line, markup=False)
    t = Table()
    for d in dims:
        t.add_column(d, justify="right")
    labels = {"accelerator_hours": "accelerator-hours (h)", "energy": "energy (kWh)", "lifetimes_consumed": "lifetimes"}
    for q in QUANTITIES:
        t.add_column(labels[q], justify="right")
    for c in cats:
        t.add_column(f"{c} ({ds[c].attrs['unit_label']})", justify="right")
    names = list(QUANTITIES) + list(cats)
    arrs = {}
    for k in names:
        da = ds[k].transpose(*dims, *(["sample"] if sampled else []))
        arrs[k] = np.asarray(da.values, dtype=float).reshape(npts, -1)
    coords = np.meshgrid(*[ds[d].values for d in dims], indexing="ij") if dims else []
    coords = [c.ravel() for c in coords]
    for r in range(min(npts, max_rows)):
        row = [str(c[r]) if isinstance(c[r], str) else f"{c[r]:g}" for c in coords]
        for k in names:
            v = arrs[k][r]
            if sampled and k in cats:
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    lo, hi = np.nanpercentile(v, 5), np.nanpercentile(v, 95)
                cell = f"{_g(np.nanmean(v))} [{_g(lo)}, {_g(hi)}]"
            else:
                cell = _g(np.nanmean(v) if sampled else v[0])
            row.append(cell)
        t.add_row(*row)
    console.print(t)
    if npts > max_rows:
        console.print(f"... {npts - max_rows} more points: use --format csv, json or netcdf for all of them")
    console.print("columns: more categories with --category CODE (repeatable) or --category all")


# ------------------------------------------------------------------------------------------------
def register(sub) -> None:
    from lca.vocab import DEFAULT_N, METHODS

    s = sub.add_parser("sensitivity", help="global sensitivity indices (Sobol, Morris, FAST, delta)",
                       parents=[scenario_options(set_help="override a parameter before the analysis"),
                                sampling_options(seed_help="random seed (sampling and bootstrap): same seed, same result"),
                                output_options(), progress_options()],
                       description="Global sensitivity of the 16 category totals and of accelerator_hours, energy "
                                   "and lifetimes_consumed to the scenario's uncertain parameters (docs/sensitivity.md).")
    s.add_argument("scenario", help="scenario file, or the name of a shipped scenario")
    s.add_argument("--method", choices=METHODS, default="sobol")
    s.add_argument("-n", type=positive_int(MAX_N), default=None,
                   help=f"sobol: base sample size N, a power of two (default {DEFAULT_N['sobol']}); morris: trajectories "
                        f"(default {DEFAULT_N['morris']}); fast: samples per parameter (default {DEFAULT_N['fast']}); "
                        f"delta: samples (default {DEFAULT_N['delta']}); at most {MAX_N:,}")
    s.add_argument("--second-order", action="store_true", help="sobol: also second-order indices S2")
    s.add_argument("--param", action="append", default=[], metavar="PATH",
                   help="analyse only this uncertain parameter (repeatable); default: every uncertain one")
    s.add_argument("--resamples", type=positive_int(MAX_RESAMPLES), default=100,
                   help=f"bootstrap resamples for the confidence intervals (default 100; at most {MAX_RESAMPLES:,})")
    s.add_argument("--groups", action="store_true",
                   help="sobol: indices per group (grid data, manufacturing data, end-of-life data, bill of materials, "
                        "yield model, transport distances; each scenario input on its own): N*(G+2) evaluations")
    s.add_argument("--scenario-inputs-only", action="store_true",
                   help="analyse only the inputs the scenario sets (default: every uncertain datum, grid factors and "
                        "component data included)")
    s.add_argument("--format", choices=("table", "json", "netcdf"), default="table")
    s.set_defaults(func=cmd_sensitivity)

    w = sub.add_parser("sweep", help="evaluate a scenario over a grid of parameter values",
                       parents=[scenario_options(), sampling_options(samples_help="Monte Carlo samples at every grid point"),
                                output_options(), progress_options()],
                       description="Full-factorial sweep: one result dimension per --grid parameter (named by its path), "
                                   "optionally with Monte Carlo samples of the other uncertain parameters at every point.")
    w.add_argument("scenario", help="scenario file, or the name of a shipped scenario")
    w.add_argument("--grid", action="append", default=[], metavar="PATH=SPEC", type=grid_item,
                   help="PATH=START:STOP:NUM (NUM evenly spaced values) or PATH=V1,V2,...; values in the parameter's "
                        "unit (lifespan in years, mfu as a fraction); or a categorical dimension of ids: "
                        "accelerator=ID1,ID2, operation.grid=FR,DE,US, background=ID1,ID2; repeatable")
    w.add_argument("--dask", metavar="local|ADDRESS",
                   help="evaluate in chunks on dask.distributed: a LocalCluster (local) or the scheduler at ADDRESS")
    w.add_argument("--chunk-size", type=positive_int(MAX_CHUNK), default=2**19,
                   help=f"evaluations per chunk (default 524288; at most {MAX_CHUNK:,})")
    from lca.cli.common import bounded_float
    from lca.vocab import MEMORY_BUDGET_GIB

    w.add_argument("--memory-budget", type=bounded_float(0.01, 1e6), default=MEMORY_BUDGET_GIB, metavar="GIB",
                   help=f"memory (GiB) the computed result may use (default {MEMORY_BUDGET_GIB:g}; 8 bytes per output and "
                        "evaluation): above it --format netcdf streams the chunks into the file, other formats refuse")
    w.add_argument("--format", choices=("table", "json", "csv", "netcdf"), default="table")
    w.add_argument("--category", action="append", metavar="CODE", help="table: category columns (default gwp; 'all')")
    w.set_defaults(func=cmd_sweep)
