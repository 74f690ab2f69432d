"""`lca report`: one self-contained HTML page. Structure checked with html.parser; rendering
checked in headless Chromium (skipped when no Chromium is installed; CI installs it)."""

import base64
import io
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest

from lca.inventory.method import CODES

SCENARIO = "scenarios/gpt4-a100.yaml"


class Page(HTMLParser):
    """Elements with their attributes, the rows of every table and the open sections."""

    def __init__(self, text):
        super().__init__()
        self.elements = []          # (tag, attrs)
        self.tables = {}            # table id -> list of rows (list of cell texts) in <tbody>
        self._table = None
        self._in_body = False
        self._row = None
        self._cell = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if tag == "table":
            self._table = a.get("id", f"table{len(self.tables)}")
            self.tables[self._table] = []
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def all(self, tag):
        return [a for t, a in self.elements if t == tag]

    def ids(self):
        return {a["id"] for _, a in self.elements if "id" in a}


@pytest.fixture(scope="module")
def mc_report():
    from lca.api import report_html

    return report_html(SCENARIO, samples=40, seed=2, set=["operation.pue=1.3"], sensitivity=True,
                       sensitivity_n=64)


@pytest.fixture(scope="module")
def cli_report(tmp_path_factory):
    """The issue's command: lca report scenarios/gpt4-a100.yaml -o out/"""
    from lca.cli import main

    out = tmp_path_factory.mktemp("out")
    assert main(["report", SCENARIO, "-o", str(out)]) == 0
    return out / "index.html"


def _png_size(src):
    from PIL import Image

    assert src.startswith("data:image/png;base64,")
    img = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
    assert img.format == "PNG"
    return img.size


def test_report_structure(mc_report):
    page = Page(mc_report)
    rows = page.tables["impacts-table"]
    assert [r[0] for r in rows] == list(CODES)  # the 16 categories, in contract order
    assert all(len(r) == 9 for r in rows)
    gwp = rows[0]
    assert gwp[2] == "kg CO2 eq" and gwp[-1] == "full" and float(gwp[7].replace(",", "")) > 0
    ctue = rows[CODES.index("ctue")]
    assert ctue[5] == "n/c" and ctue[-1] == "partial"  # use stage not covered: shown, not 0
    # sections
    for sec in ("inputs", "quantities", "impacts", "coverage", "charts", "uncertainty", "sensitivity", "sources"):
        assert sec in page.ids()
    # one <img> per chart, all embedded PNGs with a size
    figures = page.all("figure")
    imgs = page.all("img")
    assert [f["id"] for f in figures] == ["fig-stages", "fig-components", "fig-absolute", "fig-single-score",
                                          "fig-distribution", "fig-sobol"]
    assert len(imgs) == len(figures)
    for img in imgs:
        w, h = _png_size(img["src"])
        assert w > 300 and h > 300 and img["alt"]
    # self-contained: no external resource; external addresses only in citation links
    for tag, a in page.elements:
        assert not re.match(r"https?://", a.get("src", "") or "")
        assert tag not in ("link", "iframe", "object", "embed")
        if tag == "script":
            assert "src" not in a
        href = a.get("href", "") or ""
        if re.match(r"https?://", href):
            assert tag == "a" and a.get("class") == "citation", href
        elif href:
            assert href.startswith("#") and href[1:] in page.ids(), href  # internal links resolve
    assert "@import" not in mc_report and "url(" not in mc_report
    # inputs and their sources
    inputs = page.tables["inputs-table"]
    params = {r[0]: r for r in inputs}
    assert params["operation.pue"][1] == "1.300"  # the --set override is what the run used
    assert params["workload.mfu"][3].startswith("uniform(min=0.32, max=0.36)")
    assert params["lifetime.lifespan"][2] == "year"
    assert "semianalysis-2023-gpt4" in params["workload.training_flops"][4]
    assert params["operation.grid.ctue"][1] == "n/c"
    cites = [a for t, a in page.elements if t == "a" and a.get("class") == "citation"]
    assert any("arxiv.org/abs/2509.00093" in a["href"] for a in cites)  # More than Carbon
    assert "src-semianalysis-2023-gpt4" in page.ids()
    # quantities and uncertainty
    q = {r[0].split()[-1]: r for r in page.tables["quantities-table"]}
    assert set(q) >= {"accelerator_hours", "energy", "lifetimes_consumed"}
    assert q["energy"][2] == "kWh"
    unc = page.tables["uncertainty-table"]
    assert [r[0] for r in unc[:16]] == list(CODES) and unc[16][0] == "single score"
    p05, p95 = (float(unc[0][k].replace(",", "")) for k in (3, 5))
    assert p05 < p95
    sens = page.tables["sensitivity-table"]
    assert [r[0] for r in sens] == list(CODES)
    # --set operation.pue=1.3 fixed the PUE, so it is not analysed; of the other uncertain data the
    # grid carbon intensity drives climate change (ST 0.45 vs 0.29 for the accelerator power, seed 2)
    assert dict((r[0], r[1]) for r in sens)["gwp"] == "operation.grid.gwp"
    assert "operation.pue" not in "".join(r[1] for r in sens)
    status = page.tables["grid-status"][0]
    assert len(status) == 16 and status[CODES.index("ctue")] == "n/c" and status[0] == "M"


def test_cli_report_deterministic(cli_report):
    text = cli_report.read_text(encoding="utf-8")
    page = Page(text)
    assert len(page.tables["impacts-table"]) == 16
    assert len(page.all("img")) == 4 and "uncertainty" not in page.ids()


def test_cli_report_errors(tmp_path, capsys):
    from lca.cli import main

    assert main(["report", SCENARIO, "-o", str(tmp_path), "-n", "64"]) == 2
    assert "--sensitivity" in capsys.readouterr().err
    assert main(["report", "no-such-scenario", "-o", str(tmp_path)]) == 2
    assert main(["report", SCENARIO, "-o", str(tmp_path), "--set", "workload.mfu=7"]) == 2
    assert not (tmp_path / "index.html").exists()


# --- rendering in a real browser ---------------------------------------------------------------
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--hide-scrollbars"]


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium not installed (apt-get install -y chromium)")


def _browser(args, tmp_path, tag):
    exe = _chromium()
    profile = tmp_path / f"profile-{tag}"
    cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    env = dict(os.environ, HOME=str(tmp_path))
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


def test_report_renders_in_headless_chromium(cli_report, tmp_path):
    url = cli_report.resolve().as_uri()
    dom = _browser(["--virtual-time-budget=10000", "--dump-dom", url], tmp_path, "dom")
    page = Page(dom)
    assert len(page.tables["impacts-table"]) == 16
    imgs = page.all("img")
    assert len(imgs) == 4
    # marked by the page's inline script once loaded: complete and naturalWidth > 0
    assert [i.get("data-loaded") for i in imgs] == ["1"] * 4
    body = [a for t, a in page.elements if t == "body"][0]
    assert body.get("data-images-loaded") == "4"
    shot = tmp_path / "shot.png"
    _browser(["--window-size=1200,2600", f"--screenshot={shot}", url], tmp_path, "shot")
    from matplotlib.image import imread

    px = imread(shot)[..., :3]
    assert px.shape[0] >= 2000 and px.shape[1] >= 1000
    assert float(np.std(px)) > 0.05  # not blank
    assert np.mean(px.min(axis=2) < 0.9) > 0.02  # some ink on the page (text, tables, charts)


# --- conventions, suspect data and robustness of the conclusions ----------------------------------
@pytest.fixture(scope="module")
def mc200_report():
    from lca.api import report_html

    return report_html(SCENARIO, samples=200, seed=1)


def test_report_conventions_and_suspect_data(mc200_report):
    page = Page(mc200_report)
    assert {"conventions", "suspect-data", "robustness", "coverage-table"} <= page.ids()
    cov = {r[0]: r for r in page.tables["coverage-table"]}
    assert list(cov) == list(CODES)
    assert cov["ctuh_c"][3] == "LT excluded" and cov["ir"][3] == "LT included" and cov["gwp"][3] == "n/a"
    assert cov["wu"][5] == "end_of_life" and cov["gwp"][5] == ""
    sus = page.tables["suspect-table"]
    assert [(r[0], r[1]) for r in sus] == [("wu", "end_of_life")]  # the end-of-life water use of the card
    published, alternative = (float(sus[0][k].replace(",", "")) for k in (2, 3))
    assert alternative == pytest.approx(1.16) and published > 100 * alternative
    assert "per card" in sus[0][4] and sus[0][7]  # unit and reason
    assert "embodied: {suspect_data: alternative}" in mc200_report
    # conventions paragraph: the background (id and name) and no mixing warning for gpt4-a100
    conv = mc200_report[mc200_report.index('id="conventions"'):mc200_report.index('id="suspect-data"')]
    assert "ef31-lt-excluded" in conv and "EF 3.1, long-term emissions excluded" in conv
    assert "No category mixes long-term emission conventions" in conv


def test_report_robustness(mc200_report):
    page = Page(mc200_report)
    rob = {r[0]: r for r in page.tables["robustness-table"]}
    assert list(rob) == list(CODES)
    gwp = rob["gwp"]  # category, dominant, P(manufacturing, transport, use, end of life), P(m > u), top, P(top), ...
    assert gwp[1] == "use 1.00" and gwp[4] == "1.00" and gwp[6] == "0.00"
    assert gwp[7] == "electricity" and float(gwp[8]) >= 0.99
    assert rob["odp"][1].startswith("manufacturing") and rob["ctue"][6] == "n/c"  # ctue: use stage not covered
    for r in rob.values():
        ps = [float(x) for x in r[2:6] if x != "n/c"]
        assert sum(ps) == pytest.approx(1.0, abs=0.011) and 0 <= float(r[10]) <= 1
    drawn = mc200_report[mc200_report.index('id="sampled-inputs"'):]
    drawn = drawn[:drawn.index("</p>")]
    n = int(re.search(r"(\d+) uncertain inputs drawn", drawn).group(1))
    assert n >= 20 and drawn.count("<code>") == n and "workload.mfu" in drawn and "operation.grid.gwp" in drawn


def test_report_deterministic_has_conventions_not_robustness(cli_report):
    text = cli_report.read_text(encoding="utf-8")
    ids = Page(text).ids()
    assert {"conventions", "suspect-data"} <= ids and "robustness" not in ids


def test_report_is_byte_identical_between_renders_and_takes_a_ready_document():
    """Two renders of one run give the same bytes (charts included); a JSON document passed in
    (as a caller that built it already would) gives the same page as the one render builds."""
    from lca.api import _model
    from lca.model import evaluate
    from lca.outputs import report
    from lca.outputs.files import to_json_dict

    model = _model(SCENARIO)
    ds = evaluate(model)
    one = report.render(model, ds)
    assert report.render(model, ds, doc=to_json_dict(ds)) == one
    assert one.count('src="data:image/png;base64,') == 4


def test_report_from_run_arrays_equals_the_one_from_the_dataset():
    """lca report renders the deterministic run from RunArrays (no xarray); the page is the same
    byte for byte as from the result Dataset, suspect-data marks and all."""
    from lca.model import evaluate, prepare
    from lca.model.compose import run_arrays
    from lca.outputs import plots, report

    model = prepare(SCENARIO)
    ds, arrays = evaluate(model), run_arrays(model)
    assert plots.suspect_categories(arrays) == plots.suspect_categories(ds) == {"wu": ["end_of_life"]}
    assert plots.cradle_to_gate_components(arrays) == plots.cradle_to_gate_components(ds)
    assert report.render(model, arrays) == report.render(model, ds)


def test_report_without_samples_imports_no_xarray(tmp_path):
    import sys

    code = ("import sys; from lca.cli import main\n"
            f"assert main(['report', {SCENARIO!r}, '-o', {str(tmp_path / 'r')!r}]) == 0\n"
            "print(sorted(m for m in ('xarray', 'pandas', 'dask.array') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert r.stdout.strip().splitlines()[-1] == "[]" and (tmp_path / "r" / "index.html").exists()


def test_charts_of_sampled_run_arrays_ask_for_the_dataset():
    from lca.errors import InputError
    from lca.model import prepare
    from lca.model.compose import run_arrays
    from lca.outputs import plots
    from lca.scenario.sampling import sample_table

    model = prepare(SCENARIO)
    arrays = run_arrays(model, sample_table(model.scenario, 1, 0, 8))
    with pytest.raises(InputError, match="take the result Dataset"):
        plots.stages(arrays)
