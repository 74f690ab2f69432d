"""Command-line interface (docs/cli.md). Exit 0 on success, 2 on bad input with one clear message,
never a traceback for a user error, 130 when interrupted (SIGINT, Ctrl-C), 143 when terminated
(SIGTERM); either way one line ``interrupted`` and no temporary file left behind.

argparse only: each command module registers its parsers and imports the layers below lazily, so
``lca --help`` and ``lca --version`` stay fast.
"""

from __future__ import annotations

import argparse
import sys

from lca import __version__
from lca.cli import analysis, charts, compare, interop, run
from lca.cli.common import Parser, flag_message
from lca.errors import LcaError, OutputError

#: The command modules, in the order ``lca --help`` lists them
COMMANDS = (run, analysis, compare, charts, interop)


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="lca", description="Cradle-to-grave LCA (EF 3.1) of AI training hardware")
    p.add_argument("--version", action="version", version=f"lca {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in COMMANDS:
        module.register(sub)
    return p


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM, so that ``finally`` blocks (temporary files, dask
    clusters) run as they do for Ctrl-C. A ``BaseException``: ``except Exception`` lets it pass."""


def _on_sigterm(signum, frame):
    raise Terminated


def main(argv=None) -> int:
    import signal
    import threading

    parser = build_parser()
    args = parser.parse_args(argv)
    main_thread = threading.current_thread() is threading.main_thread()  # handlers: main thread only
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if main_thread else None
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("interrupted", file=sys.stderr)
        return 143
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _dispatch(args) -> int:
    try:
        return int(args.func(args) or 0)
    except OutputError as exc:  # the system failed to write: exit 1 (docs/cli.md)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except LcaError as exc:
        print(f"error: {flag_message(str(exc))}", file=sys.stderr)
        return 2
    except Exception as exc:
        import pint

        if isinstance(exc, pint.errors.PintError):
            print(f"error: unit problem in the input: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
