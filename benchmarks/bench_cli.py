"""Cold-process timings of the ``lca`` command line (issue #11, "fast at the fingertips").

Each command runs in a fresh process from a neutral working directory (an empty temporary
directory), ``--repeats`` times (default 5); the table gives the median wall time, the ratio to the
floor measured in the same run (``python -c "import numpy, pint, yaml"`` with the same interpreter)
and the child's peak resident memory (``os.wait4`` ``ru_maxrss``, the largest over the repeats).

Run: ``python benchmarks/bench_cli.py`` (``--quick``: one repeat, no 1e7-sample run, for a smoke
test). Rewrites the "cli" section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from _common import run_child, start, write_section

SCENARIO = "gpt4-a100"
FLOOR = [sys.executable, "-c", "import numpy, pint, yaml"]
MiB = 1024**2


def lca_cmd() -> list[str]:
    """The ``lca`` console script next to this interpreter (same venv), else ``python -m lca``."""
    script = Path(sys.executable).parent / "lca"
    if script.exists():
        return [str(script)]
    found = shutil.which("lca")
    return [found] if found else [sys.executable, "-m", "lca"]


def cases(tmp: str, quick: bool):
    """(label, argv after ``lca``, max seconds, max ratio to floor or None, max peak MiB or None)."""
    out = [
        ("lca --version", ["--version"], 0.25, None, None),
        (f"lca run {SCENARIO}", ["run", SCENARIO], 1.0, 3.0, None),
        (f"lca run {SCENARIO} --format json", ["run", SCENARIO, "--format", "json"], 1.0, 3.0, None),
        ("lca list grids", ["list", "grids"], 0.6, None, None),
        (f"lca sensitivity {SCENARIO} --method sobol -n 8192 --second-order",
         ["sensitivity", SCENARIO, "--method", "sobol", "-n", "8192", "--second-order", "--no-progress"],
         1.5, None, None),
        (f"lca report {SCENARIO} -o DIR", ["report", SCENARIO, "-o", os.path.join(tmp, "r")], 2.5, None, None),
        (f"lca run {SCENARIO} --samples 1000000 --format json",
         ["run", SCENARIO, "--samples", "1000000", "--format", "json"], 3.0, None, 1024),
    ]
    if not quick:
        out.append((f"lca run {SCENARIO} --samples 10000000 --format json",
                    ["run", SCENARIO, "--samples", "10000000", "--format", "json"], None, None, 2048))
    return out


def child_env() -> dict:
    """The children's environment: as after ``pip install``, modules load from compiled bytecode,
    so PYTHONDONTWRITEBYTECODE (set on some CI machines, and on the one these figures come from)
    is dropped and each command is run once untimed first, which writes the ``__pycache__``."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(cmd, cwd, repeats):
    walls, peak, rc, err = [], 0, 0, ""
    for _ in range(repeats):
        wall, rss, rc, err = run_child(cmd, cwd=cwd, env=child_env())
        if rc:
            break
        walls.append(wall)
        peak = max(peak, rss)
    return (statistics.median(walls) if walls else float("nan")), walls, peak, rc, err


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="runs per command (median reported); default 5")
    ap.add_argument("--quick", action="store_true", help="one repeat, skip the 1e7-sample run (smoke test)")
    ap.add_argument("--no-write", action="store_true", help="print only, do not rewrite docs/performance.md")
    args = ap.parse_args(argv)
    repeats = 1 if args.quick else max(1, args.repeats)

    start()
    lca = lca_cmd()
    rows = []
    with tempfile.TemporaryDirectory(prefix="lca-bench-cli-") as tmp:
        cwd = os.path.join(tmp, "cwd")
        os.mkdir(cwd)
        # warm the page cache, the bytecode, pint's and the inventory's caches before anything is timed
        for warm in ([FLOOR], [lca + rest for _l, rest, *_ in cases(tmp, True) if "--samples" not in rest],
                     [lca + ["run", SCENARIO, "--samples", "100001", "--format", "json"]]):
            for cmd in warm:
                run_child(cmd, cwd=cwd, env=child_env())
        floor, floor_walls, floor_rss, _, _ = measure(FLOOR, cwd, repeats)
        print(f"floor {' '.join(FLOOR[1:])!r}: median {floor:.3f} s {[round(w, 3) for w in floor_walls]}, "
              f"peak {floor_rss / MiB:.0f} MiB", flush=True)
        for label, rest, t_max, r_max, m_max in cases(tmp, args.quick):
            heavy = "10000000" in rest  # minutes per run: once
            med, walls, rss, rc, err = measure(lca + rest, cwd, 1 if heavy else repeats)
            ratio = med / floor
            checks = []
            if t_max is not None:
                checks.append((f"<= {t_max:g} s", med <= t_max))
            if r_max is not None:
                checks.append((f"<= {r_max:g}x floor", ratio <= r_max))
            if m_max is not None:
                checks.append((f"<= {m_max / 1024:g} GB peak", rss / MiB <= m_max))
            if rc:
                checks = [(f"exit status {rc}", False)]
                print(err[-2000:], file=sys.stderr)
            rows.append((label, med, walls, ratio, rss, checks))
            status = ", ".join(f"{t}: {'met' if ok else 'NOT MET'}" for t, ok in checks)
            print(f"{label}: median {med:.3f} s {[round(w, 3) for w in walls]}, {ratio:.1f}x floor, "
                  f"peak {rss / MiB:.0f} MiB; {status}", flush=True)

    lines = ["| command | median (s) | x floor | peak RSS (MiB) | target | |",
             "|---|---:|---:|---:|---|---|",
             f"| floor: `python -c \"import numpy, pint, yaml\"` | {floor:.3f} | 1.0 | {floor_rss / MiB:.0f} | | |"]
    for label, med, _walls, ratio, rss, checks in rows:
        target = "; ".join(t for t, _ in checks)
        met = "met" if all(ok for _, ok in checks) else "**not met** (" + ", ".join(
            t for t, ok in checks if not ok) + ")"
        lines.append(f"| `{label}` | {med:.3f} | {ratio:.1f} | {rss / MiB:,.0f} | {target} | {met} |")
    n_met = sum(all(ok for _, ok in c[5]) for c in rows)
    body = f"""Cold start of each command in a fresh process (`{' '.join(Path(c).name for c in lca)} ...`, the console
script of the same interpreter), run from an empty temporary directory; median of {repeats} run(s),
the floor measured in the same run. Peak RSS is the child's `ru_maxrss` (`os.wait4`), the
largest of the runs (the 1e7-sample run is timed once); standard output goes to /dev/null. Every command
ran once untimed first, with bytecode writing on (as after `pip install`, which compiles the package;
PYTHONDONTWRITEBYTECODE is dropped for the children). Targets from issue #11; {n_met} of
{len(rows)} met. Re-run: `python benchmarks/bench_cli.py` (`--quick` for one repeat without the 1e7 run).

{chr(10).join(lines)}

What the commands load: `lca run` with table or json output builds its document from the model's
arrays (`lca.model.arrays.RunArrays`, `lca.outputs.document.run_document`) and imports neither
xarray, pandas, scipy.stats nor dask.array (`tests/test_fast_paths.py` checks this); above the floor
it spends its time on the unit registry, the inventory (read from the on-disk cache), the model and
the table. `--samples` above 100,000 streams its statistics from arrays too (no Dataset): blocks
of 65,536 samples are drawn, evaluated, reduced and histogrammed on two worker threads.
`lca sensitivity` (table, json) builds its output from plain arrays
(`lca.analysis.sensitivity.SensitivityResult`) and prints its table with `lca.cli.common.Table`,
without xarray; both it and the streamed run tune glibc's malloc for their large blocks
(`lca.analysis.execution.keep_block_memory`). `lca report` renders the deterministic run from
`RunArrays` too (no xarray) and loads matplotlib."""
    if not args.no_write:
        write_section("cli", "Command-line start-up and cold-process timings", body)


if __name__ == "__main__":
    main()
