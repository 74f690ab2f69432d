"""Scenario files -> :class:`Scenario`: one reader per section of the file.

A scenario (docs/tutorial.md) describes one training run. Every number in it is a *parameter*
addressed by a dotted path (``workload.mfu``, ``lifetime.lifespan``, ``operation.grid.gwp`` ...):
a fixed quantity or a distribution with a ``default``. Inventory data with an ``uncertainty``
field become parameters too (``accelerator.bom.gpu_die_area``, ``embodied.yield.defect_density``),
so Monte Carlo, sweeps and sensitivity analysis treat all inputs alike.

User factor files listed under ``factors:`` are read here, once, and the inventory is extended
with them (:func:`lca.inventory.user_factors.extend`) before the sections are read, so a grid id
defined only in such a file is as good as a shipped one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lca.errors import InputError, unknown_id
from lca.inventory import Accelerator, Inventory, load_inventory
from lca.inventory.files import load_yaml
from lca.inventory.method import CODES, category, code_of
from lca.inventory.user_factors import extend, read_tables, sources_used
from lca.scenario.overrides import apply_overrides, parse_set, resolve_scenario_path
from lca.scenario.params import datum_param, read_param
from lca.scenario.schema import BOM_UNITS, SCALARS, SECTION_KEYS, TOP_KEYS, YIELD_UNITS, Param, Scenario
from lca.units import Q_, ureg


def load_scenario(path, overrides=(), inventory: Inventory | None = None) -> Scenario:
    """Load, override and validate a scenario file (a path or a shipped scenario's name)."""
    path = resolve_scenario_path(path)
    raw = load_yaml(path)
    pairs = parse_set(overrides) if overrides and isinstance(next(iter(overrides)), str) else overrides
    return build_scenario(apply_overrides(raw, pairs), path=str(path), inventory=inventory)


@dataclass
class _Reader:
    """What every section reader needs: the file, the (extended) inventory, the params so far."""

    path: str
    inv: Inventory
    default_source: tuple | None
    params: dict[str, Param] = field(default_factory=dict)

    def where(self, *keys: str) -> str:
        return f"{self.path}: {'.'.join(keys)}"

    def add(self, pth: str, node) -> None:
        """Read a scalar input described in :data:`SCALARS`."""
        exp, bounds, desc = SCALARS[pth]
        self.params[pth] = read_param(pth, node, self.where(*pth.split(".")), exp, bounds, desc,
                                      self.default_source, self.inv)


def build_scenario(raw: dict, *, path: str = "<scenario>", inventory: Inventory | None = None) -> Scenario:
    """Validate a scenario mapping (as read from YAML, overrides applied) against an inventory."""
    _check_keys(raw, path)
    factor_files = _factor_files(raw, path)
    inv = inventory or load_inventory()
    tables = read_tables(factor_files, path, inv.sources) if factor_files else ()
    inv = extend(inv, tables)
    srcs = _sources(raw, path, inv)
    r = _Reader(path=path, inv=inv, default_source=tuple(srcs) if srcs else None)
    acc = _accelerator(raw, r)
    emb = _embodied(raw, acc, r)
    measured_energy = _workload(raw["workload"], acc, r)
    _operation(raw["operation"], acc, measured_energy, r)
    base, grid_status = _grid(raw["operation"], r)
    _lifetime(raw["lifetime"], r)
    _transport(raw.get("transport") or {}, r)
    _inventory_params(acc, emb, r)
    host = _host(raw, r)
    return Scenario(
        host=host, name=raw["name"], description=str(raw.get("description", "") or ""), path=path,
        sources=tuple(dict.fromkeys([*srcs, *sources_used(tables)])), accelerator=acc.id, embodied=emb,
        grid=base or "inline", params=r.params, measured_energy=measured_energy,
        factor_files=tuple(factor_files), grid_status=grid_status, factor_tables=tables,
    )


# -- the sections, in file order --------------------------------------------------------------
def _check_keys(raw, path: str) -> None:
    where = lambda *k: f"{path}: {'.'.join(k)}"  # noqa: E731
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a mapping at the top level")
    extra = set(raw) - TOP_KEYS
    if extra:
        raise InputError(f"{path}: unknown key(s) {sorted(map(str, extra))}; allowed: {', '.join(sorted(TOP_KEYS))}")
    for k in ("name", "accelerator", "workload", "operation", "lifetime"):
        if k not in raw or raw[k] is None:
            raise InputError(f"{where(k)}: required key is missing")
    for sec, allowed in SECTION_KEYS.items():
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


def _factor_files(raw: dict, path: str) -> list[str]:
    files = raw.get("factors") or []
    if isinstance(files, str):
        files = [files]
    if not isinstance(files, list) or not all(isinstance(x, str) for x in files):
        raise InputError(f"{path}: factors: expected a list of CSV file paths")
    return files


def _sources(raw: dict, path: str, inv: Inventory) -> list[str]:
    srcs = raw.get("sources") or []
    if isinstance(srcs, str):
        srcs = [srcs]
    if not isinstance(srcs, list):
        raise InputError(f"{path}: sources: expected a list of source ids, got {srcs!r}")
    for s in srcs:
        if not isinstance(s, str) or s not in inv.sources:
            raise unknown_id("source id", s, inv.sources.keys(), f"{path}: sources")
    return srcs


def _accelerator(raw: dict, r: _Reader) -> Accelerator:
    acc_id = raw["accelerator"]
    if not isinstance(acc_id, str):
        raise InputError(f"{r.where('accelerator')}: expected an accelerator id, got {acc_id!r}")
    return r.inv.accelerator(acc_id, r.where("accelerator"))


def _embodied(raw: dict, acc: Accelerator, r: _Reader) -> dict:
    emb = dict(raw.get("embodied") or {})
    method = emb.get("method", "measured" if acc.measured else "parametric")
    if method not in ("measured", "parametric"):
        raise InputError(f"{r.where('embodied', 'method')}: expected measured or parametric, got {method!r}")
    if method == "measured":
        if not acc.measured:
            raise InputError(f"{r.where('embodied', 'method')}: {acc.id} has no published measured data; "
                             "use method: parametric")
        ds = emb.get("dataset", next(iter(acc.measured)))
        if ds not in acc.measured:
            raise unknown_id("measured dataset", ds, acc.measured.keys(), r.where("embodied", "dataset"))
        emb["dataset"] = ds
    emb.setdefault("factors", "hubblo-calculator-average")
    r.inv.factor_set(emb["factors"], r.where("embodied", "factors"))
    emb.setdefault("yield_model", r.inv.default_yield_model)
    r.inv.yield_model(emb["yield_model"], r.where("embodied", "yield_model"))
    emb.setdefault("vram_area", "all_dies")
    if emb["vram_area"] not in ("all_dies", "single_die"):
        raise InputError(f"{r.where('embodied', 'vram_area')}: expected all_dies or single_die, got {emb['vram_area']!r}")
    emb["method"] = method
    return emb


def _workload(wl, acc: Accelerator, r: _Reader) -> str | None:
    """Training compute (FLOPs and MFU, or accelerator-hours, or measured energy)."""
    if not isinstance(wl, dict):
        raise InputError(f"{r.where('workload')}: expected a mapping")
    measured_energy = wl.get("measured_energy")
    if measured_energy is not None and not isinstance(measured_energy, str):
        raise InputError(f"{r.where('workload', 'measured_energy')}: expected a path to a CodeCarbon emissions.csv, "
                         f"got {measured_energy!r}")
    if measured_energy is not None:
        if "accelerator_hours" in wl:
            r.add("workload.accelerator_hours", wl["accelerator_hours"])
        return measured_energy
    has_flops, has_hours = "training_flops" in wl, "accelerator_hours" in wl
    if has_flops == has_hours:
        raise InputError(f"{r.where('workload')}: give exactly one of training_flops (with mfu) or accelerator_hours"
                         f"{' (both given)' if has_flops else ''}")
    if has_hours:
        r.add("workload.accelerator_hours", wl["accelerator_hours"])
        return None
    if "mfu" not in wl:
        raise InputError(f"{r.where('workload', 'mfu')}: required with training_flops")
    r.add("workload.training_flops", wl["training_flops"])
    r.add("workload.mfu", wl["mfu"])
    if "peak_flops" in wl:
        r.add("workload.peak_flops", wl["peak_flops"])
    elif "peak_flops" in acc.specs:
        r.params["workload.peak_flops"] = datum_param("workload.peak_flops", acc.specs["peak_flops"], "FLOP/s")
    else:
        raise InputError(f"{r.where('workload', 'peak_flops')}: {acc.id} has no peak_flops in its inventory; give it here")
    return None


def _operation(op, acc: Accelerator, measured_energy, r: _Reader) -> None:
    if not isinstance(op, dict):
        raise InputError(f"{r.where('operation')}: expected a mapping")
    if "accelerator_power" in op:
        r.add("operation.accelerator_power", op["accelerator_power"])
    elif "tdp" in acc.specs:
        r.params["operation.accelerator_power"] = datum_param("operation.accelerator_power", acc.specs["tdp"], "W")
    elif measured_energy is None:
        raise InputError(f"{r.where('operation', 'accelerator_power')}: {acc.id} has no tdp in its inventory; give it here")
    r.add("operation.server_overhead", op.get("server_overhead", 1.0))
    if "pue" not in op:
        raise InputError(f"{r.where('operation', 'pue')}: required key is missing (e.g. pue: 1.2)")
    r.add("operation.pue", op["pue"])
    for k in ("wue", "water_scarcity"):
        if k in op:
            r.add(f"operation.{k}", op[k])


def _grid(op: dict, r: _Reader) -> tuple[str | None, tuple[str, ...]]:
    """``operation.grid``: a grid id, or ``{base: ID, <category>: value, ...}`` (inline values win)."""
    node = op.get("grid")
    w = lambda *k: r.where("operation", "grid", *k)  # noqa: E731
    if node is None:
        raise InputError(f"{w()}: required key is missing (a grid id, see `lca list grids`)")
    if isinstance(node, bool) or (isinstance(node, dict) and isinstance(node.get("base"), bool)):
        # YAML 1.1 reads an unquoted NO (Norway) as false
        raise InputError(f"{w()}: got a boolean; quote the grid id, e.g. grid: \"NO\"")
    if isinstance(node, str):
        node = {"base": node}
    if not isinstance(node, dict):
        raise InputError(f"{w()}: expected a grid id or a mapping {{base: ID, gwp: ...}}")
    base = node.get("base")
    inline = {}
    for k, v in node.items():
        if k in ("base", "source"):
            continue
        try:
            inline[code_of(k)] = v
        except InputError:
            raise InputError(f"{w(str(k))}: unknown impact category; expected base, source or one of "
                             f"{', '.join(CODES)}") from None
    if base is None and not inline:
        raise InputError(f"{w('base')}: give a grid id or inline factors")
    if base is not None and not isinstance(base, str):
        raise InputError(f"{w('base')}: expected a grid id, got {base!r}")
    gvec = r.inv.grid(base, w("base")).vector if base is not None else None
    gsrc = node.get("source", r.default_source)
    for i, code in enumerate(CODES):
        pth = f"operation.grid.{code}"
        unit = str(category(code).units / ureg.kWh)
        if code in inline:
            r.params[pth] = read_param(pth, inline[code], w(code), None, (0, None, True, True),
                                       f"{category(code).name} per kWh", gsrc, r.inv, category_code=code)
        elif gvec is not None:
            r.params[pth] = Param(path=pth, value=Q_(gvec.values[i], unit), distribution=None,
                                  source=gvec.sources[i], unit=unit)
        else:
            r.params[pth] = Param(path=pth, value=Q_(np.nan, unit), distribution=None, source=None, unit=unit)
    status = tuple("user" if c in inline else (gvec.status[i] if gvec is not None else "not_covered")
                   for i, c in enumerate(CODES))
    return base, status


def _lifetime(lt, r: _Reader) -> None:
    if not isinstance(lt, dict):
        raise InputError(f"{r.where('lifetime')}: expected a mapping")
    if "lifespan" not in lt:
        raise InputError(f"{r.where('lifetime', 'lifespan')}: required key is missing")
    r.add("lifetime.lifespan", lt["lifespan"])
    r.add("lifetime.utilization", lt.get("utilization", 1.0))


def _transport(tr: dict, r: _Reader) -> None:
    tset = r.inv.transport_set(tr.get("set", r.inv.default_transport_set), r.where("transport", "set"))
    for mode in ("truck", "boat", "plane"):
        if mode in tr:
            r.add(f"transport.{mode}", tr[mode])
        elif mode in tset:
            r.params[f"transport.{mode}"] = datum_param(f"transport.{mode}", tset[mode], "km")
        else:
            r.params[f"transport.{mode}"] = Param(f"transport.{mode}", Q_(0.0, "km"), None, None, "km")


def _inventory_params(acc: Accelerator, emb: dict, r: _Reader) -> None:
    """Inventory data that the chosen route uses, as parameters (uncertain ones get sampled)."""
    if emb["method"] == "parametric" or not acc.measured:
        for k, d in acc.bom.items():
            r.params[f"accelerator.bom.{k}"] = datum_param(f"accelerator.bom.{k}", d, BOM_UNITS[k])
    else:
        for k in ("total_mass", "heatsink_mass", "casing_mass"):  # masses: hardware consumed by the run
            if k in acc.bom:
                r.params[f"accelerator.bom.{k}"] = datum_param(f"accelerator.bom.{k}", acc.bom[k], "kg")
    if emb["method"] == "parametric":
        for k, d in r.inv.yield_model(emb["yield_model"]).params.items():
            r.params[f"embodied.yield.{k}"] = datum_param(f"embodied.yield.{k}", d, YIELD_UNITS[k])


def _host(raw: dict, r: _Reader) -> str | None:
    host = raw.get("host")
    if host is not None:
        if not isinstance(host, str):
            raise InputError(f"{r.where('host')}: expected a host id from inventories/hosts.yaml, got {host!r}")
        r.inv.host(host, r.where("host"))
    return host
