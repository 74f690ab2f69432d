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
        message = message.removeprefix("argument ")  # "error: --seed: expected ..." as library errors
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


#: Limits of the numeric flags (docs/cli.md, "Limits")
MAX_SAMPLES = 10**8          # --samples: Monte Carlo samples
MAX_SEED = 2**32 - 1         # --seed: 0 .. 2**32-1
MAX_N = 2**16                # sensitivity/report -n: base sample size (evaluations are a multiple of it)
MAX_RESAMPLES = 100_000      # --resamples
MAX_CHUNK = 2**26            # --chunk-size: evaluations per chunk
DPI_RANGE = (10, 2400)       # --dpi
MAX_GRID_NUM = 10**6         # --grid START:STOP:NUM: values per dimension
MAX_GRID_CHARS = 100_000     # --grid item length (a comma list of values)
MAX_GRID_POINTS = 10**8      # sweep: grid points (product of the --grid sizes), held in memory


def _integer(text: str, what: str) -> int:
    text = text.strip()
    try:
        if len(text) > 40:
            raise ValueError
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text[:40]!r}") from None


def bounded_int(lo: int, hi: int, what: str = "an integer"):
    """An argparse ``type=``: an integer ``lo <= n <= hi`` (one-line argparse error otherwise)."""
    span = f"{what} from {lo:,} to {hi:,}"

    def parse(text: str) -> int:
        n = _integer(text, span)
        if not lo <= n <= hi:
            raise argparse.ArgumentTypeError(f"expected {span}, got {n:,}")
        return n

    parse.__name__ = "integer"  # argparse names the type in "invalid <type> value" messages
    return parse


def bounded_float(lo: float, hi: float):
    """An argparse ``type=``: a number ``lo <= x <= hi`` (one-line argparse error otherwise)."""
    import math

    def parse(text: str) -> float:
        try:
            if len(text) > 40:
                raise ValueError
            x = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number from {lo:g} to {hi:g}, got {text[:40]!r}") from None
        if not (math.isfinite(x) and lo <= x <= hi):
            raise argparse.ArgumentTypeError(f"expected a number from {lo:g} to {hi:g}, got {text[:40]}")
        return x

    parse.__name__ = "number"
    return parse


def positive_int(max: int):  # noqa: A002
    """An argparse ``type=``: an integer ``1 <= n <= max``."""
    return bounded_int(1, max, "a positive integer")


def int_at_most(max: int):  # noqa: A002
    """An argparse ``type=``: an integer ``n <= max``; the library checks the lower bound and names
    the parameter (``--samples: expected a positive integer, got 0``)."""

    def parse(text: str) -> int:
        n = _integer(text, f"an integer up to {max:,}")
        if n > max:
            raise argparse.ArgumentTypeError(f"at most {max:,}, got {n:,}")
        return n

    parse.__name__ = "integer"
    return parse


def grid_item(text: str) -> str:
    """An argparse ``type=`` for ``--grid PATH=START:STOP:NUM`` / ``PATH=V1,V2,...``: NUM an integer
    from 1 to :data:`MAX_GRID_NUM`, a comma list at most as long; the values are checked later."""
    if len(text) > MAX_GRID_CHARS:
        raise argparse.ArgumentTypeError(f"{len(text):,} characters; a --grid item may have at most {MAX_GRID_CHARS:,}")
    _, eq, spec = text.partition("=")
    if not eq:
        return text  # the library's message explains the form
    parts = spec.split(":")
    if len(parts) == 3:
        num = parts[2].strip()
        try:
            f = float(num)
            ok = f == int(f)
        except (ValueError, OverflowError):
            ok = False
        if not ok or not 1 <= f <= MAX_GRID_NUM:
            raise argparse.ArgumentTypeError(f"{text[:60]!r}: NUM must be an integer from 1 to {MAX_GRID_NUM:,} "
                                             f"(values per dimension), got {num[:20]!r}")
    elif len(spec.split(",")) > MAX_GRID_NUM:
        raise argparse.ArgumentTypeError(f"more than {MAX_GRID_NUM:,} values in one --grid item")
    return text


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
    p.add_argument("--samples", type=int_at_most(MAX_SAMPLES), help=f"{samples_help} (1 to {MAX_SAMPLES:,})")
    p.add_argument("--seed", type=bounded_int(0, MAX_SEED), help=f"{seed_help}; 0 to 2**32-1")
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


def terminal_width() -> int:
    """The terminal's width (``COLUMNS`` first); 160 when standard output is a file or a pipe."""
    import os
    import shutil

    if "COLUMNS" in os.environ or sys.stdout.isatty():
        return max(shutil.get_terminal_size((160, 24)).columns, 40)
    return 160


def console(file=None, *, plain: bool = False):
    """A rich console as wide as the terminal (:func:`terminal_width`), or 160 columns wide for a
    ``file`` (``plain``: no colour, for files)."""
    from rich.console import Console

    width = 160 if file is not None else terminal_width()
    if plain:
        return Console(file=file, width=width, highlight=False, color_system=None)
    return Console(file=file, width=width, highlight=False)


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


class Table:
    """The part of :class:`rich.table.Table` the commands use (``add_column``, ``add_row`` with
    ``end_section``, a title), rendered line by line when it fits the console: the same text as
    rich's default layout, about 50x faster for the hundreds of rows of a sensitivity table.
    A table that does not fit (rich would wrap its cells), or whose text rich would interpret
    (markup, emoji codes), is handed to rich itself."""

    def __init__(self, title: str | None = None):
        self.title = title
        self.columns: list[tuple[str, str]] = []
        self.rows: list[list[str]] = []
        self._ends: list[bool] = []

    def add_column(self, header: str, justify: str = "left") -> None:
        if justify not in ("left", "right", "center"):
            raise ValueError(f"justify: expected left, right or center, got {justify!r}")
        self.columns.append((str(header), justify))

    def add_row(self, *cells, end_section: bool = False) -> None:
        self.rows.append([str(c) for c in cells])
        self._ends.append(end_section)

    def _rich(self):
        from rich.table import Table as RichTable

        t = RichTable(title=self.title)
        for header, justify in self.columns:
            t.add_column(header, justify=justify)  # type: ignore[arg-type]
        for row, end in zip(self.rows, self._ends):
            t.add_row(*row, end_section=end)
        return t

    def _plain(self) -> bool:
        texts = [h for h, _ in self.columns] + [c for row in self.rows for c in row] + [self.title or ""]
        title_ok = self.title is None or (self.title == self.title.strip() and "  " not in self.title)
        return bool(self.rows) and title_ok and all(len(r) <= len(self.columns) for r in self.rows) and not any(
            "[" in t or _EMOJI.search(t) or "\n" in t for t in texts)

    def __rich_console__(self, console, options):
        from rich.cells import cell_len
        from rich.segment import Segment

        if not self._plain():
            yield self._rich()
            return
        ncol = len(self.columns)
        rows = [r + [""] * (ncol - len(r)) for r in self.rows]
        lens = [[cell_len(c) for c in r] for r in rows]
        widths = [max([cell_len(h)] + [ln[j] for ln in lens]) + 2 for j, (h, _) in enumerate(self.columns)]
        total = sum(widths) + ncol + 1
        if total > options.max_width or (self.title and cell_len(self.title) > total):
            yield self._rich()
            return

        def cells(texts, sizes, edge):
            return edge + edge.join(_justified(t, w - 2 - n, justify)
                                    for (_, justify), w, t, n in zip(self.columns, widths, texts, sizes)) + edge

        def rule(left, fill, mid, right):
            return left + mid.join(fill * w for w in widths) + right

        if self.title:
            n = cell_len(self.title)
            left = (total - n) // 2
            yield Segment(" " * left)
            yield Segment(self.title, console.get_style("table.title"))
            yield Segment(" " * (total - n - left))
            yield Segment.line()
        yield Segment(rule("┏", "━", "┳", "┓"))
        yield Segment.line()
        style = console.get_style("table.header")
        yield Segment("┃")
        for (h, justify), w in zip(self.columns, widths):
            yield Segment(_justified(h, w - 2 - cell_len(h), justify), style)
            yield Segment("┃")
        yield Segment.line()
        yield Segment(rule("┡", "━", "╇", "┩"))
        yield Segment.line()
        last = len(rows) - 1
        for i, (r, ln) in enumerate(zip(rows, lens)):
            yield Segment(cells(r, ln, "│"))
            yield Segment.line()
            if self._ends[i] and i < last:
                yield Segment(rule("├", "─", "┼", "┤"))
                yield Segment.line()
        yield Segment(rule("└", "─", "┴", "┘"))
        yield Segment.line()


def _justified(text: str, pad: int, justify: str) -> str:
    """A cell with its padding: ``pad`` spaces placed as rich places them, one space each side."""
    if justify == "right":
        return " " + " " * pad + text + " "
    if justify == "center":
        return " " + " " * (pad // 2) + text + " " * (pad - pad // 2) + " "
    return " " + text + " " * pad + " "


#: Text rich would turn into an emoji (``:warning:``)
_EMOJI = re.compile(r":[\w+-]+:")
