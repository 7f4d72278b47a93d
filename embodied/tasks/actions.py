"""Action terms: how one agent's part of an action is checked, clipped, scaled and applied.

A term validates once (shape, NaN/inf: :class:`~embodied.errors.ActionError` before
anything is simulated), clips to its space and scales to the agent's units; the task
applies every term only after all of them have accepted their part.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np

from embodied.errors import ActionError, check_range

if TYPE_CHECKING:
    from embodied.sim.world import World


class ActionTerm:
    """One agent's action: its space, :meth:`process` (check, clip, scale) and :meth:`apply`."""

    agent: str
    space: gym.spaces.Space

    def process(self, action) -> Any:
        """The validated command for ``action``; raises ActionError, touches nothing."""
        raise NotImplementedError(f"{type(self).__name__} must implement process()")

    def apply(self, world: "World", command: Any) -> None:
        """Give the agent in ``world`` the command :meth:`process` returned."""
        raise NotImplementedError(f"{type(self).__name__} must implement apply()")


class BaseVelocityAction(ActionTerm):
    """``Box(-1, 1, (2,))``: forward speed and turn rate of a base, scaled to
    ``max_linear_speed`` (m/s) and ``max_angular_speed`` (rad/s); out-of-range values are
    clipped. Lateral motion is off."""

    def __init__(self, agent: str, max_linear_speed: float, max_angular_speed: float):
        check_range("max_linear_speed", max_linear_speed, 0.0, None)
        check_range("max_angular_speed", max_angular_speed, 0.0, None)
        self.agent = agent
        self.space = gym.spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
        #: What actions of +-1 map to: (m/s, rad/s).
        self.scale = np.array([max_linear_speed, max_angular_speed])
        self._linear_scale, self._angular_scale = (float(v) for v in self.scale)

    def process(self, action) -> tuple[float, float]:
        a = np.asarray(action, dtype=np.float64)
        if a.shape != (2,):
            raise ActionError(f"{self.agent} base action must have shape (2,), got {a.shape}")
        linear, angular = float(a[0]), float(a[1])
        if not (math.isfinite(linear) and math.isfinite(angular)):
            raise ActionError(f"{self.agent} base action contains NaN or inf: {a.tolist()}")
        return (min(max(linear, -1.0), 1.0) * self._linear_scale,
                min(max(angular, -1.0), 1.0) * self._angular_scale)

    def apply(self, world, command) -> None:
        world.entities[self.agent].command_base(*command)

    def to_action(self, linear: float, angular: float) -> np.ndarray:
        """The action that asks for (m/s, rad/s), clipped to the space (for experts)."""
        return np.clip(np.array([linear / self.scale[0], angular / self.scale[1]]),
                       -1.0, 1.0).astype(np.float32)
