"""Writing results: JSON (the contract in docs/cli.md), CSV, netCDF. Files are written atomically
(temporary file, then rename), so a failure never leaves a half-written output."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import xarray as xr

from lca import __version__
from lca.inventory.method import CODES, category
from lca.model.result import STAGES, coverage, magnitudes, robustness, single_score, stage_totals, to_frame, totals
from lca.vocab import QUANTITY_UNITS


def _num(x):
    x = float(x)
    return None if math.isnan(x) else x


def _stats(arr) -> dict:
    a = np.asarray(arr, dtype=float)
    if np.all(np.isnan(a)):
        return {"mean": None, "p05": None, "p50": None, "p95": None}
    return {"mean": _num(np.mean(a)), "p05": _num(np.percentile(a, 5)), "p50": _num(np.percentile(a, 50)),
            "p95": _num(np.percentile(a, 95))}


def to_json_dict(ds: xr.Dataset) -> dict:
    """The ``lca run --format json`` document. With a ``sample`` dimension, numbers are means
    and every total, stage and quantity also gets ``mean``, ``p05``, ``p50``, ``p95``."""
    sampled = "sample" in ds.dims
    m = magnitudes(ds)
    t = magnitudes(totals(ds))
    st = magnitudes(stage_totals(ds))
    cov = coverage(ds)
    prov = json.loads(ds.attrs.get("provenance", "{}"))
    rob = robustness(ds) if sampled and ds.sizes["sample"] >= 2 else None

    def val(a):
        a = np.asarray(a, dtype=float)
        if sampled and np.all(np.isnan(a)):
            return None
        return _num(np.mean(a)) if sampled else _num(a)

    quantities = {}
    for k, unit in QUANTITY_UNITS.items():
        if k in m.coords:
            entry = {"value": val(m[k].values), "unit": unit}
            if sampled:
                entry.update(_stats(m[k].values))
            quantities[k] = entry
    impacts = {}
    for c in CODES:
        cat = category(c)
        entry = {"name": cat.name, "unit": cat.unit, "coverage": cov[c]["coverage"],
                 "total": val(t[c].values),
                 "stages": {s: val(st[c].sel(stage=s).values) for s in STAGES},
                 "components": {str(comp): val(m[c].sel(component=comp).values) for comp in m[c]["component"].values}}
        if cov[c]["missing_stages"]:
            entry["missing_stages"] = cov[c]["missing_stages"]
            entry["missing_components"] = cov[c]["missing_components"]
        if cov[c].get("proxy_components"):
            entry["proxy_components"] = cov[c]["proxy_components"]
        entry["convention"] = prov.get(c, {}).get("convention")
        if prov.get(c, {}).get("suspect"):
            entry["suspect"] = prov[c]["suspect"]
        if prov.get(c, {}).get("warning"):
            entry["warning"] = prov[c]["warning"]
        if sampled:
            entry.update(_stats(t[c].values))
            entry["stage_stats"] = {s: _stats(st[c].sel(stage=s).values) for s in STAGES}
            if rob is not None:
                entry["robustness"] = rob[c]
        impacts[c] = entry
    ss, ss_cov = single_score(ds, allow_partial=True)
    ss_entry = {"value": val(ss.magnitude), "unit": "Pt", "coverage": ss_cov}
    if sampled:
        ss_entry.update(_stats(ss.magnitude))
    doc = {"scenario": ds.attrs.get("scenario"), "lca_version": ds.attrs.get("lca_version", __version__),
           "accelerator": ds.attrs.get("accelerator"), "embodied_method": ds.attrs.get("embodied_method"),
           "grid": ds.attrs.get("grid"), "grid_name": ds.attrs.get("grid_name"), "background": ds.attrs.get("background"),
           "energy_source": ds.attrs.get("energy_source"),
           "quantities": quantities, "impacts": impacts, "single_score": ss_entry}
    doc["warnings"] = json.loads(ds.attrs.get("warnings", "[]"))
    if sampled:
        doc["samples"] = int(ds.sizes["sample"])
        doc["monte_carlo"] = {"mode": "in memory", "percentiles": "exact (numpy.percentile, linear)"}
        doc["seed"] = ds.attrs.get("seed")
        doc["sampled"] = [x for x in str(ds.attrs.get("sampled", "")).split(",") if x]
    doc["overrides"] = json.loads(ds.attrs.get("overrides", "[]"))
    doc["sources"] = json.loads(ds.attrs.get("sources", "[]"))
    doc["data_manifest"] = json.loads(ds.attrs.get("data_manifest", "{}"))
    return doc


def _check_target(path: Path) -> int | None:
    """Refuse to replace what is not an ordinary, writable file; return the mode to keep (or None)."""
    import stat

    from lca.errors import InputError

    if str(path).endswith(os.sep) or path.is_dir():
        raise InputError(f"output {path}: is a folder; give a file name")
    if path.is_symlink():
        raise InputError(f"output {path}: is a symbolic link; give the file it points to, or another name")
    if not path.exists():
        return None
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"output {path}: is not a regular file (a device, FIFO or socket); give a file name")
    if not st.st_mode & 0o222:
        raise InputError(f"output {path}: is read-only; remove it or choose another name")
    return stat.S_IMODE(st.st_mode)


def atomic_write(path, writer, mode="w"):
    """Call ``writer(tmp_path)`` then move the file into place.

    Only an ordinary file is ever replaced (it keeps its permissions); a device, FIFO, symbolic
    link, folder or read-only file at the path is refused. Folders created for the output are
    removed again if the write fails, and the temporary file always is."""
    from lca.errors import OutputError

    path = Path(path)
    keep = _check_target(path)
    created = [d for d in [path.parent, *path.parent.parents] if not d.exists()]
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(fd)
        writer(tmp)
        if keep is None:
            umask = os.umask(0)
            os.umask(umask)
            keep = 0o666 & ~umask  # mkstemp creates 0600; give a new file ordinary permissions
        os.chmod(tmp, keep)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise OutputError(f"output {path}: cannot write ({exc.strerror or exc})") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        if tmp is not None or not path.exists():
            for d in created:  # innermost first; only the folders this call made, and only if empty
                try:
                    d.rmdir()
                except OSError:
                    break


def _in_thread(fn, *args):
    """Run ``fn(*args)`` on a daemon thread while the main thread waits in short steps.

    HDF5/netCDF4 hold locks across a write; an interrupt delivered inside one (in the main
    thread) deadlocks xarray's cleanup. Here the main thread only ever waits in ``join(0.1)``,
    so SIGINT/SIGTERM are handled at once: the exception propagates, ``atomic_write`` removes
    the temporary (the abandoned writer may still hold it open; unlinking it is fine) and the
    daemon thread dies with the interpreter. A failure in the writer is re-raised here."""
    import threading

    box: dict = {}

    def target():
        try:
            fn(*args)
        except BaseException as exc:  # handed to the main thread
            box["exc"] = exc

    t = threading.Thread(target=target, name="lca-netcdf-writer", daemon=True)
    t.start()
    while t.is_alive():
        t.join(0.1)
    if "exc" in box:
        raise box["exc"]


def write_text(path, text: str):
    def w(tmp):
        Path(tmp).write_text(text, encoding="utf-8")
    atomic_write(path, w)


def summary_json_dict(summary) -> dict:
    """The ``lca run --format json`` document of a streamed Monte Carlo run
    (:class:`lca.model.streaming.MonteCarloSummary`): the same keys as :func:`to_json_dict` of the
    samples in memory, with the statistics of all samples, plus ``monte_carlo`` saying how the
    percentiles were obtained."""
    from lca.model.streaming import HISTOGRAM_BINS

    doc = to_json_dict(summary.head)

    def stats(key) -> dict:
        return {k: _num(v) for k, v in summary.stats(key).items()}

    for k, entry in doc["quantities"].items():
        st = stats(("quantity", k))
        entry.update(st)
        entry["value"] = st["mean"]
    comps = summary.components
    for i, c in enumerate(CODES):
        entry = doc["impacts"][c]
        st = stats(("total", c))
        entry.update(st)
        entry["total"] = st["mean"]
        entry["stages"] = {s: stats(("stage", c, s))["mean"] for s in STAGES}
        entry["stage_stats"] = {s: stats(("stage", c, s)) for s in STAGES}
        entry["components"] = {str(n): _num(summary.component_mean[i, j]) for j, n in enumerate(comps)}
        entry["robustness"] = summary.robustness[c]
    st = stats(("single_score",))
    doc["single_score"].update(st)
    doc["single_score"]["value"] = st["mean"]
    doc["samples"] = summary.samples
    doc["seed"] = summary.seed
    doc["monte_carlo"] = {"mode": "streamed", "histogram_bins": HISTOGRAM_BINS,
                          "percentiles": "within one histogram bin of the exact sample percentiles "
                                         "(log-spaced bins for positive series)"}
    return doc


def to_json(ds) -> str:
    """The run document as JSON text (strict: a non-finite number is an error, never ``Infinity``).
    ``ds`` is a result Dataset or a streamed :class:`~lca.model.streaming.MonteCarloSummary`."""
    doc = to_json_dict(ds) if isinstance(ds, xr.Dataset) else summary_json_dict(ds)
    return json.dumps(doc, indent=2, allow_nan=False)


def to_csv(ds) -> str:
    return to_frame(ds).to_csv(index=False)


def to_netcdf(ds, path):
    m = magnitudes(ds)
    for c in CODES:
        m[c].attrs["units"] = str(m[c].attrs.get("units", category(c).pint_unit))
    try:
        import netCDF4  # noqa: F401
        engine = "netcdf4"
    except ImportError:
        engine = "scipy"
    atomic_write(path, lambda tmp: _in_thread(lambda: m.to_netcdf(tmp, engine=engine)))


def read_result(path) -> xr.Dataset:
    """Read a result written by ``lca run --format netcdf`` (or json is not supported here)."""
    from lca.errors import InputError
    from lca.units import ureg

    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found")
    try:
        ds = xr.load_dataset(p)
    except Exception as exc:
        raise InputError(f"{p}: not a result netCDF file written by `lca run --format netcdf` ({exc.__class__.__name__})") from None
    missing = [c for c in CODES if c not in ds]
    if missing:
        raise InputError(f"{p}: not an lca result (missing variables {', '.join(missing)})")
    return ds.pint.quantify(unit_registry=ureg, **{c: ds[c].attrs["units"] for c in CODES})


def write_netcdf(ds: xr.Dataset, path, client=None, progress=False):
    """Write a sweep result (numpy- or dask-backed) atomically; a dask-backed one is streamed chunk
    by chunk (on ``client`` if given), so memory stays bounded. The write runs on a worker thread
    so that Ctrl-C or SIGTERM interrupts it at once and leaves no temporary file."""
    try:
        import netCDF4  # noqa: F401
        engine = "netcdf4"
    except ImportError:  # pragma: no cover
        engine = "scipy"
    lazy = any(getattr(v.data, "dask", None) is not None or type(v.data).__module__.startswith("dask")
               for v in ds.data_vars.values())

    def w(tmp):
        if not lazy:
            ds.to_netcdf(tmp, engine=engine)
            return
        job = ds.to_netcdf(tmp, engine=engine, compute=False)
        if client is None:
            job.compute()
        else:
            fut = client.compute(job)
            fut.result()
    atomic_write(path, lambda tmp: _in_thread(w, tmp))
