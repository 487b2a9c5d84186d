"""MkDocs hooks of the documentation site (mkdocs.yml `hooks:`): the pages that live outside
docs/ and the executed tutorials.

- The home page is README.md, and the guides scenarios/README.md and experiments/README.md
  become scenarios.md and experiments.md; their links are rewritten to the site's pages (a
  link to a file the site does not hold, such as a source file, keeps its text).
- api.md is written from `coopsim.__all__`: one mkdocstrings entry per public name, by layer.
- The tutorials (docs/tutorials/*.ipynb, kept without outputs) are shown executed: from the
  folder named by COOPSIM_EXECUTED_TUTORIALS when set (the test suite executes them once and
  passes them here), otherwise executed now with nbclient; an error in a tutorial fails the
  build.
"""

from __future__ import annotations

import importlib
import os
import posixpath
import re
import sys
import tempfile
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[1]
#: Pages written from files outside docs/: site page -> repository file.
OUTSIDE = {"index.md": "README.md", "scenarios.md": "scenarios/README.md", "experiments.md": "experiments/README.md"}
#: The environment variable naming a folder of executed tutorials.
EXECUTED = "COOPSIM_EXECUTED_TUTORIALS"
_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")
_LAYERS = ("config", "model", "run", "analysis", "reporting", "workflows")
_LAYER_WORDS = {"config": "Scenarios, experiments and words (config)", "model": "The model (model)",
                "run": "Runs and sweeps (run)", "analysis": "Statistics and sensitivity (analysis)",
                "reporting": "Figures and reports (reporting)", "workflows": "Studies and commands (workflows)"}
#: The figure functions a notebook calls (they are not in `coopsim.__all__`).
FIGURES = ("coopsim.reporting.figures.run_figure", "coopsim.reporting.sensitivity.plot_sensitivity",
           "coopsim.reporting.sensitivity.index_figure", "coopsim.reporting.sensitivity.convergence_figure",
           "coopsim.reporting.discovery.plot_discovery", "coopsim.reporting.figures.stage_stock",
           "coopsim.reporting.plotstyle.save_figure", "coopsim.reporting.plotstyle.figure_style")
_executed_folder: tempfile.TemporaryDirectory | None = None


# == links ======================================================================================
def _site_path(repo_path: str) -> str | None:
    """Where a repository file is in the site (a docs/ path), or None when the site lacks it."""
    for page, source in OUTSIDE.items():
        if repo_path == source:
            return page
    if repo_path.startswith("docs/") and (ROOT / repo_path).exists():
        return repo_path.removeprefix("docs/")
    return None


def _rewrite(markdown: str, source: str, page_uri: str) -> str:
    """Relative links of `source` (a repository path) made to point into the site from `page_uri`."""
    def one(match: re.Match) -> str:
        bang, text, target = match.groups()
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        repo_path = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
        found = _site_path(repo_path)
        if found is None:
            return text if not bang else f"*({text})*"
        relative = posixpath.relpath(found, posixpath.dirname(page_uri) or ".")
        return f"{bang}[{text}]({relative}{'#' + anchor if anchor else ''})"
    return _LINK.sub(one, markdown)


# == the API page ===============================================================================
def _home_module(name: str, value) -> str:
    """The module that defines a public name (for data, the lowest layer that exports it)."""
    if getattr(value, "__module__", None) and getattr(value, "__qualname__", None):
        return value.__module__
    holders = [m for m, mod in list(sys.modules.items()) if m.startswith("coopsim.") and mod is not None
               and name in getattr(mod, "__all__", ()) and getattr(mod, name, None) is value]
    return min(holders, key=lambda m: (_LAYERS.index(m.split(".")[1]) if m.split(".")[1] in _LAYERS else 99,
                                       len(m)))


def api_page() -> str:
    """api.md: every name of `coopsim.__all__`, grouped by layer, documented from its docstrings."""
    coopsim = importlib.import_module("coopsim")
    where = {name: _home_module(name, getattr(coopsim, name)) for name in coopsim.__all__}
    lines = ["# API reference", "",
             "Everything `import coopsim` offers (`coopsim.__all__`), by layer of the package (README, "
             "\"Architecture\"). Each name is importable from `coopsim` itself, e.g. `from coopsim import "
             "Study`. The figure functions the tutorials use come last.", ""]
    for layer in _LAYERS:
        names = sorted(n for n, m in where.items() if m.split(".")[1] == layer)
        if names:
            lines += [f"## {_LAYER_WORDS[layer]}", ""]
            lines += [f"::: {where[n]}.{n}\n" for n in names]
    lines += ["## Figures for notebooks and papers", "",
              "Each returns a matplotlib Figure in the package's style; `save_figure` writes it as PNG "
              "(200 dpi) and PDF.", ""]
    return "\n".join(lines + [f"::: {path}\n" for path in FIGURES]) + "\n"


# == tutorials ==================================================================================
def _execute(notebook: Path, folder: Path) -> Path:
    """Run a tutorial in its own folder (docs/tutorials) and write it, with outputs, to `folder`."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(nb, timeout=1800, kernel_name="python3",
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    out = folder / notebook.name
    nbformat.write(nb, out)
    return out


def _executed_tutorials(tutorials: list[Path]) -> Path:
    """The folder holding every tutorial executed: the environment's, or a new temporary one."""
    global _executed_folder
    given = os.environ.get(EXECUTED)
    if given:
        missing = [t.name for t in tutorials if not (Path(given) / t.name).exists()]
        if missing:
            raise RuntimeError(f"{EXECUTED}={given} lacks {', '.join(missing)}")
        return Path(given)
    _executed_folder = tempfile.TemporaryDirectory(prefix="coopsim-tutorials-")
    for notebook in tutorials:
        _execute(notebook, Path(_executed_folder.name))
    return Path(_executed_folder.name)


# == MkDocs events ==============================================================================
@event_priority(100)     # before mkdocs-jupyter wraps the notebooks
def on_files(files, config):
    """Add the pages from outside docs/ and the API page; swap the tutorials for executed copies."""
    for page, source in OUTSIDE.items():
        text = (ROOT / source).read_text(encoding="utf-8")
        files.append(File.generated(config, page, content=_rewrite(text, source, page)))
    files.append(File.generated(config, "api.md", content=api_page()))
    tutorials = [f for f in files if f.src_uri.startswith("tutorials/") and f.src_uri.endswith(".ipynb")]
    folder = _executed_tutorials([Path(f.abs_src_path) for f in tutorials])
    for f in tutorials:
        files.remove(f)
        files.append(File.generated(config, f.src_uri, abs_src_path=str(folder / Path(f.src_uri).name)))
    return files


def on_page_markdown(markdown, page, config, files):
    """Links of the pages kept in docs/ (ODD, TRACE) that leave docs/ are rewritten too."""
    if page.file.generated_by:       # written by on_files, links already rewritten
        return markdown
    return _rewrite(markdown, f"docs/{page.file.src_uri}", page.file.src_uri)


def on_post_build(config):
    """Delete the tutorials executed for this build."""
    global _executed_folder
    if _executed_folder is not None:
        _executed_folder.cleanup()
        _executed_folder = None
