"""docs/results.md and docs/data.md are generated (tools/make_results.py, tools/make_data_doc.py):
these tests fail when the pages no longer match the code and data, so they cannot go stale silently.
Regenerate with ``python tools/make_results.py`` and ``python tools/make_data_doc.py``."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

import lca
from lca.inventory.method import CODES, category

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "results.md"
DATA = ROOT / "docs" / "data.md"


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(f"_lca_tools_{name}", ROOT / "tools" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def make_results():
    return _tool("make_results")


@pytest.fixture(scope="module")
def make_data_doc():
    return _tool("make_data_doc")


def _section(page: str, start: str, end: str | None) -> str:
    i = page.index(start)
    j = page.index(end, i + len(start)) if end else len(page)
    return page[i:j]


@pytest.mark.parametrize("background", [None, "unece-lt-included"])
def test_results_page_has_the_current_gpt4_stage_shares(make_results, background):
    page = RESULTS.read_text(encoding="utf-8")
    det = make_results.deterministic("gpt4-a100", background)
    scenario = page[page.index(f"### {det['scenario']}\n"):]
    if background is None:
        part = _section(scenario, f"#### Default background `{det['background']}`", "#### Background")
    else:
        part = _section(scenario, f"#### Background `{background}`", "#### Monte Carlo")
    for code in ("gwp", "epf"):
        row = make_results.stage_row(code, det["categories"][code])
        assert row in part, (f"docs/results.md is stale: gpt4-a100 ({det['background']}) {code} should read\n{row}\n"
                             "rerun python tools/make_results.py")


def test_results_side_by_side_quotes_the_current_gpt4_shares(make_results):
    page = RESULTS.read_text(encoding="utf-8")
    det = make_results.deterministic("gpt4-a100")
    part = _section(page, "### GPT-4\n", "## Which published")
    for code, stage in (("gwp", "use"), ("epf", "manufacturing")):
        share = make_results.pct(det["categories"][code]["shares"][stage])
        line = next(x for x in part.splitlines() if x.startswith(f"| {category(code).name},"))
        assert f"| {share} |" in line, f"side-by-side row for {code} does not show {share}: {line}"


def _matrix(page: str) -> dict:
    lines = page.splitlines()
    i = next(k for k, x in enumerate(lines) if x.startswith("| grid |") and all(f"| {c} |" in x + " |" for c in CODES))
    header = [c.strip() for c in lines[i].strip().strip("|").split("|")]
    rows = {}
    for x in lines[i + 2:]:
        if not x.startswith("|"):
            break
        cells = [c.strip() for c in x.strip().strip("|").split("|")]
        rows[cells[0].strip("`")] = dict(zip(header[1:], cells[1:]))
    return rows


def test_data_matrix_lists_every_full_grid_with_a_convention_per_covered_category(make_data_doc):
    inv = lca.load_inventory()
    rows = _matrix(DATA.read_text(encoding="utf-8"))
    full = [g for g in inv.grids.values() if not g.carbon_only]
    assert full
    for g in full:
        assert g.id in rows, f"docs/data.md coverage matrix has no row for grid {g.id}; rerun python tools/make_data_doc.py"
        for i, c in enumerate(CODES):
            cell = rows[g.id][c]
            status, conv = g.vector.status[i], g.vector.conventions[i]
            if status == "not_covered":
                assert cell == "—", f"{g.id} {c}: not covered, matrix says {cell!r}"
                continue
            assert conv in make_data_doc.CONV_SHORT, f"{g.id} {c}: covered entry without a convention in the inventory"
            assert cell.split() == [make_data_doc.STATUS_LETTER[status], make_data_doc.CONV_SHORT[conv]], (
                f"{g.id} {c}: matrix says {cell!r}, inventory {status}/{conv}; rerun python tools/make_data_doc.py")
    assert set(rows) == {g.id for g in full}, "matrix lists grids that are not full grids of the inventory"


def test_data_page_details_every_full_grid(make_data_doc):
    page = DATA.read_text(encoding="utf-8")
    inv = lca.load_inventory()
    cells = make_data_doc.grid_cells(inv)
    for gid, cs in cells.items():
        head = f"##### `{gid}` — "
        assert head in page, f"docs/data.md has no method/uncertainty table for {gid}"
        part = _section(page, head, "\n#####") if page.count("\n#####", page.index(head) + 1) else page[page.index(head):]
        for c, e in cs.items():
            if e["status"] == "not_covered":
                continue
            line = next(x for x in part.splitlines() if x.startswith(f"| `{c}` |"))
            assert f"| `{e['convention']}` |" in line and f"| {e['uncertainty']} |" in line, (
                f"{gid} {c}: expected convention {e['convention']} and uncertainty {e['uncertainty']} in\n{line}")


@pytest.mark.parametrize("page", [DATA, RESULTS], ids=["data.md", "results.md"])
def test_docs_do_not_point_outside_the_repository(page):
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"\.\./shared|\bshared/(data|references)\b", text), f"{page.name} links into ../shared"
