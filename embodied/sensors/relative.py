"""Relational sensors: where a goal or another agent is from this agent (GPS+compass), and
humanoid detectors (from a segmentation image, as in Habitat 3.0, or from geometry)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mujoco
import numpy as np

from embodied.errors import ConfigError, check_choice, check_range
from embodied.geometry import wrap_angle, yaw_of_xmat
from embodied.sensors.base import Sensor, box
from embodied.sensors.cameras import _Camera
from embodied.sim.semantics import category_id

_HUMANOID = category_id("humanoid")


@dataclass
class GoalGPSCompass(Sensor):
    """``[distance, bearing]`` to :attr:`goal` (world x, y) in the agent's frame; the task sets
    ``goal`` at each episode start. Bearing is counter-clockwise from the heading."""

    goal: tuple[float, float] = (0.0, 0.0)
    name: str = "goal_gps_compass"

    @property
    def space(self):
        return box(np.array([0.0, -np.pi], np.float32), np.array([np.inf, np.pi], np.float32))

    def bind(self, world, agent):
        self._base = world.body_id(agent.frame_body())

    def read(self, world, agent, images):
        d = world.data
        p, mat = d.xpos[self._base], d.xmat[self._base]
        dx, dy = self.goal[0] - p[0], self.goal[1] - p[1]
        bearing = wrap_angle(np.arctan2(dy, dx) - yaw_of_xmat(mat))
        return np.array([np.hypot(dx, dy), bearing], dtype=np.float32)


@dataclass
class HumanoidGPSCompass(Sensor):
    """Position of another agent (a humanoid, by entity name) relative to this one, in this
    agent's frame: ``cartesian``
    ``[x forward, y left]`` (m) or ``polar`` ``[distance, bearing]``."""

    humanoid: str = "human0"
    mode: str = "cartesian"
    name: str = "humanoid_gps_compass"

    def __post_init__(self):
        check_choice("mode", self.mode, ("cartesian", "polar"))

    @property
    def space(self):
        if self.mode == "polar":
            return box(np.array([0.0, -np.pi], np.float32), np.array([np.inf, np.pi], np.float32))
        return box(-np.inf, np.inf, (2,))

    def bind(self, world, agent):
        self._human = world.body_id(_bodies_of(world, self.humanoid)[0])  # the root: first in tree order
        self._base = world.body_id(agent.frame_body())

    def read(self, world, agent, images):
        d = world.data
        p, mat, h = d.xpos[self._base], d.xmat[self._base], d.xpos[self._human]
        dx, dy = h[0] - p[0], h[1] - p[1]
        c, s = mat[0], mat[3]
        norm = np.hypot(c, s)
        x, y = (c * dx + s * dy) / norm, (c * dy - s * dx) / norm
        if self.mode == "polar":
            return np.array([np.hypot(x, y), np.arctan2(y, x)], dtype=np.float32)
        return np.array([x, y], dtype=np.float32)


@dataclass
class HumanoidVelocity(Sensor):
    """Velocity of a humanoid (by entity name) in this agent's frame: ``[vx forward,
    vy left]`` (m/s), as a detector tracking it over a few frames estimates it."""

    humanoid: str = "human0"
    name: str = "humanoid_velocity"

    @property
    def space(self):
        return box(-np.inf, np.inf, (2,))

    def bind(self, world, agent):
        self._base = world.body_id(agent.frame_body())

    def read(self, world, agent, images):
        c, s = _heading(world.data.xmat[self._base])
        vx, vy = world.entities[self.humanoid].velocity_xy
        return np.array([c * vx + s * vy, c * vy - s * vx], dtype=np.float32)


def _heading(mat) -> tuple[float, float]:
    """Cosine and sine of the heading of a body with rotation matrix ``mat`` (row-major 9)."""
    c, s = mat[0], mat[3]
    norm = math.hypot(c, s)
    return c / norm, s / norm


@dataclass
class NearbyPeople(Sensor):
    """The ``count`` people (humanoids named in ``people``) nearest this agent within
    ``max_range`` m, nearest first, in its frame: one row ``[present, x forward, y left,
    vx, vy]`` each (m, m/s; rows of people out of range, or missing, are zeros)."""

    people: tuple[str, ...] = ()
    count: int = 4
    max_range: float = 5.0
    name: str = "nearby_people"

    def __post_init__(self):
        self.people = tuple(self.people)
        check_range("count", self.count, 1, 64, integer=True)
        check_range("max_range", self.max_range, 0.1, 100.0)

    @property
    def space(self):
        return box(-np.inf, np.inf, (self.count, 5))

    def bind(self, world, agent):
        self._base = world.body_id(agent.frame_body())

    def read(self, world, agent, images):
        out = np.zeros((self.count, 5), dtype=np.float32)
        if not self.people:
            return out
        d = world.data
        p = d.xpos[self._base]
        c, s = _heading(d.xmat[self._base])
        rows = []
        for name in self.people:
            person = world.entities[name]
            x, y = person.xy
            dx, dy = x - p[0], y - p[1]
            dist = math.hypot(dx, dy)
            if dist <= self.max_range:
                vx, vy = person.velocity_xy
                rows.append((dist, c * dx + s * dy, c * dy - s * dx, c * vx + s * vy, c * vy - s * vx))
        rows.sort()
        for k, (_, *row) in enumerate(rows[:self.count]):
            out[k] = (1.0, *row)
        return out


@dataclass
class HumanoidDetector(_Camera):
    """Humanoid detection from a segmentation image, as in Habitat 3.0: ``[present, x0, y0,
    x1, y1]`` with the normalised bounding box of the humanoid pixels (zeros when fewer
    than ``min_pixels`` of them are visible)."""

    min_pixels: int = 10
    _kind = "humanoid_detector"

    def __post_init__(self):
        super().__post_init__()
        check_range("min_pixels", self.min_pixels, 1, None, integer=True)

    @property
    def space(self):
        return box(0.0, 1.0, (5,))

    def read(self, world, agent, images):
        seg = images.get(world, self._camera_name, "seg:category", self.width, self.height)
        mask = seg == _HUMANOID
        out = np.zeros(5, dtype=np.float32)
        if np.count_nonzero(mask) >= self.min_pixels:
            rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
            out[:] = (1.0, cols[0] / self.width, rows[0] / self.height,
                      (cols[-1] + 1) / self.width, (rows[-1] + 1) / self.height)
        return out


@dataclass
class GeometricHumanoidDetector(Sensor):
    """Humanoid detector computed from geometry instead of a segmentation image (for the
    ``state`` observation mode, where rendering would dominate the step cost).

    ``[present, x0, y0, x1, y1]`` like the image detector: present when some of the
    humanoid's links are inside the camera's field of view within ``max_range`` and a ray
    from the camera to one of the nearest three reaches the humanoid first (not occluded);
    the box is the normalised image extent of the projected link positions.
    """

    humanoid: str = "human0"
    camera: str = "head"
    width: int = 128
    height: int = 128
    max_range: float = 10.0
    name: str = "humanoid_detector"
    cost: str = field(default="raycast", init=False)

    def __post_init__(self):
        if not isinstance(self.camera, str) or not self.camera:
            raise ConfigError("camera", self.camera, reason="'head', 'arm' or a camera name")
        check_range("max_range", self.max_range, 0.1, 100.0)

    @property
    def space(self):
        return box(0.0, 1.0, (5,))

    def bind(self, world, agent):
        self._cam = world.id(mujoco.mjtObj.mjOBJ_CAMERA, agent.camera(self.camera))
        fovy = math.radians(float(world.model.cam_fovy[self._cam]))
        self._focal = 0.5 * self.height / math.tan(0.5 * fovy)
        self._bodies = np.array([world.body_id(n) for n in _bodies_of(world, self.humanoid)],
                                dtype=np.intp)
        self._human_geoms = np.zeros(world.model.ngeom, dtype=bool)
        self._human_geoms[world.geoms_of(f"{self.humanoid}/")] = True
        self._cam_body = int(world.model.cam_bodyid[self._cam])
        self._geom = np.zeros(1, dtype=np.int32)

    def read(self, world, agent, images):
        d = world.data
        pos = d.cam_xpos[self._cam]
        pts = d.xpos[self._bodies] - pos
        cam = pts @ d.cam_xmat[self._cam].reshape(3, 3)   # x right, y up, -z forward
        depth = -cam[:, 2]
        scale = self._focal / np.maximum(depth, 0.05)    # points behind are masked below
        u = 0.5 * self.width + cam[:, 0] * scale
        v = 0.5 * self.height - cam[:, 1] * scale
        inside = ((depth > 0.05) & (depth <= self.max_range) & (u >= 0) & (u < self.width)
                  & (v >= 0) & (v < self.height))
        if not inside.any():
            return np.zeros(5, dtype=np.float32)
        # visible if a ray from the camera to one of the nearest in-view links hits the
        # humanoid first
        idx = np.flatnonzero(inside)
        near = idx[np.argsort(np.einsum("ij,ij->i", pts[idx], pts[idx]))[:3]]
        for vec in pts[near]:
            dist = mujoco.mj_ray(world.model, d, pos, vec, None, 1, self._cam_body, self._geom)
            if dist >= 0 and self._human_geoms[self._geom[0]]:
                break
        else:
            return np.zeros(5, dtype=np.float32)
        uu, vv = u[idx], v[idx]
        return np.array((1.0, max(uu.min(), 0) / self.width, max(vv.min(), 0) / self.height,
                         min(uu.max() + 1, self.width) / self.width,
                         min(vv.max() + 1, self.height) / self.height), dtype=np.float32)


def _bodies_of(world, entity: str) -> list[str]:
    """Body names of the entity ``entity`` (ConfigError naming it when it has none)."""
    bodies = world.body_names(f"{entity}/")
    if not bodies:
        raise ConfigError("humanoid", entity, reason="no bodies with this prefix in the World")
    return bodies
