"""The planar range scan, cast into a compact scene of only the geoms that can cross its
plane (MuJoCo's ray casting pays for every geom it is given)."""

from __future__ import annotations

from dataclasses import dataclass, field

import mujoco
import numpy as np

from embodied.errors import ConfigError, check_range
from embodied.geometry import yaw_of_xmat
from embodied.sensors.base import Sensor, box


@dataclass
class RangeScan(Sensor):
    """Planar range scan from the agent's laser site (``site``, an alias the agent resolves:
    ``"scan"`` on robots): ``num_rays`` distances (m) spread evenly over ``fov`` radians
    centred on the heading (counter-clockwise), ``max_range`` where nothing is hit. The
    agent's own geoms are invisible to it."""

    num_rays: int = 64
    fov: float = 1.5 * np.pi
    max_range: float = 10.0
    name: str = "range_scan"
    site: str = "scan"
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
        return box(0.0, self.max_range, (self.num_rays,))

    def bind(self, world, agent):
        self._site = world.site_id(agent.site(self.site))
        self._plane = None   # built at the first read, when poses are current
        self._own_geoms = world.geoms_of(agent.prefix)

    def read(self, world, agent, images):
        d = world.data
        height = float(d.site_xpos[self._site, 2])
        if self._plane is None or abs(height - self._plane.height) > 1e-6:
            self._plane = ScanPlane(world.model, d, height, self._own_geoms)
        self._plane.refresh(d)
        mat = d.site_xmat[self._site]
        heading = yaw_of_xmat(mat)
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
