"""The tutorial notebooks (docs/tutorials/*.ipynb, issue 16) run end to end at their small
sizes and fail the suite on any error; the repository keeps them without outputs.

They run in a Jupyter kernel (nbclient) in their own folder, as a reader opens them. The
executed copies are kept for the session, so the documentation site's test
(tests/test_docs_site.py) builds from them instead of running them again."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

TUTORIALS = sorted((ROOT / "docs" / "tutorials").glob("*.ipynb"))
#: The variable that hands executed tutorials to the site's build (docs/site_hooks.py).
EXECUTED_ENV = "COOPSIM_EXECUTED_TUTORIALS"
_EXECUTED: dict[str, Path] = {}


def executed_tutorials(tmp_path_factory) -> Path:
    """A folder with every tutorial executed (once per test session): CellExecutionError on
    the first error, with the cell and the traceback."""
    if "folder" not in _EXECUTED:
        folder = tmp_path_factory.mktemp("tutorials")
        for path in TUTORIALS:
            nb = nbformat.read(path, as_version=4)
            nbclient.NotebookClient(nb, timeout=1800, kernel_name="python3",
                                    resources={"metadata": {"path": str(path.parent)}}).execute()
            nbformat.write(nb, folder / path.name)
        _EXECUTED["folder"] = folder
    return _EXECUTED["folder"]


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def test_both_tutorials_are_kept_without_outputs():
    assert {p.name for p in TUTORIALS} >= {"researcher.ipynb", "lecturer.ipynb"}
    for path in TUTORIALS:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code and not _outputs(nb), f"{path.name}: strip the outputs before committing"
        assert all(c.execution_count is None for c in code), f"{path.name}: execution counts are left in"


@pytest.mark.slow
def test_tutorials_run_end_to_end(tmp_path_factory):
    folder = executed_tutorials(tmp_path_factory)
    for path in TUTORIALS:
        nb = nbformat.read(folder / path.name, as_version=4)
        outputs = _outputs(nb)
        assert not [o for o in outputs if o.output_type == "error"]
        figures = [o for o in outputs if "image/png" in o.get("data", {})]
        assert len(figures) >= 3, f"{path.name}: {len(figures)} figure(s) shown"
    text = "".join(o.get("text", "") for o in _outputs(nbformat.read(folder / "researcher.ipynb", as_version=4)))
    assert "# Sensitivity analysis: tutorial_morris" in text       # the Morris summary, printed
    assert "# Scenario discovery: failure_conditions" in text       # the discovery summary
    assert "| input | mu* [95% interval]" in text                   # the index table for a paper
