"""Measured use-phase energy from a CodeCarbon ``emissions.csv`` (``workload.measured_energy``).

CodeCarbon (https://github.com/mlco2/codecarbon) writes one row per tracker run, or one row per
``flush()`` of a run, with (among others) ``run_id``, ``duration`` (s), ``energy_consumed`` (kWh),
``cpu_energy``, ``gpu_energy``, ``ram_energy`` and, since v2.4, ``pue``. ``energy_consumed`` is
the energy measured on the machine (CPU + GPU + RAM), **multiplied by CodeCarbon's own ``pue``
setting** (default 1.0); its ``emissions`` column (kg CO2 eq from CodeCarbon's carbon intensity)
is not used: the scenario's grid gives the 16 categories.

Reading rules (docs/interop.md):

* each row's IT energy is ``energy_consumed / pue`` (``pue`` column, 1 if absent or empty), so
  the scenario's ``operation.pue`` is applied exactly once;
* rows that share a ``run_id`` are cumulative snapshots of one run (``flush()`` writes the
  total so far), so the run counts with its largest value; distinct runs (several nodes,
  restarts after a failure) are summed. A file without ``run_id`` sums every row;
* a row with ``duration`` (s) and power columns (``cpu_power``, ``gpu_power``, ``ram_power``, W)
  must agree with them: if its IT energy and (sum of the powers) x duration differ by more than a
  factor :data:`POWER_TOLERANCE`, the file is rejected (:class:`InputError` naming the file, the
  line and both numbers). A factor near 1000 means ``energy_consumed`` was written in Wh, not kWh.
  Files without power columns are not checked.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from lca.errors import InputError
from lca.inventory.files import excerpt, read_text
from lca.units import Q_

MAX_BYTES = 50_000_000   #: largest CodeCarbon emissions.csv read (bytes)
MAX_ROWS = 200_000       #: most data rows in one CodeCarbon emissions.csv (bounds time and memory)
_COLUMNS = ("run_id", "energy_consumed", "pue", "duration", *("cpu_power", "gpu_power", "ram_power"),
            "project_name", "country_iso_code", "gpu_model", "gpu_count")
_WS_PER_KWH = 3.6e6
KEY = "workload.measured_energy"
#: energy_consumed / ((cpu_power + gpu_power + ram_power) x duration) outside [1/f, f] is rejected
POWER_TOLERANCE = 2.0
POWER_COLUMNS = ("cpu_power", "gpu_power", "ram_power")


def _resolve(path, base) -> Path:
    p = Path(str(path)).expanduser()
    if p.is_absolute() or base is None:
        return p
    b = Path(str(base))
    folder = b.parent if (b.suffix and b.parent.exists()) or b.is_file() else (b if b.is_dir() else Path.cwd())
    return folder / p


def _float(text: str, where: str, col: str) -> float:
    try:
        v = float(text)
    except (TypeError, ValueError):
        raise InputError(f"{where}, column {col!r}: expected a number, got {excerpt(text)}") from None
    if not math.isfinite(v):
        raise InputError(f"{where}, column {col!r}: must be a finite number, got {excerpt(text)}")
    return v


def _check_power(r: dict, it_energy: float, dur: float | None, line: str) -> None:
    """Reject a row whose energy disagrees with its power columns x duration (docs/interop.md)."""
    cols = [c for c in POWER_COLUMNS if r.get(c)]
    if not cols or not dur or dur <= 0:
        return
    watts = sum(_float(r[c], line, c) for c in cols)
    expected = watts * dur / _WS_PER_KWH  # W x s -> kWh
    if expected <= 0 or it_energy <= 0:
        return
    ratio = it_energy / expected
    if 1 / POWER_TOLERANCE <= ratio <= POWER_TOLERANCE:
        return
    hint = ("; energy_consumed looks like Wh, CodeCarbon writes kWh" if ratio > 100 else
            "; energy_consumed looks too small for the power drawn (MWh, or power in mW?)" if ratio < 1 / 100 else
            "; CodeCarbon writes energy in kWh, power in W, duration in s")
    raise InputError(f"{line}: energy_consumed gives {it_energy:.6g} kWh of IT energy but "
                     f"({' + '.join(cols)}) x duration = {watts:.6g} W x {dur:.6g} s = {expected:.6g} kWh, "
                     f"a factor {ratio:.3g} apart (more than {POWER_TOLERANCE:g}){hint}")


def read_rows(path, *, where: str = KEY) -> list[dict]:
    """The rows of a CodeCarbon emissions.csv with ``it_energy`` (kWh, CodeCarbon PUE removed)."""
    p = Path(path)
    prefix = f"{where}: {p}"
    if not p.exists():
        raise InputError(f"{prefix}: file not found (a relative path is relative to the scenario file)")
    text, _ = read_text(p, what="a CodeCarbon emissions.csv", max_bytes=MAX_BYTES, prefix=prefix,
                        empty_hint="expected a CodeCarbon emissions.csv with an energy_consumed column")
    # only the columns used are kept, one small dict per row, and at most MAX_ROWS rows
    reader = csv.reader(io.StringIO(text, newline=""))
    del text
    try:
        fields = [f.strip() for f in next(reader, [])]
        if "energy_consumed" not in fields:
            raise InputError(f"{prefix}: column 'energy_consumed' is missing (not a CodeCarbon emissions.csv?); "
                             f"found columns: {', '.join(excerpt(f, 24) for f in fields[:12])}{' ...' if len(fields) > 12 else ''}")
        index = {c: fields.index(c) for c in _COLUMNS if c in fields}
        rows: list[dict] = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise InputError(f"{prefix}: too many data rows: over {MAX_ROWS} (line {reader.line_num}), "
                                 f"at most {MAX_ROWS}")
            r: dict[str, str | None] = {c: (cells[j].strip() if j < len(cells) else None) for c, j in index.items()}
            line = f"{prefix}: line {reader.line_num}"
            e_text = r.get("energy_consumed")
            if not e_text:
                raise InputError(f"{line}, column 'energy_consumed': empty; expected kWh")
            e = _float(e_text, line, "energy_consumed")
            if e < 0:
                raise InputError(f"{line}, column 'energy_consumed': must be >= 0 kWh, got {e}")
            pue = 1.0
            if pue_text := r.get("pue"):
                pue = _float(pue_text, line, "pue")
                if pue < 1:
                    raise InputError(f"{line}, column 'pue': CodeCarbon's PUE must be >= 1, got {pue}")
            dur = None
            if dur_text := r.get("duration"):
                dur = _float(dur_text, line, "duration")
            _check_power(r, e / pue, dur, line)
            rows.append({"line": reader.line_num, "run_id": r.get("run_id") or None, "energy_consumed": e,
                         "pue": pue, "it_energy": e / pue, "duration": dur,
                         "project_name": r.get("project_name"), "country_iso_code": r.get("country_iso_code"),
                         "gpu_model": r.get("gpu_model"), "gpu_count": r.get("gpu_count")})
    except csv.Error as exc:
        raise InputError(f"{prefix}: line {reader.line_num}: not valid CSV ({exc})") from None
    if not rows:
        raise InputError(f"{prefix}: no data rows; expected at least one CodeCarbon run")
    return rows


def summarise(rows: list[dict]) -> dict:
    """Total IT energy (kWh): largest cumulative value per run_id, summed over runs."""
    runs: dict = {}
    anonymous = 0.0
    n_anon = 0
    for r in rows:
        if r["run_id"] is None:
            anonymous += r["it_energy"]
            n_anon += 1
        else:
            runs[r["run_id"]] = max(runs.get(r["run_id"], 0.0), r["it_energy"])
    total = sum(runs.values()) + anonymous
    durations: dict[str, float] = {}
    for r in rows:
        if r["duration"] is not None:
            key = r["run_id"] if r["run_id"] is not None else f"row{r['line']}"
            durations[key] = max(durations.get(key, 0.0), r["duration"])
    pues = sorted({r["pue"] for r in rows})
    return {"it_energy_kwh": total, "rows": len(rows), "runs": len(runs) + n_anon,
            "duration_s": sum(durations.values()) if durations else None, "codecarbon_pue": pues}


def read_energy(path, base=None, *, where: str = KEY):
    """Use-phase energy measured by CodeCarbon.

    Parameters
    ----------
    path : path to the emissions.csv (relative paths resolve against the folder of ``base``)
    base : the scenario file's path (or None: current directory)

    Returns
    -------
    (energy, note) : (pint Quantity in kWh, str)
        ``energy`` is the measured **IT energy** (CPU + GPU + RAM, CodeCarbon's own PUE divided
        out); the model applies the scenario's PUE on top. ``note`` says where it came from.
    """
    label = f"{base}: {where}" if base not in (None, "", "<scenario>") else where
    p = _resolve(path, base)
    rows = read_rows(p, where=label)
    s = summarise(rows)
    if s["it_energy_kwh"] <= 0:
        raise InputError(f"{label}: {p}: column 'energy_consumed' sums to 0 kWh; nothing was measured")
    runs = f"{s['runs']} run{'s' if s['runs'] != 1 else ''}"
    extra = []
    if s["rows"] > s["runs"]:
        extra.append("rows of one run_id are cumulative: the latest per run is used")
    if s["codecarbon_pue"] != [1.0]:
        extra.append(f"CodeCarbon PUE {', '.join(f'{x:g}' for x in s['codecarbon_pue'])} divided out")
    note = (f"use-phase energy measured by CodeCarbon ({s['rows']} row{'s' if s['rows'] != 1 else ''}, {runs}, "
            f"{s['it_energy_kwh']:.6g} kWh IT energy) from {p}"
            + (f" ({'; '.join(extra)})" if extra else "")
            + "; facility energy = IT energy x operation.pue")
    return Q_(s["it_energy_kwh"], "kWh"), note
