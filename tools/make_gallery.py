"""Regenerate the chart gallery: docs/gallery/*.png and docs/gallery.md, from the shipped scenarios.

    python tools/make_gallery.py            # from anywhere; writes into the repository's docs/
    python tools/make_gallery.py --only compare-gpt4-a100-h100 morris-gpt4-a100   # just these images

Every chart kind of ``lca plot`` appears at least once. Runs are seeded, and PNG files carry no
date stamp, so re-running without a change to the code or data leaves the files as they are.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

DPI = 150
SEED = 1
MC_SAMPLES = 1000
SOBOL_N = 1024
MORRIS_N = 40
COMPARE_SAMPLES = 2000
GRID = ("workload.mfu=0.2:0.6:17", "lifetime.lifespan=1:6:11")


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def entries():
    """(file stem, title, description, command, builder) for every gallery image."""
    from lca.analysis.sensitivity import sobol
    from lca.analysis.sweep import sweep
    from lca.model import run
    from lca.outputs import plots

    gpt4 = "scenarios/gpt4-a100.yaml"
    llama = "scenarios/llama31-405b-h100.yaml"
    cache = {}

    def result(path, samples=None):
        key = (path, samples)
        if key not in cache:
            cache[key] = run(str(ROOT / path), samples=samples, seed=SEED if samples else None)
        return cache[key]

    def grid():
        if "sweep" not in cache:
            cache["sweep"] = sweep(str(ROOT / gpt4), list(GRID))
        return cache["sweep"]

    def sens():
        if "sobol" not in cache:
            cache["sobol"] = sobol(str(ROOT / gpt4), SOBOL_N, seed=SEED)
        return cache["sobol"]

    def morris():
        import lca

        return lca.sensitivity(str(ROOT / gpt4), "morris", MORRIS_N, seed=SEED)

    def comparison():
        import lca

        # the shipped name, not the file path, so the chart names the reference "gpt4-a100"
        h100 = {"scenario": "gpt4-a100", "set": {"accelerator": "h100-sxm5-80gb", "embodied.method": "parametric"},
                "label": "H100 SXM5"}
        return lca.compare(["gpt4-a100", h100], samples=COMPARE_SAMPLES, seed=SEED)

    sweep_cmd = f"lca sweep {gpt4} " + " ".join(f"--grid {g}" for g in GRID) + " --format netcdf -o sweep.nc"
    return [
        ("stages-gpt4-a100", "Stages: share of each life-cycle stage, 16 categories",
         "GPT-4 on A100 (US grid). 100 % stacked bars of the covered stages; the use stage of freshwater "
         "ecotoxicity (ctue) and land use (lu) has no open electricity data, so it is a hatched `n/c` box and "
         "those totals are marked `*` (partial, lower bound).",
         f"lca plot {gpt4} --kind stages -o stages.png", lambda: plots.stages(result(gpt4))),
        ("stages-llama31-405b-h100", "Stages: Llama 3.1 405B on H100",
         "The same chart for a parametric card (H100 SXM5, bill of materials x component factors).",
         f"lca plot {llama} --kind stages -o stages.png", lambda: plots.stages(result(llama))),
        ("components-gpt4-a100", "Components: cradle-to-gate contribution by component (A100, measured)",
         "Manufacturing components and upstream transport of one A100 SXM4 40GB, from the More than Carbon "
         "component data: the main dies give 82 % of climate change and 80 % of fossil resource use, and are the "
         "largest contributor in 10 of 16 categories, as in the study's figure.",
         f"lca plot {gpt4} --kind components -o components.png", lambda: plots.components(result(gpt4))),
        ("components-llama31-405b-h100", "Components: parametric H100 SXM5",
         "Cradle-to-gate by component for a card without a published LCA: GPU die (area, yield), VRAM, PCB, "
         "heatsink and casing, from the ADEME/Hubblo average component factors.",
         f"lca plot {llama} --kind components -o components.png", lambda: plots.components(result(llama))),
        ("absolute-gpt4-a100", "Absolute: one panel per category, in its unit",
         "Stage values of the GPT-4 run on a log scale (each panel in its category's unit); hatched columns are "
         "not covered.",
         f"lca plot {gpt4} --kind absolute -o absolute.png", lambda: plots.absolute(result(gpt4))),
        ("distribution-gpt4-a100", "Distribution: Monte Carlo spread per category",
         f"{MC_SAMPLES} samples (seed {SEED}) of MFU, PUE and accelerator lifespan. Each total divided by its "
         "median; boxes are quartiles, whiskers the 5th-95th percentiles; the median with its unit on the right. "
         "Categories dominated by the embodied stages (odp, ctuh_c, ctue, lu, wu, adpe) spread most: they scale "
         "with 1/lifespan.",
         f"lca plot {gpt4} --kind distribution --samples {MC_SAMPLES} --seed {SEED} -o distribution.png",
         lambda: plots.distribution(result(gpt4, MC_SAMPLES))),
        ("sobol-gpt4-a100", "Sobol: S1/ST with confidence intervals, and parameter x category heatmap",
         f"Sobol indices (N = {SOBOL_N}, seed {SEED}) of the GPT-4 run's uncertain parameters. PUE drives the "
         "use-dominated categories with accelerator power and the grid's own factor (`grid gwp` ...), lifespan "
         "the manufacturing-dominated ones.",
         f"lca sensitivity {gpt4} --method sobol -n {SOBOL_N} --seed {SEED} --format netcdf -o sobol.nc && "
         "lca plot sobol.nc --kind sobol -o sobol.png", lambda: plots.sobol(sens())),
        ("morris-gpt4-a100", "Morris: screening of the parameters of climate change",
         f"Morris elementary effects ({MORRIS_N} trajectories, seed {SEED}) of every uncertain parameter of the "
         "GPT-4 run on climate change: mu* with its 95 % confidence interval (left, largest first) and mu* "
         "against sigma (right; points far above the dotted line have non-linear or interacting effects). "
         "`--var` picks another output.",
         f"lca sensitivity {gpt4} --method morris -n {MORRIS_N} --seed {SEED} --format netcdf -o morris.nc && "
         "lca plot morris.nc --kind morris --var gwp -o morris.png", lambda: plots.morris(morris(), "gwp")),
        ("compare-gpt4-a100-h100", "Compare: the same job on A100 and on H100 SXM5",
         f"Each category total of the GPT-4 job on H100 SXM5 (parametric embodied data) divided by the A100 run's, "
         f"with {COMPARE_SAMPLES} common-random-number Monte Carlo samples (seed {SEED}); P is the probability "
         "that the H100 total is lower.",
         "python -c \"import lca; h100 = {'scenario': 'gpt4-a100', 'set': {'accelerator': 'h100-sxm5-80gb', "
         "'embodied.method': 'parametric'}, 'label': 'H100 SXM5'}; "
         f"lca.plot(lca.compare(['gpt4-a100', h100], samples={COMPARE_SAMPLES}, seed={SEED}), 'compare', "
         "'compare.png')\"",
         lambda: plots.compare(comparison())),
        ("heatmap-lifetimes-gpt4-a100", "Heatmap: accelerator lifetimes consumed over MFU x lifespan",
         "The \"GPU count\" of From FLOPs to Footprints: lifetimes consumed = accelerator-hours / (lifespan x "
         "utilisation x 8760 h), over a 17 x 11 grid, with labelled contours.",
         f"{sweep_cmd} && lca plot sweep.nc --kind heatmap --var lifetimes_consumed -o heatmap.png",
         lambda: plots.heatmap(grid(), "lifetimes_consumed")),
        ("heatmap-gwp-gpt4-a100", "Heatmap: climate change over MFU x lifespan",
         "Total climate change of the run over the same grid: MFU sets the energy (use), lifespan the embodied "
         "share.",
         "lca plot sweep.nc --kind heatmap --var gwp -o heatmap-gwp.png", lambda: plots.heatmap(grid(), "gwp")),
        ("single-score-gpt4-a100", "Single score: EF 3.1 weighted, by category and stage",
         "Normalised and weighted EF 3.1 single score (Pt), largest category first, stacked by stage. Not-covered "
         "stages are left out of the score and marked, so the score is labelled partial.",
         f"lca plot {gpt4} --kind single-score -o single-score.png", lambda: plots.single_score(result(gpt4))),
    ]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", default=str(ROOT / "docs"), help="docs directory (default: the repository's docs/)")
    ap.add_argument("--only", nargs="+", metavar="STEM",
                    help="draw only these images (file stems); the page is still written in full")
    args = ap.parse_args(argv)
    return make(args.docs, only=args.only)


def make(docs_dir=ROOT / "docs", only=None) -> int:
    """Write the gallery images (all of them, or only the stems in ``only``) and the page."""
    from lca.outputs import plots

    docs = Path(docs_dir)
    out = docs / "gallery"
    out.mkdir(parents=True, exist_ok=True)
    items = entries()
    stems = [e[0] for e in items]
    unknown = sorted(set(only or ()) - set(stems))
    if unknown:
        raise SystemExit(f"--only {unknown[0]}: no such gallery image; images: {', '.join(stems)}")
    lines = ["# Chart gallery", "",
             "Every chart kind of `lca plot`, drawn from the shipped scenarios. Regenerate all images and this page "
             "with one command:", "", "```", "python tools/make_gallery.py", "```", "",
             "Conventions: one colour per life-cycle stage in every chart (Okabe-Ito, colour-blind safe: "
             "manufacturing blue, transport orange, use green, end of life purple); hatched boxes labelled `n/c` "
             "are data not covered by open sources (never drawn as zero); `*` marks a partial total (a lower bound); "
             "units in every axis label; fonts of 7 pt or more at paper column (3.5 in) or full (7.2 in) width. "
             "See [cli.md](cli.md) for `lca plot` and `lca report`.", ""]
    written = set()
    for stem, title, text, cmd, build in items:
        lines += [f"## {title}", "", f"![{title}](gallery/{stem}.png)", "", text, "", "```", cmd, "```", ""]
        written.add(f"{stem}.png")
        if only and stem not in only:
            continue
        t0 = time.perf_counter()
        fig = build()
        path = plots.save(fig, out / f"{stem}.png", dpi=DPI)
        print(f"wrote {_rel(path) if path.is_relative_to(ROOT) else path} ({time.perf_counter() - t0:.1f} s)")
    for old in out.glob("*.png"):  # images of entries that no longer exist
        if old.name not in written:
            old.unlink()
    from lca.outputs.files import write_text

    write_text(docs / "gallery.md", "\n".join(lines))
    print(f"wrote {docs / 'gallery.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
