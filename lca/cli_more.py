"""Registers the CLI commands that live in their own modules (each module has ``register(sub)``)."""

import importlib

_MODULES = ("lca.cli_analysis", "lca.cli_charts", "lca.cli_interop")


def add_commands(sub) -> None:
    for name in _MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # module not written yet
            if exc.name != name:
                raise
            continue
        mod.register(sub)
