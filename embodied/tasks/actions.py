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


class HumanoidWalkAction(ActionTerm):
    """``Box(-1, 1, (2,))``, or ``(3,)`` with ``hands``: a humanoid's forward speed and
    turn rate, scaled to ``max_speed`` (m/s) and ``max_turn_rate`` (rad/s) (walking
    backwards is capped by its gait), then the hands (> 0.5: pick the nearest free object
    within reach, walking to it; < -0.5: put what it holds on the nearest surface within
    reach, or down on the floor; otherwise nothing new). Out-of-range values are clipped;
    NaN or inf raises ActionError.

    Commands go through the humanoid's :class:`~embodied.skills.humanoid.Teleop` skill,
    the same one a person at the keyboard drives, which
    :meth:`~embodied.tasks.base.Task.drive_externally` installs at each episode start."""

    def __init__(self, agent: str, max_speed: float, max_turn_rate: float, hands: bool = False):
        check_range("max_speed", max_speed, 0.0, None)
        check_range("max_turn_rate", max_turn_rate, 0.0, None)
        self.agent, self.hands = agent, bool(hands)
        self.space = gym.spaces.Box(-1.0, 1.0, shape=(3 if hands else 2,), dtype=np.float32)
        self.scale = np.array([max_speed, max_turn_rate] + [1.0] * self.hands)

    def process(self, action) -> np.ndarray:
        a = np.asarray(action, dtype=np.float64)
        if a.shape != self.space.shape:
            raise ActionError(f"{self.agent} walking action must have shape {self.space.shape}, "
                              f"got {a.shape}")
        if not np.isfinite(a).all():
            raise ActionError(f"{self.agent} walking action contains NaN or inf: {a.tolist()}")
        return np.clip(a, -1.0, 1.0) * self.scale

    def apply(self, world, command) -> None:
        from embodied.errors import ConfigError
        from embodied.skills.humanoid import Teleop

        h = world.entities[self.agent]
        teleop = h.behaviour
        if not isinstance(teleop, Teleop):
            raise ConfigError("humanoid", self.agent, reason="is not driven from outside this "
                              "episode (Task.drive_externally installs its Teleop skill)")
        teleop.command(float(command[0]), float(command[1]))
        if self.hands and command[2] > 0.5:
            teleop.request_pick(h, world)
        elif self.hands and command[2] < -0.5:
            teleop.request_place(h, world)
