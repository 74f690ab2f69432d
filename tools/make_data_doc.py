"""Assemble docs/data.md: python tools/make_data_doc.py

The page is the hand-written head (docs/_fragments/data-head.md) plus the fragments the build
scripts write (data-gpus.md by tools/build_gpu_inventories.py, data-grids.md by
tools/build_grids.py), with three things generated here from the *loaded* inventory
(``lca.load_inventory()``), so they cannot drift from the data the model uses:

* the grid coverage matrix (status and long-term-emissions convention per grid and category),
  with method, convention, status and uncertainty of every entry, and the alternative background;
* the characterisation method, convention and pedigree GSD of the component data (factor sets,
  measured per-card datasets, hosts);
* the list of suspect and corrected data.

Paths into the research folder outside the repository (``../shared/...``) are replaced by the file
name and the upstream URL; the script refuses to write a page that still points there.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
FRAGMENTS = DOCS / "_fragments"
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

from lca.inventory import load_inventory  # noqa: E402
from lca.inventory.files import load_yaml  # noqa: E402
from lca.inventory.method import CODES, category  # noqa: E402

STATUS_LETTER = {"measured": "M", "proxy": "P", "suspect": "S", "not_covered": "—"}
CONV_SHORT = {"lt_excluded": "excl", "lt_included": "incl", "not_applicable": "n/a"}

#: Short labels of the characterisation methods (prefix of the method text -> label). A method not
#: listed gets the text before its first parenthesis; the legend below the matrix gives the full text.
METHOD_LABELS = (
    ("IPCC AR5", "IPCC AR5 (Ember)"),
    ("ADEME Base IMPACTS", "ADEME 2011 (EF-type)"),
    ("EF 3.1 (soil quality", "EF 3.1 occupation"),
    ("EF 3.1 (central estimate", "EF 3.1 range"),
    ("ILCD 2.0 (2018) midpoint", "ILCD 2.0 (UNECE)"),
    ("EF 3.x", "EF 3.x (EIME)"),
    ("not stated", "not stated"),
    ("not applicable", "n/a"),
)

#: What the research notes outside the repository rest on: file name -> (what, upstream URLs)
UPSTREAM = {
    "ef31_and_open_data.md": (
        "EF 3.1 and open data (§2.0: licensing)",
        ["https://forum.ouvre-boite.org/t/base-impacts-de-lademe/410 (ADEME Base IMPACTS terms of use)",
         "https://cada.data.gouv.fr/20203670 (CADA opinion 20203670)"]),
    "electricity_ef31_convention.md": (
        "long-term emissions in EF 3.1",
        ["https://eplca.jrc.ec.europa.eu/permalink/EF3_1/EF-LCIAMethod_CF(EF-v3.1).xlsx (JRC EF 3.1 characterisation "
         "factors)", "https://github.com/ecoinvent/lcia (the same CFs mapped to ecoinvent flows, `EF v3.1_mapped_3.10.csv`)",
         "https://github.com/USEPA/ElectricityLCI", "https://github.com/FLCAC-admin/uslci-content"]),
    "a100_lca_paper.md": (
        "the More than Carbon abstract figures", ["https://arxiv.org/abs/2509.00093"]),
}


# ------------------------------------------------------------------------------------------------
# formatting
# ------------------------------------------------------------------------------------------------
def num(x: float, sig: int = 2) -> str:
    """Compact number: 2.9e-11, 2.7e-9, 0.16, 4.2e6 (no '+' or leading zeros in exponents)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    s = f"{x:.{sig}g}"
    return re.sub(r"e([+-])0*(\d+)", lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), s)


def method_label(text: str | None) -> str:
    if not text:
        return "—"
    for prefix, label in METHOD_LABELS:
        if text.startswith(prefix):
            return label
    return text.split(" (")[0].strip()


def uncertainty_label(dist, raw_spec) -> str:
    """'loguniform 2.9e-11..2.7e-9', 'lognormal GSD 1.10', 'pedigree GSD 1.90', 'triangular 0.16..0.65 (mode 0.42)'."""
    if dist is None:
        return "—"
    p = dist.params
    if dist.kind == "lognormal":
        origin = "pedigree" if isinstance(raw_spec, dict) and "pedigree" in raw_spec else "lognormal"
        return f"{origin} GSD {p['gsd']:.2f}"
    if dist.kind == "loguniform":
        return f"loguniform {num(p['min'])}..{num(p['max'])}"
    if dist.kind == "triangular":
        return f"triangular {num(p['min'])}..{num(p['max'])} (mode {num(p['mode'])})"
    if dist.kind == "uniform":
        return f"uniform {num(p['min'])}..{num(p['max'])}"
    if dist.kind == "normal":
        return f"normal sd {num(p['sd'])}"
    return dist.kind


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


def first_clause(text: str, limit: int = 220) -> str:
    """The opening claim of a long reason or note: up to the first ';' or ', whereas', cut at ``limit``."""
    cut = re.split(r";|, whereas", text, maxsplit=1)[0].strip()
    return cut if len(cut) <= limit else cut[: limit - 1].rsplit(" ", 1)[0] + " …"


def ratio_str(x: float) -> str:
    return "—" if x is None or math.isnan(x) else (f"{x:,.0f}" if x >= 100 else num(x, 3))


# ------------------------------------------------------------------------------------------------
# the inventory, as the model loads it
# ------------------------------------------------------------------------------------------------
def full_grids(inv) -> list:
    return [g for g in inv.grids.values() if not g.carbon_only]


def _raw_grid_specs(inv, grid_id: str) -> dict:
    """Uncertainty specs as written (only to tell a pedigree lognormal from a plain one)."""
    path = Path(inv.root) / "grids" / f"{grid_id}.yaml"
    raw = load_yaml(path) if path.is_file() else {}
    return {k: (v.get("uncertainty") if isinstance(v, dict) else None) for k, v in (raw.get("factors") or {}).items()}


def _raw_background_specs(bg) -> dict:
    raw = load_yaml(bg.path) if bg.path and Path(bg.path).is_file() else {}
    return {gid: {k: (v.get("uncertainty") if isinstance(v, dict) else None) for k, v in (entries or {}).items()}
            for gid, entries in (raw.get("grids") or {}).items()}


def grid_cells(inv) -> dict:
    """{grid id: {code: {status, convention, method, uncertainty, value, source}}} of the full grids."""
    out = {}
    for g in full_grids(inv):
        raw = _raw_grid_specs(inv, g.id)
        v = g.vector
        out[g.id] = {c: {"status": v.status[i], "convention": v.conventions[i], "method": v.methods[i],
                         "uncertainty": uncertainty_label(v.uncertainties[i], raw.get(c)),
                         "value": float(v.values[i]), "source": v.sources[i]}
                     for i, c in enumerate(CODES)}
    return out


def methods_legend(inv) -> dict:
    """{label: (full method text, [(grid, code, background or None), ...])} over the full grids and the
    alternative backgrounds."""
    used: dict = defaultdict(list)
    for g in full_grids(inv):
        for i, c in enumerate(CODES):
            if g.vector.methods[i] and g.vector.status[i] != "not_covered":
                used[g.vector.methods[i]].append((g.id, c, None))
    for bg in inv.backgrounds.values():
        for gid, (vec, given) in bg.grids.items():
            for c in sorted(given, key=CODES.index):
                m = vec.methods[CODES.index(c)]
                if m:
                    used[m].append((gid, c, bg.id))
    legend = {}
    for text, where in used.items():
        label = method_label(text)
        while label in legend and legend[label][0] != text:
            label += "′"
        legend[label] = (text, where)
    return legend


def coverage_section(inv) -> str:
    cells = grid_cells(inv)
    lines = ["### Coverage matrix: status and convention per grid and category",
             "",
             "*Generated by `python tools/make_data_doc.py` from the loaded inventory (`lca.load_inventory()`), "
             "default background `" + str(inv.default_background) + "`.* Each cell: status (**M** measured, "
             "**P** proxy, **S** suspect, **—** not covered) and long-term-emissions convention (`excl` "
             "lt_excluded, `incl` lt_included, `n/a` not_applicable: the category has no long-term emissions "
             "question). A not-covered entry has no convention.",
             ""]
    rows = []
    for gid, cs in cells.items():
        row = [f"`{gid}`"]
        for c in CODES:
            e = cs[c]
            if e["status"] == "not_covered":
                row.append("—")
            else:
                row.append(f"{STATUS_LETTER[e['status']]} {CONV_SHORT.get(e['convention'], e['convention'] or '?')}")
        rows.append(row)
    lines += table(["grid"] + list(CODES), rows)
    # counts
    n = Counter(e["status"] for cs in cells.values() for e in cs.values())
    conv = Counter(e["convention"] for cs in cells.values() for e in cs.values() if e["status"] != "not_covered")
    lines += ["", f"{len(cells)} grids × {len(CODES)} categories: {n['measured']} measured, {n['proxy']} proxy, "
              f"{n['suspect']} suspect, {n['not_covered']} not covered; of the covered entries "
              f"{conv['lt_excluded']} lt_excluded, {conv['lt_included']} lt_included, "
              f"{conv['not_applicable']} not_applicable."]
    carbon = [g for g in inv.grids.values() if g.carbon_only]
    if carbon:
        gsds = sorted({round(g.vector.uncertainties[0].params.get("gsd", float("nan")), 3)
                       for g in carbon if g.vector.uncertainties[0] is not None})
        c0 = carbon[0].vector
        lines += ["", f"The {len(carbon)} carbon-only ids of `grids/carbon_only.csv` cover `gwp` only "
                  f"(method {method_label(c0.methods[0])}, convention `{c0.conventions[0]}`, "
                  f"lognormal GSD {', '.join(f'{x:.2f}' for x in gsds) or '—'}); every other category is not covered."]

    # legend of methods
    legend = methods_legend(inv)
    lines += ["", "#### Characterisation methods (short labels)", ""]
    rows = []
    for label, (text, where) in legend.items():
        codes = sorted({c for _, c, _ in where}, key=CODES.index)
        grids = sorted({g for g, _, bg in where if bg is None})
        cell = f"{len(grids)}: " + ", ".join(grids) if grids else ""
        for bg in sorted({bg for _, _, bg in where if bg}):
            n_bg = len({g for g, _, b in where if b == bg})
            cell += ("; " if cell else "") + f"background `{bg}`: {n_bg} grids"
        rows.append([label, text, ", ".join(f"`{c}`" for c in codes), cell])
    lines += table(["label", "method (as declared in the inventory)", "categories", "grids"], rows)

    # per grid detail
    lines += ["", "#### Method, convention, status and uncertainty per grid", "",
              "Values per kWh in each category's unit. Uncertainty: `lognormal GSD` is a lognormal around the "
              "value with that geometric standard deviation; `pedigree GSD` the same, with the GSD from the "
              "entry's pedigree scores (Weidema et al. 2013); `loguniform a..b` uniform in log space between the "
              "bounds (value = geometric mean); `triangular` min..max with the value as mode."]
    for g in full_grids(inv):
        cs = cells[g.id]
        lines += ["", f"##### `{g.id}` — {g.name}", ""]
        rows = []
        for c in CODES:
            e = cs[c]
            cov = e["status"] != "not_covered"
            rows.append([f"`{c}`", category(c).unit, num(e["value"], 4) if cov else "—", e["status"],
                         f"`{e['convention']}`" if cov and e["convention"] else "—",
                         method_label(e["method"]) if cov else "—", e["uncertainty"] if cov else "—",
                         f"`{e['source']}`" if e["source"] else "—"])
        lines += table(["category", "unit", "value", "status", "convention", "method", "uncertainty", "source"], rows)

    # alternative backgrounds
    for bg in inv.backgrounds.values():
        if not bg.grids:
            continue
        raw = _raw_background_specs(bg)
        lines += ["", f"#### Alternative background `{bg.id}` (convention `{bg.convention}`)", "",
                  f"{bg.name}. Select with `background: {bg.id}` in a scenario, `--background {bg.id}` or "
                  f"`lca.run(..., set={{\"background\": \"{bg.id}\"}})`; the listed categories replace the "
                  "default's, the others stay.", ""]
        rows = []
        for gid, (vec, given) in bg.grids.items():
            base = inv.grids[gid].vector if gid in inv.grids else None
            for c in sorted(given, key=CODES.index):
                i = CODES.index(c)
                ratio = (vec.values[i] / base.values[i]) if base is not None and base.values[i] else float("nan")
                rows.append([f"`{gid}`", f"`{c}`", num(float(vec.values[i]), 4), vec.status[i],
                             f"`{vec.conventions[i]}`" if vec.conventions[i] else "—", method_label(vec.methods[i]),
                             uncertainty_label(vec.uncertainties[i], raw.get(gid, {}).get(c)),
                             ratio_str(float(ratio))])
        lines += table(["grid", "category", "value", "status", "convention", "method", "uncertainty",
                        "÷ default"], rows)
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# component data: characterisation, convention, pedigree, suspect and corrected data
# ------------------------------------------------------------------------------------------------
def component_sets(inv) -> list[dict]:
    """One record per factor set, measured dataset and host file: vectors and declared characterisation."""
    out = []
    for fs in inv.factor_sets.values():
        raw = load_yaml(fs.path).get("characterisation") or {}
        out.append({"name": f"factor set `{fs.id}`", "where": f"factors/{Path(fs.path).name}",
                    "vectors": {k: e.vector for k, e in fs.factors.items()}, "declared": raw.get("convention")})
    for acc in inv.accelerators.values():
        raw_acc = load_yaml(acc.path)
        for did, m in acc.measured.items():
            vecs = {k: v for k, (_, v) in m.components.items()}
            if m.end_of_life is not None:
                vecs["end_of_life"] = m.end_of_life
            raw = ((raw_acc.get("measured") or {}).get(did) or {}).get("characterisation") or {}
            out.append({"name": f"`{acc.id}` / `{did}`", "where": f"accelerators/{Path(acc.path).name}",
                        "vectors": vecs, "declared": raw.get("convention")})
    if inv.hosts:
        raw = load_yaml(Path(inv.root) / "hosts.yaml").get("characterisation") or {}
        for h in inv.hosts.values():
            out.append({"name": f"host `{h.id}`", "where": "hosts.yaml", "vectors": {"host": h.embodied},
                        "declared": raw.get("convention")})
    return out


def _set_summary(rec) -> tuple:
    vecs = list(rec["vectors"].values())
    methods = sorted({m for v in vecs for m in v.methods if m})
    per_code = {}
    for i, c in enumerate(CODES):
        convs = sorted({v.conventions[i] for v in vecs if v.status[i] != "not_covered" and v.conventions[i]})
        if convs:
            per_code[c] = "/".join(convs)
    declared = rec["declared"] or (Counter(per_code.values()).most_common(1)[0][0] if per_code else None)
    diff = defaultdict(list)
    for c, conv in per_code.items():
        if conv != declared:
            diff[conv].append(c)
    gsds = sorted({round(v.gsd, 2) for v in vecs if v.gsd is not None})
    return (tuple(methods), declared, tuple((k, tuple(v)) for k, v in sorted(diff.items())), tuple(gsds))


def component_section(inv) -> str:
    groups: dict = defaultdict(list)
    for rec in component_sets(inv):
        groups[_set_summary(rec)].append(rec["name"])
    lines = ["### Characterisation, convention and pedigree of the component data",
             "",
             "*Generated by `python tools/make_data_doc.py` from the loaded inventory.* Every factor set, measured "
             "dataset and host declares a `characterisation:` block (method and long-term-emissions convention, "
             "with exceptions per category) and a `pedigree:` block whose GSD (Weidema et al. 2013) is a "
             "correlated lognormal multiplier on the whole set in Monte Carlo runs. Data sets with the same "
             "declaration share a row.",
             ""]
    rows = []
    for (methods, declared, diff, gsds), names in groups.items():
        exc = "; ".join(f"{', '.join(f'`{c}`' for c in codes)}: `{conv}`" for conv, codes in diff) or "none"
        rows.append([", ".join(names), "; ".join(method_label(m) for m in methods) or "—",
                     f"`{declared}`" if declared else "—", exc, ", ".join(f"{g:.2f}" for g in gsds) or "—"])
    lines += table(["data set", "characterisation", "convention of the set", "categories with another convention",
                    "pedigree GSD"], rows)
    legend = sorted({m for rec in component_sets(inv) for v in rec["vectors"].values() for m in v.methods if m})
    lines += ["", "Methods: " + "; ".join(f"**{method_label(m)}** = {m}" for m in legend) + "."]
    return "\n".join(lines)


def suspect_rows(inv) -> list[list[str]]:
    rows = []
    for rec in component_sets(inv):
        for comp, v in rec["vectors"].items():
            for i, reason in enumerate(v.suspect):
                if not reason:
                    continue
                alt = v.alternatives[i]
                ratio = v.values[i] / alt if alt else float("nan")
                rows.append([rec["name"], f"`{comp}`", f"`{CODES[i]}`", num(float(v.values[i]), 4),
                             num(alt, 3) if alt is not None else "—", ratio_str(float(ratio)),
                             first_clause(reason)])
    for g in full_grids(inv):
        for i, reason in enumerate(g.vector.suspect):
            if reason:
                rows.append([f"grid `{g.id}`", "`electricity`", f"`{CODES[i]}`", num(float(g.vector.values[i]), 4),
                             num(g.vector.alternatives[i], 3) if g.vector.alternatives[i] is not None else "—", "—",
                             first_clause(reason)])
    return rows


def _walk_corrected(node, path=()):
    if isinstance(node, dict):
        if "corrected_from" in node:
            yield path, node
        for k, v in node.items():
            yield from _walk_corrected(v, (*path, str(k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk_corrected(v, (*path, str(i)))


def corrected_rows(inv) -> list[list[str]]:
    """Entries with ``corrected_from`` (kept in the files, not in the loaded records)."""
    rows = []
    root = Path(inv.root)
    for path in sorted(root.rglob("*.yaml")):
        for keys, entry in _walk_corrected(load_yaml(path)):
            rows.append([f"`{path.relative_to(root)}`", "`" + ".".join(keys) + "`", num(entry.get("value"), 4),
                         num(entry.get("corrected_from"), 4), first_clause(str(entry.get("note") or ""))])
    return rows


def suspect_section(inv) -> str:
    lines = ["### Suspect and corrected data", "",
             "*Generated by `python tools/make_data_doc.py`.* A `suspect` datum is shipped as published and used by "
             "default; results flag every category that uses one (`suspect` in the JSON output). "
             "`embodied: {suspect_data: alternative}` in a scenario (or `--set embodied.suspect_data=alternative`) "
             "uses the documented alternative instead.", ""]
    rows = suspect_rows(inv)
    lines += table(["data set", "component", "category", "shipped", "alternative", "shipped ÷ alternative", "reason"],
                   rows) if rows else ["No suspect data."]
    rows = corrected_rows(inv)
    lines += ["", "Corrected data (the published value is kept in `corrected_from`):", ""]
    lines += table(["file", "entry", "shipped", "published (corrected_from)", "note"], rows) if rows else ["None."]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# assembly
# ------------------------------------------------------------------------------------------------
def _section_bounds(text: str, heading_start: str) -> tuple[int, int] | None:
    """Start and end offsets of the ``### ...`` section whose heading starts with ``heading_start``."""
    m = re.search(r"^" + re.escape(heading_start) + r".*$", text, flags=re.M)
    if not m:
        return None
    nxt = re.search(r"^#{1,3} ", text[m.end():], flags=re.M)
    return m.start(), (m.end() + nxt.start()) if nxt else len(text)


def replace_section(text: str, heading_start: str, new: str) -> str:
    b = _section_bounds(text, heading_start)
    if b is None:
        return text.rstrip() + "\n\n" + new + "\n"
    return text[: b[0]] + new.rstrip() + "\n\n" + text[b[1]:].lstrip("\n")


def _upstream(name: str, section: str | None) -> str:
    if name not in UPSTREAM:
        raise SystemExit(f"make_data_doc: the page refers to the research note {name!r} outside the repository; "
                         "add its upstream URL to UPSTREAM in tools/make_data_doc.py")
    what, urls = UPSTREAM[name]
    return (f"`{name}`{section or ''} (a research note on {what}, kept outside the repository; upstream: "
            f"{', '.join(urls)})")


def _source_url(inv, sid: str) -> str:
    s = inv.sources.get(sid)
    return (s.url or (f"https://doi.org/{s.doi}" if s.doi else "")) if s else ""


def unshare(text: str, inv) -> str:
    """Replace every path into ../shared (outside the repository) by file names and upstream URLs."""
    text = re.sub(r"(?:\.\./)?shared/references/([\w.-]+\.md)( §[\w.]+)?", lambda m: _upstream(m.group(1), m.group(2)),
                  text)
    gpu_files = ("the raw GPU files kept outside the repository: `gpus.json`, `gpus_impact_factors.csv`, "
                 f"`average_model.json`, `transport_impacts.csv` ({_source_url(inv, 'hubblo-gpu-calculator')}), "
                 "the More than Carbon v1 component CSV `more-than-carbon-data.csv` (https://github.com/DjoserKhemSimeu/"
                 "Sim_LLM_benchmark/blob/fcac95f1a02b8b47036762518b5930491ebaa21f/data/more-than-carbon-data.csv)")
    text = re.sub(r"`?(?:\.\./)?shared/data/gpu/?`?", gpu_files, text)
    grid_ids = ("owid-energy-data", "unece-2022-lca-electricity", "ademe-base-impacts-via-boavizta",
                "statcan-25-10-0015-01", "ecologits-electricity-mixes", "electricitylci-netl", "uslci-fy20q4",
                "jrc-ef31-cf-package")
    grid_files = ("the raw electricity files kept outside the repository (upstream: "
                  + ", ".join(f"`{sid}` {_source_url(inv, sid)}" for sid in grid_ids if _source_url(inv, sid)) + ")")
    text = text.replace("[--shared ../shared]", "[--shared DIR]")
    text = re.sub(r"`?(?:\.\./)?shared/data/?`?", grid_files, text)
    left = re.findall(r"(?:\.\./shared|\bshared/(?:data|references)\b)[^\s)`]*", text)
    if left:
        raise SystemExit(f"make_data_doc: paths outside the repository left in the page: {sorted(set(left))}")
    return text


def build(inv=None) -> str:
    inv = inv or load_inventory()
    head = (FRAGMENTS / "data-head.md").read_text(encoding="utf-8")
    gpus = (FRAGMENTS / "data-gpus.md").read_text(encoding="utf-8")
    grids = (FRAGMENTS / "data-grids.md").read_text(encoding="utf-8")
    gpus = gpus.rstrip() + "\n\n" + component_section(inv) + "\n\n" + suspect_section(inv) + "\n"
    grids = replace_section(grids, "### Coverage matrix", coverage_section(inv))
    page = "\n\n".join(p.strip() for p in (head, gpus, grids)) + "\n"
    return unshare(page, inv)


def main() -> None:
    out = DOCS / "data.md"
    out.write_text(build(), encoding="utf-8")
    print("wrote", out)


if __name__ == "__main__":
    main()
