"""Provenance where results go: the sources a run used and the overrides applied, in the table,
the JSON document, the netCDF attributes and the report."""

import hashlib
import json
from pathlib import Path

import pytest

from lca.cli import main
from lca.errors import InputError
from lca.inventory.loaders import load_sources

DATA = Path(__file__).parent / "data"


def _json(capsys, *args) -> dict:
    assert main(["run", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def _by_id(doc) -> dict:
    return {s["id"]: s for s in doc["sources"]}


def test_gpt4_json_lists_the_sources_and_what_they_support(capsys):
    doc = _json(capsys, "gpt4-a100")
    src = _by_id(doc)
    assert any(x.startswith("manufacturing: ") for x in src["falk-2025-more-than-carbon"]["supports"])
    assert "manufacturing: main_dies" in src["falk-2025-more-than-carbon"]["supports"]
    assert "operation.grid.gwp" in src["owid-energy-data"]["supports"]
    assert {"workload.training_flops", "workload.mfu"} & set(src["semianalysis-2023-gpt4"]["supports"])
    for s in doc["sources"]:
        assert s["citation"] and s["licence"] and s["supports"]
        assert "example.invalid" not in (s.get("url") or "") and "example.invalid" not in s["citation"]
    assert doc["overrides"] == []


def test_every_grid_category_source_is_listed(capsys):
    from lca.inventory.method import CODES
    from lca.model import prepare

    doc = _json(capsys, "gpt4-a100")
    listed = {(s["id"], x) for s in doc["sources"] for x in s["supports"]}
    grid = prepare("gpt4-a100").grid_vector
    for code, sid in zip(CODES, grid.sources):
        if sid:
            assert (sid, f"operation.grid.{code}") in listed


def test_host_source_is_listed(capsys):
    doc = _json(capsys, "bloom-a100", "--set", "host=gpu-server-8x-bloom")
    src = _by_id(doc)
    assert "manufacturing: host" in src["efootprint-gpu-server"]["supports"]
    assert "host=gpu-server-8x-bloom" in doc["overrides"]


def test_override_in_table_header_and_json(capsys):
    assert main(["run", "gpt4-a100", "--set", "workload.mfu=0.5"]) == 0
    out = capsys.readouterr().out
    header = out[: out.index("accelerator-hours")]
    assert "workload.mfu=0.5" in header
    assert "Sources:" in out and "[owid-energy-data]" in out
    assert _json(capsys, "gpt4-a100", "--set", "workload.mfu=0.5")["overrides"] == ["workload.mfu=0.5"]


def test_measured_energy_file_is_a_source_with_its_sha256(capsys):
    scen = DATA / "codecarbon" / "scenario.yaml"
    doc = _json(capsys, str(scen))
    rec = next(s for s in doc["sources"] if s.get("sha256"))
    csv = DATA / "codecarbon" / "emissions.csv"
    assert Path(rec["path"]).resolve() == csv.resolve()
    assert rec["sha256"] == hashlib.sha256(csv.read_bytes()).hexdigest()
    assert "workload.measured_energy" in rec["supports"] and rec["citation"] and rec["licence"]
    assert main(["run", str(scen)]) == 0
    out = capsys.readouterr().out
    assert f"measured energy input: {rec['path']}" in out[: out.index("accelerator-hours")]


def test_netcdf_attrs_round_trip_sources_and_overrides(tmp_path, capsys):
    import xarray as xr

    out = tmp_path / "x.nc"
    assert main(["run", "gpt4-a100", "--set", "workload.mfu=0.5", "--format", "netcdf", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    doc = _json(capsys, "gpt4-a100", "--set", "workload.mfu=0.5")
    with xr.open_dataset(out) as ds:
        assert json.loads(ds.attrs["sources"]) == doc["sources"]
        assert json.loads(ds.attrs["overrides"]) == ["workload.mfu=0.5"]


def test_monte_carlo_keeps_the_sources():
    from lca.model import prepare
    from lca.model.compose import monte_carlo

    ds = monte_carlo(prepare("gpt4-a100", overrides=["workload.mfu=0.4"]), 4, seed=1)
    assert json.loads(ds.attrs["overrides"]) == ["workload.mfu=0.4"]
    assert any(s["id"] == "owid-energy-data" for s in json.loads(ds.attrs["sources"]))


def test_report_sources_say_what_they_support():
    from lca.model import evaluate, prepare
    from lca.outputs import report

    model = prepare("gpt4-a100")
    page = report.render(model, evaluate(model))
    sources = page[page.index('<h2 id="sources">'):]
    assert 'id="src-owid-energy-data"' in sources and "operation.grid.gwp" in sources


def test_lca_assumption_has_no_placeholder_url():
    from lca.inventory import load_inventory

    s = load_inventory().sources["lca-assumption"]
    assert s.url is None and s.doi is None and "docs/methodology.md" in (s.note or "")
    root = Path(__file__).parent.parent / "inventories" / "sources.yaml"
    assert "example.invalid" not in root.read_text()


def _write_sources(tmp_path, rec: str) -> Path:
    p = tmp_path / "sources.yaml"
    p.write_text("sources:\n  s:\n    authors: a\n    title: t\n    year: 2026\n    licence: CC0\n" + rec)
    return p


def test_a_source_without_url_needs_a_note(tmp_path):
    assert load_sources(_write_sources(tmp_path, "    url: null\n    note: documented in docs/x.md\n"))["s"].url is None
    with pytest.raises(InputError, match="give a url or a doi"):
        load_sources(_write_sources(tmp_path, "    url: null\n"))
    with pytest.raises(InputError, match="give a url or a doi"):
        load_sources(_write_sources(tmp_path, "    note: no url key at all\n"))
