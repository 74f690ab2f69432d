"""Loading and validating inventory files (``inventories/``).

The records are immutable. Every quantity is a pint Quantity whose dimension was checked on
load; every datum carries a source id that exists in ``inventories/sources.yaml``; per-category
tables are NaN (status ``not_covered``) where the data do not cover a category, never 0.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pint

from lca.errors import InputError, unknown_id
from lca.inventory.distributions import Distribution, load_pedigree
from lca.inventory.files import inventories_dir, load_yaml, read_bytes, read_text
from lca.inventory.method import CODES, category, code_of, load_method
from lca.units import UnitError, parse_quantity, ureg

STATUSES = ("measured", "proxy", "suspect", "not_covered")
#: Long-term emissions convention of a characterised value (docs/inventory-format.md)
CONVENTIONS = ("lt_excluded", "lt_included", "not_applicable")
NOTE_KEYS = {"note", "notes", "comment"}


# ------------------------------------------------------------------------------------------------
# records
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    id: str
    authors: str
    title: str
    year: int
    url: str | None
    doi: str | None
    licence: str
    note: str | None = None

    def citation(self) -> str:
        link = self.url or (f"https://doi.org/{self.doi}" if self.doi else "")
        return f"{self.authors} ({self.year}). {self.title}. {link}".strip()


@dataclass(frozen=True)
class Datum:
    """A scalar quantity with its source and optional uncertainty."""

    value: pint.Quantity
    source: str
    uncertainty: Distribution | None = None
    note: str | None = None


@dataclass(frozen=True)
class CategoryVector:
    """Values for the 16 categories, in each category's unit per ``per`` (NaN = not covered)."""

    values: np.ndarray  # shape (16,)
    per: str            # reference unit, e.g. "kWh", "kg", "mm**2", "kg * km", "" (per item)
    status: tuple[str, ...]
    sources: tuple[str | None, ...]
    notes: tuple[str | None, ...] = ()
    years: tuple[int | None, ...] = ()
    methods: tuple[str | None, ...] = ()        # characterisation method per category
    conventions: tuple[str | None, ...] = ()    # lt_excluded | lt_included | not_applicable | None
    uncertainties: tuple = ()                   # Distribution | None per category (magnitudes in values' units)
    suspect: tuple[str | None, ...] = ()        # reason, for a datum flagged suspect
    alternatives: tuple[float | None, ...] = ()  # documented alternative value of a suspect datum
    gsd: float | None = None                    # pedigree GSD of the whole vector (a correlated multiplier)

    def __post_init__(self):
        self.values.setflags(write=False)
        n = len(CODES)
        for name in ("methods", "conventions", "uncertainties", "suspect", "alternatives"):
            if not getattr(self, name):
                object.__setattr__(self, name, (None,) * n)

    def with_alternatives(self) -> CategoryVector:
        """The vector with every suspect datum replaced by its documented alternative."""
        if not any(a is not None for a in self.alternatives):
            return self
        vals = self.values.copy()
        for i, a in enumerate(self.alternatives):
            if a is not None:
                vals[i] = a
        # the alternative is an estimate derived from other data: a proxy, and said so
        status = tuple("proxy" if a is not None else s for s, a in zip(self.status, self.alternatives))
        return dataclasses.replace(self, values=vals, status=status, suspect=(None,) * len(CODES),
                                   alternatives=(None,) * len(CODES))

    def quantity(self, code: str) -> pint.Quantity:
        return self.values[CODES.index(code)] * (category(code).units / ureg.Unit(self.per or "dimensionless"))

    @property
    def covered(self) -> np.ndarray:
        return ~np.isnan(self.values)


@dataclass(frozen=True)
class MeasuredDataset:
    id: str
    source: str
    note: str | None
    components: dict  # name -> (stage, CategoryVector per card)
    end_of_life: CategoryVector | None


@dataclass(frozen=True)
class Accelerator:
    id: str
    name: str
    specs: dict   # name -> Datum
    bom: dict     # name -> Datum
    measured: dict  # dataset id -> MeasuredDataset (insertion order: first is default)
    estimated: bool
    assumptions: tuple[str, ...]
    path: str


@dataclass(frozen=True)
class FactorEntry:
    per: str
    basis: str | None
    vector: CategoryVector


@dataclass(frozen=True)
class FactorSet:
    id: str
    name: str
    factors: dict   # component -> FactorEntry
    data: dict      # extra documented scalars (name -> Datum)
    path: str


@dataclass(frozen=True)
class Grid:
    id: str
    name: str
    iso3: str | None
    year: int | None
    vector: CategoryVector  # per kWh
    carbon_only: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Background:
    """An electricity background: per grid, entries that replace those of ``grids/`` (or none: the
    default, whose values are the grid files themselves)."""

    id: str
    name: str
    description: str
    convention: str
    grids: dict  # grid id -> (CategoryVector per kWh, frozenset of the category codes it gives)
    path: str

    def apply(self, grid: Grid) -> Grid:
        """``grid`` with this background's entries in place (unchanged if it lists none for it)."""
        if grid.id not in self.grids:
            return grid
        vec, given = self.grids[grid.id]
        base = grid.vector
        idx = [CODES.index(c) for c in given]

        def merge(a, b):
            out = list(a)
            for i in idx:
                out[i] = b[i]
            return tuple(out)

        vals = base.values.copy()
        vals[idx] = vec.values[idx]
        merged = dataclasses.replace(base, values=vals, status=merge(base.status, vec.status),
                                     sources=merge(base.sources, vec.sources), notes=merge(base.notes, vec.notes),
                                     years=merge(base.years, vec.years), methods=merge(base.methods, vec.methods),
                                     conventions=merge(base.conventions, vec.conventions),
                                     uncertainties=merge(base.uncertainties, vec.uncertainties),
                                     suspect=merge(base.suspect, vec.suspect),
                                     alternatives=merge(base.alternatives, vec.alternatives))
        return dataclasses.replace(grid, vector=merged, note=f"{grid.note or ''} Background {self.id}.".strip())


@dataclass(frozen=True)
class Host:
    """A host server: embodied impacts per host (category units) and accelerators it carries."""

    id: str
    name: str
    accelerators_per_host: float
    embodied: CategoryVector  # per host
    note: str | None = None


@dataclass(frozen=True)
class YieldModel:
    id: str
    formula: str
    params: dict  # name -> Datum
    note: str | None


@dataclass(frozen=True)
class Inventory:
    root: Path
    sources: dict
    accelerators: dict
    factor_sets: dict
    grids: dict
    yield_models: dict
    default_yield_model: str
    transport_sets: dict  # id -> {mode: Datum}
    default_transport_set: str
    constants: dict  # name -> Datum
    hosts: dict = field(default_factory=dict)     # id -> Host
    manifest: dict = field(default_factory=dict)  # relative path -> sha256
    backgrounds: dict = field(default_factory=dict)  # id -> Background
    default_background: str | None = None
    method: tuple = ()                            # the Category records of root/methods/ef31.yaml
    pedigree: tuple = ()                          # pedigree factors of root/methods/pedigree.yaml

    def accelerator(self, id_: str, where: str = "") -> Accelerator:
        return _get(self.accelerators, id_, "accelerator", where)

    def grid(self, id_: str, where: str = "") -> Grid:
        """A grid by id, or by ISO-3 code or name, case-insensitively (``de``, ``DEU``, ``germany``);
        a full grid wins over a carbon-only one with the same ISO-3 code."""
        exact = self.grids.get(id_) if isinstance(id_, str) else None
        if isinstance(id_, str) and (exact is None or exact.carbon_only):
            key = id_.strip().casefold()
            for match in (lambda g: not g.carbon_only and g.id.casefold() == key,
                          lambda g: not g.carbon_only and (g.iso3 or "").casefold() == key,
                          lambda g: not g.carbon_only and g.name.casefold() == key,
                          lambda g: g.id.casefold() == key,
                          lambda g: (g.iso3 or "").casefold() == key,
                          lambda g: g.name.casefold() == key):
                found = [g for g in self.grids.values() if match(g)]
                if found:
                    return found[0]
        return _get(self.grids, id_, "grid", where)

    def factor_set(self, id_: str, where: str = "") -> FactorSet:
        return _get(self.factor_sets, id_, "factor set", where)

    def yield_model(self, id_: str, where: str = "") -> YieldModel:
        return _get(self.yield_models, id_, "yield model", where)

    def transport_set(self, id_: str, where: str = "") -> dict:
        return _get(self.transport_sets, id_, "transport distance set", where)

    def background(self, id_: str, where: str = "") -> Background:
        return _get(self.backgrounds, id_, "electricity background", where)

    def host(self, id_: str, where: str = "") -> Host:
        return _get(self.hosts, id_, "host", where)

    def constant(self, name: str) -> pint.Quantity:
        return self.constants[name].value


def _get(table, key, kind, where):
    try:
        return table[key]
    except (KeyError, TypeError):
        raise unknown_id(kind, key, table.keys(), where) from None


# ------------------------------------------------------------------------------------------------
# readers
# ------------------------------------------------------------------------------------------------
class _Ctx:
    """Where we are (file, key path) and which sources exist."""

    def __init__(self, path: Path, sources: dict):
        self.path = path
        self.sources = sources

    def at(self, *keys) -> str:
        return f"{self.path}: {'.'.join(str(k) for k in keys if k != '')}"

    def source(self, sid, *keys) -> str:
        if not isinstance(sid, str):
            raise InputError(f"{self.at(*keys)}: source must be an id from inventories/sources.yaml, got {sid!r}")
        if sid not in self.sources:
            raise unknown_id("source id", sid, self.sources.keys(), self.at(*keys))
        return sid


def _require_mapping(node, ctx: _Ctx, *keys) -> dict:
    if not isinstance(node, dict):
        raise InputError(f"{ctx.at(*keys)}: expected a mapping, got {type(node).__name__} {node!r}"[:300])
    return node


def _check_keys(node: dict, allowed: set, ctx: _Ctx, *keys, required: tuple = ()):
    for k in required:
        if k not in node:
            raise InputError(f"{ctx.at(*keys, k)}: required key is missing")
    extra = set(node) - allowed - NOTE_KEYS
    if extra:
        raise InputError(f"{ctx.at(*keys)}: unknown key(s) {sorted(map(str, extra))}; allowed: {sorted(allowed)}")


def read_datum(node, ctx: _Ctx, *keys, expected: str | None, default_source: str | None) -> Datum:
    """A quantity: bare value (inherits ``default_source``) or ``{value, source, uncertainty, note}``."""
    where = ctx.at(*keys)
    if isinstance(node, dict):
        _check_keys(node, {"value", "source", "uncertainty", "estimated"}, ctx, *keys, required=("value",))
        raw, sid = node["value"], node.get("source", default_source)
        unc_spec, note = node.get("uncertainty"), node.get("note")
    else:
        raw, sid, unc_spec, note = node, default_source, None, None
    if sid is None:
        raise InputError(f"{where}: no source; give `source:` (an id from inventories/sources.yaml) on the value or its block")
    sid = ctx.source(sid, *keys, "source")
    try:
        q = parse_quantity(raw, expected=expected, where=where)
    except UnitError as exc:
        raise InputError(str(exc)) from None
    if not np.isfinite(q.magnitude):
        raise InputError(f"{where}: must be a finite number, got {raw!r}")
    unc = None
    if unc_spec is not None:
        try:
            unc = Distribution.from_spec(unc_spec, expected=expected, where=f"{where}.uncertainty", value=q)
        except UnitError as exc:
            raise InputError(str(exc)) from None
    return Datum(value=q, source=sid, uncertainty=unc, note=note)


_ENTRY_KEYS = {"value", "status", "source", "year", "unit", "method", "convention", "uncertainty", "derived_from",
               "suspect_reason", "alternative", "corrected_from"}


def read_characterisation(node, ctx: _Ctx, *keys) -> dict | None:
    """A ``characterisation:`` block -> {code: (method, convention)} for the 16 categories."""
    if node is None:
        return None
    node = _require_mapping(node, ctx, *keys)
    _check_keys(node, {"method", "convention", "per_category"}, ctx, *keys, required=("method", "convention"))
    method, conv = str(node["method"]), node["convention"]
    if conv not in CONVENTIONS:
        raise InputError(f"{ctx.at(*keys, 'convention')}: expected one of {', '.join(CONVENTIONS)}, got {conv!r}")
    out = {c: (method, conv) for c in CODES}
    for raw, entry in _require_mapping(node.get("per_category") or {}, ctx, *keys, "per_category").items():
        try:
            code = code_of(raw)
        except InputError:
            raise InputError(f"{ctx.at(*keys, 'per_category', raw)}: unknown impact category") from None
        entry = _require_mapping(entry, ctx, *keys, "per_category", raw)
        _check_keys(entry, {"method", "convention"}, ctx, *keys, "per_category", raw)
        c = entry.get("convention", conv)
        if c not in CONVENTIONS:
            raise InputError(f"{ctx.at(*keys, 'per_category', raw, 'convention')}: expected one of "
                             f"{', '.join(CONVENTIONS)}, got {c!r}")
        out[code] = (str(entry.get("method", method)), c)
    return out


def read_pedigree_gsd(node, ctx: _Ctx, *keys) -> float | None:
    """A ``pedigree: {scores: [r, c, t, g, tech], basic_gsd: ...}`` block -> its GSD (Weidema et al. 2013)."""
    if node is None:
        return None
    node = _require_mapping(node, ctx, *keys)
    _check_keys(node, {"scores", "basic_gsd"}, ctx, *keys, required=("scores",))
    d = Distribution.from_spec({"pedigree": node["scores"], "basic_gsd": node.get("basic_gsd", 1.0)}, expected=None,
                               where=ctx.at(*keys), value=ureg.Quantity(1.0, "dimensionless"))
    return float(d.params["gsd"])


def _entry_uncertainty(spec, value: float, ctx: _Ctx, *keys):
    if spec is None:
        return None
    try:
        return Distribution.from_spec(spec, expected=None, where=ctx.at(*keys),
                                      value=ureg.Quantity(float(value), "dimensionless"))
    except UnitError as exc:
        raise InputError(str(exc)) from None


def read_category_vector(node, ctx: _Ctx, *keys, per: str, default_source: str | None,
                         default_status: str = "measured", characterisation: dict | None = None,
                         gsd: float | None = None) -> CategoryVector:
    """Per-category values: ``{gwp: 0.4, odp: {value: ..., status: proxy, source: ...}, ...}``.

    Values are in the category's unit per ``per``; a missing category is not covered (NaN). An
    entry may declare its ``method`` and ``convention`` (else the block's ``characterisation``
    gives them), an ``uncertainty`` (a distribution of plain numbers in the same unit), and a
    ``status: suspect`` with ``suspect_reason`` and an optional ``alternative`` value.
    """
    node = _require_mapping(node, ctx, *keys)
    vals = np.full(len(CODES), np.nan)
    status = ["not_covered"] * len(CODES)
    srcs: list = [None] * len(CODES)
    notes: list = [None] * len(CODES)
    years: list = [None] * len(CODES)
    meth: list = [characterisation[c][0] if characterisation else None for c in CODES]
    conv: list = [characterisation[c][1] if characterisation else None for c in CODES]
    unc: list = [None] * len(CODES)
    susp: list = [None] * len(CODES)
    alt: list = [None] * len(CODES)
    for raw_key, entry in node.items():
        try:
            code = code_of(raw_key)
        except InputError:
            raise InputError(f"{ctx.at(*keys, raw_key)}: unknown impact category; expected one of {', '.join(CODES)}") from None
        i = CODES.index(code)
        if not np.isnan(vals[i]) or status[i] != "not_covered" and srcs[i] is not None:
            raise InputError(f"{ctx.at(*keys, raw_key)}: category {code} given twice")
        st, sid, note, year, unit = default_status, default_source, None, None, None
        extra: dict = {}
        if isinstance(entry, dict):
            _check_keys(entry, _ENTRY_KEYS, ctx, *keys, raw_key, required=("value",))
            value, st = entry["value"], entry.get("status", default_status if entry["value"] is not None else "not_covered")
            sid, note, year, unit = entry.get("source", default_source), entry.get("note"), entry.get("year"), entry.get("unit")
            extra = entry
        else:
            value = entry
            if value is None:
                st = "not_covered"
        if st not in STATUSES:
            raise InputError(f"{ctx.at(*keys, raw_key, 'status')}: expected one of {', '.join(STATUSES)}, got {st!r}")
        if value is None or st == "not_covered":
            if value is not None:
                raise InputError(f"{ctx.at(*keys, raw_key)}: status not_covered must have value null, got {value!r}")
            status[i], notes[i] = "not_covered", note
            srcs[i] = sid
            meth[i] = conv[i] = None
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"{ctx.at(*keys, raw_key)}: expected a number in {category(code).unit} per {per or 'item'}, got {value!r}")
        if not np.isfinite(value):
            raise InputError(f"{ctx.at(*keys, raw_key)}: must be a finite number, got {value!r}")
        if sid is None:
            raise InputError(f"{ctx.at(*keys, raw_key)}: no source; give `source:` on the value or its block")
        srcs[i] = ctx.source(sid, *keys, raw_key, "source")
        if unit is not None:  # explicit unit: convert to the category unit per `per`
            from lca.inventory.method import parse_category_unit

            q = float(value) * parse_category_unit(str(unit), code, where=ctx.at(*keys, raw_key, "unit"))
            target = category(code).units / ureg.Unit(per or "dimensionless")
            try:
                value = q.m_as(target)
            except pint.DimensionalityError:
                raise InputError(f"{ctx.at(*keys, raw_key, 'unit')}: expected {category(code).unit} per {per}, got {unit!r}") from None
        vals[i], status[i], notes[i], years[i] = float(value), st, note, year
        if extra:
            _read_entry_extras(extra, i, float(value), st, ctx, (*keys, raw_key), meth, conv, unc, susp, alt)
    return CategoryVector(values=vals, per=per, status=tuple(status), sources=tuple(srcs),
                          notes=tuple(notes), years=tuple(years), methods=tuple(meth), conventions=tuple(conv),
                          uncertainties=tuple(unc), suspect=tuple(susp), alternatives=tuple(alt), gsd=gsd)


def _read_entry_extras(entry: dict, i: int, value: float, status: str, ctx: _Ctx, keys: tuple,
                       meth: list, conv: list, unc: list, susp: list, alt: list) -> None:
    """The provenance keys of one category entry: method, convention, uncertainty, suspect data."""
    if entry.get("method") is not None:
        meth[i] = str(entry["method"])
    if entry.get("convention") is not None:
        if entry["convention"] not in CONVENTIONS:
            raise InputError(f"{ctx.at(*keys, 'convention')}: expected one of {', '.join(CONVENTIONS)}, "
                             f"got {entry['convention']!r}")
        conv[i] = entry["convention"]
    unc[i] = _entry_uncertainty(entry.get("uncertainty"), value, ctx, *keys, "uncertainty")
    if status == "suspect":
        if not entry.get("suspect_reason"):
            raise InputError(f"{ctx.at(*keys, 'suspect_reason')}: a suspect datum needs its reason")
        susp[i] = str(entry["suspect_reason"])
        a = entry.get("alternative")
        if a is not None:
            a = a.get("value") if isinstance(a, dict) else a
            if isinstance(a, bool) or not isinstance(a, (int, float)):
                raise InputError(f"{ctx.at(*keys, 'alternative')}: expected a number or {{value: ..., source: ...}}, got {a!r}")
            if isinstance(entry["alternative"], dict) and entry["alternative"].get("source") is not None:
                ctx.source(entry["alternative"]["source"], *keys, "alternative", "source")
            alt[i] = float(a)
    elif entry.get("suspect_reason") or entry.get("alternative") is not None:
        raise InputError(f"{ctx.at(*keys)}: suspect_reason and alternative need status: suspect")
    for sid in entry.get("derived_from") or ():
        ctx.source(sid, *keys, "derived_from")


def _check_per(per, ctx, *keys) -> str:
    if per is None:
        raise InputError(f"{ctx.at(*keys, 'per')}: required key is missing (the reference unit, e.g. kg, 'mm**2', kWh)")
    try:
        parse_quantity(f"1 {per}", where=ctx.at(*keys, "per"))
    except UnitError as exc:
        raise InputError(str(exc)) from None
    return str(per)


# ------------------------------------------------------------------------------------------------
# files
# ------------------------------------------------------------------------------------------------
def load_sources(path: Path) -> dict:
    data = load_yaml(path)
    table = data.get("sources")
    if not isinstance(table, dict) or not table:
        raise InputError(f"{path}: sources: expected a non-empty mapping of id -> record")
    out = {}
    for sid, rec in table.items():
        ctx = _Ctx(path, {})
        rec = _require_mapping(rec, ctx, "sources", sid)
        _check_keys(rec, {"authors", "title", "year", "url", "doi", "licence", "note"}, ctx, "sources", sid,
                    required=("authors", "title", "year", "licence"))
        own = "url" in rec and rec["url"] is None and rec.get("note")  # this project's own, documented in a note
        if not (rec.get("url") or rec.get("doi") or own):
            raise InputError(f"{ctx.at('sources', sid)}: give a url or a doi (or url: null and a note saying where it is documented)")
        if not isinstance(rec["year"], int):
            raise InputError(f"{ctx.at('sources', sid, 'year')}: expected a year (integer), got {rec['year']!r}")
        out[str(sid)] = Source(id=str(sid), authors=str(rec["authors"]), title=str(rec["title"]), year=rec["year"],
                               url=rec.get("url"), doi=rec.get("doi"), licence=str(rec["licence"]), note=rec.get("note"))
    return out


BOM_FIELDS = {
    "total_mass": "kg", "heatsink_mass": "kg", "casing_mass": "kg", "pcb_area": "cm**2",
    "gpu_die_area": "mm**2", "vram_capacity": "GB", "vram_dies": "dimensionless", "vram_die_area": "mm**2",
}
SPEC_FIELDS = {"peak_flops": "FLOP/s", "tdp": "W"}
COMPONENTS = ("gpu_die", "vram", "main_dies", "pcb", "heatsink", "casing", "pop", "upstream_transport")
from lca.vocab import STAGES  # noqa: E402


def load_accelerator(path: Path, sources: dict) -> Accelerator:
    data = load_yaml(path)
    ctx = _Ctx(path, sources)
    _check_keys(data, {"id", "name", "source", "specs", "bom", "measured", "estimated", "assumptions", "aliases"}, ctx,
                required=("id", "name", "bom"))
    src = data.get("source")
    if src is not None:
        ctx.source(src, "source")
    specs = {}
    for k, v in _require_mapping(data.get("specs", {}) or {}, ctx, "specs").items():
        if k not in SPEC_FIELDS:
            raise InputError(f"{ctx.at('specs', k)}: unknown spec; allowed: {sorted(SPEC_FIELDS)}")
        specs[k] = read_datum(v, ctx, "specs", k, expected=SPEC_FIELDS[k], default_source=src)
    bom = {}
    bom_node = _require_mapping(data["bom"], ctx, "bom")
    bsrc = bom_node.get("source", src)
    for k, v in bom_node.items():
        if k == "source":
            continue
        if k not in BOM_FIELDS:
            raise InputError(f"{ctx.at('bom', k)}: unknown bill-of-materials field; allowed: {sorted(BOM_FIELDS)}")
        d = read_datum(v, ctx, "bom", k, expected=BOM_FIELDS[k], default_source=bsrc)
        if d.value.magnitude < 0:
            raise InputError(f"{ctx.at('bom', k)}: must be >= 0, got {d.value}")
        bom[k] = d
    measured = {}
    for ds_id, ds in _require_mapping(data.get("measured", {}) or {}, ctx, "measured").items():
        ds = _require_mapping(ds, ctx, "measured", ds_id)
        _check_keys(ds, {"source", "components", "end_of_life", "characterisation", "pedigree"}, ctx, "measured", ds_id,
                    required=("components",))
        dsrc = ds.get("source", src)
        chz = read_characterisation(ds.get("characterisation"), ctx, "measured", ds_id, "characterisation")
        dgsd = read_pedigree_gsd(ds.get("pedigree"), ctx, "measured", ds_id, "pedigree")
        comps = {}
        for cname, cnode in _require_mapping(ds["components"], ctx, "measured", ds_id, "components").items():
            cnode = _require_mapping(cnode, ctx, "measured", ds_id, "components", cname)
            _check_keys(cnode, {"stage", "values", "source"}, ctx, "measured", ds_id, "components", cname,
                        required=("stage", "values"))
            if cname not in COMPONENTS:
                raise InputError(f"{ctx.at('measured', ds_id, 'components', cname)}: unknown component; allowed: {', '.join(COMPONENTS)}")
            if cnode["stage"] not in STAGES:
                raise InputError(f"{ctx.at('measured', ds_id, 'components', cname, 'stage')}: expected one of {', '.join(STAGES)}, got {cnode['stage']!r}")
            vec = read_category_vector(cnode["values"], ctx, "measured", ds_id, "components", cname, "values",
                                       per="", default_source=cnode.get("source", dsrc), characterisation=chz, gsd=dgsd)
            comps[cname] = (cnode["stage"], vec)
        eol = None
        if ds.get("end_of_life") is not None:
            e = _require_mapping(ds["end_of_life"], ctx, "measured", ds_id, "end_of_life")
            _check_keys(e, {"values", "source"}, ctx, "measured", ds_id, "end_of_life", required=("values",))
            eol = read_category_vector(e["values"], ctx, "measured", ds_id, "end_of_life", "values", per="",
                                       default_source=e.get("source", dsrc), characterisation=chz, gsd=dgsd)
        measured[str(ds_id)] = MeasuredDataset(id=str(ds_id), source=dsrc, note=ds.get("note"), components=comps,
                                              end_of_life=eol)
    if str(data["id"]) != path.stem:
        raise InputError(f"{ctx.at('id')}: id {data['id']!r} must equal the file name {path.stem!r}")
    assumptions = data.get("assumptions") or []
    if isinstance(assumptions, str):
        assumptions = [assumptions]
    return Accelerator(id=str(data["id"]), name=str(data["name"]), specs=specs, bom=bom, measured=measured,
                       estimated=bool(data.get("estimated", False)), assumptions=tuple(map(str, assumptions)),
                       path=str(path))


def load_factor_set(path: Path, sources: dict) -> FactorSet:
    data = load_yaml(path)
    ctx = _Ctx(path, sources)
    _check_keys(data, {"id", "name", "source", "factors", "data", "characterisation", "pedigree"}, ctx,
                required=("id", "name", "factors"))
    src = data.get("source")
    if src is not None:
        ctx.source(src, "source")
    chz = read_characterisation(data.get("characterisation"), ctx, "characterisation")
    fgsd = read_pedigree_gsd(data.get("pedigree"), ctx, "pedigree")
    factors = {}
    for comp, node in _require_mapping(data["factors"], ctx, "factors").items():
        node = _require_mapping(node, ctx, "factors", comp)
        _check_keys(node, {"per", "basis", "values", "source"}, ctx, "factors", comp, required=("per", "values"))
        per = _check_per(node.get("per"), ctx, "factors", comp)
        vec = read_category_vector(node["values"], ctx, "factors", comp, "values", per=per,
                                   default_source=node.get("source", src), characterisation=chz, gsd=fgsd)
        factors[str(comp)] = FactorEntry(per=per, basis=node.get("basis"), vector=vec)
    extra = {}
    for k, v in _require_mapping(data.get("data", {}) or {}, ctx, "data").items():
        extra[k] = read_datum(v, ctx, "data", k, expected=None, default_source=src)
    if str(data["id"]) != path.stem:
        raise InputError(f"{ctx.at('id')}: id {data['id']!r} must equal the file name {path.stem!r}")
    return FactorSet(id=str(data["id"]), name=str(data["name"]), factors=factors, data=extra, path=str(path))


def load_grid(path: Path, sources: dict) -> Grid:
    data = load_yaml(path)
    ctx = _Ctx(path, sources)
    _check_keys(data, {"id", "name", "iso3", "year", "factors", "source"}, ctx, required=("id", "name", "factors"))
    fnode = _require_mapping(data["factors"], ctx, "factors")
    per = str(fnode.get("per", "kWh"))
    fnode = {k: v for k, v in fnode.items() if k != "per"}
    vec = read_category_vector(fnode, ctx, "factors", per=per, default_source=data.get("source"))
    if per != "kWh":  # normalise to per kWh
        scale = ureg.Quantity(1, "kWh").m_as(per)
        vec = dataclasses.replace(vec, values=vec.values * scale, per="kWh",
                                  uncertainties=tuple(None if u is None else u.scaled(scale) for u in vec.uncertainties))
    if str(data["id"]) != path.stem:
        raise InputError(f"{ctx.at('id')}: id {data['id']!r} must equal the file name {path.stem!r}")
    return Grid(id=str(data["id"]), name=str(data["name"]), iso3=data.get("iso3"), year=data.get("year"),
                vector=vec, note=data.get("note"))


def load_carbon_only(path: Path, sources: dict) -> dict:
    """``carbon_only.csv``: climate change only, every other category not covered."""
    out = {}
    ctx = _Ctx(path, sources)
    text, _ = read_text(path, what="a carbon_only.csv grid table")  # regular file, size limit, UTF-8
    rows = list(csv.DictReader(text.splitlines()))
    need = {"id", "name", "gwp_kg_co2_eq_per_kwh", "source", "year"}
    if not rows or not need <= set(rows[0]):
        raise InputError(f"{path}: expected columns {sorted(need)}")
    gi = CODES.index("gwp")
    for n, r in enumerate(rows, start=2):
        try:
            v = float(r["gwp_kg_co2_eq_per_kwh"])
        except ValueError:
            raise InputError(f"{path}: line {n}: gwp_kg_co2_eq_per_kwh: expected a number, got {r['gwp_kg_co2_eq_per_kwh']!r}") from None
        sid = ctx.source(r["source"], f"line {n}", "source")
        vals = np.full(len(CODES), np.nan)
        vals[gi] = v
        status = ["not_covered"] * len(CODES)
        status[gi] = "measured"
        srcs: list[str | None] = [None] * len(CODES)
        srcs[gi] = sid
        year = int(r["year"]) if r.get("year") else None
        meth: list[str | None] = [None] * len(CODES)
        conv: list[str | None] = [None] * len(CODES)
        unc: list = [None] * len(CODES)
        meth[gi] = r.get("method") or None
        conv[gi] = r.get("convention") or None
        if conv[gi] is not None and conv[gi] not in CONVENTIONS:
            raise InputError(f"{path}: line {n}: convention: expected one of {', '.join(CONVENTIONS)}, got {conv[gi]!r}")
        if r.get("gsd"):
            unc[gi] = _entry_uncertainty({"distribution": "lognormal", "gsd": r["gsd"]}, v, ctx, f"line {n}", "gsd")
        vec = CategoryVector(values=vals, per="kWh", status=tuple(status), sources=tuple(srcs),
                             notes=(None,) * len(CODES), years=(year,) * len(CODES), methods=tuple(meth),
                             conventions=tuple(conv), uncertainties=tuple(unc))
        out[r["id"]] = Grid(id=r["id"], name=r["name"], iso3=r["id"], year=year, vector=vec, carbon_only=True)
    return out


def load_background(path: Path, sources: dict) -> Background:
    """``backgrounds/<id>.yaml``: per grid, per-category entries that replace those of ``grids/``."""
    data = load_yaml(path)
    ctx = _Ctx(path, sources)
    _check_keys(data, {"id", "name", "description", "convention", "grids", "source"}, ctx,
                required=("id", "name", "convention", "grids"))
    if data["convention"] not in CONVENTIONS:
        raise InputError(f"{ctx.at('convention')}: expected one of {', '.join(CONVENTIONS)}, got {data['convention']!r}")
    grids = {}
    for gid, node in _require_mapping(data["grids"] or {}, ctx, "grids").items():
        node = _require_mapping(node, ctx, "grids", gid)
        vec = read_category_vector(node, ctx, "grids", gid, per="kWh", default_source=data.get("source"))
        grids[str(gid)] = (vec, frozenset(code_of(k) for k in node))
    if str(data["id"]) != path.stem:
        raise InputError(f"{ctx.at('id')}: id {data['id']!r} must equal the file name {path.stem!r}")
    return Background(id=str(data["id"]), name=str(data["name"]), description=str(data.get("description") or ""),
                      convention=str(data["convention"]), grids=grids, path=str(path))


def load_yield_models(path: Path, sources: dict) -> tuple[dict, str]:
    data = load_yaml(path)
    ctx = _Ctx(path, sources)
    _check_keys(data, {"default", "models", "source"}, ctx, required=("default", "models"))
    out = {}
    expected = {"defect_density": "1/cm**2", "wafer_diameter": "mm", "kerf": "mm"}
    for mid, node in _require_mapping(data["models"], ctx, "models").items():
        node = _require_mapping(node, ctx, "models", mid)
        formula = node.get("formula")
        if formula not in ("murphy", "poisson", "circular_wafer", "none"):
            raise InputError(f"{ctx.at('models', mid, 'formula')}: expected murphy, poisson, circular_wafer or none, got {formula!r}")
        params = {}
        for k, v in node.items():
            if k in ("formula", "source") or k in NOTE_KEYS:
                continue
            if k not in expected:
                raise InputError(f"{ctx.at('models', mid, k)}: unknown parameter; allowed: {sorted(expected)}")
            params[k] = read_datum(v, ctx, "models", mid, k, expected=expected[k],
                                   default_source=node.get("source", data.get("source")))
        out[str(mid)] = YieldModel(id=str(mid), formula=formula, params=params, note=node.get("note"))
    if data["default"] not in out:
        raise unknown_id("yield model", data["default"], out, ctx.at("default"))
    return out, data["default"]


def load_transport(path: Path, sources: dict) -> tuple[dict, str]:
    data = load_yaml(path)
    ctx = _Ctx(path, sources)
    _check_keys(data, {"default", "sets", "source", "characterisation", "pedigree"}, ctx, required=("default", "sets"))
    read_characterisation(data.get("characterisation"), ctx, "characterisation")  # distances: checked, not used
    tgsd = read_pedigree_gsd(data.get("pedigree"), ctx, "pedigree")
    out = {}
    for sid, node in _require_mapping(data["sets"], ctx, "sets").items():
        node = _require_mapping(node, ctx, "sets", sid)
        src = node.get("source", data.get("source"))
        modes = {}
        for mode, v in node.items():
            if mode == "source" or mode in NOTE_KEYS:
                continue
            if mode not in ("truck", "boat", "plane"):
                raise InputError(f"{ctx.at('sets', sid, mode)}: unknown transport mode; allowed: truck, boat, plane")
            d = read_datum(v, ctx, "sets", sid, mode, expected="km", default_source=src)
            if d.uncertainty is None and tgsd is not None and d.value.magnitude > 0:  # the set's pedigree
                d = dataclasses.replace(d, uncertainty=Distribution(kind="lognormal", unit=str(d.value.units),
                                                                    params={"median": float(d.value.magnitude), "gsd": tgsd},
                                                                    default=float(d.value.magnitude)))
            modes[mode] = d
        out[str(sid)] = modes
    if data["default"] not in out:
        raise unknown_id("transport distance set", data["default"], out, ctx.at("default"))
    return out, data["default"]


def load_hosts(path: Path, sources: dict) -> dict:
    data = load_yaml(path)
    ctx = _Ctx(path, sources)
    _check_keys(data, {"hosts", "characterisation", "pedigree"}, ctx, required=("hosts",))
    chz = read_characterisation(data.get("characterisation"), ctx, "characterisation")
    hgsd = read_pedigree_gsd(data.get("pedigree"), ctx, "pedigree")
    out = {}
    for hid, node in _require_mapping(data["hosts"], ctx, "hosts").items():
        node = _require_mapping(node, ctx, "hosts", hid)
        _check_keys(node, {"name", "accelerators_per_host", "source", "embodied"}, ctx, "hosts", hid,
                    required=("name", "accelerators_per_host", "embodied"))
        n = node["accelerators_per_host"]
        if isinstance(n, bool) or not isinstance(n, (int, float)) or not n >= 1:
            raise InputError(f"{ctx.at('hosts', hid, 'accelerators_per_host')}: expected a number >= 1, got {n!r}")
        vec = read_category_vector(node["embodied"], ctx, "hosts", hid, "embodied", per="",
                                   default_source=node.get("source"), characterisation=chz, gsd=hgsd)
        out[str(hid)] = Host(id=str(hid), name=str(node["name"]), accelerators_per_host=float(n), embodied=vec,
                             note=node.get("note"))
    return out


def load_constants(path: Path, sources: dict) -> dict:
    data = load_yaml(path)
    ctx = _Ctx(path, sources)
    out = {}
    for k, v in _require_mapping(data.get("constants"), ctx, "constants").items():
        out[k] = read_datum(v, ctx, "constants", k, expected=None, default_source=data.get("source"))
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(read_bytes(path, what="an inventory file")).hexdigest()


def load_user_accelerator(path: Path, inventory: Inventory, key: str) -> tuple[str, str, Accelerator]:
    """A user's card file, validated as a shipped one: ``(manifest key, sha256, record)``."""
    return f"user:{key}", _sha256(path), load_accelerator(path, inventory.sources)


def with_accelerators(inventory: Inventory, cards) -> Inventory:
    """The inventory plus user cards (:func:`load_user_accelerator` triples) and their hashes."""
    if not cards:
        return inventory
    return dataclasses.replace(inventory, accelerators={**inventory.accelerators, **{a.id: a for _k, _h, a in cards}},
                               manifest={**inventory.manifest, **{k: h for k, h, _a in cards}})


@lru_cache(maxsize=8)
def _load_cached(root: str) -> Inventory:
    # the shipped folder is also cached on disk (saves ~0.4 s per command); a user's folder is read
    if Path(root) == inventories_dir().resolve():
        return _load_from_disk_cache(Path(root))
    return _load(Path(root))


def load_inventory(root=None, *, cache: bool = True) -> Inventory:
    """Load and validate the whole inventory folder (the shipped one by default).

    Cached per folder for the process; ``cache=False`` reads the files again (``lca validate``
    does, so an edited file is checked as it is now)."""
    root = Path(root) if root is not None else inventories_dir()
    return _load_cached(str(root.resolve())) if cache else _load(root.resolve())


def _disk_cache_path(root: Path) -> Path | None:
    """Where the parsed inventory of ``root`` is cached between processes: a file in the user's
    cache folder (``LCA_CACHE_DIR``, else ``$XDG_CACHE_HOME/lca`` or ``~/.cache/lca``) named by a
    hash of every file under ``root`` (path and bytes) and of the lca, Python and pint versions,
    so any edit, upgrade or other folder gets a new entry. ``LCA_NO_CACHE=1`` turns it off."""
    import hashlib
    import os
    import sys

    import pint

    from lca import __version__

    if os.environ.get("LCA_NO_CACHE"):
        return None
    h = hashlib.sha256(f"{__version__}|{sys.version}|{pint.__version__}|{root}".encode())
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.is_symlink():
            h.update(str(p.relative_to(root)).encode() + b"\0")
            h.update(p.read_bytes())
    base = os.environ.get("LCA_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "lca")
    return Path(base) / f"inventory-{h.hexdigest()[:32]}.pickle"


def _load_from_disk_cache(root: Path) -> Inventory:
    """:func:`_load`, through the on-disk cache when it is usable (any problem: parse as usual)."""
    import os
    import pickle
    import stat
    import tempfile

    try:
        path = _disk_cache_path(root)
    except OSError:
        path = None
    if path is None:
        return _load(root)
    try:
        st = path.parent.stat()
        # only a folder of ours that others cannot write to (a pickle runs code when read)
        safe = st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        if safe and path.is_file() and path.stat().st_uid == os.getuid():
            with open(path, "rb") as f:
                inv = pickle.load(f)  # noqa: S301 - our own file, keyed by the content hash
            if isinstance(inv, Inventory):
                return inv
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    inv = _load(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".inventory.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(inv, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except (OSError, pickle.PickleError, TypeError, AttributeError):
        pass  # a read-only home, a full disk: the cache is an optimisation only
    return inv


def _load(root: Path) -> Inventory:
    if not root.is_dir():
        raise InputError(f"{root}: inventory folder not found")
    manifest = {}

    def track(p: Path):
        manifest[str(p.relative_to(root))] = _sha256(p)
        return p

    sources = load_sources(track(root / "sources.yaml"))
    method = load_method(track(root / "methods" / "ef31.yaml"))  # this folder's own method file
    pedigree = load_pedigree(track(root / "methods" / "pedigree.yaml"))
    accelerators = {}
    for p in sorted((root / "accelerators").glob("*.yaml")):
        a = load_accelerator(track(p), sources)
        accelerators[a.id] = a
    factor_sets = {}
    for p in sorted((root / "factors").glob("*.yaml")):
        f = load_factor_set(track(p), sources)
        factor_sets[f.id] = f
    grids = {}
    co = root / "grids" / "carbon_only.csv"
    for p in sorted((root / "grids").glob("*.yaml")):
        g = load_grid(track(p), sources)
        grids[g.id] = g
    if co.exists():
        for gid, g in load_carbon_only(track(co), sources).items():
            grids.setdefault(gid, g)  # a full grid wins over a carbon-only one with the same id
    backgrounds = {}
    for p in sorted((root / "backgrounds").glob("*.yaml")):
        b = load_background(track(p), sources)
        backgrounds[b.id] = b
        for gid in b.grids:
            if gid not in grids:
                raise unknown_id("grid", gid, grids.keys(), f"{p}: grids")
    # the default background is the one whose values are the grid files themselves
    default_bg = next((b.id for b in backgrounds.values() if not b.grids), None)
    ym, ym_default = load_yield_models(track(root / "yield_models.yaml"), sources)
    ts, ts_default = load_transport(track(root / "transport.yaml"), sources)
    constants = load_constants(track(root / "constants.yaml"), sources)
    hosts = load_hosts(track(root / "hosts.yaml"), sources) if (root / "hosts.yaml").exists() else {}
    return Inventory(backgrounds=backgrounds, default_background=default_bg, method=method, pedigree=pedigree, hosts=hosts, root=root, sources=sources, accelerators=accelerators, factor_sets=factor_sets, grids=grids,
                     yield_models=ym, default_yield_model=ym_default, transport_sets=ts,
                     default_transport_set=ts_default, constants=constants, manifest=manifest)
