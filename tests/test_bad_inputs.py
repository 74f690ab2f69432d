"""The bad-input corpus (tests/data/bad/README.md): every malformed file gives exit code 2 and one
clear message naming the file and the key, with no traceback and no output file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lca.cli import main

BAD = Path(__file__).parent / "data" / "bad"
REPO = Path(__file__).resolve().parents[1]


def _corpus():
    rows = []
    for line in (BAD / "README.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `([^`]+)` \| (run|validate) \| (.+?) \| (.+?) \|$", line)
        if m:
            rows.append((m.group(1), m.group(2), re.findall(r"`([^`]+)`", m.group(3)), m.group(4)))
    return rows


CORPUS = _corpus()


def test_corpus_is_complete():
    """40+ files, every file listed in the README exists and every bad file is listed."""
    assert len(CORPUS) >= 40
    listed = {rel for rel, *_ in CORPUS}
    on_disk = {str(p.relative_to(BAD)) for p in BAD.rglob("*")
               if p.is_file() and p.name != "README.md" and p.parent.name != "codecarbon"}
    assert listed == on_disk
    kinds = {rel.split("/")[0] for rel in listed}
    assert {"scenarios", "accelerators", "factors", "grids", "csv"} <= kinds


def _args(rel, cmd, out):
    path = str(BAD / rel)
    if cmd == "run":
        return ["run", path, "--format", "json", "-o", str(out)]
    return ["validate", path]


def _check_message(err: str, rel: str, expect):
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one message line, got:\n{err}"
    msg = lines[0]
    assert msg.startswith("error: "), msg
    assert "Traceback" not in err
    assert Path(rel).name in msg, f"message does not name the file {Path(rel).name}: {msg}"
    for key in expect:
        assert key in msg, f"message does not mention {key!r}: {msg}"


@pytest.mark.parametrize("rel,cmd,expect,desc", CORPUS, ids=[r[0] for r in CORPUS])
def test_bad_file(rel, cmd, expect, desc, tmp_path, capsys):
    out = tmp_path / "out.json"
    rc = main(_args(rel, cmd, out))
    captured = capsys.readouterr()
    assert rc == 2, f"{rel} ({desc}): exit {rc}\nstdout: {captured.out}\nstderr: {captured.err}"
    _check_message(captured.err, rel, expect)
    assert not out.exists()
    assert not list(tmp_path.iterdir()), "no file may be written on bad input"


def test_huge_yaml(tmp_path, capsys):
    """A scenario over the size limit is refused before it is parsed."""
    p = tmp_path / "huge.yaml"
    base = (BAD / "scenarios" / "missing-name.yaml").read_text(encoding="utf-8")
    with p.open("w", encoding="utf-8") as fh:
        fh.write("name: huge\n" + base + "description: |\n")
        line = "  " + "x" * 98 + "\n"
        for _ in range(60_000):  # ~6 MB
            fh.write(line)
    out = tmp_path / "out.json"
    rc = main(["run", str(p), "--format", "json", "-o", str(out)])
    err = capsys.readouterr().err
    assert rc == 2
    _check_message(err, "huge.yaml", ["bytes"])
    assert not out.exists()


def test_huge_factor_csv(tmp_path, capsys):
    p = tmp_path / "huge.csv"
    with p.open("w", encoding="utf-8") as fh:
        fh.write("process,kind,reference_unit,source,gwp [kg CO2 eq]\n")
        for i in range(200_000):
            fh.write(f"G{i},grid,kWh,owid-energy-data,0.4\n")
    rc = main(["validate", str(p)])
    err = capsys.readouterr().err
    assert rc == 2
    _check_message(err, "huge.csv", ["bytes"])


SUBPROCESS_SAMPLE = ["scenarios/mfu-above-one.yaml", "scenarios/non-utf8.yaml", "scenarios/deeply-nested.yaml",
                     "accelerators/die-area-wrong-unit.yaml", "csv/value-nan.csv"]


@pytest.mark.parametrize("rel", SUBPROCESS_SAMPLE)
def test_bad_file_subprocess(rel, tmp_path):
    """The same through `python -m lca.cli`: exit status 2, one line on stderr, nothing on stdout."""
    row = next(r for r in CORPUS if r[0] == rel)
    out = tmp_path / "out.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-m", "lca.cli", *_args(rel, row[1], out)], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    _check_message(proc.stderr, rel, row[2])
    assert not out.exists()
