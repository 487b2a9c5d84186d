"""Random numbers keyed by who draws them, not by their position in an array.

Each mechanism takes one number per step from its own stream (`step_key`) and turns it into
uniforms for each partnership, region or partner by hashing that key with the row's identity
(SplitMix64's finaliser). A partnership's dice then depend only on the seed, the step and who
it is (region, partner, the step it was explored), so a lever or a profile that changes one
region's partnerships leaves every other region's dice untouched: common random numbers hold
across scenarios even when the number or order of rows differs.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.special import betaincinv, ndtri

__all__ = ["step_key", "serial_keys", "row_key", "extend_key", "uniforms", "stacked_uniforms", "normals",
           "as_normals", "betas", "EdgeDice", "edge_uniforms"]

# SplitMix64's constants (Steele, Lea & Flood 2014): a bijective mix of 64-bit integers. They
# are 0-d arrays, not numpy scalars: numpy applies a 0-d array to a small array in a third of
# the time of a scalar (the same numbers), and these run on every draw of every step.
_M1, _M2 = np.array(0xBF58476D1CE4E5B9, np.uint64), np.array(0x94D049BB133111EB, np.uint64)
_GOLDEN = np.array(0x9E3779B97F4A7C15, np.uint64)
_S30, _S27, _S31, _S11 = (np.array(s, np.uint64) for s in (30, 27, 31, 11))
_UNIT = np.array(1.0 / 2 ** 53)   # 53-bit integers to doubles in [0, 1)
_OPEN = 2.0 ** -54                # half a step: uniforms in (0, 1) for inverse CDFs
_MASK = 0xFFFFFFFFFFFFFFFF


def _mix(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> _S30)   # a new array: the rest works in place on it
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


def _to_unit(x: np.ndarray) -> np.ndarray:
    """Mixed 64-bit integers (consumed) to doubles in [0, 1) from their top 53 bits; the
    uint64 -> float64 conversion happens inside the multiplication (exact below 2**53)."""
    x >>= _S11
    return x * _UNIT


def step_key(rng: np.random.Generator) -> int:
    """This step's key of a mechanism: one 64-bit draw from its own stream (fixed size per step)."""
    return int(rng.bit_generator.random_raw())


@lru_cache(maxsize=64)
def serial_keys(n: int) -> np.ndarray:
    """`row_key(0), ..., row_key(n - 1)` (cached, read-only): identities of regions, candidate
    slots or sectors by their position."""
    keys = row_key(np.arange(n))
    keys.flags.writeable = False
    return keys


def row_key(*ids) -> np.ndarray:
    """A 64-bit identity from integer ids (broadcast): e.g. (region, partner, step explored).
    Compute it once per entity; identities combine by XOR (`a[:, None] ^ b[None, :]`)."""
    return extend_key(np.uint64(0), *ids)


def extend_key(key, *ids) -> np.ndarray:
    """`row_key(a, ..., b, c)` from `row_key(a, ..., b)` (`key`) and the further ids c: e.g. a
    partnership's identity from its region's (`serial_keys`) without mixing the region again.
    An id that is a Python int (a step) is added without making an array of it."""
    with np.errstate(over="ignore"):
        x = key
        for i in ids:
            if isinstance(i, int):   # int64 wrapped to uint64, plus the golden ratio, mod 2**64
                x = _mix(x ^ np.array((i + 0x9E3779B97F4A7C15) & _MASK, np.uint64))
            else:
                x = _mix(x ^ (np.asarray(i).astype(np.int64).astype(np.uint64) + _GOLDEN))
    return x


def _mix_int(x: int) -> int:
    """`_mix` on one Python integer (no numpy scalar overhead or overflow warnings)."""
    mask = 0xFFFFFFFFFFFFFFFF
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & mask
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & mask
    return x ^ (x >> 31)


def _salt(key, stream: int) -> int:
    return _mix_int(int(key) ^ (((stream + 1) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF))


def uniforms(key, identity, stream: int = 0) -> np.ndarray:
    """Uniforms in [0, 1), one per identity, that depend only on the step's `key`, the
    `stream` (which draw of the step) and the identity (`row_key`)."""
    x = _mix(np.asarray(identity, dtype=np.uint64) ^ np.array(_salt(key, stream), np.uint64))
    return _to_unit(x)


def stacked_uniforms(key, identity, streams) -> np.ndarray:
    """`uniforms(key, identity, s)` for each stream s, stacked on a new first axis: the same
    numbers in one pass (the arrays are small, so each numpy call costs more than its work)."""
    identity = np.asarray(identity, dtype=np.uint64)
    # every stream's `_salt(key, s)` in one numpy pass (the same bits as the Python integers)
    salts = _mix(np.array(int(key), np.uint64) ^ _stream_tags(tuple(streams), identity.ndim))
    return _to_unit(_mix(identity ^ salts))


@lru_cache(maxsize=256)
def _stream_tags(streams: tuple[int, ...], ndim: int) -> np.ndarray:
    """What `_salt` mixes into the step's key for each stream, `(stream + 1)` x the golden
    ratio mod 2**64, shaped to broadcast over an identity of `ndim` axes (cached, read-only)."""
    tags = np.array([((s + 1) * 0x9E3779B97F4A7C15) & _MASK for s in streams], np.uint64)
    tags = tags.reshape(tags.shape + (1,) * ndim)
    tags.flags.writeable = False
    return tags


def normals(key, identity, stream: int = 0) -> np.ndarray:
    """Standard normals keyed like `uniforms` (inverse CDF)."""
    return as_normals(uniforms(key, identity, stream))


def as_normals(u: np.ndarray) -> np.ndarray:
    """Standard normals from keyed uniforms (inverse CDF), as `normals` draws them."""
    return ndtri(u + _OPEN)


def betas(a: float, b: float, key, identity, stream: int = 0) -> np.ndarray:
    """Beta(a, b) draws keyed like `uniforms` (inverse CDF)."""
    return betaincinv(a, b, uniforms(key, identity, stream) + _OPEN)


class EdgeDice:
    """Keyed uniforms for the partnership table, computed only for the rows asked for:
    `dice[j, rows]` (draw j of the step) or `dice[j][rows]`; a row's number depends only on the
    step's key, j and the row's identity (`Partnerships.key`), never on which rows are asked."""

    def __init__(self, edges, key: int, stream: int | None = None):
        self._edges, self._key, self._stream = edges, key, stream   # the table: rows may be added

    def __getitem__(self, index):
        if isinstance(index, tuple):
            stream, rows = index
            return uniforms(self._key, self._edges.key[rows], stream)
        if self._stream is None:
            return EdgeDice(self._edges, self._key, int(index))
        return uniforms(self._key, self._edges.key[index], self._stream)

    def rows(self, rows, streams) -> np.ndarray:
        """`dice[j, rows]` for each draw j of `streams`, stacked (one pass)."""
        return stacked_uniforms(self._key, self._edges.key[rows], streams)


def edge_uniforms(model, key: int, k: int) -> EdgeDice:
    """This step's keyed uniforms for the partnership table (`EdgeDice`); `k` is how many
    draws per row the mechanism uses (index 0 .. k-1)."""
    return EdgeDice(model.partnerships, key)
