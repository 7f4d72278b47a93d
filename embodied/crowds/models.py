"""Local avoidance models of a crowd: what they see and what they must return.

Each control step the crowd gives its model a :class:`Agents` picture (the people, each
heading for its next waypoint at its preferred velocity, and the robot when the crowd
sees it) and takes back the velocity every person should walk at. A model is a pure
function of that picture and what it was bound to (the navigation map and the static
obstacles), so the crowd's snapshots hold everything that evolves; anything a model
caches between steps must never change its answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from embodied.errors import NotFoundError

if TYPE_CHECKING:
    from embodied.scenes.navmap import NavMap


@dataclass
class Agents:
    """The people and the robot as a local model sees them (world frame, m, s).

    Attributes:
        pos, vel, pref: (n, 2) positions, current velocities and preferred velocities
            (towards each person's next waypoint at its walking speed; zero while paused).
        radius, max_speed: (n,) body radii and the fastest each may walk.
        group: (n,) group ids (people of one group walk together; -1: alone).
        robot_pos, robot_vel: the robot's (2,) position and measured velocity, or None
            when the crowd does not see it (no robot, or ``robot_visible=False``).
        robot_radius: the robot's footprint radius.
    """

    pos: np.ndarray
    vel: np.ndarray
    pref: np.ndarray
    radius: np.ndarray
    max_speed: np.ndarray
    group: np.ndarray
    robot_pos: np.ndarray | None = None
    robot_vel: np.ndarray | None = None
    robot_radius: float = 0.0

    @property
    def count(self) -> int:
        return len(self.pos)


class LocalModel:
    """Base of local avoidance models: :meth:`bind` once per scene, :meth:`velocities`
    once per control step."""

    #: The name configs use (``crowd.model``).
    name: str = ""

    def __deepcopy__(self, memo):
        # models hold nothing that evolves: a World and its forks share one
        return self

    def bind(self, navmap: "NavMap", obstacles: Sequence[np.ndarray]) -> None:
        """Take the scene: the people's navigation map (its ``clearance`` grid gives the
        distance to the nearest obstacle) and the static obstacles as polygons ((k, 2)
        vertices, counter-clockwise: walls and furniture footprints)."""

    def velocities(self, agents: Agents, dt: float) -> np.ndarray:
        """(n, 2) velocities the people should walk at during the next ``dt`` seconds,
        each no faster than its ``max_speed``."""
        raise NotImplementedError(f"{type(self).__name__} must implement velocities()")


#: Registered models by name (``orca``, ``social_force``).
MODELS: dict[str, type[LocalModel]] = {}


def register_model(cls: type[LocalModel]) -> type[LocalModel]:
    """Class decorator registering a local model under its ``name``."""
    MODELS[cls.name] = cls
    return cls


def make_model(name: str, **params) -> LocalModel:
    """A new model ``name`` with its parameters (NotFoundError lists the known models)."""
    import importlib

    if name not in MODELS and name in ("orca", "social_force"):
        importlib.import_module(f"embodied.crowds.{name}")     # registers it
    cls = MODELS.get(name)
    if cls is None:
        raise NotFoundError("crowd model", name, MODELS)
    return cls(**params)
