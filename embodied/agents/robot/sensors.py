"""The robot's sensors: each declares its gymnasium space and its cost class.

Cost classes: ``state`` (reads the simulation state, microseconds), ``raycast`` (casts rays
into the scene, ~0.1 ms) and ``render`` (draws an image, milliseconds). A
:class:`SensorSuite` reads a set of sensors from a World; image sensors share one
:class:`~embodied.sim.render.Renderer` per resolution, and sensors looking through the
same camera in the same mode share one rendered image per read.

    suite = SensorSuite(robot, [HeadDepth(128, 128), RangeScan(64), HumanoidGPSCompass()])
    obs = suite.read(world)         # {"head_depth": ..., "range_scan": ..., ...}
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

import gymnasium as gym
import mujoco
import numpy as np

from embodied.errors import ConfigError, check_choice, check_range
from embodied.sim.render import Renderer
from embodied.sim.semantics import CATEGORIES, category_id

if TYPE_CHECKING:
    from embodied.agents.robot.robot import Robot
    from embodied.sim.world import World

COSTS = ("state", "raycast", "render")
_HUMANOID = category_id("humanoid")


def _box(low, high, shape=None, dtype=np.float32) -> gym.spaces.Box:
    return gym.spaces.Box(low=low, high=high, shape=shape, dtype=dtype)


class _Images:
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
    """Base class: a named observation with a declared space and cost class."""

    name: str
    cost: str = "state"

    @property
    def space(self) -> gym.spaces.Space:
        raise NotImplementedError

    def bind(self, world: "World", robot: "Robot") -> None:
        """Resolve ids in ``world``'s model (called once per model)."""

    def read(self, world: "World", robot: "Robot", images: _Images) -> np.ndarray:
        raise NotImplementedError


# -- cameras --------------------------------------------------------------------------------
@dataclass
class _Camera(Sensor):
    width: int = 128
    height: int = 128
    camera: str = "head"   # "head", "arm" or a full camera name of the model
    name: str = ""
    cost: str = field(default="render", init=False)

    def __post_init__(self):
        for f in ("width", "height"):
            check_range(f, getattr(self, f), 1, 1920, integer=True)
        if not isinstance(self.camera, str) or not self.camera:
            raise ConfigError("camera", self.camera, reason="'head', 'arm' or a camera name")
        if not self.name:
            self.name = f"{self.camera.split('/')[-1]}_{self._kind}"

    def _camera_name(self, robot: "Robot") -> str:
        return {"head": robot.head_camera, "arm": robot.arm_camera}.get(self.camera, self.camera)

    def bind(self, world, robot):
        world.id(mujoco.mjtObj.mjOBJ_CAMERA, self._camera_name(robot))  # fails early if absent


@dataclass
class CameraRGB(_Camera):
    """(H, W, 3) uint8 colour image."""

    _kind = "rgb"

    @property
    def space(self):
        return _box(0, 255, (self.height, self.width, 3), np.uint8)

    def read(self, world, robot, images):
        return images.get(world, self._camera_name(robot), "rgb", self.width, self.height)


@dataclass
class CameraDepth(_Camera):
    """(H, W, 1) float32 depth along the optical axis in metres, clipped to ``max_depth``."""

    max_depth: float = 10.0
    _kind = "depth"

    def __post_init__(self):
        super().__post_init__()
        check_range("max_depth", self.max_depth, 0.1, 100.0)

    @property
    def space(self):
        return _box(0.0, self.max_depth, (self.height, self.width, 1))

    def read(self, world, robot, images):
        depth = images.get(world, self._camera_name(robot), "depth", self.width, self.height)
        return np.clip(depth, 0.0, self.max_depth)[..., None]


@dataclass
class CameraSegmentation(_Camera):
    """(H, W, 1) int32 semantic ids: ``category`` (index into CATEGORIES) or ``instance``."""

    level: str = "category"
    _kind = "semantic"

    def __post_init__(self):
        super().__post_init__()
        check_choice("level", self.level, ("category", "instance"))

    @property
    def space(self):
        high = len(CATEGORIES) - 1 if self.level == "category" else 2 ** 16 - 1
        return _box(0, high, (self.height, self.width, 1), np.int32)

    def read(self, world, robot, images):
        seg = images.get(world, self._camera_name(robot), f"seg:{self.level}", self.width, self.height)
        return seg[..., None]


def HeadRGB(width: int = 128, height: int = 128) -> CameraRGB:
    return CameraRGB(width, height, "head", "head_rgb")


def HeadDepth(width: int = 128, height: int = 128, max_depth: float = 10.0) -> CameraDepth:
    return CameraDepth(width, height, "head", "head_depth", max_depth=max_depth)


def HeadSemantic(width: int = 128, height: int = 128, level: str = "category") -> CameraSegmentation:
    return CameraSegmentation(width, height, "head", "head_semantic", level=level)


def ArmRGB(width: int = 128, height: int = 128) -> CameraRGB:
    return CameraRGB(width, height, "arm", "arm_rgb")


def ArmDepth(width: int = 128, height: int = 128, max_depth: float = 10.0) -> CameraDepth:
    return CameraDepth(width, height, "arm", "arm_depth", max_depth=max_depth)


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
        return _box(0.0, 1.0, (5,))

    def read(self, world, robot, images):
        seg = images.get(world, self._camera_name(robot), "seg:category", self.width, self.height)
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
        check_choice("camera", self.camera, ("head", "arm"))
        check_range("max_range", self.max_range, 0.1, 100.0)

    @property
    def space(self):
        return _box(0.0, 1.0, (5,))

    def bind(self, world, robot):
        cam_name = robot.head_camera if self.camera == "head" else robot.arm_camera
        self._cam = world.id(mujoco.mjtObj.mjOBJ_CAMERA, cam_name)
        fovy = math.radians(float(world.model.cam_fovy[self._cam]))
        self._focal = 0.5 * self.height / math.tan(0.5 * fovy)
        bodies = [world.body_id(n) for n in world.body_names(f"{self.humanoid}/")]
        self._bodies = np.array(bodies)
        self._human_geoms = np.zeros(world.model.ngeom, dtype=bool)
        self._human_geoms[world.geoms_of(f"{self.humanoid}/")] = True
        self._cam_body = int(world.model.cam_bodyid[self._cam])
        self._geom = np.zeros(1, dtype=np.int32)

    def read(self, world, robot, images):
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


# -- range scan -------------------------------------------------------------------------------
@dataclass
class RangeScan(Sensor):
    """Planar range scan from the base laser: ``num_rays`` distances (m) spread evenly over
    ``fov`` radians centred on the heading (counter-clockwise), ``max_range`` where nothing
    is hit. The robot's own geoms are invisible to it."""

    num_rays: int = 64
    fov: float = 1.5 * np.pi
    max_range: float = 10.0
    name: str = "range_scan"
    cost: str = field(default="raycast", init=False)

    def __post_init__(self):
        check_range("num_rays", self.num_rays, 1, 4096, integer=True)
        check_range("fov", self.fov, 1e-3, 2 * np.pi)
        check_range("max_range", self.max_range, 0.05, 100.0)
        n = int(self.num_rays)
        full = self.fov >= 2 * np.pi - 1e-9
        self.angles = (np.linspace(-np.pi, np.pi, n, endpoint=False) if full
                       else np.linspace(-self.fov / 2, self.fov / 2, n) if n > 1 else np.zeros(1))
        self._vec = np.zeros((n, 3))
        self._geom = np.zeros(n, dtype=np.int32)
        self._dist = np.zeros(n)

    @property
    def space(self):
        return _box(0.0, self.max_range, (self.num_rays,))

    def bind(self, world, robot):
        h = robot.handles
        self._site = h.scan_site
        self._plane = None   # built at the first read, when poses are current
        self._robot_geoms = h.robot_geoms

    def read(self, world, robot, images):
        d = world.data
        height = float(d.site_xpos[self._site, 2])
        if self._plane is None or abs(height - self._plane.height) > 1e-6:
            self._plane = ScanPlane(world.model, d, height, self._robot_geoms)
        self._plane.refresh(d)
        mat = d.site_xmat[self._site]
        heading = np.arctan2(mat[3], mat[0])
        a = self.angles + heading
        vec = self._vec
        vec[:, 0], vec[:, 1] = np.cos(a), np.sin(a)
        self._plane.cast(d.site_xpos[self._site], vec, self._geom, self._dist, self.max_range)
        out = np.where(self._geom >= 0, self._dist, self.max_range)
        return np.minimum(out, self.max_range).astype(np.float32)


class ScanPlane:
    """A compact scene for casting horizontal rays at ``height``: only the geoms of a
    World's model that such a ray can hit, in a small model of their own.

    MuJoCo's ray casting pays for every geom of the model it is given, and in a home most
    are off the scan plane: table tops, shelves, objects on them, the robot itself.
    Static geoms (welded to the world) that cross the plane are copied once at their
    world pose; moving ones (humanoids, free objects) are copied too and :meth:`refresh`
    brings their poses over before each scan, keeping only those that cross the plane at
    the moment in the scanned group. ``ignored_geoms`` (the robot itself) are left out.
    """

    SCANNED, IGNORED = 0, 5
    #: ``geomgroup`` argument of the ray functions: the scanned group only.
    GROUPS = np.array([1, 0, 0, 0, 0, 0], dtype=np.uint8)
    _PRIMITIVES = {mujoco.mjtGeom.mjGEOM_PLANE, mujoco.mjtGeom.mjGEOM_SPHERE,
                   mujoco.mjtGeom.mjGEOM_CAPSULE, mujoco.mjtGeom.mjGEOM_ELLIPSOID,
                   mujoco.mjtGeom.mjGEOM_CYLINDER, mujoco.mjtGeom.mjGEOM_BOX}

    def __init__(self, model: mujoco.MjModel, data: mujoco.MjData, height: float,
                 ignored_geoms: np.ndarray):
        self.height = height
        candidate = np.ones(model.ngeom, dtype=bool)
        candidate[ignored_geoms] = False
        plane = model.geom_type == mujoco.mjtGeom.mjGEOM_PLANE
        static = model.body_weldid[model.geom_bodyid] == 0
        crossing = np.zeros(model.ngeom, dtype=bool)
        solid = np.flatnonzero(candidate & static & ~plane)
        crossing[solid] = _aabb_spans_height(model, data, solid, height)
        for g in np.flatnonzero(candidate & static & plane):   # infinite: only the tilt matters
            crossing[g] = (abs(data.geom_xmat[g, 8]) < 1.0 - 1e-9
                           or abs(data.geom_xpos[g, 2] - height) < 1e-9)
        #: Geoms of the World's model held here: the static ones, then the moving ones.
        self.source = np.concatenate([np.flatnonzero(crossing),
                                      np.flatnonzero(candidate & ~static)])
        self._moving = self.source[int(crossing.sum()):]
        self._slots = np.arange(int(crossing.sum()), self.source.size)
        self.model = self._compile(model, data)
        self.data = mujoco.MjData(self.model)
        mujoco.mj_kinematics(self.model, self.data)
        self._moving_radius = model.geom_rbound[self._moving]
        self._mesh_frames = self._moving_mesh_frames()
        self.refresh(data)

    def _moving_mesh_frames(self) -> tuple[np.ndarray, np.ndarray] | None:
        """For moving geoms: where the compiler put each copied mesh's frame relative to
        the original geom frame (it re-centres mesh vertices), or None without meshes."""
        cm = self.model
        mesh = cm.geom_dataid[self._slots]
        is_mesh = cm.geom_type[self._slots] == mujoco.mjtGeom.mjGEOM_MESH
        if not is_mesh.any():
            return None
        pos = np.zeros((len(self._slots), 3))
        rot = np.tile(np.eye(3), (len(self._slots), 1, 1))
        for i in np.flatnonzero(is_mesh):
            pos[i] = cm.mesh_pos[mesh[i]]
            mujoco.mju_quat2Mat(rot[i].reshape(9), cm.mesh_quat[mesh[i]])
        return pos, rot

    def _compile(self, model: mujoco.MjModel, data: mujoco.MjData) -> mujoco.MjModel:
        spec = mujoco.MjSpec()
        quat = np.empty(4)
        for g in self.source:
            kind = mujoco.mjtGeom(model.geom_type[g])
            mujoco.mju_mat2Quat(quat, data.geom_xmat[g])
            geom = spec.worldbody.add_geom(type=kind, size=model.geom_size[g].tolist(),
                                           pos=data.geom_xpos[g].tolist(), quat=quat.tolist())
            if kind == mujoco.mjtGeom.mjGEOM_MESH:
                mesh = int(model.geom_dataid[g])
                v0, nv = model.mesh_vertadr[mesh], model.mesh_vertnum[mesh]
                f0, nf = model.mesh_faceadr[mesh], model.mesh_facenum[mesh]
                spec.add_mesh(name=f"mesh{g}", uservert=model.mesh_vert[v0:v0 + nv].ravel().tolist(),
                              userface=model.mesh_face[f0:f0 + nf].ravel().tolist())
                geom.meshname = f"mesh{g}"
            elif kind not in self._PRIMITIVES:
                raise ConfigError("range scan", model.geom(g).name,
                                  reason=f"geoms of type {kind.name} crossing the scan plane are "
                                         "not supported")
        return spec.compile()

    def refresh(self, data: mujoco.MjData) -> None:
        """Copy the moving geoms' current poses; scan those whose bounding sphere crosses
        the plane (cheap, and never drops a geom that crosses it)."""
        if self._moving.size:
            pos, mat = data.geom_xpos[self._moving], data.geom_xmat[self._moving]
            if self._mesh_frames is not None:
                offset, turn = self._mesh_frames
                rot = mat.reshape(-1, 3, 3)
                pos = pos + np.einsum("nij,nj->ni", rot, offset)
                mat = (rot @ turn).reshape(-1, 9)
            self.data.geom_xpos[self._slots] = pos
            self.data.geom_xmat[self._slots] = mat
            off = np.abs(data.geom_xpos[self._moving, 2] - self.height) > self._moving_radius
            self.model.geom_group[self._slots] = np.where(off, self.IGNORED, self.SCANNED)

    def cast(self, origin: np.ndarray, directions: np.ndarray, geom_out: np.ndarray,
             dist_out: np.ndarray, cutoff: float) -> None:
        """mj_multiRay from ``origin`` along ``directions`` (n, 3); ``geom_out`` gets indices
        into :attr:`source` (-1: no hit)."""
        mujoco.mj_multiRay(self.model, self.data, origin, directions.ravel(), self.GROUPS, 1, -1,
                           geom_out, dist_out, None, len(dist_out), cutoff)


def _aabb_spans_height(model: mujoco.MjModel, data: mujoco.MjData, geoms: np.ndarray,
                       height: float) -> np.ndarray:
    """Whether each geom's world bounding box spans ``height``."""
    aabb = model.geom_aabb[geoms]
    z_axis = data.geom_xmat[geoms, 6:9]        # world z in each geom's frame
    z = data.geom_xpos[geoms, 2] + np.einsum("ij,ij->i", z_axis, aabb[:, :3])
    reach = np.einsum("ij,ij->i", np.abs(z_axis), aabb[:, 3:])
    return np.abs(z - height) <= reach


# -- state sensors -----------------------------------------------------------------------------
@dataclass
class GoalGPSCompass(Sensor):
    """``[distance, bearing]`` to :attr:`goal` (world x, y) in the robot frame; the task sets
    ``goal`` at each episode start. Bearing is counter-clockwise from the heading."""

    goal: tuple[float, float] = (0.0, 0.0)
    name: str = "goal_gps_compass"

    @property
    def space(self):
        return _box(np.array([0.0, -np.pi], np.float32), np.array([np.inf, np.pi], np.float32))

    def bind(self, world, robot):
        self._base = robot.handles.base_body

    def read(self, world, robot, images):
        d = world.data
        p, mat = d.xpos[self._base], d.xmat[self._base]
        dx, dy = self.goal[0] - p[0], self.goal[1] - p[1]
        bearing = np.arctan2(dy, dx) - np.arctan2(mat[3], mat[0])
        bearing = (bearing + np.pi) % (2 * np.pi) - np.pi
        return np.array([np.hypot(dx, dy), bearing], dtype=np.float32)


@dataclass
class HumanoidGPSCompass(Sensor):
    """Position of a humanoid relative to the robot, in the robot frame: ``cartesian``
    ``[x forward, y left]`` (m) or ``polar`` ``[distance, bearing]``."""

    humanoid: str = "human0"
    mode: str = "cartesian"
    name: str = "humanoid_gps_compass"

    def __post_init__(self):
        check_choice("mode", self.mode, ("cartesian", "polar"))

    @property
    def space(self):
        if self.mode == "polar":
            return _box(np.array([0.0, -np.pi], np.float32), np.array([np.inf, np.pi], np.float32))
        return _box(-np.inf, np.inf, (2,))

    def bind(self, world, robot):
        bodies = world.body_names(f"{self.humanoid}/")
        if not bodies:
            raise ConfigError("humanoid", self.humanoid, reason="no bodies with this prefix in the World")
        self._human = world.body_id(bodies[0])   # the root comes first in tree order
        self._base = robot.handles.base_body

    def read(self, world, robot, images):
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
class JointPositions(Sensor):
    """Positions of the torso, arm, head and finger joints (m or rad); sized at bind."""

    name: str = "joint_positions"
    _size: int = field(default=0, init=False, repr=False)

    @staticmethod
    def _joints(robot) -> list[str]:
        c = robot.constants
        torso = [c.torso_joint] if c.torso_joint else []
        return [*torso, *c.arm_joints, *c.head_joints, *c.finger_joints]

    @property
    def space(self):
        if not self._size:
            raise RuntimeError(f"sensor {self.name!r}: call SensorSuite.observation_space(world) "
                               f"for its space (its size depends on the embodiment)")
        return _box(-np.inf, np.inf, (self._size,))

    def bind(self, world, robot):
        ids = [world.joint_id(robot.full_name(j)) for j in self._joints(robot)]
        self._qpos = np.array([world.model.jnt_qposadr[j] for j in ids])
        self._dof = np.array([world.model.jnt_dofadr[j] for j in ids])
        self._size = len(ids)

    def read(self, world, robot, images):
        return world.data.qpos[self._qpos].astype(np.float32)


@dataclass
class JointVelocities(JointPositions):
    """Velocities of the same joints as :class:`JointPositions`."""

    name: str = "joint_velocities"

    def read(self, world, robot, images):
        return world.data.qvel[self._dof].astype(np.float32)


@dataclass
class IsHolding(Sensor):
    """``[1]`` while the robot holds an object, else ``[0]``."""

    name: str = "is_holding"

    @property
    def space(self):
        return _box(0.0, 1.0, (1,))

    def read(self, world, robot, images):
        return np.array([robot.state.held_body >= 0], dtype=np.float32)


@dataclass
class BaseVelocity(Sensor):
    """Measured ``[forward m/s, angular rad/s]`` of the base in its own frame."""

    name: str = "base_velocity"

    @property
    def space(self):
        return _box(-np.inf, np.inf, (2,))

    def bind(self, world, robot):
        h = robot.handles
        self._yaw, self._dof = int(h.base_qpos[2]), h.base_dof

    def read(self, world, robot, images):
        d = world.data
        yaw = d.qpos[self._yaw]
        vx, vy, wz = d.qvel[self._dof]
        return np.array([vx * np.cos(yaw) + vy * np.sin(yaw), wz], dtype=np.float32)


# -- the suite ------------------------------------------------------------------------------------
class SensorSuite:
    """Reads a set of sensors of one robot from a World.

    Args:
        robot: the robot the sensors are mounted on.
        sensors: sensors with unique names.
        profile: render profile of the image sensors (``"fast"`` for observations).
    """

    def __init__(self, robot: "Robot", sensors: Sequence[Sensor], profile: str = "fast"):
        names = [s.name for s in sensors]
        if len(set(names)) != len(names):
            raise ConfigError("sensors", names, reason="sensor names must be unique")
        for s in sensors:
            check_choice(f"{s.name}.cost", s.cost, COSTS)
        self.robot = robot
        self.sensors = {s.name: s for s in sensors}
        self._images = _Images(profile)
        self._bound_model = None

    def _bind(self, world: "World") -> None:
        if self._bound_model is not world.model:
            for s in self.sensors.values():
                s.bind(world, self.robot)
            self._bound_model = world.model

    def observation_space(self, world: "World") -> gym.spaces.Dict:
        """The spaces of all sensors (some are sized by the model, hence the World)."""
        self._bind(world)
        return gym.spaces.Dict({n: s.space for n, s in self.sensors.items()})

    def read(self, world: "World", names: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """Read all sensors (or those in ``names``) from ``world``'s current state."""
        self._bind(world)   # World.step and World.restore leave poses current
        self._images.frame.clear()
        robot, images = self.robot, self._images
        sensors = self.sensors.values() if names is None else (self.sensors[n] for n in names)
        return {s.name: s.read(world, robot, images) for s in sensors}

    def close(self) -> None:
        self._images.close()


def default_sensors(width: int = 128, height: int = 128) -> list[Sensor]:
    """The full sensor set of a mobile manipulator in the anchor's tasks."""
    return [HeadRGB(width, height), HeadDepth(width, height), HeadSemantic(width, height),
            ArmRGB(width, height), ArmDepth(width, height), RangeScan(),
            GoalGPSCompass(), HumanoidGPSCompass(), HumanoidDetector(width, height, "head", "humanoid_detector"),
            JointPositions(), JointVelocities(), IsHolding(), BaseVelocity()]
