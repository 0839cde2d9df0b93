"""Drawing a sample: the same population, size and seed always give the same cases.

The population is sorted by id before the draw, so the order the database returns rows in
cannot change the result; Python's `random.Random(seed).sample` is deterministic for a given
seed and sequence (https://docs.python.org/3/library/random.html#notes-on-reproducibility).
"""

import random
from collections.abc import Sequence


def draw(population: Sequence[int], *, size: int, seed: int) -> list[int]:
    """`size` ids picked at random from `population` (all of it when it is smaller), in draw order."""
    ordered = sorted(set(population))
    return random.Random(seed).sample(ordered, min(size, len(ordered)))
