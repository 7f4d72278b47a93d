"""Named, independent random streams whose state can be saved and restored exactly.

Every stochastic component (a humanoid's behaviour, episode sampling, sensor noise)
draws from its own stream, obtained by name. Streams are derived from one root seed, so
adding a new component does not shift the numbers any other component sees, and a
World snapshot can capture and restore every stream bit for bit.
"""

from __future__ import annotations

import copy
import zlib

import numpy as np


def _name_key(name: str) -> int:
    # crc32 is stable across processes and Python versions (unlike hash()).
    return zlib.crc32(name.encode("utf-8"))


class RandomStreams:
    """A family of ``np.random.Generator`` streams keyed by name, derived from one seed."""

    def __init__(self, seed: int | None = 0):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                                 or seed < 0):
            from embodied.errors import ConfigError

            raise ConfigError("seed", seed, reason="must be a non-negative integer or None")
        self._seed = None if seed is None else int(seed)
        self._entropy = np.random.SeedSequence(self._seed).entropy
        self._streams: dict[str, np.random.Generator] = {}

    @property
    def seed(self) -> int | None:
        return self._seed

    def get(self, name: str) -> np.random.Generator:
        """The stream called ``name`` (created on first use)."""
        stream = self._streams.get(name)
        if stream is None:
            seq = np.random.SeedSequence(self._entropy, spawn_key=(_name_key(name),))
            stream = np.random.Generator(np.random.PCG64(seq))
            self._streams[name] = stream
        return stream

    __call__ = get

    def get_state(self) -> dict:
        """A deep copy of every stream's bit-generator state."""
        return {"entropy": self._entropy, "seed": self._seed,
                "streams": {k: copy.deepcopy(g.bit_generator.state) for k, g in self._streams.items()}}

    def set_state(self, state: dict) -> None:
        """Restore streams saved by :meth:`get_state`; streams created since are dropped."""
        self._entropy, self._seed = state["entropy"], state["seed"]
        self._streams = {}
        for name, bg_state in state["streams"].items():
            self.get(name).bit_generator.state = copy.deepcopy(bg_state)
