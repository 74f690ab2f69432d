"""One scenario value (a quantity, a distribution or ``{value:, source:}``) -> a :class:`Param`."""

from __future__ import annotations

import numpy as np
import pint

from lca.errors import InputError, unknown_id
from lca.inventory.distributions import Distribution, is_distribution_spec
from lca.inventory.method import category, parse_category_unit
from lca.scenario.schema import Param, check_bounds
from lca.units import Q_, UnitError, parse_quantity, ureg


def datum_param(path, datum, unit) -> Param:
    """An inventory datum (with its uncertainty, if any) as a model parameter in ``unit``."""
    return Param(path=path, value=datum.value.to(unit), distribution=datum.uncertainty, source=datum.source, unit=unit)


def read_param(path, node, where, expected, bounds, desc, default_source, inv, category_code=None) -> Param:
    src = default_source
    if isinstance(node, dict) and not is_distribution_spec(node):
        if "value" not in node:
            raise InputError(f"{where}: expected a value, a distribution or {{value: ..., source: ...}}; got keys {sorted(node)}")
        src = node.get("source", src)
        node = node["value"]
    if isinstance(node, dict):
        src = node.get("source", src)
    if isinstance(src, str):
        if src not in inv.sources:
            raise unknown_id("source id", src, inv.sources.keys(), f"{where}.source")
    if category_code is not None:
        unit = str(category(category_code).units / ureg.kWh)

        def parse(v, w):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return Q_(float(v), unit)
            if not isinstance(v, str):
                raise InputError(f"{w}: expected a quantity such as '0.057 kg CO2 eq/kWh', got {v!r}")
            num, _, u = v.strip().partition(" ")
            try:
                q = float(num) * parse_category_unit(u or category(category_code).unit + "/kWh", category_code, where=w)
                return q.to(unit)
            except (ValueError, pint.DimensionalityError):
                raise InputError(f"{w}: expected {category(category_code).unit}/kWh, got {v!r}") from None
        expected_unit = unit
    else:
        expected_unit = expected

        def parse(v, w):
            try:
                return parse_quantity(v, expected=expected, where=w)
            except UnitError as exc:
                raise InputError(str(exc)) from None

    if isinstance(node, dict):
        if category_code is not None:
            spec = {k: (parse(v, f"{where}.{k}") if k in ("min", "max", "mode", "mean", "sd", "median", "default") else v)
                    for k, v in node.items() if k != "source"}
            spec = {k: (f"{float(v.m_as(unit))!r} {unit}" if isinstance(v, pint.Quantity) else v) for k, v in spec.items()}
            dist = _distribution(spec, unit, where)
        else:
            dist = _distribution({k: v for k, v in node.items() if k != "source"}, expected, where)
        value = Q_(dist.central, dist.unit)
        lo_hi = (dist.quantile(1e-12), dist.quantile(1 - 1e-12))  # tolerance: ends of support
        check_bounds(Q_(lo_hi[0], dist.unit), bounds, where, desc, "the distribution's lower end")
        check_bounds(Q_(lo_hi[1], dist.unit), bounds, where, desc, "the distribution's upper end")
        check_bounds(value, bounds, where, desc, "default")
    else:
        dist = None
        value = parse(node, where)
        check_bounds(value, bounds, where, desc, "value")
    with np.errstate(over="ignore"):  # an overflow to inf is reported when the model runs (check_bounds)
        value = value.to(expected_unit if category_code is None else unit)
    return Param(path=path, value=value, distribution=dist, source=src, unit=str(value.units))


def _distribution(spec, expected, where) -> Distribution:
    try:
        return Distribution.from_spec(spec, expected=expected, where=where)
    except UnitError as exc:  # a bound with the wrong unit: a user error, not a traceback
        raise InputError(str(exc)) from None


