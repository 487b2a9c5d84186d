"""A sweep killed with SIGKILL leaves no process behind (issue 17, defect 5).

The sweep runs in its own session (start_new_session), so every process it starts (the
forkserver, the workers, multiprocessing's resource tracker) carries that session id, which
this test reads from /proc. Only the parent is killed, as `kill -9 PID` would: before the fix
the workers, the forkserver and the resource tracker lived on and kept writing chunks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ishigami_experiment

ROOT = Path(__file__).resolve().parents[1]
GRACE_S = 5.0

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")


def _session_processes(sid: int) -> dict[int, str]:
    """Live (not zombie) processes of a session: pid -> command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # it ended while we looked
            continue
        fields = stat[stat.rindex(")") + 2:].split()   # after "pid (comm) ": state, ppid, pgrp, session
        if int(fields[3]) == sid and fields[0] != "Z":
            found[int(entry.name)] = cmdline.strip()
    return found


def _start_sweep(tmp_path: Path, out: Path, script: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, start_new_session=True, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for_chunks(proc: subprocess.Popen, chunks: Path, count: int) -> None:
    deadline = time.time() + 90
    while len(list(chunks.glob("chunk_*.parquet"))) < count:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.time() < deadline, "the sweep wrote no chunks in 90 s"
        time.sleep(0.05)


def _survivors_after_kill(proc: subprocess.Popen) -> tuple[dict[int, str], dict[int, str]]:
    """SIGKILL the sweep's parent only; its session's processes before, and GRACE_S later."""
    before = _session_processes(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + GRACE_S
    while (alive := _session_processes(proc.pid)) and time.time() < deadline:
        time.sleep(0.1)
    return before, alive


def test_a_killed_sweep_leaves_no_worker_forkserver_or_tracker(tmp_path):
    exp = tmp_path / "exp.toml"
    exp.write_text(ishigami_experiment(name="orphans", seed=5, n=64, bootstrap=20, target="noise = 1.0"))
    out = tmp_path / "out"
    # 384 runs of 50 ms in chunks of 4 on 2 workers: about 10 s of work left when it is killed
    script = ("from targets import SlowIshigami; from coopsim.workflows.sensitivity import Study; "
              f"Study({str(exp)!r}).run({str(out)!r}, workers=2, backend='process', chunk_size=4, "
              "target=SlowIshigami(0.05, noise=1.0))")
    proc = _start_sweep(tmp_path, out, script)
    chunks = out / "runs" / "chunks"
    try:
        _wait_for_chunks(proc, chunks, 4)
        before, alive = _survivors_after_kill(proc)
        written = {p.name for p in chunks.glob("chunk_*.parquet")}
        time.sleep(1.0)
        later = {p.name for p in chunks.glob("chunk_*.parquet")}
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)   # whatever the test found alive: not left behind
        except ProcessLookupError:
            pass
    kinds = " | ".join(before.values())
    assert len(before) >= 4 and "forkserver" in kinds and "resource_tracker" in kinds, \
        f"the sweep ran with its parent, a forkserver, a resource tracker and 2 workers: {before}"
    assert not alive, f"alive {GRACE_S:.0f} s after the parent was killed: {alive}"
    assert later == written, "no chunk is written after the sweep's processes are gone"
    assert len(written) < 384 // 4, "the sweep was killed mid-way"
