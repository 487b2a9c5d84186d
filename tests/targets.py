"""Sweep targets for tests only (slow runs, failing runs): kept out of the package and of the
experiment schema. Importable by worker processes when `tests/` is on sys.path."""

from __future__ import annotations

import time

from coopsim.run.targets import IshigamiTarget


class SlowIshigami(IshigamiTarget):
    """The Ishigami target, sleeping `delay` seconds per run (to kill a sweep mid-way)."""

    def __init__(self, delay: float, **kwargs):
        super().__init__(**kwargs)
        self.delay = delay

    def __call__(self, params: dict, seed: int) -> dict:
        time.sleep(self.delay)
        return super().__call__(params, seed)


class FailingIshigami(IshigamiTarget):
    """The Ishigami target, raising when an input exceeds its limit (`limits`: name -> value)."""

    def __init__(self, limits: dict[str, float], **kwargs):
        super().__init__(**kwargs)
        self.limits = dict(limits)

    def __call__(self, params: dict, seed: int) -> dict:
        for name, limit in self.limits.items():
            if params[name] > limit:
                raise RuntimeError(f"test failure: {name} = {params[name]:.4f} above {limit}")
        return super().__call__(params, seed)
