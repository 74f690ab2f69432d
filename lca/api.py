"""The workflows a Python user calls: scenario -> prepare -> evaluate or analyse -> outputs.

Everything here is re-exported by :mod:`lca` (``lca.run``, ``lca.sweep`` ...). This is the only
module that both runs the model and writes outputs; the layers below do one or the other.

Units: every result is an :class:`xarray.Dataset` whose category variables carry pint units (kg CO2
eq, mol H+ eq, CTUh ... one per EF 3.1 category), with the run quantities ``accelerator_hours``
(hour), ``energy`` (kWh) and ``lifetimes_consumed`` (dimensionless) beside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lca.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr
    from matplotlib.figure import Figure

    from lca.inventory import Inventory
    from lca.model import Model
    from lca.scenario import Scenario

__all__ = ["compare", "hf_card", "load_result", "plot", "run", "sensitivity", "sweep", "validate", "write_report"]


def _overrides(set: Iterable[str] | Mapping[str, Any] | None, factors: Iterable[str] = (), scenario=None) -> list:  # noqa: A002
    """``set`` as a list of ``"PATH=VALUE"`` strings or a mapping {path: value} -> override pairs."""
    from lca.scenario import factor_overrides, parse_set

    if set is None:
        pairs: list = []
    elif isinstance(set, Mapping):
        pairs = list(set.items())
    elif isinstance(set, str):
        raise InputError(f"set: expected a list of 'PATH=VALUE' strings or a mapping, got the string {set!r}")
    else:
        items = list(set)
        pairs = parse_set(items) if all(isinstance(x, str) for x in items) else items
    factors = list(factors or ())
    if factors:
        if scenario is None or not isinstance(scenario, (str, Path)):
            raise InputError("factors: extra factor files apply to a scenario file or name")
        pairs = factor_overrides(str(scenario), pairs, factors)
    return pairs


def _model(scenario, set=None, factors=(), inventory=None) -> Model:  # noqa: A002
    from lca.model import Model, prepare

    if isinstance(scenario, Model):
        if set or factors:
            raise InputError("set: overrides apply to a scenario file, name or Scenario, not to a prepared Model")
        return scenario
    if isinstance(scenario, Path):
        scenario = str(scenario)
    return prepare(scenario, inventory=inventory, overrides=_overrides(set, factors, scenario))


def run(scenario: str | Path | Scenario | Model, *, samples: int | None = None, seed: int | None = None,
        set: Iterable[str] | Mapping[str, Any] | None = None, factors: Iterable[str] = (),  # noqa: A002
        inventory: Inventory | None = None, inputs: str = "all") -> xr.Dataset:
    """Cradle-to-grave impacts of a training run in the 16 EF 3.1 categories.

    Parameters
    ----------
    scenario : str, Path, Scenario or Model
        A scenario file, the name of a shipped scenario (``"gpt4-a100"``), a loaded
        :class:`lca.scenario.Scenario` or a prepared :class:`lca.model.Model`.
    samples : int, optional
        Monte Carlo samples (every uncertain input drawn; adds a ``sample`` dimension). ``None``
        gives one deterministic run with each distribution at its default.
    seed : int, optional
        Seed of the :class:`numpy.random.Generator` for ``samples`` (non-negative).
    set : list of str or mapping, optional
        Overrides, as ``["workload.mfu=0.5"]`` or ``{"workload.mfu": 0.5,
        "lifetime.lifespan": "4 year"}``; quantities are strings with units.
    factors : list of str, optional
        Extra user factor CSV files (docs/byo-factors.md), applied after the scenario's own.
    inventory : Inventory, optional
        An inventory to use instead of the shipped one (:func:`lca.load_inventory`).
    inputs : {"all", "scenario"}
        With ``samples``: draw every uncertain datum (default: scenario inputs, grid factors,
        component data quality, bill of materials) or only the inputs the scenario file sets.

    Returns
    -------
    xarray.Dataset
        One variable per category code (``gwp`` in kg CO2 eq, ``odp`` in kg CFC-11 eq, ...),
        dimension ``component`` (with coordinate ``stage``) and, with ``samples``, ``sample``.
        Coordinates ``accelerator_hours`` (hour), ``energy`` (kWh), ``lifetimes_consumed`` (1).
        ``attrs`` hold coverage per category, the data manifest and the version.

    Examples
    --------
    >>> import lca
    >>> ds = lca.run("gpt4-a100", set={"workload.mfu": 0.4})
    >>> float(lca.totals(ds)["gwp"].pint.to("t").pint.magnitude) > 0
    True
    """
    from lca.model import evaluate
    from lca.model.compose import monte_carlo

    model = _model(scenario, set, factors, inventory)
    if samples is None:
        if seed is not None:
            import warnings

            warnings.warn("seed: ignored without samples (a deterministic run draws nothing)", UserWarning, stacklevel=2)
        return evaluate(model)
    return monte_carlo(model, samples, seed, inputs=inputs)


def sweep(scenario, grid: Mapping[str, Iterable[float]] | Iterable[str] | None = None, *,
          samples: int | None = None, seed: int | None = None, set=None, **kwargs) -> xr.Dataset:  # noqa: A002
    """Evaluate a scenario over a full-factorial grid of parameter values (totals only).

    Parameters
    ----------
    scenario : str, Path, Scenario or Model
    grid : mapping or list of str
        ``{"workload.mfu": [0.2, 0.4, 0.6]}`` (values in the parameter's unit: mfu as a
        fraction, lifespan in years) or ``["workload.mfu=0.2:0.6:9"]`` (``START:STOP:NUM``).
    samples, seed : int, optional
        Monte Carlo samples of the other uncertain inputs at every point (common random numbers).
    set : list of str or mapping, optional
        Overrides, as in :func:`run`.
    **kwargs
        Passed to :func:`lca.analysis.sweep.sweep` (``dask``, ``lazy``, ``chunk_size``, ``progress``).

    Returns
    -------
    xarray.Dataset
        One dimension per swept parameter (named by its path), one variable per category total
        (plain floats, ``units`` in attrs) and the quantities ``accelerator_hours`` (hour),
        ``energy`` (kWh) and ``lifetimes_consumed`` (1).

    Examples
    --------
    >>> import lca
    >>> sw = lca.sweep("gpt4-a100", {"workload.mfu": [0.3, 0.6]})
    >>> bool(sw["gwp"].sel({"workload.mfu": 0.3}) > sw["gwp"].sel({"workload.mfu": 0.6}))
    True
    """
    from lca.analysis.sweep import parse_grid
    from lca.analysis.sweep import sweep as _sweep

    model = _model(scenario, set)
    if grid is None:
        items: dict = {}
    elif isinstance(grid, Mapping):
        items = parse_grid([f"{k}={v}" if isinstance(v, str) else
                            f"{k}={','.join(str(x) if isinstance(x, str) else repr(float(x)) for x in v)}"
                            for k, v in grid.items()], model.scenario)
    else:
        items = parse_grid(list(grid), model.scenario)
    return _sweep(model, items, samples=samples, seed=seed, **kwargs)


def sensitivity(scenario, method: str = "sobol", n: int | None = None, *, seed: int | None = None,
                set=None, **kwargs) -> xr.Dataset:  # noqa: A002
    """Global sensitivity indices of every category total and run quantity.

    Parameters
    ----------
    scenario : str, Path, Scenario or Model
    method : {"sobol", "morris", "fast", "delta"}
    n : int, optional
        Sobol: base sample size N (a power of two); Morris: trajectories; FAST: samples per
        parameter; delta: samples. Defaults per method in :data:`lca.vocab.DEFAULT_N`.
    seed : int, optional
        Seeds the sampling and the bootstrap.
    set : list of str or mapping, optional
        Overrides, as in :func:`run`.
    **kwargs
        Passed to :func:`lca.analysis.sensitivity.sensitivity` (``params``, ``second_order`` ...).

    Returns
    -------
    xarray.Dataset
        Indices (``S1``, ``ST`` ... dimensionless) over dims ``output`` and ``parameter``.

    References
    ----------
    Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Computer
    Physics Communications 181, 259-270. doi:10.1016/j.cpc.2009.09.018
    Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
    Technometrics 33, 161-174. doi:10.1080/00401706.1991.10484804

    Examples
    --------
    >>> import lca
    >>> si = lca.sensitivity("gpt4-a100", "sobol", 256, seed=1)
    >>> sorted(set(si["ST"].dims))
    ['output', 'parameter']
    """
    from lca.analysis.sensitivity import sensitivity as _sensitivity

    return _sensitivity(_model(scenario, set), method, n, seed=seed, **kwargs)


def _compare_label(spec) -> str:
    from lca.model import Model
    from lca.scenario import Scenario

    if isinstance(spec, Mapping):
        if spec.get("label"):
            return str(spec["label"])
        sets = spec.get("set") or {}
        items = [f"{k}={v}" for k, v in sets.items()] if isinstance(sets, Mapping) else [str(x) for x in sets]
        return _compare_label(spec.get("scenario")) + (f" [{', '.join(items)}]" if items else "")
    if isinstance(spec, Model):
        return spec.scenario.name
    if isinstance(spec, Scenario):
        return spec.name
    return str(spec)


def compare(scenarios: Iterable, *, samples: int | None = None, seed: int | None = None,
            set: Iterable[str] | Mapping[str, Any] | None = None,  # noqa: A002
            inventory: Inventory | None = None) -> xr.Dataset:
    """Compare scenarios category by category: which card, grid or MFU is greener?

    Parameters
    ----------
    scenarios : list
        Two or more scenarios; the first is the reference. Each is a file, a shipped name
        (``"gpt4-a100"``), a Scenario, a Model, or a mapping ``{"scenario": ..., "set": {...},
        "factors": [...], "label": ...}`` (overrides applied to that scenario only).
    samples, seed : int, optional
        Monte Carlo samples with common random numbers: a parameter path two scenarios share
        gets the same uniform draws in both (each mapped through its own distribution).
    set : list of str or mapping, optional
        Overrides applied to every scenario (before a mapping's own ``set``).

    Returns
    -------
    xarray.Dataset
        Dims (scenario, category): ``total`` (coordinate ``unit`` per category), ``ratio`` to the
        first scenario; with ``samples`` ``p_lower`` (P(total < the first's)), ``ratio_mean``,
        ``ratio_p05``, ``ratio_p95``. ``attrs["shared_assumptions"]``: JSON list of the scenario
        inputs every scenario assumes alike.

    Examples
    --------
    >>> import lca
    >>> cmp = lca.compare(["gpt4-a100", {"scenario": "gpt4-a100", "set": {"workload.mfu": 0.5}}])
    >>> bool(cmp["ratio"].sel(category="gwp")[1] < 1)
    True
    """
    from lca.analysis.compare import compare as _compare

    if isinstance(scenarios, (str, Path, Mapping)):
        raise InputError("scenarios: expected a list of two or more scenarios")
    specs = list(scenarios)
    common = _overrides(set)
    models, labels = [], []
    for spec in specs:
        if isinstance(spec, Mapping):
            unknown = sorted(k for k in spec if k not in ("scenario", "set", "factors", "label"))
            if unknown or "scenario" not in spec:
                raise InputError(f"scenarios: a mapping needs 'scenario' and may have set, factors, label; got {sorted(spec)}")
            own = _overrides(spec.get("set"), spec.get("factors") or (), spec["scenario"])
            models.append(_model(spec["scenario"], common + own or None, inventory=inventory))
        else:
            models.append(_model(spec, common or None, inventory=inventory))
        label = _compare_label(spec)
        while label in labels:
            label += " (again)"
        labels.append(label)
    return _compare(models, labels, samples=samples, seed=seed)


def load_result(path: str | Path) -> xr.Dataset:
    """A result, sweep or sensitivity netCDF written by ``lca ... --format netcdf``.

    Examples
    --------
    >>> import lca, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "r.nc"
    >>> _ = lca.run("gpt4-a100").pint.dequantify().to_netcdf(out)
    >>> "gwp" in lca.load_result(out)
    True
    """
    import xarray as xr

    from lca.outputs.files import read_result
    from lca.outputs.plots import data_kind

    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: file not found")
    try:
        ds = xr.load_dataset(p)
    except Exception as exc:  # any reader failure is a bad input file
        raise InputError(f"{p}: not a netCDF file written by lca ({exc.__class__.__name__}); "
                         "give a result .nc or a scenario .yaml") from None
    return read_result(p) if data_kind(ds) == "result" else ds


def _data(data, *, set=None, samples=None, seed=None) -> xr.Dataset:  # noqa: A002
    """A Dataset as given, a stored netCDF, or a scenario evaluated here."""
    import xarray as xr

    if isinstance(data, xr.Dataset):
        return data
    p = Path(str(data))
    if p.suffix.lower() in (".nc", ".netcdf", ".nc4"):
        if set or samples is not None:
            raise InputError(f"{p}: set and samples apply to a scenario, not to a saved result")
        return load_result(p)
    return run(data, set=set, samples=samples, seed=seed)


def plot(data, kind: str, path: str | Path | None = None, *, dpi: int = 300, set=None,  # noqa: A002
         samples: int | None = None, seed: int | None = None, **options) -> Figure:
    """Draw one chart (docs/cli-charts.md) of a result, sweep or sensitivity Dataset.

    Parameters
    ----------
    data : xarray.Dataset, path or scenario
        A Dataset from :func:`run`, :func:`sweep` or :func:`sensitivity`; a netCDF file; or a
        scenario (evaluated first, with ``set``, ``samples`` and ``seed``).
    kind : str
        One of :data:`lca.vocab.KINDS` (``stages``, ``components``, ``distribution``, ``sobol``,
        ``heatmap`` ...).
    path : str or Path, optional
        Write the figure here (.png, .svg or .pdf; ``dpi`` for PNG).
    **options
        Chart options (``var``, ``x``, ``y``, ``index``, ``width`` in inches).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import lca, tempfile, pathlib
    >>> fig = lca.plot("gpt4-a100", "stages", pathlib.Path(tempfile.mkdtemp()) / "stages.svg")
    >>> len(fig.axes) >= 1
    True
    """
    from lca.outputs import plots

    if path is not None:
        plots.output_format(path)  # a bad suffix fails before anything is computed
    fig = plots.plot(_data(data, set=set, samples=samples, seed=seed), kind, **options)
    if path is not None:
        plots.save(fig, path, dpi=dpi)
    return fig


def report_html(scenario, *, set=None, samples: int | None = None, seed: int | None = None,  # noqa: A002
                sensitivity: bool = False, sensitivity_n: int | None = None) -> str:
    """The HTML report of a scenario as a string (see :func:`write_report`)."""
    from lca.analysis.sensitivity import sobol
    from lca.model.compose import monte_carlo, run_arrays
    from lca.outputs import report

    ov = _overrides(set)
    model = _model(scenario, ov)
    mc = monte_carlo(model, samples, seed) if samples else None
    sens = sobol(model, sensitivity_n, seed=seed) if sensitivity else None
    # the deterministic result as plain arrays: a report without --samples/--sensitivity needs no xarray
    return report.render(model, run_arrays(model), overrides=ov, mc=mc, sens=sens, samples=samples, seed=seed)


def write_report(scenario, out_dir: str | Path, *, set=None, samples: int | None = None,  # noqa: A002
                 seed: int | None = None, sensitivity: bool = False, sensitivity_n: int | None = None) -> Path:
    """Write a self-contained HTML report ``out_dir/index.html`` and return its path.

    Parameters
    ----------
    scenario : str, Path or Scenario
    out_dir : str or Path
        Folder for ``index.html`` (created if needed; nothing is written if the run fails).
    set : list of str or mapping, optional
        Overrides, as in :func:`run`.
    samples, seed : int, optional
        Add a Monte Carlo uncertainty section.
    sensitivity : bool
        Add a Sobol sensitivity section (``sensitivity_n``: base sample size).

    Examples
    --------
    >>> import lca, tempfile
    >>> lca.write_report("gpt4-a100", tempfile.mkdtemp()).name
    'index.html'
    """
    from lca.outputs import report

    if samples is not None and samples < 2:
        raise InputError(f"samples: expected at least 2 Monte Carlo samples, got {samples}")
    text = report_html(scenario, set=set, samples=samples, seed=seed, sensitivity=sensitivity,
                       sensitivity_n=sensitivity_n)
    return report.write(text, out_dir)


def hf_card(result, *, set=None, **kwargs) -> str:  # noqa: A002
    """A Hugging Face model-card block (``co2_eq_emissions`` + a 16-category table) for a result.

    ``result`` is a Dataset, a result netCDF or a scenario (run deterministically); ``kwargs``
    go to :func:`lca.outputs.hfcard.render_card` (``training_type``, ``location``, ``hardware``).

    Examples
    --------
    >>> import lca
    >>> "co2_eq_emissions" in lca.hf_card("gpt4-a100")
    True
    """
    import warnings

    from lca.outputs.files import to_json_dict
    from lca.outputs.hfcard import render_card

    ds = _data(result, set=set)
    with warnings.catch_warnings():  # pint-xarray warns when a stored result's coordinates are read as arrays
        warnings.filterwarnings("ignore", message=".*unit of the quantity is stripped.*")
        doc = to_json_dict(ds)
    return render_card(doc, **kwargs)


def validate(*paths: str | Path) -> int:
    """Check inventory folders, inventory files and scenario files; return how many were checked.

    Raises :class:`lca.InputError` naming the first bad file and key.

    Examples
    --------
    >>> import lca
    >>> lca.validate("scenarios/gpt4-a100.yaml") if __import__("os").path.exists("scenarios") else 1
    1
    """
    from lca.validation import validate_paths

    return validate_paths(paths)
