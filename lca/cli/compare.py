"""``lca compare A B [...]``: category totals side by side, ratios to the first scenario and, with
``--samples``, the probability that each is lower (common random numbers)."""

from __future__ import annotations

from lca.cli.common import emit, emit_console, output_options, sampling_options, scenario_options
from lca.cli.common import overrides as common_overrides


def _csv(doc: dict) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    stats = ("total", "ratio", "ratio_mean", "p_lower", "ratio_p05", "ratio_p95")
    w.writerow(["category", "unit", "scenario", *stats])
    for code, row in doc["categories"].items():
        for s in doc["scenarios"]:
            cell = row[s]
            w.writerow([code, row["unit"], s, *("" if cell.get(k) is None else repr(cell[k]) for k in stats)])
    return buf.getvalue()


def _render(doc: dict):
    from rich.table import Table

    from lca.outputs.formatting import number

    def render(con):
        labels = doc["scenarios"]
        t = Table(title=f"Comparison with {labels[0]}" + (f" ({doc['samples']} samples, seed {doc['seed']}, "
                                                           "common random numbers)" if doc["samples"] else ""))
        t.add_column("category")
        t.add_column("unit")
        for i in range(len(labels)):
            t.add_column(f"[{i + 1}] total", justify="right")
            if i:
                t.add_column(f"[{i + 1}] ratio", justify="right")
                if doc["samples"]:
                    t.add_column(f"[{i + 1}] ratio p05-p95", justify="right")
                    t.add_column(f"[{i + 1}] P(lower)", justify="right")
        for code, row in doc["categories"].items():
            cells = [code, row["unit"]]
            for i, s in enumerate(labels):
                c = row[s]
                cells.append(number(c["total"]))
                if i:
                    cells.append(number(c["ratio"]))
                    if doc["samples"]:
                        cells.append(f"{number(c['ratio_p05'])}-{number(c['ratio_p95'])}")
                        cells.append(number(c["p_lower"]))
            t.add_row(*cells)
        con.print(t)
        for i, s in enumerate(labels):
            con.print(f"[{i + 1}] {s}", markup=False)
        shared = doc["shared_assumptions"]
        if shared:
            con.print("Every scenario assumes the same (the comparison takes these as given):")
            for a in shared:
                con.print(f"  both assume {a}" if len(labels) == 2 else f"  all assume {a}", markup=False)

    return render


def cmd_compare(args) -> int:
    import json

    from lca.analysis.compare import to_json
    from lca.api import compare

    if args.plot:
        from lca.outputs import plots

        plots.output_format(args.plot)  # a bad suffix fails before anything is computed
    ds = compare(args.scenarios, samples=args.samples, seed=args.seed, set=common_overrides(args) or None)
    doc = to_json(ds)
    if args.format == "json":
        emit(json.dumps(doc, indent=2), args.output)
    elif args.format == "csv":
        emit(_csv(doc), args.output)
    else:
        emit_console(_render(doc), args.output)
    if args.plot:
        from lca.api import plot

        plot(ds, "compare", args.plot)
        print(f"wrote {args.plot}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("compare", parents=[scenario_options(set_help="override a parameter in every scenario"),
                                           sampling_options(samples_help="Monte Carlo samples (common random "
                                                            "numbers): adds P(lower) and ratio p05/p95"),
                                           output_options()],
                       help="compare scenarios category by category (ratios to the first, P(lower))",
                       description="Compare two or more scenarios (files or shipped names) in the 16 EF 3.1 "
                                   "categories: totals side by side and the ratio of each to the FIRST. With "
                                   "--samples, the probability that each scenario's total is lower than the "
                                   "first's, with the same random draws for shared inputs.")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario files or shipped names; the first is the reference")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--plot", metavar="FILE", help="also draw the compare chart (.png, .svg or .pdf)")
    p.set_defaults(func=cmd_compare)
