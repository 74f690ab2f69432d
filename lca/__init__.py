"""lca: cradle-to-grave life-cycle assessment (EF 3.1, 16 categories) of AI training hardware.

The public API (docs/api.md)::

    import lca
    ds = lca.run("gpt4-a100", samples=1000, seed=1)   # xarray.Dataset, pint units
    lca.totals(ds)["gwp"]                             # kg CO2 eq

Names are imported on first use (PEP 562), so ``import lca`` and ``lca --version`` stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

#: public name -> module that defines it
_EXPORTS = {
    "run": "lca.api", "compare": "lca.api", "sweep": "lca.api", "sweep_stats": "lca.analysis.sweep", "sensitivity": "lca.api", "plot": "lca.api",
    "write_report": "lca.api", "load_result": "lca.api", "hf_card": "lca.api", "validate": "lca.api",
    "load_scenario": "lca.scenario", "load_inventory": "lca.inventory", "prepare": "lca.model",
    "evaluate": "lca.model", "totals": "lca.model.result", "stage_totals": "lca.model.result",
    "coverage": "lca.model.result", "single_score": "lca.model.result", "categories": "lca.inventory.method",
    "ureg": "lca.units", "LcaError": "lca.errors", "InputError": "lca.errors", "UnknownIdError": "lca.errors",
}

__all__ = [
    "InputError", "LcaError", "UnknownIdError", "__version__", "categories", "compare", "coverage", "evaluate", "hf_card",
    "load_inventory", "load_result", "load_scenario", "plot", "prepare", "run", "sensitivity", "single_score",
    "stage_totals", "sweep", "sweep_stats", "totals", "ureg", "validate", "write_report",
]

if TYPE_CHECKING:  # pragma: no cover
    from lca.analysis.sweep import sweep_stats
    from lca.api import compare, hf_card, load_result, plot, run, sensitivity, sweep, validate, write_report
    from lca.errors import InputError, LcaError, UnknownIdError
    from lca.inventory import load_inventory
    from lca.inventory.method import categories
    from lca.model import evaluate, prepare
    from lca.model.result import coverage, single_score, stage_totals, totals
    from lca.scenario import load_scenario
    from lca.units import ureg


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value  # next time, no lookup
        return value
    raise AttributeError(f"module 'lca' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
