"""The documentation site (issue 16): `mkdocs build --strict` builds it offline from the README,
the guides, the ODD and TRACE documents, the API reference (from docstrings) and the tutorials
with their executed output. The tutorials come executed from tests/test_tutorials.py (run once
per session)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from test_tutorials import EXECUTED_ENV, executed_tutorials

pytest.importorskip("mkdocs")
pytest.importorskip("mkdocs_jupyter")
pytest.importorskip("mkdocstrings")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", **{EXECUTED_ENV: str(executed_tutorials(tmp_path_factory))})
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-4000:]
    return folder


@pytest.mark.slow
def test_the_site_has_every_page(site):
    for page in ("index", "scenarios", "experiments", "ODD", "TRACE", "api", "tutorials/researcher",
                 "tutorials/lecturer"):
        assert (site / f"{page}.html").stat().st_size > 5_000, page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "For researchers: which obstacles drive partnership failure?" in home
    # README links now point into the site; images are copied with it
    assert 'href="ODD.html"' in home and 'href="scenarios.html"' in home
    assert (site / "img" / "stages.png").exists() and 'src="img/stages.png"' in home
    assert "fonts.googleapis.com" not in home     # nothing fetched from the web when a page opens


@pytest.mark.slow
def test_the_api_page_documents_the_public_names_from_their_docstrings(site):
    api = (site / "api.html").read_text(encoding="utf-8")
    for name in ("CoopModel", "Study", "load_scenario", "evaluate", "Discovery", "plot_sensitivity"):
        assert re.search(rf'id="[\w.]*{name}"', api), name
    assert "regional governments" in api      # CoopModel's docstring, not Mesa's


@pytest.mark.slow
def test_the_tutorial_pages_show_executed_output(site):
    page = (site / "tutorials" / "researcher.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") >= 5
    assert "Sensitivity analysis: tutorial_morris" in page
    assert "Researcher tutorial" in page and (site / "tutorials" / "researcher.ipynb").exists()
