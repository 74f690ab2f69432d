"""Hugging Face model-card export: the ``co2_eq_emissions`` metadata block and a markdown table.

The Hub's model-card metadata (https://huggingface.co/docs/hub/model-cards-co2) has::

    co2_eq_emissions:
      emissions: number (in grams of CO2)
      source: "..."
      training_type: "pre-training or fine-tuning"
      geographical_location: "..."
      hardware_used: "..."

``emissions`` here is the **cradle-to-grave** climate-change total (GWP100, all four stages:
manufacturing, transport and end of life of the accelerator lifetimes the run consumed, plus the
electricity of the run), in grams of CO2 eq; the table under it gives the 16 EF 3.1 categories by
stage, and the notes say which stages are included and which categories are not covered.
"""

from __future__ import annotations

import json
import math

from lca.errors import InputError
from lca.outputs.formatting import number
from lca.vocab import STAGES  # noqa: E402

STAGE_LABELS = {"manufacturing": "Manufacturing", "transport": "Transport", "use": "Use (electricity)",
                "end_of_life": "End of life"}
TRAINING_TYPES = ("pre-training", "fine-tuning")


def _fmt(x) -> str:
    return number(x)


def _yaml_number(x: float) -> str:
    x = float(f"{x:.6g}")
    if x.is_integer() and abs(x) < 1e15:  # tolerance: exact integers print without exponent
        return str(int(x))
    return repr(x)


def _names(doc: dict, inventory=None) -> tuple[str, str]:
    """(accelerator name, grid name) from the shipped inventory, falling back on the ids."""
    acc, grid = doc.get("accelerator") or "unknown accelerator", doc.get("grid") or "unknown"
    try:
        from lca.inventory import load_inventory

        inv = inventory or load_inventory()
        acc_name = inv.accelerators[acc].name if acc in inv.accelerators else acc
        if grid in inv.grids:
            g = inv.grids[grid]
            grid_name = f"{g.name} (electricity grid {g.id}" + (f", {g.year}" if g.year else "") + ")"
        elif grid == "inline":
            grid_name = "not specified (inline electricity factors)"
        else:
            grid_name = f"electricity grid {grid}"
    except Exception:  # noqa: BLE001 - names are cosmetic; never fail the export for them
        acc_name, grid_name = acc, f"electricity grid {grid}"
    return acc_name, grid_name


def card_metadata(doc: dict, *, training_type: str = "pre-training", location: str | None = None,
                  hardware: str | None = None, inventory=None) -> dict:
    """The ``co2_eq_emissions`` mapping from a result document (:func:`lca.export.to_json_dict`)."""
    if training_type not in TRAINING_TYPES:
        raise InputError(f"training_type: expected one of {', '.join(TRAINING_TYPES)}, got {training_type!r}")
    gwp = doc["impacts"]["gwp"]
    if gwp["total"] is None:
        raise InputError("the result has no climate-change (gwp) total: nothing to put in co2_eq_emissions")
    grams = gwp["total"] * 1000.0  # kg CO2 eq -> g
    acc_name, grid_name = _names(doc, inventory)
    q = doc.get("quantities", {})
    if hardware is None:
        life = (q.get("lifetimes_consumed") or {}).get("value")
        hours = (q.get("accelerator_hours") or {}).get("value")
        count = (q.get("accelerator_count") or {}).get("value")
        h = f"{_fmt(hours)} accelerator-hours" if hours is not None else None
        if life is not None and life >= 1:
            n = int(count) if count is not None else math.ceil(life)
            hardware = f"{n} x {acc_name} (accelerator lifetimes consumed: {life:,.1f}" + (f"; {h})" if h else ")")
        elif life is not None:
            hardware = f"{acc_name}, " + (f"{h} " if h else "") + f"({life:.3g} accelerator lifetimes consumed)"
        else:
            hardware = acc_name + (f", {h}" if h else "")
    stages_in = [s for s in STAGES if gwp["stages"].get(s) is not None]
    source = (f"lca {doc.get('lca_version', '')} cradle-to-grave LCA (EF 3.1), scenario "
              f"'{doc.get('scenario')}': GWP100 of {', '.join(STAGE_LABELS[s].lower() for s in stages_in)}"
              + (" (Monte Carlo mean)" if "samples" in doc else ""))
    return {"emissions": grams, "source": source, "training_type": training_type,
            "geographical_location": location or grid_name, "hardware_used": hardware}


def render_card(doc: dict, *, training_type: str = "pre-training", location: str | None = None,
                hardware: str | None = None, inventory=None) -> str:
    """YAML front-matter block + markdown table of the 16 categories by stage, to paste in README.md."""
    meta = card_metadata(doc, training_type=training_type, location=location, hardware=hardware,
                         inventory=inventory)
    gwp = doc["impacts"]["gwp"]
    lines = ["---", "co2_eq_emissions:",
             f"  emissions: {_yaml_number(meta['emissions'])}  # g CO2 eq, cradle to grave (all stages)"]
    for k in ("source", "training_type", "geographical_location", "hardware_used"):
        lines.append(f"  {k}: {json.dumps(meta[k], ensure_ascii=False)}")
    lines += ["---", "", "## Environmental impact (cradle to grave, EF 3.1)", ""]
    use_g = gwp["stages"].get("use")
    lines.append(
        f"Training this model is estimated to have caused **{_fmt(gwp['total'])} kg CO2 eq** "
        f"(GWP100, all life-cycle stages){'' if use_g is None else f', of which {_fmt(use_g)} kg CO2 eq from the electricity of the run'}. "
        f"Hardware: {meta['hardware_used']}. Location: {meta['geographical_location']}.")
    lines.append("")
    sampled = "samples" in doc
    head = ["Code", "Impact category", "Unit", *(STAGE_LABELS[s] for s in STAGES), "Total"]
    if sampled:
        head.append("Total p05 - p95")
    head.append("Coverage")
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join(["---"] * 3 + ["---:"] * (len(head) - 4) + ["---"]) + "|")
    for code, e in doc["impacts"].items():
        row = [f"`{code}`", e["name"], e["unit"], *(_fmt(e["stages"].get(s)) for s in STAGES), _fmt(e["total"])]
        if sampled:
            row.append(f"{_fmt(e.get('p05'))} - {_fmt(e.get('p95'))}")
        row.append(e["coverage"])
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |")
    lines.append("")
    ss = doc.get("single_score") or {}
    if ss.get("value") is not None:
        lines.append(f"EF 3.1 single score: {_fmt(ss['value'])} Pt ({ss.get('coverage')}).")
        lines.append("")
    notes = [
        f"Scenario: {doc.get('scenario')}; computed with lca {doc.get('lca_version')} (EF 3.1 method, 16 categories).",
        "`emissions` in the metadata is the climate-change total of all four stages (manufacturing, transport and "
        "end of life of the accelerator lifetimes the run consumed, allocated by use, plus the electricity of the "
        "run), in grams of CO2 eq.",
        f"Embodied impacts: {doc.get('embodied_method')}.",
        f"Use-phase energy: {doc.get('energy_source')}.",
    ]
    if sampled:
        notes.append(f"Monte Carlo: {doc['samples']} samples (seed {doc.get('seed')}); values are means.")
    gaps = [(c, e.get("missing_stages", [])) for c, e in doc["impacts"].items() if e.get("missing_stages")]
    if gaps:
        notes.append("n/c = not covered by open data; totals of partial categories are lower bounds ("
                     + "; ".join(f"{c}: {', '.join(s)}" for c, s in gaps) + ").")
    lines.append("Notes:")
    lines += [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"
