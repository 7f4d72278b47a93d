"""Proprioception: what an agent senses of its own body (joints, grasp, base motion)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from embodied.errors import ConfigError
from embodied.sensors.base import Sensor, SpaceNeedsWorld, box


@dataclass
class JointPositions(Sensor):
    """Positions of the agent's sensed joints (a robot's torso, arm, head and fingers; m or
    rad); sized at bind."""

    name: str = "joint_positions"
    _size: int = field(default=0, init=False, repr=False)

    @property
    def space(self):
        if not self._size:
            raise SpaceNeedsWorld(f"sensor {self.name!r}: call SensorSuite.observation_space(world) "
                               f"for its space (its size depends on the embodiment)")
        return box(-np.inf, np.inf, (self._size,))

    def bind(self, world, agent):
        joints = getattr(agent, "sensed_joints", None)
        if joints is None:
            raise ConfigError(f"sensor {self.name}", agent.name,
                              reason=f"a {type(agent).__name__} has no joints to sense")
        ids = [world.joint_id(j) for j in joints()]
        self._qpos = np.array([world.model.jnt_qposadr[j] for j in ids])
        self._dof = np.array([world.model.jnt_dofadr[j] for j in ids])
        self._size = len(ids)

    def read(self, world, agent, images):
        return world.data.qpos[self._qpos].astype(np.float32)


@dataclass
class JointVelocities(JointPositions):
    """Velocities of the same joints as :class:`JointPositions`."""

    name: str = "joint_velocities"

    def read(self, world, agent, images):
        return world.data.qvel[self._dof].astype(np.float32)


@dataclass
class IsHolding(Sensor):
    """``[1]`` while the agent holds an object, else ``[0]``."""

    name: str = "is_holding"

    @property
    def space(self):
        return box(0.0, 1.0, (1,))

    def read(self, world, agent, images):
        return np.array([agent.held_object(world) is not None], dtype=np.float32)


@dataclass
class BaseVelocity(Sensor):
    """Measured ``[forward m/s, angular rad/s]`` of the agent's base in its own frame."""

    name: str = "base_velocity"

    @property
    def space(self):
        return box(-np.inf, np.inf, (2,))

    def read(self, world, agent, images):
        return np.asarray(agent.base_velocity(world), dtype=np.float32)
