"""``lca plot`` and ``lca report``."""

from __future__ import annotations

from lca.cli.common import DPI_RANGE, MAX_N, MAX_SAMPLES, MAX_SEED, bounded_int, int_at_most, overrides, positive_int


def cmd_plot(args) -> int:
    from lca.api import plot
    from lca.outputs import plots

    width = {"column": plots.COLUMN_WIDTH, "full": plots.FULL_WIDTH, None: None}[args.width]
    plot(args.result, args.kind, args.output, dpi=args.dpi, set=overrides(args), samples=args.samples, seed=args.seed,
         var=args.var, x=args.x, y=args.y, index=args.index, width=width)
    print(f"wrote {args.output}")
    return 0


def cmd_report(args) -> int:
    from lca.api import write_report
    from lca.errors import InputError

    if args.n is not None and not args.sensitivity:
        raise InputError("-n sets the Sobol base sample size: use it with --sensitivity")
    path = write_report(args.scenario, args.output, set=overrides(args), samples=args.samples, seed=args.seed,
                        sensitivity=args.sensitivity, sensitivity_n=args.n)
    print(f"wrote {path}")
    return 0


def register(sub) -> None:
    from lca.vocab import KINDS

    p = sub.add_parser("plot", help="draw a chart of a result, sweep or sensitivity analysis",
                       description="Draw one chart. RESULT: a netCDF written with --format netcdf by lca run, "
                                   "lca sweep or lca sensitivity, or a scenario YAML (evaluated first).")
    p.add_argument("result", metavar="RESULT", help="result/sweep/sensitivity .nc, or a scenario .yaml")
    p.add_argument("--kind", required=True, choices=KINDS, help="chart kind")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="output file: .png, .svg or .pdf")
    p.add_argument("--var", help="heatmap: output to show (lifetimes_consumed, a category code ...)")
    p.add_argument("--x", help="heatmap: swept parameter on the x axis (default: the first)")
    p.add_argument("--y", help="heatmap: swept parameter on the y axis (default: the second)")
    p.add_argument("--index", choices=("S1", "ST"), help="sobol/sobol-heatmap: index in the heatmap (default ST)")
    p.add_argument("--width", choices=("column", "full"), help="figure width: paper column (3.5 in) or full page (7.2 in)")
    p.add_argument("--dpi", type=bounded_int(*DPI_RANGE), default=300,
                   help=f"resolution of PNG output (default 300; {DPI_RANGE[0]} to {DPI_RANGE[1]})")
    p.add_argument("--set", action="append", default=[], metavar="K=V", help="scenario RESULT only: override a parameter")
    p.add_argument("--samples", type=int_at_most(MAX_SAMPLES), help="scenario RESULT only: Monte Carlo samples (for --kind distribution)")
    p.add_argument("--seed", type=bounded_int(0, MAX_SEED), help="scenario RESULT only: random seed")
    p.set_defaults(func=cmd_plot)

    r = sub.add_parser("report", help="write a self-contained HTML report of a scenario",
                       description="Write DIR/index.html: inputs with sources, quantities, the 16-category table by "
                                   "stage, coverage, charts; uncertainty with --samples, Sobol sensitivity with "
                                   "--sensitivity. No network access is needed to view it.")
    r.add_argument("scenario", help="scenario file, or the name of a shipped scenario")
    r.add_argument("-o", "--output", required=True, metavar="DIR", help="output directory (index.html is written there)")
    r.add_argument("--set", action="append", default=[], metavar="K=V", help="override a parameter, e.g. workload.mfu=0.5")
    r.add_argument("--samples", type=int_at_most(MAX_SAMPLES), help="add a Monte Carlo uncertainty section with N samples")
    r.add_argument("--seed", type=bounded_int(0, MAX_SEED), help="random seed (Monte Carlo and sensitivity)")
    r.add_argument("--sensitivity", action="store_true", help="add a Sobol sensitivity section")
    r.add_argument("-n", type=positive_int(MAX_N), help=f"with --sensitivity: Sobol base sample size (at most {MAX_N:,})")
    r.set_defaults(func=cmd_report)
