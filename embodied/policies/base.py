"""The policy interface shared by baselines, learned policies, planners and people."""

from __future__ import annotations

import gymnasium as gym
import numpy as np


class Policy:
    """Maps observations to actions for one environment.

    ``reset`` is called after each ``env.reset`` with that episode's seed; privileged
    policies (heuristic experts) may read the unwrapped env's World, others must not.
    """

    #: Short name used in result tables.
    name: str = "policy"

    def reset(self, env: gym.Env, seed: int | None = None) -> None:
        """Prepare for a new episode of ``env``."""

    def act(self, observation, env: gym.Env):
        """The action for ``observation``."""
        raise NotImplementedError(f"{type(self).__name__} must implement act()")


class RandomPolicy(Policy):
    """Uniformly random actions from the action space, seeded per episode."""

    name = "random"

    def __init__(self, seed: int = 0):
        self._base_seed = int(seed)
        self._rng = np.random.default_rng(seed)

    def reset(self, env: gym.Env, seed: int | None = None) -> None:
        self._rng = np.random.default_rng([self._base_seed, 0 if seed is None else int(seed)])

    def act(self, observation, env: gym.Env):
        space = env.action_space
        if isinstance(space, gym.spaces.Box):
            return self._rng.uniform(space.low, space.high).astype(space.dtype)
        return space.sample()
