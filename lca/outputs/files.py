"""Writing results: JSON (the contract in docs/cli.md), CSV, netCDF. Files are written atomically
(temporary file, then rename), so a failure never leaves a half-written output."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from lca.inventory.method import CODES, category
from lca.model.arrays import RunArrays
from lca.outputs.document import _num, run_document, to_json_text
from lca.vocab import QUANTITY_UNITS, STAGES

if TYPE_CHECKING:  # xarray only where a Dataset is read or written
    import xarray as xr


def arrays_of(ds: xr.Dataset) -> RunArrays:
    """A result Dataset's numbers as :class:`~lca.model.arrays.RunArrays` (the sample dim last)."""
    from lca.model.result import magnitudes

    m = magnitudes(ds)
    sampled = "sample" in m.dims
    data = np.stack([np.asarray((m[c].transpose("component", "sample") if sampled else m[c]).values, dtype=float)
                     for c in CODES])
    if not sampled:
        data = data[..., None]
    qs = {k: np.atleast_1d(np.asarray(m[k].values, dtype=float)) for k in QUANTITY_UNITS if k in m.coords}
    return RunArrays(names=[str(x) for x in m["component"].values], stages=[str(x) for x in m["stage"].values],
                     data=data, quantities=qs, attrs=dict(ds.attrs))


def to_json_dict(ds: xr.Dataset) -> dict:
    """The ``lca run --format json`` document (:func:`lca.outputs.document.run_document`) of a
    result Dataset. With a ``sample`` dimension, numbers are means and every total, stage and
    quantity also gets ``mean``, ``p05``, ``p50``, ``p95``, plus the robustness measures."""
    from lca.model.result import robustness

    sampled = "sample" in ds.dims
    rob = robustness(ds) if sampled and ds.sizes["sample"] >= 2 else None
    return run_document(arrays_of(ds), sampled=sampled, robustness=rob)


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

    doc = run_document(summary.head, sampled=True)

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
    from lca.model.streaming import MonteCarloSummary

    return to_json_text(summary_json_dict(ds) if isinstance(ds, MonteCarloSummary) else to_json_dict(ds))


def to_csv(ds) -> str:
    from lca.model.result import to_frame

    return to_frame(ds).to_csv(index=False)


def to_netcdf(ds, path):
    from lca.model.result import magnitudes

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
    import pint_xarray  # noqa: F401  (registers the .pint accessor)
    import xarray as xr

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
