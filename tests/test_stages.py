"""Stage functions against hand-computed values."""

import numpy as np
import pytest

from lca.model import run
from lca.model.result import magnitudes
from lca.model.stages.manufacturing import effective_die_area
from lca.units import Q_

D0 = Q_(0.1, "1/cm**2")


def test_murphy_effective_area_of_the_a100_die():
    # D = 8.26 cm2 x 0.1/cm2 = 0.826; Y = ((1 - e^-0.826)/0.826)^2 = 0.46330; 826 / Y = 1,782.9 mm2
    a = effective_die_area(Q_(np.array([826.0]), "mm**2"), "murphy", defect_density=D0)
    assert a.m_as("mm**2")[0] == pytest.approx(826 / ((1 - np.exp(-0.826)) / 0.826) ** 2)
    assert a.m_as("mm**2")[0] == pytest.approx(1783.0, abs=0.5)


def test_poisson_effective_area():
    a = effective_die_area(Q_(np.array([826.0]), "mm**2"), "poisson", defect_density=D0)
    assert a.m_as("mm**2")[0] == pytest.approx(826 * np.exp(0.826))


def test_circular_wafer_effective_area_matches_the_calculator():
    # 61 dies per 300 mm wafer, usable exp(-sqrt(0.826)) = 0.4030 -> 2,875.5 mm2 (A100);
    # HBM2 die 86.25 mm2 -> 132.6 mm2 (ADEME/Hubblo computeDieSurface)
    kw = dict(defect_density=D0, wafer_diameter=Q_(300, "mm"), kerf=Q_(0.2, "mm"))
    a = effective_die_area(Q_(np.array([826.0, 86.25]), "mm**2"), "circular_wafer", **kw)
    assert a.m_as("mm**2") == pytest.approx([2875.5, 132.6], abs=0.1)


def test_effective_area_is_vectorised_and_monotone_in_defect_density():
    d = Q_(np.linspace(0.05, 0.3, 6), "1/cm**2")
    a = effective_die_area(Q_(np.full(6, 826.0), "mm**2"), "murphy", defect_density=d).m_as("mm**2")
    assert a.shape == (6,) and np.all(np.diff(a) > 0)


def test_onsite_water_routes_into_water_use_only_with_a_site_factor():
    base = run("bloom-a100")
    no_factor = run("bloom-a100", overrides=["operation.wue=1.8 L/kWh"])
    with_factor = run("bloom-a100", overrides=["operation.wue=1.8 L/kWh", "operation.water_scarcity=30"])
    it = float(base["it_energy"])
    assert float(no_factor["onsite_water"]) == pytest.approx(it * 1.8 / 1000)
    m = magnitudes(no_factor)
    assert np.isnan(m["wu"].sel(component="onsite_water").item())
    assert no_factor["wu"].attrs["coverage"] == "partial"
    m2 = magnitudes(with_factor)
    assert m2["wu"].sel(component="onsite_water").item() == pytest.approx(it * 1.8 / 1000 * 30)
    assert m2["gwp"].sel(component="onsite_water").item() == 0.0  # no flow into other categories
    assert with_factor["wu"].attrs["coverage"] == "full"


def test_distribution_hand_computed():
    """A100 SXM4 40GB, 1.56 kg x (9,908 km plane x 2.11e-3 + 1,000 km truck x 5.04e-5) kg CO2 eq/kg.km."""
    ds = run("gpt4-flops-to-footprints")
    life = float(ds["lifetimes_consumed"])
    per_card = magnitudes(ds)["gwp"].sel(component="distribution").item() / life
    assert per_card == pytest.approx(1.56 * (9908 * 2.11e-3 + 1000 * 5.04e-5), rel=1e-9)


def test_optional_host_share_is_carbon_only_and_flagged():
    base = run("bloom-a100")
    with_host = run("bloom-a100", overrides=["host=gpu-server-8x-bloom"])
    life = float(base["lifetimes_consumed"])
    m = magnitudes(with_host)
    assert m["gwp"].sel(component="host").item() == pytest.approx(2500 / 8 * life)
    assert with_host["gwp"].attrs["coverage"] == "full"
    assert with_host["adpe"].attrs["coverage"] == "partial"
    assert "host" in with_host["adpe"].attrs["missing_components"]
    assert base["adpe"].attrs["coverage"] == "full"
