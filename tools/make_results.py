"""Regenerate docs/results.md from the shipped scenarios: python tools/make_results.py

BLOOM (``bloom-a100``) and GPT-4 (``gpt4-a100``) stage shares per category, under the default
electricity background and under ``unece-lt-included``, beside the figures of the More than Carbon
abstract, with Monte Carlo dominance probabilities (``lca.run(name, samples=2000, seed=1)`` and
:func:`lca.model.result.robustness`). Every figure on the page is computed here; only the study's
abstract figures (``PUBLISHED``) are typed in.

The deterministic part (:func:`deterministic`, :func:`stage_row`) is what
``tests/test_docs_results.py`` re-runs to check that the page is not stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

import lca  # noqa: E402
from lca.inventory.method import CODES, category  # noqa: E402
from lca.model.result import magnitudes, robustness, stage_shares, stage_totals, totals  # noqa: E402
from lca.vocab import STAGES  # noqa: E402

OUT = ROOT / "docs" / "results.md"
SCENARIOS = ("bloom-a100", "gpt4-a100")
ALTERNATIVE = "unece-lt-included"
SAMPLES, SEED = 2000, 1
STAGE_NAMES = {"manufacturing": "manufacturing", "transport": "transport", "use": "use", "end_of_life": "end of life"}

CITATION = ("Falk S., et al. (2025). *More than Carbon: Cradle-to-Grave environmental impacts of GenAI training on "
            "the Nvidia A100 GPU*. arXiv:2509.00093 (v1 27 Aug 2025, https://arxiv.org/abs/2509.00093; v2/v3 Dec 2025, "
            "https://arxiv.org/abs/2509.00093v2)")

#: The study's abstract figures (the only published stage results accessible; its result tables
#: and use-phase inputs were not). Shares are of the category total.
PUBLISHED = {
    "bloom-a100": {
        "label": "BLOOM", "abstract": "v1 abstract; BLOOM was dropped from the v2/v3 abstracts",
        "use_dominates": 11, "manufacturing_dominates": 5,
        "shares": [("gwp", "use", 0.96), ("ctuh_c", "manufacturing", 0.99), ("adpe", "manufacturing", 0.85)],
    },
    "gpt4-a100": {
        "label": "GPT-4", "abstract": "v1 to v3 abstracts",
        "use_dominates": 10, "manufacturing_dominates": 6,
        "shares": [("gwp", "use", 0.96), ("adpf", "use", 0.96), ("ctuh_c", "manufacturing", 0.94),
                   ("epf", "manufacturing", 0.81)],
    },
}
#: Cradle-to-gate of one A100 SXM4 40GB in the abstract: GPU chip share of climate change, and the
#: number of categories in which the GPU chip is the largest contributor
PUBLISHED_COMPONENTS = {"gwp_main_dies": 0.81, "adpf_main_dies": 0.80, "main_dies_largest": 10}


# ------------------------------------------------------------------------------------------------
# computing
# ------------------------------------------------------------------------------------------------
def _overrides(background: str | None, extra: dict | None = None) -> dict | None:
    s = dict(extra or {})
    if background:
        s["background"] = background
    return s or None


def summarise(ds) -> dict:
    """Totals, stage shares, dominant stage, coverage and convention per category of a deterministic run."""
    sh = magnitudes(stage_shares(ds))
    tot = magnitudes(totals(ds))
    st = magnitudes(stage_totals(ds))
    prov = json.loads(ds.attrs.get("provenance", "{}"))
    cats = {}
    for c in CODES:
        v = np.asarray(sh[c].values, dtype=float)
        dom = STAGES[int(np.nanargmax(v))] if np.isfinite(v).any() else None
        p = prov.get(c, {})
        cats[c] = {"name": category(c).name, "unit": category(c).unit, "total": float(tot[c].values),
                   "stage_totals": {s: float(st[c].sel(stage=s).values) for s in STAGES},
                   "shares": {s: float(x) for s, x in zip(STAGES, v)}, "dominant": dom,
                   "coverage": ds[c].attrs.get("coverage"), "convention": p.get("convention"),
                   "warning": p.get("warning"), "suspect": bool(p.get("suspect"))}
    comp = {c: {str(k): float(x) for k, x in zip(ds[c]["component"].values, magnitudes(ds)[c].values)} for c in CODES}
    return {"scenario": ds.attrs.get("scenario"), "background": ds.attrs.get("background"),
            "grid": ds.attrs.get("grid"), "accelerator": ds.attrs.get("accelerator"),
            "hours": float(ds["accelerator_hours"]), "energy": float(ds["energy"]),
            "lifetimes": float(ds["lifetimes_consumed"]), "categories": cats, "components": comp,
            "warnings": json.loads(ds.attrs.get("warnings", "[]"))}


def deterministic(scenario: str, background: str | None = None, extra: dict | None = None) -> dict:
    """One deterministic run (every distribution at its default), summarised."""
    return summarise(lca.run(scenario, set=_overrides(background, extra)))


def monte_carlo(scenario: str, background: str | None = None, samples: int = SAMPLES, seed: int = SEED) -> dict:
    """Robustness per category (``robustness``) of a Monte Carlo run, plus use-share percentiles."""
    ds = lca.run(scenario, samples=samples, seed=seed, set=_overrides(background))
    rob = robustness(ds)
    sh = magnitudes(stage_shares(ds))
    for c in CODES:
        for s in ("manufacturing", "use"):
            a = np.asarray(sh[c].sel(stage=s).values, dtype=float)
            a = a[np.isfinite(a)]
            rob[c][f"{s}_share_p05_p95"] = (float(np.percentile(a, 5)), float(np.percentile(a, 95))) if a.size else None
    return rob


def dominance_counts(det: dict) -> dict:
    out = {s: [] for s in STAGES}
    for c, e in det["categories"].items():
        if e["dominant"]:
            out[e["dominant"]].append(c)
    return out


def implied_use_per_kwh(det: dict, code: str, stage: str, share: float) -> float:
    """Per-kWh electricity factor that would give the published ``share`` of ``stage``, if the
    study's other stages equalled ours: U = X / share - (all non-use stages)."""
    st = det["categories"][code]["stage_totals"]
    non_use = sum(v for s, v in st.items() if s != "use" and np.isfinite(v))
    if stage == "use":
        use = share * non_use / (1 - share)
    else:
        use = st[stage] / share - non_use
    return use / det["energy"]


def grid_value(grid: str, code: str, background: str | None = None) -> float:
    inv = lca.load_inventory()
    g = inv.grid(grid)
    if background:
        g = inv.background(background).apply(g)
    return float(g.vector.values[CODES.index(code)])


def compute(samples: int = SAMPLES, seed: int = SEED) -> dict:
    """Everything the page shows."""
    res = {}
    for sc in SCENARIOS:
        r = {"default": deterministic(sc), "alt": deterministic(sc, ALTERNATIVE),
             "mc_default": monte_carlo(sc, None, samples, seed), "mc_alt": monte_carlo(sc, ALTERNATIVE, samples, seed),
             "wu_alternative": deterministic(sc, extra={"embodied.suspect_data": "alternative"})}
        if sc == "bloom-a100":
            r["overhead"] = deterministic(sc, extra={"operation.server_overhead": 1.59})
        res[sc] = r
    return res


# ------------------------------------------------------------------------------------------------
# formatting
# ------------------------------------------------------------------------------------------------
def pct(x: float | None, nd: int = 1) -> str:
    return "n/c" if x is None or not np.isfinite(x) else f"{x * 100:.{nd}f} %"


def prob(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def sci(x: float, sig: int = 2) -> str:
    if x is None or not np.isfinite(x):
        return "n/c"
    s = f"{x:.{sig}g}"
    if "e" in s:
        m, e = s.split("e")
        s = f"{m}e{int(e)}"
    return s


def table(header, rows) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


STAGE_HEADER = ["category", "unit", "total", "manufacturing", "transport", "use", "end of life", "dominant stage",
                "coverage", "convention"]


def stage_row(code: str, e: dict) -> str:
    """One line of a stage-share table (the test looks for this exact line on the page)."""
    conv = e["convention"] or "—"
    if e["warning"]:
        conv = f"**{conv}** ⚠"
    if e["suspect"]:
        conv += " (suspect datum)"
    dom = STAGE_NAMES.get(e["dominant"], "n/c") + (" (lower bound)" if e["coverage"] != "full" else "")
    cells = [e["name"], e["unit"], f"{e['total']:.4g}"] + [pct(e["shares"][s]) for s in STAGES] + [dom, e["coverage"], conv]
    return "| " + " | ".join(cells) + " |"


def stage_table(det: dict) -> list[str]:
    n = dominance_counts(det)
    lines = [f"Accelerator-hours {det['hours']:.4g} h; facility energy {det['energy']:.4g} kWh; accelerator "
             f"lifetimes consumed {det['lifetimes']:.4g}; grid `{det['grid']}`; background `{det['background']}`.", ""]
    lines += table(STAGE_HEADER, [])
    lines += [stage_row(c, det["categories"][c]) for c in CODES]
    lines += ["", f"Use dominates {len(n['use'])} of 16 categories, manufacturing {len(n['manufacturing'])} "
              f"({', '.join(n['manufacturing']) or '—'}), end of life {len(n['end_of_life'])} "
              f"({', '.join(n['end_of_life']) or '—'}), transport {len(n['transport'])}."]
    if det["warnings"]:
        lines += ["", "Convention warnings of this run:", ""] + [f"* {w}" for w in det["warnings"]]
    return lines


def robustness_table(rob: dict) -> list[str]:
    rows = []
    for c in CODES:
        r = rob[c]
        p = r.get("p_stage_dominates", {})
        u = r.get("use_share_p05_p95")
        rows.append([f"`{c}`"] + [prob(p.get(s)) for s in STAGES]
                    + [prob(r.get("p_manufacturing_exceeds_use")),
                       f"{pct(u[0], 0)}–{pct(u[1], 0)}" if u else "n/c",
                       f"`{r.get('top_component', '—')}` ({prob(r.get('p_top_component'))})",
                       prob(r.get("p_top3_stable"))])
    return table(["category", "P(manufacturing)", "P(transport)", "P(use)", "P(end of life)", "P(manufacturing > use)",
                  "use share p05–p95", "top component (P)", "P(top 3 stable)"], rows)


def verdict(ours_share: float, ours_dom: str | None, stage: str, published: float) -> str:
    if ours_dom != stage:
        return "**no**"
    diff = (ours_share - published) * 100
    if abs(diff) <= 5:
        return "**yes**"
    return f"direction yes, {'higher' if diff > 0 else 'lower'} by {abs(diff):.0f} points"


def comparison(sc: str, r: dict) -> list[str]:
    pub = PUBLISHED[sc]
    d, a, md, ma = r["default"], r["alt"], r["mc_default"], r["mc_alt"]
    rows = []
    for code, stage, share in pub["shares"]:
        ed, ea = d["categories"][code], a["categories"][code]
        rows.append([f"{category(code).name}, {STAGE_NAMES[stage]} share", f"{share * 100:.0f} %",
                     pct(ed["shares"][stage]), prob(md[code]["p_stage_dominates"][stage]),
                     verdict(ed["shares"][stage], ed["dominant"], stage, share),
                     pct(ea["shares"][stage]), prob(ma[code]["p_stage_dominates"][stage]),
                     verdict(ea["shares"][stage], ea["dominant"], stage, share)])
    nd, na = dominance_counts(d), dominance_counts(a)

    def counts(n):
        return f"{len(n['use'])} / {len(n['manufacturing'])}" + (f" (+{len(n['end_of_life'])} end of life)"
                                                                 if n["end_of_life"] else "")

    pubc = f"{pub['use_dominates']} / {pub['manufacturing_dominates']}"
    ok = lambda n: "**yes**" if (len(n["use"]), len(n["manufacturing"])) == (pub["use_dominates"], pub["manufacturing_dominates"]) else "close" if abs(len(n["use"]) - pub["use_dominates"]) <= 1 else "**no**"  # noqa: E731
    rows.append(["categories dominated by use / manufacturing", pubc, counts(nd), "—", ok(nd), counts(na), "—", ok(na)])
    return table(["figure", "study", "default", "P(dominates)", "agrees?", ALTERNATIVE, "P(dominates)", "agrees?"], rows)


# ------------------------------------------------------------------------------------------------
# the page
# ------------------------------------------------------------------------------------------------
def grid_range(grid: str, code: str, background: str | None = None) -> tuple[float, float] | None:
    """95 % range of a grid value's uncertainty (lognormal: value / GSD^1.96 .. value x GSD^1.96)."""
    inv = lca.load_inventory()
    g = inv.grid(grid)
    if background:
        g = inv.background(background).apply(g)
    d = g.vector.uncertainties[CODES.index(code)]
    if d is None:
        return None
    if d.kind == "lognormal":
        k = d.params["gsd"] ** 1.96
        return d.params["median"] / k, d.params["median"] * k
    if d.kind in ("loguniform", "uniform", "triangular"):
        return d.params["min"], d.params["max"]
    return None


def lifespan_note(scenario: str) -> str:
    """Where the deterministic lifespan sits in the scenario's range (it drives the embodied share)."""
    prm = lca.load_scenario(scenario).params.get("lifetime.lifespan")
    d = getattr(prm, "distribution", None)
    if d is None or "min" not in d.params or "max" not in d.params:
        return ""
    lo, hi, dflt = d.params["min"], d.params["max"], d.central
    pos = "the top of" if dflt >= hi else "the bottom of" if dflt <= lo else "inside"
    return (f"The deterministic run takes a {dflt:g}-year lifespan, {pos} the scenario's {d.kind} {lo:g}–{hi:g} years, "
            "so the Monte Carlo use shares are mostly lower. ")


def _explain(sc: str, code: str, r: dict) -> str:
    """Why our figure is what it is, for one of the study's abstract figures (numbers from the run)."""
    d, mc = r["default"], r["mc_default"]
    e = d["categories"][code]
    grid = d["grid"]
    top = f"top component `{mc[code].get('top_component')}` in {prob(mc[code].get('p_top_component'))} of the draws"
    if code in ("gwp", "adpf") and sc == "gpt4-a100":
        return f"Electricity ({grid} grid, {sci(grid_value(grid, code))} {e['unit']}/kWh) dominates; {top}."
    if code == "gwp":
        over = r["overhead"]["categories"]["gwp"]["shares"]["use"]
        return (f"The study's 96 % implies {sci(implied_use_per_kwh(d, 'gwp', 'use', 0.96))} kg CO2 eq/kWh if its other "
                f"stages equal ours, against the {grid} grid's {sci(grid_value(grid, 'gwp'))}; more likely the study "
                f"counted more energy or allocated less hardware. The scenario counts GPU power only; with Luccioni et "
                f"al.'s idle and infrastructure energy (`--set operation.server_overhead=1.59`) the use share is "
                f"{pct(over)}. " + lifespan_note(sc) + "The study's BLOOM inputs (energy boundary, lifespan, "
                "utilisation) are not in the accessible material.")
    if code == "ctuh_c":
        share = dict((c, s) for c, _, s in PUBLISHED[sc]["shares"])[code]
        impl = implied_use_per_kwh(d, code, "manufacturing", share)
        rng = grid_range(grid, code)
        where = ""
        if rng:
            inside = rng[0] <= impl <= rng[1]
            where = (f" ({'inside' if inside else 'outside'} its log-uniform range {sci(rng[0])}–{sci(rng[1])}, whose "
                     f"lower end is the EF 3.1 bottom-up value)")
        return (f"The default background characterises electricity with EF 3.1, which gives long-term toxic emissions "
                f"a factor of 0: the {grid} grid's {sci(grid_value(grid, code))} CTUh/kWh{where} compares with the "
                f"{sci(impl)} CTUh/kWh the study's {share * 100:.0f} % implies (if its other stages equal ours); {top}"
                + (" (the copper heatsink, as in the study's cradle-to-gate data)" if mc[code].get("top_component") == "heatsink"
                   else "") + f". With `{ALTERNATIVE}` (UNECE, long-term emissions included, "
                f"{sci(grid_value(grid, code, ALTERNATIVE))} CTUh/kWh) the share falls to "
                f"{pct(r['alt']['categories'][code]['shares']['manufacturing'])}.")
    if code == "epf":
        impl = implied_use_per_kwh(d, code, "manufacturing", 0.81)
        rng = grid_range(grid, code)
        where = (f", {'inside' if rng[0] <= impl <= rng[1] else 'outside'} the default's pedigree 95 % range "
                 f"{sci(rng[0])}–{sci(rng[1])}") if rng else ""
        return (f"The study's 81 % implies {sci(impl)} kg P eq/kWh for its electricity{where}; the default {grid} value "
                f"(ADEME Base IMPACTS, no long-term leaching) is {sci(grid_value(grid, code))}, so the use share here "
                f"is smaller than the study's. {top[0].upper() + top[1:]}. With `{ALTERNATIVE}` "
                f"({sci(grid_value(grid, code, ALTERNATIVE))} kg P eq/kWh, "
                f"{grid_value(grid, code, ALTERNATIVE) / grid_value(grid, code):,.0f}× the default: long-term phosphate "
                f"from coal mine spoil) use is {pct(r['alt']['categories'][code]['shares']['use'])}.")
    if code == "adpe":
        impl = implied_use_per_kwh(d, code, "manufacturing", 0.85)
        return (f"The {grid} grid's {sci(grid_value(grid, code))} kg Sb eq/kWh (UNECE technology factors × a "
                f"nuclear-heavy mix, not EF 3.1-characterised) outweighs the card; the study's 85 % implies "
                f"{sci(impl)}, about {grid_value(grid, code) / impl:.0f}× lower.")
    return top


def findings(res: dict) -> list[tuple[str, str]]:
    """(verdict class, markdown bullet) per published abstract figure: 'yes', 'direction' or 'no'."""
    out = []
    for sc in SCENARIOS:
        r = res[sc]
        d, mc = r["default"], r["mc_default"]
        for code, stage, share in PUBLISHED[sc]["shares"]:
            e = d["categories"][code]
            ours = e["shares"][stage]
            cls = "no" if e["dominant"] != stage else ("yes" if abs(ours - share) <= 0.05 else "direction")
            rng = mc[code].get(f"{stage}_share_p05_p95")
            head = (f"**{PUBLISHED[sc]['label']} {category(code).name.lower()}: {pct(ours)} {STAGE_NAMES[stage]}** "
                    f"(study {share * 100:.0f} %; Monte Carlo 5–95 %: "
                    + (f"{pct(rng[0], 0)}–{pct(rng[1], 0)}" if rng else "n/c")
                    + f", P({STAGE_NAMES[stage]} dominates) = {prob(mc[code]['p_stage_dominates'][stage])}"
                    + ("" if e["dominant"] == stage else f"; here {STAGE_NAMES.get(e['dominant'], 'n/c')} dominates") + "). ")
            out.append((cls, head + _explain(sc, code, r)))
        n = dominance_counts(d)
        pub = PUBLISHED[sc]
        same = (len(n["use"]), len(n["manufacturing"])) == (pub["use_dominates"], pub["manufacturing_dominates"])
        cls = "yes" if same else ("direction" if abs(len(n["use"]) - pub["use_dominates"]) <= 1 else "no")
        out.append((cls, f"**{pub['label']} categories dominated by use / manufacturing: {len(n['use'])} / "
                         f"{len(n['manufacturing'])}** (study {pub['use_dominates']} / {pub['manufacturing_dominates']}); "
                         f"manufacturing dominates {', '.join(n['manufacturing']) or 'none'}"
                         + (f", end of life {', '.join(n['end_of_life'])}" if n["end_of_life"] else "")
                         + ". The abstract names only some of its categories, so membership cannot be compared fully."))
    return out


def conclusions(res: dict) -> list[str]:
    g, b = res["gpt4-a100"], res["bloom-a100"]
    gd, ga = g["default"], g["alt"]
    gc, gmc = gd["categories"], g["mc_default"]
    grid_g = gd["grid"]
    comp = gd["components"]
    c2g = ("casing", "heatsink", "pcb", "main_dies", "pop", "upstream_transport")
    md_gwp = comp["gwp"]["main_dies"] / sum(v for k, v in comp["gwp"].items() if k in c2g)
    wu_alt_g = g["wu_alternative"]["categories"]["wu"]
    wu_alt_b = b["wu_alternative"]["categories"]["wu"]
    p_adpe = gmc["adpe"]["p_stage_dominates"]["manufacturing"]
    f = findings(res)
    L = []
    for cls, title in (("yes", "Reproduced (same dominant stage, share within 5 points)"),
                       ("direction", "Direction reproduced, size differs"),
                       ("no", "Not reproduced")):
        items = [t for c, t in f if c == cls]
        L += [f"### {title}", ""] + ([f"* {t}" for t in items] or ["* none"]) + [""]
    L[L.index("### Reproduced (same dominant stage, share within 5 points)") + 2:
      L.index("### Reproduced (same dominant stage, share within 5 points)") + 2] = [
        f"* **Cradle-to-gate of the card:** GPU chip (main dies) {md_gwp * 100:.1f} % of climate change (abstract 81 %): "
        "the component data are the study's own supplementary data (`tests/test_inventory.py` checks 81.8 % and 10 of "
        "16 categories)."]
    L += ["### Where the open data change the study's story", ""]
    L += [f"* **The convention decides the toxicity and eutrophication conclusions.** Under `{ALTERNATIVE}` GPT-4 "
          f"freshwater eutrophication is {pct(ga['categories']['epf']['shares']['use'])} use (study: 81 % manufacturing) "
          f"and human toxicity, cancer {pct(ga['categories']['ctuh_c']['shares']['manufacturing'])} manufacturing "
          f"(study 94 %). The UNECE × mix values count long-term emissions (leaching from mine spoil and ash landfills "
          f"beyond 100 years), which the manufacturing data do not, so the run warns that conventions are mixed in "
          f"{len(ga['warnings'])} categories ({', '.join(w.split(':')[0] for w in ga['warnings'])}). The study's "
          f"figures are consistent with the long-term-excluded convention of the default, not with the LT-inclusive one.",
          f"* **Land use is use-dominated: {pct(gc['lu']['shares']['use'])} use for GPT-4** "
          f"(P = {prob(gmc['lu']['p_stage_dominates']['use'])}), because electricity land use is now covered (proxy: "
          f"UNECE occupation × EF 3.1 occupation factors, {sci(grid_value(grid_g, 'lu'))} Pt/kWh for {grid_g}). "
          f"Without it land use was a lower bound dominated by the card's end of life. The abstract gives no land-use "
          f"share; the proxy counts occupation only (no transformation), so if anything it is low.",
          f"* **Freshwater ecotoxicity is a lower bound.** No defensible open EF 3.1 per-kWh value exists, so the use "
          f"stage is not covered: the {pct(gc['ctue']['shares']['manufacturing'])} manufacturing share is of "
          f"manufacturing + transport + end of life only and says nothing about the use phase.",
          f"* **Water use: end of life {pct(gc['wu']['shares']['end_of_life'])} for GPT-4** "
          f"(P(end of life dominates) {prob(gmc['wu']['p_stage_dominates']['end_of_life'])}), from the ADEME "
          f"end-of-life water use of the card (flagged `suspect`, see [data.md](data.md)). With the documented "
          f"alternative (`--set embodied.suspect_data=alternative`) water use is {pct(wu_alt_g['shares']['use'])} use "
          f"for GPT-4 and {pct(wu_alt_b['shares']['use'])} for BLOOM.",
          f"* **GPT-4 minerals & metals:** {pct(gc['adpe']['shares']['manufacturing'])} manufacturing in the deterministic "
          f"run, P(manufacturing dominates) = {prob(p_adpe)}: "
          + ("not a robust conclusion either way (the grid's pedigree uncertainty spans the card's impact)"
             if 0.2 < p_adpe < 0.8 else "robust") + "; the abstract does not say which stage dominates it for GPT-4.",
          ""]
    return L


def render(res: dict) -> str:
    L = ["# Results: BLOOM and GPT-4 beside the More than Carbon study", "",
         "*Generated by `python tools/make_results.py` (do not edit by hand; `tests/test_docs_results.py` fails "
         "when the stage shares below no longer match the code).* Scenarios `bloom-a100` and `gpt4-a100`; stage "
         "shares are of each category's total in deterministic runs (every distribution at its default); "
         f"probabilities are from Monte Carlo runs `lca.run(name, samples={SAMPLES}, seed={SEED})` "
         "(`robustness` in the JSON output). `n/c` = not covered by open data (the total is then a lower bound, "
         f"coverage `partial`). Two electricity backgrounds: the default `{res['gpt4-a100']['default']['background']}` "
         f"(EF 3.1, long-term emissions excluded) and `{ALTERNATIVE}` (`--background {ALTERNATIVE}`: UNECE × mix for "
         "epf, ctuh_c and ctuh_nc, long-term emissions included). lca " + lca.__version__ + ".", "",
         "## What the study reports", "",
         f"Source: {CITATION}. Only the abstracts were accessible; the paper's result tables and use-phase inputs "
         "(GPU count, hours, PUE, grid factors, lifespan) were not, so the comparison is of stage shares and dominant "
         "stages, not of absolute values.", ""]
    for sc in SCENARIOS:
        p = PUBLISHED[sc]
        shares = "; ".join(f"{category(c).name} {s * 100:.0f} % {STAGE_NAMES[st]}" for c, st, s in p["shares"])
        L.append(f"* **{p['label']}** ({p['abstract']}): use phase dominates {p['use_dominates']} of 16 categories, "
                 f"manufacturing {p['manufacturing_dominates']}; {shares}.")
    L += ["* Cradle-to-gate of one A100 SXM4 40GB: the GPU chip is the largest contributor in 10 of 16 categories, "
          "81 % of climate change and 80 % of fossil resource use.", ""]
    L += ["## Side by side", "",
          "`P(dominates)`: probability, over the Monte Carlo draws, that the stage the study names is the largest. "
          "`agrees?`: **yes** if the same stage dominates and the share is within 5 points.", ""]
    for sc in SCENARIOS:
        L += [f"### {PUBLISHED[sc]['label']}", ""] + comparison(sc, res[sc]) + [""]
    L += ["## Which published conclusions the open data reproduce", ""] + conclusions(res)
    L += ["## Tables", ""]
    for sc in SCENARIOS:
        r = res[sc]
        L += [f"### {r['default']['scenario']}", "",
              f"#### Default background `{r['default']['background']}`", ""] + stage_table(r["default"])
        L += ["", f"#### Background `{ALTERNATIVE}`", ""] + stage_table(r["alt"])
        L += ["", f"#### Monte Carlo robustness ({SAMPLES} samples, seed {SEED}), default background", "",
              "Probability that each stage is the largest, that manufacturing exceeds use, the 5–95 % range of the use "
              "share, the component that is largest in most draws, and how often the three largest components (by "
              "mean) stay the three largest.", ""] + robustness_table(r["mc_default"])
        L += ["", f"#### Monte Carlo robustness, background `{ALTERNATIVE}`", ""] + robustness_table(r["mc_alt"]) + [""]
    return "\n".join(L).rstrip() + "\n"


def main() -> None:
    text = render(compute())
    if "shared/" in text:
        raise SystemExit("make_results: the page must not point into ../shared (outside the repository)")
    OUT.write_text(text, encoding="utf-8")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
