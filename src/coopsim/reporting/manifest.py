"""Manifests: what a command ran (scenario(s), seeds), with which versions, when, and the
command that repeats it exactly."""

from __future__ import annotations

import json
import platform
import shlex
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from coopsim.reporting.folders import write_text

__all__ = ["PACKAGES", "versions", "git_commit", "write_manifest"]

PACKAGES = ("coopsim", "mesa", "numpy", "pandas", "scipy", "pyarrow", "SALib", "pydantic", "dask",
            "distributed", "ema_workbench", "scikit-learn", "solara", "lifelines", "pyabc")


def versions() -> dict[str, str]:
    """Python, the platform and every installed package of `PACKAGES` with its version."""
    out = {"python": platform.python_version(), "platform": platform.platform()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def git_commit() -> str | None:
    """The package's git commit (+dirty when tracked files changed), None outside a checkout."""
    try:
        here = Path(__file__).resolve().parent
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                                text=True, timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return result.stdout.strip() + ("+dirty" if dirty else "") if result.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def write_manifest(folder: Path, kind: str, **content) -> dict:
    """manifest.json: what ran (command, scenario(s), seeds), with which versions, when.

    Written atomically and, by every command, last: a folder with a manifest is complete.

    Args:
        folder: the results folder.
        kind: what wrote it ("run", "compare", ...).
        content: everything else the manifest records.

    Returns:
        The manifest written.
    """
    manifest = {
        "kind": kind,
        "command": "coopsim " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv else "",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": versions(),
        "git_commit": git_commit(),
        **content,
    }
    write_text(Path(folder) / "manifest.json", json.dumps(manifest, indent=2, default=str))
    return manifest
