"""Grasping for the robot: the oracle ("magic") grasp that snaps the nearest graspable
object into the hand and sets it down at rest on the surface below, and the physics
grasp's test of what both finger pads pinch."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mujoco
import numpy as np

from embodied.geometry import yaw_of_xmat
from embodied.sim.kinematic import (FreeBody, Hold, body_extent, holder_of, lowest_point,
                                    quat_mul, rotate)

if TYPE_CHECKING:
    from embodied.agents.robot.robot import Robot
    from embodied.sim.world import World

_PLACE_CLEARANCE = 1e-3  # gap left under an object set down by an oracle place (m)
_FINGER_GAP = 2e-3       # gap left between a finger pad and an object held by the oracle (m)


def hand_yaw(robot: "Robot", world: "World") -> float:
    return float(yaw_of_xmat(world.data.xmat[robot.handles.hand_body]))


def nearest_graspable(robot: "Robot", world: "World") -> int:
    """The graspable body nearest the grasp site within the grasp radius, or -1."""
    h = robot.handles
    g = h.graspable
    if len(g) == 0:
        return -1
    dist = np.linalg.norm(world.data.xipos[g] - world.data.site_xpos[h.grasp_site], axis=1)
    best = int(np.argmin(dist))
    return int(g[best]) if dist[best] <= robot.config.grasp_radius else -1


def oracle_grasp(robot: "Robot", world: "World", body: int | None = None) -> bool:
    """Snap the nearest graspable object within reach into the hand (``body`` instead,
    however far it is, when given); whether one was taken."""
    state = robot.state
    if state.hold is not None:
        return True
    if body is None:
        body = nearest_graspable(robot, world)
    if body < 0 or holder_of(world, body, robot) is not None:
        state.gripper_closed = False
        return False
    m, data, h = world.model, world.data, robot.handles
    fb = FreeBody.of(m, body)
    _, quat = fb.pose(data)
    com_offset = data.xipos[body] - data.xpos[body]
    fb.set_pose(data, data.site_xpos[h.grasp_site] - com_offset, quat)
    mujoco.mj_kinematics(m, data)
    state.hold = Hold.grab(m, data, body, h.hand_body)
    state.held_body = body
    state.grasp_quat = quat
    state.grasp_hand_yaw = hand_yaw(robot, world)
    state.finger_hold = holding_opening(robot, world, body)
    return True


def holding_opening(robot: "Robot", world: "World", body: int) -> float:
    """The finger opening that closes the pads to just outside ``body`` (centred in the
    hand): the oracle holds the object itself, so the fingers must not squeeze it (their
    force would push the robot and kick the object when it is let go)."""
    c, h, data, m = robot.constants, robot.handles, world.data, world.model
    left, right = (data.geom_xpos[g] for g in h.pad_geoms)
    axis = right - left
    span = float(np.linalg.norm(axis))
    if span < 1e-9:
        return c.finger_closed
    axis /= span
    pad = max(float(np.abs(data.geom_xmat[g].reshape(3, 3).T @ axis) @ m.geom_aabb[g, 3:])
              for g in h.pad_geoms)
    inner = 0.5 * span - pad                  # centre of the hand to a pad's inner face
    half = max(body_extent(world, body, axis), body_extent(world, body, -axis))
    opening = float(np.mean(data.qpos[h.finger_qpos])) - (inner - half - _FINGER_GAP)
    lo, hi = sorted((c.finger_closed, c.finger_open))
    return min(max(opening, lo), hi)


def oracle_release(robot: "Robot", world: "World", above=None) -> None:
    """Let go of the held object, set down upright (as it was when grasped, turned with the
    hand) at rest on the surface below it (below the point ``above``, x y z, when given:
    the object's centre is moved there first)."""
    state = robot.state
    body = state.held_body
    turn = np.empty(4)
    mujoco.mju_axisAngle2Quat(turn, np.array([0, 0, 1.0]), hand_yaw(robot, world) - state.grasp_hand_yaw)
    state.hold.release(world.model, world.data)
    state.hold = None
    state.held_body = -1
    state.finger_hold = None
    if above is not None:
        fb = FreeBody.of(world.model, body)
        pos, quat = fb.pose(world.data)
        fb.set_pose(world.data, pos + np.asarray(above, float) - world.data.xipos[body], quat)
        mujoco.mj_kinematics(world.model, world.data)
    set_down(world, body, quat_mul(turn, state.grasp_quat), robot.handles.own_geom)
    state.grasp_quat = None


def set_down(world: "World", body: int, quat: np.ndarray, ignored_geoms: np.ndarray) -> None:
    """Turn ``body`` to orientation ``quat`` about its centre of mass and put it at rest on
    the first surface below it that is not one of ``ignored_geoms`` (a boolean mask over
    geoms: the robot's own)."""
    m, data = world.model, world.data
    fb = FreeBody.of(m, body)
    com = data.xipos[body].copy()
    pos = com - rotate(quat, m.body_ipos[body])
    fb.set_pose(data, pos, quat)
    mujoco.mj_kinematics(m, data)
    bottom = lowest_point(m, data, body)
    surface = surface_below(world, data.xipos[body], body, ignored_geoms)
    pos = pos.copy()
    pos[2] += surface - bottom + _PLACE_CLEARANCE
    fb.set_pose(data, pos, quat)
    mujoco.mj_kinematics(m, data)


def surface_below(world: "World", start: np.ndarray, body: int, ignored_geoms: np.ndarray) -> float:
    """Height of the first surface straight below ``start`` that is not ``body`` or an
    ignored geom (floor: 0)."""
    m, data = world.model, world.data
    point, down = np.array(start, dtype=float), np.array([0.0, 0.0, -1.0])
    geom = np.zeros(1, dtype=np.int32)
    exclude = body
    for _ in range(8):
        dist = mujoco.mj_ray(m, data, point, down, None, 1, exclude, geom)
        if dist < 0:
            return 0.0
        hit = int(geom[0])
        if not ignored_geoms[hit] and m.geom_bodyid[hit] != body:
            return float(point[2] - dist)
        point[2] -= dist + 1e-4       # below what is ignored; ``body`` stays excluded
        exclude = body if m.geom_bodyid[hit] != body else exclude
    return 0.0


def pinched_body(robot: "Robot", world: "World") -> int:
    """The graspable body both finger pads touch while the gripper is closed, or -1."""
    if not robot.state.gripper_closed:
        return -1
    data, m, h = world.data, world.model, robot.handles
    geoms = data.contact.geom[:data.ncon]
    touched = []
    for pad in h.pad_geoms:
        hit = geoms[(geoms == pad).any(axis=1)]
        others = np.where(hit[:, 0] == pad, hit[:, 1], hit[:, 0])
        touched.append(set(m.geom_bodyid[others].tolist()))
    common = touched[0] & touched[1] & set(h.graspable.tolist())
    return min(common) if common else -1
