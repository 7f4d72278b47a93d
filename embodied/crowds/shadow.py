"""The crowd as it would have walked without the robot: an exact, physics-free twin.

A crowd's people are kinematic (nothing in the physics pushes a humanoid) and walk under
the crowd model, which is a function of the people, the static home and the robot as the
crowd sees it. With the robot taken out of that picture nothing else of the robot reaches
them, so the people's motion had the robot never been there is the crowd and its people
stepped on their own: :class:`CrowdShadow` copies them (controller states and random
streams) from a World at one instant and steps only them, the crowd blind to the robot
and each person's skill and gait (:meth:`Humanoid.step_root`), with no MuJoCo step. It
equals the World rebuilt without the robot (:meth:`World.rebuild`) stepped in full
(``tests/crowds/test_shadow.py`` checks it to 1e-9), at the cost of the crowd model alone.

Only people of a crowd may be in it: a humanoid that carries objects, or reacts to the
robot through a skill of its own, is not a crowd-only motion.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from embodied.errors import ConfigError
from embodied.sim.rng import RandomStreams

if TYPE_CHECKING:
    from embodied.crowds.crowd import Crowd
    from embodied.sim.world import World


class CrowdShadow:
    """The crowd ``crowd`` of ``world`` and its people, from now on, as if the robot were
    absent. :meth:`step` once per control step of the World; :attr:`people` positions by
    :meth:`positions`. Deep copies are independent shadows (snapshots hold them)."""

    def __init__(self, world: "World", crowd: str = "crowd"):
        source: "Crowd" = world.entity(crowd)
        if getattr(source, "people", None) is None:
            raise ConfigError("crowd", crowd, reason="is not a Crowd entity")
        for name in source.people:
            person = world.entity(name)
            if person.holding is not None:
                raise ConfigError("crowd shadow", name, reason="carries an object: its motion "
                                  "is not the crowd's alone")
        self.crowd = copy.deepcopy(source)
        self.crowd.config = replace(source.config, robot_visible=False)
        self.people = source.people
        self.entities = {crowd: self.crowd,
                         **{name: copy.deepcopy(world.entity(name)) for name in self.people}}
        self.rng = RandomStreams(world.rng.seed)
        self.rng.set_state(world.rng.get_state())
        self.step_count = world.step_count
        self.timing = world.timing

    # the part of the World's interface the crowd and its people read while stepping
    @property
    def dt(self) -> float:
        return self.timing.control_dt

    def entity(self, name: str):
        return self.entities[name]

    def step(self) -> None:
        """One control step of the crowd and its people."""
        self.crowd.before_control(self)
        for name in self.people:
            self.entities[name].step_root(self)
        self.step_count += 1

    def positions(self) -> np.ndarray:
        """(n, 2) floor positions of the people, in the crowd's order."""
        return np.array([self.entities[name].xy for name in self.people], dtype=float)


__all__ = ["CrowdShadow"]
