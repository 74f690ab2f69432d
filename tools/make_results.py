"""Regenerate the tables of docs/results.md from the shipped scenarios:
python tools/make_results.py > docs/_fragments/results-tables.md"""

import numpy as np

from lca.inventory.method import categories
from lca.model import run
from lca.model.result import magnitudes, stage_shares, totals

STAGES = ("manufacturing", "transport", "use", "end_of_life")


def table(scenario):
    ds = run(scenario)
    sh = magnitudes(stage_shares(ds))
    tot = magnitudes(totals(ds))
    lines = [f"#### {ds.attrs['scenario']}",
             "",
             f"Accelerator-hours {float(ds['accelerator_hours']):.4g} h; energy {float(ds['energy']):.4g} kWh; "
             f"lifetimes consumed {float(ds['lifetimes_consumed']):.4g}.",
             "",
             "| category | unit | total | manufacturing | transport | use | end of life | dominant stage | coverage |",
             "|---|---|---|---|---|---|---|---|---|"]
    dom = {}
    for c in categories():
        v = sh[c.code].values
        cells = [f"{x * 100:.1f} %" if np.isfinite(x) else "n/c" for x in v]
        d = STAGES[int(np.nanargmax(v))] if np.isfinite(v).any() else "n/c"
        dom[c.code] = d
        lines.append(f"| {c.name} | {c.unit} | {float(tot[c.code].values):.4g} | " + " | ".join(cells)
                     + f" | {d} | {ds[c.code].attrs['coverage']} |")
    n_use = sum(1 for d in dom.values() if d == "use")
    n_man = sum(1 for d in dom.values() if d == "manufacturing")
    lines += ["", f"Use dominates {n_use} of 16 categories, manufacturing {n_man}, end of life "
              f"{sum(1 for d in dom.values() if d == 'end_of_life')}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table("bloom-a100"))
    print(table("gpt4-a100"))
