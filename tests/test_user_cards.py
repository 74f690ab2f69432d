"""Your hardware, your comparison: a scenario's own card file, and ``--set accelerator.bom.*``."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

import lca
from lca.cli import main
from lca.errors import InputError
from lca.inventory.files import inventories_dir

SHIPPED = "a100-sxm4-40gb"


def _card(tmp_path: Path, *, id_: str = "my-a100", die: str = "900 mm**2", name: str | None = None) -> Path:
    text = (inventories_dir() / "accelerators" / f"{SHIPPED}.yaml").read_text()
    text = text.replace(f"id: {SHIPPED}", f"id: {id_}", 1).replace("gpu_die_area: 826 mm**2", f"gpu_die_area: {die}", 1)
    assert f"gpu_die_area: {die}" in text
    out = tmp_path / "cards" / f"{name or id_}.yaml"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)
    return out


def _scenario(tmp_path: Path, accelerator: str, file: str = "s.yaml") -> Path:
    raw = {
        "name": "user card", "accelerator": accelerator, "embodied": {"method": "parametric"},
        "workload": {"training_flops": "2e24 FLOP", "mfu": 0.4},
        "operation": {"pue": 1.2, "grid": "US"},
        "lifetime": {"lifespan": "4 year"},
    }
    p = tmp_path / file
    p.write_text(yaml.safe_dump(raw))
    return p


def _m(x) -> float:
    return float(getattr(x.data, "magnitude", x.data))


def _gwp(ds, component: str) -> float:
    return _m(ds["gwp"].sel(component=component))


def _murphy(area_mm2: float, d0_per_cm2: float = 0.1) -> float:
    """Effective die area (mm2) by hand: D = A D0 / 100, Y = ((1 - e^-D) / D)**2, A / Y."""
    d = area_mm2 * d0_per_cm2 / 100
    return area_mm2 / ((1 - math.exp(-d)) / d) ** 2


def test_user_card_runs_and_differs_in_the_direction_of_its_die(tmp_path):
    _card(tmp_path, die="900 mm**2")
    own = lca.run(_scenario(tmp_path, "cards/my-a100.yaml"))
    shipped = lca.run(_scenario(tmp_path, SHIPPED, "s0.yaml"))
    assert own.attrs["accelerator"] == "my-a100"
    assert _gwp(own, "gpu_die") > _gwp(shipped, "gpu_die")
    man = _m(own["gwp"].where(own["stage"] == "manufacturing").sum())
    man0 = _m(shipped["gwp"].where(shipped["stage"] == "manufacturing").sum())
    assert man > man0
    # everything else of the card is unchanged
    assert _gwp(own, "pcb") == pytest.approx(_gwp(shipped, "pcb"))
    assert _gwp(own, "gpu_die") / _gwp(shipped, "gpu_die") == pytest.approx(_murphy(900) / _murphy(826), rel=1e-9)


def test_user_card_is_in_the_manifest_and_sweeps(tmp_path):
    card = _card(tmp_path)
    s = _scenario(tmp_path, "cards/my-a100.yaml")
    model = lca.api._model(s)
    assert "my-a100" in model.inventory.accelerators
    import hashlib

    assert model.inventory.manifest["user:cards/my-a100.yaml"] == hashlib.sha256(card.read_bytes()).hexdigest()
    sw = lca.sweep(s, {"accelerator.bom.gpu_die_area": [700.0, 900.0]})
    assert float(sw["gwp"].sel({"accelerator.bom.gpu_die_area": 900.0})) == pytest.approx(_m(lca.run(s)["gwp"].sum()))


def test_set_die_area_scales_the_die_component_by_hand(tmp_path):
    s = _scenario(tmp_path, SHIPPED)
    base = lca.run(s)
    ds = lca.run(s, set=["accelerator.bom.gpu_die_area=815mm**2"])
    assert _gwp(ds, "gpu_die") / _gwp(base, "gpu_die") == pytest.approx(_murphy(815) / _murphy(826), rel=1e-9)
    assert _gwp(ds, "vram") == pytest.approx(_gwp(base, "vram"))
    sw = lca.sweep(s, {"accelerator.bom.gpu_die_area": [815.0]})
    assert float(sw["gwp"].squeeze()) == pytest.approx(_m(ds["gwp"].sum()), rel=1e-12)


def test_set_on_a_user_card_and_specs(tmp_path):
    _card(tmp_path)
    s = _scenario(tmp_path, "cards/my-a100.yaml")
    ds = lca.run(s, set={"accelerator.bom.gpu_die_area": "815 mm**2"})
    ds0 = lca.run(_scenario(tmp_path, SHIPPED, "s0.yaml"), set={"accelerator.bom.gpu_die_area": "815 mm**2"})
    assert _gwp(ds, "gpu_die") == pytest.approx(_gwp(ds0, "gpu_die"))
    sc = lca.scenario.load_scenario(s, overrides=["accelerator.specs.tdp=300 W", "accelerator.specs.peak_flops=1e15 FLOP/s"])
    assert sc.params["operation.accelerator_power"].value.m_as("W") == pytest.approx(300)
    assert sc.params["workload.peak_flops"].value.m_as("FLOP/s") == pytest.approx(1e15)
    sc = lca.scenario.load_scenario(s, overrides=["accelerator.bom.gpu_die_area={distribution: uniform, min: 800 mm**2, "
                                                  "max: 850 mm**2, default: 815 mm**2}"])
    assert sc.params["accelerator.bom.gpu_die_area"].uncertain
    # changing the id still works, and a card file can be set too
    assert lca.scenario.load_scenario(s, overrides=["accelerator=h100-sxm5-80gb"]).accelerator == "h100-sxm5-80gb"
    assert lca.scenario.load_scenario(_scenario(tmp_path, SHIPPED, "s0.yaml"),
                                      overrides=["accelerator=cards/my-a100.yaml"]).accelerator == "my-a100"


def test_bad_key_exit_2_names_it(tmp_path, capsys):
    s = _scenario(tmp_path, SHIPPED)
    assert main(["run", str(s), "--set", "accelerator.bom.nope=1"]) == 2
    err = capsys.readouterr().err
    assert "accelerator.bom.nope" in err and "accelerator.bom.gpu_die_area" in err
    assert main(["run", str(s), "--set", "accelerator.bom.gpu_die_area=3 kg"]) == 2
    assert "accelerator.bom.gpu_die_area" in capsys.readouterr().err
    with pytest.raises(InputError, match="accelerator.specs.tdp"):
        lca.scenario.load_scenario(s, overrides=["accelerator.specs.nope=1"])


def test_card_file_with_wrong_dimension_exit_2(tmp_path, capsys):
    card = _card(tmp_path, die="900 kg")
    s = _scenario(tmp_path, "cards/my-a100.yaml")
    assert main(["run", str(s)]) == 2
    err = capsys.readouterr().err
    assert str(card) in err and "gpu_die_area" in err


@pytest.mark.parametrize("case", ["id", "missing", "shipped"])
def test_card_file_errors(tmp_path, case):
    if case == "id":
        _card(tmp_path, name="other")
        acc, match = "cards/other.yaml", "must equal the file name"
    elif case == "missing":
        acc, match = "cards/none.yaml", "not found"
    else:
        _card(tmp_path, id_=SHIPPED)
        acc, match = f"cards/{SHIPPED}.yaml", "shipped accelerator"
    with pytest.raises(InputError, match=match):
        lca.scenario.load_scenario(_scenario(tmp_path, acc))


def test_bom_override_unused_by_measured_route(tmp_path):
    with pytest.raises(InputError, match="not used by embodied.method: measured"):
        lca.scenario.load_scenario("gpt4-a100", overrides=["accelerator.bom.gpu_die_area=815 mm**2"])
