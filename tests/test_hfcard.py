"""`lca export RESULT --hf-card`: Hugging Face model-card co2_eq_emissions block + markdown table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from lca.cli import main
from lca.inventory.method import CODES

DATA = Path(__file__).parent / "data" / "hfcard"
SCENARIO = DATA / "small-run.yaml"


def _front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    block = text.split("---\n")[1]
    return yaml.safe_load(block)


def _table_rows(text: str) -> list[list[str]]:
    rows = [ln for ln in text.splitlines() if ln.startswith("| `")]
    return [[c.strip() for c in ln.strip("|").split("|")] for ln in rows]


@pytest.fixture(scope="module")
def result_nc(tmp_path_factory):
    """A small stored result, written the way users write one."""
    p = tmp_path_factory.mktemp("res") / "small-run.nc"
    assert main(["run", str(SCENARIO), "--format", "netcdf", "-o", str(p)]) == 0
    return p


@pytest.fixture(scope="module")
def result_json(tmp_path_factory):
    p = tmp_path_factory.mktemp("res") / "small-run.json"
    assert main(["run", str(SCENARIO), "--format", "json", "-o", str(p)]) == 0
    return json.loads(p.read_text())


def test_card_from_netcdf(result_nc, result_json, tmp_path):
    out = tmp_path / "card.md"
    assert main(["export", str(result_nc), "--hf-card", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    meta = _front_matter(text)["co2_eq_emissions"]
    assert set(meta) == {"emissions", "source", "training_type", "geographical_location", "hardware_used"}
    # grams, cradle to grave: the gwp total of the result x 1000
    assert meta["emissions"] == pytest.approx(result_json["impacts"]["gwp"]["total"] * 1000, rel=1e-5)
    assert meta["training_type"] == "pre-training"
    assert "France" in meta["geographical_location"]
    assert "NVIDIA A100 SXM4 40GB" in meta["hardware_used"] and "576 accelerator-hours" in meta["hardware_used"]
    assert "lca" in meta["source"] and "end of life" in meta["source"]
    rows = _table_rows(text)
    assert [r[0].strip("`") for r in rows] == list(CODES)
    gwp = rows[0]
    assert gwp[-1] == "full"
    # the table's gwp use stage matches the result
    assert float(gwp[5].replace(",", "")) == pytest.approx(result_json["impacts"]["gwp"]["stages"]["use"], rel=5e-3)
    assert "Notes:" in text and "grams of CO2 eq" in text


def test_card_from_scenario_with_options(capsys):
    assert main(["export", str(SCENARIO), "--hf-card", "--training-type", "fine-tuning",
                 "--location", "Paris-Saclay, France", "--set", "operation.pue=1.3"]) == 0
    text = capsys.readouterr().out
    meta = _front_matter(text)["co2_eq_emissions"]
    assert meta["training_type"] == "fine-tuning"
    assert meta["geographical_location"] == "Paris-Saclay, France"


def test_card_not_covered_categories_are_flagged(capsys):
    """The US grid has no ctue/lu factor: n/c cells, partial coverage and a note."""
    assert main(["export", str(SCENARIO), "--hf-card", "--set", "operation.grid=US"]) == 0
    text = capsys.readouterr().out
    rows = {r[0].strip("`"): r for r in _table_rows(text)}
    assert rows["ctue"][5] == "n/c" and rows["ctue"][-1] == "partial"
    assert "lower bounds" in text


def test_card_with_samples(tmp_path):
    nc = tmp_path / "mc.nc"
    assert main(["run", str(SCENARIO), "--samples", "16", "--seed", "3", "--format", "netcdf", "-o", str(nc)]) == 0
    out = tmp_path / "card.md"
    assert main(["export", str(nc), "--hf-card", "-o", str(out)]) == 0
    text = out.read_text()
    assert "Total p05 - p95" in text and "Monte Carlo: 16 samples" in text
    assert _front_matter(text)["co2_eq_emissions"]["emissions"] > 0


def test_large_run_hardware_count(capsys):
    assert main(["export", "gpt4-a100", "--hf-card"]) == 0
    meta = _front_matter(capsys.readouterr().out)["co2_eq_emissions"]
    assert meta["hardware_used"].startswith("3214 x NVIDIA A100 SXM4 40GB")
    assert meta["emissions"] > 1e9


def test_export_json_from_netcdf(result_nc, result_json, tmp_path):
    out = tmp_path / "r.json"
    assert main(["export", str(result_nc), "--format", "json", "-o", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["impacts"]["gwp"]["total"] == pytest.approx(result_json["impacts"]["gwp"]["total"], rel=1e-9)


@pytest.mark.parametrize("args,needle", [
    (["export", "missing.nc", "--hf-card"], "missing.nc"),
    (["export", "SCEN", "--hf-card", "--format", "json"], "not both"),
    (["export", "SCEN"], "--hf-card"),
    (["export", "NC", "--hf-card", "--set", "operation.pue=1.3"], "apply to a scenario"),
])
def test_export_errors(args, needle, result_nc, tmp_path, capsys):
    out = tmp_path / "card.md"
    args = [str(SCENARIO) if a == "SCEN" else str(result_nc) if a == "NC" else a for a in args]
    assert main([*args, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert not out.exists()


def test_not_a_result_file(tmp_path, capsys):
    bad = tmp_path / "bad.nc"
    bad.write_bytes(b"not netcdf")
    out = tmp_path / "card.md"
    assert main(["export", str(bad), "--hf-card", "-o", str(out)]) == 2
    assert "bad.nc" in capsys.readouterr().err
    assert not out.exists()
