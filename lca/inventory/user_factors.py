"""Bring-your-own factors: per-unit impact factors from a CSV file (docs/byo-factors.md).

One row per process (an electricity grid or a component of the embodied factor set)::

    process,kind,reference_unit,source,gwp [kg CO2 eq],odp [kg CFC-11 eq],...,adpe [kg Sb eq]
    US,grid,kWh,owid-energy-data,0.3929,1.292e-10,...,5.866e-07

* ``kind`` is ``grid`` (per unit of electricity; the row's ``process`` is a grid id that
  ``operation.grid`` can name) or a component of a factor set (:data:`COMPONENT_KINDS`).
* ``reference_unit`` is the unit the factors are given per (``kWh``, ``MJ``, ``mm**2``, ``kg``,
  ``kg*km`` ...); it must have the dimension the kind needs. Values are converted to the kind's
  canonical reference unit (:data:`KINDS`).
* One column per category, the header naming the category (code or any alias known to
  :mod:`lca.categories`) and its unit in brackets: ``gwp [kg CO2 eq]``, ``adpf [MJ]``,
  ``ctuh_c [CTUh]``; a unit may also carry the reference unit (``gwp [g CO2 eq/kWh]``). Cells are
  converted to the category's canonical unit. A missing column or an empty cell is *not covered*
  (NaN, never 0).
* ``source``: an id from ``inventories/sources.yaml``, or an inline citation (free text with a
  space, a URL or a DOI), which is registered as the synthetic source id
  ``user:<file name>:<process>``.
* Optional columns: ``name``, ``status`` (``measured`` | ``proxy``), ``year``, ``note``.

A scenario lists such files under ``factors:`` (paths relative to the scenario file); the CLI
adds more with ``lca run --factors FILE`` (see :func:`lca.scenario.overrides.factor_overrides`). Later files win over
earlier ones; every file wins over the shipped inventory; values written inline in the scenario
(``operation.grid: {base: US, gwp: ...}``) and ``--set`` win over every file.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import math
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pint

from lca.errors import InputError, unknown_id
from lca.inventory.files import excerpt, read_text
from lca.inventory.loaders import CONVENTIONS, CategoryVector, FactorEntry, FactorSet, Grid, Inventory, Source
from lca.inventory.method import CODES, category, code_of, parse_category_unit
from lca.units import UnitError, parse_quantity, ureg

MAX_BYTES = 5_000_000    #: largest factor CSV read (bytes)
MAX_ROWS = 50_000        #: most data rows in one factor CSV
MAX_FILES = 1_000        #: most entries in a factors: list (scenario plus --factors)
MAX_TOTAL_BYTES = 5_000_000  #: most bytes over all distinct factor files of one scenario (together)

#: kind -> canonical reference unit (the factors are stored per this unit)
KINDS = {
    "grid": "kWh",
    "gpu_die": "mm**2",
    "vram": "mm**2",
    "pcb": "cm**2",
    "heatsink": "kg",
    "casing": "kg",
    "upstream_transport": "kg",
    "end_of_life": "kg",
    "transport_truck": "kg * km",
    "transport_boat": "kg * km",
    "transport_plane": "kg * km",
}
TRANSPORT_KINDS = ("transport_truck", "transport_boat", "transport_plane")
COMPONENT_KINDS = tuple(k for k in KINDS if k != "grid" and k not in TRANSPORT_KINDS)
REQUIRED_COLUMNS = ("process", "kind", "reference_unit", "source")
OPTIONAL_COLUMNS = ("name", "status", "year", "note", "method", "convention")
ROW_STATUSES = ("measured", "proxy")
_ID_LIKE = re.compile(r"[A-Za-z0-9][\w.\-:]*")
_PROCESS_ID = re.compile(r"[A-Za-z0-9][\w.\-:+]*")
_HEADER = re.compile(r"^\s*([^\[\]]+?)\s*\[\s*([^\[\]]*?)\s*\]\s*$")


@dataclass(frozen=True)
class FactorRow:
    """One process of a user factor file."""

    process: str
    kind: str
    per: str                 # canonical reference unit of the kind
    vector: CategoryVector   # category unit per `per`; NaN = not covered
    source: str              # source id (shipped or synthetic user:...)
    name: str | None
    note: str | None
    line: int
    path: str

    @property
    def where(self) -> str:
        return f"{self.path}: line {self.line} ({self.process})"


@dataclass(frozen=True)
class FactorTable:
    """A parsed user factor file."""

    path: str
    rows: tuple[FactorRow, ...]
    sources: dict            # synthetic source id -> Source (inline citations)
    sha256: str

    def of_kind(self, *kinds) -> list[FactorRow]:
        return [r for r in self.rows if r.kind in kinds]


# ------------------------------------------------------------------------------------------------
# reading
# ------------------------------------------------------------------------------------------------
def _read_text(path: Path) -> tuple[str, bytes]:
    return read_text(path, what="a factor CSV file", max_bytes=MAX_BYTES,
                     empty_hint=f"expected a header row {','.join(REQUIRED_COLUMNS)},<code> [<unit>],... "
                                "(see docs/byo-factors.md)")


def _records(text: str, path: Path):
    """(line number, cells) for every non-blank, non-comment line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for cells in reader:
            line = reader.line_num
            if not cells or all(not c.strip() for c in cells):
                continue
            if cells[0].lstrip().startswith("#"):
                continue
            yield line, [c.strip() for c in cells]
    except csv.Error as exc:
        raise InputError(f"{path}: line {reader.line_num}: not valid CSV ({exc})") from None


def _category_columns(header, path: Path) -> tuple[dict[int, tuple[str, pint.Quantity, str]], dict[str, int]]:
    """(column index -> (code, unit Quantity, header text), column name or category code -> column index)."""
    out: dict[int, tuple[str, pint.Quantity, str]] = {}
    seen: dict[str, int] = {}
    for j, h in enumerate(header):
        if h in REQUIRED_COLUMNS or h in OPTIONAL_COLUMNS:
            if h in seen:
                raise InputError(f"{path}: column {excerpt(h)}: appears twice in the header")
            seen[h] = j
            continue
        if not h:
            raise InputError(f"{path}: column {j + 1}: empty column name in the header")
        m = _HEADER.match(h)
        name = m.group(1) if m else h
        try:
            code = code_of(name)
        except InputError:
            raise InputError(
                f"{path}: column {excerpt(h)}: unknown column; expected {', '.join(REQUIRED_COLUMNS)}, optional "
                f"{', '.join(OPTIONAL_COLUMNS)}, or an impact category ({', '.join(CODES)}) with its unit, "
                "e.g. 'gwp [kg CO2 eq]'") from None
        if not m or not m.group(2):
            raise InputError(f"{path}: column {excerpt(h)}: give the unit of {code} in brackets, "
                             f"e.g. '{code} [{category(code).unit}]'")
        if code in seen:
            raise InputError(f"{path}: column {excerpt(h)}: category {code} appears twice in the header "
                             f"(also column {excerpt(header[seen[code]])})")
        seen[code] = j
        unit_text = m.group(2)
        where = f"{path}: column {excerpt(h)}"
        unit = parse_category_unit(unit_text, code, where=where)
        cat_units = category(code).units
        ok = unit.is_compatible_with(cat_units) or any(
            unit.is_compatible_with(cat_units / ureg.Unit(ref)) for ref in set(KINDS.values()) | {"MJ", "t * km"})
        if not ok:
            raise InputError(f"{where}: unit {excerpt(unit_text)} is not a unit of {category(code).name}; "
                             f"expected {category(code).unit} (optionally per the reference unit), "
                             f"got dimension {unit.dimensionality}")
        out[j] = (code, unit, h)
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        raise InputError(f"{path}: column {excerpt(missing[0])}: required column is missing; the header must have "
                         f"{', '.join(REQUIRED_COLUMNS)} and one '<code> [<unit>]' column per category")
    if not out:
        raise InputError(f"{path}: header: no impact-category column; add e.g. 'gwp [kg CO2 eq]' "
                         f"(categories: {', '.join(CODES)})")
    return out, seen


def _source_for(text: str, sources: dict, path: Path, line: int, process: str, year, synthetic: dict) -> str:
    where = f"{path}: line {line}, column 'source'"
    if not text:
        raise InputError(f"{where}: every row needs a source (an id from inventories/sources.yaml "
                         "or a citation: authors, title, year, URL or DOI)")
    if text in sources:
        return text
    if _ID_LIKE.fullmatch(text) and not text.lower().startswith(("doi:", "http:", "https:")):
        raise unknown_id("source id", text, sources.keys(),
                         f"{where} (write a full citation with spaces, a URL or a DOI to cite a source "
                         "that is not in inventories/sources.yaml)")
    sid = f"user:{path.name}:{process}"
    url = re.search(r"https?://\S+", text)
    doi = re.search(r"\b10\.\d{4,9}/\S+", text)
    synthetic[sid] = Source(id=sid, authors="(user-supplied citation)", title=text, year=year,
                            url=url.group(0).rstrip(".,;)") if url else None,
                            doi=doi.group(0).rstrip(".,;)") if doi and not url else None,
                            licence="as stated by the user (not checked by lca)",
                            note=f"inline citation in {path}, line {line}")
    return sid


def _number(cell: str, where: str, what: str) -> float:
    try:
        v = float(cell)
    except ValueError:
        raise InputError(f"{where}: expected a number in {what}, got {excerpt(cell)} "
                         "(leave the cell empty for 'not covered')") from None
    if not np.isfinite(v):
        raise InputError(f"{where}: must be a finite number, got {excerpt(cell)} "
                         "(leave the cell empty for 'not covered'; NaN and infinity are not allowed)")
    return v


def read_factor_csv(path, sources: dict) -> FactorTable:
    """Read and validate a user factor CSV (docs/byo-factors.md).

    Parameters
    ----------
    path : path of the CSV file
    sources : dict
        Known source ids (``Inventory.sources``); a ``source`` cell that is not one of them must be
        an inline citation.

    Raises
    ------
    InputError
        Naming the file, the line and the column, with what was expected and what was found.
    """
    path = Path(path)
    text, raw = _read_text(path)
    records = list(_records(text, path))
    if not records:
        raise InputError(f"{path}: no header row (only comments or blank lines)")
    _, header = records[0]
    cat_cols, cols = _category_columns(header, path)
    if len(records) < 2:
        raise InputError(f"{path}: no data rows below the header; add one row per process")
    if len(records) - 1 > MAX_ROWS:
        raise InputError(f"{path}: too many data rows: {len(records) - 1}, at most {MAX_ROWS} per factor file")
    rows: list[FactorRow] = []
    synthetic: dict = {}
    seen: dict = {}
    cache: dict = {}
    for line, cells in records[1:]:
        if len(cells) != len(header):
            raise InputError(f"{path}: line {line}: expected {len(header)} cells as in the header, got {len(cells)}")
        rows.append(_read_row(path, line, cells, cols, cat_cols, sources, synthetic, seen, cache))
    return FactorTable(path=str(path), rows=tuple(rows), sources=synthetic,
                       sha256=hashlib.sha256(raw).hexdigest())


def _read_row(path: Path, line: int, cells: list, cols: dict, cat_cols: dict, sources: dict, synthetic: dict,
              seen: dict, cache: dict | None = None) -> FactorRow:
    """One data row of a factor file -> :class:`FactorRow` (``seen`` catches duplicates)."""
    cell = {name: cells[j] for name, j in cols.items() if name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}

    def at(col):
        return f"{path}: line {line}, column {excerpt(col)}"

    process, kind = _row_ids(cell, at, seen, line)
    canonical = KINDS[kind]
    cache = {} if cache is None else cache
    ref_key = ("ref", kind, cell["reference_unit"])
    if ref_key not in cache:  # a unit is parsed once per file, not once per row
        cache[ref_key] = _row_reference(cell, at, kind, canonical)
    ref, ref_q = cache[ref_key]
    status, year, convention = _row_meta(cell, at)
    sid = _source_for(cell["source"], sources, path, line, process, year, synthetic)
    vals = _row_values(cells, cat_cols, ref, ref_q, canonical, at, cache)
    covered = tuple(x == x for x in vals.tolist())  # not NaN
    if not any(covered):
        raise InputError(f"{path}: line {line} (process {excerpt(process)}): no value in any category column; "
                         "give at least one (empty cells mean 'not covered')")
    if kind == "grid" and (vals < 0).any():
        for code, _unit, h in cat_cols.values():
            v = vals[CODES.index(code)]
            if v < 0:
                raise InputError(f"{at(h)}: an electricity factor must be >= 0, got {v!r}")
    note, method = cell.get("note") or None, cell.get("method") or None
    meta_key = ("meta", covered, status, sid, note, year, method, convention)
    if meta_key not in cache:  # rows alike share their metadata tuples
        cache[meta_key] = (tuple(status if c else "not_covered" for c in covered),
                           tuple(sid if c else None for c in covered),
                           tuple(note if c else None for c in covered),
                           tuple(year if c else None for c in covered),
                           tuple(method if c else None for c in covered),
                           tuple(convention if c else None for c in covered))
    st, srcs, notes, years, methods, conventions = cache[meta_key]
    vec = CategoryVector(values=vals, per=canonical, status=st, sources=srcs, notes=notes, years=years,
                         methods=methods, conventions=conventions)
    return FactorRow(process=process, kind=kind, per=canonical, vector=vec, source=sid, name=cell.get("name") or None,
                     note=cell.get("note") or None, line=line, path=str(path))


def _row_ids(cell: dict, at, seen: dict, line: int) -> tuple[str, str]:
    process = cell["process"]
    if not process:
        raise InputError(f"{at('process')}: empty; give the process id (a grid id such as US, or a name)")
    if not _PROCESS_ID.fullmatch(process):
        raise InputError(f"{at('process')}: {excerpt(process)} is not a valid id (letters, digits, . _ - : +; no spaces)")
    kind = cell["kind"]
    if kind not in KINDS:
        raise InputError(f"{at('kind')}: unknown kind {excerpt(kind)}; expected one of {', '.join(KINDS)}")
    key = (process, kind) if kind == "grid" else kind
    if key in seen:
        what = f"grid {excerpt(process)}" if kind == "grid" else f"kind {excerpt(kind)}"
        raise InputError(f"{at('process' if kind == 'grid' else 'kind')}: {what} is given twice in this file "
                         f"(also line {seen[key]})")
    seen[key] = line
    return process, kind


def _row_reference(cell: dict, at, kind: str, canonical: str) -> tuple[str, pint.Quantity]:
    ref = cell["reference_unit"]
    if not ref:
        raise InputError(f"{at('reference_unit')}: empty; expected a unit of the dimension of {canonical!r}")
    try:
        ref_q = parse_quantity(f"1 {ref}", where=at("reference_unit"))
    except UnitError as exc:
        raise InputError(str(exc)) from None
    if not ref_q.is_compatible_with(canonical):
        raise InputError(f"{at('reference_unit')}: a {kind} factor is per a unit of the dimension of "
                         f"{canonical!r}, got {excerpt(ref)}")
    return ref, ref_q


def _row_meta(cell: dict, at) -> tuple[str, int | None, str | None]:
    """status, year and long-term-emissions convention of a row."""
    status = cell.get("status") or "measured"
    if status not in ROW_STATUSES:
        raise InputError(f"{at('status')}: expected one of {', '.join(ROW_STATUSES)} (or empty), got {excerpt(status)}")
    year = None
    if cell.get("year"):
        try:
            year = int(cell["year"])
        except ValueError:
            raise InputError(f"{at('year')}: expected a year (integer), got {excerpt(cell['year'])}") from None
        if not 1900 <= year <= 2200:
            raise InputError(f"{at('year')}: expected a year between 1900 and 2200, got {year}")
    convention = cell.get("convention") or None
    if convention is not None and convention not in CONVENTIONS:
        raise InputError(f"{at('convention')}: expected one of {', '.join(CONVENTIONS)} (or empty), got {excerpt(convention)}")
    return status, year, convention


def _row_values(cells: list, cat_cols: dict, ref: str, ref_q: pint.Quantity, canonical: str, at,
                cache: dict | None = None) -> np.ndarray:
    """The category cells of a row, converted to each category's unit per the kind's reference unit.

    The units are linear, so each (column, reference unit) pair's conversion factor is computed
    once (``cache``, shared by the rows of a file) and every cell is multiplied by it."""
    cache = {} if cache is None else cache
    vals = np.full(len(CODES), np.nan)
    for j, (code, unit, h) in cat_cols.items():
        if not cells[j]:
            continue
        try:  # fast path; the message (file, line, column) is only built for a bad cell
            v = float(cells[j])
            if not math.isfinite(v):
                raise ValueError
        except ValueError:
            v = _number(cells[j], at(h), f"{category(code).unit} per {ref}")
        key = ("col", j, ref, canonical)
        if key not in cache:
            cache[key] = _conversion(code, unit, ref, ref_q, canonical, at(h))
        vals[CODES.index(code)] = v * cache[key]
    return vals


def _conversion(code: str, unit, ref: str, ref_q: pint.Quantity, canonical: str, where: str) -> float:
    """Factor from a column's unit (per ``ref``) to the category's unit per ``canonical``."""
    q = 1.0 * unit
    target = category(code).units / ureg.Unit(canonical)
    if not q.is_compatible_with(target):
        q = q / ref_q  # header unit is the impact unit; the row is per reference_unit
    try:
        return float(q.m_as(target))
    except pint.DimensionalityError:
        raise InputError(f"{where}: with reference unit {excerpt(ref)}, expected {category(code).unit} "
                         f"per {ref} in this column, got {unit.units}") from None


# ------------------------------------------------------------------------------------------------
# extending an inventory with user tables (read once, by the scenario loader)
# ------------------------------------------------------------------------------------------------
def base_dir(scenario_path) -> Path:
    """The folder that relative ``factors:`` paths of a scenario are resolved against."""
    p = Path(str(scenario_path))
    return p.parent if p.suffix and p.parent.exists() else Path.cwd()


def check_factor_path(path, prefix: str) -> Path:
    """``path`` if it is an existing regular file (symlinks followed), else one :class:`InputError`
    starting with ``prefix``: not found, a directory, or not a regular file (FIFO, device, /proc),
    worded as :func:`lca.inventory.files.read_text` words them."""
    p = Path(path)
    what = "a factor CSV file"
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise InputError(f"{prefix}: file not found") from None
    except OSError as exc:
        raise InputError(f"{prefix}: cannot read ({exc.strerror})") from None
    real = os.path.realpath(p)
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{prefix}: is a directory, expected {what}")
    if not stat.S_ISREG(st.st_mode) or real == "/proc" or real.startswith(("/proc/", "/sys/")):
        raise InputError(f"{prefix}: not a regular file (a device, pipe or system file); expected {what}")
    return p


def resolve_factor_paths(files, scenario_path) -> list[Path]:
    """Scenario ``factors:`` entries -> existing paths (relative ones against the scenario's folder).

    At most :data:`MAX_FILES` entries; each must be a regular file (a directory, FIFO or device
    is refused with the same wording as :func:`lca.inventory.files.read_text`)."""
    files = list(files)
    if len(files) > MAX_FILES:
        raise InputError(f"{scenario_path}: factors: too many factor files: {len(files)} entries, "
                         f"at most {MAX_FILES}")
    base = base_dir(scenario_path)
    out = []
    for i, f in enumerate(files):
        p = Path(f).expanduser()
        if not p.is_absolute():
            p = base / p
        if not p.exists():
            raise InputError(f"{scenario_path}: factors[{i}]: factor file {str(f)!r} not found "
                             f"(looked for {p}; relative paths are relative to the scenario file)")
        check_factor_path(p, f"{scenario_path}: factors[{i}]: {p}")
        out.append(p)
    return out


def read_tables(files, scenario_path, sources: dict) -> tuple[FactorTable, ...]:
    """Read the user factor files a scenario lists, in order, each distinct file once.

    A file listed more than once (the same resolved path) is read once and kept at its *last*
    position, so "later files win" still holds. The distinct files may total at most
    :data:`MAX_TOTAL_BYTES`."""
    paths = resolve_factor_paths(files, scenario_path)
    last: dict[str, int] = {}
    for i, p in enumerate(paths):
        last[os.path.realpath(p)] = i
    order = sorted(last.items(), key=lambda kv: kv[1])
    total = 0
    for real, i in order:
        try:
            total += os.stat(real).st_size
        except OSError:
            continue  # read_factor_csv gives the message
        if total > MAX_TOTAL_BYTES:
            raise InputError(f"{scenario_path}: factors[{i}]: {paths[i]}: the factor files total over "
                             f"{MAX_TOTAL_BYTES} bytes ({total} bytes so far); at most {MAX_TOTAL_BYTES}")
    out = []
    for _real, i in order:
        try:
            out.append(read_factor_csv(paths[i], sources))
        except InputError as exc:  # name the scenario and its key too
            raise InputError(f"{scenario_path}: factors[{i}]: {exc}") from None
    return tuple(out)


def _merge(tables, kinds) -> dict:
    """key -> FactorRow, later files win (key: grid id for grids, kind for components)."""
    out = {}
    for t in tables:
        for r in t.rows:
            if r.kind in kinds:
                out[r.process if r.kind == "grid" else r.kind] = r
    return out


def user_grids(tables) -> dict:
    """grid id -> :class:`lca.inventory.Grid` built from the ``grid`` rows (later files win)."""
    return {gid: Grid(id=gid, name=r.name or gid, iso3=None, year=None, vector=r.vector,
                      note=f"user factors: {r.where}")
            for gid, r in _merge(tables, ("grid",)).items()}


def _replace_factors(fs: FactorSet, rows: dict) -> FactorSet:
    if not rows:
        return fs
    factors = dict(fs.factors)
    for kind, r in rows.items():
        factors[kind] = FactorEntry(per=r.per, basis=f"user factors: {r.where}" + (f"; {r.note}" if r.note else ""),
                                    vector=r.vector)
    names = ", ".join(sorted({Path(r.path).name for r in rows.values()}))
    return dataclasses.replace(fs, factors=factors, name=f"{fs.name} + user factors ({names})")


def extend(inventory: Inventory, tables) -> Inventory:
    """The inventory with the user tables in place (a new object; the shipped one is untouched).

    * ``grid`` rows add grids, or replace a shipped grid of the same id as a whole (an empty cell
      makes that category not covered); values the scenario writes inline still win over them;
    * component rows replace (or add) the entry of that kind in every embodied factor set, and
      ``transport_*`` rows the entries of the distribution-transport sets;
    * inline citations become sources (``user:<file>:<process>``); each file's SHA-256 joins the
      data manifest (key ``user:<path>``).
    """
    if not tables:
        return inventory
    sources = dict(inventory.sources)
    manifest = dict(inventory.manifest)
    for t in tables:
        sources.update(t.sources)
        manifest[f"user:{t.path}"] = t.sha256
    components, transport = _merge(tables, COMPONENT_KINDS), _merge(tables, TRANSPORT_KINDS)
    factor_sets = {k: _replace_factors(fs, transport if "transport_truck" in fs.factors else components)
                   for k, fs in inventory.factor_sets.items()}
    return dataclasses.replace(inventory, sources=sources, manifest=manifest, factor_sets=factor_sets,
                               grids={**inventory.grids, **user_grids(tables)})


def sources_used(tables) -> tuple[str, ...]:
    """Source ids of every row of the tables, in order of appearance."""
    return tuple(dict.fromkeys(r.source for t in tables for r in t.rows))


def template_csv(kinds=("grid",)) -> str:
    """An empty factor file: header with all 16 categories and one example row per kind."""
    header = [*REQUIRED_COLUMNS, "name", *(f"{c} [{category(c).unit}]" for c in CODES)]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    buf.write("# lca user factor file (docs/byo-factors.md). Empty cell = not covered. "
              "Lines starting with # are comments; replace the example rows.\n")
    w.writerow(header)
    for k in kinds:
        if k not in KINDS:
            raise InputError(f"kind: unknown kind {k!r}; expected one of {', '.join(KINDS)}")
        w.writerow(["MY-GRID" if k == "grid" else f"my-{k.replace('_', '-')}", k, KINDS[k],
                    "Author (year). Title. https://...", ""] + [""] * len(CODES))
    return buf.getvalue()
