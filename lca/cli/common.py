"""What every command shares: argparse parent parsers for the common options, writing to a file or
standard output, the console, and the translation of library parameter names into flag names.

The library names its parameters in messages (``samples: expected a positive integer``); the
command line shows the flag the user typed (``--samples: ...``).
"""

from __future__ import annotations

import argparse
import re
import sys

#: Library parameter name -> command-line flag, used when a message starts with the parameter
PARAM_FLAGS = {
    "samples": "--samples", "seed": "--seed", "set": "--set", "grid": "--grid", "chunk_size": "--chunk-size",
    "method": "--method", "params": "--param", "second_order": "--second-order", "kind": "--kind",
    "index": "--index", "var": "--var", "training_type": "--training-type", "base_dir": "--dir",
    "activity": "--activity", "project": "--project", "method_family": "--method-family", "process": "--process",
    "dask": "--dask", "factors: extra factor file": "--factors", "background": "--background",
}
_LEADING = re.compile(r"^(" + "|".join(sorted(map(re.escape, PARAM_FLAGS), key=len, reverse=True)) + r")\b")


def flag_message(message: str) -> str:
    """A library message with its leading parameter name replaced by the CLI flag."""
    return _LEADING.sub(lambda m: PARAM_FLAGS[m.group(1)], message, count=1)


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit code 2."""

    def error(self, message):  # argparse's own errors: one line, exit 2
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parent() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(add_help=False)


def scenario_options(*, factors: bool = False, set_help: str = "override a parameter, e.g. workload.mfu=0.5"):
    """``--set K=V`` (repeatable) and, optionally, ``--factors CSV``."""
    p = _parent()
    p.add_argument("--set", action="append", default=[], metavar="K=V", help=set_help)
    p.add_argument("--background", metavar="NAME",
                   help="electricity background (inventories/backgrounds/: ef31-lt-excluded, the default, or "
                        "unece-lt-included); same as --set background=NAME")
    if factors:
        p.add_argument("--factors", action="append", default=[], metavar="CSV",
                       help="user factor file (docs/byo-factors.md), after the scenario's own; repeatable")
    return p


def sampling_options(*, samples_help: str = "Monte Carlo samples", seed_help: str = "random seed (with --samples)",
                     inputs: bool = False):
    """``--samples N`` and ``--seed S`` (and ``--scenario-inputs-only``)."""
    p = _parent()
    p.add_argument("--samples", type=int, help=samples_help)
    p.add_argument("--seed", type=int, help=seed_help)
    if inputs:
        p.add_argument("--scenario-inputs-only", action="store_true",
                       help="sample only the inputs the scenario sets (default: every uncertain datum, "
                            "grid factors and component data included)")
    return p


def overrides(args) -> list[str]:
    """The ``--set`` items of a command, with ``--background`` as one more."""
    items = list(getattr(args, "set", []) or [])
    if getattr(args, "background", None):
        items.append(f"background={args.background}")
    return items


def output_options(*, help: str = "write to this file instead of standard output"):  # noqa: A002
    """``-o/--output PATH``."""
    p = _parent()
    p.add_argument("-o", "--output", help=help)
    return p


def progress_options():
    """``--no-progress``."""
    p = _parent()
    p.add_argument("--no-progress", action="store_true", help="no progress messages on standard error")
    return p


def console(file=None, *, plain: bool = False):
    """A rich console 160 columns wide (``plain``: no colour, for files)."""
    from rich.console import Console

    if plain:
        return Console(file=file, width=160, highlight=False, color_system=None)
    return Console(file=file, width=160, highlight=False)


def emit(text: str, output: str | None) -> None:
    """Write ``text`` to ``output`` atomically (and say so), or to standard output."""
    if output:
        from lca.outputs.files import write_text

        write_text(output, text)
        print(f"wrote {output}")
    else:
        sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))


def emit_console(render, output: str | None) -> None:
    """Render a rich table with ``render(console)`` to the terminal, or as plain text to ``output``."""
    if output:
        from io import StringIO

        buf = StringIO()
        render(console(buf, plain=True))
        emit(buf.getvalue(), output)
    else:
        render(console())
