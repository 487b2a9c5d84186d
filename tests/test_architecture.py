"""The architecture holds (README "Architecture"): layers import downward only, no function
over 60 lines, no repeated code, and a documented public API."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

SRC = ROOT / "src" / "coopsim"
LINT = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 60
# Functions allowed over MAX_LINES, with the reason (none today: a new one needs a reason here).
LONG_FUNCTION_EXCEPTIONS: dict[str, str] = {}


def _lint(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache", *args], cwd=ROOT, capture_output=True, text=True)


def test_layers_import_downward_only():
    done = _lint()
    assert done.returncode == 0, done.stdout[-4000:]
    assert "1 kept, 0 broken" in done.stdout


def test_the_contract_catches_an_upward_import(tmp_path):
    """The same contract with two layers swapped must fail: the check is not vacuous."""
    config = tmp_path / "reversed.ini"
    config.write_text("[importlinter]\nroot_package = coopsim\n\n[importlinter:contract:reversed]\n"
                      "name = reversed\ntype = layers\nlayers =\n    coopsim.model\n    coopsim.run\n")
    done = _lint(str(config))
    assert done.returncode != 0
    assert "coopsim.run is not allowed to import coopsim.model" in done.stdout.replace("\n", " ") \
        or "BROKEN" in done.stdout


def _functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    stack = [(tree, "")]
    while stack:
        node, prefix = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    yield name, child.end_lineno - child.lineno + 1
                stack.append((child, name + "."))


def test_no_function_over_sixty_lines():
    long = {f"{p.relative_to(SRC.parent).with_suffix('')}.{name}".replace("/", "."): n
            for p in SRC.rglob("*.py") for name, n in _functions(p) if n > MAX_LINES}
    unexplained = {k: v for k, v in long.items() if k not in LONG_FUNCTION_EXCEPTIONS}
    assert not unexplained, f"functions over {MAX_LINES} lines: {unexplained}"


def test_the_length_check_can_fail(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    path = tmp_path / "long.py"
    path.write_text(f"def long():\n{body}\n")
    assert dict(_functions(path))["long"] > MAX_LINES


@pytest.mark.skipif(shutil.which("duplicates") is None, reason="the duplicates tool is not on this machine")
def test_no_repeated_code_in_src():
    done = subprocess.run(["duplicates", "--repo", str(ROOT / "src"), "--most", "50", "--seconds", "60"],
                          capture_output=True, text=True)
    first = done.stdout.splitlines()[0] if done.stdout else ""
    assert first.startswith("no duplicates"), done.stdout


def test_every_public_name_is_documented():
    import coopsim

    missing = [name for name in coopsim.__all__ if not (getattr(coopsim, name).__doc__ or "").strip()]
    assert not missing, f"public names without a docstring: {missing}"
    assert set(coopsim.__all__) <= set(dir(coopsim))


def test_help_explains_the_model_not_mesa():
    import pydoc

    from coopsim import CoopModel

    text = pydoc.render_doc(CoopModel, renderer=pydoc.plaintext)
    assert "regional governments" in text.split("Method resolution order")[0]


def test_every_module_declares_its_public_api():
    missing = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
               if p.name not in ("__main__.py",) and "__all__" not in p.read_text(encoding="utf-8")]
    assert not missing, f"modules without __all__: {missing}"
