"""Parameter sweeps (full-factorial grids, optionally with Monte Carlo samples at every point),
in memory or chunked on dask / dask.distributed, and the fast totals-only evaluator they share
with :mod:`lca.sensitivity`.

A sweep result is an :class:`xarray.Dataset` with one dimension per swept parameter, named by its
dotted path (``workload.mfu``, ``lifetime.lifespan``), plus ``sample`` when ``samples`` is given.
It holds one variable per EF 3.1 category (the total over components, plain floats with
``units`` in attrs) and the run quantities ``accelerator_hours``, ``energy`` and
``lifetimes_consumed``. Totals equal ``lca.result.totals(lca.model.evaluate(...))`` at every
point (the component breakdown is not kept: a 1e8-point sweep has 1.6e9 category totals already).

Sampling at sweep points draws every uncertain parameter that is not swept; the draws are common
to all grid points (common random numbers), so differences between points are not blurred by
sampling noise. Draws come in fixed blocks of :data:`SAMPLE_BLOCK` samples, block ``b`` from
``numpy.random.default_rng([seed, b])``, so a result depends only on ``seed`` -- not on the chunk
size, the scheduler, or which parameters are swept -- and ``samples=100`` is a prefix of
``samples=1000``.
"""

from __future__ import annotations

import json
import math
import sys
import time

import numpy as np
import xarray as xr

from lca import __version__
from lca.inventory.method import CODES, category
from lca.errors import InputError, unknown_id
from lca.model import Model, compute, coverage_of, per_card, prepare, quantities
from lca.scenario import Scenario, parameter_table
from lca.model.stages import use
from lca.units import Q_

QUANTITIES = ("accelerator_hours", "energy", "lifetimes_consumed")
QUANTITY_UNITS = {"accelerator_hours": "hour", "energy": "kilowatt_hour", "lifetimes_consumed": "dimensionless"}
OUTPUTS = tuple(CODES) + QUANTITIES
SAMPLE_BLOCK = 2**16          # samples per random-number block (part of the reproducibility contract)
DEFAULT_CHUNK = 2**19         # evaluations per chunk (about 80 MB of outputs)

__all__ = ["OUTPUTS", "QUANTITIES", "evaluate_outputs", "parse_grid", "sweep", "draw_samples", "dask_client",
           "write_netcdf", "to_json_dict", "to_csv", "output_unit"]


# ------------------------------------------------------------------------------------------------
# fast evaluation: category totals + quantities, shape (19, n)
class _Recorder(dict):
    """A parameter table that records which paths a stage function reads."""

    def __init__(self, data):
        super().__init__(data)
        self.read = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)


def _varies(q) -> bool:
    m = np.asarray(q.magnitude)
    return m.size > 1 and not bool(np.all(m == m.flat[0]))


def evaluate_outputs(model: Model, p: dict, out: np.ndarray | None = None) -> np.ndarray:
    """Category totals and run quantities for a parameter table, as one float array (19, n).

    Rows follow :data:`OUTPUTS`: the 16 category codes (each total in the category's unit, the sum
    of the covered components, NaN where none is covered -- as :func:`lca.result.totals`) then
    ``accelerator_hours`` (h), ``energy`` (kWh), ``lifetimes_consumed``.

    ``p`` is a parameter table (:func:`lca.scenario.parameter_table`) whose arrays may have
    length 1 or n: constant inputs can stay length 1 and are broadcast. The per-card embodied
    impacts are computed once when none of the inputs they read varies (the measured route, or a
    parametric card with a fixed bill of materials), which is what makes this path fast; the
    result equals summing :func:`lca.model.compute` over components (to rounding).
    """
    n = max(np.asarray(v.magnitude).size for v in p.values())
    q = quantities(model, p)
    rec = _Recorder({k: v[:1] for k, v in p.items()})
    card = per_card(model, rec)
    if any(k in p and _varies(p[k]) for k in rec.read):
        card = per_card(model, p)
    cs = _nansum_stack([arr for _stage, arr in card.values()])  # (16, 1 or n)
    life = np.broadcast_to(np.asarray(q["lifetimes_consumed"].m_as(""), dtype=float), (n,))
    e = np.broadcast_to(np.asarray(q["energy"].m_as("kWh"), dtype=float), (n,))
    # electricity is linear in energy: use.electricity(1 kWh) gives the per-kWh factors (16, 1 or n),
    # and factor x energy below is the same product use.electricity(energy) computes
    grid = {c: p[f"operation.grid.{c}"] for c in CODES}
    G = use.electricity(Q_(np.ones(max(np.asarray(g.magnitude).size for g in grid.values())), "kWh"), grid)
    water = None
    if "onsite_water" in q:
        water = use.onsite_water_impacts(q["onsite_water"], p.get("operation.water_scarcity"))
    if out is None:
        out = np.empty((len(OUTPUTS), n))
    inputs_finite = not (np.isnan(life).any() or np.isnan(e).any())
    tmp = np.empty(n)
    for k in range(len(CODES)):
        ck = cs[k] if cs.shape[1] > 1 else cs[k, 0]
        gk = G[k] if G.shape[1] > 1 else G[k, 0]
        row = out[k]
        if water is None and inputs_finite and np.ndim(ck) == 0 and np.ndim(gk) == 0 and not (np.isnan(ck) or np.isnan(gk)):
            np.multiply(ck, life, out=row)          # embodied share of the run
            np.multiply(gk, e, out=tmp)             # electricity
            row += tmp
            continue
        terms = []
        if np.ndim(ck) or not np.isnan(ck):
            terms.append(ck * life)
        if np.ndim(gk) or not np.isnan(gk):
            terms.append(gk * e)
        if water is not None:
            terms.append(water[k] if water.shape[1] == n else np.broadcast_to(water[k], (n,)))
        _nansum_into(terms, row)
    for i, name in enumerate(QUANTITIES):
        out[len(CODES) + i] = q[name].m_as(QUANTITY_UNITS[name])
    return out


def _nansum_stack(arrs):
    """Sum of (R, 1 or m) arrays ignoring NaN; NaN where all are NaN (min_count=1). Rows without
    NaN (the usual case) cost one NaN check and one addition per array."""
    rows = arrs[0].shape[0]
    width = max(a.shape[1] for a in arrs)
    total = np.zeros((rows, width))
    full = np.zeros(rows, dtype=bool)    # some array has no NaN in this row: the sum is defined
    seen = {}                            # row -> mask of samples with at least one value
    for a in arrs:
        nan_rows = np.isnan(a).any(axis=1)
        if not nan_rows.any():
            total += a
            full[:] = True
            continue
        for r in range(rows):
            if not nan_rows[r]:
                total[r] += a[r]
                full[r] = True
                continue
            ok = ~np.isnan(a[r])
            if ok.any():
                total[r] += np.where(ok, a[r], 0.0)
                seen[r] = (seen[r] | ok) if r in seen else np.broadcast_to(ok, (width,)).copy()
    for r in np.flatnonzero(~full):
        mask = seen.get(r)
        if mask is None:
            total[r] = np.nan
        else:
            total[r][~np.broadcast_to(mask, (width,))] = np.nan
    return total


def _nansum_into(terms, out):
    """out[:] = sum of 1-D terms ignoring NaN, NaN where every term is NaN."""
    clean, masks, full = [], [], False
    for t in terms:
        nan = np.isnan(t)
        if nan.all():
            continue
        if nan.any():
            clean.append(np.where(nan, 0.0, t))
            masks.append(~nan)
        else:
            clean.append(t)
            full = True
    if not clean:
        out[...] = np.nan
        return
    np.copyto(out, clean[0])
    for t in clean[1:]:
        out += t
    if not full:
        seen = masks[0].copy()
        for m in masks[1:]:
            seen |= m
        out[~seen] = np.nan


def output_unit(name: str) -> tuple[str, str]:
    """(pint unit string, display label) of an output row."""
    if name in QUANTITY_UNITS:
        u = QUANTITY_UNITS[name]
        return u, {"hour": "h", "kilowatt_hour": "kWh", "dimensionless": "-"}[u]
    c = category(name)
    return str(c.pint_unit), c.unit


def unit_name(unit: str) -> str:
    """Long, pint-parsable spelling of a unit (``a`` -> ``year``, ``mm²`` -> ``millimeter ** 2``)."""
    from lca.units import ureg

    return format(ureg.Unit(unit), "D")


def _unit_label(path, unit):
    if path.startswith("operation.grid."):
        return f"{category(path.rsplit('.', 1)[1]).unit}/kWh"
    name = unit_name(unit)
    return "-" if name == "dimensionless" else name


def output_name(name: str) -> str:
    if name in QUANTITY_UNITS:
        return {"accelerator_hours": "Accelerator-hours", "energy": "Facility energy",
                "lifetimes_consumed": "Accelerator lifetimes consumed"}[name]
    return category(name).name


_CACHE: dict = {}   # id(model) -> (weak reference to the model, {name: value})


def _cached(model, key, make):
    import weakref

    ref, store = _CACHE.get(id(model), (None, None))
    if ref is None or ref() is not model:
        store = {}
        _CACHE[id(model)] = (weakref.ref(model, lambda _r, i=id(model): _CACHE.pop(i, None)), store)
    if key not in store:
        store[key] = make()
    return store[key]


def table(model: Model, fixed: dict) -> dict:
    """``parameter_table(model.scenario, fixed=fixed)`` for plain arrays in each parameter's unit,
    without re-parsing unit strings: the deterministic table is built once per model and the
    fixed arrays are attached to its units (same values as parameter_table gives)."""
    base = _cached(model, "table", lambda: parameter_table(model.scenario))
    unknown = [k for k in fixed if k not in base]
    if unknown:
        raise unknown_id("parameter path", unknown[0], base.keys())
    p = dict(base)
    for k, v in fixed.items():
        p[k] = Q_(np.asarray(v, dtype=float), base[k].units)
    return p


def _coverage(model: Model) -> dict:
    """Coverage flags of the categories at the deterministic point (cached per model)."""
    def make():
        q, names, stages, arr = compute(model, parameter_table(model.scenario))
        return coverage_of(arr, names, stages)
    return _cached(model, "coverage", make)


# ------------------------------------------------------------------------------------------------
# grid specs
def parse_grid(items, scenario: Scenario) -> dict:
    """``["workload.mfu=0.2:0.6:9", "operation.pue=1.1,1.2,1.5"]`` -> {path: float array}.

    ``START:STOP:NUM`` gives NUM evenly spaced values (both ends included); a comma list gives the
    values themselves. Values are plain numbers in the parameter's unit (``lca sweep --help``
    lists them); they are checked against the parameter's valid range.
    """
    out = {}
    for item in items or []:
        if not isinstance(item, str) or "=" not in item:
            raise InputError(f"--grid {item!r}: expected PATH=START:STOP:NUM or PATH=V1,V2,..., "
                             "e.g. workload.mfu=0.2:0.6:9")
        path, _, spec = item.partition("=")
        path, spec = path.strip(), spec.strip()
        if path not in scenario.params:
            raise unknown_id("parameter path", path, scenario.params.keys(), f"--grid {item}")
        if path in out:
            raise InputError(f"--grid {item}: {path} is swept twice")
        unit = unit_name(scenario.params[path].unit)
        try:
            if ":" in spec:
                parts = spec.split(":")
                if len(parts) != 3:
                    raise ValueError
                start, stop, num = float(parts[0]), float(parts[1]), parts[2]
                if float(num) != int(float(num)) or int(float(num)) < 1:
                    raise InputError(f"--grid {item}: NUM must be a positive integer, got {num!r}")
                vals = np.linspace(start, stop, int(float(num)))
            else:
                vals = np.array([float(v) for v in spec.split(",") if v.strip() != ""])
                if not vals.size:
                    raise ValueError
        except ValueError:
            raise InputError(f"--grid {item}: expected START:STOP:NUM or a comma list of numbers "
                             f"in {unit} (e.g. {path}=" + ("0.2:0.6:9" if unit == "dimensionless" else "1:6:6")
                             + ")") from None
        if not np.all(np.isfinite(vals)):
            raise InputError(f"--grid {item}: values must be finite numbers")
        _check_range(path, vals, unit, item)
        out[path] = vals
    return out


def _check_range(path, vals, unit, item):
    from lca.scenario.schema import SCALARS, check_bounds
    from lca.units import Q_

    if path in SCALARS:
        _, bounds, desc = SCALARS[path]
        for v in (vals.min(), vals.max()):
            check_bounds(Q_(float(v), unit), bounds, f"--grid {item}", desc, "value")
    elif (path.startswith("operation.grid.") or path.startswith("accelerator.bom.")
          or path.startswith("embodied.yield.")) and vals.min() < 0:
        raise InputError(f"--grid {item}: value {vals.min():g} out of range; expected a value >= 0 ({unit})")


# ------------------------------------------------------------------------------------------------
# reproducible sampling in blocks
def _entropy(seed):
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"--seed: expected a non-negative integer, got {seed!r}")
    return int(seed)


def _ppf(prm, u) -> np.ndarray:
    """Quantiles of a parameter's distribution, as magnitudes in the parameter's unit. Uniform
    distributions skip scipy's argument checks: ``u * (max - min) + min`` is the same arithmetic
    as ``scipy.stats.uniform(loc=min, scale=max - min).ppf(u)``, so the values are identical."""
    d = prm.distribution
    if d.kind == "uniform" and d.unit == prm.unit:
        return u * (d.params["max"] - d.params["min"]) + d.params["min"]
    return d.ppf(u).m_as(prm.unit)


def draw_samples(scenario: Scenario, seed: int, start: int, stop: int, paths=None) -> dict:
    """Values (magnitudes in each parameter's unit) of samples ``start..stop-1`` for the
    uncertain parameters (all of them, or ``paths``), from the block scheme described above."""
    unc = scenario.uncertain
    paths = unc if paths is None else list(paths)
    cols = {p: [] for p in paths}
    for b in range(start // SAMPLE_BLOCK, (stop - 1) // SAMPLE_BLOCK + 1):
        lo = max(start, b * SAMPLE_BLOCK) - b * SAMPLE_BLOCK
        hi = min(stop, (b + 1) * SAMPLE_BLOCK) - b * SAMPLE_BLOCK
        u = np.random.default_rng([seed, b]).random((len(unc), SAMPLE_BLOCK))
        for path in paths:
            cols[path].append(_ppf(scenario.params[path], u[unc.index(path), lo:hi]))
    return {p: np.concatenate(v) if v else np.empty(0) for p, v in cols.items()}


# ------------------------------------------------------------------------------------------------
# the block kernel (shared by the in-memory loop and dask)
_MODEL_CACHE: dict = {}


def _block(*blocks, model, paths, sampled, seed):
    """Outputs (19, *block shape) for one block. ``blocks`` are the block's coordinate values of
    each swept parameter, then (with samples) its sample indices."""
    shape = tuple(len(b) for b in blocks)
    nd = len(shape)
    n = math.prod(shape)
    fixed = {}
    for d, (path, vals) in enumerate(zip(paths, blocks)):
        v = np.asarray(vals, dtype=float).reshape([-1 if i == d else 1 for i in range(nd)])
        fixed[path] = np.broadcast_to(v, shape).ravel()
    if sampled is not None:
        idx = np.asarray(blocks[-1])
        draws = draw_samples(model.scenario, seed, int(idx[0]), int(idx[-1]) + 1, sampled)
        for path, vals in draws.items():
            v = vals.reshape([-1 if i == nd - 1 else 1 for i in range(nd)])
            fixed[path] = np.broadcast_to(v, shape).ravel()
    p = table(model, fixed)
    out = np.empty((len(OUTPUTS), n))
    evaluate_outputs(model, p, out)
    return out.reshape((len(OUTPUTS),) + shape)


def _chunk_plan(sizes, has_sample, chunk_size):
    """Chunk length of every dim so a block holds at most ``chunk_size`` points."""
    budget = max(1, int(chunk_size))
    chunks = [1] * len(sizes)
    for d in range(len(sizes) - 1, -1, -1):
        size = sizes[d]
        if size <= budget:
            c = size
        else:
            c = max(1, budget)
            if has_sample and d == len(sizes) - 1 and c > SAMPLE_BLOCK:
                c = (c // SAMPLE_BLOCK) * SAMPLE_BLOCK
        chunks[d] = c
        budget = max(1, budget // c)
    return chunks


# ------------------------------------------------------------------------------------------------
def sweep(scenario, grid=None, *, samples: int | None = None, seed: int | None = None, overrides=(),
          dask: str | None = None, lazy: bool = False, chunk_size: int = DEFAULT_CHUNK, progress: bool = False,
          inventory=None, client=None) -> xr.Dataset:
    """Evaluate a scenario over a full-factorial grid (and/or Monte Carlo samples).

    Parameters
    ----------
    scenario : path, shipped name, Scenario or Model
    grid : dict or list of str
        {path: values} (values in the parameter's unit) or ``--grid`` strings (:func:`parse_grid`).
        Empty or None with ``samples``: a plain Monte Carlo run (dims ``(sample,)``).
    samples, seed : int, optional
        Monte Carlo samples of the non-swept uncertain parameters at every grid point.
    dask : None, "local" or a scheduler address
        Evaluate chunk by chunk on dask.distributed (a LocalCluster, or the scheduler at the
        address); the result is computed and returned in memory, identical to ``dask=None``.
    lazy : bool
        Return a dask-backed Dataset without computing it (any scheduler; reduce it or write it
        with :func:`write_netcdf` so memory stays bounded).
    chunk_size : int
        Evaluations per chunk (memory per task is about 200 bytes x chunk_size).
    progress : bool
        Report progress on standard error.
    client : distributed.Client, optional
        Use this client instead of creating one (``dask`` is then ignored).
    """
    model = scenario if isinstance(scenario, Model) else prepare(scenario, inventory=inventory, overrides=overrides)
    sc = model.scenario
    if grid is None:
        grid = {}
    elif isinstance(grid, (list, tuple)):
        grid = parse_grid(grid, sc)
    else:
        unknown = [k for k in grid if k not in sc.params]
        if unknown:
            raise unknown_id("parameter path", unknown[0], sc.params.keys())
        grid = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in grid.items()}
    if samples is not None:
        if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
            raise InputError(f"--samples: expected a positive integer, got {samples!r}")
    if not grid and samples is None:
        raise InputError("nothing to sweep: give at least one --grid PATH=START:STOP:NUM (or --samples N)")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise InputError(f"--chunk-size: expected a positive integer, got {chunk_size!r}")
    ent = _entropy(seed)
    paths = list(grid)
    sampled = [p for p in sc.uncertain if p not in grid] if samples is not None else None
    dims = paths + (["sample"] if samples is not None else [])
    coords_vals = [grid[p] for p in paths] + ([np.arange(samples)] if samples is not None else [])
    sizes = [len(v) for v in coords_vals]
    chunks = _chunk_plan(sizes, samples is not None, chunk_size)
    kw = {"model": model, "paths": paths, "sampled": sampled, "seed": ent}

    if lazy or dask is not None or client is not None:
        data = _dask_array(coords_vals, chunks, kw)
        if not lazy:
            data = _compute_distributed(data, dask, client, progress)
    else:
        data = _compute_in_memory(coords_vals, sizes, chunks, kw, progress)
    return _to_dataset(model, grid, dims, coords_vals, data, samples=samples, seed=seed, entropy=ent)


def _blocks_of(sizes, chunks):
    """Index slices of every block in C order."""
    import itertools

    ranges = [[slice(a, min(a + c, s)) for a in range(0, s, c)] for s, c in zip(sizes, chunks)]
    return list(itertools.product(*ranges))


def _compute_in_memory(coords_vals, sizes, chunks, kw, progress):
    out = np.empty((len(OUTPUTS),) + tuple(sizes))
    blocks = _blocks_of(sizes, chunks)

    def one(sl):
        out[(slice(None),) + sl] = _block(*(v[s] for v, s in zip(coords_vals, sl)), **kw)

    run_blocks(one, blocks, _Progress(len(blocks), "sweep") if progress else None)
    return out


def run_blocks(fn, items, prog=None):
    """Call ``fn(item)`` for every item on a pool of threads (one per CPU; numpy releases the GIL),
    or inline for a single item. ``fn`` writes its own output, so the order does not matter and
    the result is the same as a serial loop."""
    import os
    from concurrent.futures import ThreadPoolExecutor, as_completed

    workers = min(len(items), os.cpu_count() or 1)
    if workers <= 1:
        for it in items:
            fn(it)
            if prog:
                prog.step()
    else:
        with ThreadPoolExecutor(workers) as pool:
            futs = [pool.submit(fn, it) for it in items]
            try:
                for f in as_completed(futs):
                    f.result()
                    if prog:
                        prog.step()
            except BaseException:
                for f in futs:
                    f.cancel()
                raise
    if prog:
        prog.done()


def _dask_array(coords_vals, chunks, kw):
    import dask
    import dask.array as da

    letters = "abcdefghijklmnopqrstuvwxy"[: len(coords_vals)]
    args = []
    for v, c, ch in zip(coords_vals, chunks, letters):
        args += [da.from_array(np.asarray(v), chunks=(c,), name=False), ch]
    model_d = dask.delayed(kw["model"], pure=True)
    return da.blockwise(_dask_block, "z" + letters, *args, new_axes={"z": len(OUTPUTS)}, dtype=float,
                        concatenate=True, model=model_d, paths=kw["paths"], sampled=kw["sampled"], seed=kw["seed"],
                        meta=np.empty((0,) * (len(coords_vals) + 1)))


def _dask_block(*blocks, model, paths, sampled, seed):
    return _block(*blocks, model=model, paths=paths, sampled=sampled, seed=seed)


class dask_client:  # noqa: N801  (used as a context manager, like a function)
    """``with dask_client("local" | ADDRESS) as client:`` -- a LocalCluster (threads, one worker
    per machine, so no data is copied between processes) or a connection to a running scheduler.
    Clusters and clients it creates are closed on exit."""

    def __init__(self, spec: str = "local", n_workers: int | None = None, threads_per_worker: int | None = None,
                 processes: bool = False):
        self.spec, self.kw = spec, dict(n_workers=n_workers, threads_per_worker=threads_per_worker, processes=processes)
        self.cluster = self.client = None

    def __enter__(self):
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover
            raise InputError("--dask needs dask.distributed: pip install 'lca[dask]'") from None
        import os

        if self.spec in (None, "", "local"):
            ncpu = os.cpu_count() or 1
            nw = self.kw["n_workers"] or 1
            tpw = self.kw["threads_per_worker"] or max(1, ncpu // nw)
            self.cluster = LocalCluster(n_workers=nw, threads_per_worker=tpw, processes=self.kw["processes"],
                                        dashboard_address=":0")
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(self.spec, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError(f"--dask {self.spec}: cannot connect to a dask scheduler there ({exc.__class__.__name__}: "
                                 f"{exc}); start one with `dask scheduler` or use --dask local") from None
        return self.client

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        return False


def _compute_distributed(data, spec, client, progress):
    if client is not None:
        return _gather(client, data, progress)
    with dask_client(spec or "local") as cl:
        return _gather(cl, data, progress)


def _gather(client, data, progress):
    from distributed import as_completed, futures_of

    x = client.persist(data)
    if progress:
        futs = futures_of(x)
        prog = _Progress(len(futs), "sweep (dask)")
        for _ in as_completed(futs):
            prog.step()
        prog.done()
    return client.compute(x).result()


class _Progress:
    """A plain stderr counter: silent for short work (< 1 s), then an update every ~2 s
    (rewritten in place on a terminal)."""

    def __init__(self, total, label, unit="chunks"):
        self.total, self.label, self.unit, self.k = total, label, unit, 0
        self.t0 = self.last = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.shown = False

    def step(self, k=1):
        self.k += k
        now = time.perf_counter()
        if now - self.t0 > 1.0 and (now - self.last > (0.2 if self.tty else 2.0)):
            self.last, self.shown = now, True
            self._print(f"{self.label}: {self.k}/{self.total} {self.unit} ({100 * self.k / self.total:.0f}%), "
                        f"{now - self.t0:.1f} s", final=False)

    def done(self):
        if self.shown:
            self._print(f"{self.label}: {self.total}/{self.total} {self.unit}, {time.perf_counter() - self.t0:.1f} s",
                        final=True)

    def _print(self, msg, final):
        if self.tty:
            print("\r" + msg, end="\n" if final else "", file=sys.stderr, flush=True)
        else:
            print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
def _to_dataset(model, grid, dims, coords_vals, data, *, samples, seed, entropy):
    sc = model.scenario
    coords = {}
    for path in grid:
        prm = sc.params[path]
        coords[path] = xr.Variable((path,), coords_vals[dims.index(path)],
                                   attrs={"units": unit_name(prm.unit), "long_name": path,
                                          "unit_label": _unit_label(path, prm.unit),
                                          "distribution": prm.distribution.describe() if prm.distribution else "fixed"})
    if samples is not None:
        coords["sample"] = np.arange(samples)
    # coverage of the categories at the deterministic point (NaN components)
    cov = _coverage(model)
    dvars = {}
    for i, name in enumerate(OUTPUTS):
        unit, label = output_unit(name)
        attrs = {"units": unit, "unit_label": label, "long_name": output_name(name)}
        if name in cov:
            attrs.update({"coverage": cov[name]["coverage"], "missing_stages": ",".join(cov[name]["missing_stages"]),
                          "missing_components": ",".join(cov[name]["missing_components"])})
        dvars[name] = xr.Variable(tuple(dims), data[i], attrs=attrs)
    ds = xr.Dataset(dvars, coords=coords)
    ds.attrs.update({
        "scenario": sc.name, "scenario_file": sc.path, "accelerator": model.accelerator.id,
        "grid": sc.grid, "lca_version": __version__, "method": "EF 3.1", "kind": "sweep",
        "swept": ",".join(grid), "coverage": json.dumps(cov),
        "data_manifest": json.dumps(model.inventory.manifest, sort_keys=True),
        "note": "category variables are totals over components (lower bounds where coverage is partial)",
    })
    if samples is not None:
        ds.attrs["samples"] = int(samples)
        ds.attrs["seed"] = "none" if seed is None else int(seed)
        ds.attrs["sampled"] = ",".join(p for p in sc.uncertain if p not in grid)
        ds.attrs["sampling"] = (f"blocks of {SAMPLE_BLOCK} draws, block b from numpy.random.default_rng([{entropy}, b]); "
                                "common to all grid points")
    return ds


# ------------------------------------------------------------------------------------------------
# writers
def write_netcdf(ds: xr.Dataset, path, client=None, progress=False):
    """Write a sweep result (numpy- or dask-backed) atomically; a dask-backed one is streamed chunk
    by chunk (on ``client`` if given), so memory stays bounded."""
    from lca.outputs.files import atomic_write

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
    atomic_write(path, w)


def _nan_to_none(x):
    if isinstance(x, list):
        return [_nan_to_none(v) for v in x]
    return None if (isinstance(x, float) and math.isnan(x)) else x


def to_json_dict(ds: xr.Dataset) -> dict:
    """JSON document of a sweep: nested lists over the swept dims (C order, as ``dims`` lists);
    with samples, ``mean``, ``p05``, ``p50``, ``p95`` over the samples instead of ``values``."""
    sampled = "sample" in ds.dims
    dims = [d for d in ds[OUTPUTS[0]].dims if d != "sample"]

    def stats(da):
        if not sampled:
            return {"values": _nan_to_none(np.asarray(da.values, dtype=float).tolist())}
        a = np.asarray(da.transpose(*dims, "sample").values, dtype=float)
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                res = {"mean": np.nanmean(a, axis=-1)}
                for q in (5, 50, 95):
                    res[f"p{q:02d}"] = np.nanpercentile(a, q, axis=-1)
        return {k: _nan_to_none(v.tolist()) for k, v in res.items()}

    doc = {"scenario": ds.attrs.get("scenario"), "lca_version": ds.attrs.get("lca_version", __version__),
           "accelerator": ds.attrs.get("accelerator"), "grid": ds.attrs.get("grid"),
           "dims": dims,
           "swept": {d: {"values": ds[d].values.tolist(), "unit": ds[d].attrs.get("units")} for d in dims}}
    if sampled:
        doc["samples"] = int(ds.sizes["sample"])
        doc["seed"] = ds.attrs.get("seed")
        doc["sampled"] = [p for p in ds.attrs.get("sampled", "").split(",") if p]
    doc["quantities"] = {k: {"unit": ds[k].attrs["units"], **stats(ds[k])} for k in QUANTITIES}
    cov = json.loads(ds.attrs.get("coverage", "{}"))
    doc["impacts"] = {c: {"name": ds[c].attrs["long_name"], "unit": ds[c].attrs["unit_label"],
                          "coverage": cov.get(c, {}).get("coverage"), **stats(ds[c])} for c in CODES}
    return doc


def to_csv(ds: xr.Dataset) -> str:
    """Wide CSV: one row per grid point (and sample), one column per swept parameter, quantity
    and category (units: see ``to_json_dict`` or the netCDF attrs)."""
    dims = list(ds[OUTPUTS[0]].dims)
    df = ds[list(QUANTITIES) + list(CODES)].to_dataframe()
    df = df.reset_index()[dims + list(QUANTITIES) + list(CODES)]
    return df.to_csv(index=False, float_format="%.10g")
