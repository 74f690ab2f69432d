"""What a user sees: the run table fits the terminal; implausible inputs are warned about; a
CodeCarbon file whose energy disagrees with its power columns is rejected."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lca.cli import main
from lca.errors import InputError
from lca.inventory.codecarbon import read_energy
from lca.inventory.method import CODES

DATA = Path(__file__).parent / "data" / "codecarbon"


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("width", [80, 120, 200])
@pytest.mark.parametrize("extra", [[], ["--samples", "20", "--seed", "1"]])
def test_table_fits_the_terminal(width, extra, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", str(width))
    assert main(["run", "gpt4-a100", *extra]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(map(len, lines)) <= width
    cells = {c.strip() for line in lines for c in line.replace("┃", "│").split("│")}
    assert set(CODES) <= cells
    assert "total" in cells and "LT conv." in cells and "coverage" in cells
    if width == 80:
        assert "By life-cycle stage" in out and "Totals" in out  # the narrow layout: two tables
    if width == 200 and not extra:
        assert "Climate change (total)" in out  # wide enough for the category names


def test_table_to_a_file_keeps_160_columns(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = tmp_path / "run.txt"
    assert main(["run", "gpt4-a100", "-o", str(out)]) == 0
    assert max(map(len, out.read_text().splitlines())) > 80


def test_mfu_of_one_is_warned_in_json_and_table(monkeypatch, capsys):
    assert main(["run", "gpt4-a100", "--set", "workload.mfu=1.0", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert any(w.startswith("workload.mfu: 1.0 means the accelerators ran at peak FLOP/s") for w in doc["warnings"])
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["run", "gpt4-a100", "--set", "workload.mfu=1.0"]) == 0
    assert "warning: workload.mfu: 1.0 means" in _words(capsys.readouterr().out)


def test_plausible_mfu_is_not_warned(capsys):
    assert main(["run", "gpt4-a100", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert not any("workload.mfu" in w or "host" in w for w in doc["warnings"])


def test_host_without_server_overhead_is_warned(capsys):
    assert main(["run", "gpt4-a100", "--set", "host=gpu-server-8x-bloom", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    msg = [w for w in doc["warnings"] if w.startswith("host: gpu-server-8x-bloom")]
    assert msg and "electricity is not" in msg[0] and "operation.server_overhead" in msg[0]
    assert main(["run", "gpt4-a100", "--set", "host=gpu-server-8x-bloom", "--set", "operation.server_overhead=1.3",
                 "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert not any(w.startswith("host:") for w in doc["warnings"])


def _scaled(tmp_path: Path, factor: float) -> Path:
    """The test emissions.csv with energy_consumed multiplied by ``factor``."""
    import csv

    with open(DATA / "emissions.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["energy_consumed"] = repr(float(r["energy_consumed"]) * factor)
    p = tmp_path / "emissions.csv"
    with open(p, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return p


def test_codecarbon_energy_in_wh_is_rejected_with_both_numbers(tmp_path):
    p = _scaled(tmp_path, 1000)
    with pytest.raises(InputError) as exc:
        read_energy(p)
    msg = str(exc.value)
    assert str(p) in msg and "line 2" in msg
    assert "20190 kWh" in msg and "20.19 kWh" in msg  # energy_consumed and (powers) x duration
    assert "looks like Wh" in msg


def test_codecarbon_energy_off_by_more_than_two_is_rejected(tmp_path):
    with pytest.raises(InputError, match="a factor 3 apart"):
        read_energy(_scaled(tmp_path, 3))
    e, _ = read_energy(_scaled(tmp_path, 1.5))  # within the tolerance
    assert e.m_as("kWh") > 0


def test_codecarbon_wh_file_fails_the_scenario(tmp_path, capsys):
    for f in ("scenario.yaml",):
        shutil.copy(DATA / f, tmp_path / f)
    _scaled(tmp_path, 1000)
    assert main(["run", str(tmp_path / "scenario.yaml")]) != 0
    assert "looks like Wh" in capsys.readouterr().err
