"""The policy interface shared by baselines, learned policies, planners and people."""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from embodied.errors import ConfigError, EmbodiedError
from embodied.policies.registry import register_policy


class PolicyAbort(EmbodiedError):
    """A policy cannot go on with this episode (a planner whose model is unreachable, or
    past its replanning cap): the episode ends now, counted as not done, with the reason."""


class Policy:
    """Maps observations to actions for one environment.

    ``reset`` is called after each ``env.reset`` with that episode's seed; privileged
    policies (experts) read the episode through :func:`privileged_view`, others must not.
    """

    #: Short name used in result tables.
    name: str = "policy"

    def reset(self, env: gym.Env, seed: int | None = None) -> None:
        """Prepare for a new episode of ``env``."""

    def act(self, observation, env: gym.Env):
        """The action for ``observation``."""
        raise NotImplementedError(f"{type(self).__name__} must implement act()")

    def episode_metrics(self) -> dict[str, float]:
        """What the policy measured this episode (planners: model calls, tokens ...),
        added to the episode's metrics by the evaluation loop."""
        return {}


class RandomPolicy(Policy):
    """Uniformly random actions from the action space, seeded per episode (in a parallel
    env, ``agent``'s: the robot by default)."""

    name = "random"

    def __init__(self, seed: int = 0, agent: str | None = None):
        self._base_seed = int(seed)
        self._rng = np.random.default_rng(seed)
        self.agent = agent

    def reset(self, env: gym.Env, seed: int | None = None) -> None:
        self._rng = np.random.default_rng([self._base_seed, 0 if seed is None else int(seed)])

    def act(self, observation, env: gym.Env):
        space = env.action_space
        if callable(space):                  # a PettingZoo env: one space per agent
            space = space(self.agent or env.possible_agents[0])
        if isinstance(space, gym.spaces.Box):
            return self._rng.uniform(space.low, space.high).astype(space.dtype)
        if isinstance(space, gym.spaces.Discrete):
            return int(space.start + self._rng.integers(space.n))
        return space.sample()


def privileged_view(env: gym.Env, kind: type | None = None):
    """The privileged view of ``env``'s current episode (``env.unwrapped.privileged()``),
    checked to be a ``kind`` view; ConfigError says what is missing."""
    task_env = env.unwrapped
    if not callable(getattr(task_env, "privileged", None)):
        raise ConfigError("env", type(task_env).__name__, reason="a privileged policy needs an "
                          "embodied task env (gym.make('embodied/...'))")
    if getattr(task_env, "world", None) is None:
        raise ConfigError("env", type(task_env).__name__, reason="reset the env before acting")
    view = task_env.privileged()
    if kind is not None and not isinstance(view, kind):
        raise ConfigError("env", type(task_env).__name__, reason=f"this policy needs a task "
                          f"whose privileged view is a {kind.__name__}")
    return view


register_policy("random", lambda cfg, checkpoint: RandomPolicy(seed=int(cfg.get("seed", 0))))
