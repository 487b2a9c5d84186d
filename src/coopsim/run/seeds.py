"""Every seed a run gets, in one place: all derive from one master seed through numpy's
SeedSequence, so results are identical alone, in a pool or on Dask.

- Replication i of a scenario (`coopsim run`, `compare`, `validate`, `evaluate`) runs with
  `replication_seed(seed, i)`: the same i gives the same dice in every scenario (common
  random numbers).
- Point i of a sweep (`sensitivity`, `discover`, calibration) runs with
  `derive_seed(experiment seed, i)` (`point_seeds`); its replications with
  `replication_seed(that, r)`. When the seed is itself a sampled input u in [0, 1), the run
  seed is `derive_seed(experiment seed, int(u * 2**31))`.
- Inside a run, each mechanism draws from its own stream (`coopsim.model.model.random_streams`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["replication_seed", "derive_seed", "derive_seeds", "point_seeds"]


def replication_seed(seed: int, replication: int) -> int:
    """The seed of replication `replication` under master seed `seed` (32-bit)."""
    return int(np.random.SeedSequence([seed, replication]).generate_state(1)[0])


def derive_seed(base_seed: int, index: int) -> int:
    """A run seed from the experiment seed and the point index only (31-bit, positive)."""
    state = np.random.SeedSequence([int(base_seed) % 2**63, int(index)]).generate_state(1, np.uint32)[0]
    return int(state) & 0x7FFFFFFF or 1


def derive_seeds(base_seed: int, n: int) -> np.ndarray:
    """`derive_seed(base_seed, i)` for i = 0..n-1."""
    return np.array([derive_seed(base_seed, i) for i in range(n)], dtype=np.int64)


def point_seeds(base_seed: int, n: int, seed_inputs=None) -> np.ndarray:
    """Run seeds of a design's n points: by index, or from the sampled seed input u in [0, 1)
    of each point (`seed_as_input`): `derive_seed(base_seed, int(u * 2**31))`."""
    if seed_inputs is None:
        return derive_seeds(base_seed, n)
    return np.array([derive_seed(base_seed, int(u * 2**31)) for u in seed_inputs], dtype=np.int64)
