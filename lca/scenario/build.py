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

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lca.errors import InputError, unknown_id
from lca.inventory import SPEC_FIELDS, Accelerator, Datum, Inventory, load_inventory, load_user_accelerator, with_accelerators
from lca.inventory.files import load_yaml
from lca.inventory.method import CODES, category, code_of
from lca.inventory.user_factors import base_dir, extend, read_tables, sources_used
from lca.scenario.overrides import CARD_PARTS, apply_overrides, parse_set, resolve_scenario_path
from lca.scenario.params import datum_param, read_param
from lca.scenario.schema import BOM_UNITS, SCALARS, SECTION_KEYS, TOP_KEYS, TRANSPORT_FACTORS, YIELD_UNITS, Param, Scenario
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


def build_scenario(raw: dict, *, path: str = "<scenario>", inventory: Inventory | None = None,
                   accelerator_overrides=None) -> Scenario:
    """Validate a scenario mapping (as read from YAML, overrides applied) against an inventory.

    ``accelerator_overrides``: ``(key, value)`` pairs such as ``("accelerator.bom.gpu_die_area",
    "815 mm**2")`` applied to the card (default: those collected by
    :func:`lca.scenario.apply_overrides`)."""
    if accelerator_overrides is None:
        accelerator_overrides = getattr(raw, "accelerator_overrides", ())
    _check_keys(raw, path)
    factor_files = _factor_files(raw, path)
    inv = inventory or load_inventory()
    tables = read_tables(factor_files, path, inv.sources) if factor_files else ()
    inv = extend(inv, tables)
    srcs = _sources(raw, path, inv)
    r = _Reader(path=path, inv=inv, default_source=tuple(srcs) if srcs else None)
    acc, cards = _accelerator(raw, r)
    acc = _card_overrides(acc, accelerator_overrides, r)
    emb = _embodied(raw, acc, r)
    measured_energy = _workload(raw["workload"], acc, r)
    _operation(raw["operation"], acc, measured_energy, r)
    background = _background(raw, r)
    base, grid_status = _grid(raw["operation"], r, background)
    _lifetime(raw["lifetime"], r)
    _transport(raw.get("transport") or {}, r)
    _inventory_params(acc, emb, r)
    host = _host(raw, r)
    _data_params(acc, emb, host, r)
    _check_card_overrides(accelerator_overrides, emb, r)
    return Scenario(
        host=host, name=raw["name"], description=str(raw.get("description", "") or ""), path=path,
        sources=tuple(dict.fromkeys([*srcs, *sources_used(tables)])), accelerator=acc.id, embodied=emb,
        grid=base or "inline", params=r.params, measured_energy=measured_energy,
        factor_files=tuple(factor_files), grid_status=grid_status, factor_tables=tables, background=background,
        user_accelerators=cards, warnings=_warnings(r, host, measured_energy),
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


CARD_SUFFIXES = (".yaml", ".yml")


def _accelerator(raw: dict, r: _Reader) -> tuple[Accelerator, tuple]:
    """``accelerator:``: a shipped id, or a card file of the user's own (a path relative to the
    scenario file, ending in .yaml/.yml), validated as a shipped card and added to the inventory."""
    acc_id = raw["accelerator"]
    if not isinstance(acc_id, str):
        raise InputError(f"{r.where('accelerator')}: expected an accelerator id or a card file (.yaml), got {acc_id!r}"[:300])
    if not acc_id.lower().endswith(CARD_SUFFIXES):
        return r.inv.accelerator(acc_id, r.where("accelerator")), ()
    p = Path(acc_id).expanduser()
    if not p.is_absolute():
        p = base_dir(r.path) / p
    if not p.is_file():
        raise InputError(f"{r.where('accelerator')}: card file {acc_id} not found (looked for {p})")
    card = load_user_accelerator(p, r.inv, acc_id)
    acc = card[2]
    if acc.id in r.inv.accelerators:
        raise InputError(f"{p}: id: {acc.id!r} is a shipped accelerator; give your card an id (and file name) "
                         "of its own")
    r.inv = with_accelerators(r.inv, (card,))
    return acc, (card,)


def _card_overrides(acc: Accelerator, overrides, r: _Reader) -> Accelerator:
    """``--set accelerator.bom.KEY=VALUE`` / ``accelerator.specs.KEY=VALUE``: the card with those data
    replaced (a quantity or a distribution spec), before its data become parameters."""
    if not overrides:
        return acc
    parts: dict = {"bom": dict(acc.bom), "specs": dict(acc.specs)}
    allowed = {"bom": BOM_UNITS, "specs": SPEC_FIELDS}
    for key, val in overrides:
        bits = key.split(".")
        part, name = (bits[1], bits[2]) if len(bits) == 3 else ("", "")
        if part not in CARD_PARTS or name not in allowed[part]:
            known = [f"accelerator.{pt}.{k}" for pt in CARD_PARTS for k in allowed[pt]]
            raise InputError(f"set {key}: unknown accelerator key; allowed: accelerator (an id or a card file), "
                             f"{', '.join(known)}")
        bounds = (0, None, True, True) if part == "bom" else (0, None, False, True)
        unit = allowed[part][name]
        p = read_param(key, val, f"set {key}", unit, bounds, f"a quantity in {unit}, >= 0" if part == "bom"
                       else f"a quantity in {unit}, > 0", None, r.inv)
        parts[part][name] = Datum(value=p.value.to(unit), source="user:--set", uncertainty=p.distribution)
    return dataclasses.replace(acc, bom=parts["bom"], specs=parts["specs"])


def _check_card_overrides(overrides, emb: dict, r: _Reader) -> None:
    """A bill-of-materials override the chosen route does not use is an error, not a no-op."""
    for key, _val in overrides or ():
        if key.startswith("accelerator.bom.") and key not in r.params and not (
                key == "accelerator.bom.total_mass" and "accelerator.bom.board_mass" in r.params):
            raise InputError(f"set {key}: not used by embodied.method: {emb['method']} (only the masses are); "
                             "use embodied.method: parametric")


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
    emb.setdefault("suspect_data", "keep")
    if emb["suspect_data"] not in ("keep", "alternative"):
        raise InputError(f"{r.where('embodied', 'suspect_data')}: expected keep (the published value, flagged) or "
                         f"alternative (the documented alternative), got {emb['suspect_data']!r}")
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


def _background(raw: dict, r: _Reader) -> str | None:
    """``background:``: the electricity background (default: the inventory's default)."""
    bg = raw.get("background", r.inv.default_background)
    if bg is None:
        return None
    if not isinstance(bg, str):
        raise InputError(f"{r.where('background')}: expected a background id, got {bg!r}")
    r.inv.background(bg, r.where("background"))
    return bg


def _grid(op: dict, r: _Reader, background: str | None = None) -> tuple[str | None, tuple[str, ...]]:
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
    grid = r.inv.grid(base, w("base")) if base is not None else None
    if grid is not None and background is not None:
        grid = r.inv.background(background).apply(grid)
    gvec = grid.vector if grid is not None else None
    gsrc = node.get("source", r.default_source)
    for i, code in enumerate(CODES):
        pth = f"operation.grid.{code}"
        unit = str(category(code).units / ureg.kWh)
        if code in inline:
            r.params[pth] = read_param(pth, inline[code], w(code), None, (0, None, True, True),
                                       f"{category(code).name} per kWh", gsrc, r.inv, category_code=code)
        elif gvec is not None:
            dist = gvec.uncertainties[i]
            r.params[pth] = Param(path=pth, value=Q_(gvec.values[i], unit),
                                  distribution=None if dist is None else dist.with_unit(unit),
                                  source=gvec.sources[i], unit=unit)
        else:
            r.params[pth] = Param(path=pth, value=Q_(np.nan, unit), distribution=None, source=None, unit=unit)
    status = tuple("user" if c in inline else (gvec.status[i] if gvec is not None else "not_covered")
                   for i, c in enumerate(CODES))
    return (grid.id if grid is not None else base), status


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
    keys = list(acc.bom) if emb["method"] == "parametric" or not acc.measured else \
        [k for k in ("total_mass", "heatsink_mass", "casing_mass") if k in acc.bom]  # hardware consumed by the run
    for k in keys:
        r.params[f"accelerator.bom.{k}"] = datum_param(f"accelerator.bom.{k}", acc.bom[k], BOM_UNITS[k])
    _board_mass(r)
    if emb["method"] == "parametric":
        for k, d in r.inv.yield_model(emb["yield_model"]).params.items():
            r.params[f"embodied.yield.{k}"] = datum_param(f"embodied.yield.{k}", d, YIELD_UNITS[k])


def _multiplier(path: str, gsd: float | None, source, r: _Reader) -> None:
    """A data-quality multiplier (median 1, lognormal with the data's pedigree GSD) on a component."""
    if gsd is None or not gsd > 1:
        return
    from lca.inventory.distributions import Distribution

    dist = Distribution(kind="lognormal", params={"median": 1.0, "gsd": float(gsd)}, unit="dimensionless", default=1.0)
    r.params[path] = Param(path=path, value=Q_(1.0, "dimensionless"), distribution=dist, source=source,
                           unit="dimensionless")


def _data_params(acc: Accelerator, emb: dict, host: str | None, r: _Reader) -> None:
    """One multiplier per component whose data carry a pedigree: ``data.<component>``.

    The 16 categories of a component come from the same inventory, so they are drawn together
    (fully correlated); components are independent of each other."""
    fs = r.inv.factor_set(emb["factors"])
    if emb["method"] == "measured":
        ds = acc.measured[emb["dataset"]]
        for name, (_stage, vec) in ds.components.items():
            _multiplier(f"data.{name}", vec.gsd, ds.source, r)
        eol = ds.end_of_life
        if eol is not None:
            _multiplier("data.end_of_life", eol.gsd, ds.source, r)
        used = [k for k in ("upstream_transport", "end_of_life") if k not in ds.components
                and not (k == "end_of_life" and eol is not None)]
    else:
        used = ["gpu_die", "vram", "pcb", "heatsink", "casing", "upstream_transport", "end_of_life"]
    for name in used:
        if name in fs.factors:
            _multiplier(f"data.{name}", fs.factors[name].vector.gsd, fs.id, r)
    tf = r.inv.factor_sets.get(TRANSPORT_FACTORS)
    if tf is not None and tf.factors:
        _multiplier("data.distribution", next(iter(tf.factors.values())).vector.gsd, tf.id, r)
    if host is not None:
        _multiplier("data.host", r.inv.host(host).embodied.gsd, None, r)


def _board_mass(r: _Reader) -> None:
    """Uncertain masses are sampled as parts and the total derived (total = heatsink + casing +
    board), so a draw can never give a card whose parts outweigh it (a negative board mass)."""
    parts = [f"accelerator.bom.{k}" for k in ("total_mass", "heatsink_mass", "casing_mass")]
    if not all(k in r.params for k in parts) or not any(r.params[k].uncertain for k in parts):
        return
    total, hs, cs = (r.params[k] for k in parts)
    board = (total.value - hs.value - cs.value).to("kg")
    if board.magnitude < -1e-9 * total.value.m_as("kg"):  # tolerance: rounding of masses given in grams
        raise InputError(f"{r.where('accelerator', 'bom')}: heatsink_mass + casing_mass ({(hs.value + cs.value).to('kg'):~P}) "
                         f"exceed total_mass ({total.value.to('kg'):~P})")
    board = Q_(max(board.magnitude, 0.0), "kg")
    dist = None
    if total.distribution is not None and board.magnitude > 0:  # the total's relative spread, on the board
        dist = total.distribution.scaled(board.magnitude / total.value.m_as(total.distribution.unit))
        dist = dist.with_unit(total.distribution.unit)
        from lca.inventory.distributions import Distribution

        dist = Distribution(kind=dist.kind, params={k: (v if k == "gsd" else float(Q_(v, dist.unit).m_as("kg")))
                                                    for k, v in dist.params.items()}, unit="kg",
                            default=None if dist.default is None else float(Q_(dist.default, dist.unit).m_as("kg")))
    del r.params["accelerator.bom.total_mass"]
    r.params["accelerator.bom.board_mass"] = Param(path="accelerator.bom.board_mass", value=board, distribution=dist,
                                                   source=total.source, unit="kg")


def _magnitude(r: _Reader, pth: str) -> float | None:
    p = r.params.get(pth)
    return None if p is None else float(np.asarray(p.value.m_as(p.unit)))


def _warnings(r: _Reader, host: str | None, measured_energy: str | None) -> tuple[str, ...]:
    """Inputs that are valid but implausible, or that leave a share uncounted: said, never silent."""
    out = []
    mfu = _magnitude(r, "workload.mfu")
    if mfu is not None and mfu >= 1:
        out.append(f"workload.mfu: {mfu} means the accelerators ran at peak FLOP/s the whole time; measured "
                   "training MFU is well below 1 (communication, data loading, restarts): check the value")
    overhead = _magnitude(r, "operation.server_overhead")
    if host is not None and measured_energy is None and overhead is not None and overhead <= 1:
        out.append(f"host: {host}: the host's embodied share is counted but its electricity is not "
                   f"(operation.server_overhead is {overhead:g}); set operation.server_overhead > 1 to count "
                   "the host's CPUs, memory, network and fans")
    return tuple(out)


def _host(raw: dict, r: _Reader) -> str | None:
    host = raw.get("host")
    if host is not None:
        if not isinstance(host, str):
            raise InputError(f"{r.where('host')}: expected a host id from inventories/hosts.yaml, got {host!r}")
        r.inv.host(host, r.where("host"))
    return host
