"""What to run: scenario YAML + overrides -> a validated :class:`Scenario` of :class:`Param` s.

Layers below: :mod:`lca.inventory`. The schema tables (:mod:`lca.scenario.schema`) are public;
sweeps and sensitivity analysis check their ranges against them.
"""

from lca.scenario.build import build_scenario, load_scenario
from lca.scenario.overrides import apply_overrides, factor_overrides, parse_set, resolve_scenario_path
from lca.scenario.sampling import parameter_table
from lca.scenario.schema import SCALARS, SECTION_KEYS, TOP_KEYS, Param, Scenario

__all__ = ["SCALARS", "SECTION_KEYS", "TOP_KEYS", "Param", "Scenario", "apply_overrides", "build_scenario",
           "factor_overrides", "load_scenario", "parameter_table", "parse_set", "resolve_scenario_path"]
