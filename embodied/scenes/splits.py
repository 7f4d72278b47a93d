"""Train / validation / test splits of procedural homes, from disjoint seed ranges.

A home is named by ``(split, index)``. The layout generator is seeded with
``SPLITS[split].base + index``; the ranges of the three splits never overlap, so a policy
evaluated on ``val`` or ``test`` homes has never seen one of them during training.
"""

from __future__ import annotations

from dataclasses import dataclass

from embodied.errors import ConfigError, check_choice


@dataclass(frozen=True)
class SeedRange:
    """Generator seeds ``base .. base + size - 1`` of one split."""

    base: int
    size: int

    @property
    def stop(self) -> int:
        return self.base + self.size

    def overlaps(self, other: "SeedRange") -> bool:
        return self.base < other.stop and other.base < self.stop


SPLITS: dict[str, SeedRange] = {
    "train": SeedRange(base=0, size=1_000_000),
    "val": SeedRange(base=1_000_000, size=10_000),
    "test": SeedRange(base=2_000_000, size=10_000),
}


def generator_seed(split: str, index: int) -> int:
    """The layout generator's seed for home ``index`` of ``split``.

    Raises ConfigError naming ``split`` or ``seed`` (the index) when either is invalid.
    """
    check_choice("split", split, SPLITS)
    seeds = SPLITS[split]
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < seeds.size:
        raise ConfigError("seed", index, f"integers in [0, {seeds.size - 1}] for split {split!r}")
    return seeds.base + index
