#!/usr/bin/env python3
"""Dev-time transcription of the GPU research data into the project's own inventory files.

Reads (never at run time of the package; only this script does):
    ../shared/data/gpu/hubblo_gpu_calculator/{gpus.json, gpus_impact_factors.csv,
        average_model.json, doc_table2_average_impact_factors.csv, transport_impacts.csv}
    ../shared/data/gpu/more_than_carbon/a100_sxm4_40gb_cradle_to_gate_by_component_v1.csv
    ../shared/data/boavizta/raw/crowdsourcing/gpu_specs.csv      (H100 SXM and V100 SXM2 rows only)

Writes:
    inventories/accelerators/<id>.yaml   (13 cards)
    inventories/factors/hubblo-calculator-average.yaml
    inventories/factors/ademe-table2.yaml
    inventories/factors/transport-eime.yaml
    inventories/yield_models.yaml
    inventories/transport.yaml

Hand-written data (datasheet specs, notes, assumptions) live in this file, next to the code that
writes them. Re-run after any change:  python tools/build_gpu_inventories.py
Options: --shared DIR (default ../shared/data/gpu), --boavizta FILE, --out DIR (default repo).

Rules applied to the ADEME/Hubblo per-card rows (gpus_impact_factors.csv), where the source says
"blank means 0" (the calculator reads blank and 0 alike, and drops both when averaging):
  * Only the 16 EF 3.1 categories are kept (GWPb/GWPf/GWPlu/MIPS/DEEE/TPE dropped), and only the
    columns of the row's own life-cycle phase (manufacturing_* for components, end_of_life_* for
    the end_of_life row). Blank cells occur only outside those columns in this version of the file;
    a blank inside them would be written as null / not_covered ("not assessed"), never 0.
  * An explicit 0 is kept as 0 ("0 in source") only where the source really has no impact:
      - the whole component is absent from the card (mass 0 g in gpus.json: L4 casing,
        GH200 heatsink), or
      - land use of upstream transport (the EIME transport factors have LU = 0 for every mode).
  * Any other explicit 0 is an isolated zero in one category while the same component of other
    cards is non-zero (e.g. LU of GDDR VRAM, LU of the A100 PCIe casing, LU of the anomalous
    A100 SXM4 PWB row). It is read as "not assessed": null, status not_covered, with a note.
  * One cell uses a decimal comma (RTX A4500 casing LU "-2,26E-02"); it is read as -0.0226.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

# EF 3.1 codes (order of the project) and their spelling in each source.
CODES = ["gwp", "odp", "ctuh_c", "ctuh_nc", "pm", "ir", "pocp", "ap", "ept", "epf", "epm",
         "ctue", "lu", "wu", "adpf", "adpe"]
HUBBLO = {"gwp": "GWP", "odp": "ODP", "ctuh_c": "CTUh_c", "ctuh_nc": "CTUh_nc", "pm": "PM",
          "ir": "IR", "pocp": "POCP", "ap": "AP", "ept": "Ept", "epf": "Epf", "epm": "Epm",
          "ctue": "CTUe", "lu": "LU", "wu": "WU", "adpf": "ADPf", "adpe": "ADPe"}
MTC = {"AP": "ap", "GWP": "gwp", "CTUe": "ctue", "PM": "pm", "Epf": "epf", "Epm": "epm",
       "Ept": "ept", "CTUh-c": "ctuh_c", "CTUh-nc": "ctuh_nc", "IR": "ir", "LU": "lu",
       "ODP": "odp", "POCP": "pocp", "ADPf": "adpf", "ADPe": "adpe", "WU": "wu"}
# Units as printed in the sources, checked against inventories/methods/ef31.yaml by hand:
# all are the EF 3.x units; 'disease occurrence' = disease incidence; MtC 'm³' and Table 2
# 'm3 eq.' are read as m3 world eq. deprived (AWARE), the EF water-use unit.
TABLE2 = {"PEF-AP": "ap", "PEF-GWP": "gwp", "PEF-CTUe": "ctue", "PEF-PM": "pm", "PEF-Epf": "epf",
          "PEF-Epm": "epm", "PEF-Ept": "ept", "PEF-CTUh-c": "ctuh_c", "PEF-CTUh-nc": "ctuh_nc",
          "PEF-IR": "ir", "PEF-LU": "lu", "PEF-ODP": "odp", "PEF-POCP": "pocp",
          "PEF-ADPf": "adpf", "PEF-ADPe": "adpe", "PEF-WU": "wu"}

# Hubblo component names -> project component names.
COMPONENTS = {"casing": "casing", "heatsink": "heatsink", "printed_wiring_board": "pcb",
              "graphics_processing_unit": "gpu_die", "video_ram": "vram",
              "upstream_transport": "upstream_transport"}

ZERO_TRANSPORT_LU = ("0 in source: transport has no land use in the EIME transport factors "
                     "(LU = 0 for truck, boat and plane)")
ZERO_ISOLATED = ("0 in source, but the same component of other cards is non-zero in this "
                 "category: read as not assessed (the calculator itself drops zeros when "
                 "averaging)")
BLANK = "blank in source (the source reads blank as 0): read as not assessed"


# --------------------------------------------------------------------------------------------
# YAML output: block style, with small leaf mappings (values, uncertainty) in flow style.
class Flow(dict):
    """A mapping written in YAML flow style: {a: 1, b: 2}."""


class FlowList(list):
    """A list written in YAML flow style: [1, 2]."""


class _Dumper(yaml.SafeDumper):
    pass


def _repr_flow(dumper, data):
    # A flow mapping that holds mappings is written in block style, its children in flow style.
    flow = not any(isinstance(v, dict) for v in data.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _repr_dict(dumper, data):
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)


_Dumper.add_representer(Flow, _repr_flow)
_Dumper.add_representer(dict, _repr_dict)
_Dumper.add_representer(FlowList, lambda d, x: d.represent_sequence("tag:yaml.org,2002:seq", x, flow_style=True))


def write_yaml(path: Path, data: dict, header: str) -> None:
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    body = "".join(f"# {line}\n" if line else "#\n" for line in header.strip().splitlines())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body + text, encoding="utf-8")
    yaml.safe_load(path.read_text(encoding="utf-8"))  # validate
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


GENERATED = "Generated by tools/build_gpu_inventories.py - edit that script, not this file."


# --------------------------------------------------------------------------------------------
# Hand-written card data: datasheet specs, names, notes.
V100_PEAK_NOTE = ("mixed-precision FP16/FP32 tensor (Volta has no BF16 and no sparsity); the Volta "
                  "whitepaper's 120 TFLOPS is at the launch boost clock of 1,455 MHz, the datasheet's "
                  "125 TFLOPS at 1,530 MHz; FP32 15.7 TFLOPS")
SPECS = {
    "a100-sxm4-40gb": dict(
        name="NVIDIA A100 SXM4 40GB", hubblo="NVIDIA A100 SXM4 40GB",
        peak=("312e12 FLOP/s", "nvidia-a100-datasheet", "dense BF16/FP16 tensor (624 TFLOPS with 2:4 sparsity)"),
        tdp=("400 W", "nvidia-a100-datasheet", "maximum TDP, SXM4")),
    "a100-sxm4-80gb": dict(
        name="NVIDIA A100 SXM4 80GB", hubblo=None,
        peak=("312e12 FLOP/s", "nvidia-a100-datasheet", "dense BF16/FP16 tensor (624 TFLOPS with 2:4 sparsity)"),
        tdp=("400 W", "nvidia-a100-datasheet", "maximum TDP, SXM4")),
    "a100-pcie-40gb": dict(
        name="NVIDIA A100 PCIe 40GB", hubblo="NVIDIA A100 PCIe 40GB",
        peak=("312e12 FLOP/s", "nvidia-a100-datasheet", "dense BF16/FP16 tensor (624 TFLOPS with 2:4 sparsity)"),
        tdp=("250 W", "nvidia-a100-datasheet",
             "A100 40GB PCIe (first datasheet revision, 2020; the 80GB PCIe card is 300 W)")),
    "h100-pcie-80gb": dict(
        name="NVIDIA H100 PCIe 80GB", hubblo="NVIDIA H100 PCIe 80GB",
        peak=("756e12 FLOP/s", "nvidia-h100-datasheet",
              "dense BF16/FP16 tensor: the datasheet lists 1,513 TFLOPS with sparsity; dense is half"),
        tdp=("350 W", "nvidia-h100-pcie-product-brief",
             "maximum TDP (PB-11133-001); the H100 datasheet gives 300-350 W configurable")),
    "h100-sxm5-80gb": dict(
        name="NVIDIA H100 SXM5 80GB", hubblo=None,
        peak=("989e12 FLOP/s", "nvidia-h100-datasheet",
              "dense BF16/FP16 tensor: the datasheet lists 1,979 TFLOPS with sparsity; dense is half"),
        tdp=("700 W", "nvidia-h100-datasheet", "maximum TDP, up to 700 W (configurable)")),
    "gh200": dict(
        name="NVIDIA GH200 Grace Hopper Superchip", hubblo="NVIDIA GH200",
        peak=("989e12 FLOP/s", "nvidia-gh200-datasheet",
              "dense BF16/FP16 tensor of the Hopper GPU: the datasheet lists 1,979 TFLOPS with "
              "sparsity; dense is half"),
        tdp=("1000 W", "nvidia-gh200-datasheet",
             "module power, programmable 450-1000 W, covers the Grace CPU, Hopper GPU and memory",
             {"distribution": "uniform", "min": "450 W", "max": "1000 W"})),
    "l4": dict(
        name="NVIDIA L4", hubblo="NVIDIA L4",
        peak=("121e12 FLOP/s", "nvidia-l4-datasheet",
              "dense BF16/FP16 tensor: the datasheet lists 242 TFLOPS with sparsity; dense is half"),
        tdp=("72 W", "nvidia-l4-datasheet", "maximum thermal design power")),
    "p100-pcie-16gb": dict(
        name="NVIDIA Tesla P100 PCIe 16GB", hubblo="NVIDIA Tesla P100 PCIe 16GB",
        peak=("18.7e12 FLOP/s", "nvidia-p100-pcie-datasheet",
              "FP16 (half precision, packed FP16x2 on CUDA cores): Pascal has no tensor cores "
              "and no BF16; FP32 is 9.3 TFLOPS"),
        tdp=("250 W", "nvidia-p100-pcie-datasheet", "maximum power consumption")),
    "rtx-a4500": dict(
        name="NVIDIA RTX A4500", hubblo="NVIDIA RTX A4500",
        peak=("94.6e12 FLOP/s", "nvidia-rtx-a4500-datasheet",
              "dense FP16/BF16 tensor: the datasheet's 'Tensor performance' 189.2 TFLOPS is with "
              "sparsity; dense is half (56 SM x 1024 FLOP/clk x 1.65 GHz)"),
        tdp=("200 W", "nvidia-rtx-a4500-datasheet", "total board power")),
    "titan-rtx": dict(
        name="NVIDIA TITAN RTX", hubblo="NVIDIA TITAN RTX",
        peak=("130e12 FLOP/s", "nvidia-titan-rtx",
              "FP16 tensor ('130 Tensor TFLOPS', FP16 matrix multiply); Turing has no BF16"),
        tdp=("280 W", "nvidia-titan-rtx", "graphics card power")),
    "v100-sxm2-16gb": dict(
        name="NVIDIA Tesla V100 SXM2 16GB", hubblo=None, boavizta="NVIDIA Tesla V100 SXM2 16GB",
        peak=("125e12 FLOP/s", "nvidia-v100-datasheet", V100_PEAK_NOTE),
        tdp=("300 W", "nvidia-v100-datasheet", "maximum power consumption, SXM2 (the PCIe card is 250 W)")),
    "v100-sxm2-32gb": dict(
        name="NVIDIA Tesla V100 SXM2 32GB", hubblo=None, boavizta="NVIDIA Tesla V100 SXM2 32GB",
        peak=("125e12 FLOP/s", "nvidia-v100-datasheet", V100_PEAK_NOTE),
        tdp=("300 W", "nvidia-v100-datasheet", "maximum power consumption, SXM2 (the PCIe card is 250 W)")),
    "gtx-1080-ti": dict(
        name="NVIDIA GeForce GTX 1080 Ti", hubblo="NVIDIA GeForce GTX 1080 Ti",
        peak=("11.3e12 FLOP/s", "nvidia-gtx-1080-ti",
              "FP32 peak (3584 CUDA cores x 2 FLOP x 1582 MHz boost): Pascal GP102 has no tensor "
              "cores and runs FP16 at 1/64 rate, so FP32 is the relevant peak"),
        tdp=("250 W", "nvidia-gtx-1080-ti", "graphics card power")),
}

CARD_NOTES = {
    "gh200": [
        "BOM as recorded in the ADEME data: 80 GB VRAM in 6 dies of 100 mm2, GPU die 814 mm2 and "
        "no heatsink (0 g). The GH200 product has 96 GB HBM3 (or 144 GB HBM3e) and also carries "
        "the Grace CPU and LPDDR5X; the ADEME PWB row (99.7 kg CO2 eq) presumably holds those.",
    ],
    "l4": ["No casing (0 g in the ADEME data): the casing component is 0."],
    "h100-pcie-80gb": [
        "The ADEME per-card rows for this card are a parametric estimate, not a teardown: casing, "
        "heatsink, PWB, upstream transport and end-of-life equal the docs' Table 2 factors x this "
        "BOM to 3 significant figures, and the rows carry distribution by boat 19,000 km + truck "
        "1,000 km. The calculator excludes this card from its average model (average.ts).",
        "The BOM (1,690 g, heatsink 900 g, casing 790 g, PWB 296 cm2) equals BoaviztAPI's default "
        "'Large GPU' archetype; BoaviztAPI's own H100 PCIe row gives 1.2 kg (casing 0.307 kg, "
        "heatsink 0.66 kg, PWB 234.36 cm2, citing NVIDIA PB-11133-001). Treated as estimated.",
    ],
    "a100-sxm4-80gb": [
        "No teardown of the 80GB module is published. BOM and measured impacts are assumed equal "
        "to the A100 SXM4 40GB (same GA100 die, board, heatsink and casing), except vram_capacity "
        "80 GB (HBM2e instead of HBM2). Each HBM2e stack holds 16 GB instead of 8 GB (denser "
        "DRAM dies), so the VRAM impacts are probably understated.",
        "This is BLOOM's card (384 x A100 SXM4 80GB on Jean Zay).",
    ],
    "h100-sxm5-80gb": [
        "No open teardown or LCA of the H100 SXM5 module. Masses, PWB area and VRAM die count "
        "are BoaviztAPI gpu_specs.csv 'NVIDIA H100 SXM 80GB' (0.78923 kg casing, 0.90077 kg "
        "heatsink, 1.69 kg total, 296.37 cm2 PWB, 6 VRAM dies), which equal BoaviztAPI's default "
        "'Large GPU' archetype and the ADEME H100 PCIe record, i.e. a PCIe card, not an SXM5 "
        "module. Uniform +-50 % uncertainty on these fields.",
        "GPU die 814 mm2 (GH100, NVIDIA Hopper whitepaper). BoaviztAPI's die_surface 2808.45 mm2 "
        "already includes wafer losses (circular-wafer model); the calculator's "
        "computeDieSurface(814) gives 2810.4 mm2.",
        "Parametric route only: no measured block.",
    ],
}


V100_ASSUMPTIONS = [
    "No open teardown or LCA of a V100 SXM2 module: the card is parametric only, and its masses are "
    "ESTIMATES (uniform +-50 %), derived from the ADEME teardown of the A100 SXM4 40GB, the closest "
    "measured SXM module (gpus.json: 1,560 g total, 1,250 g heatsink, 90 g casing, 105 cm2 PWB): "
    "heatsink scaled by TDP (1,250 g x 300 W / 400 W = 937.5 g); casing taken equal (90 g); board, "
    "package and dies (1,560 - 1,250 - 90 = 220 g) scaled by PWB area (x 109.2 / 105 = 228.8 g); "
    "total = the sum. The +-50 % range also covers the P100 PCIe heatsink (538 g).",
    "PWB area 109.2 cm2 is BoaviztAPI gpu_specs.csv 'NVIDIA Tesla V100 SXM2' (= 14 cm x 7.8 cm, "
    "the SXM2 module outline; BoaviztAPI cites the Volta whitepaper and Wikipedia 'SXM (socket)'), "
    "with uniform +-50 %.",
    "GPU die 815 mm2 (GV100, TSMC 12 nm FFN, 21.1 billion transistors; Volta whitepaper), without "
    "wafer losses.",
    "HBM2: 4 stacks on both cards (4,096-bit bus, 2 memory controllers per stack). 16 GB = 4 stacks "
    "x 4 GB, each stack 4 DRAM dies of 8 Gb (4-Hi; Volta whitepaper: '4 dies per HBM2 stack, 4 "
    "stacks'), i.e. 16 DRAM dies. 32 GB = 4 stacks x 8 GB, each stack 8 DRAM dies of 8 Gb (8-Hi, "
    "Samsung's 8 GB HBM2: eight 8 Gb dies on a buffer die), i.e. 32 DRAM dies.",
    "vram_dies counts HBM2 stacks (4), as the ADEME data do for the cards the VRAM factor was "
    "normalised on (P100 16GB: 4 stacks of 4-Hi; A100 40GB: 6 stack sites of 8-Hi), so the "
    "per-stack footprint area is the vram_die_area: the P100's 82.5 mm2 (same 4 GB 4-Hi HBM2) for the "
    "16GB card, the A100 SXM4 40GB's 86.25 mm2 (same 8 GB 8-Hi HBM2) for the 32GB card. In this "
    "model VRAM impact follows stack footprint, not capacity: the 32GB card's VRAM (twice the DRAM "
    "dies) is probably understated, like the A100 SXM4 80GB's.",
    "Parametric route only: no measured block. Patterson et al. (2021) trained GPT-3 on this card "
    "(10,000 V100, scenarios/gpt3-v100.yaml); its memory size is not stated there.",
]

CARD_NOTES["v100-sxm2-16gb"] = V100_ASSUMPTIONS
CARD_NOTES["v100-sxm2-32gb"] = V100_ASSUMPTIONS


def v100_bom(data: Data, card_id: str) -> dict:
    """Estimated BOM of a V100 SXM2 card (see V100_ASSUMPTIONS)."""
    s = SPECS[card_id]
    b = data.boavizta.get(s["boavizta"])
    if b is None:
        raise SystemExit(f"BoaviztAPI gpu_specs.csv has no {s['boavizta']!r} row")
    a100 = data.gpus["NVIDIA A100 SXM4 40GB"]
    p100 = data.gpus["NVIDIA Tesla P100 PCIe 16GB"]
    rel = 0.5
    pcb = float(b["pwb_surface"])
    heatsink = a100["heatsinkWeight"] * 300 / 400
    casing = float(a100["casingWeight"])
    rest = (a100["totalWeight"] - a100["heatsinkWeight"] - a100["casingWeight"]) * pcb / a100["cardSurface"]
    total = round(heatsink + casing + rest, 1)
    rest = round(rest, 1)
    assert abs(total - 1256.3) < 0.05 and abs(pcb - 109.2) < 1e-9, (total, pcb)
    gb = int(float(b["vram"]))
    stacks = int(float(b["number"]))
    assert stacks == 4 and gb in (16, 32), (stacks, gb)
    ref, ref_name = (p100, "P100 PCIe 16GB, 4 GB 4-Hi stacks") if gb == 16 else \
        (a100, "A100 SXM4 40GB, 8 GB 8-Hi stacks")
    est = "ESTIMATE (see assumptions): "
    return {
        "total_mass": Flow(value=q(total, "g"), source="hubblo-gpu-calculator",
                           note=est + f"heatsink + casing + board/package/dies ({rest:g} g)",
                           uncertainty=widen(total, "g", rel)),
        "heatsink_mass": Flow(value=q(heatsink, "g"), source="hubblo-gpu-calculator",
                              note=est + "A100 SXM4 40GB heatsink 1,250 g x 300 W / 400 W",
                              uncertainty=widen(heatsink, "g", rel)),
        "casing_mass": Flow(value=q(casing, "g"), source="hubblo-gpu-calculator",
                            note=est + "equal to the A100 SXM4 40GB casing",
                            uncertainty=widen(casing, "g", rel)),
        "pcb_area": Flow(value=q(pcb, "cm**2"), source="boaviztapi",
                         note="BoaviztAPI gpu_specs.csv V100 SXM2 pwb_surface (14 cm x 7.8 cm module)",
                         uncertainty=widen(pcb, "cm**2", rel)),
        "gpu_die_area": Flow(value="815 mm**2", source="nvidia-volta-whitepaper",
                             note="GV100 die, TSMC 12 nm FFN, without wafer losses"),
        "vram_capacity": Flow(value=f"{gb} GB", source="nvidia-v100-datasheet", note="HBM2, 900 GB/s"),
        "vram_dies": Flow(value=stacks, source="nvidia-volta-whitepaper", note=(
            f"4 HBM2 stacks (counted as the ADEME data count stacks); each stack holds "
            f"{gb // 4} DRAM dies of 8 Gb ({gb // 4}-Hi), {gb} DRAM dies in all"
            + ("" if gb == 16 else "; 8-Hi 8 GB HBM2 stacks: samsung-2017-hbm2-8gb"))),
        "vram_die_area": Flow(value=q(ref["videoRamDieSurface"], "mm**2"), source="hubblo-gpu-calculator",
                              note=f"ESTIMATE: HBM2 stack footprint of the {ref_name} (ADEME data)"),
    }


# --------------------------------------------------------------------------------------------
def cell(raw: str):
    """Parse one CSV cell: (value, flag) with flag None, 'blank' or 'comma'."""
    text = (raw or "").strip()
    if not text:
        return None, "blank"
    if "," in text:
        return float(text.replace(",", ".")), "comma"
    return float(text), None


def q(value, unit: str) -> str:
    """Quantity string with a compact number."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value} {unit}"


class Data:
    def __init__(self, shared: Path, boavizta_specs: Path):
        h = shared / "hubblo_gpu_calculator"
        self.gpus = {g["name"]: g for g in json.loads((h / "gpus.json").read_text())}
        with open(h / "gpus_impact_factors.csv", newline="", encoding="utf-8") as f:
            self.rows = list(csv.DictReader(f))
        self.average = json.loads((h / "average_model.json").read_text())["components"]
        with open(h / "doc_table2_average_impact_factors.csv", newline="", encoding="utf-8") as f:
            self.table2 = {r["Name"]: r for r in csv.DictReader(f)}
        with open(h / "transport_impacts.csv", newline="", encoding="utf-8") as f:
            self.transport = {r["transport_mode"]: r for r in csv.DictReader(f)}
        mtc = shared / "more_than_carbon" / "a100_sxm4_40gb_cradle_to_gate_by_component_v1.csv"
        with open(mtc, newline="", encoding="utf-8") as f:
            self.mtc = list(csv.DictReader(f, delimiter=";"))
        self.boavizta = {}
        if boavizta_specs.exists():
            with open(boavizta_specs, newline="", encoding="utf-8") as f:
                self.boavizta = {r["name"]: r for r in csv.DictReader(f)}

    def row(self, card: str, component: str) -> dict:
        hits = [r for r in self.rows if r["graphics_card"] == card and r["component"] == component]
        if len(hits) != 1:
            raise SystemExit(f"expected one row for {card!r} {component!r}, got {len(hits)}")
        return hits[0]

    def cards_with_rows(self) -> list[str]:
        return sorted({r["graphics_card"] for r in self.rows} - {"Average"})


# --------------------------------------------------------------------------------------------
# Characterisation method / long-term convention and data-quality (pedigree) blocks.
# ADEME/Hubblo do not state the EF version; the indicator set (PEF criteria + MIPS, WEEE, TPE)
# matches EIME's, and the transport factors are documented as EIME (a100_lca_paper.md §2.2).
# Toxicity: EF 3.0 and EF 3.1 both give every long-term toxic emission a CF of 0 (ef31-open counts).
EOL_WU_SCALES: list[float] = []   # alternative / published EoL wu per card (ADEME datasets)
EF3X_METHOD = ("EF 3.x (EF 3.0 or 3.1 not stated by the source; EIME database/software inferred from "
               "the indicator set and the documented EIME transport factors)")
PER_CATEGORY_CONVENTION = {
    **{c: {"convention": "not_applicable"} for c in
       ("gwp", "odp", "pm", "pocp", "ap", "ept", "lu", "wu", "adpf", "adpe")},
    "ctuh_c": {"convention": "lt_excluded", "note": "EF 3.0 and 3.1 set every long-term toxic emission CF to 0"},
    "ctuh_nc": {"convention": "lt_excluded", "note": "as ctuh_c"},
    "ctue": {"convention": "lt_excluded", "note": "as ctuh_c"},
    "epf": {"convention": "lt_excluded", "note": (
        "inferred: EF 3.x keeps long-term phosphate CFs, but the background (EIME) is not known to model "
        "long-term mine-spoil leaching; magnitudes (A100 SXM4 2.7e-3 kg P eq cradle-to-gate) are "
        "commensurate with no-LT electricity (~3e-8 kg P eq/kWh)")},
    "epm": {"convention": "lt_excluded", "note": "inferred, as epf"},
    "ir": {"convention": "lt_included", "note": (
        "inferred: EF 3.x keeps long-term radionuclide CFs (radon-222 from uranium tailings), and values "
        "such as heatsink 325 kBq U235 eq/kg are of that order")},
}
# order of the 16 codes
PER_CATEGORY_CONVENTION = {c: PER_CATEGORY_CONVENTION[c] for c in CODES}


def characterisation(method: str = EF3X_METHOD, note: str | None = None) -> dict:
    out = {"method": method, "convention": "lt_excluded",
           "per_category": {c: Flow(v) for c, v in PER_CATEGORY_CONVENTION.items()}}
    if note:
        out["note"] = note
    return out


PEDIGREE_NOTE = ("Weidema et al. 2013 scores [reliability, completeness, temporal, geographical, "
                 "technological] for every value of this set, giving a lognormal around each value "
                 "(inventories/methods/pedigree.yaml). Characterisation-factor uncertainty (e.g. "
                 "USEtox toxicity, orders of magnitude) is not included.")


def pedigree(scores: list[int], basic_gsd: float, why: str) -> dict:
    return {"scores": FlowList(scores), "basic_gsd": basic_gsd, "note": f"{why} {PEDIGREE_NOTE}"}


PED_CARD = ([2, 2, 2, 3, 1], 1.2, (
    "Per-card LCA of the card itself (teardown, LCA software and background database): reliability 2 "
    "(verified data partly based on assumptions), completeness 2, temporal 2 (study 2025-2026, cards "
    "2016-2023), geographical 3 (manufacturing sites not documented), technological 1; basic GSD 1.2."))
PED_CARD_ASSUMED = ([2, 2, 2, 3, 2], 1.2, (
    "As the measured card datasets, but technological 2: the rows are those of the A100 SXM4 40GB, "
    "assumed equal for this card (see assumptions); basic GSD 1.2."))
PED_CARD_ESTIMATED = ([4, 3, 2, 3, 3], 1.2, (
    "The rows are a parametric estimate (Table 2 factors x BOM), not a teardown: reliability 4, "
    "completeness 3, technological 3; basic GSD 1.2."))
PED_AVERAGE = ([2, 3, 2, 3, 3], 1.2, (
    "Average parametric model over 7-8 analysed cards applied to any card: reliability 2, completeness "
    "3 (few cards; zeros and blanks dropped), temporal 2, geographical 3, technological 3 (an average "
    "of different cards and die generations); basic GSD 1.2."))
PED_TRANSPORT = ([2, 2, 3, 3, 2], 1.2, (
    "EIME generic transport datasets as published by ADEME: reliability 2, completeness 2, temporal 3 "
    "(database version not stated), geographical 3, technological 2; basic GSD 1.2 for the factor per "
    "kg.km (the distance uncertainty is in transport.yaml)."))
PED_DISTANCES = ([4, 3, 1, 3, 1], 2.0, (
    "Distribution distances are non-qualified estimates (the Hubblo docs and code disagree, see note): "
    "reliability 4, completeness 3, geographical 3; basic GSD 2.0 (Weidema et al. 2013, transport "
    "services)."))


# --------------------------------------------------------------------------------------------
# Suspect end-of-life water use: alternative scaled from the other categories' EoL/cradle-to-gate ratio
def _num(v):
    if isinstance(v, dict):
        return v.get("value")
    return v


def eol_wu_alternative(comps: dict, eol: dict) -> tuple[float, float, float]:
    """(alternative EoL wu, median EoL/cradle-to-gate ratio of the other categories, wu ratio)."""
    c2g = {}
    for c in CODES:
        vals = [_num(comp["values"][c]) for comp in comps.values()]
        c2g[c] = sum(v for v in vals if v is not None)
    ratios = sorted(_num(eol[c]) / c2g[c] for c in CODES
                    if c not in ("wu", "ctue", "lu") and _num(eol[c]) and c2g[c])
    med = ratios[len(ratios) // 2] if len(ratios) % 2 else 0.5 * (ratios[len(ratios) // 2 - 1] + ratios[len(ratios) // 2])
    return c2g["wu"] * med, med, _num(eol["wu"]) / c2g["wu"]


SUSPECT_WU = ("End-of-life water use is {ratio:.0f}x this card's cradle-to-gate water use, whereas the other "
              "categories' end of life is a median {med:.1%} of cradle-to-gate (ctue and lu, also "
              "large, excluded): probably an artefact of the background e-waste dataset (e.g. water "
              "turbined or cooling water counted as consumed, or a unit slip); not verified.")


def flag_eol_wu(eol_values: Flow, comps: dict, source: str) -> float:
    alt, med, ratio = eol_wu_alternative(comps, eol_values)
    v = _num(eol_values["wu"])
    eol_values["wu"] = Flow(
        value=v, status="suspect", suspect_reason=SUSPECT_WU.format(ratio=ratio, med=med),
        alternative=Flow(value=float(f"{alt:.3g}"), source=source, note=(
            f"cradle-to-gate wu of this card ({sum(_num(c['values']['wu']) or 0 for c in comps.values()):.3g} "
            f"m3 eq, components incl. upstream transport) x the median end-of-life/cradle-to-gate ratio of "
            f"the other 13 categories ({med:.4f})")))
    return alt / v


# --------------------------------------------------------------------------------------------
def ademe_values(data: Data, card: str, component: str, absent: bool) -> Flow:
    """16 EF values of one per-card row, applying the blank/zero rule (module docstring)."""
    phase = "end_of_life" if component == "end_of_life" else "manufacturing"
    r = data.row(card, component)
    out = Flow()
    for code in CODES:
        value, flag = cell(r[f"{phase}_{HUBBLO[code]}"])
        if flag == "blank":
            out[code] = Flow(value=None, status="not_covered", note=BLANK)
        elif flag == "comma":
            out[code] = Flow(value=value, note=(
                f"source cell {r[f'{phase}_{HUBBLO[code]}']!r} uses a decimal comma, read as "
                f"{value}; the calculator's csvkit conversion dropped the comma and read "
                f"{float(r[f'{phase}_{HUBBLO[code]}'].replace(',', ''))}"))
        elif value == 0 and absent:
            out[code] = 0
        elif value == 0 and component == "upstream_transport" and code == "lu":
            out[code] = Flow(value=0, note=ZERO_TRANSPORT_LU)
        elif value == 0:
            out[code] = Flow(value=None, status="not_covered", note=ZERO_ISOLATED)
        else:
            out[code] = value
    return out


def ademe_dataset(data: Data, card: str, extra_note: str = "") -> dict:
    g = data.gpus[card]
    absent = {"casing": g["casingWeight"] == 0, "heatsink": g["heatsinkWeight"] == 0}
    note = (f"Per-card LCA rows of the ADEME study as published in the Hubblo calculator "
            f"(gpus_impact_factors.csv, card {card!r}); per card, EF 3.x units. Only the 16 EF "
            f"categories are kept; blank/zero cells handled as described in "
            f"docs/_fragments/data-gpus.md.")
    if extra_note:
        note += " " + extra_note
    comps = {}
    for hub, ours in COMPONENTS.items():
        entry = {"stage": "transport" if ours == "upstream_transport" else "manufacturing"}
        if absent.get(hub):
            entry["note"] = f"component absent (mass 0 g in gpus.json): 0 in source"
        if card == "NVIDIA A100 SXM4 40GB" and hub == "printed_wiring_board":
            entry["note"] = (
                "ANOMALOUS row: GWP 0.0821 kg CO2 eq and ADPf 3.11 MJ, yet TPE 230 MJ and ADPe "
                "2.77e-3 kg Sb eq in the same row; the More than Carbon data give PCB 8.14 + POP "
                "7.49 kg CO2 eq. Prefer the more-than-carbon dataset for this card.")
        if card == "NVIDIA GH200" and hub == "printed_wiring_board":
            entry["note"] = ("99.7 kg CO2 eq: presumably includes the Grace CPU and LPDDR5X "
                             "carried on the module board (not documented).")
        entry["values"] = ademe_values(data, card, hub, absent.get(hub, False))
        comps[ours] = entry
    eol = ademe_values(data, card, "end_of_life", False)
    scale = flag_eol_wu(eol, comps, "hubblo-gpu-calculator")
    EOL_WU_SCALES.append(scale)
    return {
        "source": "hubblo-gpu-calculator",
        "note": note,
        "characterisation": characterisation(),
        "pedigree": pedigree(*PED_CARD),
        "components": comps,
        "end_of_life": {"values": eol},
    }


def mtc_dataset(data: Data) -> dict:
    cols = {"Casing": "casing", "Heatsink": "heatsink", "PCB": "pcb", "Main dies": "main_dies",
            "POP": "pop", "Upstream transport": "upstream_transport"}
    comps = {c: {"stage": "transport" if c == "upstream_transport" else "manufacturing",
                 "values": Flow()} for c in cols.values()}
    seen = set()
    for r in data.mtc:
        code = MTC[r["Impact Category"].split(" - ")[0].strip()]
        seen.add(code)
        for col, comp in cols.items():
            value, flag = cell(r[col])
            if flag:
                raise SystemExit(f"unexpected {flag} cell in More than Carbon v1: {r}")
            comps[comp]["values"][code] = value
    assert seen == set(CODES), seen
    for c in comps.values():  # project order
        c["values"] = Flow((k, c["values"][k]) for k in CODES)
    comps["main_dies"]["note"] = "GPU die + HBM dies (ADEME rows: GPU 85.8 + VRAM 19.3 = 105.0 kg CO2 eq)"
    comps["pop"]["note"] = "'POP': populated parts of package/PCB (not defined in the CSV; inferred)"
    comps["upstream_transport"]["note"] = (
        "v1 value (GWP 1.98). A later version of the third-party copy replaced this column with "
        "the ADEME upstream_transport row (GWP 0.464); v1 reproduces the paper's 81.8 % share.")
    gwp = sum(c["values"]["gwp"] for c in comps.values())
    share = comps["main_dies"]["values"]["gwp"] / gwp
    assert abs(gwp - 128.3) < 0.05, gwp
    assert abs(share - 0.818) < 0.0005, share
    print(f"  more-than-carbon v1: GWP sum {gwp:.2f} kg CO2 eq, main dies {100 * share:.1f} %")
    eol = ademe_values(data, "NVIDIA A100 SXM4 40GB", "end_of_life", False)
    flag_eol_wu(eol, comps, "hubblo-gpu-calculator")
    return {
        "source": "falk-2025-more-than-carbon",
        "characterisation": characterisation(note=(
            "Category labels and units of the supplementary data are the EF 3.x set; the EF version, "
            "software and database of the paper were not found. End of life is the ADEME row (EIME).")),
        "pedigree": pedigree(*PED_CARD),
        "note": (
            "Cradle-to-gate per component of one A100 SXM4 40GB from the More than Carbon "
            "supplementary data, v1 copy (DjoserKhemSimeu/Sim_LLM_benchmark@fcac95f, "
            "data/more-than-carbon-data.csv). Components sum to GWP 128.3 kg CO2 eq; main dies = "
            "81.8 % (paper abstract: 81 %). EF version (3.0/3.1) not stated by the source; its WU "
            "unit 'm3' is read as m3 world eq. deprived and 'disease occurrence' as disease "
            "incidence. Never use the later file's 'A100 PCIe 40GB' rows (a copy of the GTX "
            "1080 Ti rows). End of life is not in this dataset: it is the ADEME end_of_life row "
            "of the same card."),
        "components": comps,
        "end_of_life": {
            "source": "hubblo-gpu-calculator",
            "note": ("ADEME per-card end_of_life row (gpus_impact_factors.csv). WU (1,060 m3 eq) "
                     "is ~17x the cradle-to-gate WU (status suspect, with an alternative) and CTUe is "
                     "close to cradle-to-gate: suspected artefact of the background e-waste dataset."),
            "values": eol,
        },
    }


# --------------------------------------------------------------------------------------------
def bom_from_hubblo(g: dict) -> dict:
    bom = {
        "total_mass": q(g["totalWeight"], "g"),
        "heatsink_mass": q(g["heatsinkWeight"], "g"),
        "casing_mass": q(g["casingWeight"], "g"),
        "pcb_area": q(g["cardSurface"], "cm**2"),
        "gpu_die_area": q(g["gpuSurface"], "mm**2"),
        "vram_capacity": q(g["videoRamCapacity"], "GB"),
        "vram_dies": g["videoRamDies"],
    }
    if g.get("videoRamDieSurface"):
        bom["vram_die_area"] = q(g["videoRamDieSurface"], "mm**2")
    return bom


def widen(value: float, unit: str, rel: float) -> Flow:
    return Flow(distribution="uniform", min=q(round(value * (1 - rel), 1), unit),
                max=q(round(value * (1 + rel), 1), unit))


def spec_field(spec) -> Flow:
    out = Flow(value=spec[0], source=spec[1], note=spec[2])
    if len(spec) > 3:
        out["uncertainty"] = Flow(spec[3])
    return out


def accelerator(data: Data, card_id: str) -> dict:
    s = SPECS[card_id]
    doc = {"id": card_id, "name": s["name"], "source": "hubblo-gpu-calculator",
           "specs": {"peak_flops": spec_field(s["peak"]), "tdp": spec_field(s["tdp"])}}
    assumptions = list(CARD_NOTES.get(card_id, []))
    estimated = False
    measured = {}

    if card_id == "h100-sxm5-80gb":
        b = data.boavizta.get("NVIDIA H100 SXM 80GB")
        if b is None:
            raise SystemExit("BoaviztAPI gpu_specs.csv has no 'NVIDIA H100 SXM 80GB' row")
        rel = 0.5
        kg = lambda k: float(b[k]) * 1000.0
        doc["source"] = "boaviztapi"
        doc["bom"] = {
            "total_mass": Flow(value=q(kg("mass"), "g"), uncertainty=widen(kg("mass"), "g", rel)),
            "heatsink_mass": Flow(value=q(kg("mass_heatsink"), "g"),
                                  uncertainty=widen(kg("mass_heatsink"), "g", rel)),
            "casing_mass": Flow(value=q(kg("mass_casing"), "g"),
                                uncertainty=widen(kg("mass_casing"), "g", rel)),
            "pcb_area": Flow(value=q(float(b["pwb_surface"]), "cm**2"),
                             uncertainty=widen(float(b["pwb_surface"]), "cm**2", rel)),
            "gpu_die_area": Flow(value="814 mm**2", source="nvidia-hopper-whitepaper",
                                 note="GH100 die, without wafer losses"),
            "vram_capacity": Flow(value="80 GB", source="nvidia-h100-datasheet", note="HBM3"),
            "vram_dies": Flow(value=int(float(b["number"])), note=(
                "6 HBM3 stack sites (5 active on the 80 GB part); no vram_die_area is documented, "
                "so the calculator rule vram_die_area_per_gb applies")),
        }
        estimated = True
    elif card_id.startswith("v100-sxm2"):
        doc["source"] = "nvidia-v100-datasheet"
        doc["bom"] = v100_bom(data, card_id)
        estimated = True
    else:
        hub = s["hubblo"] or "NVIDIA A100 SXM4 40GB"
        g = data.gpus[hub]
        doc["bom"] = bom_from_hubblo(g)
        if card_id == "a100-sxm4-80gb":
            doc["bom"]["vram_capacity"] = Flow(value="80 GB", source="nvidia-a100-datasheet",
                                               note="HBM2e")
            doc["bom"]["vram_die_area"] = Flow(value=doc["bom"]["vram_die_area"], note=(
                "40GB card's HBM2 die area, assumed (HBM2e die area not documented)"))
        if card_id == "h100-pcie-80gb":
            estimated = True
            for key, unit in [("total_mass", "g"), ("heatsink_mass", "g"),
                              ("casing_mass", "g"), ("pcb_area", "cm**2")]:
                v = float(doc["bom"][key].split()[0])
                doc["bom"][key] = Flow(value=doc["bom"][key], uncertainty=widen(v, unit, 0.3))
        if card_id in ("a100-sxm4-40gb", "a100-sxm4-80gb"):
            measured["more-than-carbon"] = mtc_dataset(data)
        if hub in data.cards_with_rows():
            extra = ""
            if card_id.startswith("a100-sxm4"):
                extra = ("The A100 SXM4 printed_wiring_board row is anomalous (see its note); "
                         "cradle-to-gate GWP 111.3 kg vs 128.3 kg in More than Carbon.")
            if card_id == "h100-pcie-80gb":
                extra = ("CAUTION: these rows are a parametric estimate (Table 2 factors x BOM), "
                         "not a teardown LCA; the distribution rows (boat 19,000 km: GWP 0.427; "
                         "truck 1,000 km: 0.0852 kg CO2 eq) are left out, distribution is a "
                         "scenario choice (inventories/transport.yaml).")
            measured["ademe"] = ademe_dataset(data, hub, extra)
        if card_id == "a100-sxm4-80gb":
            for ds in measured.values():
                ds["note"] = "ASSUMED EQUAL TO THE A100 SXM4 40GB. " + ds["note"]
                ds["pedigree"] = pedigree(*PED_CARD_ASSUMED)
        if card_id == "h100-pcie-80gb":
            for ds in measured.values():
                ds["pedigree"] = pedigree(*PED_CARD_ESTIMATED)

    if measured:
        doc["measured"] = measured
    doc["estimated"] = estimated
    if card_id in ("a100-sxm4-40gb",):
        assumptions.append("Default measured dataset: more-than-carbon (v1 cradle-to-gate) + "
                           "ADEME end-of-life row; the ADEME rows are the alternative.")
    if assumptions:
        doc["assumptions"] = assumptions
    return doc


# --------------------------------------------------------------------------------------------
def factor_values(get, component: str) -> Flow:
    out = Flow()
    for code in CODES:
        v = get(code)
        if v == 0:
            if code == "lu" and (component.startswith("transport") or component == "upstream_transport"):
                out[code] = Flow(value=0, note=ZERO_TRANSPORT_LU)
            else:
                raise SystemExit(f"unexpected zero factor {component} {code}")
        else:
            out[code] = v
    return out


def murphy_area(a: float, d0: float = 0.1) -> tuple[float, float]:
    d = a * d0 / 100
    y = ((1 - math.exp(-d)) / d) ** 2
    return y, a / y


def circular_wafer_area(a: float, d0: float = 0.1, diameter: float = 300.0, kerf: float = 0.2):
    r = diameter / 2
    s = (math.sqrt(a) + kerf) ** 2
    n = round(math.pi * r * r / s - math.pi * diameter / math.sqrt(2 * s))
    usable = math.exp(-math.sqrt(a / 100 * d0))
    return n, usable, a / ((a * n / (math.pi * r * r)) * usable)


def vram_rule(data: Data) -> tuple[float, list[str]]:
    """averageVramDieSurface() of calculations.ts: mean over documented cards except GH200."""
    parts, vals = [], []
    for name, g in data.gpus.items():
        if name == "NVIDIA GH200" or not g.get("videoRamDieSurface"):
            continue
        v = g["videoRamDieSurface"] * g["videoRamDies"] / g["videoRamCapacity"]
        vals.append(v)
        parts.append(f"{name.replace('NVIDIA ', '')} {g['videoRamDieSurface']} x "
                     f"{g['videoRamDies']} / {g['videoRamCapacity']} GB = {v:g}")
    return sum(vals) / len(vals), parts


def hubblo_average(data: Data) -> dict:
    avg = data.average
    per_gb, parts = vram_rule(data)
    assert abs(per_gb - 15.5) < 1e-9, per_gb
    lu_cas = avg["casing"]["manufacturing_LU"]
    casing_vals = factor_values(lambda c: avg["casing"][f"manufacturing_{HUBBLO[c]}"], "casing")
    # casing LU: the calculator averaged the RTX A4500 cell '-2,26E-02' read as -2.26; correct it
    a45 = data.gpus["NVIDIA RTX A4500"]["casingWeight"] / 1000.0
    n_lu = sum(1 for card in data.cards_with_rows() if card != "NVIDIA H100 PCIe 80GB"
               and cell(data.row(card, "casing")["manufacturing_LU"])[0])
    lu_fixed = lu_cas + (-0.0226 - (-2.26)) / a45 / n_lu
    assert n_lu == 6 and abs(lu_fixed - 0.890) < 0.0005, (n_lu, lu_fixed)
    casing_vals["lu"] = Flow(value=lu_fixed, status="measured", corrected_from=lu_cas, note=(
        f"corrected: average_model.json has {lu_cas:.4f}, corrupted by a parse error: the RTX "
        "A4500 casing LU cell '-2,26E-02' (decimal comma) was read as -2.26 by the calculator's "
        f"CSV-to-JSON step, i.e. {-2.26 / a45:.1f} Pt/kg for that card. Read correctly (-0.0226, "
        f"{-0.0226 / a45:.3f} Pt/kg) the mean over the {n_lu} cards with a non-zero value is "
        f"{lu_fixed:+.3f} Pt/kg (shipped). The original is in corrected_from."))
    m = lambda comp: (lambda c: avg[comp][f"manufacturing_{HUBBLO[c]}"])
    factors = {
        "gpu_die": {"per": "mm**2", "basis": (
            "effective GPU die area with wafer losses, Murphy yield (yield_models.yaml: murphy, "
            "D0 0.1/cm2): A / Y_murphy(A). NB the calculator applies it to the circular-wafer "
            "area computeDieSurface(A) (yield_models.yaml: hubblo-calculator), e.g. A100 "
            "2,875.5 mm2 instead of 1,783.0 mm2"),
            "values": factor_values(m("graphics_processing_unit"), "gpu_die")},
        "vram": {"per": "mm**2", "basis": (
            "effective area of ALL VRAM dies of the card: (die area / Y_murphy(die area)) x "
            "number of dies, over the cards with a documented die area (P100, A100 PCIe, "
            "A100 SXM4, GH200). NB the calculator applies it to ONE die's circular-wafer area "
            "when vram_die_area is documented, and to (computeDieSurface(round(15.5 x GB / dies)) "
            "x dies) otherwise"),
            "values": factor_values(m("video_ram"), "vram")},
        "pcb": {"per": "cm**2", "basis": "printed wiring board surface (all electronics except GPU and VRAM dies)",
                "values": factor_values(m("printed_wiring_board"), "pcb")},
        "heatsink": {"per": "kg", "basis": "heatsink mass",
                     "values": factor_values(m("heatsink"), "heatsink")},
        "casing": {"per": "kg", "basis": "casing (shroud) mass", "values": casing_vals},
        "upstream_transport": {"per": "kg", "basis": (
            "total card mass; transport of components to assembly (the calculator counts it "
            "in its 'manufacturing' total)"),
            "values": factor_values(m("upstream_transport"), "upstream_transport")},
        "end_of_life": {"per": "kg", "basis": "total card mass",
                        "values": factor_values(lambda c: avg["end_of_life"][f"end_of_life_{HUBBLO[c]}"],
                                                "end_of_life")},
    }
    return {
        "id": "hubblo-calculator-average",
        "name": "Hubblo GPU calculator average parametric model (average_model.json)",
        "source": "hubblo-gpu-calculator",
        "note": (
            "The factors the calculator actually uses, recomputed by computeAverageModel() from "
            "the per-card rows of 8 cards (all except H100 PCIe 80GB, average.ts), GH200 "
            "included. Each factor is the mean over cards of (component impact / driver), "
            "zeros and blanks dropped. Reproduced from gpus_impact_factors.csv + gpus.json to "
            "1e-9 in every category except casing LU (see its note). They differ from the docs' "
            "Table 2 (ademe-table2.yaml), which averages 7 cards (GH200 excluded): the GH200 PWB "
            "row raises pcb GWP from 0.0326 to 0.0730 kg CO2 eq/cm2. Values are category unit "
            "per reference unit (per:)."),
        "data": {"vram_die_area_per_gb": Flow(
            value=f"{per_gb:g} mm**2 / GB", source="hubblo-gpu-calculator",
            note=("averageVramDieSurface() in calculations.ts: mean of (videoRamDieSurface x "
                  "videoRamDies / videoRamCapacity) over cards with a documented VRAM die area, "
                  "GH200 excluded: " + "; ".join(parts) + f"; mean {per_gb:g}. Used only when a "
                  "card has no videoRamDieSurface: die area = round(15.5 x GB / dies) mm2 "
                  "(without losses), then computeDieSurface() per die, then x number of dies. "
                  "When the die area IS documented the calculator uses computeDieSurface(die "
                  "area) of a single die and does not multiply by the number of dies. "
                  "BoaviztAPI's VRAM_DIE_SURFACE_PER_GB = 15.5 is the same number."))},
        "characterisation": characterisation(),
        "pedigree": pedigree(*PED_AVERAGE),
        "factors": flag_factor_eol(factors),
    }


def flag_factor_eol(factors: dict) -> dict:
    """Suspect end-of-life wu of a factor set, alternative = value x median per-card scale."""
    sc = sorted(EOL_WU_SCALES)
    med = sc[len(sc) // 2] if len(sc) % 2 else 0.5 * (sc[len(sc) // 2 - 1] + sc[len(sc) // 2])
    vals = factors["end_of_life"]["values"]
    v = _num(vals["wu"])
    vals["wu"] = Flow(value=v, status="suspect", suspect_reason=(
        f"{v:.0f} m3 eq per kg of card: the per-card end-of-life water use it averages is "
        f"{min(1 / x for x in sc):.0f}-{max(1 / x for x in sc):.0f}x what the other categories' "
        "end-of-life/cradle-to-gate ratio implies (e.g. A100 SXM4: 1,060 m3 eq, 17x its "
        "cradle-to-gate water use); probably an artefact of the background e-waste dataset; not verified."),
        alternative=Flow(value=float(f"{v * med:.3g}"), source="hubblo-gpu-calculator", note=(
            f"value x {med:.4f}, the median over the {len(sc)} ADEME per-card datasets of (alternative / "
            "published) end-of-life wu, where each card's alternative is its cradle-to-gate wu x the "
            "median end-of-life/cradle-to-gate ratio of its other 13 categories")))
    return factors


def table2(data: Data) -> dict:
    rows = data.table2
    def vals(name, comp):
        r = rows[name]
        col = {TABLE2[k.split(" (")[0]]: k for k in r if k.split(" (")[0] in TABLE2}
        assert set(col) == set(CODES), col
        return factor_values(lambda c: float(r[col[c]]), comp)
    factors = {
        "gpu_die": {"per": "mm**2", "basis": (
            "effective GPU die area with wafer losses, Murphy yield (D0 0.1/cm2); mean over 7 "
            "cards (GH200 and H100 PCIe excluded): recomputed 0.04267 vs 0.0426 printed"),
            "values": vals("GPU", "gpu_die")},
        "vram": {"per": "mm**2", "basis": (
            "Murphy-effective area of a SINGLE VRAM die (derived: P100 12.5 / 89.54 = 0.140, "
            "A100 PCIe and SXM4 19.3 / 93.96 = 0.205, mean 0.1835 -> 0.184 kg CO2 eq/mm2). "
            "Multiply by the effective area of one die only: applying it to all dies (as "
            "BoaviztAPI does) overstates VRAM by about the number of dies"),
            "values": vals("VRAM", "vram")},
        "pcb": {"per": "cm**2", "basis": "printed wiring board surface",
                "values": vals("PCB", "pcb")},
        "heatsink": {"per": "kg", "basis": "heatsink mass", "values": vals("Heatsink", "heatsink")},
        "casing": {"per": "kg", "basis": "casing mass", "values": vals("Casing", "casing")},
        "upstream_transport": {"per": "kg", "basis": "total card mass",
                               "values": vals("Upstream transport", "upstream_transport")},
        "end_of_life": {"per": "kg", "basis": "total card mass",
                        "values": vals("End-of-life", "end_of_life")},
    }
    return {
        "id": "ademe-table2",
        "name": "ADEME/Hubblo GPU parametric model, docs Table 2 average impact factors",
        "source": "hubblo-gpu-calculator-docs",
        "note": (
            "Table 2 of docs/doc-en.md (hubblo-org/gpu-calculator@2308a62), 3 significant "
            "figures; the same values (more digits) are BoaviztAPI's gpu factors. Averages over "
            "the 7 analysed cards GTX 1080 Ti, RTX A4500, TITAN RTX, P100, L4, A100 PCIe, A100 "
            "SXM4 (recomputed here from the per-card rows to within 0.3 %). Table 2's transport "
            "rows are identical to transport-eime.yaml and are kept there. Internally "
            "consistent use: Murphy-effective GPU area, single-die Murphy-effective VRAM area."),
        "characterisation": characterisation(),
        "pedigree": pedigree(*PED_AVERAGE),
        "factors": flag_factor_eol(factors),
    }


def transport_factors(data: Data) -> dict:
    factors = {}
    for mode in ("transport_truck", "transport_boat", "transport_plane"):
        r = data.transport[mode]
        factors[mode] = {"per": "kg * km", "basis": "card mass x distance",
                         "values": factor_values(lambda c: float(r[HUBBLO[c]]), mode)}
    return {
        "id": "transport-eime",
        "name": "Transport impact factors per kg.km (EIME, as published by ADEME/Hubblo)",
        "source": "eime-transport",
        "note": ("transport_impacts.csv of the Hubblo calculator; the docs state they come from "
                 "the EIME database (Bureau Veritas CODDE). Used for distribution (card "
                 "factory -> user) with the distances of inventories/transport.yaml."),
        "characterisation": characterisation(note="EIME transport datasets; land use is 0 for every mode in the source."),
        "pedigree": pedigree(*PED_TRANSPORT),
        "factors": factors,
    }


def yield_models() -> dict:
    ym, am = murphy_area(826)
    _, hm = murphy_area(86.25)
    n, u, ac = circular_wafer_area(826)
    _, _, hc = circular_wafer_area(86.25)
    _, _, h100 = circular_wafer_area(814)
    yp = math.exp(-826 * 0.1 / 100)
    return {
        "source": "hubblo-gpu-calculator",
        "note": ("Effective die area = area of wafer consumed per good die. A factor normalised "
                 "with one model must be applied with the same model (see "
                 "docs/_fragments/data-gpus.md)."),
        "default": "murphy",
        "models": {
            "murphy": {
                "formula": "murphy",
                "defect_density": Flow(value="0.1 / cm**2", source="hubblo-gpu-calculator",
                                       note="defectDensity = 0.1 in computeYieldPercentage()"),
                "source": "murphy-1964-yield",
                "note": (
                    "computeYieldPercentage(A) in calculations.ts ('Murphy's model used by "
                    "SemiAnalysis Die Yield Calculator'): D = A[mm2] x D0[1/cm2] / 100; "
                    "Y = ((1 - exp(-D)) / D)**2; effective area = A / Y. No edge or kerf loss. "
                    "Used by computeAverageModel() to normalise the GPU and VRAM factors of "
                    f"average_model.json and (derived) docs Table 2. A100 826 mm2: Y = {ym:.4f}, "
                    f"{am:,.1f} mm2; HBM2 86.25 mm2: {hm:.2f} mm2."),
            },
            "poisson": {
                "formula": "poisson",
                "defect_density": Flow(value="0.1 / cm**2", source="hubblo-gpu-calculator",
                                       note="same D0 as the Murphy model, for comparison"),
                "source": "murphy-1964-yield",
                "note": ("Y = exp(-A x D0); effective area = A / Y. Not used by any source "
                         f"model; a more pessimistic bound for large dies (A100: Y = {yp:.3f}, "
                         f"{826 / yp:,.0f} mm2)."),
            },
            "hubblo-calculator": {
                "formula": "circular_wafer",
                "wafer_diameter": "300 mm",
                "kerf": "0.2 mm",
                "defect_density": "0.1 / cm**2",
                "source": "hubblo-gpu-calculator",
                "note": (
                    "computeDieSurface(A) in calculations.ts (hubblo-org/gpu-calculator, "
                    "src/lib/gpu/calculations.ts), returns 0 if A < 1 mm2. With d = 300 mm, "
                    "r = d/2, kerf k = 0.2 mm: s = (sqrt(A) + k)**2; N = round(pi r**2 / s - "
                    "pi d / sqrt(2 s)) dies per wafer; coverage = A N / (pi r**2); usable = "
                    "exp(-sqrt(A[mm2] / 100 x D0[1/cm2])) (a Seeds-type yield); effective area = "
                    "A / (coverage x usable) = pi r**2 / (N x usable). Used by computeImpacts() "
                    f"when applying the average factors to a card. A100 826 mm2: N = {n}, usable "
                    f"= {u:.4f}, {ac:,.1f} mm2; HBM2 86.25 mm2: {hc:.1f} mm2; GH100 814 mm2: "
                    f"{h100:,.1f} mm2. BoaviztAPI _calculate_effective_area_on_circular_wafer "
                    "gives the same (2,876 mm2 for the A100)."),
            },
        },
    }


def transport_distances(data: Data) -> dict:
    gwp = {m: float(data.transport[f"transport_{m}"]["GWP"]) for m in ("plane", "truck", "boat")}
    mass = data.gpus["NVIDIA A100 SXM4 40GB"]["totalWeight"] / 1000
    by_plane = mass * (9908 * gwp["plane"] + 1000 * gwp["truck"])
    by_boat = mass * (19000 * gwp["boat"] + 1000 * gwp["truck"])
    return {
        "source": "hubblo-gpu-calculator",
        "note": (
            "Distribution distances (card factory -> place of use), applied as card mass x "
            "distance x transport-eime factor per mode. The Hubblo docs disagree with the code: "
            "Table 1 gives plane 9,908 km (Shenzhen-Paris), truck 1,000 km, boat 0 km, as the "
            "code (computeImpacts(), after commit 756a46c 'distances ... were incorrect'), but "
            "the docs text also says 'a distance of 19.000 kilometers by plane and 1000 "
            "kilometers by truck'. The ADEME per-card rows of the H100 PCIe carry boat 19,000 "
            "km + truck 1,000 km, like BoaviztAPI. The plane set gives about "
            f"{by_plane / by_boat:.0f}x the distribution GWP of the boat set (A100 SXM4 40GB: "
            f"{by_plane:.1f} vs {by_boat:.2f} kg CO2 eq)."),
        "characterisation": {"method": "not applicable (distances only; impacts from factors/transport-eime.yaml)",
                             "convention": "not_applicable"},
        "pedigree": pedigree(*PED_DISTANCES),
        "default": "hubblo-calculator",
        "sets": {
            "hubblo-calculator": {
                "source": "hubblo-gpu-calculator",
                "plane": "9908 km", "truck": "1000 km", "boat": "0 km",
                "note": "calculations.ts computeImpacts(): distanceByPlane 9908, distanceByTruck 1000, distanceByBoat 0",
            },
            "boavizta": {
                "source": "boaviztapi",
                "boat": "19000 km", "truck": "1000 km", "plane": "0 km",
                "note": ("BoaviztAPI GPU archetype and gpu_specs.csv defaults (distance_boat "
                         "19000, distance_truck 1000, distance_plane 0)"),
            },
        },
    }


# --------------------------------------------------------------------------------------------
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data" / "gpu")
    ap.add_argument("--boavizta", type=Path,
                    default=ROOT.parent / "shared" / "data" / "boavizta" / "raw" / "crowdsourcing" / "gpu_specs.csv")
    ap.add_argument("--out", type=Path, default=ROOT)
    args = ap.parse_args(argv)
    data = Data(args.shared, args.boavizta)
    inv = args.out / "inventories"

    for card_id in SPECS:
        header = (f"{SPECS[card_id]['name']}: specs, bill of materials and published per-card "
                  f"impacts.\n{GENERATED}\nFormat: docs/inventory-format.md. Provenance and "
                  f"licences: docs/_fragments/data-gpus.md.")
        write_yaml(inv / "accelerators" / f"{card_id}.yaml", accelerator(data, card_id), header)

    write_yaml(inv / "factors" / "hubblo-calculator-average.yaml", hubblo_average(data),
               "Average component factors of the Hubblo GPU calculator (CC BY-SA 4.0: ADEME / "
               f"Hubblo).\n{GENERATED}")
    write_yaml(inv / "factors" / "ademe-table2.yaml", table2(data),
               "Table 2 of the ADEME/Hubblo GPU model docs (CC BY-SA 4.0: ADEME / Hubblo).\n"
               + GENERATED)
    write_yaml(inv / "factors" / "transport-eime.yaml", transport_factors(data),
               "Transport factors per kg.km (EIME via ADEME/Hubblo, CC BY-SA 4.0).\n" + GENERATED)
    write_yaml(inv / "yield_models.yaml", yield_models(),
               "Die yield / effective-area models (wafer losses), as data.\n" + GENERATED)
    write_yaml(inv / "transport.yaml", transport_distances(data),
               "Distribution distances by transport mode.\n" + GENERATED)
    return 0


if __name__ == "__main__":
    sys.exit(main())
