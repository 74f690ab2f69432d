import pytest

from lca.errors import InputError
from lca.inventory.method import CODES, categories, code_of, single_score
from lca.units import Q_


def test_sixteen_codes_in_contract_order():
    assert tuple(c.code for c in categories()) == (
        "gwp", "odp", "ctuh_c", "ctuh_nc", "pm", "ir", "pocp", "ap", "ept", "epf", "epm", "ctue", "lu", "wu", "adpf", "adpe")


def test_weights_sum_to_100():
    assert sum(c.weight for c in categories()) == pytest.approx(100.0, abs=1e-9)


def test_single_score_of_one_kg_co2_is_27_88_micropoints():
    # EF 3.1: 1 / 7553.08 kg CO2 eq per person x 21.06 % = 27.88 uPt (ecodesign-studio, JRC)
    s = single_score({"gwp": Q_(1.0, "kg CO2_eq")}, allow_partial=True)
    assert s.to("uPt").magnitude == pytest.approx(27.88, abs=0.005)


def test_single_score_refuses_partial_vector():
    with pytest.raises(InputError, match="not covered"):
        single_score({"gwp": Q_(1.0, "kg CO2_eq")})


def test_single_score_full_vector_hand_computed():
    impacts = {c: Q_(cat.normalisation, cat.units) for c, cat in ((c.code, c) for c in categories())}
    # one person-equivalent in every category -> sum of weights = 1 Pt
    assert single_score(impacts).to("Pt").magnitude == pytest.approx(1.0)


def test_single_score_needs_units():
    with pytest.raises(InputError):
        single_score({c: 1.0 for c in CODES})


@pytest.mark.parametrize("alias,code", [("ADPe", "adpe"), ("adp", "adpe"), ("CTUh-c", "ctuh_c"), ("efp", "epf"),
                                        ("efm", "epm"), ("CC", "gwp"), ("HTnc", "ctuh_nc")])
def test_aliases(alias, code):
    assert code_of(alias) == code


def test_unknown_category_lists_codes():
    with pytest.raises(InputError, match="gwp, odp"):
        code_of("co2")
