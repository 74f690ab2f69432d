"""EF 3.1 background, conventions as data, uncertainty on every datum, suspect data, robustness."""

from __future__ import annotations

import json

import numpy as np
import pytest

import lca
from lca.cli import main
from lca.inventory.loaders import CONVENTIONS
from lca.inventory.method import CODES
from lca.outputs.files import to_json_dict


@pytest.fixture(scope="module")
def inv():
    return lca.load_inventory()


def _vectors(inv):
    """Every shipped factor vector, named."""
    for fid, fs in inv.factor_sets.items():
        for comp, e in fs.factors.items():
            yield f"factors/{fid}:{comp}", e.vector
    for aid, acc in inv.accelerators.items():
        for did, ds in acc.measured.items():
            for comp, (_s, vec) in ds.components.items():
                yield f"accelerators/{aid}:{did}:{comp}", vec
            if ds.end_of_life is not None:
                yield f"accelerators/{aid}:{did}:end_of_life", ds.end_of_life
    for gid, g in inv.grids.items():
        if not g.carbon_only:
            yield f"grids/{gid}", g.vector
    for hid, h in inv.hosts.items():
        yield f"hosts/{hid}", h.embodied
    for bid, bg in inv.backgrounds.items():
        for gid, (vec, _given) in bg.grids.items():
            yield f"backgrounds/{bid}:{gid}", vec


def test_every_covered_category_declares_method_and_convention(inv):
    n = 0
    for name, vec in _vectors(inv):
        for i, c in enumerate(CODES):
            if np.isnan(vec.values[i]):
                continue
            n += 1
            assert vec.methods[i], f"{name}: {c} has no characterisation method"
            assert vec.conventions[i] in CONVENTIONS, f"{name}: {c} convention {vec.conventions[i]!r}"
    assert n > 1000


def test_every_covered_grid_factor_carries_an_uncertainty(inv):
    for gid, g in inv.grids.items():
        for i, c in enumerate(CODES):
            if not np.isnan(g.vector.values[i]):
                assert g.vector.uncertainties[i] is not None, f"{gid}: {c}"


def test_default_background_is_lt_excluded_and_lu_is_a_covered_proxy():
    ds = lca.run("gpt4-a100")
    doc = to_json_dict(ds)
    assert doc["background"] == "ef31-lt-excluded" and doc["warnings"] == []
    for c in ("epf", "ctuh_c", "ctuh_nc"):
        assert doc["impacts"][c]["convention"] == "lt_excluded"
    lu = doc["impacts"]["lu"]
    assert lu["components"]["electricity"] is not None and lu["components"]["electricity"] > 0
    assert "electricity" in lu["proxy_components"] and "use" not in lu.get("missing_stages", [])
    assert doc["impacts"]["ctue"]["components"]["electricity"] is None  # still not covered, never 0


def test_alternative_background_runs_and_says_it_mixes_conventions(capsys):
    base = to_json_dict(lca.run("gpt4-a100"))
    alt = to_json_dict(lca.run("gpt4-a100", set={"background": "unece-lt-included"}))
    assert alt["background"] == "unece-lt-included"
    for c in ("epf", "ctuh_c", "ctuh_nc"):
        assert alt["impacts"][c]["convention"] == "mixed"
        assert "lt_included in electricity" in alt["impacts"][c]["warning"]
        assert any(w.startswith(f"{c}:") for w in alt["warnings"])
    # the convention decides: UNECE's LT-inclusive freshwater eutrophication is >1000x per kWh (US)
    ratio = alt["impacts"]["epf"]["stages"]["use"] / base["impacts"]["epf"]["stages"]["use"]
    assert ratio > 1000
    assert alt["impacts"]["gwp"]["total"] == pytest.approx(base["impacts"]["gwp"]["total"], rel=1e-12)
    assert main(["run", "gpt4-a100", "--background", "unece-lt-included"]) == 0
    out = capsys.readouterr().out
    assert "MIXED" in out and "warning: epf: long-term emissions conventions mixed" in out
    assert main(["run", "gpt4-a100", "--background", "nope"]) == 2
    assert "unknown electricity background 'nope'" in capsys.readouterr().err


def test_table_prints_convention_and_suspect_data(capsys):
    assert main(["run", "gpt4-a100"]) == 0
    out = capsys.readouterr().out
    assert "LT conv." in out and "LT excl." in out and "LT incl." in out  # ir keeps long-term radon
    assert "Suspect data" in out and "wu: end_of_life" in out


def test_suspect_datum_flagged_and_alternative_selectable():
    doc = to_json_dict(lca.run("gpt4-a100"))
    (s,) = doc["impacts"]["wu"]["suspect"]
    assert s["component"] == "end_of_life" and s["alternative"] == pytest.approx(1.16)
    alt = to_json_dict(lca.run("gpt4-a100", set={"embodied.suspect_data": "alternative"}))
    life = doc["quantities"]["lifetimes_consumed"]["value"]
    assert alt["impacts"]["wu"]["components"]["end_of_life"] == pytest.approx(1.16 * life, rel=1e-9)
    assert "suspect" not in alt["impacts"]["wu"]


def test_casing_land_use_corrected_with_original_kept(inv):
    fs = inv.factor_set("hubblo-calculator-average")
    i = CODES.index("lu")
    assert fs.factors["casing"].vector.values[i] == pytest.approx(0.8895, rel=1e-3)
    text = (inv.root / "factors" / "hubblo-calculator-average.yaml").read_text()
    assert "corrected_from: -1.0033" in text


@pytest.mark.parametrize("acc_id", sorted(lca.load_inventory().accelerators))
def test_no_negative_mass_in_1e5_draws(acc_id):
    raw = {"name": "masses", "accelerator": acc_id, "embodied": {"method": "parametric"},
           "workload": {"accelerator_hours": "1000 hour"},
           "operation": {"accelerator_power": "300 W", "pue": 1.1, "grid": "US"},
           "lifetime": {"lifespan": "4 year"}}
    from lca.scenario import build_scenario, parameter_table

    sc = build_scenario(raw)
    p = parameter_table(sc, n=100_000, rng=np.random.default_rng(7))
    for k in ("total_mass", "heatsink_mass", "casing_mass", "board_mass"):
        key = f"accelerator.bom.{k}"
        if key in p:
            assert p[key].m_as("kg").min() >= 0, key
    if "accelerator.bom.heatsink_mass" in p:
        board = p["accelerator.bom.total_mass"] - p["accelerator.bom.heatsink_mass"] - p["accelerator.bom.casing_mass"]
        assert board.m_as("kg").min() >= -1e-12  # tolerance: float rounding of a sum


def test_monte_carlo_samples_every_datum_and_reports_dominance():
    ds = lca.run("gpt4-a100", samples=1000, seed=1)
    doc = to_json_dict(ds)
    assert len(doc["sampled"]) >= 30
    assert any(p.startswith("operation.grid.") for p in doc["sampled"])
    assert any(p.startswith("data.") for p in doc["sampled"])
    for c, e in doc["impacts"].items():
        rob = e["robustness"]
        assert sum(rob["p_stage_dominates"].values()) == pytest.approx(1.0), c
        if rob["p_manufacturing_exceeds_use"] is None:  # a stage not covered at all (ctue: electricity)
            assert e["stages"]["use"] is None or e["stages"]["manufacturing"] is None, c
        else:
            assert 0 <= rob["p_manufacturing_exceeds_use"] <= 1
        assert 0 < rob["p_top_component"] <= 1 and 0 <= rob["p_top3_stable"] <= 1
    assert doc["impacts"]["gwp"]["robustness"]["p_stage_dominates"]["use"] > 0.99
    only = to_json_dict(lca.run("gpt4-a100", samples=200, seed=1, inputs="scenario"))
    assert set(only["sampled"]) == {"workload.training_flops", "workload.mfu", "operation.accelerator_power",
                                    "operation.pue", "lifetime.lifespan"}


def test_robustness_by_hand():
    """Two stages, three samples: dominance shares and P(manufacturing > use) counted by hand."""
    import xarray as xr

    from lca.model.result import robustness

    ds = lca.run("gpt4-a100", samples=3, seed=1)
    m = ds.copy()
    gwp = m["gwp"].pint.magnitude.copy()
    gwp[:] = 0.0
    comps = list(m["component"].values)
    man, ele = comps.index("main_dies"), comps.index("electricity")
    gwp[man, :] = [3.0, 1.0, 5.0]
    gwp[ele, :] = [2.0, 4.0, 1.0]
    m["gwp"] = xr.DataArray(gwp, dims=m["gwp"].dims).pint.quantify(m["gwp"].pint.units)
    r = robustness(m)["gwp"]
    assert r["p_stage_dominates"]["manufacturing"] == pytest.approx(2 / 3)
    assert r["p_stage_dominates"]["use"] == pytest.approx(1 / 3)
    assert r["p_manufacturing_exceeds_use"] == pytest.approx(2 / 3)
    assert r["top_component"] == "main_dies" and r["p_top_component"] == pytest.approx(2 / 3)


def test_result_attrs_carry_provenance():
    ds = lca.run("gpt4-a100", set={"background": "unece-lt-included"})
    prov = json.loads(ds.attrs["provenance"])
    assert prov["epf"]["conventions"]["electricity"] == "lt_included"
    assert ds["epf"].attrs["convention"] == "mixed"
    assert ds["wu"].attrs["suspect_components"] == "end_of_life"
