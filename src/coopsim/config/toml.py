"""Reading the TOML files a user edits (scenarios, experiments, discovery settings).

One place turns a missing file or a TOML syntax error into a `UserError` that names the file,
so every kind of file fails the same way.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from coopsim.config.errors import UserError

__all__ = ["read_toml"]


def read_toml(path: Path, what: str, hint: str = "") -> tuple[str, dict]:
    """Read a TOML file a user wrote.

    Args:
        path: the file.
        what: the kind of file, for the message when it does not exist ("scenario").
        hint: a sentence added to that message (where such files are, an example).

    Returns:
        The file's text (kept for manifests) and its parsed tables.

    Raises:
        UserError: the file does not exist, or is not valid TOML (naming the file and the
            parser's line and column).
    """
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such {what} file." + (f" {hint}" if hint else ""))
    text = path.read_text(encoding="utf-8")
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML ({exc}). Check quotes, brackets and '=' signs "
                        f"on that line.") from None
