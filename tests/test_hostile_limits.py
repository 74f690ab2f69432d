"""Hostile inputs, limits (issue #13): huge factor CSVs, factor files listed thousands of times,
special files given as factor files, huge CodeCarbon files. Each refusal gives exit code 2, one
``error:`` line naming the file, the limit and what was found, no traceback, and leaves no output
file or temporary behind. Inputs within the limits finish quickly (docs/cli.md, "Limits")."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from lca.cli import main
from lca.inventory import codecarbon, user_factors

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "gpt4-a100.yaml"
CC_SCENARIO = ROOT / "tests" / "data" / "codecarbon" / "scenario.yaml"
posix = pytest.mark.skipif(os.name != "posix" or not hasattr(os, "mkfifo"), reason="POSIX special files")
HEADER = "process,kind,reference_unit,source,gwp [kg CO2 eq]\n"


def _run(argv, capsys) -> tuple[int, str]:
    try:
        rc = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse errors
        rc = exc.code
    return rc, capsys.readouterr().err


def _assert_one_error(rc, err, *expect) -> str:
    assert rc == 2, err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    for text in expect:
        assert text in lines[0], lines[0]
    return lines[0]


def _refused(tmp_path, capsys, argv, *expect) -> str:
    """Run ``argv`` with ``-o`` in a fresh folder; exit 2, one line, nothing written there."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    rc, err = _run([*argv, "--format", "json", "-o", out_dir / "out.json"], capsys)
    line = _assert_one_error(rc, err, *expect)
    assert not list(out_dir.iterdir()), "no output file or temporary may be left"
    return line


def _scenario(tmp_path, factors: list, base=SCENARIO) -> Path:
    p = tmp_path / "s.yaml"
    listed = "".join(f"  - {f}\n" for f in factors)
    p.write_text(f"factors:\n{listed}" + base.read_text(encoding="utf-8"), encoding="utf-8")
    return p


def _grid_rows(n: int, start: int = 0) -> str:
    return "".join(f"G{i},grid,kWh,owid-energy-data,0.4\n" for i in range(start, start + n))


def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as f:  # sparse: big on paper, nothing on disk
        f.truncate(size)
    return path


# -- factor CSVs ---------------------------------------------------------------------------------
def test_factor_file_too_many_rows(tmp_path, capsys):
    f = tmp_path / "many.csv"
    f.write_text(HEADER + _grid_rows(user_factors.MAX_ROWS + 1), encoding="utf-8")
    line = _refused(tmp_path, capsys, ["run", SCENARIO, "--factors", f], "many.csv", "too many data rows",
                    str(user_factors.MAX_ROWS), str(user_factors.MAX_ROWS + 1))
    assert len(line) < 300


def test_factor_file_too_big(tmp_path, capsys):
    f = _sparse(tmp_path / "big.csv", user_factors.MAX_BYTES + 1)
    _refused(tmp_path, capsys, ["run", SCENARIO, "--factors", f], "big.csv", "bytes", str(user_factors.MAX_BYTES))


def test_factor_files_too_many_entries(tmp_path, capsys):
    (tmp_path / "f.csv").write_text(HEADER + _grid_rows(1), encoding="utf-8")
    scen = _scenario(tmp_path, ["f.csv"] * (user_factors.MAX_FILES + 1))
    _refused(tmp_path, capsys, ["run", scen], "s.yaml", "too many factor files",
             str(user_factors.MAX_FILES), str(user_factors.MAX_FILES + 1))


def test_factor_files_too_many_bytes_in_total(tmp_path, capsys):
    n = user_factors.MAX_TOTAL_BYTES // user_factors.MAX_BYTES + 1
    files = [_sparse(tmp_path / f"part{i}.csv", user_factors.MAX_BYTES) for i in range(n)]
    scen = _scenario(tmp_path, [f.name for f in files])
    _refused(tmp_path, capsys, ["run", scen], "s.yaml", "total", str(user_factors.MAX_TOTAL_BYTES))


def test_same_file_listed_many_times_is_read_once(tmp_path, capsys, monkeypatch):
    """The same file listed up to the limit: read once, kept at its last place (later files win)."""
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(HEADER + "ZZ,grid,kWh,owid-energy-data,0.1\n", encoding="utf-8")
    b.write_text(HEADER + "ZZ,grid,kWh,owid-energy-data,0.9\n", encoding="utf-8")
    reads = []
    real = user_factors.read_factor_csv
    monkeypatch.setattr(user_factors, "read_factor_csv", lambda p, s: reads.append(p) or real(p, s))
    tables = user_factors.read_tables(["a.csv"] * 500 + ["b.csv"] + ["a.csv"] * 499, tmp_path / "s.yaml", {
        "owid-energy-data": object()})
    assert [Path(t.path).name for t in tables] == ["b.csv", "a.csv"]
    assert len(reads) == 2
    assert user_factors.user_grids(tables)["ZZ"].vector.values[0] == pytest.approx(0.1)


def test_factor_file_at_the_limits_is_fast(tmp_path, capsys):
    """Rows near MAX_ROWS within MAX_BYTES: parsed and run in well under 10 s."""
    f = tmp_path / "ok.csv"
    f.write_text(HEADER + _grid_rows(user_factors.MAX_ROWS), encoding="utf-8")
    out = tmp_path / "out.json"
    t0 = time.perf_counter()
    rc, err = _run(["run", SCENARIO, "--factors", f, "--format", "json", "-o", out], capsys)
    assert rc == 0, err
    assert time.perf_counter() - t0 < 10
    assert out.exists()


# -- special files as factor files ---------------------------------------------------------------
def _special(tmp_path, kind: str) -> Path:
    p = tmp_path / f"{kind}.csv"
    if kind == "fifo":
        os.mkfifo(p)
    elif kind == "dir":
        p.mkdir()
    else:
        if not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero")
        p.symlink_to("/dev/zero")
    return p


EXPECT = {"fifo": "not a regular file", "zero": "not a regular file", "dir": "is a directory"}


@posix
@pytest.mark.parametrize("kind", ["fifo", "zero", "dir"])
def test_special_factor_file_in_scenario(tmp_path, capsys, kind):
    special = _special(tmp_path, kind)
    scen = _scenario(tmp_path, [special.name])
    line = _refused(tmp_path, capsys, ["run", scen], "factors[0]", special.name, EXPECT[kind])
    assert "not found" not in line


@posix
@pytest.mark.parametrize("kind", ["fifo", "zero", "dir"])
def test_special_factor_file_flag(tmp_path, capsys, kind):
    special = _special(tmp_path, kind)
    line = _refused(tmp_path, capsys, ["run", SCENARIO, "--factors", special], "--factors")
    assert "not found" not in line
    assert EXPECT[kind] in line


@posix
@pytest.mark.parametrize("kind", ["fifo", "zero", "dir"])
def test_check_factor_path(tmp_path, kind):
    from lca.errors import InputError

    with pytest.raises(InputError, match=EXPECT[kind]):
        user_factors.check_factor_path(_special(tmp_path, kind), "here")
    with pytest.raises(InputError, match="file not found"):
        user_factors.check_factor_path(tmp_path / "missing.csv", "here")


@posix
def test_shipped_carbon_only_reader_refuses_fifo(tmp_path):
    from lca.errors import InputError
    from lca.inventory.loaders import load_carbon_only

    p = tmp_path / "carbon_only.csv"
    os.mkfifo(p)
    with pytest.raises(InputError, match="not a regular file"):
        load_carbon_only(p, {})


# -- CodeCarbon ----------------------------------------------------------------------------------
def _cc_scenario(tmp_path, csv_name: str) -> Path:
    text = CC_SCENARIO.read_text(encoding="utf-8").replace("measured_energy: emissions.csv",
                                                          f"measured_energy: {csv_name}")
    p = tmp_path / "cc.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_codecarbon_too_many_rows(tmp_path, capsys):
    n = codecarbon.MAX_ROWS + 1
    (tmp_path / "em.csv").write_text("run_id,energy_consumed\n" + "".join(f"r{i},0.001\n" for i in range(n)),
                                     encoding="utf-8")
    _refused(tmp_path, capsys, ["run", _cc_scenario(tmp_path, "em.csv")], "em.csv", "too many data rows",
             str(codecarbon.MAX_ROWS))


def test_codecarbon_too_big(tmp_path, capsys):
    _sparse(tmp_path / "em.csv", codecarbon.MAX_BYTES + 1)
    _refused(tmp_path, capsys, ["run", _cc_scenario(tmp_path, "em.csv")], "em.csv", "bytes",
             str(codecarbon.MAX_BYTES))
