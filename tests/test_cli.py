import json
import subprocess
import sys

import pytest

from lca.cli import main
from lca.inventory.method import categories


def test_run_table_lists_16_categories_with_units_and_coverage(capsys):
    assert main(["run", "gpt4-a100"]) == 0
    out = capsys.readouterr().out
    for c in categories():
        assert c.code in out and c.unit.split()[0] in out
    assert "manufacturing" in out and "end of life" in out
    # EF 3.1 background: electricity land use is covered by a proxy; freshwater ecotoxicity is not
    assert "Not covered by open data" in out and "ctue: stage use (components electricity)" in out
    assert "lu: stage use" not in out
    proxy = next(line for line in out.splitlines() if line.startswith("Proxy data"))
    assert "lu: electricity" in proxy


def test_run_json_to_file(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["run", "scenarios/gpt4-a100.yaml", "--format", "json", "-o", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert len(doc["impacts"]) == 16


def test_run_csv_and_netcdf_roundtrip(tmp_path, capsys):
    from lca.outputs.files import read_result

    assert main(["run", "gpt4-a100", "--format", "csv", "-o", str(tmp_path / "r.csv")]) == 0
    head = (tmp_path / "r.csv").read_text().splitlines()[0]
    assert head == "category,component,stage,value,unit"
    assert main(["run", "gpt4-a100", "--format", "netcdf", "-o", str(tmp_path / "r.nc")]) == 0
    ds = read_result(tmp_path / "r.nc")
    from lca.inventory.method import CODES, category
    from lca.model import run
    from lca.model.result import totals

    ref = totals(run("gpt4-a100"))
    back = totals(ds)
    for c in CODES:  # units survive the round trip, and so do the values
        assert back[c].data.units == category(c).units
        assert back[c].data.magnitude == pytest.approx(ref[c].data.magnitude, rel=1e-12)


def test_list_commands(capsys):
    assert main(["list", "categories"]) == 0
    out = capsys.readouterr().out
    assert sum(1 for c in categories() if c.code in out) == 16
    assert main(["list", "grids"]) == 0
    out = capsys.readouterr().out
    for g in ("FR", "US", "DE", "SE", "NO", "CN", "TW", "EU-27", "WORLD", "QC"):
        assert f" {g} " in out or f"│ {g}" in out
    assert "measured" in out and "carbon-only" in out
    assert main(["list", "accelerators"]) == 0
    assert "a100-sxm4-40gb" in capsys.readouterr().out


@pytest.mark.parametrize("args,needle", [
    (["--set", "workload.mfu=1.5"], "workload.mfu"),
    (["--set", "operation.pue=0.9"], "operation.pue"),
    (["--set", "lifetime.lifespan=0 year"], "lifetime.lifespan"),
    (["--set", "operation.grid=XX"], "unknown grid 'XX'"),
    (["--set", "accelerator=a100-sxm4-41gb"], "nearest known: a100-sxm4-40gb"),
    (["--set", "workload.mfu=0.5 W"], "workload.mfu"),
    (["--set", "operation.grid.gwp=0.05 kg Sb eq/kWh"], "operation.grid.gwp"),
])
def test_bad_input_exit_2_one_line_nothing_written(tmp_path, capsys, args, needle):
    out = tmp_path / "r.json"
    assert main(["run", "gpt4-a100", *args, "--format", "json", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err and err.count("\n") == 1
    assert not out.exists()


def test_console_script_entry_point_runs_as_module():
    r = subprocess.run([sys.executable, "-m", "lca.cli", "run", "nope.yaml"], capture_output=True, text=True)
    assert r.returncode == 2 and "nope.yaml" in r.stderr and "Traceback" not in r.stderr
