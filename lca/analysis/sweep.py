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
import warnings

import numpy as np
import xarray as xr

from lca import __version__
from lca.analysis.execution import Progress, compute_distributed, run_blocks
from lca.errors import InputError, unknown_id
from lca.model import Model, prepare
from lca.model.kernel import OUTPUTS, _unit_label, coverage, evaluate_outputs, output_name, output_unit, table, unit_name
from lca.scenario import Scenario
from lca.scenario.sampling import SAMPLE_BLOCK, draw_samples, resolve_seed
from lca.vocab import MEMORY_BUDGET_GIB

DEFAULT_CHUNK = 2**19         # evaluations per chunk (about 80 MB of outputs)

#: Bytes a computed (not lazy) sweep holds per evaluation: one float64 per output
BYTES_PER_POINT = 8 * len(OUTPUTS)

#: Statistics :func:`sweep_stats` computes chunk by chunk
STATS = ("mean", "min", "max")

#: Categorical sweep dimensions (values are ids, one prepared model per value) and an example
CATEGORICAL = {"accelerator": "a100-sxm4-40gb,h100-sxm5-80gb", "operation.grid": "FR,DE,US",
               "background": "ef31-lt-excluded,unece-lt-included"}

__all__ = ["BYTES_PER_POINT", "CATEGORICAL", "DEFAULT_CHUNK", "STATS", "parse_grid", "sweep", "sweep_stats"]


# ------------------------------------------------------------------------------------------------
# grid specs
def parse_grid(items, scenario: Scenario) -> dict:
    """``["workload.mfu=0.2:0.6:9", "operation.pue=1.1,1.2,1.5"]`` -> {path: float array}.

    ``START:STOP:NUM`` gives NUM evenly spaced values (both ends included); a comma list gives the
    values themselves. Values are plain numbers in the parameter's unit (``lca sweep --help``
    lists them); they are checked against the parameter's valid range. A categorical path
    (:data:`CATEGORICAL`: ``accelerator``, ``operation.grid``, ``background``) takes a comma list
    of ids -> {path: list of str}; the ids are checked when the models are prepared.
    """
    out: dict = {}
    for item in items or []:
        if not isinstance(item, str) or "=" not in item:
            raise InputError(f"grid {item!r}: expected PATH=START:STOP:NUM or PATH=V1,V2,..., "
                             "e.g. workload.mfu=0.2:0.6:9")
        path, _, spec = item.partition("=")
        path, spec = path.strip(), spec.strip()
        if path in CATEGORICAL:
            if path in out:
                raise InputError(f"grid {item}: {path} is swept twice")
            ids = [v.strip() for v in spec.split(",") if v.strip()]
            if not ids:
                raise InputError(f"grid {item}: expected a comma list of ids, e.g. {path}={CATEGORICAL[path]}")
            if len(set(ids)) != len(ids):
                raise InputError(f"grid {item}: an id is given twice")
            out[path] = ids
            continue
        if path not in scenario.params:
            raise unknown_id("parameter path", path, scenario.params.keys(), f"grid {item}")
        if path in out:
            raise InputError(f"grid {item}: {path} is swept twice")
        unit = unit_name(scenario.params[path].unit)
        try:
            if ":" in spec:
                parts = spec.split(":")
                if len(parts) != 3:
                    raise ValueError
                start, stop, num = float(parts[0]), float(parts[1]), parts[2]
                if float(num) != int(float(num)) or int(float(num)) < 1:
                    raise InputError(f"grid {item}: NUM must be a positive integer, got {num!r}")
                vals = np.linspace(start, stop, int(float(num)))
            else:
                vals = np.array([float(v) for v in spec.split(",") if v.strip() != ""])
                if not vals.size:
                    raise ValueError
        except ValueError:
            raise InputError(f"grid {item}: expected START:STOP:NUM or a comma list of numbers "
                             f"in {unit} (e.g. {path}=" + ("0.2:0.6:9" if unit == "dimensionless" else "1:6:6")
                             + ")") from None
        if not np.all(np.isfinite(vals)):
            raise InputError(f"grid {item}: values must be finite numbers")
        _check_range(path, vals, unit, item)
        out[path] = vals
    return out


def _check_range(path, vals, unit, item):
    from lca.scenario.schema import SCALARS, check_bounds
    from lca.units import Q_

    if path in SCALARS:
        _, bounds, desc = SCALARS[path]
        for v in (vals.min(), vals.max()):
            check_bounds(Q_(float(v), unit), bounds, f"grid {item}", desc, "value")
    elif (path.startswith("operation.grid.") or path.startswith("accelerator.bom.")
          or path.startswith("embodied.yield.")) and vals.min() < 0:
        raise InputError(f"grid {item}: value {vals.min():g} out of range; expected a value >= 0 ({unit})")


# ------------------------------------------------------------------------------------------------
# the block kernel (shared by the in-memory loop and dask)
_MODEL_CACHE: dict = {}


def _draws(scenario, seed, start, stop, paths, order):
    """:func:`draw_samples` with the random-number rows of a categorical sweep (see there)."""
    return draw_samples(scenario, seed, start, stop, paths, order)


def _block(*blocks, model, paths, sampled, seed, order=None):
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
        draws = _draws(model.scenario, seed, int(idx[0]), int(idx[-1]) + 1, sampled, order)
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
def _inputs(scenario, grid, samples, chunk_size, overrides, inventory):
    """The prepared model and the normalised grid, with the arguments checked."""
    model = scenario if isinstance(scenario, Model) else prepare(scenario, inventory=inventory, overrides=overrides)
    sc = model.scenario
    if grid is None:
        grid = {}
    elif isinstance(grid, (list, tuple)):
        grid = parse_grid(grid, sc)
    else:
        unknown = [k for k in grid if k not in sc.params and k not in CATEGORICAL]
        if unknown:
            raise unknown_id("parameter path", unknown[0], sc.params.keys())
        grid = {k: ([str(x) for x in ([v] if isinstance(v, str) else v)] if k in CATEGORICAL
                    else np.atleast_1d(np.asarray(v, dtype=float))) for k, v in grid.items()}
    if samples is not None:
        if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
            raise InputError(f"samples: expected a positive integer, got {samples!r}")
    if not grid and samples is None:
        raise InputError("nothing to sweep: give at least one --grid PATH=START:STOP:NUM (or --samples N)")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise InputError(f"chunk_size: expected a positive integer, got {chunk_size!r}")
    return model, grid


def evaluations(grid, samples=None) -> int:
    """Number of evaluations of a sweep (a Python int: no overflow)."""
    return math.prod(len(v) for v in grid.values()) * (samples or 1)


def _check_budget(grid, samples, memory_budget):
    """Refuse a computed sweep whose result would not fit in ``memory_budget`` GiB."""
    budget = MEMORY_BUDGET_GIB if memory_budget is None else memory_budget
    if isinstance(budget, bool) or not isinstance(budget, (int, float, np.integer, np.floating)) or not budget > 0:
        raise InputError(f"memory_budget: expected a positive number of GiB, got {memory_budget!r}")
    n = evaluations(grid, samples)
    need = n * BYTES_PER_POINT / 2**30
    if need > budget:
        raise InputError(f"sweep of {n:,} evaluations: the result would hold {need:.3g} GiB in memory "
                         f"({len(OUTPUTS)} outputs x 8 bytes each), above the memory budget of {float(budget):g} GiB; "
                         "reduce it chunk by chunk with lca.sweep_stats (bounded memory), "
                         "stream it with lazy=True (e.g. to netCDF with lca.outputs.files.write_netcdf), "
                         "or raise memory_budget")


def sweep(scenario, grid=None, *, samples: int | None = None, seed: int | None = None, overrides=(),
          dask: str | None = None, lazy: bool = False, chunk_size: int = DEFAULT_CHUNK, progress: bool = False,
          inventory=None, client=None, memory_budget: float | None = None) -> xr.Dataset:
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
        with :func:`write_netcdf` so memory stays bounded). For statistics over the grid,
        :func:`sweep_stats` is much faster (one task per chunk instead of one per output).
    chunk_size : int
        Evaluations per chunk (memory per task is about 200 bytes x chunk_size).
    progress : bool
        Report progress on standard error.
    client : distributed.Client, optional
        Use this client instead of creating one (``dask`` is then ignored). The model is
        scattered to its workers once.
    memory_budget : float, optional
        GiB a computed (not lazy) result may hold (default :data:`lca.vocab.MEMORY_BUDGET_GIB`;
        :data:`BYTES_PER_POINT` bytes per evaluation); a larger sweep is refused with
        :class:`~lca.errors.InputError` before anything is evaluated.
    """
    model, grid = _inputs(scenario, grid, samples, chunk_size, overrides, inventory)
    if not lazy:
        _check_budget(grid, samples, memory_budget)
    ent = resolve_seed(seed)
    if any(p in CATEGORICAL for p in grid):
        return _categorical(model, grid, samples=samples, seed=seed, entropy=ent, dask=dask, lazy=lazy,
                            chunk_size=chunk_size, progress=progress, client=client)
    return _numeric(model, grid, samples=samples, seed=seed, entropy=ent, dask=dask, lazy=lazy,
                    chunk_size=chunk_size, progress=progress, client=client)


def sweep_stats(scenario, grid=None, *, stats=STATS, dims=None, samples: int | None = None, seed: int | None = None,
                overrides=(), dask: str | None = None, lazy: bool = False, chunk_size: int = DEFAULT_CHUNK,
                progress: bool = False, inventory=None, client=None) -> xr.Dataset:
    """Statistics of a sweep over some or all of its dimensions, evaluated and reduced chunk by chunk.

    Equal (to rounding) to ``sweep(...)`` reduced with ``mean``/``min``/``max(skipna=False)``
    over ``dims``, but no chunk of outputs outlives the task that computes it: memory stays at
    a few chunks whatever the grid size, and the dask graph has one task per chunk (plus one
    combining task per kept block) instead of dozens per chunk for the 19 outputs reduced one
    by one. The result does not depend on the scheduler (in memory, dask threads or
    dask.distributed give identical bits for the same ``chunk_size``).

    Parameters
    ----------
    scenario, grid, samples, seed, overrides, inventory, dask, client, chunk_size, progress
        As :func:`sweep` (a categorical grid dimension is not supported here).
    stats : sequence of str
        Any of :data:`STATS` (``mean``, ``min``, ``max``). NaN propagates, as ``skipna=False``.
    dims : sequence of str, optional
        Dimensions reduced (swept paths and/or ``sample``); default all of them.
    lazy : bool
        Return a dask-backed Dataset without computing it.

    Returns
    -------
    xarray.Dataset
        Dims ``stat`` (the statistics, in the order given) and the dims not reduced; one variable
        per output with the same ``units`` attrs as :func:`sweep`; attrs ``reduced`` (the reduced
        dims) and ``reduced_over`` (their coordinate ranges).
    """
    model, grid = _inputs(scenario, grid, samples, chunk_size, overrides, inventory)
    cat = [p for p in grid if p in CATEGORICAL]
    if cat:
        raise InputError(f"sweep_stats: categorical dimension {cat[0]} is not supported; compute the statistics "
                         "of each id separately, or reduce sweep(..., lazy=True)")
    if isinstance(stats, str):
        stats = [stats]
    stats = list(stats)
    bad = [s for s in stats if s not in STATS]
    if bad or not stats or len(set(stats)) != len(stats):
        raise InputError(f"stats: expected distinct names among {', '.join(STATS)}, got {stats!r}")
    all_dims = list(grid) + (["sample"] if samples is not None else [])
    if dims is None:
        dims = all_dims
    dims = [dims] if isinstance(dims, str) else list(dims)
    if not dims or any(d not in all_dims for d in dims) or len(set(dims)) != len(dims):
        raise InputError(f"dims: expected distinct dimensions among {', '.join(all_dims)}, got {dims!r}")
    ent = resolve_seed(seed)
    sc = model.scenario
    paths = list(grid)
    sampled = [p for p in sc.uncertain if p not in grid] if samples is not None else None
    coords_vals = [grid[p] for p in paths] + ([np.arange(samples)] if samples is not None else [])
    sizes = [len(v) for v in coords_vals]
    chunks = _chunk_plan(sizes, samples is not None, chunk_size)
    axes = tuple(all_dims.index(d) for d in all_dims if d in dims)   # in dimension order
    kw = {"model": model, "paths": paths, "sampled": sampled, "seed": ent, "order": None}
    if lazy:
        data = _dask_array(coords_vals, chunks, kw, stats=(axes, stats))
    elif dask is not None or client is not None:
        data = compute_distributed(lambda ref: _dask_array(coords_vals, chunks, kw, model_ref=ref, stats=(axes, stats)),
                                   dask, client, progress, scatter=model)
    else:
        data = _stats_in_memory(coords_vals, sizes, chunks, kw, axes, stats, progress)
    kept_paths = [p for d, p in enumerate(paths) if d not in axes]
    kept_sample = samples is not None and len(paths) not in axes
    kdims = ["stat"] + kept_paths + (["sample"] if kept_sample else [])
    kvals = [np.array(stats)] + [grid[p] for p in kept_paths] + ([coords_vals[-1]] if kept_sample else [])
    ds = _to_dataset(model, {p: grid[p] for p in kept_paths}, kdims, kvals, data, samples=samples, seed=seed,
                     entropy=ent)
    if not kept_sample and "sample" in ds.coords:
        ds = ds.drop_vars("sample")
    ds = ds.assign_coords(stat=("stat", np.array(stats), {"long_name": "statistic over " + ", ".join(dims)}))
    ranges = {d: (f"{len(coords_vals[all_dims.index(d)])} samples" if d == "sample" else
                  f"{grid[d].min():g} to {grid[d].max():g}, {len(grid[d])} values") for d in dims}
    if sampled is not None:
        ds.attrs["sampled"] = ",".join(sampled)
    ds.attrs.update({"kind": "sweep statistics", "swept": ",".join(paths), "reduced": ",".join(dims),
                     "reduced_over": json.dumps(ranges), "stats": ",".join(stats),
                     "note": "statistics of the category totals over the reduced dims (NaN propagates); "
                             "category variables are totals over components (lower bounds where coverage is partial)"})
    return ds


def _stats_in_memory(coords_vals, sizes, chunks, kw, axes, stats, progress):
    """:func:`sweep_stats` without dask: the same blocks and the same combination as the dask graph."""
    blocks = _blocks_of(sizes, chunks)
    pshape = [-(-s // c) if d in axes else s for d, (s, c) in enumerate(zip(sizes, chunks))]
    part = np.empty((len(OUTPUTS), len(stats), *pshape))

    def one(sl):
        psl = tuple(slice(s.start // c, s.start // c + 1) if d in axes else s
                    for d, (s, c) in enumerate(zip(sl, chunks)))
        part[(slice(None), slice(None)) + psl] = _stats_block(*(v[s] for v, s in zip(coords_vals, sl)), axes=axes,
                                                              stats=stats, **kw)

    run_blocks(one, blocks, Progress(len(blocks), "sweep") if progress else None)
    return _stats_combine(part, axes=axes, stats=stats, count=math.prod(sizes[a] for a in axes))


def _numeric(model, grid, *, samples, seed, entropy, dask, lazy, chunk_size, progress, client, order=None):
    """The sweep of one prepared model over a numeric grid."""
    sc = model.scenario
    paths = list(grid)
    sampled = [p for p in sc.uncertain if p not in grid] if samples is not None else None
    dims = paths + (["sample"] if samples is not None else [])
    coords_vals = [grid[p] for p in paths] + ([np.arange(samples)] if samples is not None else [])
    sizes = [len(v) for v in coords_vals]
    chunks = _chunk_plan(sizes, samples is not None, chunk_size)
    kw = {"model": model, "paths": paths, "sampled": sampled, "seed": entropy, "order": order}

    if lazy:
        data = _dask_array(coords_vals, chunks, kw)
    elif dask is not None or client is not None:
        data = compute_distributed(lambda ref: _dask_array(coords_vals, chunks, kw, model_ref=ref), dask, client,
                                   progress, scatter=model)
    else:
        data = _compute_in_memory(coords_vals, sizes, chunks, kw, progress)
    return _to_dataset(model, grid, dims, coords_vals, data, samples=samples, seed=seed, entropy=entropy)


def _categorical_models(model, cat) -> list:
    """One prepared model per combination of the categorical values (C order)."""
    import itertools

    sc = model.scenario
    if not sc.path:
        raise InputError(f"grid {','.join(cat)}: a categorical sweep needs a scenario file or shipped name "
                         "(the scenario is prepared again for every id)")
    base = list(model.overrides)
    models = []
    for combo in itertools.product(*cat.values()):
        sets = [f"{p}={v}" for p, v in zip(cat, combo)]
        try:
            models.append(prepare(sc.path, inventory=model.inventory, overrides=base + sets))
        except InputError as exc:
            msg = str(exc)
            if msg.startswith(f"{sc.path}: "):
                msg = msg[len(str(sc.path)) + 2:]
            if "no published measured data" in msg:
                msg += "; to sweep cards without measured data add --set embodied.method=parametric"
            raise type(exc)(f"grid {' '.join(sets)}: {msg}") from None
    return models


def _categorical(model, grid, *, samples, seed, entropy, dask, lazy, chunk_size, progress, client):
    """Sweep categorical dims (ids) by preparing one model per combination, sweeping the numeric
    grid of each and concatenating along the categorical dims."""
    cat = {p: v for p, v in grid.items() if p in CATEGORICAL}
    num = {p: v for p, v in grid.items() if p not in CATEGORICAL}
    models = _categorical_models(model, cat)
    for m in models:
        missing = [p for p in num if p not in m.scenario.params]
        if missing:
            raise InputError(f"grid {missing[0]}: not a parameter of {m.accelerator.id} on grid {m.scenario.grid}")
    order = None
    if samples is not None:  # common random numbers: one row per path over all the models
        order = list(model.scenario.uncertain)
        for m in models:
            order += [p for p in m.scenario.uncertain if p not in order]
    deferred = lazy or dask is not None or client is not None
    parts = [_numeric(m, num, samples=samples, seed=seed, entropy=entropy, dask=None, lazy=deferred,
                      chunk_size=chunk_size, progress=progress and not deferred, client=None, order=order)
             for m in models]
    import itertools

    combos = itertools.product(*cat.values())
    labels = [" ".join(f"{p}={v}" for p, v in zip(cat, c)) for c in combos]
    covs = {lab: json.loads(d.attrs["coverage"]) for lab, d in zip(labels, parts)}
    sampled = sorted({p for d in parts for p in d.attrs.get("sampled", "").split(",") if p},
                     key=lambda p: order.index(p) if order else 0)
    import pandas as pd

    for p in reversed(list(cat)):  # innermost categorical dim first (C order of the combinations)
        k = len(cat[p])
        parts = [xr.concat(parts[i:i + k], dim=pd.Index(cat[p], name=p), coords="minimal", compat="override",
                           combine_attrs="override") for i in range(0, len(parts), k)]
    ds = parts[0]
    for p in cat:
        ds[p].attrs.update({"long_name": p, "kind": "categorical", "unit_label": "id"})
    ds = ds.transpose(*grid, *(["sample"] if samples is not None else []))
    if deferred and not lazy:
        import dask.array as da

        vals = compute_distributed(lambda _ref: da.stack([ds[v].data for v in OUTPUTS]), dask, client, progress)
        for i, v in enumerate(OUTPUTS):
            ds[v] = ds[v].copy(data=vals[i])
    ds.attrs.update({"swept": ",".join(grid), "categorical": ",".join(cat),
                     "coverage_by_value": json.dumps(covs)})
    if "accelerator" in cat:
        ds.attrs["accelerator"] = ",".join(cat["accelerator"])
    if "operation.grid" in cat:
        ds.attrs["grid"] = ",".join(cat["operation.grid"])
    if samples is not None:
        ds.attrs["sampled"] = ",".join(sampled)
        ds.attrs["sampling"] += ("; common random numbers across the categorical values too: a path shared by "
                                 "several models gets the same draws in each")
    return ds


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

    run_blocks(one, blocks, Progress(len(blocks), "sweep") if progress else None)
    return out


def _dask_array(coords_vals, chunks, kw, *, model_ref=None, stats=None):
    """The outputs (19, *sizes) as one dask array, one task per block; or with ``stats`` =
    (reduced axes, statistic names) the statistics (19, S, *kept sizes): one task per block that
    evaluates and reduces it, and one task per kept block that combines the partial statistics.
    ``model_ref`` is a scattered model (a distributed Future); by default the model is embedded
    in the graph once (a delayed value)."""
    import dask
    import dask.array as da

    letters = "abcdefghijklmnopqrstuvwxy"[: len(coords_vals)]
    args = []
    for v, c, ch in zip(coords_vals, chunks, letters):
        args += [da.from_array(np.asarray(v), chunks=(c,), name=False), ch]
    if model_ref is None:
        # one graph key for the model; neither traversed nor tokenized (both walk the whole
        # inventory: 0.2-0.5 s per sweep)
        import uuid

        model_ref = dask.delayed(kw["model"], name=f"lca-model-{uuid.uuid4().hex}", traverse=False)
    model_d = model_ref
    common = {"model": model_d, "paths": kw["paths"], "sampled": kw["sampled"], "seed": kw["seed"],
              "order": kw.get("order")}
    nd = len(coords_vals)
    with warnings.catch_warnings():
        # a full-factorial grid has more blocks than any coordinate: that is the point, not a problem
        warnings.simplefilter("ignore", da.PerformanceWarning)
        if stats is None:
            return da.blockwise(_dask_block, "z" + letters, *args, new_axes={"z": len(OUTPUTS)}, dtype=float,
                                concatenate=True, meta=np.empty((0,) * (nd + 1)), **common)
        axes, names = stats
        part = da.blockwise(_stats_block, "zs" + letters, *args, new_axes={"z": len(OUTPUTS), "s": len(names)},
                            adjust_chunks={letters[a]: 1 for a in axes}, dtype=float, concatenate=True,
                            meta=np.empty((0,) * (nd + 2)), axes=axes, stats=names, **common)
    kept = "".join(ch for d, ch in enumerate(letters) if d not in axes)
    count = math.prod(len(coords_vals[a]) for a in axes)
    return da.blockwise(_stats_combine, "zs" + kept, part, "zs" + letters, dtype=float, concatenate=True,
                        meta=np.empty((0,) * (len(kept) + 2)), axes=axes, stats=names, count=count)


def _dask_block(*blocks, model, paths, sampled, seed, order=None):
    return _block(*blocks, model=model, paths=paths, sampled=sampled, seed=seed, order=order)


def _stats_block(*blocks, model, paths, sampled, seed, order, axes, stats):
    """Partial statistics (19, S, *block shape with 1 along the reduced axes) of one block: the
    sum (for the mean), minimum and maximum over the block. NaN propagates (``skipna=False``)."""
    out = _block(*blocks, model=model, paths=paths, sampled=sampled, seed=seed, order=order)
    ax = tuple(1 + a for a in axes)
    parts = []
    for s in stats:
        if s == "mean":
            parts.append(out.sum(axis=ax, keepdims=True))
        elif s == "min":
            parts.append(out.min(axis=ax, keepdims=True))
        else:
            parts.append(out.max(axis=ax, keepdims=True))
    return np.stack(parts, axis=1)


def _stats_combine(part, *, axes, stats, count):
    """Statistics (19, S, *kept) from the partial statistics of every block (19, S, *blocks)."""
    ax = tuple(1 + a for a in axes)
    rows = []
    for i, s in enumerate(stats):
        p = part[:, i]
        if s == "mean":
            rows.append(p.sum(axis=ax) / count)
        elif s == "min":
            rows.append(p.min(axis=ax))
        else:
            rows.append(p.max(axis=ax))
    return np.stack(rows, axis=1)


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
    cov = coverage(model)
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
