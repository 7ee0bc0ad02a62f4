"""gradlang's MT19937 gives numpy's stream word for word (seeding, twists, state, big draws)."""

from __future__ import annotations

import random

import numpy as np

from gradlang.autograd.mt19937 import LARGE, MT19937, N


def test_same_words_and_state_as_numpy() -> None:
    from numpy.random import MT19937 as Reference

    rnd = random.Random(7)
    sizes = [0, 1, 3, N - 1, N, N + 1, 1000, 2 * N, LARGE, LARGE + 1, 5000]
    for _ in range(12):
        seed = rnd.randrange(0, 2**32)
        ours, ref = MT19937(), Reference()
        ours._legacy_seeding(seed)
        ref._legacy_seeding(seed)
        for _ in range(6):
            n = rnd.choice(sizes)
            a, b = ours.random_raw(n), ref.random_raw(n)
            assert a.dtype == b.dtype == np.uint64
            assert np.array_equal(a, b)
        assert np.array_equal(ours.state["state"]["key"], ref.state["state"]["key"])
        assert ours.state["state"]["pos"] == ref.state["state"]["pos"]
        ref.state = ours.state  # numpy takes our state and continues the stream
        assert np.array_equal(ref.random_raw(700), ours.random_raw(700))
