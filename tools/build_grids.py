#!/usr/bin/env python3
"""Dev-time build of the electricity inventories from the research data in shared/.

Writes
  inventories/grids/<id>.yaml          16-category per-kWh vectors for FR US DE SE NO CN TW EU-27 WORLD QC:
                                       the DEFAULT background (EF 3.1, long-term emissions excluded)
  inventories/grids/carbon_only.csv    climate change only, every zone of the EcoLogits mix file
  inventories/backgrounds/ef31-lt-excluded.yaml   descriptor of the default (values live in grids/)
  inventories/backgrounds/unece-lt-included.yaml  ALTERNATIVE background: UNECE x mix epf, ctuh_c,
                                       ctuh_nc (LT-inclusive, ILCD 2.0-era), per grid
  docs/_fragments/data-grids.md        sources, licences, method, coverage matrix, known problems

The product (lca/) never reads shared/; it reads only the files written here. Run:

  python tools/build_grids.py [--shared ../shared] [--repo .]

Inputs (all under <shared>/data, see the NOTES.md next to each file):
  electricity/owid_electricity_mix_2022_2023.csv        OWID/Ember mixes and carbon intensity (CC BY 4.0)
  electricity/unece_lca_2022_owid_transcription.csv     UNECE 2022 technology factors, OWID transcription
  electricity/digital4better_energy_impacts_by_technology.csv   only for the hydropower sensitivity in the docs
  boavizta/derived/boavizta_electricity_factors_long.csv ADEME Base IMPACTS (2011) via boaviztapi 2.5.0
  ecologits/derived/ecologits_electricity_mixes.csv      EcoLogits 0.11.3 gwp per zone
  electricity/ef31-open/lu_proxy_unece_occupation_x_ef31_cf_by_technology.csv   lu proxy per technology
  electricity/ef31-open/lu_proxy_unece_occupation_x_ef31_cf_by_grid_2023.csv    lu proxy per grid (check)
  electricity/ef31-open/uslci_fy20q4_ef31_truncated_results_per_kWh.csv         USLCI x EF 3.1 (gas, nuclear)
  electricity/ef31-open/us_coal_gas_bottomup_ef31_electricitylci_netl.csv       ElectricityLCI/NETL x EF 3.1 (coal)
See shared/references/electricity_ef31_convention.md for the reasoning behind the default background.
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
SRC_BOTTOMUP = "ef31-open-us-bottomup"     # USLCI + ElectricityLCI/NETL characterised with EF 3.1 CFs
SRC_USLCI = "uslci-fy20q4"
SRC_ELCI = "electricitylci-netl"
SRC_JRC_CF = "jrc-ef31-cf-package"

# ---- characterisation method and long-term-emissions convention of each route --------------------
# convention: lt_excluded (long-term emissions excluded, as EF 3.1 toxicity), lt_included, not_applicable
M_OWID = ("IPCC AR5 (2014) life-cycle emission factors, GWP100, as applied by Ember (not the AR6 GWP100 "
          "of EF 3.1)")
M_ADEME = ("ADEME Base IMPACTS (2011 data), EF-type characterisation of the ILCD/PEF-pilot era (an EF "
           "precursor; exact version not documented)")
M_UNECE = "ILCD 2.0 (2018) midpoint, as assumed for UNECE 2022 (LCIA variant not confirmed in the report text)"
M_EF31_RANGE = ("EF 3.1 (central estimate between an EF 3.1 bottom-up lower bound and the ILCD 2.0-era, "
                "LT-inclusive UNECE upper bound)")
M_LU = "EF 3.1 (soil quality index, occupation CFs only) applied to UNECE 2022 land occupation"
# categories in which long-term (beyond 100 years) emissions carry EF 3.1 CFs or are a modelling choice
LT_RELEVANT = ("ctuh_c", "ctuh_nc", "ctue", "epf", "epm", "ir")

# ---- data-quality (pedigree) scores, Weidema et al. 2013: [reliability, completeness, temporal,
# geographical, technological]; basic GSD per category (Weidema Table 10.4 orders of magnitude)
PED_ADEME = [2, 3, 4, 1, 2]       # database aggregate; 13-16 of 16 categories; 2011 vs 2023; own country
PED_ADEME_PROXY = [2, 3, 4, 2, 2]  # EU-27 from ADEME 'EEE' (Europe)
PED_ADEME_QC = [2, 3, 4, 3, 3]     # Québec from ADEME Norway (hydro-dominated, other country)
PED_UNECE = [2, 2, 1, 3, 3]        # report data; 2020 technology; global averages x national mix; mapping
BASIC_GSD = {"odp": 1.5, "ap": 1.2, "ept": 1.5, "epm": 1.5, "pocp": 1.5, "pm": 3.0, "adpf": 1.05,
             "ir": 3.0, "epf": 1.5, "adpe": 2.0, "wu": 1.5, "ctuh_c": 3.0, "ctuh_nc": 3.0}
BASIC_GSD_NOTE = ("basic GSD after Weidema et al. 2013: combustion CO2/energy 1.05, NOx/VOC/NH3/P 1.5, "
                  "PM2.5 and radionuclides 3, toxic emissions taken as 3, 2.0 for the UNECE mineral indicator")
GWP_GSD_FLOOR = 1.1
# Québec gwp spread: hydropower at the IPCC AR5 median (24 g CO2e/kWh) that Ember uses
QC_HYDRO_GWP_EMBER = 0.024

# ---- EF 3.1 bottom-up lower bounds for toxicity, per technology class (US data only) -------------
# coal (and oil, mapped to coal as elsewhere): ElectricityLCI prototype plant air + water + NETL coal
# mining, unspeciated Cr as Cr III (the lower of the two variants); gas and nuclear: USLCI truncated tree.
# ElectricityLCI's gas rows carry a dioxin artefact (ef31-open/NOTES.md) and are not used.
# Technologies without any bottom-up EF 3.1 value (hydro, wind, solar): UNECE value x the coal ratio
# (bottom-up / UNECE), the most complete bottom-up inventory; bioenergy/other renewables rescaled.
TOX_CODES = ("ctuh_c", "ctuh_nc")


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
    e = d / "electricity" / "ef31-open"
    lu_tech = pd.read_csv(e / "lu_proxy_unece_occupation_x_ef31_cf_by_technology.csv").set_index("technology")
    lu_grid = pd.read_csv(e / "lu_proxy_unece_occupation_x_ef31_cf_by_grid_2023.csv").set_index("grid")
    uslci = pd.read_csv(e / "uslci_fy20q4_ef31_truncated_results_per_kWh.csv").set_index("system")
    elci = pd.read_csv(e / "us_coal_gas_bottomup_ef31_electricitylci_netl.csv")
    return dict(owid=owid, unece=unece, d4b=d4b, boa=boa, eco=eco, cats=cats, lu_tech=lu_tech,
                lu_grid=lu_grid, uslci=uslci, elci=elci)


def pedigree_gsd(scores: list[int], basic: float) -> float:
    """GSD of the pedigree lognormal (Weidema et al. 2013), with the factors of inventories/methods/pedigree.yaml."""
    ped = yaml.safe_load((REPO / "inventories" / "methods" / "pedigree.yaml").read_text(encoding="utf-8"))
    u = [ped["indicators"][k][s - 1] for k, s in zip(
        ("reliability", "completeness", "temporal_correlation", "geographical_correlation",
         "technological_correlation"), scores)]
    return math.exp(math.sqrt(sum(math.log(x) ** 2 for x in u + [basic])))


def ped(scores: list[int], code: str) -> dict:
    return {"pedigree": list(scores), "basic_gsd": BASIC_GSD[code]}


def bottomup_tox(inp: dict, tf: dict) -> dict:
    """{code: {tech: EF 3.1 lower bound per kWh}} and the coal ratio used for renewables."""
    us, el = inp["uslci"], inp["elci"]
    coal = el[(el.fuel == "COAL") & (el.cr_in_unspeciated_as_CrVI == 0.0)].iloc[0]
    out = {}
    for code in TOX_CODES:
        lb = {"coal": float(coal[f"total_{code}"]), "gas": float(us.loc["natural gas power", code]),
              "nuclear": float(us.loc["nuclear power", code])}
        lb["oil"] = lb["coal"]
        ratio = lb["coal"] / tf[code]["coal"]
        for t in ("hydro", "wind", "solar"):
            lb[t] = tf[code][t] * ratio
        out[code] = dict(lb=lb, ratio=ratio)
    return out


def lu_proxy(mix: dict, lu_tech: pd.DataFrame) -> dict:
    """UNECE occupation x EF 3.1 occupation CF, x mix (oil as coal, solar = mean of the 4 PV rows, wind 0,
    hydro as artificial water body = 0 at the centre; bioenergy/other renewables rescaled)."""
    rows = {"coal": ["Coal"], "oil": ["Coal"], "gas": ["Gas"], "nuclear": ["Nuclear"], "hydro": ["Hydropower"],
            "solar": PV_ROWS}
    out = {}
    for col, key in (("lu_pt_per_kWh_central", "central"), ("lu_pt_low", "low"), ("lu_pt_high", "high")):
        fac = {t: float(lu_tech.loc[r, col].astype(float).mean()) for t, r in rows.items()}
        fac["wind"] = 0.0
        out[key], out["uncovered"] = mix_product(mix, fac)
    return out


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
def _tox_note_lb(bu: dict, code: str) -> str:
    return (f"lower bound = EF 3.1 bottom-up per technology x mix: coal/oil {sig(bu[code]['lb']['coal'], 2):g} "
            f"(ElectricityLCI/NETL plant + mining), gas {sig(bu[code]['lb']['gas'], 2):g} and nuclear "
            f"{sig(bu[code]['lb']['nuclear'], 2):g} (USLCI, truncated), hydro/wind/solar = UNECE x "
            f"{sig(bu[code]['ratio'], 2):g} (the coal bottom-up/UNECE ratio; no bottom-up EF 3.1 value exists)")


def build_grid(gid: str, inp: dict, tf: dict, bu: dict) -> dict:
    g = GRIDS[gid]
    mix = mix_of(gid, inp)
    mix_src = "StatCan 2023 Québec mix" if g["owid"] is None else f"OWID {MIX_YEAR} mix"
    hydro = mix["hydro"]
    f: dict[str, dict] = {}
    alt: dict[str, dict] = {}   # the LT-inclusive alternative (backgrounds/unece-lt-included.yaml)

    # --- climate change
    v11, _ = mix_product(mix, tf["gwp"], {"hydro": QC_HYDRO_GWP})
    if g["owid"] is not None:
        ci = float(inp["owid"].loc[g["owid"], "carbon_intensity_elec"])
        v = sig(ci / 1000)
        gsd = max(GWP_GSD_FLOOR, math.exp(abs(math.log(v11 / v)) / 1.96))
        f["gwp"] = dict(value=v, source=SRC_OWID, year=MIX_YEAR, status="measured",
                        method=M_OWID, convention="not_applicable",
                        uncertainty={"distribution": "lognormal", "gsd": round(gsd, 2)},
                        note=f"OWID carbon_intensity_elec {MIX_YEAR} ({ci:.1f} g/kWh; Ember life-cycle "
                             "intensity, generation-based, imports not included). Uncertainty: lognormal "
                             f"whose 95% bound reaches the independent UNECE 2022 x mix value ({sig(v11, 3):g}, "
                             f"hydro at 11 g), floor GSD {GWP_GSD_FLOOR}.")
    else:
        v117, _ = mix_product(mix, tf["gwp"])
        v24, _ = mix_product(mix, tf["gwp"], {"hydro": QC_HYDRO_GWP_EMBER})
        gsd = max(GWP_GSD_FLOOR, math.exp(abs(math.log(v24 / v11)) / 1.96))
        f["gwp"] = dict(value=sig(v11), source=SRC_UNECE, year=MIX_YEAR, status="proxy",
                        method=M_UNECE, convention="not_applicable",
                        uncertainty={"distribution": "lognormal", "gsd": round(gsd, 2)},
                        note=f"No OWID/Ember value for Québec: UNECE 2022 technology factors x {mix_src} "
                             f"(hydro {hydro:.2f}%, wind {mix['wind']:.2f}%; mix source {SRC_STATCAN}). "
                             f"Hydropower at the {QC_HYDRO_GWP_NOTE}, not the 0.117 global reservoir row "
                             f"(reservoir methane depends on climate; boreal reservoirs are at the low end); "
                             f"with 0.117 the value would be {sig(v117, 3)}. Proxy: hydro factor not "
                             f"Québec-specific. Uncertainty: lognormal whose 95% bound reaches the value with "
                             f"hydro at Ember's IPCC AR5 median 24 g ({sig(v24, 3):g}).")

    # --- combustion-driven categories, IR and (default background) epf: ADEME Base IMPACTS (2011)
    boa = inp["boa"]
    for code in BOA_CODES + ["epf"]:
        zone, scores, proxy_note = g["boa"], (PED_ADEME_PROXY if g["boa_proxy"] else PED_ADEME), None
        if g["boa"] is None and code == "epf":
            zone, scores = "NOR", PED_ADEME_QC
            proxy_note = ("Proxy: boaviztapi has no Québec zone; ADEME Norway (NOR, ~95% hydro in 2011) is the "
                          "closest hydro-dominated mix (Québec 2023: 94% hydro, 5% wind). Canada (CAN, "
                          "1.39e-08) includes Canada's coal and gas generation.")
        if zone is None:
            f[code] = dict(value=None, status="not_covered", method=None, convention=None, uncertainty=None,
                           note="No Québec zone in boaviztapi. Canada (CAN) ADEME values were judged not "
                                "defensible as a proxy: they include Canada's coal, gas and nuclear "
                                "generation (CAN adpf 4.20 MJ and ir 0.632 kBq/kWh vs NOR 0.139 and 0.000835) "
                                "while Québec is ~99% hydro and wind.")
            continue
        r = boa[(boa.iso3 == zone) & (boa.criterion == code)]
        v = float(r.value_per_kWh.iloc[0]) if len(r) else float("nan")
        if not math.isfinite(v) or v == 0:
            f[code] = dict(value=None, status="not_covered", method=None, convention=None, uncertainty=None,
                           note=f"ADEME/boaviztapi value for {zone} is 0 (not modelled: {code} is non-zero "
                                "for only 7 of 139 boaviztapi zones); no other open source.")
            continue
        if code == "ap" and v > AP_IMPLAUSIBLE:
            med = float(boa[boa.criterion == "ap"].value_per_kWh.median())
            f[code] = dict(value=None, status="not_covered", method=None, convention=None, uncertainty=None,
                           note=f"boaviztapi/ADEME ap for {zone} is {sig(v, 3)} mol H+ eq/kWh, ~{sig(v / med, 2):g}x "
                                f"the median zone ({sig(med, 2)}; national values 3e-6..0.05): implausible, not "
                                "shipped; no better-founded open value in EF units (Digital4Better's AP is kg SO2 eq).")
            continue
        note = f"ADEME Base IMPACTS, reference year 2011 (2011 generation mix), via boaviztapi 2.5.0 zone {zone}."
        if g["boa_proxy"]:
            note = (f"Proxy: boaviztapi has no EU-27 zone; ADEME 'EEE' (Europe) mix used for EU-27. "
                    + note.replace(f" zone {zone}", ""))
        if proxy_note:
            note = proxy_note + " " + note
        conv = "not_applicable"
        if code == "ir":
            conv = "lt_included"
            note += (" ADEME IR (EF-type, includes long-term emissions) is ~300x UNECE's IR; UNECE IR is not "
                     "used for any grid. Convention lt_included [inferred from that ratio: long-term radon-222 "
                     "from uranium mill tailings]: EF 3.1 keeps non-zero CFs for long-term radionuclides (39 of "
                     "39), and the GPU manufacturing IR (e.g. heatsink 325 kBq U235 eq/kg) is of the same kind.")
            if gid == "DE":
                note += (" Overstates 2023: Germany's nuclear share fell from ~18% (2011) to 1.4% "
                         "(OWID 2023).")
        if code == "epm":
            conv = "lt_excluded"
            note += (" Convention lt_excluded [inferred]: same ADEME inventories as epf, which contain no "
                     "long-term leaching; the value is driven by NOx deposition.")
        if code == "odp":
            note += " Non-zero for only 7 boaviztapi zones; magnitude not cross-checked."
        if code == "epf":
            conv = "lt_excluded"
            u, _ = mix_product(mix, tf["epf"])
            note += (f" DEFAULT background (EF 3.1, no long-term spoil leaching): ~{sig(u / v, 2):g}x below the "
                     f"LT-inclusive UNECE 2022 x mix value {sig(u, 3):g} (alternative background "
                     "unece-lt-included). Chosen because (a) the GPU manufacturing data contain no such leaching, "
                     "(b) open US federal inventories characterised with EF 3.1 give the same order or less "
                     "(ElectricityLCI/NETL coal 6.1e-09, USLCI 0: no phosphorus flow), (c) More than Carbon's "
                     "81% manufacturing share for GPT-4 implies 3e-08..8e-08 for its electricity, (d) UNECE x "
                     "world mix would be 43-59% of all freshwater eutrophication in the EF 3.1 global "
                     "normalisation inventory (ADEME: 0.01-0.02%); see shared/references/"
                     "electricity_ef31_convention.md. Convention lt_excluded inferred from the magnitude (ADEME's "
                     "LCI documentation not read). Pedigree lognormal: 95% range ~"
                     f"{sig(v / pedigree_gsd(scores, BASIC_GSD[code]) ** 2, 2):g}..{sig(v * pedigree_gsd(scores, BASIC_GSD[code]) ** 2, 2):g}, "
                     "which covers the bottom-up and the More than Carbon-implied values.")
            alt_note = (f"UNECE 2022 global technology factors x {mix_src}, LT-inclusive (ecoinvent-type inventory "
                        "with long-term leaching from coal/lignite mine spoil; EF 3.1 keeps long-term phosphate "
                        "CFs, so this is EF 3.1-compatible with an ecoinvent-type inventory but not with the GPU "
                        f"manufacturing data). {sig(u / v, 2):g}x the default (ADEME, no long-term leaching).")
            alt["epf"] = dict(value=sig(u), source=SRC_UNECE, year=MIX_YEAR, status="measured", method=M_UNECE,
                              convention="lt_included", uncertainty=ped(PED_UNECE, "epf"), note=alt_note)
        status = "proxy" if (g["boa_proxy"] or proxy_note) else "measured"
        f[code] = dict(value=sig(v), source=SRC_BOA, year=2011, status=status, method=M_ADEME,
                       convention=conv, uncertainty=ped(scores, code),
                       note=note + f" Uncertainty: pedigree {scores}; {BASIC_GSD_NOTE}.")

    # --- UNECE technology factors x mix: adpe, wu (kept); epf, ctuh_c, ctuh_nc -> alternative background
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
        if code == "epf":
            continue   # alternative background, written above next to the default
        if code in ("adpe", "wu"):
            status = "measured"
            if code == "wu":
                status = "proxy"
                note = ("Proxy: UNECE 'dissipated water' (ILCD 2.0 2018 naming), m3 per kWh, NOT characterised with "
                        "EF 3.1 AWARE country factors (UNECE method not confirmed; its values, e.g. nuclear 0.132 m3/kWh, "
                        "are far above WRI consumption volumes of ~0.002-0.008 m3/kWh). " + note)
            scores = PED_UNECE if code == "adpe" else PED_UNECE[:4] + [4]
            f[code] = dict(value=sig(v), source=SRC_UNECE, year=MIX_YEAR, status=status, method=M_UNECE,
                           convention="not_applicable", uncertainty=ped(scores, code),
                           note=note + f" Uncertainty: pedigree {scores}; {BASIC_GSD_NOTE}.")
            continue
        # ctuh_c, ctuh_nc: default = range between EF 3.1 bottom-up (lower) and UNECE (upper)
        lb, lunc = mix_product(mix, bu[code]["lb"])
        ub = sig(v)
        lo = sig(lb)
        central = sig(math.sqrt(lo * ub))
        gsd_eq = (ub / lo) ** (1 / 3.92)
        alt[code] = dict(value=ub, source=SRC_UNECE, year=MIX_YEAR, status="proxy", method=M_UNECE,
                         convention="lt_included", uncertainty=ped(PED_UNECE, code),
                         note=note + " Characterisation: UNECE's (USEtox-based, ILCD 2.0 2018 assumed), not EF 3.1 "
                                     "CFs; LT-inclusive (long-term metal emissions from slag, ash and spoil "
                                     "landfills count, which EF 3.1 sets to 0 for all 142/357 long-term toxic "
                                     f"flows). Proxy: {sig(ub / central, 2):g}x the default central estimate.")
        f[code] = dict(
            value=central, source=SRC_BOTTOMUP, year=MIX_YEAR, status="proxy", method=M_EF31_RANGE,
            convention="lt_excluded", derived_from=[SRC_ELCI, SRC_USLCI, SRC_JRC_CF, SRC_UNECE, SRC_OWID if g["owid"] else SRC_STATCAN],
            uncertainty={"distribution": "loguniform", "min": lo, "max": ub},
            note=(f"Central = geometric mean of a log-uniform range (its median): {_tox_note_lb(bu, code)}, x "
                  f"{mix_src} = {lo:g} ({lunc:.1f}% rescaled); upper bound = UNECE 2022 x mix {ub:g} (LT-inclusive, "
                  "ILCD 2.0-era USEtox CFs; the alternative background unece-lt-included). Both bounds exclude "
                  "or include things the truth does not: the bottom-up inventories cut off infrastructure, ash/FGD "
                  "disposal and gas production (so they are lower bounds), and UNECE counts long-term emissions "
                  "that EF 3.1 characterises with 0 (so it is an upper bound). Log-uniform because the bounds "
                  f"are {sig(ub / lo, 2):g}x apart with no evidence favouring either end; an equivalent lognormal "
                  f"(bounds at 2.5/97.5%) has GSD {gsd_eq:.2f}. Cross-checks (US-type fossil grids): More than "
                  "Carbon implies 1.2e-10..3.1e-10 CTUh/kWh (cancer); EF 3.1 global normalisation makes "
                  "UNECE x world mix 63-87% (cancer) and 78-107% (non-cancer) of world totals (implausible). "
                  + ("Hydro-heavy grid: both bounds use UNECE's reservoir-type hydro row (see the alternative's "
                     "note for a low hydro row). " if hydro > 30 else "")
                  + "Only US bottom-up data exist; other grids apply the same per-technology bounds to their own mix."))

    # --- freshwater ecotoxicity: not covered
    f["ctue"] = dict(value=None, status="not_covered", method=None, convention=None, uncertainty=None,
                     note="No defensible open per-kWh EF 3.1 source: UNECE and boaviztapi have no freshwater "
                          "ecotoxicity; EF 3.1 changed metal ecotox CFs by up to four orders of magnitude vs EF 3.0 "
                          "(copper 99,200 -> 46 CTUe/kg), so no pre-3.1 value (Digital4Better, ILCD) transfers; open "
                          "EF 3.1 bottom-up values for US coal span 0.11 (USLCI, truncated) to 6.7 CTUe/kWh "
                          "(ElectricityLCI/NETL, 86% from a suspect iron flow in mine water). Not shipped; for "
                          "orientation only, a US grid lower bound is 0.059 (USLCI grid, truncated).")

    # --- land use: EF 3.1 occupation CFs x UNECE occupation (proxy)
    lu = lu_proxy(mix, inp["lu_tech"])
    if gid in inp["lu_grid"].index:
        ref = inp["lu_grid"].loc[gid]
        for k, col in (("central", "lu_pt_per_kWh_central"), ("low", "lu_pt_low"), ("high", "lu_pt_high")):
            # reproduces the ef31-open table within 0.5% for every grid but NO (+8% centre/low: the table's
            # small oil/solar terms differ; NO's value is ~0.013 either way)
            assert abs(lu[k] / float(ref[col]) - 1) < (0.1 if gid == "NO" else 0.01), (gid, k, lu[k], float(ref[col]))
    f["lu"] = dict(value=sig(lu["central"]), source=SRC_UNECE, year=MIX_YEAR, status="proxy", method=M_LU,
                   convention="not_applicable", derived_from=[SRC_UNECE, SRC_JRC_CF, SRC_OWID if g["owid"] else SRC_STATCAN],
                   uncertainty={"distribution": "triangular", "min": sig(lu["low"]), "mode": sig(lu["central"]),
                                "max": sig(lu["high"])},
                   note=(f"Proxy: UNECE 2022 land occupation (m2a/kWh) x EF 3.1 occupation CF of an assumed land "
                         "type (coal: mineral extraction site 110.79; gas, nuclear, PV: industrial area 139.1 Pt/m2a; "
                         "hydro reservoir: artificial water body, no EF 3.1 CF, counted 0 at the centre), x "
                         f"{mix_src} (oil as coal, solar mean of 4 PV rows); wind {mix['wind']:.1f}% counted 0 "
                         f"(UNECE gives no land occupation for wind); {lu['uncovered']:.1f}% (bioenergy, other "
                         "renewables) rescaled. Occupation only: transformation is not included, which makes it "
                         "~0.4-0.5x an ecoinvent-ILCD result. Triangular min/max = other plausible land types "
                         + ("(max counts the reservoir as occupied land: dominant here)" if hydro > 30 else "")
                         + f"; note the triangular mean ({sig((lu['low'] + lu['central'] + lu['high']) / 3, 3):g}) "
                         "is above the value. UNECE land-use corrigendum (July 2022) not checked against OWID's "
                         "transcription."))

    codes = list(inp["cats"])
    note = ("climate change from OWID/Ember 2023" if g["owid"] else
            "climate change from UNECE technology factors x StatCan 2023 Québec mix (low-emission hydro)")
    if g["boa"]:
        note += (f"; odp, ap, ept, epm, pocp, pm, adpf, ir and epf from ADEME Base IMPACTS 2011 via boaviztapi "
                 f"({g['boa']}{', proxy for EU-27' if g['boa_proxy'] else ''})")
    else:
        note += "; epf from ADEME Base IMPACTS 2011 (Norway, proxy)"
    note += (f"; adpe and wu (proxy) from UNECE 2022 technology factors x "
             f"{'OWID 2023' if g['owid'] else 'StatCan 2023'} mix; ctuh_c and ctuh_nc a range between EF 3.1 "
             "bottom-up and UNECE (proxy); lu a proxy (UNECE occupation x EF 3.1 CFs). Default background "
             "ef31-lt-excluded (inventories/backgrounds/). See docs/data.md.")
    return dict(id=gid, name=g["name"], iso3=g["iso3"], year=MIX_YEAR, note=note[0].upper() + note[1:],
                factors={c: f[c] for c in codes}, mix=mix, alt={c: alt[c] for c in ("epf", "ctuh_c", "ctuh_nc")})


def yv(x) -> str:
    """A scalar or a flat mapping/list as YAML (flow style)."""
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float):
        return fmt_num(x)
    if isinstance(x, int):
        return str(x)
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k}: {yv(v)}" for k, v in x.items()) + "}"
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(yv(v) for v in x) + "]"
    if isinstance(x, str) and (x in ("measured", "proxy", "not_covered", "lt_excluded", "lt_included",
                                     "not_applicable", "lognormal", "loguniform", "triangular", "uniform")
                               or (x.replace("-", "").isalnum() and not x[0].isdigit())):
        return x
    return q(x)


ENTRY_KEYS = ("source", "year", "status", "method", "convention", "uncertainty", "derived_from")


def entry_yaml(w, e: dict, indent: str) -> None:
    w(f"{indent}value: {fmt_num(e['value']) if e['value'] is not None else 'null'}\n")
    for k in ENTRY_KEYS:
        if k in e:
            w(f"{indent}{k}: {yv(e[k])}\n")
    w(f"{indent}note: {q(e['note'])}\n")


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
        entry_yaml(w, e, "    ")
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Backgrounds: the default (descriptor only) and the LT-inclusive alternative
# --------------------------------------------------------------------------------------------
BG_DEFAULT = dict(
    id="ef31-lt-excluded",
    name="EF 3.1, long-term emissions excluded (default)",
    description=("The default electricity background: the values of inventories/grids/*.yaml. Consistent with "
                 "the GPU manufacturing data (ADEME/Hubblo, EIME background), which as far as documented contain no "
                 "long-term leaching [inferred]: freshwater eutrophication from ADEME Base IMPACTS (no long-term spoil leaching); human "
                 "toxicity (cancer, non-cancer) as a log-uniform range between an EF 3.1 bottom-up lower bound "
                 "(USLCI, ElectricityLCI/NETL) and the LT-inclusive UNECE upper bound, central value = geometric "
                 "mean; land use as a proxy (UNECE occupation x EF 3.1 occupation CFs); freshwater ecotoxicity not "
                 "covered. Ionising radiation keeps long-term radon (EF 3.1 keeps those CFs). See docs/data.md."),
    convention="lt_excluded",
)
BG_ALT = dict(
    id="unece-lt-included",
    name="UNECE 2022 x mix, long-term emissions included (alternative)",
    description=("Replaces epf, ctuh_c and ctuh_nc of the default grids with UNECE 2022 global technology "
                 "factors x the grid's generation mix: an ecoinvent-type inventory with long-term emissions "
                 "(leaching from coal/lignite mine spoil, ash and slag landfills) characterised with ILCD "
                 "2.0-era CFs. It reproduces ecoinvent 3.5 + ILCD 2.0 2018 (LT-inclusive) within ~25% for the US. "
                 "Use it as a sensitivity: it makes the use phase ~1,000-10,000x more eutrophying per kWh than "
                 "the default and ~10x more toxic, and is not commensurate with the GPU manufacturing data. "
                 "Categories not listed per grid are the default's."),
    convention="lt_included",
)


def background_yaml(bg: dict, grids: list[dict] | None, cats: dict) -> str:
    out = io.StringIO()
    w = out.write
    w("# Generated by tools/build_grids.py from shared/data (do not edit by hand; see docs/inventory-format.md).\n")
    w("# An electricity background: per grid, per-category entries that replace those of inventories/grids/.\n")
    for k in ("id", "name", "description", "convention"):
        w(f"{k}: {q(bg[k]) if k != 'convention' else bg[k]}\n")
    if not grids:
        w("grids: {}   # the default's values live in inventories/grids/*.yaml\n")
        return out.getvalue()
    w("grids:\n")
    for g in grids:
        w(f"  {q(g['id'])}:\n")
        for code, e in g["alt"].items():
            w(f"    {code}:   # {cats[code]['unit']}/kWh\n")
            entry_yaml(w, e, "      ")
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


def carbon_only_csv(eco: pd.DataFrame, gsd: float) -> str:
    """gsd: lognormal GSD of every row (the median GSD of the full grids' gwp)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "name", "gwp_kg_co2_eq_per_kwh", "source", "year", "method", "convention", "gsd"])
    for _, r in eco.sort_values("iso3").iterrows():
        if not float(r.gwp_kgCO2eq_per_kWh) > 0:   # a life-cycle intensity of 0 is missing data, never shipped
            continue
        w.writerow([r.iso3, country_name(r.iso3), r.gwp_kgCO2eq_per_kWh, SRC_ECO, ECOLOGITS_GWP_YEAR,
                    M_OWID, "not_applicable", f"{gsd:g}"])
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


def doc_fragment(grids: list[dict], inp: dict, tf: dict, bu: dict, co_gsd: float) -> str:
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
    a("| epf | ADEME Base IMPACTS 2011 via boaviztapi (no long-term spoil leaching); EU-27: EEE; QC: NOR | M; EU-27, QC: P |")
    a("| ctuh_c, ctuh_nc | log-uniform range: EF 3.1 bottom-up per technology (ElectricityLCI/NETL coal, USLCI gas and "
      "nuclear, renewables = UNECE × the coal ratio) × mix as `min`, UNECE × mix as `max`; value = geometric mean | P |")
    a("| adpe | UNECE 2022 global technology factors × 2023 generation mix | M |")
    a("| wu | UNECE 'dissipated water' × mix (not AWARE-characterised) | P |")
    a("| lu | UNECE land occupation × EF 3.1 occupation CFs × mix (occupation only); triangular low/central/high | P |")
    a("| ctue | no defensible open source | — |")
    a("")
    a("### Backgrounds, method and convention\n")
    a("Every entry carries `method` (the characterisation the number follows), `convention` (`lt_excluded`, "
      "`lt_included`, `not_applicable`: whether long-term emissions, beyond 100 years, are counted) and "
      "`uncertainty`. The grid files are the default background **`ef31-lt-excluded`** "
      "(`inventories/backgrounds/ef31-lt-excluded.yaml`): consistent with the GPU manufacturing data, which "
      "contain no long-term leaching. **`unece-lt-included`** (`inventories/backgrounds/unece-lt-included.yaml`) "
      "holds the LT-inclusive UNECE × mix values of epf, ctuh_c and ctuh_nc as a sensitivity. EF 3.1 sets "
      "every long-term toxic emission to 0 (0 of 142 cancer and 0 of 357 non-cancer long-term flows have a CF) "
      "but keeps long-term phosphate, radionuclide and climate CFs; ionising radiation (ADEME, long-term radon "
      "included) is therefore `lt_included` in both backgrounds. Default vs alternative:\n")
    a("| grid | epf default | epf UNECE | ratio | ctuh_c default (min–max) | ctuh_nc default (min–max) | lu (min–max) |")
    a("|---|---|---|---|---|---|---|")
    for g in grids:
        fc, al = g["factors"], g["alt"]
        a(f"| {g['id']} | {fc['epf']['value']:.3g} | {al['epf']['value']:.3g} | "
          f"{al['epf']['value'] / fc['epf']['value']:,.0f} | {fc['ctuh_c']['value']:.3g} "
          f"({fc['ctuh_c']['uncertainty']['min']:.2g}–{fc['ctuh_c']['uncertainty']['max']:.2g}) | "
          f"{fc['ctuh_nc']['value']:.3g} ({fc['ctuh_nc']['uncertainty']['min']:.2g}–{fc['ctuh_nc']['uncertainty']['max']:.2g}) | "
          f"{fc['lu']['value']:.3g} ({fc['lu']['uncertainty']['min']:.2g}–{fc['lu']['uncertainty']['max']:.2g}) |")
    a("")
    a(f"Uncertainty: gwp a lognormal whose 95 % bound reaches the independent UNECE × mix value (GSD ≥ {GWP_GSD_FLOOR}; "
      f"`carbon_only.csv` rows use the median of the full grids, {co_gsd:g}, column `gsd`); ADEME and UNECE "
      "categories a pedigree lognormal (`{pedigree: [r, c, t, g, tech], basic_gsd}`, scores in each note); "
      "ctuh log-uniform (`{distribution: loguniform, min, max}`); lu triangular.\n")
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
        epf_lines.append(f"{gid} {by[gid]['alt']['epf']['value']:.3g} vs {by[gid]['factors']['epf']['value']:.3g}")
    a("5. **Freshwater eutrophication.** UNECE-based and ADEME values differ by 3–4 orders of magnitude ("
      + "; ".join(epf_lines) + " kg P eq/kWh). The UNECE values reproduce ecoinvent with an LT-inclusive method: "
      "coal power's epf there is dominated by long-term phosphate leaching from mine spoil (~5.7e-4 kg P eq/kWh in "
      "UNECE's coal row), which NETL's coal-mining inventory does not show (five orders of magnitude less phosphate). "
      "**Decision (changed): ADEME, no long-term leaching, is the default**, consistent with the GPU data and with "
      "More than Carbon's 81 % manufacturing share; UNECE × mix is the `unece-lt-included` alternative. See "
      "shared/references/electricity_ef31_convention.md.")
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
CONVENTIONS = ("lt_excluded", "lt_included", "not_applicable")


def check_entry(e: dict, where) -> None:
    assert isinstance(e["value"], float) and e["value"] > 0, (where, e["value"])
    assert e.get("source"), where
    assert e["convention"] in CONVENTIONS and e.get("method"), where
    u = e["uncertainty"]
    if "pedigree" in u:
        assert len(u["pedigree"]) == 5 and u["basic_gsd"] >= 1, where
    elif u["distribution"] == "lognormal":
        assert u["gsd"] >= 1, where
    else:
        assert 0 < u["min"] <= e["value"] <= u["max"], (where, u, e["value"])


def check(out_dir: Path, codes: list[str]) -> list[dict]:
    grids = []
    for gid in GRIDS:
        data = yaml.safe_load((out_dir / f"{gid}.yaml").read_text(encoding="utf-8"))
        assert data["id"] == gid, gid
        fac = data["factors"]
        assert list(fac) == codes, (gid, list(fac))
        for c, e in fac.items():
            assert e["status"] in MARK, (gid, c)
            assert {"method", "convention", "uncertainty"} <= set(e), (gid, c)
            if e["status"] == "not_covered":
                assert e["value"] is None and e["uncertainty"] is None, (gid, c)
            else:
                check_entry(e, (gid, c))
            if e["status"] == "proxy":
                assert e.get("note"), (gid, c)
        grids.append(data)
    rows = list(csv.DictReader((out_dir / "carbon_only.csv").read_text(encoding="utf-8").splitlines()))
    assert rows and all(float(r["gwp_kg_co2_eq_per_kwh"]) > 0 and float(r["gsd"]) >= 1 for r in rows)
    bg_dir = out_dir.parent / "backgrounds"
    ids = {g["id"] for g in grids}
    for name in ("ef31-lt-excluded", "unece-lt-included"):
        bg = yaml.safe_load((bg_dir / f"{name}.yaml").read_text(encoding="utf-8"))
        assert bg["id"] == name and bg["convention"] in CONVENTIONS, name
        assert set(bg["grids"]) <= ids, name
        for gid, fac in bg["grids"].items():
            for c, e in fac.items():
                assert c in codes, (name, gid, c)
                check_entry(e, (name, gid, c))
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
        bu = bottomup_tox(inp, tf)
        grids = [build_grid(gid, inp, tf, bu) for gid in GRIDS]
        out_dir.mkdir(parents=True, exist_ok=True)
        for g in grids:
            (out_dir / f"{g['id']}.yaml").write_text(grid_yaml(g, inp["cats"]), encoding="utf-8")
        gsds = sorted(g["factors"]["gwp"]["uncertainty"]["gsd"] for g in grids)
        co_gsd = gsds[len(gsds) // 2]
        (out_dir / "carbon_only.csv").write_text(carbon_only_csv(inp["eco"], co_gsd), encoding="utf-8")
        bg_dir = repo / "inventories" / "backgrounds"
        bg_dir.mkdir(parents=True, exist_ok=True)
        (bg_dir / "ef31-lt-excluded.yaml").write_text(background_yaml(BG_DEFAULT, None, inp["cats"]), encoding="utf-8")
        (bg_dir / "unece-lt-included.yaml").write_text(background_yaml(BG_ALT, grids, inp["cats"]), encoding="utf-8")
        frag = repo / "docs" / "_fragments" / "data-grids.md"
        frag.parent.mkdir(parents=True, exist_ok=True)
        frag.write_text(doc_fragment(grids, inp, tf, bu, co_gsd), encoding="utf-8")
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
