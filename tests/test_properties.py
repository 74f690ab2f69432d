"""Property-based tests over valid random scenarios (hypothesis).

For any valid scenario: no exception; every category's stage totals add up to its total; no
negative impact except where a factor is a credit (negative); coverage flags agree with the NaN
pattern of the components. And a user factor CSV round-trips whatever numbers it holds.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lca.inventory import load_inventory
from lca.inventory.method import CODES
from lca.model import STAGES, prepare, run
from lca.model.result import coverage, magnitudes, stage_totals, totals
from lca.scenario import build_scenario

INV = load_inventory()
ROUTES = sorted([(a.id, "measured", ds) for a in INV.accelerators.values() for ds in a.measured]
                + [(a.id, "parametric", None) for a in INV.accelerators.values()])
FULL_GRIDS = sorted(g.id for g in INV.grids.values() if not g.carbon_only)
CARBON_ONLY = sorted(g.id for g in INV.grids.values() if g.carbon_only)[:20]
FACTOR_SETS = sorted(k for k in INV.factor_sets if k != "transport-eime")

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def scenarios(draw):
    acc, method, dataset = draw(st.sampled_from(ROUTES))
    emb = {"method": method}
    if dataset:
        emb["dataset"] = dataset
    if method == "parametric":
        sets = [f for f in FACTOR_SETS if "vram_die_area" in INV.accelerator(acc).bom
                or "vram_die_area_per_gb" in INV.factor_set(f).data]  # else a clean InputError, not a valid run
        emb["factors"] = draw(st.sampled_from(sets))
        emb["yield_model"] = draw(st.sampled_from(sorted(INV.yield_models)))
        emb["vram_area"] = draw(st.sampled_from(["all_dies", "single_die"]))
    if draw(st.booleans()):
        workload = {"training_flops": f"{10 ** draw(st.floats(18, 26)):.6e} FLOP",
                    "mfu": draw(st.floats(0.01, 1.0))}
        if "peak_flops" not in INV.accelerator(acc).specs:
            workload["peak_flops"] = "1e14 FLOP/s"
    else:
        workload = {"accelerator_hours": f"{10 ** draw(st.floats(0, 8)):.6e} hour"}
    grid = draw(st.sampled_from(FULL_GRIDS) | st.sampled_from(CARBON_ONLY))
    op = {"accelerator_power": f"{draw(st.floats(50, 1000)):.3f} W", "pue": draw(st.floats(1.0, 3.0)),
          "server_overhead": draw(st.floats(1.0, 2.0)), "grid": grid}
    if draw(st.booleans()):
        op["wue"] = f"{draw(st.floats(0, 5)):.4f} L/kWh"
        if draw(st.booleans()):
            op["water_scarcity"] = draw(st.floats(0, 100))
    life = {"lifespan": f"{draw(st.floats(0.1, 10)):.4f} year", "utilization": draw(st.floats(0.05, 1.0))}
    if draw(st.booleans()):  # a distribution instead of a fixed value
        lo = draw(st.floats(0.1, 5))
        life["lifespan"] = {"distribution": "uniform", "min": f"{lo:.4f} year", "max": f"{lo + draw(st.floats(0.1, 5)):.4f} year"}
    return {"name": "property", "accelerator": acc, "embodied": emb, "workload": workload, "operation": op,
            "lifetime": life}


def _credits(model) -> dict:
    """(component) -> bool array over categories: True where a factor of that component is negative."""
    out = {}
    if model.measured is not None:
        for name, (_, vec) in model.measured.components.items():
            out[name] = vec.values < 0
        if model.measured.end_of_life is not None:
            out["end_of_life"] = model.measured.end_of_life.values < 0
    for name, entry in model.factor_set.factors.items():
        neg = entry.vector.values < 0
        out[name] = out[name] | neg if name in out and name != "end_of_life" else out.get(name, neg)
    out["distribution"] = np.any([e.vector.values < 0 for e in model.transport_factors.factors.values()], axis=0)
    return out


def _check(ds, model):
    m = magnitudes(ds)
    tot = magnitudes(totals(ds))
    stt = magnitudes(stage_totals(ds))
    cov = coverage(ds)
    comps = [str(c) for c in m["component"].values]
    credits = _credits(model)
    for i, c in enumerate(CODES):
        vals = np.asarray(m[c].values, dtype=float)  # (component[, sample])
        vals2 = vals.reshape(len(comps), -1)
        # stage sum == total (NaN-aware: a stage with no covered component is NaN, not 0)
        stage_sum = np.asarray(stt[c].sum("stage", skipna=True, min_count=1).values, dtype=float)
        total = np.asarray(tot[c].values, dtype=float)
        np.testing.assert_allclose(stage_sum, total, rtol=1e-9, atol=0, equal_nan=True)
        # no negative impacts except credits
        for j, comp in enumerate(comps):
            row = vals2[j]
            if np.any(row < 0):
                assert comp in credits and credits[comp][i], f"{c} {comp} negative without a negative factor"
        # coverage flags agree with the NaN pattern
        nan = np.isnan(vals2).any(axis=1)
        missing = [comps[j] for j in range(len(comps)) if nan[j]]
        assert cov[c]["missing_components"] == missing
        expected = "full" if not missing else ("none" if len(missing) == len(comps) else "partial")
        assert cov[c]["coverage"] == expected == ds[c].attrs["coverage"]
        stages_missing = sorted({str(m["stage"].values[j]) for j in range(len(comps)) if nan[j]}, key=STAGES.index)
        assert cov[c]["missing_stages"] == stages_missing
        if expected == "none":
            assert np.all(np.isnan(total))
        else:
            assert not np.any(np.isnan(total))


@SETTINGS
@given(scenarios())
def test_random_scenarios(raw):
    sc = build_scenario(raw, path="<property>")
    model = prepare(sc)
    ds = run(sc)
    _check(ds, model)
    q = ds["lifetimes_consumed"].values
    assert np.all(q > 0) and np.all(np.isfinite(q))


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 2**31 - 1))
def test_random_scenarios_monte_carlo(raw, seed):
    sc = build_scenario(raw, path="<property>")
    ds = run(sc, samples=4, seed=seed)
    assert ds.sizes["sample"] == 4
    _check(ds, prepare(sc))


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.none(), finite), min_size=16, max_size=16),
       st.sampled_from(["grid", "heatsink", "gpu_die", "transport_plane"]),
       st.booleans())
def test_factor_csv_round_trip(tmp_path_factory, values, kind, grams):
    """Whatever finite numbers a user file holds come back exactly (empty cell -> NaN)."""
    from lca.inventory.method import category
    from lca.inventory.user_factors import KINDS, read_factor_csv

    if kind == "grid":
        values = [None if v is None else abs(v) for v in values]  # electricity factors are >= 0
    assume(any(v is not None for v in values))
    header = ["process", "kind", "reference_unit", "source"]
    for c in CODES:
        unit = category(c).unit
        header.append(f"{c} [{'g CO2 eq' if (grams and c == 'gwp') else unit}]")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerow(["p1", kind, KINDS[kind], "owid-energy-data", *("" if v is None else repr(v) for v in values)])
    path = tmp_path_factory.mktemp("rt") / "f.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    (row,) = read_factor_csv(path, INV.sources).rows
    for i, v in enumerate(values):
        got = row.vector.values[i]
        if v is None:
            assert np.isnan(got) and row.vector.status[i] == "not_covered"
        else:
            expect = v / 1000 if (grams and CODES[i] == "gwp") else v
            assert got == pytest.approx(expect, rel=1e-12, abs=0)
