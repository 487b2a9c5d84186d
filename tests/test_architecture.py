"""The architecture holds (README "Architecture"): layers import downward only, no function
over 60 lines, no repeated code, and a documented public API."""

from __future__ import annotations

import ast
import re
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


def _declarations_only(path: Path, first: int, last: int) -> bool:
    """Lines first..last hold only parameter declarations: headers, docstrings and annotated
    fields of schema classes (`name: type = _p(...)`). Such tables share a shape because every
    parameter is declared the same way (unit, range, source), not because logic repeats."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        if cls.lineno <= last and cls.end_lineno >= first:
            body = [stmt for stmt in cls.body if stmt.lineno <= last and stmt.end_lineno >= first]
            if not all(isinstance(stmt, ast.AnnAssign) or (isinstance(stmt, ast.Expr)
                       and isinstance(stmt.value, ast.Constant)) for stmt in body):
                return False
    covered = {line for cls in ast.walk(tree) if isinstance(cls, ast.ClassDef)
               for line in range(cls.lineno, cls.end_lineno + 1)}
    code = {i for i, text in enumerate(path.read_text().splitlines(), start=1) if text.strip()}
    return all(line in covered for line in range(first, last + 1) if line in code)


def _pairs(output: str) -> list[tuple[str, str]]:
    return re.findall(r"^D\d+ (\S+:\d+-\d+) ~ (\S+:\d+-\d+)", output, flags=re.M)


@pytest.mark.skipif(shutil.which("duplicates") is None, reason="the duplicates tool is not on this machine")
def test_no_repeated_code_in_src():
    """No pair of 6+ repeated lines, except tables of parameter declarations (see above)."""
    done = subprocess.run(["duplicates", "--repo", str(ROOT / "src"), "--most", "50", "--seconds", "60"],
                          capture_output=True, text=True)
    assert "incomplete" not in done.stdout, done.stdout
    repeated = []
    for pair in _pairs(done.stdout):
        sides = [(ROOT / "src" / place.split(":")[0], *map(int, place.split(":")[1].split("-"))) for place in pair]
        if not all(_declarations_only(*side) for side in sides):
            repeated.append(pair)
    assert not repeated, done.stdout


def test_the_repetition_check_can_fail(tmp_path):
    logic = tmp_path / "logic.py"
    logic.write_text("def f(x):\n    y = x + 1\n    return y\n")
    table = tmp_path / "table.py"
    table.write_text("class A(Section):\n    \"\"\"doc\"\"\"\n    x: int = _p(1)\n")
    assert _declarations_only(table, 1, 3) and not _declarations_only(logic, 1, 3)
    assert _pairs("D1 a/b.py:1-9 ~ a/c.py:3-11 shape\n") == [("a/b.py:1-9", "a/c.py:3-11")]


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
