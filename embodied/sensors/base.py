"""Sensors mounted on an agent by name, and the suite that reads them from a World.

A sensor declares its gymnasium space and its cost class: ``state`` (reads the
simulation state, microseconds), ``raycast`` (casts rays into the scene, ~0.1 ms) or
``render`` (draws an image, milliseconds). A :class:`SensorSuite` is mounted on an agent
*by name*: at every read it looks the agent up in the World it is given, so the same
suite reads a World and its forks (each through its own entities and data). Image
sensors share one :class:`~embodied.sim.render.Renderer` per resolution, and sensors
looking through the same camera in the same mode share one image per read.

    suite = SensorSuite("robot", [HeadDepth(128, 128), RangeScan(64), HumanoidGPSCompass()])
    obs = suite.read(world)         # {"head_depth": ..., "range_scan": ..., ...}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import gymnasium as gym
import numpy as np

from embodied.errors import ConfigError, check_choice
from embodied.sim.render import Renderer

if TYPE_CHECKING:
    from embodied.sim.entity import Entity
    from embodied.sim.world import World

COSTS = ("state", "raycast", "render")


class SpaceNeedsWorld(RuntimeError):
    """A sensor's space depends on the model it is bound to (the number of joints, say):
    ask :meth:`SensorSuite.observation_space` with a World."""


def box(low, high, shape=None, dtype=np.float32) -> gym.spaces.Box:
    """A Box space (float32 unless told)."""
    return gym.spaces.Box(low=low, high=high, shape=shape, dtype=dtype)


class RenderCache:
    """Renderers pooled per resolution, and the images drawn during one suite read."""

    def __init__(self, profile: str):
        self.profile = profile
        self.renderers: dict[tuple[int, int], Renderer] = {}
        self.frame: dict[tuple, np.ndarray] = {}

    def renderer(self, world: "World", width: int, height: int) -> Renderer:
        r = self.renderers.get((width, height))
        if r is not None and r.world.model is not world.model:
            r.close()
            r = None
        if r is None:
            r = self.renderers[(width, height)] = Renderer(world, width, height, self.profile)
        r.world = world  # same model: a fork or the original, drawn from its own data
        return r

    def get(self, world: "World", camera: str, mode: str, width: int, height: int) -> np.ndarray:
        """The image of ``camera`` in ``mode`` (rgb, depth, seg:category, seg:instance),
        drawn once per read however many sensors ask for it."""
        key = (camera, mode, width, height)
        image = self.frame.get(key)
        if image is None:
            r = self.renderer(world, width, height)
            if mode == "rgb":
                image = r.rgb(camera)
            elif mode == "depth":
                image = r.depth(camera)
            else:
                image = r.segmentation(camera, level=mode.split(":")[1])
            self.frame[key] = image
        return image

    def close(self) -> None:
        for r in self.renderers.values():
            r.close()
        self.renderers.clear()


class Sensor:
    """Base class: a named observation with a declared space and cost class.

    ``bind`` resolves ids in a World's model once per model; ``read`` computes the value
    from the World's current state. Both receive the agent the sensor is mounted on (the
    entity of that name in the World being read)."""

    name: str
    cost: str = "state"

    @property
    def space(self) -> gym.spaces.Space:
        raise NotImplementedError(f"{type(self).__name__} must declare its space")

    def bind(self, world: "World", agent: "Entity") -> None:
        """Resolve ids in ``world``'s model (called once per model)."""

    def read(self, world: "World", agent: "Entity", images: RenderCache) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement read()")


class SensorSuite:
    """Reads a set of sensors mounted on one agent.

    Args:
        agent: the name of the entity carrying the sensors (an entity is accepted too: its
            name is used). It is looked up in the World given to each read.
        sensors: sensors with unique names.
        profile: render profile of the image sensors (``"fast"`` for observations).
    """

    def __init__(self, agent: "str | Entity", sensors: Sequence[Sensor], profile: str = "fast"):
        names = [s.name for s in sensors]
        if len(set(names)) != len(names):
            raise ConfigError("sensors", names, reason="sensor names must be unique")
        for s in sensors:
            check_choice(f"{s.name}.cost", s.cost, COSTS)
        self.agent = agent if isinstance(agent, str) else agent.name
        self.sensors = {s.name: s for s in sensors}
        self._images = RenderCache(profile)
        self._bound_model = None

    def _agent(self, world: "World") -> "Entity":
        agent = world.entities.get(self.agent) or world.entity(self.agent)
        if self._bound_model is not world.model:
            for s in self.sensors.values():
                s.bind(world, agent)
            self._bound_model = world.model
        return agent

    def observation_space(self, world: "World") -> gym.spaces.Dict:
        """The spaces of all sensors (some are sized by the model, hence the World)."""
        self._agent(world)
        return gym.spaces.Dict({n: s.space for n, s in self.sensors.items()})

    def read(self, world: "World", names: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """Read all sensors (or those in ``names``) from ``world``'s current state."""
        agent = self._agent(world)   # World.step and World.restore leave poses current
        self._images.frame.clear()
        images = self._images
        sensors = self.sensors.values() if names is None else (self.sensors[n] for n in names)
        return {s.name: s.read(world, agent, images) for s in sensors}

    def close(self) -> None:
        self._images.close()
