"""Kinematic handling of free bodies: reading and writing their poses, holding them, and
their extent (collision bounding boxes about the centre of mass).

A held object (a humanoid's pick, a robot's oracle "magic" grasp) follows its holder
rigidly: each physics substep its free joint is set to ``holder_pose * relative_pose``
with the holder's velocity, so it moves without lag and never drifts. The holding
entity keeps the :class:`Hold` in its state, so snapshots restore grasps exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mujoco
import numpy as np

if TYPE_CHECKING:
    from embodied.sim.world import World


@dataclass(frozen=True)
class FreeBody:
    """Addresses of a body with a free joint."""

    body_id: int
    qpos_adr: int
    dof_adr: int

    @classmethod
    def of(cls, model: mujoco.MjModel, body_id: int) -> "FreeBody":
        jnt = model.body_jntadr[body_id]
        if jnt < 0 or model.jnt_type[jnt] != mujoco.mjtJoint.mjJNT_FREE:
            raise ValueError(f"body {model.body(body_id).name!r} has no free joint")
        return cls(body_id, int(model.jnt_qposadr[jnt]), int(model.jnt_dofadr[jnt]))

    def pose(self, data: mujoco.MjData) -> tuple[np.ndarray, np.ndarray]:
        q = data.qpos[self.qpos_adr:self.qpos_adr + 7]
        return q[:3].copy(), q[3:].copy()

    def set_pose(self, data: mujoco.MjData, pos, quat, linvel=None, angvel=None) -> None:
        data.qpos[self.qpos_adr:self.qpos_adr + 3] = pos
        data.qpos[self.qpos_adr + 3:self.qpos_adr + 7] = quat
        v = data.qvel[self.dof_adr:self.dof_adr + 6]
        v[:3] = 0.0 if linvel is None else linvel
        v[3:] = 0.0 if angvel is None else angvel


def quat_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.empty(4)
    mujoco.mju_mulQuat(out, np.asarray(a, float), np.asarray(b, float))
    return out


def quat_conj(q: np.ndarray) -> np.ndarray:
    return np.array([q[0], -q[1], -q[2], -q[3]], dtype=float)


def rotate(quat: np.ndarray, vec: np.ndarray) -> np.ndarray:
    out = np.empty(3)
    mujoco.mju_rotVecQuat(out, np.asarray(vec, float), np.asarray(quat, float))
    return out


def relative_pose(parent_pos, parent_quat, child_pos, child_quat):
    """Pose of the child in the parent's frame."""
    inv = quat_conj(parent_quat)
    return rotate(inv, np.asarray(child_pos) - parent_pos), quat_mul(inv, child_quat)


def compose(parent_pos, parent_quat, rel_pos, rel_quat):
    """World pose of a frame given in the parent's frame."""
    return parent_pos + rotate(parent_quat, rel_pos), quat_mul(parent_quat, rel_quat)


@dataclass(frozen=True)
class Hold:
    """An object rigidly attached to a holder body at a fixed relative pose."""

    object_body: int
    holder_body: int
    rel_pos: tuple[float, float, float]
    rel_quat: tuple[float, float, float, float]

    @classmethod
    def grab(cls, model, data, object_body: int, holder_body: int) -> "Hold":
        """Attach ``object_body`` where it is now, relative to ``holder_body``."""
        fb = FreeBody.of(model, object_body)
        obj_pos, obj_quat = fb.pose(data)
        rel_p, rel_q = relative_pose(data.xpos[holder_body], data.xquat[holder_body], obj_pos, obj_quat)
        return cls(object_body, holder_body, tuple(rel_p), tuple(rel_q))

    def apply(self, model, data) -> None:
        """Move the object to its place on the holder (call before each substep).

        The kinematics are refreshed first, so the holder's pose is the one the coming
        substep starts from. The object's weight is carried by an applied force (part of
        the World's snapshot state), so it does not sag during the substep.
        """
        mujoco.mj_kinematics(model, data)
        fb = FreeBody.of(model, self.object_body)
        pos, quat = compose(data.xpos[self.holder_body], data.xquat[self.holder_body],
                            np.asarray(self.rel_pos), np.asarray(self.rel_quat))
        fb.set_pose(data, pos, quat)
        data.xfrc_applied[self.object_body, :3] = -model.opt.gravity * model.body_subtreemass[self.object_body]

    def release(self, model, data) -> None:
        """Stop carrying the object's weight (call when letting go)."""
        data.xfrc_applied[self.object_body] = 0.0


def body_boxes(world: "World", body: int):
    """The body's collision bounding boxes: (centre relative to its centre of mass, world
    rotation, half sizes) each."""
    m, data = world.model, world.data
    com = data.xipos[body]
    for g in range(m.body_geomadr[body], m.body_geomadr[body] + m.body_geomnum[body]):
        if m.geom_contype[g] == 0 and m.geom_conaffinity[g] == 0:
            continue
        rot = data.geom_xmat[g].reshape(3, 3)
        yield data.geom_xpos[g] + rot @ m.geom_aabb[g, :3] - com, rot, m.geom_aabb[g, 3:]


def body_extent(world: "World", body: int, direction) -> float:
    """How far the body's collision boxes reach from its centre of mass along
    ``direction`` (a unit vector)."""
    u = np.asarray(direction, float)
    return max([0.0] + [float(u @ c + np.abs(rot.T @ u) @ half)
                        for c, rot, half in body_boxes(world, body)])


def body_radius(world: "World", body: int) -> float:
    """Radius of a sphere about the body's centre of mass holding its collision boxes."""
    return max((float(np.linalg.norm(c) + np.linalg.norm(half))
                for c, _, half in body_boxes(world, body)), default=0.0)


def lowest_point(m: mujoco.MjModel, data: mujoco.MjData, body: int) -> float:
    """Lowest world height of the body's collision geoms (from their bounding boxes)."""
    lowest = np.inf
    for g in range(m.body_geomadr[body], m.body_geomadr[body] + m.body_geomnum[body]):
        if m.geom_contype[g] == 0 and m.geom_conaffinity[g] == 0:
            continue
        rot = data.geom_xmat[g].reshape(3, 3)
        center, half = m.geom_aabb[g, :3], m.geom_aabb[g, 3:]
        z = data.geom_xpos[g, 2] + rot[2] @ center - np.abs(rot[2]) @ half
        lowest = min(lowest, z)
    return float(lowest) if np.isfinite(lowest) else float(data.xpos[body, 2])


def holder_of(world: "World", body: int, besides=None) -> str | None:
    """The name of the entity (other than ``besides``) holding ``body``, or None."""
    name = world.model.body(int(body)).name
    for entity in world.entities.values():
        held = getattr(entity, "held_object", None)
        if entity is not besides and held is not None and held(world) == name:
            return entity.name
    return None
