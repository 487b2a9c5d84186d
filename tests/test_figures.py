"""Publication figures (issue 16): every figure a command writes (run, sensitivity, discover,
compare, validate) is a PNG of at least 200 dpi with a PDF of the same size beside it; no two
tick labels overlap on the canvas (nor two names of points in the same axes); the visible text
is words, not raw keys; and the figure functions a notebook calls return matplotlib Figures.

The commands run in this process at small sizes; `Figure.savefig` is wrapped to measure each
figure with matplotlib's own renderer just before it is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from conftest import ROOT, ishigami_experiment
from coopsim import cli
from coopsim.config.errors import UserError

pytest.importorskip("sklearn")
pytest.importorskip("ema_workbench")

MIN_DPI = 200

SMALL = f"""name = "provinces"
extends = "{(ROOT / 'scenarios' / 'baseline.toml').as_posix()}"
[simulation]
years = {{years}}
levels = ["province"]
"""
JOINT = 'name = "joint_committee"\nextends = "small.toml"\n[levers]\njoint_committee = true\n'
BUDGET = 'name = "dedicated_budget"\nextends = "small.toml"\n[levers]\ndedicated_budget = 1.0\n'


def _visible_ticklabels(ax) -> list:
    """Tick labels drawn inside the axis' view (labels of ticks beyond the limits are not drawn)."""
    out = []
    for axis, lim, coord in ((ax.xaxis, ax.get_xlim(), 0), (ax.yaxis, ax.get_ylim(), 1)):
        lo, hi = sorted(lim)
        for label in axis.get_ticklabels() + axis.get_ticklabels(minor=True):
            if label.get_visible() and label.get_text().strip() and lo <= label.get_position()[coord] <= hi:
                out.append(label)
    return out


def _overlaps(texts, renderer) -> list[tuple[str, str]]:
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    return [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:] if box_a.overlaps(box_b)]


def _all_text(fig: Figure) -> list[str]:
    """Every visible text of the figure: titles, axis names, tick labels, legends, annotations."""
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and a.get_visible())
            if t.get_text().strip()]


def _inspect(fig: Figure) -> dict:
    """Draw the figure and measure what a reader would see."""
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ticks = [label for ax in fig.axes for label in _visible_ticklabels(ax)]
    names = [pair for ax in fig.axes
             for pair in _overlaps([t for t in ax.texts if t.get_visible() and t.get_text().strip()], renderer)]
    return {"tick_overlaps": _overlaps(ticks, renderer), "text_overlaps": names, "text": _all_text(fig)}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Run every command at a small size; record each figure as it is saved: {path: inspection}."""
    work = tmp_path_factory.mktemp("figures")
    (work / "small.toml").write_text(SMALL.format(years=4))
    (work / "small10.toml").write_text(SMALL.format(years=10).replace('"provinces"', '"provinces_10_years"'))
    (work / "jc.toml").write_text(JOINT)
    (work / "db.toml").write_text(BUDGET)
    morris = (ROOT / "experiments" / "obstacles_morris.toml").read_text()
    morris = re.sub(r'(?m)^scenario = .*$', 'scenario = "small.toml"', morris)
    morris = re.sub(r"(?m)^outputs = \[[^\]]*\]", 'outputs = ["share_failed", "benefits"]', morris)
    (work / "morris.toml").write_text(re.sub(r"(?m)^n = \d+", "n = 4", morris))
    (work / "ishigami.toml").write_text(ishigami_experiment(n=64).replace("seed = 7\n", "seed = 7\ndummy = true\n")
                                        .replace("bootstrap = 100", 'bootstrap = 100\nalso = ["pawn"]'))
    conditions = re.sub(r'(?m)^scenario = .*$', 'scenario = "small.toml"',
                        (ROOT / "experiments" / "failure_conditions.toml").read_text())
    (work / "failure_conditions.toml").write_text(conditions)
    discovery = (ROOT / "experiments" / "failure_discovery.toml").read_text()
    (work / "discovery.toml").write_text(re.sub(r"(?m)^trees = \d+", "trees = 20", discovery))

    seen: dict[str, dict] = {}
    original = Figure.savefig

    def recording_savefig(fig, fname, *args, **kwargs):
        known = [s for s in seen.values() if s["figure"] is fig]
        # a folder is written under a temporary name, then renamed: key by its final name
        path = Path(getattr(fname, "name", fname))   # a file name, or an open file (plotstyle.save)
        final = re.sub(r"/\.coopsim-partial[^/]*", "", path.as_posix())
        seen[final] = known[0] if known else {"figure": fig, **_inspect(fig)}
        return original(fig, fname, *args, **kwargs)

    commands = [["run", "small.toml", "--reps", "2", "--out", "run"],
                ["sensitivity", "morris.toml", "--out", "morris"],
                ["sensitivity", "ishigami.toml", "--out", "sobol"],
                ["discover", "discovery.toml", "--points", "60", "--out", "discover"],
                ["compare", "small.toml", "jc.toml", "db.toml", "--reps", "3", "--out", "compare", "--no-report"],
                ["validate", "small10.toml", "--reps", "2", "--out", "validate"]]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(work)
        mp.setattr(Figure, "savefig", recording_savefig)
        for argv in commands:
            assert cli.main(argv + ["--no-progress"] * (argv[0] != "validate")) in (0, 1), argv
    return work, seen


def test_every_command_writes_each_figure_as_png_and_pdf(written):
    work, seen = written
    pngs = sorted(p for p in work.rglob("*.png"))
    expected = {"run": 3, "morris": 3, "sobol": 3, "discover": 3, "compare": 4, "validate": 1}
    for folder, count in expected.items():
        assert len([p for p in pngs if p.relative_to(work).parts[0] == folder]) >= count, folder
    for png in pngs:
        pdf = png.with_suffix(".pdf")
        assert pdf.exists(), f"{png.relative_to(work)} has no PDF"
        with Image.open(png) as image:
            dpi = image.info.get("dpi", (0, 0))[0]
            width_px = image.width
        assert dpi >= MIN_DPI - 0.5, f"{png.name}: {dpi} dpi"
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 5_000, pdf.name
        box = [float(v) for v in re.search(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", data).group(1).split()]
        width_in = (box[2] - box[0]) / 72
        assert 3 <= width_in <= 17, f"{pdf.name}: {width_in:.1f} inches wide"
        # the two formats are the same figure: the PNG is the PDF's page at its resolution
        assert abs(width_px / dpi - width_in) < 0.1, f"{png.name}: {width_px / dpi:.2f} vs {width_in:.2f} in"


def test_no_tick_labels_or_point_names_overlap(written):
    _, seen = written
    assert len(seen) >= 17 * 2
    for path, s in seen.items():
        assert not s["tick_overlaps"], f"{path}: overlapping tick labels {s['tick_overlaps'][:3]}"
        assert not s["text_overlaps"], f"{path}: overlapping names {s['text_overlaps'][:3]}"


def test_figures_speak_words_not_raw_keys(written):
    _, seen = written
    for path, s in seen.items():
        raw = [t for t in s["text"] if "_" in t]
        assert not raw, f"{path}: raw names {raw[:3]}"
    text = {p: s["text"] for p, s in seen.items()}
    morris_title = next(t for t in text["morris/figures/morris_base_share_failed.png"] if t.startswith("Morris"))
    assert "share of signed partnerships stagnant or ended" in morris_title
    assert "staff capacity (HR)" in text["run/failure_causes.png"] + text["compare/failure_causes.png"]
    assert "trajectories (nested designs from the same runs)" in \
        text["morris/figures/convergence_morris_base_share_failed.png"]
    assert "base samples N (nested designs from the same runs)" in text["sobol/figures/convergence_sobol_base_y.png"]
    assert "letter of intent" in text["run/stages.png"]
    assert "joint committee" in text["compare/effects.png"]


def test_morris_names_every_input_and_the_convergence_legend_sits_outside_the_data(written):
    _, seen = written
    morris = seen["morris/figures/morris_base_share_failed.png"]["figure"]
    ax = morris.axes[0]
    names = [t.get_text() for t in ax.texts if t.get_text()]   # (leader lines are empty annotations)
    assert len(names) == len(set(names)) == 21   # 20 inputs and the dummy, each named once
    conv = seen["morris/figures/convergence_morris_base_share_failed.png"]["figure"]
    renderer = conv.canvas.get_renderer()
    legend = conv.legends[0].get_window_extent(renderer)
    assert not legend.overlaps(conv.axes[0].get_window_extent(renderer))


def test_figure_functions_return_figures_for_a_notebook(written):
    import pandas as pd

    from coopsim.analysis.sensitivity import Analysis
    from coopsim.config.experiment import load_experiment
    from coopsim.config.scenario import load_scenario
    from coopsim.reporting.figures import run_figure
    from coopsim.reporting.sensitivity import plot_sensitivity

    work, _ = written
    exp = load_experiment(work / "morris.toml")
    analysis = Analysis(indices=pd.read_csv(work / "morris/indices.csv"),
                        convergence=pd.read_csv(work / "morris/convergence.csv"),
                        convergence_summary=pd.read_csv(work / "morris/convergence_summary.csv"), notes=[])
    fig = plot_sensitivity(analysis, exp, "indices", output="benefits")
    assert isinstance(fig, Figure) and "benefits delivered" in fig.axes[0].get_title()
    assert isinstance(plot_sensitivity(analysis, exp, "convergence"), Figure)
    with pytest.raises(UserError, match="no output 'nope'.*share_failed, benefits"):
        plot_sensitivity(analysis, exp, "indices", output="nope")
    with pytest.raises(UserError, match="choose one of indices, convergence"):
        plot_sensitivity(analysis, exp, "bars")
    full_only = analysis.convergence[analysis.convergence["n"] == analysis.convergence["n"].max()]
    with pytest.raises(UserError, match="no convergence check to draw.*convergence = true"):
        plot_sensitivity(Analysis(analysis.indices, full_only, analysis.convergence_summary, []), exp, "convergence")
    tables = {"timeseries": pd.read_parquet(work / "run/timeseries.parquet"),
              "ledger": pd.read_parquet(work / "run/ledger.parquet")}
    fig = run_figure(tables, load_scenario(work / "small.toml"), "stages")
    assert "2 replication(s)" in fig.axes[0].get_title()


def test_the_overlap_check_catches_crowded_labels():
    """The measure above can fail: long tick labels on a narrow axis, and two names on one spot."""
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.bar(range(6), range(6))
    ax.set_xticks(range(6), [f"a long input name {i}" for i in range(6)])
    ax.text(1, 1, "staff capacity")
    ax.text(1.05, 1.05, "budget line")
    found = _inspect(fig)
    assert found["tick_overlaps"] and found["text_overlaps"] == [("staff capacity", "budget line")]
