#!/usr/bin/env python3
"""Dev-only check: re-implement the Hubblo GPU calculator from the project's inventories only.

Reads nothing but inventories/ YAML (no ../shared, no network):
    accelerators/<card>.yaml                 BOM (masses, PCB area, die areas, VRAM)
    factors/hubblo-calculator-average.yaml   average factors + data.vram_die_area_per_gb
    factors/transport-eime.yaml              per kg.km factors
    yield_models.yaml                        models.hubblo-calculator (circular wafer)
    transport.yaml                           sets.hubblo-calculator distances

and re-computes the calculator's parametric result (computeImpacts() in
hubblo-org/gpu-calculator src/lib/gpu/calculations.ts) for the A100 PCIe 40GB:
    manufacturing = casing + heatsink + PWB + GPU die + VRAM + upstream transport
                    (the calculator counts upstream transport in 'manufacturing')
    transport     = card mass x sum(distance x factor) over plane / truck / boat
    end of life   = card mass x EoL factor
GPU die: factor x computeDieSurface(A). VRAM: factor x computeDieSurface(die) of ONE die when the
die area is documented, else factor x computeDieSurface(round(per_gb x GB / dies)) x dies.

Targets (public calculator page, re-run in a100_lca_paper.md section 3.5): total ADPf 2,445 MJ,
GWP 180.6 kg CO2 eq, ADPe 0.006896 kg Sb eq; manufacturing GWP 153.0, transport 25.78,
end of life 1.817. Exit 1 if any differs by more than 0.5 %.

Usage: python tools/check_calculator.py [--card a100-pcie-40gb]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from lca.units import parse_quantity  # noqa: E402  (the project's one pint registry)

INV = ROOT / "inventories"
CATS = ("gwp", "adpf", "adpe")
UNITS = {"gwp": "kg CO2 eq", "adpf": "MJ", "adpe": "kg Sb eq"}
TARGETS = {  # (stage, category): value
    ("total", "adpf"): 2445.0, ("total", "gwp"): 180.6, ("total", "adpe"): 0.006896,
    ("manufacturing", "gwp"): 153.0, ("transport", "gwp"): 25.78, ("end_of_life", "gwp"): 1.817,
}
TOLERANCE = 0.005


def load(rel: str) -> dict:
    return yaml.safe_load((INV / rel).read_text(encoding="utf-8"))


def value_of(field):
    """Bare value or the `value` of a {value: ..., source: ...} mapping."""
    return field["value"] if isinstance(field, dict) else field


def mag(field, unit: str) -> float:
    return parse_quantity(value_of(field), expected=unit).to(unit).magnitude


def circular_wafer_area(a_mm2: float, model: dict) -> float:
    """computeDieSurface(): effective area (mm2) per good die on a circular wafer."""
    if a_mm2 < 1:
        return 0.0
    d = mag(model["wafer_diameter"], "mm")
    kerf = mag(model["kerf"], "mm")
    d0 = mag(model["defect_density"], "1/cm**2")
    r = d / 2
    s = (math.sqrt(a_mm2) + kerf) ** 2
    n = round(math.pi * r * r / s - math.pi * d / math.sqrt(2 * s))
    coverage = a_mm2 * n / (math.pi * r * r)
    usable = math.exp(-math.sqrt(a_mm2 / 100 * d0))
    return a_mm2 / (coverage * usable)


def factor(factors: dict, component: str, cat: str) -> float:
    v = value_of(factors[component]["values"][cat])
    if v is None:
        return float("nan")
    return float(v)


def compute(card_id: str) -> dict:
    card = load(f"accelerators/{card_id}.yaml")
    avg = load("factors/hubblo-calculator-average.yaml")
    eime = load("factors/transport-eime.yaml")["factors"]
    wafer = load("yield_models.yaml")["models"]["hubblo-calculator"]
    dist = {mode: d for mode, d in load("transport.yaml")["sets"]["hubblo-calculator"].items()
            if mode in ("truck", "boat", "plane")}
    f = avg["factors"]
    bom = card["bom"]

    mass = mag(bom["total_mass"], "kg")
    casing = mag(bom["casing_mass"], "kg")
    heatsink = mag(bom["heatsink_mass"], "kg")
    pcb = mag(bom["pcb_area"], "cm**2")
    gpu_area = circular_wafer_area(mag(bom["gpu_die_area"], "mm**2"), wafer)
    dies = int(value_of(bom["vram_dies"]))
    gb = mag(bom["vram_capacity"], "GB")
    if "vram_die_area" in bom:  # documented: ONE die, not multiplied by the number of dies
        vram_area = circular_wafer_area(mag(bom["vram_die_area"], "mm**2"), wafer)
        vram_rule = "documented die area, one die"
    else:
        per_gb = mag(avg["data"]["vram_die_area_per_gb"], "mm**2/GB")
        die = round(per_gb * gb / dies) if dies and gb else 0
        vram_area = circular_wafer_area(die, wafer) * dies
        vram_rule = f"round({per_gb:g} x {gb:g} / {dies}) = {die} mm2 per die, x {dies} dies"
    km = {mode: mag(d, "km") for mode, d in dist.items()}

    out = {"_areas": (gpu_area, vram_area, vram_rule)}
    for cat in CATS:
        manuf = (factor(f, "casing", cat) * casing + factor(f, "heatsink", cat) * heatsink
                 + factor(f, "pcb", cat) * pcb + factor(f, "gpu_die", cat) * gpu_area
                 + factor(f, "vram", cat) * vram_area)
        upstream = factor(f, "upstream_transport", cat) * mass
        distribution = sum(factor(eime, f"transport_{mode}", cat) * mass * d for mode, d in km.items())
        eol = factor(f, "end_of_life", cat) * mass
        out[cat] = {"manufacturing": manuf + upstream, "upstream_transport": upstream,
                    "transport": distribution, "end_of_life": eol,
                    "total": manuf + upstream + distribution + eol}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Re-run the Hubblo GPU calculator from inventories/")
    ap.add_argument("--card", default="a100-pcie-40gb")
    args = ap.parse_args(argv)
    res = compute(args.card)
    gpu_area, vram_area, rule = res.pop("_areas")
    print(f"{args.card}: GPU effective area {gpu_area:.1f} mm2 (circular wafer); "
          f"VRAM area {vram_area:.1f} mm2 ({rule})")
    print(f"{'':6}{'manufacturing':>15}{'(upstream tr.)':>16}{'transport':>12}"
          f"{'end of life':>13}{'total':>12}  unit")
    for cat in CATS:
        r = res[cat]
        print(f"{cat:6}{r['manufacturing']:15.4g}{r['upstream_transport']:16.4g}"
              f"{r['transport']:12.4g}{r['end_of_life']:13.4g}{r['total']:12.4g}  {UNITS[cat]}")
    if args.card != "a100-pcie-40gb":
        return 0
    ok = True
    print("\ncheck against the public calculator page (tolerance 0.5 %):")
    for (stage, cat), target in TARGETS.items():
        got = res[cat][stage]
        dev = got / target - 1
        flag = "ok" if abs(dev) <= TOLERANCE else "FAIL"
        ok &= flag == "ok"
        print(f"  {stage:14}{cat:5} {got:12.5g} vs {target:<10g} {100 * dev:+.3f} %  {flag}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
