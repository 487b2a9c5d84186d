"""What a file given to coopsim can be besides good TOML: another encoding, broken syntax,
deep nesting, a huge size, not a file at all (a folder, a pipe, a device), and `extends`
chains that are too long, cyclic or point at something that is not a file.

Every function writes into a case's folder and returns the path to give coopsim and the
files a refusal may name.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from fuzz.toml_text import dumps

# how a file's bytes are spoiled; "utf-8-bom" is not spoiled (coopsim must accept it)
ENCODINGS = ("utf-16", "utf-16-le", "latin-1", "utf-8-bom", "binary", "nul")
SYNTAX = ("truncated", "deleted char", "inserted char", "duplicate key", "unclosed string")
SHAPES = ("deep arrays", "deep inline tables", "deep dotted key", "huge", "empty", "comments only")
SPECIAL = ("folder", "fifo", "dev zero", "dev zero link", "missing", "dangling link", "long name",
           "unreadable", "folder under a file")
EXTENDS = ("cycle", "self", "long chain", "dot", "empty", "folder", "fifo", "missing", "number", "binary parent",
           "valid parent", "parent with error")


def encoded(text: str, encoding: str, rng: random.Random) -> bytes:
    """The text's bytes in an encoding (with 'é' in it so Latin-1 differs from UTF-8)."""
    text = text.replace('description = "', 'description = "é ', 1) if 'description = "' in text else \
        '# é\n' + text
    if encoding == "utf-8-bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if encoding == "binary":
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 3000)))
    if encoding == "nul":
        data = text.encode("utf-8")
        k = rng.randrange(len(data) + 1)
        return data[:k] + b"\x00" + data[k:]
    return text.encode(encoding)


def broken(text: str, kind: str, rng: random.Random) -> str:
    """The text with a TOML syntax error of one kind."""
    k = rng.randrange(len(text) + 1)
    if kind == "truncated":
        return text[: max(1, k)]
    if kind == "deleted char":
        return text[:k] + text[k + 1:]
    if kind == "inserted char":
        return text[:k] + rng.choice('[]{}="\'\\#.,\n\t\x7f') + text[k:]
    if kind == "duplicate key":
        first = text.splitlines()[0]
        return first + "\n" + text
    return text + '\nbroken = "no end\n'


def shaped(text: str, kind: str, rng: random.Random, deep: int) -> str:
    """Text that is valid or nearly valid TOML of an awkward shape."""
    if kind == "deep arrays":
        return text + f"\nx = {'[' * deep}1{']' * deep}\n"
    if kind == "deep inline tables":
        return text + "\nx = " + "{a = " * deep + "1" + "}" * deep + "\n"
    if kind == "deep dotted key":
        return text + "\n" + ".".join(["a"] * (deep * 5)) + " = 1\n"
    if kind == "huge":
        return text + ("# " + "y" * 98 + "\n") * (rng.choice([11_000, 30_000]))
    if kind == "empty":
        return ""
    return "# nothing but a comment\n\n# and another\n"


def special(folder: Path, kind: str, text: str) -> tuple[Path, list[Path]]:
    """A path that is not a readable regular file (or, for 'unreadable', one that root can
    still read). Returns the path to give and the paths a message may name."""
    path = folder / "s.toml"
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev zero":
        return Path("/dev/zero"), [Path("/dev/zero")]
    elif kind == "dev zero link":
        path.symlink_to("/dev/zero")
    elif kind == "dangling link":
        path.symlink_to(folder / "nowhere.toml")
    elif kind == "long name":
        path = folder / ("n" * 300 + ".toml")
    elif kind == "unreadable":
        path.write_text(text)
        path.chmod(0)
    elif kind == "folder under a file":
        (folder / "file").write_text("x")
        path = folder / "file" / "s.toml"
    return path, [path]


def chain(folder: Path, data: dict, kind: str, rng: random.Random, length: int) -> tuple[Path, list[Path]]:
    """A scenario `data` that extends something of a given kind. Returns the file to give and
    the files a message may name."""
    path = folder / "s.toml"
    parent = folder / "parent.toml"
    named = {"cycle": "parent.toml", "self": "s.toml", "dot": ".", "empty": "", "folder": "sub",
             "fifo": "pipe.toml", "missing": "missing.toml", "number": 3, "binary parent": "parent.toml",
             "valid parent": "parent.toml", "parent with error": "parent.toml", "long chain": "c1.toml"}[kind]
    top = {k: v for k, v in data.items() if k == "name"} | {"extends": named} | \
        {k: v for k, v in data.items() if k != "name"}
    path.write_text(dumps(top))
    files = [path]
    if kind == "cycle":
        parent.write_text(dumps({"name": "p", "extends": "s.toml"}))
        files.append(parent)
    elif kind == "folder":
        (folder / "sub").mkdir()
    elif kind == "fifo":
        os.mkfifo(folder / "pipe.toml")
    elif kind == "binary parent":
        parent.write_bytes(bytes(rng.randrange(256) for _ in range(200)))
        files.append(parent)
    elif kind == "valid parent":
        parent.write_text(dumps({"name": "p", "regions": {"hr_capacity": 0.5}}))
    elif kind == "parent with error":
        parent.write_text(dumps({"name": "p", "regions": {"hr_capacity": "high"}}))
        files.append(parent)
    elif kind == "long chain":
        for i in range(1, length):
            (folder / f"c{i}.toml").write_text(f'extends = "c{i + 1}.toml"\n')
        (folder / f"c{length}.toml").write_text('name = "root"\n')
        files += [folder / f"c{i}.toml" for i in range(1, length + 1)]
    return path, files
