"""`coopsim report`: one self-contained HTML file from any results folder, checked in a browser."""

import base64
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from coopsim import cli
from coopsim.config.errors import UserError
from coopsim.reporting.html import build_report, write_report
from coopsim.reporting.markdown import markdown_to_html

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def compare_folder(tmp_path_factory):
    """A real `coopsim compare` folder (provinces only, ten years, two replications)."""
    folder = tmp_path_factory.mktemp("compare")
    base = folder / "small.toml"
    base.write_text(f'name = "small"\nextends = "{SCENARIOS / "baseline.toml"}"\n'
                    '[simulation]\nlevels = ["province"]\nyears = 10\n')
    lever = folder / "committee.toml"
    lever.write_text('name = "committee"\nextends = "small.toml"\n[levers]\njoint_committee = true\n')
    out = folder / "results"
    assert cli.main(["compare", str(base), str(lever), "--reps", "2", "--out", str(out), "--no-progress",
                     "--no-report"]) == 0
    assert not (out / "report.html").exists()
    return out


@pytest.fixture()
def generic_folder(tmp_path):
    """A folder of another kind (as sensitivity might write): figures, tables, text, chunks."""
    import matplotlib.pyplot as plt

    folder = tmp_path / "sens"
    (folder / "chunks").mkdir(parents=True)
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [1, 0])
    fig.savefig(folder / "indices.png")
    fig.savefig(folder / "chunks" / "nested.png")
    plt.close(fig)
    pd.DataFrame({"input": ["hr <b>", "data"], "S1": [0.41234, float("inf")]}).to_csv(folder / "indices.csv", index=False)
    pd.DataFrame({"x": range(500)}).to_csv(folder / "long.csv", index=False)
    pd.DataFrame({"a": [1, 2]}).to_parquet(folder / "points.parquet")
    for k in range(25):
        pd.DataFrame({"a": [k]}).to_parquet(folder / "chunks" / f"chunk_{k:06d}.parquet")
    (folder / "summary.md").write_text("# Sensitivity\n\nThe **budget** matters most.\n\n| input | S1 |\n|---|---|\n"
                                       "| hr | 0.4 |\n\n- first\n- second\n")
    (folder / "manifest.json").write_text(json.dumps({"kind": "sensitivity", "created": "2026-01-01T00:00:00+00:00",
                                                      "command": "coopsim sensitivity experiments/x.toml",
                                                      "versions": {"python": "3.12"}}))
    return folder


def _images(page_html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page_html)]


def _self_contained(page: str) -> None:
    assert "<script" not in page.lower()
    assert not re.search(r'(src|href)="(?!data:|#)', page), "a reference outside the file"
    assert "<link" not in page.lower() and "@import" not in page and "url(" not in page


def test_compare_report_embeds_figures_tables_manifest_and_the_command(compare_folder):
    out = write_report(compare_folder)
    assert out == compare_folder / "report.html"
    page = out.read_text()
    _self_contained(page)
    pngs = sorted(p.name for p in compare_folder.glob("*.png"))
    assert len(pngs) == 4
    images = _images(page)
    assert len(images) == len(pngs)
    assert all(img.startswith(b"\x89PNG") for img in images)
    manifest = json.loads((compare_folder / "manifest.json").read_text())
    assert manifest["repeat"].startswith("coopsim compare ")
    assert manifest["repeat"].replace("'", "&#x27;") in page or manifest["repeat"] in page
    assert "To repeat these results exactly" in page
    assert "Common random numbers" in page  # summary.md rendered
    assert '<td class="gain">clear gain' in page  # verdicts coloured
    assert "<table" in page and "verdict" in page and "effects.csv" in page
    assert "stages.parquet" in page and "What ran (manifest)" in page
    # a second report does not embed the first
    assert write_report(compare_folder).read_text().count("<html") == 1


def test_generic_folder_every_png_csv_markdown_and_a_listing_of_the_rest(generic_folder):
    page = build_report(generic_folder)
    _self_contained(page)
    assert len(_images(page)) == 2  # nested figures too
    assert "<h3>Sensitivity</h3>" in page and "<strong>budget</strong>" in page
    assert "hr &lt;b&gt;" in page  # table contents escaped
    assert "<td>0.4123</td>" in page and "<td>inf</td>" in page
    assert "500 rows x 1 columns; the first 200 rows are shown" in page
    assert "points.parquet" in page and "2 rows" in page
    assert "chunks/ (25 files)" in page
    assert "coopsim sensitivity experiments/x.toml" in page
    assert "coopsim sensitivity:" in page  # title from the manifest's kind


def test_run_folder(tmp_path):
    base = tmp_path / "small.toml"
    base.write_text(f'name = "small"\nextends = "{SCENARIOS / "baseline.toml"}"\n'
                    '[simulation]\nlevels = ["province"]\nyears = 5\n')
    out = tmp_path / "run"
    assert cli.main(["run", str(base), "--reps", "2", "--out", str(out), "--no-progress", "--csv"]) == 0
    assert cli.main(["report", str(out)]) == 0
    page = (out / "report.html").read_text()
    assert len(_images(page)) == len(list(out.glob("*.png"))) >= 1
    assert "coopsim run " in page and "summary.csv" in page


def test_markdown_subset():
    text = "# Title\n\nsome `code` and **bold**\nstill the same paragraph\n\n| a | b \\| c |\n|---|---|\n| 1 | 2 |\n\n- x\n- y\n"
    out = markdown_to_html(text, shift=1)
    assert "<h2>Title</h2>" in out
    assert "<p>some <code>code</code> and <strong>bold</strong> still the same paragraph</p>" in out
    assert "<th>b | c</th>" in out and "<td>2</td>" in out
    assert "<ul><li>x</li><li>y</li></ul>" in out
    assert "&lt;script&gt;" in markdown_to_html("<script>alert(1)</script>")


def test_bad_folders_are_clear_errors(tmp_path, capsys):
    with pytest.raises(UserError, match="no such results folder"):
        build_report(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="empty"):
        build_report(tmp_path / "empty")
    assert cli.main(["report", str(tmp_path / "missing")]) == 2
    assert "no such results folder" in capsys.readouterr().err


@pytest.mark.browser
def test_report_opens_in_headless_chromium_and_shows_its_figures(compare_folder, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium "
                    "(apt-get install -y chromium); the browser check needs it")
    from playwright.sync_api import sync_playwright

    report = write_report(compare_folder, tmp_path / "emailed" / "report.html")  # away from the results
    requests = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri(), wait_until="load")
            images = page.evaluate("Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth,"
                                   " i.naturalHeight])")
            title = page.title()
            headings = page.evaluate("Array.from(document.querySelectorAll('h2')).map(h => h.textContent)")
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert len(images) == 4
    for alt, complete, width, height in images:
        assert complete and width > 0 and height > 0, alt
    assert title.startswith("coopsim compare")
    assert {"Summary", "Figures", "Tables", "What ran (manifest)"} <= set(headings)
    assert all(u.startswith(("file:", "data:")) for u in requests), requests  # no server, no internet
    assert shot.stat().st_size > 20_000
