"""Hostile inputs ("Nothing lost, nothing hangs", items 4 and 5): special files, huge or nested
``--set`` values and out-of-range numeric flags. Each gives exit code 2, one ``error:`` line, no
traceback, no output file, and never echoes a file's content."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lca.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "gpt4-a100.yaml"
posix = pytest.mark.skipif(os.name != "posix" or not hasattr(os, "mkfifo"), reason="POSIX special files")


def _run(argv, capsys) -> tuple[int, str]:
    try:
        rc = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse errors
        rc = exc.code
    err = capsys.readouterr().err
    return rc, err


def _assert_one_error(rc, err, *expect):
    assert rc == 2, err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, err
    for text in expect:
        assert text in lines[0], lines[0]
    return lines[0]


def _scenario_with(tmp_path, extra: str) -> Path:
    text = SCENARIO.read_text(encoding="utf-8")
    assert "\nworkload:\n" in text
    p = tmp_path / "s.yaml"
    p.write_text(text.replace("\nworkload:\n", f"\nworkload:\n  {extra}\n", 1), encoding="utf-8")
    return p


# -- special files -------------------------------------------------------------------------------
def _special(tmp_path, kind: str) -> Path:
    if kind == "fifo":
        p = tmp_path / "fifo.yaml"
        os.mkfifo(p)
    else:
        if not Path(f"/dev/{kind}").exists():
            pytest.skip(f"no /dev/{kind}")
        p = tmp_path / f"{kind}.yaml"
        p.symlink_to(f"/dev/{kind}")
    return p


@posix
@pytest.mark.parametrize("kind", ["zero", "urandom", "fifo"])
def test_special_scenario_file(tmp_path, capsys, kind):
    out = tmp_path / "out.json"
    rc, err = _run(["run", _special(tmp_path, kind), "--format", "json", "-o", out], capsys)
    _assert_one_error(rc, err, "not a regular file")
    assert not out.exists()


@posix
@pytest.mark.parametrize("kind", ["zero", "fifo"])
def test_special_measured_energy(tmp_path, capsys, kind):
    special = _special(tmp_path, kind)
    scen = _scenario_with(tmp_path, f"measured_energy: {special.name}")
    out = tmp_path / "out.json"
    rc, err = _run(["run", scen, "--format", "json", "-o", out], capsys)
    _assert_one_error(rc, err, "workload.measured_energy", "not a regular file")
    assert not out.exists()


@posix
@pytest.mark.parametrize("kind", ["zero", "fifo"])
def test_special_factor_file(tmp_path, capsys, kind):
    special = _special(tmp_path, kind)
    out = tmp_path / "out.json"
    rc, err = _run(["run", SCENARIO, "--factors", special, "--format", "json", "-o", out], capsys)
    _assert_one_error(rc, err)
    assert not out.exists()


@posix
def test_special_file_validate(tmp_path, capsys):
    rc, err = _run(["validate", _special(tmp_path, "zero")], capsys)
    _assert_one_error(rc, err, "not a regular file")


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="no /proc")
@pytest.mark.parametrize("how", ["scenario", "measured_energy"])
def test_proc_environ_is_not_echoed(tmp_path, monkeypatch, how):
    monkeypatch.setenv("LCA_SECRET_TEST", "s3cr3t")
    out = tmp_path / "out.json"
    target = "/proc/self/environ" if how == "scenario" else _scenario_with(tmp_path, "measured_energy: /proc/self/environ")
    proc = subprocess.run([sys.executable, "-m", "lca.cli", "run", str(target), "--format", "json", "-o", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, env=os.environ.copy())
    line = _assert_one_error(proc.returncode, proc.stderr, "not a regular file")
    assert "s3cr3t" not in proc.stderr + proc.stdout
    assert "LCA_SECRET_TEST" not in line
    assert not out.exists()


def test_size_checked_before_reading(tmp_path, capsys):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:  # sparse: 6 MB on paper, nothing on disk
        f.truncate(6_000_000)
    rc, err = _run(["run", big], capsys)
    _assert_one_error(rc, err, "bytes")


def test_bad_csv_cell_is_not_echoed(tmp_path, capsys):
    secret = "s3cr3t" * 50
    (tmp_path / "emissions.csv").write_text(f"run_id,energy_consumed\nr1,{secret}\n", encoding="utf-8")
    scen = _scenario_with(tmp_path, "measured_energy: emissions.csv")
    rc, err = _run(["run", scen], capsys)
    line = _assert_one_error(rc, err, "energy_consumed", "line 2")
    assert secret not in line
    assert len(line) < 400


def test_yaml_error_quotes_position_not_text(tmp_path, capsys):
    p = tmp_path / "s.yaml"
    p.write_text("name: x\nworkload: [" + "s3cr3t " * 200 + "\n", encoding="utf-8")
    rc, err = _run(["run", p], capsys)
    line = _assert_one_error(rc, err, "line")
    assert "s3cr3t s3cr3t" not in line


# -- --set -------------------------------------------------------------------------------------
def _alias_bomb() -> str:
    rows = ["a: &a [x,x,x,x,x,x,x,x,x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        rows.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "{" + ", ".join(rows) + "}"


@pytest.mark.parametrize("value, expect", [
    (_alias_bomb(), "expands"),
    ("[" * 3000 + "]" * 3000, "nested"),
    ("x" * 20_000, "at most"),
], ids=["alias-bomb", "deep-nesting", "too-long"])
def test_hostile_set(tmp_path, capsys, value, expect):
    out = tmp_path / "out.json"
    rc, err = _run(["run", SCENARIO, "--set", f"workload.mfu={value}", "--format", "json", "-o", out], capsys)
    line = _assert_one_error(rc, err, "--set", expect)
    assert len(line) < 300
    assert not out.exists()


def test_set_plain_text_still_a_string():
    from lca.scenario.overrides import parse_set

    assert parse_set(["name=a: b: c", "workload.mfu=0.5"]) == [("name", "a: b: c"), ("workload.mfu", 0.5)]


# -- numeric flags -----------------------------------------------------------------------------
@pytest.mark.parametrize("argv, flag", [
    (["run", SCENARIO, "--samples", "10", "--seed", "-1"], "--seed"),
    (["run", SCENARIO, "--samples", str(10**12)], "--samples"),
    (["run", SCENARIO, "--samples", "many"], "--samples"),
    (["plot", SCENARIO, "--kind", "stages", "--dpi", "0"], "--dpi"),
    (["plot", SCENARIO, "--kind", "stages", "--dpi", "100000"], "--dpi"),
    (["sensitivity", SCENARIO, "-n", str(2**30)], "-n"),
    (["sensitivity", SCENARIO, "--resamples", "0"], "--resamples"),
    (["sweep", SCENARIO, "--grid", "workload.mfu=0.2:0.6:1e9"], "--grid"),
    (["sweep", SCENARIO, "--grid", "workload.mfu=0.2:0.6:2.5"], "--grid"),
    (["sweep", SCENARIO, "--chunk-size", "0", "--samples", "4"], "--chunk-size"),
    (["sweep", SCENARIO, "--grid", "workload.mfu=0.2:0.6:1000", "--grid", "operation.pue=1.1:1.5:1000",
      "--grid", "lifetime.lifespan=1:6:1000"], "grid points"),
], ids=["seed-negative", "samples-huge", "samples-word", "dpi-zero", "dpi-huge", "sensitivity-n-huge",
        "resamples-zero", "grid-num-huge", "grid-num-fraction", "chunk-zero", "grid-points-product"])
def test_bad_numeric_flags(tmp_path, capsys, argv, flag):
    out = tmp_path / "out.png" if argv[0] == "plot" else tmp_path / "out.json"
    rc, err = _run([*argv, "-o", out], capsys)
    _assert_one_error(rc, err, flag)
    assert not out.exists()
