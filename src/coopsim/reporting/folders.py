"""Results folders: checked before any work, written whole or not at all, named safely.

Every command that writes a folder starts here:
- one-shot commands (run, compare, validate) write through `staged_output`: the folder is
  checked (not a file, not under a file, names not too long, writable) before any work, the
  files go to a hidden staging folder inside it and move into place, manifest.json last, only
  when the command succeeds. A failed or interrupted command (an error, Ctrl+C, a full disk)
  leaves nothing new; a killed one leaves only its hidden staging folder, which the next
  command in that folder removes.
- resumable sweeps (sensitivity, discover) use `prepare_sweep_folder`: their chunk files are
  kept for --resume; every other file is written atomically (`atomic_path`, `write_text`) and
  the manifest last, after `retract_manifest` took the old one away, so a folder with a
  manifest is always a complete one.

Folder names derived from labels (a scenario's name) go through `folder_name`: no path
separators, no leading dot, bounded length, so `name = "../../x"` stays under results/.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import pandas as pd

from coopsim.config.errors import Joined, Text, UserError
from coopsim.run.executor import BACKENDS, check_scheduler

__all__ = ["STAGE_PREFIX", "MAX_NAME_BYTES", "folder_name", "check_output", "prepare_output", "StagedFolder",
           "staged_output", "atomic_path", "write_text", "retract_manifest", "prepare_sweep_folder",
           "write_tables", "write_samples"]

#: Hidden staging folders inside a results folder are named this, then the writer's process id.
STAGE_PREFIX = ".coopsim-partial-"
#: Longest folder name (UTF-8 bytes) made from a label; file systems allow 255.
MAX_NAME_BYTES = 100
_NAME_MAX = 255        # bytes per path component (Linux, macOS, Windows)
_PATH_MAX = 4000       # bytes per path (Linux allows 4096)
_UNSAFE = re.compile(r"[^\w.\-]+")


def _excerpt(text: str, limit: int = 60) -> str:
    """`text`, cut to `limit` characters with its full length said (for messages)."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def folder_name(label: str) -> str:
    """A safe folder name made from a label (a scenario's name).

    Letters, digits, "_", "-" and "." are kept, every other run of characters (path
    separators, spaces, control characters) becomes "_"; dots and "_" at either end go (no
    hidden name, no ".."); a name longer than
    `MAX_NAME_BYTES` is cut and ends in a short hash of the whole label, so two long labels
    stay apart.

    Args:
        label: any text.

    Returns:
        A single path component ("unnamed" when nothing is left).
    """
    name = _UNSAFE.sub("_", str(label)).strip("._") or "unnamed"
    if len(name.encode()) <= MAX_NAME_BYTES:
        return name
    digest = hashlib.sha256(str(label).encode("utf-8", "surrogatepass")).hexdigest()[:10]
    cut = name.encode()[:MAX_NAME_BYTES - 11].decode("utf-8", "ignore")
    return f"{cut}-{digest}"


def _check_name(folder: Path, option: str) -> None:
    """Refuse a path with a component or a total length the file system cannot hold."""
    shown = _excerpt(folder)
    if len(os.fsencode(folder.absolute())) > _PATH_MAX:
        raise UserError(Text("folder.path_too_long", option=option, shown=shown, limit=f"{_PATH_MAX:,}"))
    for part in folder.parts:
        if len(os.fsencode(part)) > _NAME_MAX:
            raise UserError(Text("folder.name_too_long", option=option, shown=shown, name=repr(_excerpt(part, 40)),
                                 limit=_NAME_MAX))


def _missing_top(folder: Path, option: str) -> Path | None:
    """The topmost folder of `folder`'s path that does not exist yet (None: all exist);
    refuses a path that runs through a file."""
    missing = None
    for path in [folder, *folder.parents]:
        if os.path.lexists(path):
            if not path.is_dir():
                shown = _excerpt(folder)
                raise UserError(Text("folder.not_a_folder", option=option, shown=shown) if path == folder else
                                Text("folder.under_a_file", option=option, shown=shown, file=str(path)))
            return missing
        missing = path
    return missing


def _os_words(exc: OSError) -> Text | Joined | str:
    """An OSError in words (in the reader's language where the catalogues name it): what
    failed and where."""
    what = {errno.ENOSPC: "no_space", errno.EROFS: "read_only", errno.EACCES: "no_permission",
            errno.EPERM: "no_permission", errno.EDQUOT: "quota", errno.ENAMETOOLONG: "name_too_long"}
    known = what.get(exc.errno)
    words = Text(f"folder.os.{known}") if known else exc.strerror or str(exc)
    return Joined(words, f" ({_excerpt(exc.filename, 120)})") if exc.filename else words


def _probe(folder: Path) -> None:
    """Write and remove a small file in `folder` (raises OSError when it cannot be written)."""
    fd, path = tempfile.mkstemp(prefix=".coopsim-probe-", dir=folder)
    try:
        os.write(fd, b"coopsim")
    finally:
        os.close(fd)
        os.unlink(path)


def _alive(pid: str) -> bool:
    """Whether another process with this id runs (POSIX; elsewhere every staging folder found
    is taken for a killed command's)."""
    if not pid.isdigit() or int(pid) == os.getpid() or os.name != "posix":
        return False
    try:
        os.kill(int(pid), 0)   # signal 0: asks, sends nothing
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clear_stale_stages(folder: Path) -> None:
    """Remove the staging folders of commands that were killed; refuse while one is alive."""
    for stage in folder.glob(STAGE_PREFIX + "*"):
        pid = stage.name.removeprefix(STAGE_PREFIX)
        if _alive(pid):
            raise UserError(Text("folder.busy", folder=str(folder), pid=pid))
        shutil.rmtree(stage, ignore_errors=True)


def check_output(folder: str | Path, *, force: bool = False, resume: bool = False, option: str = "--out",
                 keep: bool = False) -> tuple[Path, Path | None]:
    """Check, before any work, that the results can be written to `folder`.

    Refuses a file, a path under a file, names the file system cannot hold, a folder that
    cannot be written (read-only, no permission, no space for a small file) and a non-empty
    folder unless `force` or `resume`.

    Args:
        folder: the results folder.
        force, resume: a non-empty folder is allowed.
        option: the option named in messages.
        keep: keep the folder (and its parents) when they had to be created to check it.

    Returns:
        The folder and the topmost folder created for it (None when it existed already, or
        when it was created only to be checked and removed again).

    Raises:
        UserError: what is wrong, naming the folder.
    """
    folder = Path(folder)
    _check_name(folder, option)
    created = _missing_top(folder, option)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _probe(folder)
    except OSError as exc:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise UserError(Text("folder.cannot_write", option=option, shown=_excerpt(folder), why=_os_words(exc))) from None
    if created is None:
        _clear_stale_stages(folder)
        if any(folder.iterdir()) and not (force or resume):
            raise UserError(Text("folder.not_empty", option=option, shown=_excerpt(folder)))
    elif not keep:
        shutil.rmtree(created, ignore_errors=True)
        created = None
    return folder, created


def prepare_output(folder: str | Path, force: bool = False, resume: bool = False) -> Path:
    """Check `folder` (`check_output`) and create it; refuse a non-empty one unless --force (or --resume)."""
    return check_output(folder, force=force, resume=resume, keep=True)[0]


@dataclass
class StagedFolder:
    """A results folder being written by `staged_output`.

    Attributes:
        final: where the results go (what the user asked for).
        stage: the hidden folder inside `final` that the command writes to.
        created: the topmost folder created for `final` (removed again if the command fails).
    """
    final: Path
    stage: Path
    created: Path | None

    def final_path(self, path: str | Path) -> Path:
        """Where a file written to the staging folder ends up."""
        return self.final / Path(path).relative_to(self.stage)


def _commit(staged: StagedFolder) -> None:
    """Move every staged file into place, the manifest last (an old manifest goes first)."""
    (staged.final / "manifest.json").unlink(missing_ok=True)
    entries = sorted(staged.stage.iterdir(), key=lambda p: (p.name == "manifest.json", p.name))
    for entry in entries:
        target = staged.final / entry.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        os.replace(entry, target)
    staged.stage.rmdir()


def _discard(staged: StagedFolder) -> None:
    """Remove what the command wrote: its staging folder, and the folder if it made it."""
    shutil.rmtree(staged.stage, ignore_errors=True)
    if staged.created is not None:
        shutil.rmtree(staged.created, ignore_errors=True)


@contextlib.contextmanager
def staged_output(folder: str | Path, *, force: bool = False, option: str = "--out") -> Iterator[StagedFolder]:
    """Write a results folder whole or not at all.

    Checks the folder first (`check_output`), then yields a `StagedFolder`: write every file
    to `.stage`. When the block ends, the files move into `folder`, manifest.json last. When
    it raises (or is interrupted), nothing new is left: the staging folder goes, and so does
    the folder itself if this command created it.

    Args:
        folder: the results folder.
        force: write into a non-empty folder (files of the same name are replaced).
        option: the option named in messages.

    Yields:
        The staged folder.

    Raises:
        UserError: the folder cannot be written (before any work), or writing failed (a full
            disk: the message says so and that nothing was kept).
    """
    final, created = check_output(folder, force=force, option=option, keep=True)
    staged = StagedFolder(final, final / f"{STAGE_PREFIX}{os.getpid()}", created)
    try:
        staged.stage.mkdir()
        yield staged
        _commit(staged)
    except OSError as exc:
        _discard(staged)
        raise UserError(Text("folder.write_failed", shown=_excerpt(final), why=_os_words(exc))) from None
    except BaseException:
        _discard(staged)
        raise


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary name next to `path` (hidden, same suffix) to write to: renamed to `path`
    when the block ends, removed when it raises. Nobody ever sees a half-written file.

    Args:
        path: the file to write.

    Yields:
        The temporary path.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> Path:
    """Write a UTF-8 text file atomically; returns its path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def retract_manifest(folder: str | Path) -> None:
    """Take an old manifest.json away before its folder's results are rewritten: a folder
    holds a manifest only when every file it lists is complete."""
    (Path(folder) / "manifest.json").unlink(missing_ok=True)


def _sweep_backend(workers: int, backend: str | None, scheduler: str | None) -> str:
    """The backend to use, checked against the other options."""
    backend = backend or ("dask" if scheduler else ("process" if workers > 1 else "serial"))
    if backend not in BACKENDS:
        raise UserError(f"unknown backend '{_excerpt(backend, 40)}'; choose from {', '.join(BACKENDS)}.")
    if scheduler and backend != "dask":
        raise UserError("--scheduler needs the Dask backend (leave --backend out or set it to dask).")
    if scheduler:
        check_scheduler(scheduler)
    return backend


def prepare_sweep_folder(out: Path, owned: Sequence[str], *, what: str, workers: int = 1,
                         backend: str | None = None, scheduler: str | None = None,
                         resume: bool = False, force: bool = False, resume_hint: str = "") -> str:
    """Check the options and the folder, clear what a sweep owns on --force, refuse a
    non-empty folder unless --resume, create it; returns the backend to use."""
    if resume and force:
        raise UserError(f"--resume and --force contradict each other: --resume continues the {what} in the "
                        "output folder, --force deletes it and starts over. Choose one.")
    backend = _sweep_backend(workers, backend, scheduler)
    out = check_output(out, force=True, keep=True)[0]
    if force:
        for name in owned:
            p = out / name
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            elif os.path.lexists(p):
                p.unlink()
    elif any(out.iterdir()) and not resume:
        if (out / "manifest.json").exists() or (out / "runs").exists():
            raise UserError(f"{out}: already holds a {what}. Use --resume to continue it{resume_hint}, --force "
                            f"to delete it and start over, or another --out.")
        raise UserError(f"{out}: exists and is not empty; choose an empty or new folder for --out.")
    return backend


def write_samples(points: pd.DataFrame, seeds: np.ndarray, path: Path) -> None:
    """The design as run: one row per point with its index and seed (samples.parquet, atomically)."""
    samples = points.copy()
    samples.insert(0, "seed", seeds)
    samples.insert(0, "index", np.arange(len(samples)))
    with atomic_path(path) as tmp:
        samples.to_parquet(tmp, index=False)


def write_tables(tables: dict[str, pd.DataFrame], folder, csv: bool = False) -> None:
    """Each table as `NAME.parquet` (and `NAME.csv` with `csv`), each file atomically."""
    for name, frame in tables.items():
        with atomic_path(Path(folder) / f"{name}.parquet") as tmp:
            frame.to_parquet(tmp, index=False)
        if csv:
            with atomic_path(Path(folder) / f"{name}.csv") as tmp:
                frame.to_csv(tmp, index=False)
