import pint
import pytest

from lca.inventory.method import CODES, category, parse_category_unit
from lca.units import Q_, parse_quantity, ureg


def test_one_registry_is_the_application_registry():
    assert pint.get_application_registry().get() is ureg


def test_adding_two_categories_raises():
    with pytest.raises(pint.DimensionalityError):
        parse_quantity("1 kg CO2 eq") + parse_quantity("1 kg Sb eq")


@pytest.mark.parametrize("a,b", [(a, b) for i, a in enumerate(CODES) for b in CODES[i + 1:]])
def test_every_pair_of_categories_is_incompatible(a, b):
    qa, qb = Q_(1.0, category(a).units), Q_(1.0, category(b).units)
    with pytest.raises(pint.DimensionalityError):
        qa + qb


def test_co2_converts_to_tonnes():
    assert parse_quantity("1500 kg CO2 eq").to("t CO2_eq").magnitude == pytest.approx(1.5)
    assert parse_quantity("57 g CO2e/kWh").to("kg CO2_eq/kWh").magnitude == pytest.approx(0.057)


def test_flop_is_a_unit():
    q = parse_quantity("2.15e25 FLOP") / parse_quantity("312e12 FLOP/s")
    assert q.to("hour").magnitude == pytest.approx(2.15e25 / 312e12 / 3600)
    with pytest.raises(pint.DimensionalityError):
        parse_quantity("1 FLOP").to("J")


def test_literature_spellings():
    assert parse_quantity("1 mol H+ eq").is_compatible_with(category("ap").units)
    assert parse_quantity("1 kg CFC-11 eq").is_compatible_with(category("odp").units)
    assert parse_quantity("1 kBq U-235 eq").is_compatible_with(category("ir").units)
    assert parse_quantity("1 m3 world eq. deprived").is_compatible_with(category("wu").units)
    assert parse_quantity("1 disease incidence").is_compatible_with(category("pm").units)
    # context-dependent units are resolved by the category
    assert parse_category_unit("CTUh", "ctuh_c").is_compatible_with(category("ctuh_c").units)
    assert not parse_category_unit("CTUh", "ctuh_c").is_compatible_with(category("ctuh_nc").units)
    assert (parse_category_unit("MJ/kWh", "adpf") * Q_(1, "kWh")).is_compatible_with(category("adpf").units)


def test_marine_and_terrestrial_eutrophication_do_not_mix():
    with pytest.raises(pint.DimensionalityError):
        Q_(1, category("ept").units) + Q_(1, category("epm").units)


def test_wrong_dimension_is_an_error_naming_the_place():
    from lca.units import UnitError

    with pytest.raises(UnitError, match="x.yaml: bom.gpu_die_area"):
        parse_quantity("826 kg", expected="mm**2", where="x.yaml: bom.gpu_die_area")
