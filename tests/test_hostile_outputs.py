"""Outputs never destroy what is at the path; numbers that are not what they seem are refused."""

from __future__ import annotations

import json
import os
import stat

import pytest

from lca.cli import main


def _run(args, capsys):
    rc = main(args)
    cap = capsys.readouterr()
    assert "Traceback" not in cap.err
    return rc, cap.err


def test_refuses_fifo_symlink_folder_and_read_only(tmp_path, capsys):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    target = tmp_path / "real.json"
    target.write_text("keep me")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    ro = tmp_path / "ro.json"
    ro.write_text("read only")
    ro.chmod(0o444)
    for out, needle in ((fifo, "not a regular file"), (link, "symbolic link"), (tmp_path, "is a folder"),
                        (ro, "read-only")):
        rc, err = _run(["run", "gpt4-a100", "--format", "json", "-o", str(out)], capsys)
        assert rc == 2 and needle in err and err.count("\n") == 1, (out, err)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and link.is_symlink() and target.read_text() == "keep me"
    assert ro.read_text() == "read only"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "link.json", "real.json", "ro.json"]  # no temporaries


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_dev_null_stays_a_device(capsys):
    rc, err = _run(["run", "gpt4-a100", "--format", "json", "-o", "/dev/null"], capsys)
    assert rc == 2 and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_existing_file_keeps_its_mode(tmp_path, capsys):
    out = tmp_path / "private.json"
    out.write_text("{}")
    out.chmod(0o600)
    rc, _ = _run(["run", "gpt4-a100", "--format", "json", "-o", str(out)], capsys)
    assert rc == 0 and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "impacts" in json.loads(out.read_text())


def test_write_failure_is_exit_1_and_leaves_no_folder(tmp_path, capsys, monkeypatch):
    import lca.outputs.files as files

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full)
    out = tmp_path / "new" / "deeper" / "r.json"
    rc, err = _run(["run", "gpt4-a100", "--format", "json", "-o", str(out)], capsys)
    assert rc == 1 and "No space left on device" in err
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("item, needle", [
    ("operation.pue=1,2", "comma inside a number"),
    ("lifetime.lifespan=4,5 year", "comma inside a number"),
    ("workload.mfu=40 degree", "got an angle"),
    ("workload.training_flops=1e300 EFLOP", "overflow"),
    ("lifetime.lifespan=1e-320 ns", "overflow"),
])
def test_numbers_that_are_not_what_they_seem(item, needle, tmp_path, capsys):
    out = tmp_path / "r.json"
    rc, err = _run(["run", "gpt4-a100", "--set", item, "--format", "json", "-o", str(out)], capsys)
    assert rc == 2 and needle in err and not out.exists()


def test_percent_still_reads_as_a_share(capsys):
    rc, _ = _run(["run", "gpt4-a100", "--set", "workload.mfu=35 %", "--format", "json"], capsys)
    assert rc == 0


def test_overflow_is_one_line_without_a_runtime_warning(tmp_path):
    """pint's conversion of 1e300 EFLOP to base units overflows; the user sees only our message."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "lca.cli", "run", "gpt4-a100", "--set", "workload.training_flops=1e300 EFLOP"],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("error:") and "overflow" in r.stderr
    assert r.stderr.count("\n") == 1 and "Warning" not in r.stderr, r.stderr
