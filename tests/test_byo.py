"""Bring-your-own factors (docs/byo-factors.md)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lca.errors import InputError
from lca.inventory.method import CODES
from lca.inventory.user_factors import KINDS, read_factor_csv, template_csv
from lca.model import prepare, run
from lca.model.result import coverage, magnitudes, stage_totals
from lca.scenario import build_scenario, factor_overrides, load_scenario

DATA = Path(__file__).parent / "data" / "byo"
SCENARIO = DATA / "scenario-us-user-grid.yaml"
ALL16 = DATA / "us-grid-all16.csv"


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _raw(**over):
    raw = {"name": "t", "accelerator": "a100-sxm4-40gb", "embodied": {"method": "measured"},
           "workload": {"accelerator_hours": "1000 hour"},
           "operation": {"accelerator_power": "400 W", "pue": 1.2, "grid": "US"},
           "lifetime": {"lifespan": "4 year"}}
    raw.update(over)
    return raw


def test_read_all16(inv):
    t = read_factor_csv(ALL16, inv.sources)
    (row,) = t.rows
    assert row.process == "US" and row.kind == "grid" and row.per == "kWh"
    assert not np.isnan(row.vector.values).any()
    assert row.vector.values[CODES.index("gwp")] == pytest.approx(0.3929)  # g -> kg CO2 eq
    assert row.source.startswith("user:us-grid-all16.csv:US")  # inline citation -> synthetic id
    assert row.source in t.sources and "illustrative" in t.sources[row.source].title


def test_user_us_grid_gives_full_use_coverage(inv):
    """The acceptance case: the shipped US grid lacks ctue and lu; a user CSV with all 16 fills them."""
    shipped = run(load_scenario(SCENARIO, overrides=[("factors", [])]))
    assert coverage(shipped)["ctue"]["coverage"] == "partial"
    ds = run(str(SCENARIO))
    cov = coverage(ds)
    for c in CODES:
        assert "use" not in cov[c]["missing_stages"], c
    st = magnitudes(stage_totals(ds))
    assert not np.isnan(st["ctue"].sel(stage="use").values)
    # the 14 shared categories are the shipped numbers
    for c in ("gwp", "adpf", "wu"):
        assert float(st[c].sel(stage="use")) == pytest.approx(float(magnitudes(stage_totals(shipped))[c].sel(stage="use")),
                                                              rel=1e-9)


def test_reference_unit_and_header_unit_conversion(tmp_path, inv):
    p = _write(tmp_path, "f.csv", "process,kind,reference_unit,source,gwp [g CO2 eq],adpf [kJ/MJ],ctue [CTUe]\n"
                                  "XX,grid,MJ,owid-energy-data,100,500,\n")
    (row,) = read_factor_csv(p, inv.sources).rows
    v = dict(zip(CODES, row.vector.values))
    assert v["gwp"] == pytest.approx(0.1 * 3.6)          # 100 g/MJ -> 0.36 kg/kWh
    assert v["adpf"] == pytest.approx(0.5 * 3.6)         # 500 kJ/MJ (unit already per reference) -> 1.8 MJ/kWh
    assert np.isnan(v["ctue"]) and np.isnan(v["lu"])     # empty cell and missing column: not covered
    assert row.vector.status[CODES.index("ctue")] == "not_covered"


def test_component_override_parametric(tmp_path, inv):
    """A heatsink row replaces the factor set's heatsink factor (parametric route)."""
    _write(tmp_path, "hs.csv", "process,kind,reference_unit,source,gwp [kg CO2 eq]\n"
                                   "my-alu,heatsink,g,hubblo-gpu-calculator,0.012\n")
    base = _raw(embodied={"method": "parametric"}, accelerator="l4")
    ds0 = run(build_scenario(base, path=str(tmp_path / "s.yaml")))
    ds1 = run(build_scenario({**base, "factors": ["hs.csv"]}, path=str(tmp_path / "s.yaml")))
    life = float(ds1["lifetimes_consumed"])
    mass = inv.accelerator("l4").bom["heatsink_mass"].value.m_as("kg")
    hs = float(magnitudes(ds1)["gwp"].sel(component="heatsink"))
    assert hs == pytest.approx(12.0 * mass * life)        # 0.012 kg CO2 eq per g = 12 per kg
    # only the heatsink changed; other categories of the heatsink are not covered now
    assert float(magnitudes(ds0)["gwp"].sel(component="pcb")) == pytest.approx(float(magnitudes(ds1)["gwp"].sel(component="pcb")))
    assert np.isnan(float(magnitudes(ds1)["odp"].sel(component="heatsink")))
    assert coverage(ds1)["odp"]["coverage"] == "partial"


def test_new_grid_id_from_csv(tmp_path, inv):
    p = _write(tmp_path, "ppa.csv", "process,kind,reference_unit,source,name,gwp [kg CO2 eq]\n"
                                    "my-ppa,grid,kWh,\"Wind PPA contract, supplier statement 2024\",Wind PPA,0.012\n")
    sc = build_scenario(_raw(operation={"accelerator_power": "400 W", "pue": 1.0, "grid": "my-ppa"},
                             factors=[p.name]), path=str(tmp_path / "s.yaml"))
    assert sc.grid == "my-ppa"
    ds = run(sc)
    e = float(ds["energy"])
    assert float(magnitudes(ds)["gwp"].sel(component="electricity")) == pytest.approx(0.012 * e)
    assert np.isnan(float(magnitudes(ds)["odp"].sel(component="electricity")))
    # the synthetic source is known
    sid = "user:ppa.csv:my-ppa"
    assert sid in prepare(sc).scenario.sources
    big = prepare(sc).inventory
    assert big.sources[sid].title.startswith("Wind PPA")
    assert sid not in inv.sources  # the shipped inventory is untouched
    assert "my-ppa" in big.grids and sid in big.sources and f"user:{p}" in big.manifest


def test_unknown_grid_with_factor_files_lists_csv_grids(tmp_path, inv):
    _write(tmp_path, "ppa.csv", "process,kind,reference_unit,source,gwp [kg CO2 eq]\nmy-ppa,grid,kWh,owid-energy-data,0.01\n")
    with pytest.raises(InputError) as exc:
        build_scenario(_raw(operation={"accelerator_power": "400 W", "pue": 1.0, "grid": "my-ppb"},
                            factors=["ppa.csv"]), path=str(tmp_path / "s.yaml"))
    assert "operation.grid.base" in str(exc.value) and "my-ppa" in str(exc.value)


def test_inline_scenario_value_wins_over_csv(tmp_path, inv):
    sc = build_scenario(_raw(operation={"accelerator_power": "400 W", "pue": 1.0,
                                        "grid": {"base": "US", "gwp": "0.05 kg CO2 eq/kWh"}},
                             factors=[str(ALL16)]), path=str(tmp_path / "s.yaml"))
    model = prepare(sc)
    assert model.scenario.params["operation.grid.gwp"].value.magnitude == pytest.approx(0.05)
    assert model.scenario.params["operation.grid.lu"].value.magnitude == pytest.approx(2.0)


def test_later_file_wins(tmp_path, inv):
    a = _write(tmp_path, "a.csv", "process,kind,reference_unit,source,gwp [kg CO2 eq]\nUS,grid,kWh,owid-energy-data,0.5\n")
    b = _write(tmp_path, "b.csv", "process,kind,reference_unit,source,gwp [kg CO2 eq]\nUS,grid,kWh,owid-energy-data,0.7\n")
    sc = build_scenario(_raw(factors=[a.name, b.name]), path=str(tmp_path / "s.yaml"))
    sc2 = sc
    assert sc2.params["operation.grid.gwp"].value.magnitude == pytest.approx(0.7)
    assert np.isnan(sc2.params["operation.grid.odp"].value.magnitude)  # a row replaces the whole grid


def test_negative_component_factor_is_a_credit(tmp_path, inv):
    p = _write(tmp_path, "c.csv", "process,kind,reference_unit,source,lu [Pt],gwp [kg CO2 eq]\n"
                                  "recycled-casing,casing,kg,hubblo-gpu-calculator,-0.5,2.0\n")
    (row,) = read_factor_csv(p, inv.sources).rows
    assert row.vector.values[CODES.index("lu")] == -0.5


def test_transport_rows(tmp_path, inv):
    p = _write(tmp_path, "t.csv", "process,kind,reference_unit,source,gwp [kg CO2 eq]\n"
                                  "my-truck,transport_truck,t*km,eime-transport,0.1\n")
    sc = build_scenario(_raw(factors=[p.name]), path=str(tmp_path / "s.yaml"))
    ts = prepare(sc).transport_factors
    assert ts.factors["transport_truck"].vector.values[0] == pytest.approx(1e-4)  # 0.1 per t.km = 1e-4 per kg.km
    assert ts.factors["transport_boat"] is inv.factor_set("transport-eime").factors["transport_boat"]


def test_factor_overrides_for_cli(tmp_path, inv, monkeypatch):
    """--factors FILE (relative to the current directory) is appended to the scenario's own list."""
    extra = _write(tmp_path, "extra.csv", "process,kind,reference_unit,source,gwp [kg CO2 eq]\nUS,grid,kWh,owid-energy-data,0.9\n")
    monkeypatch.chdir(tmp_path)
    ov = factor_overrides(str(SCENARIO), ["operation.pue=1.5"], ["extra.csv"])
    sc = load_scenario(SCENARIO, overrides=ov)
    assert sc.factor_files == (str(ALL16), str(extra.resolve()))
    assert sc.params["operation.pue"].value.magnitude == 1.5
    model = prepare(sc)
    assert model.scenario.params["operation.grid.gwp"].value.magnitude == pytest.approx(0.9)
    with pytest.raises(InputError, match="extra factor file nope.csv"):
        factor_overrides(str(SCENARIO), [], ["nope.csv"])


def test_validate_good_csv(capsys):
    from lca.cli import main

    assert main(["validate", str(ALL16)]) == 0
    assert "ok" in capsys.readouterr().out


def test_template_header_is_complete(tmp_path, inv):
    text = template_csv(("grid", "pcb"))
    lines = text.splitlines()
    header = lines[1].split(",")
    assert len([h for h in header if "[" in h]) == 16
    cells = lines[2].split(",")
    cells[header.index("gwp [kg CO2 eq]")] = "0.4"
    filled = "\n".join([lines[0], lines[1], ",".join(cells)]) + "\n"
    p = _write(tmp_path, "t.csv", filled)
    (row,) = read_factor_csv(p, inv.sources).rows
    assert row.kind == "grid" and row.vector.values[0] == pytest.approx(0.4)


def test_cli_template(tmp_path, capsys):
    from lca.cli import main

    out = tmp_path / "t.csv"
    assert main(["factors", "template", "--kind", "heatsink", "-o", str(out)]) == 0
    assert "heatsink,kg" in out.read_text()


def test_every_kind_has_a_reference_unit():
    from lca.units import ureg

    for _kind, per in KINDS.items():
        ureg.Unit(per)


def test_cli_run_with_factors_flag(tmp_path, capsys):
    """`lca run --factors FILE` once the lead wires the flag (see docs/byo-factors.md)."""
    from lca.cli import build_parser, main

    run_parser = build_parser()._subparsers._group_actions[0].choices["run"]
    if "--factors" not in run_parser._option_string_actions:
        pytest.skip("lca run --factors is not wired yet (cli.py: add_argument + factor_overrides)")
    out = tmp_path / "r.json"
    assert main(["run", str(DATA / "scenario-us-user-grid.yaml"), "--set", "factors=[]", "--factors", str(ALL16),
                 "--format", "json", "-o", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["impacts"]["ctue"]["stages"]["use"] is not None


def test_example_runs():
    """examples/byo-factors: a new grid id and a heatsink row from the user CSV."""
    root = Path(__file__).resolve().parents[1] / "examples" / "byo-factors"
    ds = run(str(root / "scenario.yaml"))
    assert ds.attrs["grid"] == "my-wind-ppa"
    e = float(ds["energy"])
    assert float(magnitudes(ds)["gwp"].sel(component="electricity")) == pytest.approx(0.014 * e)
    assert np.isnan(float(magnitudes(ds)["ctue"].sel(component="electricity")))


def test_transport_rows_end_to_end(tmp_path, inv):
    """Once lca.model.prepare applies apply_transport_factors, a truck row changes the distribution."""
    _write(tmp_path, "t.csv", "process,kind,reference_unit,source,gwp [kg CO2 eq]\n"
                              "my-truck,transport_truck,t*km,eime-transport,0.1\n")
    sc = build_scenario(_raw(factors=["t.csv"], transport={"truck": "1000 km", "boat": "0 km", "plane": "0 km"}),
                        path=str(tmp_path / "s.yaml"))
    model = prepare(sc)
    if model.transport_factors is inv.factor_set("transport-eime"):
        pytest.skip("lca.model.prepare does not apply transport_* rows yet (byo.apply_transport_factors)")
    ds = run(sc)
    life = float(ds["lifetimes_consumed"])
    mass = inv.accelerator("a100-sxm4-40gb").bom["total_mass"].value.m_as("kg")
    got = float(magnitudes(ds)["gwp"].sel(component="distribution"))
    assert got == pytest.approx(1e-4 * mass * 1000 * life)
