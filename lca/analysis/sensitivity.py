"""Global sensitivity analysis of a scenario: Sobol', Morris, FAST and delta, for the 16 EF 3.1
category totals and the run quantities at once.

The parameters are the scenario's uncertain inputs (``Scenario.uncertain``: every parameter path
with a distribution, from the scenario file or from inventory data with an ``uncertainty``), or a
subset of them. Sampling is done on the unit hypercube and mapped through each parameter's
quantile function (``Distribution.ppf``, in closed form: ``Distribution.ppf_magnitude``), so every
distribution kind works; the other parameters stay at their central values. The model is
evaluated with the fast totals path (:func:`lca.model.kernel.evaluate_outputs`).

* ``sobol``: the Saltelli design of :func:`SALib.sample.sobol.sample`, identical but factored
  (:func:`lca.analysis.sobol.design`: only its 2N base rows are mapped, the blocks are expanded
  chunk by chunk as they are evaluated), and the vectorised estimator
  :func:`lca.analysis.sobol.analyze` (same point estimates as :func:`SALib.analyze.sobol.analyze`;
  bootstrap confidence intervals for all outputs in one pass).
* ``morris``: :func:`SALib.sample.morris.sample` / :func:`SALib.analyze.morris.analyze`; the p
  levels sit at the centres of p equiprobable bins of each distribution (quantiles (i + 1/2)/p).
* ``fast``: :func:`SALib.sample.fast_sampler.sample` / :func:`SALib.analyze.fast.analyze` (eFAST).
* ``delta``: :func:`SALib.sample.latin.sample` / :func:`SALib.analyze.delta.analyze`
  (``delta`` is SALib's ``delta_raw``, the bias-reduced estimator of Plischke et al. 2013).

The result is an :class:`xarray.Dataset` with dims ``(output, parameter[, parameter_j])``; see
docs/sensitivity.md for the equations, references and how to read it.

Sobol' indices can also be computed for *groups* of parameters (``groups=True``: the data groups
of :func:`lca.scenario.schema.group_of` -- "grid data", "manufacturing data", ... -- next to each
scenario input on its own). The ``parameter`` dimension then holds the group names, the
``members`` coordinate and the ``groups`` attribute (JSON ``{group: [paths]}``) say which paths
each group holds.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lca import __version__
from lca.errors import InputError, unknown_id
from lca.model import Model, prepare
from lca.model.kernel import OUTPUTS, QUANTITIES, evaluate_outputs, output_name, output_unit
from lca.units import Q_
from lca.vocab import DEFAULT_N, METHODS  # noqa: E402  (re-exported)

if TYPE_CHECKING:
    import xarray as xr

CONF_THRESHOLD = 0.1   # widest acceptable CI half-width of an index (absolute)
_EVAL_CHUNK = 2**19
_DESIGN_CHUNK = 2**15   # evaluations per chunk of the Sobol' design: ~L2-sized temporaries; larger chunks were slower

__all__ = ["METHODS", "SensitivityResult", "result_of", "sensitivity", "sensitivity_result", "sobol",
           "select_parameters", "to_dataset", "to_json_dict", "to_netcdf"]


@dataclass
class SensitivityResult:
    """Sensitivity indices as plain arrays: what :func:`to_dataset` wraps in an xarray Dataset, and
    what the command line's table and json are built from without xarray.

    ``data`` maps each index (``S1``, ``S1_conf``, ``ST``, ... as in the Dataset) to its array,
    (output, parameter) or, for ``S2``/``S2_conf``, (output, parameter, parameter_j);
    ``parameters`` are the analysed paths, or the group names when ``members`` (one list of paths
    per group) is given; ``attrs`` are the Dataset's attributes."""

    outputs: list
    output_units: list
    output_names: list
    parameters: list
    distributions: list
    data: dict
    attrs: dict
    members: list | None = None


def result_of(res) -> SensitivityResult:
    """A :class:`SensitivityResult` from itself or from a Dataset of :func:`sensitivity`."""
    if isinstance(res, SensitivityResult):
        return res
    ds = res
    members = [str(m).split(",") for m in ds["members"].values] if "members" in ds.coords else None
    return SensitivityResult(outputs=[str(o) for o in ds["output"].values],
                             output_units=[str(u) for u in ds["output_unit"].values],
                             output_names=[str(u) for u in ds["output_name"].values],
                             parameters=[str(p) for p in ds["parameter"].values],
                             distributions=[str(d) for d in ds["distribution"].values],
                             data={str(k): np.asarray(ds[k].values) for k in ds.data_vars},
                             attrs=dict(ds.attrs), members=members)


def select_parameters(scenario, params=None, inputs: str = "all") -> list[str]:
    """The parameter paths to analyse: ``params`` (validated) or every uncertain one.

    ``inputs="all"`` (default) draws from every uncertain path (``scenario.uncertain``: scenario
    inputs and inventory data); ``inputs="scenario"`` only from the inputs the scenario file sets
    (``scenario.uncertain_scenario_inputs``)."""
    if inputs not in ("all", "scenario"):
        raise InputError(f"inputs: expected all or scenario, got {inputs!r}")
    unc = scenario.uncertain
    pool = unc if inputs == "all" else scenario.uncertain_scenario_inputs
    if not params:
        if not pool:
            what = "no parameter" if inputs == "all" else "no scenario input (inventory data left out)"
            raise InputError(f"{scenario.path}: {what} has a distribution, so there is nothing to analyse; "
                             "give one, e.g. --set 'workload.mfu={distribution: uniform, min: 0.3, max: 0.5}'")
        return list(pool)
    out = []
    for path in params:
        if path not in scenario.params:
            raise unknown_id("parameter path", path, scenario.params.keys(), "params")
        if path in unc and path not in pool:
            raise InputError(f"params {path}: inventory data, not a scenario input; inputs='scenario' "
                             f"(--scenario-inputs-only) analyses only {', '.join(pool) or 'none'}")
        if path not in unc:
            v = scenario.params[path].value
            raise InputError(f"params {path}: the parameter is fixed ({v:~P}) in {scenario.path}; sensitivity needs a "
                             f"distribution (uncertain parameters: {', '.join(unc) or 'none'}); give one with "
                             f"set '{path}={{distribution: uniform, min: ..., max: ...}}' where the path is a scenario key")
        if path in out:
            raise InputError(f"params {path}: given twice")
        out.append(path)
    return out


def describe(dist) -> str:
    """``uniform(min=1, max=6) year`` (long unit names; none for dimensionless)."""
    from lca.model.kernel import unit_name

    unit = unit_name(dist.unit)
    args = ", ".join(f"{k}={v:g}" for k, v in dist.params.items())
    return f"{dist.kind}({args})" + ("" if unit == "dimensionless" else f" {unit}")


def _seeds(seed):
    if seed is None:
        ss = np.random.SeedSequence()
    else:
        if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise InputError(f"seed: expected a non-negative integer, got {seed!r}")
        ss = np.random.SeedSequence(int(seed))
    a, b = ss.spawn(2)
    return int(a.generate_state(1)[0]), int(b.generate_state(1)[0])


def _map(model, names, U):
    """Unit-hypercube rows -> parameter values (magnitudes in each parameter's unit).

    Closed-form quantiles (:meth:`Distribution.ppf_magnitude`) and one scalar unit factor per
    parameter: no pint array and no frozen scipy distribution in the loop."""
    out = {}
    for j, path in enumerate(names):
        prm = model.scenario.params[path]
        dist = prm.distribution
        u = np.clip(U[:, j], 1e-12, 1 - 1e-12)
        x = dist.ppf_magnitude(u)
        if str(dist.unit) != str(prm.unit):
            factor = _unit_factor(dist.unit, prm.unit)
            x = Q_(x, dist.unit).m_as(prm.unit) if factor is None else x * factor
        out[path] = np.ascontiguousarray(x, dtype=float)
    return out


def _unit_factor(src, dst) -> float | None:
    """``x [src] = x * factor [dst]``, or None when the conversion has an offset (degC -> K)."""
    one, zero = Q_(1.0, src).m_as(dst), Q_(0.0, src).m_as(dst)
    return float(one) if zero == 0 else None


def _evaluate(model, values, n):
    """Model outputs (19, n) for the parameter values, in chunks evaluated on a thread pool."""
    from lca.analysis.execution import run_blocks
    from lca.model.kernel import table

    Y = np.empty((len(OUTPUTS), n))
    step = min(_EVAL_CHUNK, max(2**14, -(-n // (os.cpu_count() or 1))))  # at least one chunk per CPU

    def one(a):
        b = min(n, a + step)
        p = table(model, {k: v[a:b] for k, v in values.items()})
        evaluate_outputs(model, p, Y[:, a:b])

    run_blocks(one, list(range(0, n, step)))
    return Y


def _evaluate_design(model, values, from_b):
    """Model outputs (19, S, N) on the factored Saltelli design, block-major.

    ``values[path]`` holds the parameter's values on the base rows, A (first N) then B (last N);
    ``from_b`` (S, D) says which blocks take each parameter from B
    (:func:`lca.analysis.sobol.design`). Every chunk of base rows is expanded to its S blocks just
    before it is evaluated, so the full design is never stored; ``Y[:, t, i]`` is the output on
    row ``i*S + t`` of the design (:func:`lca.analysis.sobol.sample`)."""
    from lca.analysis.execution import run_blocks
    from lca.model.kernel import table

    S = from_b.shape[0]
    N = len(next(iter(values.values()))) // 2
    Y = np.empty((len(OUTPUTS), S, N))
    sel = {path: from_b[:, j, None] for j, path in enumerate(values)}
    # base rows per chunk: about _DESIGN_CHUNK evaluations, and at least one chunk per CPU
    nb = max(1, min(_DESIGN_CHUNK // S, -(-N // (os.cpu_count() or 1))))

    def one(a):
        b = min(N, a + nb)
        cols = {path: np.where(sel[path], v[N + a:N + b], v[a:b]).ravel()  # (S, n): block-major column
                for path, v in values.items()}
        out = np.empty((len(OUTPUTS), S * (b - a)))
        evaluate_outputs(model, table(model, cols), out)
        Y[:, :, a:b] = out.reshape(len(OUTPUTS), S, b - a)

    run_blocks(one, list(range(0, N, nb)))
    return Y


def resolve_groups(groups, names) -> list[str] | None:
    """One group name per parameter of ``names`` (None: no groups).

    ``groups`` is None/False (no groups), True or ``"auto"`` (:func:`lca.scenario.schema.group_of`:
    data paths by data group, each scenario input on its own), a mapping ``{path: group}`` (paths
    left out form a group of their own, named by the path) or a sequence of one group name per
    parameter."""
    from collections.abc import Mapping

    from lca.scenario.schema import group_of

    if groups is None or groups is False:
        return None
    if groups is True or (isinstance(groups, str) and groups == "auto"):
        return [group_of(p) for p in names]
    if isinstance(groups, str):
        raise InputError(f"groups: expected True, 'auto', a mapping {{path: group}} or a list of group names, "
                         f"got {groups!r}")
    if isinstance(groups, Mapping):
        for path in groups:
            if path not in names:
                raise unknown_id("analysed parameter", str(path), names, "groups")
        out = [groups.get(p, p) for p in names]
    else:
        out = list(groups)
        if len(out) != len(names):
            raise InputError(f"groups: {len(out)} group names for {len(names)} parameters "
                             f"({', '.join(names)}); give one per parameter, or a mapping {{path: group}}")
    for g in out:
        if not isinstance(g, str) or not g.strip():
            raise InputError(f"groups: group names must be non-empty strings, got {g!r}")
    return out


def _degenerate(Y):
    """Per output: 'nan' (not covered / non-finite), 'constant' or None."""
    out = []
    for y in Y:
        if not np.all(np.isfinite(y)):
            out.append("nan" if np.all(np.isnan(y)) else "nonfinite")
            continue
        lo, hi = y.min(), y.max()
        out.append("constant" if hi - lo <= 8 * np.finfo(float).eps * max(abs(lo), abs(hi)) else None)
    return out


def sensitivity(scenario, method: str = "sobol", n: int | None = None, **kwargs) -> xr.Dataset:
    """Global sensitivity indices of every category total and run quantity, as an xarray Dataset
    with dims ``(output, parameter[, parameter_j])``: :func:`to_dataset` of
    :func:`sensitivity_result` (same parameters)."""
    return to_dataset(sensitivity_result(scenario, method, n, **kwargs))


def sensitivity_result(scenario, method: str = "sobol", n: int | None = None, *, params=None,
                       second_order: bool = False, seed: int | None = None, overrides=(), num_resamples: int = 100,
                       conf_level: float = 0.95, num_levels: int = 4, M: int = 4, inventory=None,
                       timings: dict | None = None, progress: bool = False, groups=None,
                       inputs: str = "all") -> SensitivityResult:
    """Global sensitivity indices of every category total and run quantity (plain arrays; see
    :func:`sensitivity` for the Dataset).

    Parameters
    ----------
    scenario : path, shipped name, Scenario or Model
    method : "sobol" | "morris" | "fast" | "delta"
    n : int
        Sobol: base sample size N (a power of two; N*(D+2) evaluations, N*(2D+2) with second
        order). Morris: number of trajectories (N*(D+1) evaluations). FAST: samples per parameter
        (N*D evaluations, N > 4*M**2). Delta: Latin hypercube size (N evaluations).
    params : list of str, optional
        Parameter paths to analyse (default: all uncertain ones, see ``inputs``); they must have a
        distribution.
    second_order : bool
        Sobol only: also S2 (dims output, parameter, parameter_j).
    groups : True | "auto" | mapping | list of str, optional
        Sobol only: indices per group of parameters (SALib's ``groups``; N*(G+2) evaluations for G
        groups). True/"auto": by :func:`lca.scenario.schema.group_of` ("grid data",
        "manufacturing data", "end-of-life data", "bill of materials", "yield model", "transport
        distances"; each scenario input, e.g. ``workload.mfu``, is its own group). A mapping
        ``{path: group}`` (unmapped paths are groups of their own) or one group name per
        parameter. The ``parameter`` dimension then holds the group names (in order of first
        appearance); coordinate ``members`` and attribute ``groups`` (JSON) list their paths.
    inputs : "all" | "scenario"
        Default parameters: every uncertain path (``all``) or only the scenario's own inputs
        (``scenario``, no inventory data).
    seed : int, optional
        Seeds both the sampling and the bootstrap: the same seed gives identical results.
    timings : dict, optional
        Filled with the seconds spent in ``sampling``, ``evaluation`` and ``analysis``.
    progress : bool
        Report progress of the (per-output) SALib analyses on standard error.
    """
    if method not in METHODS:
        raise InputError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
    n = DEFAULT_N[method] if n is None else n
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise InputError(f"-n: expected an integer >= 2, got {n!r}")
    n = int(n)
    if second_order and method != "sobol":
        raise InputError("second_order applies to method sobol only")
    if not isinstance(num_resamples, int) or num_resamples < 2:
        raise InputError(f"num_resamples: expected an integer >= 2, got {num_resamples!r}")
    if not 0 < conf_level < 1:
        raise InputError(f"conf_level: expected a number in (0, 1), got {conf_level!r}")
    if groups is not None and groups is not False and method != "sobol":
        raise InputError(f"groups: only method sobol computes indices for groups of parameters, got method {method}")
    model = scenario if isinstance(scenario, Model) else prepare(scenario, inventory=inventory, overrides=overrides)
    names = select_parameters(model.scenario, params, inputs)
    D = len(names)
    member_groups = resolve_groups(groups, names)
    problem = {"num_vars": D, "names": list(names), "bounds": [[0.0, 1.0]] * D}
    s_seed, b_seed = _seeds(seed)
    tm = {} if timings is None else timings

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib's own power-of-two notice: we give ours below
        if method == "sobol":
            # the design of SALib.sample.sobol.sample, factored: only the 2N base rows are mapped
            from lca.analysis.sobol import design

            A, B, from_b = design(D, n, calc_second_order=second_order, groups=member_groups, seed=s_seed)
            base = _map(model, names, np.concatenate((A, B)))
            del A, B
        elif method == "morris":
            from SALib.sample import morris as sampler

            if num_levels < 2 or num_levels % 2:
                raise InputError(f"num_levels: expected an even integer >= 2, got {num_levels}")
            X = sampler.sample(problem, n, num_levels=num_levels, seed=s_seed)
            U = (X * (num_levels - 1) + 0.5) / num_levels      # level i -> quantile (i + 1/2)/p
        elif method == "fast":
            from SALib.sample import fast_sampler as sampler

            if n <= 4 * M**2:
                raise InputError(f"-n {n}: FAST needs N > 4*M**2 = {4 * M**2} samples per parameter; raise N, e.g. to 1024")
            U = sampler.sample(problem, n, M=M, seed=s_seed)
        else:
            from SALib.sample import latin as sampler

            U = sampler.sample(problem, n, seed=s_seed)
    if method != "sobol":
        base = _map(model, names, U)
    t1 = time.perf_counter()
    if method == "sobol":
        Yb = _evaluate_design(model, base, from_b)
        n_eval = Yb.shape[1] * Yb.shape[2]
        Y = Yb.reshape(len(OUTPUTS), n_eval)  # block-major: only _degenerate reads it, row by row
    else:
        n_eval = U.shape[0]
        Y = _evaluate(model, base, n_eval)
    t2 = time.perf_counter()
    degen = _degenerate(Y)
    ok = [i for i, d in enumerate(degen) if d is None]

    data = {}
    if method == "sobol":
        from lca.analysis.sobol import analyze

        Yok = Yb if len(ok) == len(OUTPUTS) else Yb[ok]  # (Yb[ok] copies)
        res = analyze(Yok, D, calc_second_order=second_order, num_resamples=num_resamples,
                      conf_level=conf_level, rng=np.random.default_rng(b_seed), groups=member_groups,
                      block_major=True)
        for k, v in res.items():
            full = np.full((len(OUTPUTS),) + v.shape[1:], np.nan)
            full[ok] = v
            data[k] = full
    else:
        data = _salib_analyze(method, problem, X if method == "morris" else U, Y, ok, num_resamples, conf_level,
                              b_seed, num_levels, M, progress)
    t3 = time.perf_counter()
    tm.update({"sampling": t1 - t0, "evaluation": t2 - t1, "analysis": t3 - t2, "total": t3 - t0,
               "evaluations": int(n_eval)})

    res = _result(model, method, names, data, n, n_eval, seed, second_order, num_resamples, conf_level,
                  num_levels if method == "morris" else None, M if method == "fast" else None, member_groups)
    notes = []
    for kind, label in (("nan", "not covered by the data (NaN total)"),
                        ("nonfinite", "non-finite for some samples"),
                        ("constant", "constant: no selected parameter affects it")):
        outs = [OUTPUTS[i] for i, d in enumerate(degen) if d == kind]
        if outs:
            notes.append(f"{', '.join(outs)}: {label}; indices are NaN")
    res.attrs["notes"] = "\n".join(notes)
    res.attrs["warnings"] = "\n".join(_warnings(method, res, n))
    return res


def sobol(scenario, n: int | None = None, **kwargs) -> xr.Dataset:
    """Shorthand for ``sensitivity(scenario, "sobol", n, ...)``."""
    return sensitivity(scenario, "sobol", n, **kwargs)


def _salib_analyze(method, problem, X, Y, ok, num_resamples, conf_level, seed, num_levels, M, progress=False):
    from lca.analysis.execution import Progress

    D = problem["num_vars"]
    keys = {"morris": ("mu", "mu_star", "mu_star_conf", "sigma"), "fast": ("S1", "S1_conf", "ST", "ST_conf"),
            "delta": ("delta", "delta_conf", "S1", "S1_conf")}[method]
    data = {k: np.full((len(OUTPUTS), D), np.nan) for k in keys}
    fmt = warnings.formatwarning
    prog = Progress(len(ok), f"{method} analysis", unit="outputs") if progress else None
    done = []  # (standardised output, row) of outputs analysed so far
    try:
        # record: SALib's delta resets the warning filters itself. One BLAS thread: the KDEs of the
        # delta method solve tiny triangular systems, which multi-threaded BLAS makes ~10x slower.
        with warnings.catch_warnings(record=True), _one_blas_thread():
            warnings.simplefilter("ignore")
            for i in ok:
                y = Y[i]
                if prog:
                    prog.step()
                if method != "morris":  # FAST and delta indices are invariant to y -> a*y + b (a > 0)
                    z = (y - y.mean()) / y.std()
                    twin = next((r for zz, r in done if np.allclose(z, zz, rtol=0, atol=1e-9)), None)
                    if twin is not None:
                        for k in keys:
                            data[k][i] = data[k][twin]
                        continue
                    done.append((z, i))
                if method == "morris":
                    from SALib.analyze import morris

                    r = morris.analyze(problem, X, y, num_resamples=num_resamples, conf_level=conf_level,
                                       num_levels=num_levels, seed=seed)
                elif method == "fast":
                    from SALib.analyze import fast

                    r = fast.analyze(problem, y, M=M, num_resamples=num_resamples, conf_level=conf_level, seed=seed)
                else:
                    from SALib.analyze import delta

                    r = delta.analyze(problem, X, y, num_resamples=num_resamples, conf_level=conf_level, seed=seed)
                    r = {"delta": r["delta_raw"], "delta_conf": r["delta_raw_conf"], "S1": r["S1"], "S1_conf": r["S1_conf"]}
                for k in keys:
                    data[k][i] = np.asarray(r[k], dtype=float)
    finally:
        warnings.formatwarning = fmt  # SALib's delta module replaces it
        if prog:
            prog.done()
    return data


def _one_blas_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(1)


_VARS_DOC = {
    "S1": "first-order index", "S1_conf": "half-width of the confidence interval of S1",
    "ST": "total-order index", "ST_conf": "half-width of the confidence interval of ST",
    "S2": "second-order index (parameter < parameter_j)", "S2_conf": "half-width of the confidence interval of S2",
    "mu": "mean elementary effect (output units per unit of the [0, 1] level scale)",
    "mu_star": "mean absolute elementary effect (output units per unit of the [0, 1] level scale)",
    "mu_star_conf": "half-width of the bootstrap confidence interval of mu_star",
    "sigma": "standard deviation of the elementary effects (interactions, non-linearity)",
    "delta": "Borgonovo's moment-independent delta (Plischke et al. 2013 estimator)",
    "delta_conf": "half-width of the confidence interval of delta",
}


def _result(model, method, names, data, n, n_eval, seed, second_order, num_resamples, conf_level, num_levels, M,
            member_groups=None) -> SensitivityResult:
    sc = model.scenario
    desc = {p: describe(sc.params[p].distribution) for p in names}
    members: dict[str, list[str]] = {}
    if member_groups is None:
        labels, dists = list(names), [desc[p] for p in names]
    else:
        for p, g in zip(names, member_groups):
            members.setdefault(g, []).append(p)
        labels = list(members)
        dists = [desc[m[0]] if m == [g] else "; ".join(f"{p} ~ {desc[p]}" for p in m) for g, m in members.items()]
    attrs = {
        "method": method, "N": int(n), "evaluations": int(n_eval), "seed": "none" if seed is None else int(seed),
        "scenario": sc.name, "scenario_file": sc.path, "lca_version": __version__,
        "second_order": int(bool(second_order)), "conf_level": float(conf_level), "num_resamples": int(num_resamples),
        "parameters": ",".join(names),
        **({} if member_groups is None else {"groups": json.dumps(members)}),
        "outputs_note": "16 EF 3.1 category totals (sum over components) then " + ", ".join(QUANTITIES),
        "sampler": {"sobol": "lca.analysis.sobol.design (as SALib.sample.sobol: scrambled Sobol', Saltelli design"
                             + (f"; {len(labels)} groups)" if member_groups is not None else ")"),
                    "morris": f"SALib.sample.morris, {num_levels} levels at quantiles (i + 1/2)/{num_levels}",
                    "fast": f"SALib.sample.fast_sampler, M={M}", "delta": "SALib.sample.latin"}[method],
        "analyzer": {"sobol": "lca.analysis.sobol.analyze (vectorised; point estimates as SALib.analyze.sobol)",
                     "morris": "SALib.analyze.morris", "fast": "SALib.analyze.fast",
                     "delta": "SALib.analyze.delta (delta_raw)"}[method],
    }
    return SensitivityResult(outputs=list(OUTPUTS), output_units=[output_unit(o)[1] for o in OUTPUTS],
                             output_names=[output_name(o) for o in OUTPUTS], parameters=labels, distributions=dists,
                             data=dict(data), attrs=attrs,
                             members=None if member_groups is None else list(members.values()))


def to_dataset(res: SensitivityResult) -> xr.Dataset:
    """The :class:`xarray.Dataset` of a :class:`SensitivityResult`: data variables ``S1``, ``ST``,
    ... over ``(output, parameter[, parameter_j])``, coordinates ``output_unit``,
    ``output_name``, ``distribution`` (and ``members`` for groups), the attributes as given."""
    import xarray as xr

    coords = {
        "output": list(res.outputs),
        "parameter": list(res.parameters),
        "output_unit": ("output", list(res.output_units)),
        "output_name": ("output", list(res.output_names)),
        "distribution": ("parameter", list(res.distributions)),
    }
    if res.members is not None:
        coords["members"] = ("parameter", [",".join(m) for m in res.members])
    dvars = {}
    for k, v in res.data.items():
        dims = ("output", "parameter", "parameter_j") if k.startswith("S2") else ("output", "parameter")
        dvars[k] = (dims, v, {"long_name": _VARS_DOC[k]})
    if any(k.startswith("S2") for k in res.data):
        coords["parameter_j"] = list(res.parameters)
    ds = xr.Dataset(dvars, coords=coords)
    ds.attrs.update(res.attrs)
    return ds


# ------------------------------------------------------------------------------------------------
def _rename(msg, params, what="parameter"):
    msg = re.sub(r"output \((\d+),\)", lambda m: f"output {OUTPUTS[int(m.group(1))]}", msg)
    msg = re.sub(r"parameters \((\d+), (\d+)\)",
                 lambda m: f"{what}s ({params[int(m.group(1))]}, {params[int(m.group(2))]})", msg)
    return re.sub(r"parameter (\d+)", lambda m: f"{what} {params[int(m.group(1))]}", msg)


def _suggest(n, factor):
    k = max(math.ceil(math.log2(max(n * factor, 2))), math.ceil(math.log2(n)) + 1)
    return 2**k


def _warnings(method, res: SensitivityResult, n) -> list[str]:
    params = list(res.parameters)
    d = res.data
    msgs = []
    if method == "sobol":
        from lca.analysis.sobol import warnings_for

        idx = {k: d[k] for k in ("S1", "S1_conf", "ST", "ST_conf", "S2", "S2_conf") if k in d}
        what = "group" if "groups" in res.attrs else "parameter"
        msgs = [_rename(m, params, what).replace("raise N,", "raise N (-n),")
                for m in warnings_for(idx, n, conf_threshold=CONF_THRESHOLD)]
        return msgs
    if method == "morris":
        ms, mc = d["mu_star"], d["mu_star_conf"]
        with np.errstate(all="ignore"):
            rel = mc / np.nanmax(ms, axis=1, keepdims=True)
        if np.any(rel > 0.1):
            i, j = np.unravel_index(np.nanargmax(np.where(rel > 0.1, rel, -np.inf)), rel.shape)
            msgs.append(f"mu_star_conf: {int(np.sum(rel > 0.1))} confidence half-width(s) exceed 10% of the largest "
                        f"mu_star of their output (worst {rel[i, j]:.2g} at output {OUTPUTS[i]}, parameter {params[j]}); "
                        f"raise the number of trajectories, e.g. -n {4 * n} (half-widths shrink roughly as 1/sqrt(N)).")
        return msgs
    pairs = (("S1", "S1_conf"), ("ST", "ST_conf")) if method == "fast" else (("delta", "delta_conf"), ("S1", "S1_conf"))
    for key, ckey in pairs:
        S, C = d[key], d[ckey]
        with np.errstate(invalid="ignore"):
            wide = C > CONF_THRESHOLD
            neg = (S + C) < 0
        if wide.any():
            i, j = np.unravel_index(np.argmax(np.where(wide, C, -np.inf)), C.shape)
            sugg = _suggest(n, (C[i, j] / CONF_THRESHOLD) ** 2)
            msgs.append(f"{ckey}: {int(wide.sum())} of {int(np.isfinite(C).sum())} confidence half-widths exceed "
                        f"{CONF_THRESHOLD:g} (largest {C[i, j]:.3g} at output {OUTPUTS[i]}, parameter {params[j]}); "
                        f"raise N, e.g. -n {sugg} (half-widths shrink roughly as 1/sqrt(N)).")
        if neg.any():
            i, j = np.unravel_index(np.argmin(np.where(neg, S + C, np.inf)), S.shape)
            msgs.append(f"{key}: {int(neg.sum())} index value(s) are negative beyond their confidence interval (worst "
                        f"{S[i, j]:.3g} ± {C[i, j]:.3g} at output {OUTPUTS[i]}, parameter {params[j]}); the estimate "
                        f"has not converged; raise N, e.g. -n {_suggest(n, 4)}.")
    return msgs


# ------------------------------------------------------------------------------------------------
def _num(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def to_json_dict(res) -> dict:
    """The json document of a :class:`SensitivityResult` or of a Dataset of :func:`sensitivity`."""
    r = result_of(res)
    a = r.attrs
    params = list(r.parameters)
    doc = {k: a.get(k) for k in ("scenario", "scenario_file", "lca_version", "method", "N", "evaluations",
                                  "seed", "conf_level", "num_resamples", "sampler", "analyzer")}
    doc["second_order"] = bool(a.get("second_order"))
    parameters: dict[str, dict] = {p: {"distribution": str(d)} for p, d in zip(params, r.distributions)}
    if "groups" in a:  # grouped Sobol: "parameters" are the groups
        groups = json.loads(a["groups"])
        for p in params:
            parameters[p]["members"] = groups[p]
    doc["parameters"] = parameters
    if "groups" in a:
        doc["groups"] = groups
    outs = {}
    for i, o in enumerate(r.outputs):
        entry: dict[str, str | dict[str, float | None]] = {"name": str(r.output_names[i]), "unit": str(r.output_units[i])}
        for k, arr in r.data.items():
            v = arr[i]
            if k.startswith("S2"):
                entry[k] = {f"{params[x]}|{params[y]}": _num(v[x, y]) for x in range(len(params))
                            for y in range(x + 1, len(params))}
            else:
                entry[k] = {p: _num(v[j]) for j, p in enumerate(params)}
        outs[str(o)] = entry
    doc["outputs"] = outs
    doc["notes"] = [m for m in a.get("notes", "").split("\n") if m]
    doc["warnings"] = [m for m in a.get("warnings", "").split("\n") if m]
    return doc


def to_json(ds) -> str:
    return json.dumps(to_json_dict(ds), indent=2)


def to_netcdf(ds, path):
    from lca.outputs.files import atomic_write

    try:
        import netCDF4  # noqa: F401
        engine = "netcdf4"
    except ImportError:  # pragma: no cover
        engine = "scipy"
    atomic_write(path, lambda tmp: ds.to_netcdf(tmp, engine=engine))
