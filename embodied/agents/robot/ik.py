"""Arm inverse kinematics of the robot: damped least squares on the arm joints towards a
world pose of the grasp site, solved on a scratch copy of the World's configuration."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mujoco
import numpy as np

if TYPE_CHECKING:
    from embodied.agents.robot.robot import Robot
    from embodied.sim.world import World


def ik_data(robot: "Robot", world: "World") -> mujoco.MjData:
    """Scratch data holding the world's configuration with the arm at its targets."""
    if robot._scratch is None or robot._scratch.qpos.shape != world.data.qpos.shape:
        robot._scratch = mujoco.MjData(world.model)
    d = robot._scratch
    h = robot.handles
    d.qpos[:] = world.data.qpos
    d.mocap_pos[:], d.mocap_quat[:] = world.data.mocap_pos, world.data.mocap_quat
    d.qpos[h.arm_qpos] = robot.state.arm_target
    d.qpos[h.torso_qpos] = robot.state.torso_target
    mujoco.mj_kinematics(world.model, d)
    return d


def pose_error(robot: "Robot", d: mujoco.MjData, pos: np.ndarray, quat: np.ndarray) -> np.ndarray:
    """Position error and weighted rotation error (world frame) of the grasp site."""
    site = robot.handles.grasp_site
    cur, err_q, err_r = np.empty(4), np.empty(4), np.empty(3)
    mujoco.mju_mat2Quat(cur, d.site_xmat[site])
    mujoco.mju_mulQuat(err_q, quat, np.array([cur[0], -cur[1], -cur[2], -cur[3]]))
    mujoco.mju_quat2Vel(err_r, err_q, 1.0)
    return np.concatenate([pos - d.site_xpos[site], robot.config.ik_orientation_weight * err_r])


def solve_arm_ik(robot: "Robot", world: "World", pos: np.ndarray, quat: np.ndarray) -> float:
    """Set the arm targets so the grasp site reaches the world pose (``pos``, ``quat``) as
    closely as the joint ranges allow; returns the remaining (weighted) pose error. Call
    after :func:`ik_data` has filled the scratch data."""
    h, cfg, m = robot.handles, robot.config, world.model
    d = robot._scratch
    w = cfg.ik_orientation_weight
    q = robot.state.arm_target.copy()
    jacp, jacr = np.zeros((3, m.nv)), np.zeros((3, m.nv))
    reg = cfg.ik_damping ** 2 * np.eye(6)
    err = pose_error(robot, d, pos, quat)
    for _ in range(cfg.ik_iterations):
        if np.linalg.norm(err) < cfg.ik_tolerance:
            break
        mujoco.mj_comPos(m, d)
        mujoco.mj_jacSite(m, d, jacp, jacr, h.grasp_site)
        jac = np.vstack([jacp[:, h.arm_dof], w * jacr[:, h.arm_dof]])
        q = np.clip(q + jac.T @ np.linalg.solve(jac @ jac.T + reg, err), h.arm_low, h.arm_high)
        d.qpos[h.arm_qpos] = q
        mujoco.mj_kinematics(m, d)
        err = pose_error(robot, d, pos, quat)
    robot.state.arm_target = q
    return float(np.linalg.norm(err))
