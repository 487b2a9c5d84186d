"""Reading the files a user gives (scenarios, experiments, discovery settings, region tables).

One input layer, so every kind of file fails the same way, with a `UserError` naming the file:
- only regular files are read (a folder, a pipe or a device is refused before anything is read,
  so a FIFO cannot hang a command and `/dev/zero` cannot fill the memory);
- a size limit;
- UTF-8 text (a byte-order mark is tolerated; UTF-16, Latin-1 and binary files are refused
  with a hint on how to save them);
- TOML nested at most `MAX_NESTING` deep, and `extends` chains at most `MAX_EXTENDS` files
  long, without cycles.

A mistake users often make gets a `Hint` on the error (`hinted`): a message id of the catalogues
(`hint.*` in `coopsim/locale`) and its fields, e.g. the corrected line. The command line shows it
in the user's language (`coopsim.reporting.i18n.error_text`); this layer only finds the mistake.
TOML that does not parse is looked at line by line (`syntax_hint`): a decimal comma (`0,5`),
`True` or `ya` for a yes/no value, text without quotes (`perda`).

The sentences themselves are messages of the catalogues (`file.*` in `errors.po`), raised as a
`coopsim.config.errors.Text` that the command line puts into the user's language; the kind
of file (`what`: "scenario", "regions", ...) and the known sentences callers add when a file is
missing are translated too (`file.kind.*`, `file.hint.*`), anything else is quoted as given.
"""

from __future__ import annotations

import copy
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coopsim.config.errors import Joined, Text, UserError

__all__ = ["FILE_KINDS", "MISSING_HINTS", "MAX_EXTENDS", "MAX_NESTING", "MAX_TABLE_BYTES", "MAX_TOML_BYTES", "NO_WORDS", "YES_WORDS", "Hint",
           "excerpt", "exists", "hinted", "merge_tables", "read_toml", "read_toml_extending", "read_user_bytes",
           "read_user_text", "syntax_hint"]

#: Largest TOML file read (scenario, experiment and discovery files are a few kilobytes).
MAX_TOML_BYTES = 1 << 20
#: Largest table file read (a CSV of regions).
MAX_TABLE_BYTES = 64 << 20
#: Deepest nesting of arrays and tables in a TOML file.
MAX_NESTING = 32
#: Most files in one `extends` chain (the file itself included).
MAX_EXTENDS = 32

#: Words users write for a yes/no value (TOML wants true / false): Indonesian and English.
YES_WORDS = frozenset({"ya", "iya", "y", "yes", "benar", "betul", "on", "true"})
NO_WORDS = frozenset({"tidak", "tdk", "bukan", "n", "no", "salah", "off", "false"})

_KINDS = ((stat.S_ISDIR, "folder"), (stat.S_ISFIFO, "fifo"), (stat.S_ISCHR, "device"),
          (stat.S_ISBLK, "device"), (stat.S_ISSOCK, "socket"))

#: The kinds of file callers name (`what`) -> their message (`file.kind.*`); others are shown as given.
FILE_KINDS = {"scenario": "scenario", "regions": "regions", "experiment": "experiment", "discovery": "discovery",
              "calibration file": "calibration", "calibration": "calibration", "evidence split": "evidence_split",
              "one-at-a-time experiment": "oat"}
#: The sentences callers add when a file is missing -> their message (`file.hint.*`).
MISSING_HINTS = {
    "Scenario files are TOML files such as scenarios/baseline.toml; run 'coopsim scenarios' to list them.":
        "scenario",
    "An example: experiments/failure_discovery.toml.": "discovery",
    "The shipped one is experiments/calibration.toml.": "calibration",
    "The shipped one is experiments/obstacles_oat.toml.": "oat",
}


def _kind(what: str) -> "Text | str":
    """The kind of file in the reader's language (`file.kind.*`), or as given."""
    key = FILE_KINDS.get(what)
    return Text(f"file.kind.{key}") if key else what


def _missing_hint(hint: "str | Text") -> "Text | str":
    """The sentence added to 'no such file', in the reader's language when the catalogues have it."""
    key = MISSING_HINTS.get(hint) if isinstance(hint, str) else None
    return Text(f"file.hint.{key}") if key else hint


@dataclass(frozen=True)
class Hint:
    """How to fix a user's mistake, in words the catalogues hold.

    Attributes:
        key: the message id (`hint.decimal_comma`, `hint.did_you_mean`, ...).
        fields: the message's `{fields}` (e.g. `fixed`: the line as it should be).
    """

    key: str
    fields: dict[str, str] = field(default_factory=dict)


def hinted(message: "str | Text | Joined", hint: "Hint | None") -> UserError:
    """A UserError carrying a hint (its `hint` attribute; None when there is none).

    Args:
        message: the error's paragraph (file, key, what is wrong): text, or a `Text` put into
            the reader's language when shown.
        hint: how to fix it, or None.

    Returns:
        The error, to raise.
    """
    error = UserError(message)
    error.hint = hint
    return error


_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_ASSIGNMENT = re.compile(r"""^\s*([A-Za-z0-9_\-."']+)\s*=\s*(.*?)\s*(?:#.*)?$""")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_BARE_TEXT = re.compile(r"""^[^\s"'\[\]{}=#,][^"'\[\]{}=#]*$""")


def _value_hint(key: str, value: str) -> Hint | None:
    """The hint for one `key = value` line that does not parse."""
    if _DECIMAL_COMMA.match(value):
        return Hint("hint.decimal_comma", {"fixed": f"{key} = {value.replace(',', '.')}"})
    word = value.lower()
    if word in ("true", "false"):
        return Hint("hint.boolean_case", {"fixed": f"{key} = {word}"})
    if word in YES_WORDS | NO_WORDS:
        return Hint("hint.boolean_word", {"fixed": f"{key} = {'true' if word in YES_WORDS else 'false'}"})
    if value.startswith("[") and value.endswith("]"):
        items = [x.strip() for x in value[1:-1].split(",") if x.strip()]
        if items and all(_BARE_TEXT.match(x) for x in items):
            quoted = ", ".join(f'"{x}"' for x in items)
            return Hint("hint.quote_text", {"fixed": f"{key} = [{quoted}]"})
    if _BARE_TEXT.match(value):
        return Hint("hint.quote_text", {"fixed": f'{key} = "{value}"'})
    return None


def syntax_hint(text: str, message: str) -> Hint | None:
    """A hint for TOML that does not parse, from the line the parser names.

    Args:
        text: the file's text.
        message: the parser's message ("... (at line 4, column 21)").

    Returns:
        A hint for a decimal comma (`0,5`), `True`/`False` in capitals, `ya`/`tidak`/`yes`/`no`
        for a yes/no value, or text without quotes (`perda`, `[Kota Surabaya]`); None otherwise.
    """
    at = _AT_LINE.search(message)
    lines = text.splitlines()
    if at is None or not 1 <= int(at.group(1)) <= len(lines):
        return None
    line = _ASSIGNMENT.match(lines[int(at.group(1)) - 1])
    return _value_hint(line.group(1), line.group(2)) if line else None


def excerpt(value: Any, limit: int = 60) -> str:
    """A value as quoted in a message: its text, cut to `limit` characters with '...'.

    Args:
        value: what the user wrote (a key, a name, a path).
        limit: the most characters shown.

    Returns:
        The text itself when short; else its first `limit` characters, '...' and its length.
    """
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def exists(path: str | Path) -> bool:
    """Whether anything is at `path`; False, not an exception, for a name too long or holding a
    NUL byte (which `Path.exists` raises on)."""
    try:
        os.stat(path)
    except (OSError, ValueError):
        return False
    return True


def _refuse_kind(mode: int, shown: str, what: str) -> None:
    """A UserError unless `mode` is a regular file's."""
    kind = next((words for test, words in _KINDS if test(mode)), None)
    if kind is not None or not stat.S_ISREG(mode):
        raise UserError(Text("file.not_regular", shown=shown, kind=Text(f"file.this_is.{kind or 'irregular'}"),
                             what=_kind(what)))


def _opened(path: Path, what: str, hint: str) -> int:
    """A file descriptor open for reading a regular file: anything else is refused from its
    `stat` before it is opened (opening a pipe would wait for a writer), and opened without
    waiting in case it changed in between; a UserError otherwise."""
    shown = excerpt(str(path), 400)
    try:
        _refuse_kind(os.stat(path).st_mode, shown, what)
        return os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except FileNotFoundError:
        raise UserError(Text("file.missing", shown=shown, what=_kind(what),
                             hint=Joined(" ", _missing_hint(hint)) if hint else "")) from None
    except PermissionError:
        raise UserError(Text("file.no_permission", shown=shown, what=_kind(what))) from None
    except (OSError, ValueError) as exc:     # a name too long, a folder under a file, a NUL byte
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UserError(Text("file.cannot_open", shown=shown, what=_kind(what), reason=reason)) from None


def read_user_bytes(path: str | Path, what: str, hint: str = "", limit: int = MAX_TOML_BYTES) -> bytes:
    """The bytes of a regular file a user named, refusing anything else before reading it.

    Args:
        path: the file.
        what: the kind of file, for messages ("scenario", "regions").
        hint: a sentence added when the file does not exist (where such files are).
        limit: the largest size accepted, in bytes.

    Returns:
        The file's content.

    Raises:
        UserError: missing, unreadable, not a regular file (a folder, a pipe, a device) or too big.
    """
    path = Path(path)
    shown = excerpt(str(path), 400)
    fd = _opened(path, what, hint)
    try:
        _refuse_kind(os.fstat(fd).st_mode, shown, what)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise UserError(Text("file.cannot_read", shown=shown, what=_kind(what),
                             reason=str(exc.strerror or exc))) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UserError(Text("file.too_big", shown=shown, what=_kind(what), kb=limit // 1024))
    return data


def _decoded(data: bytes, shown: str, what: str) -> str:
    """UTF-8 text (a leading byte-order mark dropped), or a UserError saying how to save it."""
    head = data[:4096]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(b"\x00") * 4 >= len(head) > 0:
        raise UserError(Text("file.utf16", shown=shown, what=_kind(what)))
    if b"\x00" in data:
        raise UserError(Text("file.nul_bytes", shown=shown, what=_kind(what)))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise UserError(Text("file.not_utf8", shown=shown, what=_kind(what), byte=f"0x{data[exc.start]:02x}",
                             line=line)) from None


def read_user_text(path: str | Path, what: str, hint: str = "", limit: int = MAX_TOML_BYTES) -> str:
    """The UTF-8 text of a regular file a user named (see `read_user_bytes`).

    Args:
        path: the file.
        what: the kind of file, for messages.
        hint: a sentence added when the file does not exist.
        limit: the largest size accepted, in bytes.

    Returns:
        The text, without a leading byte-order mark.

    Raises:
        UserError: as `read_user_bytes`, or the file is not UTF-8 text.
    """
    return _decoded(read_user_bytes(path, what, hint, limit), excerpt(str(path), 400), what)


def _too_deep(data: Any, limit: int) -> str | None:
    """The dotted key of the first value nested deeper than `limit`, or None (no recursion)."""
    stack = [(data, "", 0)]
    while stack:
        node, key, depth = stack.pop()
        if depth > limit:
            return key or "(top level)"
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for k, v in items:
            if isinstance(v, (dict, list)):
                stack.append((v, f"{key}[{k}]" if isinstance(k, int) else (f"{key}.{k}" if key else str(k)), depth + 1))
    return None


def read_toml(path: str | Path, what: str, hint: str = "") -> tuple[str, dict]:
    """Read a TOML file a user wrote.

    Args:
        path: the file.
        what: the kind of file, for messages ("scenario").
        hint: a sentence added when the file does not exist (where such files are, an example).

    Returns:
        The file's text (kept for manifests) and its parsed tables.

    Raises:
        UserError: the file cannot be read as UTF-8 text (see `read_user_text`), is not valid
            TOML (naming the parser's line and column) or is nested over `MAX_NESTING` deep.
    """
    shown = excerpt(str(path), 400)
    text = read_user_text(path, what, hint)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise hinted(Text("file.not_toml", shown=shown, detail=str(exc)), syntax_hint(text, str(exc))) from None
    except RecursionError:
        data = None
    deep = "(top level)" if data is None else _too_deep(data, MAX_NESTING)
    if deep is not None:
        raise UserError(Text("file.too_deep", shown=shown, limit=MAX_NESTING,
                             key=Text("error.top_level") if deep == "(top level)" else excerpt(deep)))
    return text, data


def merge_tables(base: dict, top: dict) -> dict:
    """`top` laid over `base`, table by table (what `extends` means); neither is changed.

    Args:
        base: the tables of the file extended.
        top: the tables of the file that extends it.

    Returns:
        A new dict: every key of both, `top`'s value winning, tables merged key by key.
    """
    out = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_tables(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _parent(path: Path, data: dict, key: str) -> Path | None:
    """The file `path` extends (its `key`), checked to be a file name; None at the root."""
    parent = data.get(key)
    if parent is None:
        return None
    shown = excerpt(str(path), 400)
    if not isinstance(parent, str):
        raise UserError(Text("file.extends_not_text", shown=shown, key=key, value=excerpt(parent)))
    if parent.strip() in ("", ".", "..") or parent.endswith(("/", os.sep)):
        raise UserError(Text("file.extends_not_file", shown=shown, key=key, value=repr(parent)))
    target = path.parent / parent
    if not exists(target):
        raise UserError(Text("file.extends_missing", shown=shown, key=key, name=excerpt(parent)))
    return target


def _resolved(path: Path) -> Path:
    """The absolute path with links followed (as given, made absolute, when that fails: a link
    loop, a name too long)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return path.absolute()


def _read_link(path: Path, what: str, hint: str, child: Path | None, key: str) -> dict:
    """The tables of one file of an `extends` chain; a parent's problem is told from its child's
    `key` ("a.toml: key 'extends': b.toml: not valid TOML ...")."""
    if child is None:
        return read_toml(path, what, hint)[1]
    try:
        return read_toml(path, what)[1]
    except UserError as err:
        raise hinted(Text("file.in_extended", shown=excerpt(str(child), 400), key=key, problem=err.message),
                     getattr(err, "hint", None)) from None


def read_toml_extending(path: str | Path, what: str, hint: str = "", key: str = "extends") -> dict:
    """A TOML file's tables merged over those of the files it extends, and so on.

    Args:
        path: the file.
        what: the kind of file, for messages ("scenario").
        hint: a sentence added when `path` does not exist.
        key: the key naming the file extended, relative to the file that names it.

    Returns:
        The merged tables (each file's tables over its parent's; `key` is the first file's).

    Raises:
        UserError: any file cannot be read (see `read_toml`), `key` is not a file name, names
            a missing file, makes a cycle, or the chain is over `MAX_EXTENDS` files long.
    """
    chain: list[tuple[Path, Path, dict]] = []     # (resolved, as named, tables)
    current: Path | None = Path(path)
    while current is not None:
        resolved = _resolved(current)
        if any(resolved == seen for seen, _, _ in chain):
            names = " -> ".join(p.name for p, _, _ in chain[:MAX_EXTENDS]) + f" -> {resolved.name}"
            raise UserError(Text("file.extends_cycle", shown=excerpt(str(path), 400), key=key,
                                 names=excerpt(names, 300)))
        if len(chain) == MAX_EXTENDS:
            raise UserError(Text("file.extends_too_long", shown=excerpt(str(path), 400), key=key,
                                 limit=MAX_EXTENDS))
        data = _read_link(current, what, hint, chain[-1][1] if chain else None, key)
        chain.append((resolved, current, data))
        current = _parent(current, data, key)
    merged: dict = {}
    for _, _, data in reversed(chain):
        merged = merge_tables(merged, data)
    return merged
