"""Per-unit EF 3.1 scores from a Brightway project, written as a user factor CSV.

``lca factors from-brightway --project P --activity DB:CODE ... --method-family "EF v3.1" -o FILE``
computes, with bw2calc, the score of one reference unit of each activity for every impact
category of the method family, and writes the file format of :mod:`lca.inventory.user_factors`
(docs/byo-factors.md). It needs the optional extra ``pip install 'lca[brightway]'``
(bw2calc >= 2, bw2data >= 4, i.e. Brightway 2.5). Nothing licensed ships with lca: the
project, its databases (e.g. ecoinvent) and its methods are the user's.

Methods are matched to the 16 EF 3.1 codes by their second name element, as in the EF 3.1
methods that ecoinvent and Brightway distribute (``("EF v3.1", "climate change", "global
warming potential (GWP100)")`` -> ``gwp``); sub-indicators (``climate change: fossil`` ...) are
ignored. A category without a method is left empty (not covered). Each method's ``unit`` must be
the EF 3.1 unit of its category (any prefix, e.g. ``g CO2-Eq``, is converted).
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

from lca.errors import InputError, unknown_id
from lca.inventory.method import CODES, categories, category, code_of, parse_category_unit
from lca.units import ureg

#: EF 3.x category names (second element of the Brightway method tuple) -> code
EF_NAMES = {
    "climate change": "gwp",
    "ozone depletion": "odp",
    "human toxicity: carcinogenic": "ctuh_c",
    "human toxicity: non-carcinogenic": "ctuh_nc",
    "particulate matter formation": "pm",
    "particulate matter": "pm",
    "ionising radiation: human health": "ir",
    "ionising radiation": "ir",
    "photochemical oxidant formation: human health": "pocp",
    "photochemical ozone formation": "pocp",
    "acidification": "ap",
    "eutrophication: terrestrial": "ept",
    "eutrophication, terrestrial": "ept",
    "eutrophication: freshwater": "epf",
    "eutrophication, freshwater": "epf",
    "eutrophication: marine": "epm",
    "eutrophication, marine": "epm",
    "ecotoxicity: freshwater": "ctue",
    "ecotoxicity, freshwater": "ctue",
    "land use": "lu",
    "water use": "wu",
    "energy resources: non-renewable": "adpf",
    "resource use, fossils": "adpf",
    "material resources: metals/minerals": "adpe",
    "resource use, minerals and metals": "adpe",
}
#: unit labels used by EF methods in Brightway/ecoinvent that pint cannot read as such
UNIT_LABELS = {
    "adpf": ("mj, net calorific value", "mj net calorific value", "megajoule"),
    "lu": ("dimensionless", "pt", "points", "soil quality index"),
    "pm": ("disease incidence", "disease i."),
}
#: activity unit (Brightway/ecoinvent spelling) -> pint expression
ACTIVITY_UNITS = {
    "kilowatt hour": "kWh", "megajoule": "MJ", "kilojoule": "kJ", "kilogram": "kg", "gram": "g",
    "ton": "t", "tonne": "t", "square meter": "m**2", "square centimeter": "cm**2",
    "square millimeter": "mm**2", "ton kilometer": "t * km", "tonne kilometer": "t * km",
    "kilogram kilometer": "kg * km", "cubic meter": "m**3", "meter": "m", "kilometer": "km",
}


def _squash(s: str) -> str:
    return re.sub(r"[^a-z0-9+]", "", s.lower().replace("eq.", "eq"))


def method_code(method: tuple) -> str | None:
    """The EF 3.1 code of a Brightway method tuple, or None for a sub-indicator / other method."""
    if len(method) < 2:
        return None
    name = str(method[1]).strip().lower()
    if name in EF_NAMES:
        return EF_NAMES[name]
    try:
        return code_of(name)
    except InputError:
        pass
    for c in categories():
        if name == c.name.lower() or name == c.name.lower().replace(" (total)", ""):
            return c.code
    return None


def unit_factor(code: str, label: str, where: str) -> float:
    """Factor converting a score in ``label`` to the category's canonical unit."""
    label = (label or "").strip()
    cat = category(code)
    if _squash(label) == _squash(cat.unit) or label.lower() in UNIT_LABELS.get(code, ()):
        return 1.0
    try:
        q = parse_category_unit(label.replace("-Eq", " eq").replace("-eq", " eq"), code, where=where)
        return float(q.m_as(cat.units))
    except Exception:  # noqa: BLE001 - any parse or dimension error means "not this category's unit"
        raise InputError(f"{where}: unit {label!r} is not the EF 3.1 unit of {code} ({cat.unit}); "
                         "check that the method belongs to this category") from None


def activity_unit(unit: str, where: str) -> str:
    u = (unit or "").strip()
    if u.lower() in ACTIVITY_UNITS:
        return ACTIVITY_UNITS[u.lower()]
    try:
        ureg.Unit(u)
        return u
    except Exception:  # noqa: BLE001
        raise InputError(f"{where}: activity unit {unit!r} is not a physical unit lca can use as a reference unit "
                         f"(known: {', '.join(sorted(ACTIVITY_UNITS))})") from None


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def _import_bw():
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # bw2calc warns at import when pypardiso is absent
            import bw2calc  # noqa: F401
            import bw2data  # noqa: F401
    except ImportError:
        raise InputError("lca factors from-brightway needs the optional extra: pip install 'lca[brightway]' "
                         "(bw2calc >= 2, bw2data >= 4)") from None
    import bw2calc as bc
    import bw2data as bd

    return bd, bc


def _use_dir(base_dir):
    """Point Brightway at ``base_dir`` (BRIGHTWAY2_DIR) before or after bw2data is imported."""
    import sys

    d = Path(base_dir).expanduser().resolve()
    if not d.is_dir():
        raise InputError(f"base_dir {base_dir}: not a folder (the Brightway data directory, BRIGHTWAY2_DIR)")
    if "bw2data" not in sys.modules:
        os.environ["BRIGHTWAY2_DIR"] = str(d)
        return
    import bw2data as bd

    if Path(bd.projects._base_data_dir).resolve() != d:
        bd.projects.change_base_directories(d, project_name="default", update=False)


def parse_key(text: str) -> tuple[str, str]:
    if ":" not in text:
        raise InputError(f"activity {text!r}: expected DATABASE:CODE, e.g. 'ecoinvent-3.10-cutoff:0a1b...'")
    db, _, code = text.rpartition(":")
    if not db or not code:
        raise InputError(f"activity {text!r}: expected DATABASE:CODE")
    return db, code


def _per_activity(values, n, flag):
    values = list(values or [])
    if not values:
        return [None] * n
    if len(values) == 1:
        return values * n
    if len(values) != n:
        raise InputError(f"{flag}: give it once (for every activity) or once per --activity ({n}), got {len(values)}")
    return values


def from_brightway(project: str, activities, method_family: str = "EF v3.1", *, kinds=(), processes=(),
                   source: str | None = None, base_dir=None) -> str:
    """Compute per-unit scores with bw2calc and return the factor CSV text (docs/byo-factors.md).

    Parameters
    ----------
    project : Brightway project name
    activities : list of ``"DATABASE:CODE"`` keys
    method_family : first element of the method tuples (``"EF v3.1"``)
    kinds : lca kind per activity (``grid``, ``heatsink`` ...); one for all, or one each; default:
        ``grid`` for activities whose unit is an energy, else required
    processes : process id per activity; default: the activity's location for grids (``US``),
        ``DATABASE:CODE`` otherwise
    source : source id or citation for every row; default: a citation of the project, database,
        activity and method family
    base_dir : Brightway data directory (default: BRIGHTWAY2_DIR or Brightway's own default)
    """
    import contextlib
    import sys

    activities = list(activities or [])
    if not activities:
        raise InputError("activity: give at least one DATABASE:CODE")
    # Brightway logs and draws progress bars on standard output: keep stdout for the CSV
    with contextlib.redirect_stdout(sys.stderr):
        return _from_brightway(project, activities, method_family, kinds, processes, source, base_dir)


def _from_brightway(project, activities, method_family, kinds, processes, source, base_dir) -> str:
    """Open the project, find the methods, resolve the activities, compute, write the CSV."""
    if base_dir is not None:
        _use_dir(base_dir)
    bd, bc = _import_bw()
    _open_project(bd, project)
    by_code = _method_family(bd, method_family)
    factors = {c: unit_factor(c, bd.methods[m].get("unit", ""), f"method {m}") for c, m in by_code.items()}
    nodes = _resolve_activities(bd, activities, kinds, processes)
    scores = _scores(bd, bc, project, nodes, by_code)
    return _factor_csv(project, method_family, nodes, by_code, factors, scores, source)


def _open_project(bd, project) -> None:
    if project not in bd.projects:
        raise unknown_id("Brightway project", project, [p.name for p in bd.projects], "project")
    bd.projects.set_current(project, update=False)
    if not bd.projects.dataset.data.get("25"):
        raise InputError(f"project {project}: not a Brightway 2.5 project; migrate it with "
                         "bw2data.projects.migrate_project_25()")


def _method_family(bd, method_family) -> dict:
    """EF 3.1 code -> Brightway method tuple, for the methods of the family."""
    family = [m for m in bd.methods if m and str(m[0]) == method_family]
    if not family:
        fams = sorted({str(m[0]) for m in bd.methods if m})
        raise unknown_id("method family", method_family, fams, "method_family")
    by_code: dict = {}
    for m in family:
        c = method_code(m)
        if c is None:
            continue
        if c in by_code:
            raise InputError(f"method_family {method_family}: two methods map to {c}: {by_code[c]} and {m}")
        by_code[c] = m
    if not by_code:
        raise InputError(f"method_family {method_family}: none of its {len(family)} methods is one of the 16 EF 3.1 "
                         "categories (expected names such as 'climate change', 'acidification', 'land use')")
    return by_code


def _resolve_activities(bd, activities, kinds, processes) -> list:
    """[(key, database, node, reference unit, kind, process id)] for the requested activities."""
    from lca.inventory.user_factors import KINDS

    kinds = _per_activity(kinds, len(activities), "kind")
    processes = _per_activity(processes, len(activities), "process")
    nodes = []
    for i, key in enumerate(activities):
        db, code = parse_key(key)
        if db not in bd.databases:
            raise unknown_id("Brightway database", db, list(bd.databases), f"activity {key}")
        try:
            node = bd.get_node(database=db, code=code)
        except Exception:  # noqa: BLE001 - bw2data raises its own UnknownObject
            raise InputError(f"activity {key}: no activity with code {code!r} in database {db!r}") from None
        where = f"activity {key} ({node.get('name')})"
        per = activity_unit(node.get("unit"), where)
        kind = kinds[i]
        if kind is None:
            if ureg.Quantity(1, per).is_compatible_with("kWh"):
                kind = "grid"
            else:
                raise InputError(f"{where}: give --kind (one of {', '.join(KINDS)}) for an activity in {per}")
        if kind not in KINDS:
            raise InputError(f"kind: unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        if not ureg.Quantity(1, per).is_compatible_with(KINDS[kind]):
            raise InputError(f"{where}: a {kind} factor is per {KINDS[kind]}, but the activity's unit is {per}")
        proc = processes[i] or (str(node.get("location") or "").strip() if kind == "grid" else None) or key
        nodes.append((key, db, node, per, kind, re.sub(r"\s+", "-", proc)))
    return nodes


def _scores(bd, bc, project, nodes, by_code):
    """One MultiLCA over all activities and methods: {(method, demand name): score}."""
    demands = {f"a{i}": {node.id: 1.0} for i, (_, _, node, *_) in enumerate(nodes)}
    config = {"impact_categories": list(by_code.values())}
    try:
        data_objs = bd.get_multilca_data_objs(demands, config)
        mlca = bc.MultiLCA(demands=demands, method_config=config, data_objs=data_objs)
        mlca.lci()
        mlca.lcia()
        return mlca.scores
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - report Brightway's failure as one clear line
        raise InputError(f"project {project}: the Brightway calculation failed "
                         f"({exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None


def _factor_csv(project, method_family, nodes, by_code, factors, scores, source) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    buf.write(f"# Computed by `lca factors from-brightway` with bw2calc {_version('bw2calc')}"
              f" from Brightway project {project!r}, method family {method_family!r}.\n")
    missing = [c for c in CODES if c not in by_code]
    if missing:
        buf.write(f"# No method of the family for: {' '.join(missing)} (left empty = not covered).\n")
    w.writerow(["process", "kind", "reference_unit", "source", "name", "note",
                *(f"{c} [{category(c).unit}]" for c in CODES)])
    seen = set()
    for i, (key, db, node, per, kind, proc) in enumerate(nodes):
        if (proc, kind) in seen:
            raise InputError(f"process: {proc!r} ({kind}) would appear twice; give --process for each activity")
        seen.add((proc, kind))
        src = source or (f"Brightway project '{project}', database '{db}', activity '{node.get('name')}' "
                         f"[{node.get('location')}] ({key}), method family '{method_family}', computed with bw2calc")
        cells = []
        for c in CODES:
            if c in by_code:
                v = float(scores[(by_code[c], f"a{i}")]) * factors[c]
                cells.append(f"{v:.7g}")  # Brightway stores matrix data in single precision
            else:
                cells.append("")
        name = f"{node.get('name')} [{node.get('location')}]"
        w.writerow([proc, kind, per, src, name, f"{key}; per 1 {node.get('unit')}", *cells])
    return buf.getvalue()
