"""MT19937 words for rng.py without importing numpy.random (about 8 ms of startup).

The same generator as numpy's `MT19937` with `_legacy_seeding` (the standard 32-bit
`init_genrand` seeding) and `random_raw`, with numpy's state layout (`key`: 624 words, `pos`).
Each twist of the 624 words runs as four vectorized steps; a large draw hands the state to
numpy's own MT19937 (imported then), which continues the identical stream faster.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    from numpy.random._mt19937 import _MT19937State

N = 624
M = 397
_MATRIX_A = np.uint32(0x9908B0DF)
_UPPER = np.uint32(0x80000000)
_LOWER = np.uint32(0x7FFFFFFF)
#: Draws above this many words go through numpy's MT19937 (same stream, C speed).
LARGE = 4 * N


def _twist(key: np.ndarray) -> None:
    """mt19937_gen in place: key[i] from key[i+1] (old) and key[i+M] (new past the end)."""

    def step(lo: int, hi: int, far: np.ndarray) -> None:
        y = (key[lo:hi] & _UPPER) | (key[lo + 1 : hi + 1] & _LOWER)
        key[lo:hi] = far ^ (y >> 1) ^ ((y & 1) * _MATRIX_A)

    step(0, N - M, key[M:N].copy())
    # key[i] for i >= N-M reads key[i+M-N], written by an earlier chunk: chunks of N-M
    lo = N - M
    while lo < N - 1:
        hi = min(lo + (N - M), N - 1)
        step(lo, hi, key[lo + M - N : hi + M - N].copy())
        lo = hi
    y = (key[N - 1] & _UPPER) | (key[0] & _LOWER)
    key[N - 1] = key[M - 1] ^ (y >> 1) ^ ((y & 1) * _MATRIX_A)


def _temper(y: np.ndarray) -> np.ndarray:
    y = y ^ (y >> 11)
    y = y ^ ((y << 7) & np.uint32(0x9D2C5680))
    y = y ^ ((y << 15) & np.uint32(0xEFC60000))
    return y ^ (y >> 18)


class MT19937:
    """numpy's MT19937 (legacy seeding, raw 32-bit words), reproduced on numpy arrays."""

    def __init__(self) -> None:
        self._key = np.zeros(N, np.uint32)
        self._pos = N
        self._legacy_seeding(5489)

    def _legacy_seeding(self, seed: int) -> None:
        """init_genrand(seed & 0xFFFFFFFF), as numpy's `MT19937._legacy_seeding(int)`."""
        s = int(seed) & 0xFFFFFFFF
        words = [0] * N
        for i in range(N):
            words[i] = s
            s = (1812433253 * (s ^ (s >> 30)) + i + 1) & 0xFFFFFFFF
        self._key = np.array(words, np.uint32)
        self._pos = N

    @property
    def state(self) -> dict[str, Any]:
        return {
            "bit_generator": "MT19937",
            "state": {"key": self._key.copy(), "pos": self._pos},
        }

    @state.setter
    def state(self, value: Mapping[str, Any]) -> None:
        inner = value["state"]
        self._key = np.array(inner["key"], np.uint32)
        self._pos = int(inner["pos"])

    def random_raw(self, n: int) -> np.ndarray:
        """The next `n` tempered 32-bit words, as uint64 (numpy's `random_raw`)."""
        if n > LARGE:
            from numpy.random import MT19937 as Fast

            fast: Any = Fast()
            fast.state = cast("_MT19937State", self.state)  # the same layout, by construction
            out: np.ndarray = fast.random_raw(n)
            self.state = fast.state
            return out
        parts = []
        left = n
        while left > 0:
            if self._pos == N:
                _twist(self._key)
                self._pos = 0
            take = min(left, N - self._pos)
            parts.append(self._key[self._pos : self._pos + take].copy())
            self._pos += take
            left -= take
        if not parts:
            return np.zeros(0, np.uint64)
        words = np.concatenate(parts) if len(parts) != 1 else parts[0]
        return _temper(words.astype(np.uint32)).astype(np.uint64)
