"""`lca factors from-brightway` on a tiny Brightway project built in a temporary folder.

The project has a biosphere of 3 flows, 2 activities (electricity and an aluminium part that use
each other) and the 16 EF v3.1 methods (plus sub-indicators and another family that must be
ignored). All numbers are made up for the test; no licensed data. Needs the optional extra
``lca[brightway]`` (bw2calc >= 2, bw2data >= 4): skipped without it.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from lca.inventory.method import CODES

# EF v3.1 method names and units as ecoinvent/Brightway spell them
EF31 = {
    "gwp": ("climate change", "global warming potential (GWP100)", "kg CO2-Eq"),
    "odp": ("ozone depletion", "ozone depletion potential (ODP)", "kg CFC-11-Eq"),
    "ctuh_c": ("human toxicity: carcinogenic", "comparative toxic unit for human (CTUh)", "CTUh"),
    "ctuh_nc": ("human toxicity: non-carcinogenic", "comparative toxic unit for human (CTUh)", "CTUh"),
    "pm": ("particulate matter formation", "impact on human health", "disease incidence"),
    "ir": ("ionising radiation: human health", "human exposure efficiency relative to u235", "kBq U235-Eq"),
    "pocp": ("photochemical oxidant formation: human health", "tropospheric ozone concentration increase",
             "kg NMVOC-Eq"),
    "ap": ("acidification", "accumulated exceedance (AE)", "mol H+-Eq"),
    "ept": ("eutrophication: terrestrial", "accumulated exceedance (AE)", "mol N-Eq"),
    "epf": ("eutrophication: freshwater", "fraction of nutrients reaching freshwater end compartment (P)", "kg P-Eq"),
    "epm": ("eutrophication: marine", "fraction of nutrients reaching marine end compartment (N)", "kg N-Eq"),
    "ctue": ("ecotoxicity: freshwater", "comparative toxic unit for ecosystems (CTUe)", "CTUe"),
    "lu": ("land use", "soil quality index", "dimensionless"),
    "wu": ("water use", "user deprivation potential (deprivation-weighted water consumption)",
           "m3 world eq. deprived"),
    "adpf": ("energy resources: non-renewable", "abiotic depletion potential (ADP): fossil fuels",
             "MJ, net calorific value"),
    "adpe": ("material resources: metals/minerals", "abiotic depletion potential (ADP): elements (ultimate reserves)",
             "kg Sb-Eq"),
}
FLOWS = ("co2", "so2", "zn")
# technosphere: elec (1 kWh) uses 0.01 kg alu; alu (1 kg) uses 15 kWh elec
A = np.array([[1.0, -15.0],
              [-0.01, 1.0]])
B = np.array([[0.4, 2.0],      # co2 kg
              [1e-3, 5e-3],    # so2 kg
              [0.0, 1e-4]])    # zn kg


def _cf(i):
    """Characterisation factors of method i for the 3 flows (made up, all different)."""
    return np.array([1.0 + i, 0.5 * (i + 1), 10.0 ** (-(i % 5))])


@pytest.fixture
def bw(tmp_path, monkeypatch):
    d = tmp_path / "bw"
    d.mkdir()
    monkeypatch.setenv("BRIGHTWAY2_DIR", str(d))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bd = pytest.importorskip("bw2data")
        pytest.importorskip("bw2calc")
    if Path(bd.projects._base_data_dir).resolve() != d.resolve():
        bd.projects.change_base_directories(d, project_name="default", update=False)
    bd.projects.set_current("lca-test")
    bd.Database("bio").write({("bio", f): {"name": f, "type": "emission", "categories": ("air",), "unit": "kilogram"}
                              for f in FLOWS})
    bd.Database("tech").write({
        ("tech", "elec"): {"name": "electricity, test mix", "unit": "kilowatt hour", "location": "XX",
                           "exchanges": [{"input": ("tech", "elec"), "amount": 1.0, "type": "production"},
                                         {"input": ("tech", "alu"), "amount": 0.01, "type": "technosphere"},
                                         *({"input": ("bio", f), "amount": B[k, 0], "type": "biosphere"}
                                           for k, f in enumerate(FLOWS) if B[k, 0])]},
        ("tech", "alu"): {"name": "aluminium part", "unit": "kilogram", "location": "GLO",
                          "exchanges": [{"input": ("tech", "alu"), "amount": 1.0, "type": "production"},
                                        {"input": ("tech", "elec"), "amount": 15.0, "type": "technosphere"},
                                        *({"input": ("bio", f), "amount": B[k, 1], "type": "biosphere"}
                                          for k, f in enumerate(FLOWS) if B[k, 1])]},
    })
    for i, code in enumerate(CODES):
        cat, ind, unit = EF31[code]
        m = bd.Method(("EF v3.1", cat, ind))
        m.register(unit=unit)
        m.write([(("bio", f), float(_cf(i)[k])) for k, f in enumerate(FLOWS)])
    # things the exporter must ignore: a sub-indicator and another family
    sub = bd.Method(("EF v3.1", "climate change: fossil", "global warming potential (GWP100)"))
    sub.register(unit="kg CO2-Eq")
    sub.write([(("bio", "co2"), 1.0)])
    other = bd.Method(("IPCC 2021", "climate change", "GWP 100a"))
    other.register(unit="kg CO2-Eq")
    other.write([(("bio", "co2"), 99.0)])
    yield bd, d


def _expected():
    """Scores per unit of each activity, by hand: C B A^-1."""
    inv = B @ np.linalg.inv(A)  # (flows, activities)
    return {code: _cf(i) @ inv for i, code in enumerate(CODES)}


def test_from_brightway_cli(bw, tmp_path, capsys):
    from lca.cli import main
    from lca.inventory import load_inventory
    from lca.inventory.user_factors import read_factor_csv

    _, d = bw
    out = tmp_path / "bw-factors.csv"
    rc = main(["factors", "from-brightway", "--project", "lca-test", "--activity", "tech:elec",
               "--activity", "tech:alu", "--kind", "grid", "--kind", "heatsink", "--process", "TEST-GRID",
               "--process", "test-alu", "--method-family", "EF v3.1", "--dir", str(d), "-o", str(out)])
    err = capsys.readouterr().err
    assert rc == 0, err
    t = read_factor_csv(out, load_inventory().sources)
    rows = {r.process: r for r in t.rows}
    assert set(rows) == {"TEST-GRID", "test-alu"}
    assert rows["TEST-GRID"].kind == "grid" and rows["TEST-GRID"].per == "kWh"
    assert rows["test-alu"].kind == "heatsink" and rows["test-alu"].per == "kg"
    exp = _expected()
    for i, code in enumerate(CODES):
        assert rows["TEST-GRID"].vector.values[i] == pytest.approx(exp[code][0], rel=1e-6), code
        assert rows["test-alu"].vector.values[i] == pytest.approx(exp[code][1], rel=1e-6), code
    assert "Brightway project 'lca-test'" in t.sources[rows["TEST-GRID"].source].title


def test_brightway_factors_in_a_scenario(bw, tmp_path):
    """The exported grid (a new id) covers all 16 categories for the use stage."""
    from lca.inventory.brightway import from_brightway
    from lca.model import run
    from lca.model.result import coverage
    from lca.scenario import build_scenario

    _, d = bw
    csv_text = from_brightway("lca-test", ["tech:elec"], "EF v3.1", processes=["TEST-GRID"], base_dir=d)
    (tmp_path / "bw.csv").write_text(csv_text)
    sc = build_scenario({"name": "t", "accelerator": "a100-sxm4-40gb", "factors": ["bw.csv"],
                         "workload": {"accelerator_hours": "100 hour"},
                         "operation": {"accelerator_power": "400 W", "pue": 1.1, "grid": "TEST-GRID"},
                         "lifetime": {"lifespan": "4 year"}}, path=str(tmp_path / "s.yaml"))
    cov = coverage(run(sc))
    assert all("use" not in cov[c]["missing_stages"] for c in CODES)


def test_kind_inferred_and_errors(bw, tmp_path):
    from lca.errors import InputError
    from lca.inventory.brightway import from_brightway

    _, d = bw
    text = from_brightway("lca-test", ["tech:elec"], base_dir=d)  # kWh -> grid, process = location
    assert "\nXX,grid,kWh," in text
    with pytest.raises(InputError, match="--kind"):
        from_brightway("lca-test", ["tech:alu"], base_dir=d)   # kg: kind needed
    with pytest.raises(InputError, match="a grid factor is per kWh"):
        from_brightway("lca-test", ["tech:alu"], kinds=["grid"], base_dir=d)
    with pytest.raises(InputError, match="Brightway project"):
        from_brightway("no-such-project", ["tech:elec"], base_dir=d)
    with pytest.raises(InputError, match="method family"):
        from_brightway("lca-test", ["tech:elec"], "EF v9", base_dir=d)
    with pytest.raises(InputError, match="Brightway database"):
        from_brightway("lca-test", ["tecc:elec"], base_dir=d)
    with pytest.raises(InputError, match="no activity"):
        from_brightway("lca-test", ["tech:nope"], base_dir=d)


def test_cli_error_is_exit_2(bw, tmp_path, capsys):
    from lca.cli import main

    _, d = bw
    out = tmp_path / "x.csv"
    assert main(["factors", "from-brightway", "--project", "nope", "--activity", "tech:elec", "--dir", str(d),
                 "-o", str(out)]) == 2
    assert "--project" in capsys.readouterr().err
    assert not out.exists()


def test_unit_factor():
    from lca.inventory.brightway import method_code, unit_factor

    assert unit_factor("gwp", "g CO2-Eq", "m") == pytest.approx(1e-3)
    assert unit_factor("adpf", "MJ, net calorific value", "m") == 1.0
    assert method_code(("EF v3.1", "climate change: fossil", "x")) is None
    assert method_code(("EF v3.1", "land use", "soil quality index")) == "lu"
    from lca.errors import InputError

    with pytest.raises(InputError, match="not the EF 3.1 unit"):
        unit_factor("gwp", "kg Sb-Eq", "m")
