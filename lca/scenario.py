"""Scenario files: schema, loading, ``--set`` overrides and dotted parameter paths.

A scenario (DESIGN.md "Scenario file") describes one training run. Every number in it is a
*parameter* addressed by a dotted path (``workload.mfu``, ``lifetime.lifespan``,
``operation.grid.gwp`` ...): a fixed quantity or a distribution with a ``default``. Inventory data
with an ``uncertainty`` field become parameters too (``accelerator.bom.gpu_die_area``,
``embodied.yield.defect_density``), so Monte Carlo, sweeps and sensitivity analysis treat all
inputs alike.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pint
import yaml

from .categories import CODES, category, code_of, parse_category_unit
from .distributions import Distribution, is_distribution_spec
from .errors import InputError, unknown_id
from .inventory import Inventory, load_inventory
from .paths import scenarios_dir
from .units import Q_, UnitError, parse_quantity, ureg
from .yamlio import load_yaml

# path -> (expected dimension, (low, high, low_inclusive, high_inclusive) or None, description)
_SCALARS = {
    "workload.training_flops": ("FLOP", (0, None, False, True), "training compute"),
    "workload.accelerator_hours": ("hour", (0, None, False, True), "accelerator-hours of the run"),
    "workload.mfu": ("dimensionless", (0, 1, False, True), "model FLOPs utilisation, 0 < mfu <= 1"),
    "workload.peak_flops": ("FLOP/s", (0, None, False, True), "peak throughput per accelerator"),
    "operation.accelerator_power": ("W", (0, None, False, True), "average power per accelerator"),
    "operation.server_overhead": ("dimensionless", (1, None, True, True), "server overhead multiplier, >= 1"),
    "operation.pue": ("dimensionless", (1, None, True, True), "power usage effectiveness, >= 1"),
    "operation.wue": ("L/kWh", (0, None, True, True), "on-site water usage effectiveness (L per kWh of IT energy)"),
    "operation.water_scarcity": ("dimensionless", (0, None, True, True),
                                 "AWARE characterisation factor of the site (m3 world eq. deprived per m3 consumed)"),
    "lifetime.lifespan": ("year", (0, None, False, True), "service life of an accelerator, > 0"),
    "lifetime.utilization": ("dimensionless", (0, 1, False, True), "share of the service life spent busy, 0 < u <= 1"),
    "transport.truck": ("km", (0, None, True, True), "distribution distance by truck"),
    "transport.boat": ("km", (0, None, True, True), "distribution distance by boat"),
    "transport.plane": ("km", (0, None, True, True), "distribution distance by plane"),
}

_TOP_KEYS = {"name", "description", "sources", "accelerator", "embodied", "workload", "operation", "lifetime",
             "transport", "factors", "host"}
_SECTION_KEYS = {
    "embodied": {"method", "dataset", "factors", "yield_model", "vram_area"},
    "workload": {"training_flops", "accelerator_hours", "mfu", "peak_flops", "measured_energy"},
    "operation": {"accelerator_power", "server_overhead", "pue", "grid", "wue", "water_scarcity"},
    "lifetime": {"lifespan", "utilization"},
    "transport": {"set", "truck", "boat", "plane"},
}


@dataclass(frozen=True)
class Param:
    """One model input: fixed value or distribution, with its source."""

    path: str
    value: pint.Quantity            # fixed value or the distribution's central value
    distribution: Distribution | None
    source: str | tuple | None
    unit: str                        # unit the model receives the parameter in

    @property
    def uncertain(self) -> bool:
        return self.distribution is not None


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    path: str
    sources: tuple[str, ...]
    accelerator: str
    embodied: dict                     # method, dataset, factors, yield_model, vram_area
    grid: str                          # base grid id
    params: dict                       # path -> Param (ordered)
    measured_energy: str | None = None
    factor_files: tuple[str, ...] = ()
    grid_status: tuple[str, ...] = ()   # per category: measured / proxy / not_covered / user
    host: str | None = None             # id in inventories/hosts.yaml, or None (GPU only)
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def uncertain(self) -> list[str]:
        return [p for p, v in self.params.items() if v.uncertain]


# ------------------------------------------------------------------------------------------------
def resolve_scenario_path(name) -> Path:
    """A path, or the name of a shipped scenario (``gpt4-a100``)."""
    p = Path(name)
    if p.exists():
        return p
    shipped = scenarios_dir() / (p.name if p.suffix else f"{p.name}.yaml")
    if shipped.exists():
        return shipped
    known = sorted(x.stem for x in scenarios_dir().glob("*.yaml"))
    raise unknown_id("scenario (file not found, nor a shipped scenario)", str(name), known)


def parse_set(items) -> list[tuple[str, object]]:
    """``["workload.mfu=0.5", 'operation.grid.gwp="0.057 kg CO2 eq/kWh"']`` -> [(path, value)]."""
    out = []
    for item in items or []:
        if "=" not in item:
            raise InputError(f"--set {item!r}: expected PATH=VALUE, e.g. workload.mfu=0.5")
        key, _, text = item.partition("=")
        key = key.strip()
        if not key or any(not part for part in key.split(".")):
            raise InputError(f"--set {item!r}: bad parameter path {key!r}")
        try:
            val = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError:
            val = text
        if val is None:
            raise InputError(f"--set {item!r}: missing value after '='")
        out.append((key, val))
    return out


def apply_overrides(raw: dict, overrides) -> dict:
    """Return a copy of the scenario mapping with ``--set`` overrides applied."""
    raw = copy.deepcopy(raw)
    for key, val in overrides:
        parts = key.split(".")
        if parts[0] not in _TOP_KEYS:
            raise InputError(f"--set {key}: unknown section {parts[0]!r}; known: {', '.join(sorted(_TOP_KEYS))}")
        node = raw
        for i, part in enumerate(parts[:-1]):
            nxt = node.get(part)
            if parts[: i + 1] == ["operation", "grid"] and isinstance(nxt, str):
                nxt = {"base": nxt}  # inline factor on top of a named grid
            if nxt is None:
                nxt = {}
            if not isinstance(nxt, dict) or is_distribution_spec(nxt):
                nxt = {} if not isinstance(nxt, dict) else nxt
                if is_distribution_spec(nxt):
                    raise InputError(f"--set {key}: {'.'.join(parts[:i + 1])} is a value, not a section")
            node[part] = nxt
            node = nxt
        node[parts[-1]] = val
    return raw


def load_scenario(path, overrides=(), inventory: Inventory | None = None) -> Scenario:
    """Load, override and validate a scenario file."""
    path = resolve_scenario_path(path)
    raw = load_yaml(path)
    raw = apply_overrides(raw, parse_set(overrides) if overrides and isinstance(next(iter(overrides)), str) else overrides)
    return build_scenario(raw, path=str(path), inventory=inventory)


def build_scenario(raw: dict, *, path: str = "<scenario>", inventory: Inventory | None = None) -> Scenario:
    inv = inventory or load_inventory()
    where = lambda *k: f"{path}: {'.'.join(k)}"  # noqa: E731
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a mapping at the top level")
    extra = set(raw) - _TOP_KEYS
    if extra:
        raise InputError(f"{path}: unknown key(s) {sorted(map(str, extra))}; allowed: {', '.join(sorted(_TOP_KEYS))}")
    for k in ("name", "accelerator", "workload", "operation", "lifetime"):
        if k not in raw or raw[k] is None:
            raise InputError(f"{where(k)}: required key is missing")
    for sec, allowed in _SECTION_KEYS.items():
        node = raw.get(sec)
        if node is None:
            continue
        if not isinstance(node, dict):
            raise InputError(f"{where(sec)}: expected a mapping, got {type(node).__name__} {node!r}"[:300])
        bad = set(node) - allowed
        if bad:
            raise InputError(f"{where(sec)}: unknown key(s) {sorted(map(str, bad))}; allowed: {', '.join(sorted(allowed))}")
    if not isinstance(raw["name"], str) or not raw["name"].strip():
        raise InputError(f"{where('name')}: expected a non-empty string, got {raw['name']!r}"[:300])
    if raw.get("description") is not None and not isinstance(raw["description"], str):
        raise InputError(f"{where('description')}: expected a text, got {type(raw['description']).__name__}")

    # sources listed by the scenario
    srcs = raw.get("sources") or []
    if isinstance(srcs, str):
        srcs = [srcs]
    if not isinstance(srcs, list):
        raise InputError(f"{where('sources')}: expected a list of source ids, got {srcs!r}")
    for s in srcs:
        if not isinstance(s, str) or s not in inv.sources:
            raise unknown_id("source id", s, inv.sources.keys(), where("sources"))
    default_source = tuple(srcs) if srcs else None

    acc_id = raw["accelerator"]
    if not isinstance(acc_id, str):
        raise InputError(f"{where('accelerator')}: expected an accelerator id, got {acc_id!r}")
    acc = inv.accelerator(acc_id, where("accelerator"))

    emb = dict(raw.get("embodied") or {})
    method = emb.get("method", "measured" if acc.measured else "parametric")
    if method not in ("measured", "parametric"):
        raise InputError(f"{where('embodied', 'method')}: expected measured or parametric, got {method!r}")
    if method == "measured":
        if not acc.measured:
            raise InputError(f"{where('embodied', 'method')}: {acc_id} has no published measured data; use method: parametric")
        ds = emb.get("dataset", next(iter(acc.measured)))
        if ds not in acc.measured:
            raise unknown_id("measured dataset", ds, acc.measured.keys(), where("embodied", "dataset"))
        emb["dataset"] = ds
    emb.setdefault("factors", "hubblo-calculator-average")
    inv.factor_set(emb["factors"], where("embodied", "factors"))
    emb.setdefault("yield_model", inv.default_yield_model)
    inv.yield_model(emb["yield_model"], where("embodied", "yield_model"))
    emb.setdefault("vram_area", "all_dies")
    if emb["vram_area"] not in ("all_dies", "single_die"):
        raise InputError(f"{where('embodied', 'vram_area')}: expected all_dies or single_die, got {emb['vram_area']!r}")
    emb["method"] = method

    params: dict[str, Param] = {}

    def add(pth, node, *, src=default_source, expected=None, bounds=None, desc=""):
        exp = expected or _SCALARS[pth][0]
        bnd = bounds if bounds is not None else _SCALARS.get(pth, (None, None, None, (None,)))[1]
        desc = desc or _SCALARS.get(pth, ("", "", pth))[2]
        params[pth] = _read_param(pth, node, where(*pth.split(".")), exp, bnd, desc, src, inv)

    wl, op, lt = raw["workload"], raw["operation"], raw["lifetime"]
    for sec_name, sec in (("workload", wl), ("operation", op), ("lifetime", lt)):
        if not isinstance(sec, dict):
            raise InputError(f"{where(sec_name)}: expected a mapping")
    measured_energy = wl.get("measured_energy")
    if measured_energy is not None and not isinstance(measured_energy, str):
        raise InputError(f"{where('workload', 'measured_energy')}: expected a path to a CodeCarbon emissions.csv, got {measured_energy!r}")
    if measured_energy is None:
        has_flops, has_hours = "training_flops" in wl, "accelerator_hours" in wl
        if has_flops == has_hours:
            raise InputError(f"{where('workload')}: give exactly one of training_flops (with mfu) or accelerator_hours"
                             f"{' (both given)' if has_flops else ''}")
        if has_flops:
            if "mfu" not in wl:
                raise InputError(f"{where('workload', 'mfu')}: required with training_flops")
            add("workload.training_flops", wl["training_flops"])
            add("workload.mfu", wl["mfu"])
            if "peak_flops" in wl:
                add("workload.peak_flops", wl["peak_flops"])
            elif "peak_flops" in acc.specs:
                params["workload.peak_flops"] = _datum_param("workload.peak_flops", acc.specs["peak_flops"], "FLOP/s")
            else:
                raise InputError(f"{where('workload', 'peak_flops')}: {acc_id} has no peak_flops in its inventory; give it here")
        else:
            add("workload.accelerator_hours", wl["accelerator_hours"])
    else:
        if "accelerator_hours" in wl:
            add("workload.accelerator_hours", wl["accelerator_hours"])

    if "accelerator_power" in op:
        add("operation.accelerator_power", op["accelerator_power"])
    elif "tdp" in acc.specs:
        params["operation.accelerator_power"] = _datum_param("operation.accelerator_power", acc.specs["tdp"], "W")
    elif measured_energy is None:
        raise InputError(f"{where('operation', 'accelerator_power')}: {acc_id} has no tdp in its inventory; give it here")
    add("operation.server_overhead", op.get("server_overhead", 1.0))
    if "pue" not in op:
        raise InputError(f"{where('operation', 'pue')}: required key is missing (e.g. pue: 1.2)")
    add("operation.pue", op["pue"])
    for k in ("wue", "water_scarcity"):
        if k in op:
            add(f"operation.{k}", op[k])

    factor_files = raw.get("factors") or []
    if isinstance(factor_files, str):
        factor_files = [factor_files]
    if not isinstance(factor_files, list) or not all(isinstance(x, str) for x in factor_files):
        raise InputError(f"{where('factors')}: expected a list of CSV file paths")

    grid_node = op.get("grid")
    if grid_node is None:
        raise InputError(f"{where('operation', 'grid')}: required key is missing (a grid id, see `lca list grids`)")
    if isinstance(grid_node, bool) or (isinstance(grid_node, dict) and isinstance(grid_node.get("base"), bool)):
        # YAML 1.1 reads an unquoted NO (Norway) as false
        raise InputError(f"{where('operation', 'grid')}: got a boolean; quote the grid id, e.g. grid: \"NO\"")
    if isinstance(grid_node, str):
        grid_node = {"base": grid_node}
    if not isinstance(grid_node, dict):
        raise InputError(f"{where('operation', 'grid')}: expected a grid id or a mapping {{base: ID, gwp: ...}}")
    base = grid_node.get("base")
    grid_factors = {}
    for k, v in grid_node.items():
        if k in ("base", "source"):
            continue
        try:
            grid_factors[code_of(k)] = v
        except InputError:
            raise InputError(f"{where('operation', 'grid', str(k))}: unknown impact category; expected base, source or one of {', '.join(CODES)}") from None
    if base is None and not grid_factors:
        raise InputError(f"{where('operation', 'grid', 'base')}: give a grid id or inline factors")
    if base is not None:
        if not isinstance(base, str):
            raise InputError(f"{where('operation', 'grid', 'base')}: expected a grid id, got {base!r}")
        if base not in inv.grids and factor_files:  # a new grid id from a user factor file
            from .byo import user_grid

            g = user_grid(base, factor_files, path, inv, where("operation", "grid", "base"))
        else:
            g = inv.grid(base, where("operation", "grid", "base"))
        gvec = g.vector
    else:
        g, gvec = None, None
    gsrc = grid_node.get("source", default_source)
    for i, code in enumerate(CODES):
        pth = f"operation.grid.{code}"
        unit = str(category(code).units / ureg.kWh)
        if code in grid_factors:
            params[pth] = _read_param(pth, grid_factors[code], where("operation", "grid", code), None,
                                      (0, None, True, True), f"{category(code).name} per kWh", gsrc, inv,
                                      category_code=code)
        elif gvec is not None:
            params[pth] = Param(path=pth, value=Q_(gvec.values[i], unit), distribution=None,
                                source=gvec.sources[i], unit=unit)
        else:
            params[pth] = Param(path=pth, value=Q_(np.nan, unit), distribution=None, source=None, unit=unit)

    add("lifetime.lifespan", lt.get("lifespan") if "lifespan" in lt else _missing(where("lifetime", "lifespan")))
    add("lifetime.utilization", lt.get("utilization", 1.0))

    tr = raw.get("transport") or {}
    tset_id = tr.get("set", inv.default_transport_set)
    tset = inv.transport_set(tset_id, where("transport", "set"))
    for mode in ("truck", "boat", "plane"):
        if mode in tr:
            add(f"transport.{mode}", tr[mode])
        elif mode in tset:
            params[f"transport.{mode}"] = _datum_param(f"transport.{mode}", tset[mode], "km")
        else:
            params[f"transport.{mode}"] = Param(f"transport.{mode}", Q_(0.0, "km"), None, None, "km")

    # inventory data that the chosen route uses, as parameters (uncertain ones get sampled)
    if method == "parametric" or not acc.measured:
        for k, d in acc.bom.items():
            params[f"accelerator.bom.{k}"] = _datum_param(f"accelerator.bom.{k}", d, _BOM_UNITS[k])
    else:
        for k in ("total_mass", "heatsink_mass", "casing_mass"):  # masses: hardware consumed by the run
            if k in acc.bom:
                params[f"accelerator.bom.{k}"] = _datum_param(f"accelerator.bom.{k}", acc.bom[k], "kg")
    ym = inv.yield_model(emb["yield_model"])
    if method == "parametric":
        for k, d in ym.params.items():
            params[f"embodied.yield.{k}"] = _datum_param(f"embodied.yield.{k}", d, _YIELD_UNITS[k])

    host = raw.get("host")
    if host is not None:
        if not isinstance(host, str):
            raise InputError(f"{where('host')}: expected a host id from inventories/hosts.yaml, got {host!r}")
        inv.host(host, where("host"))

    return Scenario(
        host=host,
        name=raw["name"], description=str(raw.get("description", "") or ""), path=path,
        sources=tuple(srcs), accelerator=acc_id, embodied=emb, grid=base or "inline", params=params,
        measured_energy=measured_energy, factor_files=tuple(factor_files), raw=raw,
        grid_status=tuple("user" if c in grid_factors else (gvec.status[i] if gvec is not None else "not_covered")
                          for i, c in enumerate(CODES)),
    )


_BOM_UNITS = {"total_mass": "kg", "heatsink_mass": "kg", "casing_mass": "kg", "pcb_area": "cm**2",
              "gpu_die_area": "mm**2", "vram_capacity": "GB", "vram_dies": "dimensionless", "vram_die_area": "mm**2"}
_YIELD_UNITS = {"defect_density": "1/cm**2", "wafer_diameter": "mm", "kerf": "mm"}


def _missing(where):
    raise InputError(f"{where}: required key is missing")


def _datum_param(path, datum, unit) -> Param:
    return Param(path=path, value=datum.value.to(unit), distribution=datum.uncertainty, source=datum.source, unit=unit)


def _read_param(path, node, where, expected, bounds, desc, default_source, inv, category_code=None) -> Param:
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
        lo_hi = (float(dist.ppf(1e-12).magnitude), float(dist.ppf(1 - 1e-12).magnitude))  # tolerance: ends of support
        _check_bounds(Q_(lo_hi[0], dist.unit), bounds, where, desc, "the distribution's lower end")
        _check_bounds(Q_(lo_hi[1], dist.unit), bounds, where, desc, "the distribution's upper end")
        _check_bounds(value, bounds, where, desc, "default")
    else:
        dist = None
        value = parse(node, where)
        _check_bounds(value, bounds, where, desc, "value")
    value = value.to(expected_unit if category_code is None else unit)
    return Param(path=path, value=value, distribution=dist, source=src, unit=str(value.units))


def _distribution(spec, expected, where) -> Distribution:
    try:
        return Distribution.from_spec(spec, expected=expected, where=where)
    except UnitError as exc:  # a bound with the wrong unit: a user error, not a traceback
        raise InputError(str(exc)) from None


def _check_bounds(q, bounds, where, desc, what):
    if q.dimensionless:
        q = q.to("dimensionless")  # "35 %" -> 0.35 before comparing with bounds
    m = float(q.magnitude)
    if not np.isfinite(m):
        raise InputError(f"{where}: {what} must be a finite number, got {m}")
    if not bounds:
        return
    lo, hi, lo_inc, hi_inc = bounds
    unit = q.units
    if lo is not None:
        lo_m = Q_(lo, unit).magnitude if q.dimensionless else lo
        if (m < lo_m) or (m == lo_m and not lo_inc):
            raise InputError(f"{where}: {what} {q:~P} out of range; expected {desc}")
    if hi is not None:
        if (m > hi) or (m == hi and not hi_inc):
            raise InputError(f"{where}: {what} {q:~P} out of range; expected {desc}")


# ------------------------------------------------------------------------------------------------
def parameter_table(scenario: Scenario, n: int | None = None, rng: np.random.Generator | None = None,
                    fixed: dict | None = None) -> dict:
    """Model inputs as pint arrays of shape (n,) (n = 1 for a deterministic run).

    Uncertain parameters are drawn with ``rng`` (one draw per parameter per sample, shared by every
    stage); the others are repeated. ``fixed`` maps paths to arrays that replace them (sweeps,
    sensitivity samples).
    """
    fixed = fixed or {}
    unknown = set(fixed) - set(scenario.params)
    if unknown:
        raise unknown_id("parameter path", sorted(unknown)[0], scenario.params.keys())
    if n is None:
        n = 1
        sampling = False
    else:
        sampling = True
        if rng is None:
            raise ValueError("parameter_table(n=...) needs an explicit numpy.random.Generator")
    out = {}
    for path, p in scenario.params.items():
        if path in fixed:
            v = fixed[path]
            q = v if isinstance(v, pint.Quantity) else Q_(np.asarray(v, dtype=float), p.unit)
            out[path] = q.to(p.unit)
        elif sampling and p.uncertain:
            out[path] = p.distribution.sample(rng, n).to(p.unit)
        else:
            out[path] = Q_(np.full(n, p.value.magnitude, dtype=float), p.unit)
    return out
