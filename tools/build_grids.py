#!/usr/bin/env python3
"""Dev-time build of the electricity inventories from the research data in shared/.

Writes
  inventories/grids/<id>.yaml          16-category per-kWh vectors for FR US DE SE NO CN TW EU-27 WORLD QC
  inventories/grids/carbon_only.csv    climate change only, every zone of the EcoLogits mix file
  docs/_fragments/data-grids.md        sources, licences, method, coverage matrix, known problems

The product (lca/) never reads shared/; it reads only the files written here. Run:

  python tools/build_grids.py [--shared ../shared] [--repo .]

Inputs (all under <shared>/data, see the NOTES.md next to each file):
  electricity/owid_electricity_mix_2022_2023.csv        OWID/Ember mixes and carbon intensity (CC BY 4.0)
  electricity/unece_lca_2022_owid_transcription.csv     UNECE 2022 technology factors, OWID transcription
  electricity/digital4better_energy_impacts_by_technology.csv   only for the hydropower sensitivity in the docs
  boavizta/derived/boavizta_electricity_factors_long.csv ADEME Base IMPACTS (2011) via boaviztapi 2.5.0
  ecologits/derived/ecologits_electricity_mixes.csv      EcoLogits 0.11.3 gwp per zone
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------------------------------------
# Grids and the sources they are built from
# --------------------------------------------------------------------------------------------
GRIDS = {
    # id: name, iso3, OWID entity (None: mix given below), boaviztapi zone, is that zone a proxy?
    "FR": dict(name="France", iso3="FRA", owid="France", boa="FRA", boa_proxy=False),
    "US": dict(name="United States", iso3="USA", owid="United States", boa="USA", boa_proxy=False),
    "DE": dict(name="Germany", iso3="DEU", owid="Germany", boa="DEU", boa_proxy=False),
    "SE": dict(name="Sweden", iso3="SWE", owid="Sweden", boa="SWE", boa_proxy=False),
    "NO": dict(name="Norway", iso3="NOR", owid="Norway", boa="NOR", boa_proxy=False),
    "CN": dict(name="China", iso3="CHN", owid="China", boa="CHN", boa_proxy=False),
    "TW": dict(name="Taiwan", iso3="TWN", owid="Taiwan", boa="TWN", boa_proxy=False),
    "EU-27": dict(name="European Union (27)", iso3=None, owid="European Union (27)", boa="EEE", boa_proxy=True),
    "WORLD": dict(name="World", iso3=None, owid="World", boa="WOR", boa_proxy=False),
    "QC": dict(name="Québec (Canada)", iso3=None, owid=None, boa=None, boa_proxy=False),
}
MIX_YEAR = 2023

# Québec 2023 generation shares (%), Statistics Canada table 25-10-0015-01 as compiled by Digital4Better
# (digital4better/data data/mix/subdivision-yearly.csv @ c0b443e), transcribed in
# shared/references/electricity_factors.md §2.2. Same classes as the OWID columns.
QC_MIX_2023 = {"coal": 0.17, "gas": 0.72, "oil": 0.04, "nuclear": 0.0, "hydro": 94.08, "wind": 4.92,
               "solar": 0.01, "bio": 0.07, "other_ren": 0.0}

# Hydropower for Québec's climate change only: UNECE's 360 MW hydropower archetype, EU28 region,
# 11 g CO2e/kWh (UNECE LCA report as tabulated in electricitymaps-contrib issue #4161; the 660 MW
# archetype is 150 g there). The OWID transcription has only the global "Hydropower" row, 117 g.
QC_HYDRO_GWP = 0.011
QC_HYDRO_GWP_NOTE = ("UNECE 360 MW hydropower archetype, EU28 region, 0.011 kg CO2e/kWh (UNECE report as "
                     "tabulated in electricitymaps-contrib#4161)")

# EcoLogits gwp: the values equal OWID carbon_intensity_elec for 2025 at owid/energy-data@e7897ae
# (France 41.44 g, World 458.29 g; they match none of 2022, 2023, 2024), so the year is 2025.
ECOLOGITS_GWP_YEAR = 2025

# OWID mix columns -> technology classes used here
OWID_COLS = {"coal": "coal_share_elec", "gas": "gas_share_elec", "oil": "oil_share_elec",
             "nuclear": "nuclear_share_elec", "hydro": "hydro_share_elec", "wind": "wind_share_elec",
             "solar": "solar_share_elec", "bio": "biofuel_share_elec",
             "other_ren": "other_renewables_share_elec_exc_biofuel"}

# Technology mapping to the UNECE rows (OWID transcription). Classes without a row are "uncovered".
PV_ROWS = ["Solar PV, cadmium (on-ground)", "Solar PV, cadmium (roof)",
           "Solar PV, silicon (on-ground)", "Solar PV, silicon (roof)"]
UNECE_MAP = {"coal": ["Coal"], "gas": ["Gas"], "oil": ["Coal"], "nuclear": ["Nuclear"],
             "hydro": ["Hydropower"], "wind": ["Onshore wind"], "solar": PV_ROWS}
UNCOVERED = ("bio", "other_ren")

# UNECE indicator columns (OWID units) -> (EF code, factor to the EF category unit per kWh)
UNECE_COLS = {
    "ghg_emissions": ("gwp", 1e-3),              # kg CO2e/MWh -> kg/kWh
    "freshwater_eutrophication": ("epf", 1e-6),  # g P eq/MWh -> kg/kWh
    "metal_mineral_use": ("adpe", 1e-6),         # g Sb eq/MWh -> kg/kWh
    "carcinogenic_toxicity": ("ctuh_c", 1e-9),   # CTUh/TWh -> CTUh/kWh
    "noncarcinogenic_toxicity": ("ctuh_nc", 1e-9),
    "water_use": ("wu", 1e-3),                   # m3/MWh -> m3/kWh (proxy)
}
UNECE_CODES = ["epf", "adpe", "ctuh_c", "ctuh_nc", "wu"]
BOA_CODES = ["odp", "ap", "ept", "epm", "pocp", "pm", "adpf", "ir"]
AP_IMPLAUSIBLE = 0.1   # mol H+ eq/kWh; national ADEME values are 3e-6..0.05, WOR 2.33, EEE 0.224, CZE 8.38

# Digital4Better "Hydro" row (ODbL), only for the hydropower sensitivity reported in the docs
D4B_COLS = {"ctuh-c": "ctuh_c", "ctuh-nc": "ctuh_nc", "adpe": "adpe", "wu": "wu", "gwp": "gwp"}

SRC_OWID = "owid-energy-data"
SRC_UNECE = "unece-2022-lca-electricity"
SRC_BOA = "ademe-base-impacts-via-boavizta"
SRC_ECO = "ecologits-electricity-mixes"
SRC_STATCAN = "statcan-25-10-0015-01"


def sig(x: float, n: int = 4) -> float:
    """Round to n significant figures."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, n - 1 - int(math.floor(math.log10(abs(x)))))


def fmt_num(x: float) -> str:
    """A YAML 1.1 float that PyYAML reads back as a float (it needs a dot before an exponent)."""
    s = repr(float(x))
    if "e" in s:
        mant, exp = s.split("e")
        if "." not in mant:
            mant += ".0"
        s = f"{mant}e{exp if exp[0] in '+-' else '+' + exp}"
    return s


def q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------
def load_inputs(shared: Path) -> dict:
    d = shared / "data"
    owid = pd.read_csv(d / "electricity" / "owid_electricity_mix_2022_2023.csv")
    owid = owid[owid["year"] == MIX_YEAR].set_index("country")
    unece = pd.read_csv(d / "electricity" / "unece_lca_2022_owid_transcription.csv").set_index("source")
    d4b = pd.read_csv(d / "electricity" / "digital4better_energy_impacts_by_technology.csv").set_index("energy")
    boa = pd.read_csv(d / "boavizta" / "derived" / "boavizta_electricity_factors_long.csv")
    eco = pd.read_csv(d / "ecologits" / "derived" / "ecologits_electricity_mixes.csv", dtype=str)
    methods = yaml.safe_load((REPO / "inventories" / "methods" / "ef31.yaml").read_text(encoding="utf-8"))
    cats = {c["code"]: c for c in methods["categories"]}
    return dict(owid=owid, unece=unece, d4b=d4b, boa=boa, eco=eco, cats=cats)


def tech_factors(unece: pd.DataFrame) -> dict:
    """{ef_code: {tech class: value per kWh in the EF unit}} from the UNECE rows."""
    out = {}
    for col, (code, k) in UNECE_COLS.items():
        out[code] = {t: float(unece.loc[rows, col].astype(float).mean()) * k for t, rows in UNECE_MAP.items()}
    return out


def mix_of(gid: str, inp: dict) -> dict:
    g = GRIDS[gid]
    if g["owid"] is None:
        return dict(QC_MIX_2023)
    row = inp["owid"].loc[g["owid"]]
    return {t: (0.0 if pd.isna(row[c]) else float(row[c])) for t, c in OWID_COLS.items()}


def mix_product(mix: dict, fac: dict, override: dict | None = None) -> tuple[float, float]:
    """Σ share·factor over covered technologies, rescaled to 100 %; returns (value, uncovered %)."""
    fac = {**fac, **(override or {})}
    covered = sum(mix[t] for t in fac)
    total = sum(mix.values())
    val = sum(mix[t] * fac[t] for t in fac) / covered
    return val, 100.0 * (total - covered) / total


# --------------------------------------------------------------------------------------------
# Per-grid vectors
# --------------------------------------------------------------------------------------------
def build_grid(gid: str, inp: dict, tf: dict) -> dict:
    g = GRIDS[gid]
    mix = mix_of(gid, inp)
    mix_src = "StatCan 2023 Québec mix" if g["owid"] is None else f"OWID {MIX_YEAR} mix"
    hydro = mix["hydro"]
    f: dict[str, dict] = {}

    # --- climate change
    if g["owid"] is not None:
        ci = float(inp["owid"].loc[g["owid"], "carbon_intensity_elec"])
        f["gwp"] = dict(value=sig(ci / 1000), source=SRC_OWID, year=MIX_YEAR, status="measured",
                        note=f"OWID carbon_intensity_elec {MIX_YEAR} ({ci:.1f} g/kWh; Ember life-cycle "
                             "intensity, generation-based, imports not included).")
    else:
        v, unc = mix_product(mix, tf["gwp"], {"hydro": QC_HYDRO_GWP})
        v117, _ = mix_product(mix, tf["gwp"])
        f["gwp"] = dict(value=sig(v), source=SRC_UNECE, year=MIX_YEAR, status="proxy",
                        note=f"No OWID/Ember value for Québec: UNECE 2022 technology factors x {mix_src} "
                             f"(hydro {hydro:.2f}%, wind {mix['wind']:.2f}%; mix source {SRC_STATCAN}). "
                             f"Hydropower at the {QC_HYDRO_GWP_NOTE}, not the 0.117 global reservoir row "
                             f"(reservoir methane depends on climate; boreal reservoirs are at the low end); "
                             f"with 0.117 the value would be {sig(v117, 3)}. Proxy: hydro factor not "
                             "Québec-specific.")

    # --- combustion-driven categories and IR: ADEME Base IMPACTS (2011) via boaviztapi
    boa = inp["boa"]
    for code in BOA_CODES:
        if g["boa"] is None:
            f[code] = dict(value=None, status="not_covered",
                           note="No Québec zone in boaviztapi. Canada (CAN) ADEME values were judged not "
                                "defensible as a proxy: they include Canada's coal, gas and nuclear "
                                "generation (CAN adpf 4.20 MJ and ir 0.632 kBq/kWh vs NOR 0.139 and 0.000835) "
                                "while Québec is ~99% hydro and wind.")
            continue
        r = boa[(boa.iso3 == g["boa"]) & (boa.criterion == code)]
        v = float(r.value_per_kWh.iloc[0]) if len(r) else float("nan")
        if not math.isfinite(v) or v == 0:
            f[code] = dict(value=None, status="not_covered",
                           note=f"ADEME/boaviztapi value for {g['boa']} is 0 (not modelled: {code} is non-zero "
                                "for only 7 of 139 boaviztapi zones); no other open source.")
            continue
        if code == "ap" and v > AP_IMPLAUSIBLE:
            med = float(boa[boa.criterion == "ap"].value_per_kWh.median())
            f[code] = dict(value=None, status="not_covered",
                           note=f"boaviztapi/ADEME ap for {g['boa']} is {sig(v, 3)} mol H+ eq/kWh, ~{sig(v / med, 2):g}x "
                                f"the median zone ({sig(med, 2)}; national values 3e-6..0.05): implausible, not "
                                "shipped; no better-founded open value in EF units (Digital4Better's AP is kg SO2 eq).")
            continue
        note = f"ADEME Base IMPACTS, reference year 2011 (2011 generation mix), via boaviztapi 2.5.0 zone {g['boa']}."
        if g["boa_proxy"]:
            note = (f"Proxy: boaviztapi has no EU-27 zone; ADEME 'EEE' (Europe) mix used for EU-27. "
                    + note.replace(f" zone {g['boa']}", ""))
        if code == "ir":
            note += (" ADEME IR (EF-type, includes long-term emissions) is ~300x UNECE's IR; UNECE IR is not "
                     "used for any grid.")
            if gid == "DE":
                note += (" Overstates 2023: Germany's nuclear share fell from ~18% (2011) to 1.4% "
                         "(OWID 2023).")
        if code == "odp":
            note += " Non-zero for only 7 boaviztapi zones; magnitude not cross-checked."
        f[code] = dict(value=sig(v), source=SRC_BOA, year=2011,
                       status="proxy" if g["boa_proxy"] else "measured", note=note)

    # --- UNECE technology factors x mix
    d4b_hydro = inp["d4b"].loc["Hydro"]
    for code in UNECE_CODES:
        v, unc = mix_product(mix, tf[code])
        note = (f"UNECE 2022 global technology factors x {mix_src} (oil->coal, wind->onshore, solar->mean of 4 PV "
                f"types, hydro->UNECE 'Hydropower' row); {unc:.1f}% without a factor (bioenergy, other "
                "renewables) rescaled to 100%.")
        if g["owid"] is None:
            note += f" Mix source: {SRC_STATCAN}."
        if hydro > 30 and code in ("ctuh_c", "ctuh_nc", "adpe", "wu"):
            low, _ = mix_product(mix, tf[code], {"hydro": float(d4b_hydro[[k for k, c in D4B_COLS.items()
                                                                             if c == code][0]])})
            note += (f" Hydro is {hydro:.0f}% of the mix and the UNECE row is reservoir-type: with a low hydro "
                     f"row (Digital4Better 'Hydro') it would be {sig(low, 3)}.")
        status = "measured"
        if code == "wu":
            status = "proxy"
            note = ("Proxy: UNECE 'dissipated water' (ILCD 2.0 2018 naming), m3 per kWh, NOT characterised with "
                    "EF 3.1 AWARE country factors (UNECE method not confirmed; its values, e.g. nuclear 0.132 m3/kWh, "
                    "are far above WRI consumption volumes of ~0.002-0.008 m3/kWh). " + note)
        if code == "epf":
            bv = boa[(boa.iso3 == (g["boa"] or "CAN")) & (boa.criterion == "epf")].value_per_kWh
            if len(bv):
                note += (f" Chosen over ADEME/boaviztapi epf ({sig(float(bv.iloc[0]), 3)} for "
                         f"{g['boa'] or 'CAN'}, ~{sig(v / float(bv.iloc[0]), 2):g}x lower, flagged suspect).")
        if code in ("ctuh_c", "ctuh_nc"):
            note += " Characterisation: UNECE's (USEtox-based, ILCD 2.0 2018 assumed), not EF 3.1 CFs."
        f[code] = dict(value=sig(v), source=SRC_UNECE, year=MIX_YEAR, status=status, note=note)

    # --- not covered
    f["ctue"] = dict(value=None, status="not_covered",
                     note="No defensible open per-kWh source: UNECE and boaviztapi have no freshwater "
                          "ecotoxicity; Digital4Better's CTUe is ODbL with undocumented origin.")
    f["lu"] = dict(value=None, status="not_covered",
                   note="UNECE gives land occupation (m2a), not the EF soil-quality index (Pt); boaviztapi lu "
                        "is 0 for every zone. No open EF-characterised value.")

    codes = list(inp["cats"])
    note = ("climate change from OWID/Ember 2023" if g["owid"] else
            "climate change from UNECE technology factors x StatCan 2023 Québec mix (low-emission hydro)")
    if g["boa"]:
        note += (f"; odp, ap, ept, epm, pocp, pm, adpf, ir from ADEME Base IMPACTS 2011 via boaviztapi "
                 f"({g['boa']}{', proxy for EU-27' if g['boa_proxy'] else ''})")
    note += (f"; epf, ctuh_c, ctuh_nc, adpe and wu (proxy) from UNECE 2022 technology factors x "
             f"{'OWID 2023' if g['owid'] else 'StatCan 2023'} mix. See docs/data.md.")
    return dict(id=gid, name=g["name"], iso3=g["iso3"], year=MIX_YEAR, note=note[0].upper() + note[1:],
                factors={c: f[c] for c in codes}, mix=mix)


def grid_yaml(grid: dict, cats: dict) -> str:
    out = io.StringIO()
    w = out.write
    w("# Generated by tools/build_grids.py from shared/data (do not edit by hand; see docs/data.md).\n")
    w(f"# Per kWh of electricity; each value in its category's unit (inventories/methods/ef31.yaml).\n")
    w(f"id: {q(grid['id'])}\n")
    w(f"name: {q(grid['name'])}\n")
    w(f"iso3: {q(grid['iso3']) if grid['iso3'] else 'null'}\n")
    w(f"year: {grid['year']}\n")
    w(f"note: {q(grid['note'])}\n")
    w("factors:\n")
    for code, e in grid["factors"].items():
        w(f"  {code}:   # {cats[code]['unit']}/kWh\n")
        w(f"    value: {fmt_num(e['value']) if e['value'] is not None else 'null'}\n")
        for k in ("source", "year", "status"):
            if k in e:
                w(f"    {k}: {e[k]}\n")
        w(f"    note: {q(e['note'])}\n")
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# carbon_only.csv
# --------------------------------------------------------------------------------------------
SPECIAL_NAMES = {"WOR": "World", "EEE": "Europe"}


def country_name(code: str) -> str:
    if code in SPECIAL_NAMES:
        return SPECIAL_NAMES[code]
    try:
        import pycountry
    except ImportError:
        sys.exit("pycountry is needed for country names: pip install pycountry")
    c = pycountry.countries.get(alpha_3=code)
    if c is None:
        return code
    return getattr(c, "common_name", None) or c.name


def carbon_only_csv(eco: pd.DataFrame) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "name", "gwp_kg_co2_eq_per_kwh", "source", "year"])
    for _, r in eco.sort_values("iso3").iterrows():
        if not float(r.gwp_kgCO2eq_per_kWh) > 0:   # a life-cycle intensity of 0 is missing data, never shipped
            continue
        w.writerow([r.iso3, country_name(r.iso3), r.gwp_kgCO2eq_per_kWh, SRC_ECO, ECOLOGITS_GWP_YEAR])
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Doc fragment
# --------------------------------------------------------------------------------------------
MARK = {"measured": "M", "proxy": "P", "not_covered": "—"}


def coverage_table(grids: list[dict], codes: list[str]) -> str:
    lines = ["| grid | " + " | ".join(codes) + " |", "|---|" + "---|" * len(codes)]
    for g in grids:
        lines.append(f"| {g['id']} | " + " | ".join(MARK[g['factors'][c]['status']] for c in codes) + " |")
    return "\n".join(lines)


def doc_fragment(grids: list[dict], inp: dict, tf: dict) -> str:
    codes = list(inp["cats"])
    boa = inp["boa"]
    by = {g["id"]: g for g in grids}
    L = []
    a = L.append
    a("## Electricity grids (`inventories/grids/`)\n")
    a("*Generated by `python tools/build_grids.py [--shared ../shared]` (dev-time; reads `shared/data`, which the "
      "product never reads; rerun it to regenerate the grid files, `carbon_only.csv` and this fragment).*\n")
    a("### Files\n")
    a("* `inventories/grids/<id>.yaml` — 16-category vectors per kWh of electricity for "
      + ", ".join(f"`{g['id']}`" for g in grids) + ". Each category has a `status` "
      "(`measured`, `proxy`, `not_covered`), a `source` id, the data `year` and a `note`; a not-covered "
      "category is `value: null` (NaN in results), never 0.")
    zero = inp["eco"][~(inp["eco"].gwp_kgCO2eq_per_kWh.astype(float) > 0)].iso3.tolist()
    a("* `inventories/grids/carbon_only.csv` — climate change only for "
      f"{len(inp['eco']) - len(zero)} of the {len(inp['eco'])} zones of EcoLogits' mix file (ISO-3 ids, plus "
      f"`WOR` world and `EEE` Europe; left out: {', '.join(zero) or 'none'}, whose gwp is 0 there, i.e. missing "
      "data, not a life-cycle intensity); "
      "every other category is `not_covered` for those ids. A full grid file wins over a carbon-only row "
      "with the same id.\n")
    a("### Sources and licences\n")
    a("| id | what is used | licence / terms |\n|---|---|---|")
    a(f"| `{SRC_OWID}` | 2023 generation shares by source and `carbon_intensity_elec` (Ember life-cycle "
      "intensity) for FR, US, DE, SE, NO, CN, TW, EU-27, World | CC BY 4.0 (cite Our World in Data and Ember) |")
    a(f"| `{SRC_UNECE}` | UNECE 2022 *Carbon Neutrality in the UNECE Region: Integrated LCA of Electricity "
      "Sources*, global per-technology values as transcribed by OWID (owid/etl@5cc1b2f) | (c) United Nations, "
      "all rights reserved. Used here as **cited facts**: a handful of published numbers per technology, "
      "combined with open mixes into new grid values, with attribution. The UNECE table itself is not "
      "redistributed. Shipping derived values is a legal reading, not a licence; a reuse request to "
      "permissions@un.org is still recommended. |")
    a(f"| `{SRC_BOA}` | ADEME Base IMPACTS electricity-mix indicators (reference year 2011) as redistributed in "
      "boaviztapi 2.5.0 `factors.yml` | AGPL-3.0 as distributed by Boavizta; ADEME Base IMPACTS terms apply to "
      "the underlying values (legally grey, see shared/references/ef31_and_open_data.md §2.0) |")
    a(f"| `{SRC_STATCAN}` | Québec 2023 generation shares (StatCan table 25-10-0015-01, read via Digital4Better's "
      "compilation) | Statistics Canada Open Licence (attribution); 7 shares taken from Digital4Better's ODbL "
      "database (insubstantial extract) |")
    a(f"| `{SRC_ECO}` | `gwp` per zone for `carbon_only.csv` (EcoLogits 0.11.3 `electricity_mixes.json`) | "
      "MPL-2.0 (package); the gwp values are OWID/Ember data, CC BY 4.0 |")
    a(f"| `wri-2020-water-electricity` | not shipped; WRI water-consumption volumes (via boaviztapi) are quoted "
      "below as a cross-check of the water proxy | CC BY 4.0 |")
    a("")
    a("Digital4Better's technology table (ODbL) is used only for the hydropower sensitivity numbers quoted in the "
      "notes and below; no shipped value is computed from it.\n")
    a("### Method per category\n")
    a("| categories | route | status |\n|---|---|---|")
    a("| gwp | OWID `carbon_intensity_elec` 2023 (g→kg). QC: UNECE technology factors × StatCan 2023 mix with "
      "a low-emission hydropower value (see below) | M (QC: P) |")
    a("| odp, ap, ept, epm, pocp, pm, adpf, ir | ADEME Base IMPACTS 2011 via boaviztapi, zone of the same "
      "country; EU-27 uses ADEME 'EEE' (Europe) | M; EU-27: P; zeros and implausible values: — ; QC: — |")
    a("| epf, ctuh_c, ctuh_nc, adpe | UNECE 2022 global technology factors × 2023 generation mix | M |")
    a("| wu | UNECE 'dissipated water' × mix (not AWARE-characterised) | P |")
    a("| ctue, lu | no defensible open source | — |")
    a("")
    a("**Technology × mix.** value = Σ_t share_t × F_t / Σ_(t covered) share_t over OWID's nine "
      "generation classes. Mapping to UNECE rows: coal→Coal; gas→Gas; **oil (incl. other fossil)→Coal** (no UNECE "
      "oil row; conservative); nuclear→Nuclear; hydro→Hydropower (117 g CO2e/kWh row, reservoir-type); "
      "wind→Onshore wind (OWID does not split offshore); solar→mean of the four PV rows. Bioenergy and other "
      "renewables have no UNECE row: the result is **rescaled to 100%**, i.e. they are assumed to have the "
      "mix-average impact (not zero). Uncovered shares, 2023:\n")
    a("| grid | " + " | ".join(g["id"] for g in grids) + " |\n|---|" + "---|" * len(grids))
    a("| bioenergy + other renewables (%) | " + " | ".join(
        f"{g['mix']['bio'] + g['mix']['other_ren']:.1f}" for g in grids) + " |")
    a("| oil/other fossil proxied by coal (%) | " + " | ".join(f"{g['mix']['oil']:.1f}" for g in grids) + " |")
    a("")
    a("UNECE's values are global averages for ~2020 technology; the IR indicator of UNECE is not used (see "
      "below). Units: UNECE g P eq/MWh, g Sb eq/MWh, CTUh/TWh and m3/MWh are converted to kg P eq, kg Sb eq, CTUh "
      "and m3 per kWh; ADEME units (mol H+ eq, mol N eq, kg N eq, kg NMVOC eq, disease incidence, "
      "kBq U235 eq, MJ, kg CFC-11 eq) are already the EF 3.1 units.\n")
    a("### Coverage matrix (M measured, P proxy, — not covered)\n")
    a(coverage_table(grids, codes))
    a("")
    a("### Climate change: shipped value vs OWID/Ember 2023 and the UNECE × mix check (kg CO2e/kWh)\n")
    a("| grid | shipped gwp | OWID 2023 | UNECE × 2023 mix (117 g hydro) | UNECE × mix (11 g hydro) | "
      "boaviztapi gwp (Ember 2020 / other) |\n|---|---|---|---|---|---|")
    for g in grids:
        ow = (f"{float(inp['owid'].loc[GRIDS[g['id']]['owid'], 'carbon_intensity_elec']) / 1000:.4g}"
              if GRIDS[g["id"]]["owid"] else "n/a")
        u117, _ = mix_product(g["mix"], tf["gwp"])
        u11, _ = mix_product(g["mix"], tf["gwp"], {"hydro": QC_HYDRO_GWP})
        bz = GRIDS[g["id"]]["boa"]
        bv = boa[(boa.iso3 == bz) & (boa.criterion == "gwp")].value_per_kWh if bz else []
        a(f"| {g['id']} | {g['factors']['gwp']['value']:.4g} | {ow} | {u117:.3g} | {u11:.3g} | "
          f"{(f'{float(bv.iloc[0]):.3g}' + (' (EEE)' if bz == 'EEE' else '')) if len(bv) else 'n/a'} |")
    a("")
    a("The UNECE × mix route reproduces Ember's intensities within ~10% for fossil-dominated grids; for "
      "hydro-dominated grids it depends on the hydropower row.\n")
    a("### Known problems\n")
    hyd = []
    for gid in ("NO", "SE", "QC"):
        g = by[gid]
        cells = []
        for code in ("ctuh_c", "ctuh_nc", "adpe", "wu"):
            low, _ = mix_product(g["mix"], tf[code], {"hydro": float(inp["d4b"].loc["Hydro",
                                 [k for k, c in D4B_COLS.items() if c == code][0]])})
            cells.append(f"{g['factors'][code]['value']:.3g} / {low:.3g}")
        hyd.append(f"| {gid} ({g['mix']['hydro']:.0f}% hydro) | " + " | ".join(cells) + " |")
    a("1. **Hydropower.** The only UNECE hydropower row transcribed (117 g CO2e/kWh; land 0.033 m2a/kWh) matches "
      "the 660 MW reservoir archetype at the top of UNECE's 6–147 g range. It is used for all UNECE-derived "
      "categories, which are therefore probably high for NO, SE and QC. For Québec's gwp (no OWID value) the "
      "UNECE 360 MW archetype (11 g, EU28, as tabulated in electricitymaps-contrib#4161) is used instead, "
      "because reservoir methane depends on climate; status `proxy`. NO/SE gwp come from Ember (IPCC median "
      "hydro, 24 g). Sensitivity — shipped (117 g row) / with Digital4Better's low 'Hydro' row:\n")
    a("| grid | ctuh_c | ctuh_nc | adpe | wu |\n|---|---|---|---|---|")
    L.extend(hyd)
    a("")
    ir_fr = float(boa[(boa.iso3 == "FRA") & (boa.criterion == "ir")].value_per_kWh.iloc[0])
    ir_u, _ = mix_product(by["FR"]["mix"], {t: float(inp["unece"].loc[r, "ionising_radiation"].astype(float).mean())
                                             / 1000 for t, r in UNECE_MAP.items()})
    a(f"2. **Ionising radiation: sources disagree by ~{ir_fr / ir_u:.0f}x.** ADEME FR {ir_fr:.3g} vs UNECE × FR "
      f"mix {ir_u:.3g} kBq U235 eq/kWh. ADEME's IR is consistent with EF practice (long-term radon from uranium "
      "mill tailings) while UNECE's appears to exclude long-term emissions; OWID labels the UNECE unit "
      "'kg U-235 eq', assumed kBq. Only ADEME is used; the two are never mixed. QC IR is not covered.")
    a("3. **ADEME reference year 2011.** The combustion categories and IR describe 2011 mixes: coal and nuclear "
      "shares have changed since (e.g. Germany's nuclear share ~18% in 2011 vs 1.4% in 2023, so DE `ir` is "
      "overstated several-fold; US and CN coal shares fell, so their `ap`, `pm`, `pocp`, `ept`, `epm` are "
      "probably high). The `year` field of those entries is 2011. boaviztapi's own `gwp` column (Ember 2020 or "
      "an Applied Energy 2021 paper) is not used.")
    ap_rows = boa[(boa.criterion == "ap") & (boa.value_per_kWh > AP_IMPLAUSIBLE)]
    a("4. **Acidification outliers.** boaviztapi `ap` above "
      f"{AP_IMPLAUSIBLE} mol H+ eq/kWh: " + ", ".join(f"{r.iso3} {r.value_per_kWh:.3g}" for r in ap_rows.itertuples())
      + " — 100–1000x national values (median "
      f"{boa[boa.criterion == 'ap'].value_per_kWh.median():.2g}). WORLD and EU-27 `ap` are therefore "
      "`not_covered` (no better-founded open value in EF units; Digital4Better's AP is kg SO2 eq).")
    epf_lines = []
    for gid in ("FR", "DE", "CN", "US"):
        bv = float(boa[(boa.iso3 == GRIDS[gid]["boa"]) & (boa.criterion == "epf")].value_per_kWh.iloc[0])
        epf_lines.append(f"{gid} {by[gid]['factors']['epf']['value']:.3g} vs {bv:.3g}")
    a("5. **Freshwater eutrophication.** UNECE-based and ADEME values differ by 3–4 orders of magnitude ("
      + "; ".join(epf_lines) + " kg P eq/kWh). Coal power's epf in LCA databases is dominated by phosphate "
      "leaching from mining spoils (~5.7e-4 kg P eq/kWh in UNECE's coal row); ADEME's values look like "
      "combustion-only or a different characterisation and were flagged suspect. **Decision: UNECE × mix, "
      "status measured**, for every grid.")
    wri = boa[(boa.criterion == "wu") & boa.iso3.isin([GRIDS[g]["boa"] for g in GRIDS if GRIDS[g]["boa"]])]
    a("6. **Water is not AWARE-characterised.** `wu` is UNECE 'dissipated water' × mix, status `proxy`. EF 3.1 "
      "water use is consumption × AWARE country factor (m3 world eq. deprived). UNECE's method is not "
      "confirmed; its magnitudes (nuclear 0.132, coal 0.12 m3/kWh) are far above physical consumption, e.g. "
      "WRI volumes (not shipped): " + ", ".join(f"{r.iso3} {r.value_per_kWh:.2g}" for r in wri.itertuples())
      + " m3/kWh — consistent with a world-average scarcity weighting but not regionalised.")
    a("7. **Generation, not consumption.** OWID shares and Ember intensities are for national generation; "
      "imports/exports are not reallocated (e.g. 2023 net imports: FR −50.5, DE +9.2, NO −17.7 TWh).")
    a("8. **Characterisation versions.** UNECE's LCIA method is not confirmed (ILCD 2.0 2018 midpoint assumed); "
      "its human-toxicity values are USEtox-based but not EF 3.1 CFs. ADEME ODP is non-zero for only 7 of 139 "
      "zones; zeros are shipped as `not_covered`.")
    a("9. **EU-27 and QC are composites.** EU-27 takes OWID's EU-27 mix/intensity but ADEME's 'EEE' (Europe) "
      "values for the combustion categories (`proxy`). QC combustion categories and IR are `not_covered`: "
      "boaviztapi has no Québec zone and Canada's values (coal, gas, nuclear) are not representative.\n")
    a("### carbon_only.csv\n")
    a(f"`gwp` is copied from EcoLogits 0.11.3 (`{SRC_ECO}`) with its precision. EcoLogits cites Our World in "
      "Data (PR mlco2/ecologits#181, 2025-09-08). The `year` column is **2025**: the values equal OWID's "
      "`carbon_intensity_elec` for 2025 at owid/energy-data@e7897ae (France 41.44 g, World 458.29 g) and "
      "none of 2022–2024. They therefore differ from the 2023 values of the full grid files (FRA "
      f"{float(inp['eco'].set_index('iso3').loc['FRA', 'gwp_kgCO2eq_per_kWh']):.3g} vs FR "
      f"{by['FR']['factors']['gwp']['value']:.3g}). Names come from pycountry (ISO 3166 common names); `WOR` = World, `EEE` = Europe. Zones that "
      "EcoLogits fills with world defaults for other indicators still have their own gwp.")
    return "\n".join(L) + "\n"


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------
def check(out_dir: Path, codes: list[str]) -> list[dict]:
    grids = []
    for gid in GRIDS:
        data = yaml.safe_load((out_dir / f"{gid}.yaml").read_text(encoding="utf-8"))
        assert data["id"] == gid, gid
        fac = data["factors"]
        assert list(fac) == codes, (gid, list(fac))
        for c, e in fac.items():
            assert e["status"] in MARK, (gid, c)
            if e["status"] == "not_covered":
                assert e["value"] is None, (gid, c)
            else:
                assert isinstance(e["value"], float) and e["value"] > 0, (gid, c, e["value"])
                assert e.get("source"), (gid, c)
            if e["status"] == "proxy":
                assert e.get("note"), (gid, c)
        grids.append(data)
    rows = list(csv.DictReader((out_dir / "carbon_only.csv").read_text(encoding="utf-8").splitlines()))
    assert rows and all(float(r["gwp_kg_co2_eq_per_kwh"]) > 0 for r in rows)
    return grids


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repo", type=Path, default=REPO)
    ap.add_argument("--shared", type=Path, default=None, help="shared/ folder (default: ../shared next to the repo)")
    ap.add_argument("--check-only", action="store_true", help="only load and check the written files")
    args = ap.parse_args(argv)
    repo = args.repo.resolve()
    shared = (args.shared or repo.parent / "shared").resolve()
    out_dir = repo / "inventories" / "grids"
    codes = [c["code"] for c in yaml.safe_load((repo / "inventories" / "methods" / "ef31.yaml")
                                               .read_text(encoding="utf-8"))["categories"]]
    if not args.check_only:
        inp = load_inputs(shared)
        tf = tech_factors(inp["unece"])
        grids = [build_grid(gid, inp, tf) for gid in GRIDS]
        out_dir.mkdir(parents=True, exist_ok=True)
        for g in grids:
            (out_dir / f"{g['id']}.yaml").write_text(grid_yaml(g, inp["cats"]), encoding="utf-8")
        (out_dir / "carbon_only.csv").write_text(carbon_only_csv(inp["eco"]), encoding="utf-8")
        frag = repo / "docs" / "_fragments" / "data-grids.md"
        frag.parent.mkdir(parents=True, exist_ok=True)
        frag.write_text(doc_fragment(grids, inp, tf), encoding="utf-8")
    loaded = check(out_dir, codes)
    print("coverage (M measured, P proxy, - not covered)")
    print(f"{'grid':6} " + " ".join(f"{c:>7}" for c in codes) + "   gwp kg/kWh")
    for g in loaded:
        st = [MARK[g["factors"][c]["status"]].replace("—", "-") for c in codes]
        print(f"{g['id']:6} " + " ".join(f"{s:>7}" for s in st) + f"   {g['factors']['gwp']['value']}")
    print(f"{len(loaded)} grid files and carbon_only.csv OK in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
