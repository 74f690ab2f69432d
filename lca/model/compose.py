"""Compose the stages and the allocation into one training run's cradle-to-grave impacts.

lifetimes_consumed = accelerator_hours / (lifespan x hours_per_year x utilization)
embodied(run)      = lifetimes_consumed x per-card (manufacturing + transport + end-of-life)
use(run)           = energy x grid factors (+ on-site water)

``evaluate(scenario, params) -> xarray.Dataset``: one data variable per EF 3.1 category (pint
unit of that category), dims (component, sample), coordinate ``stage`` on ``component``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pint

from lca import __version__
from lca.errors import InputError
from lca.inventory import Accelerator, CategoryVector, FactorSet, Inventory, MeasuredDataset, YieldModel, load_inventory
from lca.inventory.loaders import with_accelerators
from lca.inventory.method import CODES, categories
from lca.inventory.user_factors import extend
from lca.model.arrays import RunArrays
from lca.model.stages import end_of_life as eol_stage
from lca.model.stages import manufacturing, transport, use
from lca.scenario import Scenario, load_scenario, parameter_table
from lca.scenario.schema import TRANSPORT_FACTORS  # noqa: E402
from lca.units import Q_
from lca.vocab import QUANTITY_UNITS, STAGES  # noqa: E402

if TYPE_CHECKING:  # xarray is imported only where a Dataset is built (a cold `lca run` needs none)
    import xarray as xr


@dataclass(frozen=True)
class Model:
    """A scenario with its inventory records resolved (immutable)."""

    scenario: Scenario
    inventory: Inventory
    accelerator: Accelerator
    factor_set: FactorSet
    transport_factors: FactorSet
    yield_model: YieldModel
    measured: MeasuredDataset | None
    hours_per_year: pint.Quantity
    energy_override: pint.Quantity | None = None  # measured energy (CodeCarbon), kWh
    energy_note: str | None = None
    grid_vector: CategoryVector | None = None     # the grid's data after the background (None: inline only)
    overrides: tuple = ()                         # the ``--set`` overrides applied, as "path=value" strings


def prepare(scenario: Scenario | str, inventory: Inventory | None = None, overrides=()) -> Model:
    inv = inventory or load_inventory()
    applied: tuple = ()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides=overrides, inventory=inv)
        applied = _override_strings(overrides)
    inv = extend(inv, scenario.factor_tables)  # the user's factor files, read once by the scenario loader
    inv = with_accelerators(inv, scenario.user_accelerators)  # the user's card files, read once too
    emb = scenario.embodied
    acc = inv.accelerator(scenario.accelerator)
    factor_set = inv.factor_set(emb["factors"])
    transport_factors = inv.factor_set(TRANSPORT_FACTORS)
    energy_override = note = None
    if scenario.measured_energy:
        from lca.inventory.codecarbon import read_energy

        energy_override, note = read_energy(scenario.measured_energy, base=scenario.path)
    measured = acc.measured[emb["dataset"]] if emb["method"] == "measured" else None
    if emb.get("suspect_data") == "alternative":  # the documented alternatives of suspect data
        factor_set, transport_factors, measured = (_with_alternatives(factor_set), _with_alternatives(transport_factors),
                                                   _with_alternatives(measured))
    grid_vector = None
    if scenario.grid in inv.grids:
        g = inv.grid(scenario.grid)
        grid_vector = (inv.background(scenario.background).apply(g) if scenario.background else g).vector
    return Model(
        scenario=scenario, inventory=inv, accelerator=acc, factor_set=factor_set,
        transport_factors=transport_factors, yield_model=inv.yield_model(emb["yield_model"]),
        measured=measured, hours_per_year=inv.constant("hours_per_year"), energy_override=energy_override,
        energy_note=note, grid_vector=grid_vector, overrides=applied,
    )


def _override_strings(overrides) -> tuple:
    """``--set`` items (``"path=value"`` strings or ``(path, value)`` pairs) as ``"path=value"`` strings."""
    out = []
    for item in overrides or ():
        if isinstance(item, str):
            out.append(item)
        else:
            key, val = item
            out.append(f"{key}={val if isinstance(val, str) else json.dumps(val, default=str)}")
    return tuple(out)


def _with_alternatives(data):
    """A factor set or measured dataset with each suspect datum replaced by its documented alternative."""
    if data is None:
        return None
    if isinstance(data, FactorSet):
        factors = {k: dataclasses.replace(e, vector=e.vector.with_alternatives()) for k, e in data.factors.items()}
        return dataclasses.replace(data, factors=factors)
    comps = {k: (stage, vec.with_alternatives()) for k, (stage, vec) in data.components.items()}
    eol = data.end_of_life.with_alternatives() if data.end_of_life is not None else None
    return dataclasses.replace(data, components=comps, end_of_life=eol)


def component_data(model: Model) -> dict:
    """The data behind each component: {component: CategoryVector} (for conventions and flags)."""
    out: dict = {}
    if model.measured is not None:
        out.update({k: vec for k, (_s, vec) in model.measured.components.items()})
        if model.measured.end_of_life is not None:
            out["end_of_life"] = model.measured.end_of_life
    for k in ("gpu_die", "vram", "pcb", "heatsink", "casing", "upstream_transport", "end_of_life"):
        if k not in out and k in model.factor_set.factors and (model.measured is None or k in ("upstream_transport", "end_of_life")):
            out[k] = model.factor_set.factors[k].vector
    if model.transport_factors.factors:
        out["distribution"] = next(iter(model.transport_factors.factors.values())).vector
    if model.scenario.host is not None:
        out["host"] = model.inventory.host(model.scenario.host).embodied
    if model.grid_vector is not None:
        out["electricity"] = model.grid_vector
    return out


def provenance(model: Model, names, data: np.ndarray) -> dict:
    """Per category: the long-term-emissions convention of each component's data, whether they mix,
    and every suspect datum used. ``data`` is (16, C, n)."""
    vecs = component_data(model)
    inline = {c for c, s in zip(CODES, model.scenario.grid_status) if s == "user"}
    covered = ~np.isnan(data).all(axis=-1)  # (16, C)
    out = {}
    for i, c in enumerate(CODES):
        conv: dict = {}
        suspect = []
        for j, name in enumerate(names):
            if not covered[i, j]:
                continue
            if name == "electricity" and c in inline:
                conv[name] = "undeclared"  # a value the user wrote inline
                continue
            vec = vecs.get(name)
            if vec is None:
                continue
            conv[name] = vec.conventions[i] or "undeclared"
            if vec.suspect[i]:
                suspect.append({"component": name, "reason": vec.suspect[i], "alternative": vec.alternatives[i]})
        kinds = {v for v in conv.values() if v in ("lt_excluded", "lt_included")}
        summary = kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else
                                                       ("not_applicable" if conv and set(conv.values()) <= {"not_applicable"}
                                                        else "undeclared" if conv else "none"))
        warning = None
        if summary == "mixed":
            by = {k: sorted(n for n, v in conv.items() if v == k) for k in ("lt_excluded", "lt_included")}
            warning = (f"{c}: long-term emissions conventions mixed: lt_included in {', '.join(by['lt_included'])}; "
                       f"lt_excluded in {', '.join(by['lt_excluded'])}")
        out[c] = {"convention": summary, "conventions": conv, "suspect": suspect, "warning": warning}
    return out


def _component_label(model: Model, name: str) -> str:
    if name == "end_of_life":
        return "end_of_life"
    stage = "manufacturing"
    if model.measured is not None and name in model.measured.components:
        stage = model.measured.components[name][0]
    elif name in ("upstream_transport", "distribution"):
        stage = "transport"
    return f"{stage}: {name}"


@functools.lru_cache(maxsize=32)
def _file_sha256(path: str, mtime_ns: int, size: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _measured_energy_source(model: Model) -> dict:
    from lca.inventory.codecarbon import _resolve

    p = _resolve(model.scenario.measured_energy, model.scenario.path)
    st = p.stat()
    return {"id": f"measured_energy:{p.name}", "citation": model.energy_note or f"CodeCarbon emissions file {p}",
            "url": None, "doi": None, "licence": "the user's own measurement (not published)",
            "path": str(p), "sha256": _file_sha256(str(p), st.st_mtime_ns, st.st_size),
            "supports": ["workload.measured_energy", "use: it_energy"]}


def used_sources(model: Model) -> list[dict]:
    """Every source the run used, in order of first use: ``{id, citation, url, doi, licence, supports}``
    (``supports``: the data it backs, e.g. ``operation.grid.gwp``, ``manufacturing: main_dies``).
    A CodeCarbon measured-energy file is listed too, with its ``path`` and ``sha256``."""
    supports: dict = {}

    def add(src, label: str) -> None:
        for sid in ((src,) if isinstance(src, str) else tuple(src or ())):
            if sid:
                labels = supports.setdefault(sid, [])
                if label not in labels:
                    labels.append(label)

    sc = model.scenario
    for own in sc.sources:
        add(own, "scenario")
    for path, prm in sc.params.items():
        add(prm.source, path)
    if model.grid_vector is not None:
        for c, gsrc in zip(CODES, model.grid_vector.sources):
            add(gsrc, f"operation.grid.{c}")
    if model.measured is not None:
        add(model.measured.source, f"embodied dataset {model.measured.id}")
    for name, vec in component_data(model).items():
        if name != "electricity":
            for sid in vec.sources:
                add(sid, _component_label(model, name))
    if model.measured is None:
        for k, d in model.factor_set.data.items():
            add(d.source, f"factors {model.factor_set.id}: {k}")
        for k, d in model.yield_model.params.items():
            add(d.source, f"yield model {model.yield_model.id}: {k}")
    hpy = model.inventory.constants.get("hours_per_year")
    if hpy is not None:
        add(hpy.source, "constants.hours_per_year")
    out = []
    for sid, labels in supports.items():
        s = model.inventory.sources.get(sid)
        if s is None:  # not a source id (a multiplier names its factor set, whose sources are listed)
            continue
        rec = {"id": sid, "citation": s.citation(), "url": s.url, "doi": s.doi, "licence": s.licence, "supports": labels}
        if s.note:
            rec["note"] = s.note
        out.append(rec)
    if sc.measured_energy:
        out.append(_measured_energy_source(model))
    return out


def quantities(model: Model, p: dict) -> dict:
    """Physical quantities of the run (pint arrays of shape (n,))."""
    n = len(next(iter(p.values())).magnitude)
    if model.energy_override is not None:
        it = Q_(np.full(n, model.energy_override.m_as("kWh")), "kWh")  # measured IT energy
        energy = use.facility_energy(it, p["operation.pue"])
        if "workload.accelerator_hours" in p:
            hours = p["workload.accelerator_hours"]
        elif "operation.accelerator_power" in p:  # back out busy hours from the measured energy
            hours = (it / (p["operation.accelerator_power"] * p["operation.server_overhead"])).to("hour")
        else:
            raise InputError(f"{model.scenario.path}: with measured_energy give workload.accelerator_hours or "
                             "operation.accelerator_power so the embodied share can be allocated")
    else:
        if "workload.accelerator_hours" in p:
            hours = p["workload.accelerator_hours"].to("hour")
        else:
            hours = use.accelerator_hours(p["workload.training_flops"], p["workload.peak_flops"], p["workload.mfu"])
        it = use.it_energy(hours, p["operation.accelerator_power"], p["operation.server_overhead"])
        energy = use.facility_energy(it, p["operation.pue"])
    service_hours = (p["lifetime.lifespan"].to("year") * model.hours_per_year * p["lifetime.utilization"]).to("hour")
    lifetimes = (hours / service_hours).to("dimensionless")
    out = {"accelerator_hours": hours, "it_energy": it, "energy": energy, "lifetimes_consumed": lifetimes,
           "accelerator_count": Q_(np.ceil(lifetimes.magnitude - 1e-9), "dimensionless"),
           "hardware_mass": (lifetimes * p["accelerator.bom.total_mass"]).to("kg")}
    # hardware consumed by component: heatsink, casing, and the rest of the card (board, dies, package)
    if "accelerator.bom.heatsink_mass" in p and "accelerator.bom.casing_mass" in p:
        hs, cs = p["accelerator.bom.heatsink_mass"], p["accelerator.bom.casing_mass"]
        out["hardware_mass_heatsink"] = (lifetimes * hs).to("kg")
        out["hardware_mass_casing"] = (lifetimes * cs).to("kg")
        out["hardware_mass_board_and_dies"] = (lifetimes * (p["accelerator.bom.total_mass"] - hs - cs)).to("kg")
    if "operation.wue" in p:
        out["onsite_water"] = use.onsite_water(it, p["operation.wue"])
    return out


def per_card(model: Model, p: dict) -> dict:
    """Per-card embodied impacts: {component: (stage, (16, n))}."""
    mass = p["accelerator.bom.total_mass"]
    emb = model.scenario.embodied
    if model.measured is not None:
        comps = manufacturing.measured(model.measured, len(mass.magnitude))
    else:
        comps = manufacturing.parametric(p, model.factor_set, model.yield_model, emb["vram_area"])
    if "upstream_transport" not in comps:
        comps["upstream_transport"] = ("transport", transport.upstream(model.factor_set, mass))
    distances = {m: p[f"transport.{m}"] for m in transport.MODES}
    comps["distribution"] = ("transport", transport.distribution(model.transport_factors, mass, distances))
    if model.scenario.host is not None:
        # the host's embodied impacts shared by the accelerators it carries (same service life)
        h = model.inventory.host(model.scenario.host)
        per_acc = h.embodied.values / h.accelerators_per_host
        comps["host"] = ("manufacturing", np.broadcast_to(per_acc[:, None], (per_acc.shape[0], len(mass.magnitude))))
    eol = model.measured.end_of_life if model.measured is not None else None
    comps["end_of_life"] = ("end_of_life", eol_stage.end_of_life(eol, model.factor_set, mass))
    # data-quality multipliers (median 1): the pedigree uncertainty of each component's data
    for name, (stage, arr) in comps.items():
        k = f"data.{name}"
        if k in p:
            comps[name] = (stage, arr * np.atleast_1d(p[k].m_as(""))[None, :])
    return comps


def compute(model: Model, p: dict):
    """Core arithmetic: returns (quantities, component names, stages, array (16, C, n))."""
    q = quantities(model, p)
    card = per_card(model, p)
    life = q["lifetimes_consumed"].m_as("")
    order = {s: i for i, s in enumerate(STAGES)}
    # (name, stage, fill): the embodied components scaled by the lifetimes consumed, then the use
    # stage's own; kept in stage order manufacturing, transport, use, end_of_life (a stable sort),
    # each written straight into the (16, C, n) result
    parts: list = [(name, stage, (arr, life[None, :])) for name, (stage, arr) in card.items()]
    grid = {c: p[f"operation.grid.{c}"] for c in CODES}
    parts.append(("electricity", "use", use.electricity(q["energy"], grid)))
    if "onsite_water" in q:
        parts.append(("onsite_water", "use", use.onsite_water_impacts(q["onsite_water"], p.get("operation.water_scarcity"))))
    parts.sort(key=lambda t: order[t[1]])
    shape = np.broadcast_shapes(*[np.broadcast_shapes(*map(np.shape, f)) if isinstance(f, tuple) else np.shape(f)
                                  for _, _, f in parts])                     # (16, n)
    data = np.empty((len(CODES), len(parts)) + shape[1:])
    for j, (_, _, f) in enumerate(parts):
        if isinstance(f, tuple):
            np.multiply(f[0], f[1], out=data[:, j])
        else:
            data[:, j] = f
    return q, [t[0] for t in parts], [t[1] for t in parts], data


def evaluate(model: Model | Scenario | str, params: dict | None = None, *, squeeze: bool = True) -> xr.Dataset:
    """Impacts of the run as an xarray Dataset (see module docstring).

    Parameters
    ----------
    model : Model, Scenario or path
    params : dict, optional
        Parameter arrays from :func:`lca.scenario.parameter_table`; default: the deterministic run.
    squeeze : bool
        Drop the ``sample`` dimension when it has size 1.
    """
    if not isinstance(model, Model):
        model = prepare(model)
    p = params if params is not None else parameter_table(model.scenario)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # checked just below
        q, names, stages, data = compute(model, p)
    _check_finite(model, q, data)
    return to_dataset(model, q, names, stages, data, squeeze=squeeze)


def _check_finite(model: Model, q: dict, data: np.ndarray) -> None:
    """An infinite value is an overflow of the inputs (1e300 EFLOP, a lifespan of 1e-320 ns), never a result."""
    bad = [k for k, v in q.items() if np.isinf(np.asarray(v.magnitude, dtype=float)).any()]
    if np.isinf(data).any():
        bad += [c for i, c in enumerate(CODES) if np.isinf(data[i]).any()]
    if bad:
        raise InputError(f"{model.scenario.path}: the inputs overflow floating point: {', '.join(bad[:6])} "
                         "would be infinite; check the magnitudes and units of the scenario's values")


def coverage_of(data: np.ndarray, names, stages, proxies: dict | None = None) -> dict:
    """Per category: full / partial / none, the missing components and stages, and the components
    whose factor is a proxy (a related indicator)."""
    nan = np.isnan(data).any(axis=-1)  # (16, C)
    proxies = proxies or {}
    out = {}
    for i, c in enumerate(CODES):
        missing = [names[j] for j in range(len(names)) if nan[i, j]]
        level = "full" if not missing else ("none" if len(missing) == len(names) else "partial")
        stage_missing = sorted({stages[j] for j in range(len(names)) if nan[i, j]}, key=STAGES.index)
        proxy = [n for n in names if proxies.get(n) and proxies[n][i] == "proxy"]
        out[c] = {"coverage": level, "missing_components": missing, "missing_stages": stage_missing,
                  "proxy_components": proxy}
    return out


def proxy_status(model: Model) -> dict:
    """Status per category of the data behind each component (for the ``proxy`` flags)."""
    out = {"electricity": model.scenario.grid_status}
    if model.measured is not None:
        for name, (_, vec) in model.measured.components.items():
            out[name] = vec.status
        if model.measured.end_of_life is not None:
            out["end_of_life"] = model.measured.end_of_life.status
    for name, entry in model.factor_set.factors.items():
        out.setdefault(name, entry.vector.status)
    return out


def result_attrs(model: Model, names, stages, data) -> dict:
    """The result's attributes: scenario, method, coverage, provenance, warnings, sources (JSON)."""
    cov = coverage_of(data, names, stages, proxy_status(model))
    prov = provenance(model, names, data)
    sc = model.scenario
    return {
        "scenario": sc.name, "scenario_file": sc.path, "accelerator": model.accelerator.id,
        "embodied_method": sc.embodied["method"] + (f" ({sc.embodied['dataset']})" if sc.embodied["method"] == "measured" else
                                                   f" (factors {sc.embodied['factors']}, yield {sc.embodied['yield_model']}, vram {sc.embodied['vram_area']})"),
        "grid": sc.grid, "lca_version": __version__, "method": "EF 3.1",
        "coverage": json.dumps(cov), "data_manifest": json.dumps(model.inventory.manifest, sort_keys=True),
        "background": sc.background or "none", "provenance": json.dumps(prov),
        "grid_name": _grid_name(model),
        "warnings": json.dumps([prov[c]["warning"] for c in CODES if prov[c]["warning"]] + list(sc.warnings)),
        "sources": json.dumps(used_sources(model)), "overrides": json.dumps(list(model.overrides)),
        "energy_source": model.energy_note or "model: training_flops / (peak_flops x mfu) x power x overhead x PUE"
        if "workload.training_flops" in sc.params else (model.energy_note or "model: accelerator_hours x power x overhead x PUE"),
    }


def run_arrays(model: Model, params: dict | None = None) -> RunArrays:
    """The run's result as :class:`RunArrays` (no xarray): the deterministic run by default."""
    p = params if params is not None else parameter_table(model.scenario)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # checked just below
        q, names, stages, data = compute(model, p)
    _check_finite(model, q, data)
    n = data.shape[-1]
    qs = {k: np.broadcast_to(np.asarray(q[k].m_as(unit), dtype=float), (n,)) for k, unit in QUANTITY_UNITS.items() if k in q}
    return RunArrays(names=names, stages=stages, data=data, quantities=qs, attrs=result_attrs(model, names, stages, data))


def to_dataset(model: Model, q: dict, names, stages, data, *, squeeze=True) -> xr.Dataset:
    import xarray as xr

    n = data.shape[-1]
    attrs = result_attrs(model, names, stages, data)
    cov, prov = json.loads(attrs["coverage"]), json.loads(attrs["provenance"])
    coords = {"component": names, "stage": ("component", list(stages)), "sample": np.arange(n)}
    for k, v in q.items():
        coords[k] = xr.Variable(("sample",), np.asarray(v.magnitude, dtype=float), attrs={"units": f"{v.units:~}" if str(v.units) != "dimensionless" else "dimensionless"})
    dvars = {}
    for i, cat in enumerate(categories()):
        dvars[cat.code] = xr.DataArray(
            Q_(data[i], cat.units), dims=("component", "sample"),
            attrs={"long_name": cat.name, "unit_label": cat.unit, "coverage": cov[cat.code]["coverage"],
                   "missing_components": ",".join(cov[cat.code]["missing_components"]),
                   "missing_stages": ",".join(cov[cat.code]["missing_stages"]),
                   "proxy_components": ",".join(cov[cat.code]["proxy_components"]),
                   "convention": prov[cat.code]["convention"],
                   "suspect_components": ",".join(s["component"] for s in prov[cat.code]["suspect"])})
    ds = xr.Dataset(dvars, coords=coords)
    ds.attrs.update(attrs)
    if squeeze and n == 1:
        ds = ds.isel(sample=0, drop=False)
    return ds


def _grid_name(model: Model) -> str:
    """What the grid id resolved to, in words (a carbon-only grid says so)."""
    inv, gid = model.inventory, model.scenario.grid
    if gid not in inv.grids:
        return "inline factors"
    g = inv.grids[gid]
    return f"{g.name}" + (", climate change only (other categories not covered)" if g.carbon_only else "")


def monte_carlo(model: Model, samples: int, seed: int | None = None, *, inputs: str = "all") -> xr.Dataset:
    """Evaluate ``samples`` draws of the uncertain inputs (dimension ``sample``).

    ``inputs="all"`` (default) draws every uncertain datum: scenario inputs, grid factors, data
    quality of the components, bill of materials; ``inputs="scenario"`` only the inputs the
    scenario file sets. Without a ``seed`` one is drawn from the operating system and recorded in
    ``attrs["seed"]``, so every run can be repeated."""
    from lca.scenario.sampling import resolve_seed, sample_table

    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
        raise InputError(f"samples: expected a positive integer, got {samples!r}")
    if inputs not in ("all", "scenario"):
        raise InputError(f"inputs: expected all or scenario, got {inputs!r}")
    seed = resolve_seed(seed)
    sampled = model.scenario.uncertain if inputs == "all" else model.scenario.uncertain_scenario_inputs
    # the block scheme of the sampling contract: the same draws as sweeps and streamed summaries
    p = sample_table(model.scenario, seed, 0, int(samples), sampled)
    ds = evaluate(model, p, squeeze=False)
    ds.attrs["samples"] = int(samples)
    ds.attrs["seed"] = seed
    ds.attrs["sampled"] = ",".join(sampled)
    return ds


def run(scenario, overrides=(), *, samples: int | None = None, seed: int | None = None,
        inventory: Inventory | None = None) -> xr.Dataset:
    """Load a scenario and evaluate it (deterministic, or Monte Carlo with ``samples`` and ``seed``)."""
    model = prepare(scenario, inventory=inventory, overrides=overrides)
    if samples is None:
        return evaluate(model)
    return monte_carlo(model, samples, seed)
