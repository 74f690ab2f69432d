"""CLI commands for interoperability (docs/interop.md, docs/byo-factors.md).

``lca export RESULT --hf-card [-o FILE]``   Hugging Face model-card block + markdown table
``lca export RESULT --format json|csv``       a stored netCDF result (or a scenario) as JSON/CSV
``lca factors from-brightway --project P --activity DB:CODE... [--method-family "EF v3.1"] -o FILE``
``lca factors template [--kind grid]... [-o FILE]``
"""

from __future__ import annotations

from lca.cli.common import Parser, emit, overrides
from lca.errors import InputError


def _emit(text: str, output) -> None:
    emit(text, output)


def cmd_export(args) -> int:
    if not args.hf_card and not args.format:
        raise InputError("lca export: choose what to write: --hf-card, or --format json|csv")
    if args.hf_card and args.format:
        raise InputError("lca export: give --hf-card or --format, not both")
    if args.hf_card:
        from lca.api import hf_card

        text = hf_card(args.result, set=overrides(args), training_type=args.training_type,
                       location=args.location, hardware=args.hardware)
    else:
        from lca.api import _data

        text = _document(_data(args.result, set=overrides(args)), args.format)
    _emit(text, args.output)
    return 0


def _document(ds, fmt: str) -> str:
    """A result, sweep or sensitivity Dataset as JSON or CSV (sweeps keep their swept dims)."""
    import json
    import warnings

    from lca.outputs.plots import data_kind

    # morris results have no S1/ST, which data_kind looks for: a sensitivity has (output, parameter) dims
    kind = "sensitivity" if {"output", "parameter"} <= set(ds.dims) else data_kind(ds)
    if kind == "sweep":
        from lca.outputs.documents import sweep_csv, sweep_json_dict

        return json.dumps(sweep_json_dict(ds), indent=2) if fmt == "json" else sweep_csv(ds)
    if kind == "sensitivity":
        from lca.analysis.sensitivity import to_json_dict

        if fmt == "csv":
            raise InputError("--format csv: a sensitivity result has no CSV form; use --format json")
        # attrs read back from netCDF are numpy scalars
        return json.dumps(to_json_dict(ds), indent=2, default=lambda o: o.item() if hasattr(o, "item") else str(o))
    from lca.outputs.files import to_csv, to_json

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*unit of the quantity is stripped.*")
        return to_json(ds) if fmt == "json" else to_csv(ds)


def cmd_from_brightway(args) -> int:
    from lca.inventory import load_inventory
    from lca.inventory.brightway import from_brightway
    from lca.inventory.user_factors import read_factor_csv

    text = from_brightway(args.project, args.activity, args.method_family, kinds=args.kind,
                          processes=args.process, source=args.source, base_dir=args.dir)
    # round trip: what we write must load as a user factor file
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / (Path(args.output).name if args.output else "factors.csv")
        p.write_text(text, encoding="utf-8")
        read_factor_csv(p, load_inventory().sources)
    _emit(text, args.output)
    return 0


def cmd_template(args) -> int:
    from lca.inventory.user_factors import template_csv

    _emit(template_csv(tuple(args.kind or ["grid"])), args.output)
    return 0


def register(sub) -> None:

    e = sub.add_parser("export", help="export a result: Hugging Face model card (--hf-card), JSON or CSV")
    e.add_argument("result", help="result netCDF from `lca run --format netcdf`, or a scenario (run deterministically)")
    e.add_argument("--hf-card", action="store_true",
                   help="write the model-card co2_eq_emissions block and a table of the 16 categories by stage")
    e.add_argument("--format", choices=("json", "csv"), help="write the result as JSON or CSV instead")
    e.add_argument("-o", "--output", help="write to this file instead of standard output")
    e.add_argument("--set", action="append", default=[], metavar="K=V", help="with a scenario: override a parameter")
    e.add_argument("--training-type", default="pre-training", choices=("pre-training", "fine-tuning"),
                   help="co2_eq_emissions.training_type (default: pre-training)")
    e.add_argument("--location", help="co2_eq_emissions.geographical_location (default: the grid's name)")
    e.add_argument("--hardware", help="co2_eq_emissions.hardware_used (default: accelerators and lifetimes consumed)")
    e.set_defaults(func=cmd_export)

    f = sub.add_parser("factors", help="user factor files: from Brightway, or an empty template")
    fs = f.add_subparsers(dest="factors_command", required=True, parser_class=Parser)
    b = fs.add_parser("from-brightway",
                      help="per-unit EF 3.1 scores of Brightway activities as a factor CSV (needs lca[brightway])")
    b.add_argument("--project", required=True, help="Brightway project name")
    b.add_argument("--activity", action="append", required=True, metavar="DB:CODE",
                   help="activity key DATABASE:CODE (repeatable)")
    b.add_argument("--method-family", default="EF v3.1", help='first element of the method names (default "EF v3.1")')
    b.add_argument("--kind", action="append", default=[],
                   help="lca kind (grid, gpu_die, pcb, heatsink, ...): once for all activities or once each")
    b.add_argument("--process", action="append", default=[],
                   help="process id (e.g. the grid id to use as operation.grid): once each; default: location for grids")
    b.add_argument("--source", help="source id or citation for the rows (default: a citation of the Brightway data)")
    b.add_argument("--dir", help="Brightway data directory (default: BRIGHTWAY2_DIR or Brightway's default)")
    b.add_argument("-o", "--output", help="write the CSV here instead of standard output")
    b.set_defaults(func=cmd_from_brightway)

    t = fs.add_parser("template", help="an empty factor CSV with the 16 category columns")
    t.add_argument("--kind", action="append", default=[], help="one example row per kind (default: grid)")
    t.add_argument("-o", "--output", help="write here instead of standard output")
    t.set_defaults(func=cmd_template)
