"""The private articulated skeleton of one avatar: posing and forward kinematics.

Each control step the humanoid turns its gait (and, when reaching or carrying, its
upper-body joint angles) into a full joint configuration of this small model, runs
``mj_kinematics`` and reads the world pose of every link. The World's mocap bodies are
then moved to those poses.
"""

from __future__ import annotations

import math

import mujoco
import numpy as np

from embodied.agents.humanoid import constants as C
from embodied.agents.humanoid.body import BodyShape, build_skeleton_spec
from embodied.agents.humanoid.gait import Gait, leg_ik
from embodied.geometry import wrap_angle

#: Joints driven by reaching/carrying (spine and arms), in a fixed order.
UPPER_JOINTS: tuple[str, ...] = tuple(
    j for link in (C.ABDOMEN, C.CHEST, C.UPPER_ARM["l"], C.FOREARM["l"], C.HAND["l"],
                   C.UPPER_ARM["r"], C.FOREARM["r"], C.HAND["r"])
    for j, _ in C.JOINTS[link])
ARM_JOINTS = {s: tuple(j for j in UPPER_JOINTS if j.endswith(f"_{s}")) for s in C.SIDES}


class Skeleton:
    """Forward kinematics of one body shape (model shared by copies, data private)."""

    def __init__(self, shape: BodyShape, model: mujoco.MjModel | None = None):
        self.shape = shape
        self.model = model if model is not None else build_skeleton_spec(shape).compile()
        self.data = mujoco.MjData(self.model)
        m = self.model
        self.body_ids = [mujoco.mj_name2id(m, mujoco.mjtObj.mjOBJ_BODY, n) for n in C.LINKS]
        if self.body_ids != list(range(1, len(C.LINKS) + 1)):
            raise AssertionError("skeleton links must be bodies 1..17 in LINKS order")
        self.qadr = {m.joint(j).name: int(m.jnt_qposadr[j]) for j in range(m.njnt)}
        self.upper_adr = [self.qadr[j] for j in UPPER_JOINTS]
        self.site_ids = {m.site(i).name: i for i in range(m.nsite)}
        self.q = [0.0] * m.nq          # the configuration being assembled
        self.q[3] = 1.0
        a = self.qadr
        self._leg_adr = [(a[f"hip_flex_{s}"], a[f"hip_abduct_{s}"], a[f"hip_twist_{s}"], a[f"knee_{s}"],
                          a[f"ankle_pitch_{s}"], a[f"ankle_roll_{s}"], a[f"ankle_twist_{s}"])
                         for s in C.SIDES]
        # per side (l, r): shoulder flex, abduct, twist, elbow, wrist flex, wrist deviation
        self._arm_adr = [tuple(a[f"{j}_{s}"] for j in ("shoulder_flex", "shoulder_abduct", "shoulder_twist",
                                                       "elbow", "wrist_flex", "wrist_dev"))
                         for s in C.SIDES]
        self._shin = [self.body_ids[C.LINKS.index(C.SHIN[s])] for s in C.SIDES]
        self.leg_reached = [True, True]

    def __deepcopy__(self, memo):
        return Skeleton(self.shape, self.model)

    # -- posing ------------------------------------------------------------------------
    def pose_from_gait(self, gait: Gait, upper: list[float] | None = None,
                       override: tuple[int, ...] | None = None, drop: float = 0.0,
                       extra_pitch: float = 0.0,
                       swing_arms: tuple[bool, bool] = (True, True)) -> None:
        """Assemble the configuration for the gait's current state and run kinematics.

        ``upper`` (values for :data:`UPPER_JOINTS`) replaces the gait's spine and arm
        angles, all of them or only the indices in ``override``; ``swing_arms`` turns
        the walking arm swing on per side (left, right). ``drop``/``extra_pitch``
        crouch and bend the pelvis (feet stay planted).
        """
        q, a, shape = self.q, self.qadr, self.shape
        (px, py, pz), (yaw, roll, pitch), yaw_osc = gait.pelvis(drop, extra_pitch)
        # pelvis quaternion = qz(yaw) * qx(roll) * qy(pitch)
        cz, sz = math.cos(0.5 * yaw), math.sin(0.5 * yaw)
        cx, sx = math.cos(0.5 * roll), math.sin(0.5 * roll)
        cy, sy = math.cos(0.5 * pitch), math.sin(0.5 * pitch)
        w0, x0, y0, z0 = cz * cx, cz * sx, sz * sx, sz * cx
        q[0], q[1], q[2] = px, py, pz
        q[3] = w0 * cy - y0 * sy
        q[4] = cy * x0 - z0 * sy
        q[5] = w0 * sy + cy * y0
        q[6] = cy * z0 + x0 * sy
        c_yaw, s_yaw = math.cos(yaw), math.sin(yaw)
        c_roll, s_roll = math.cos(roll), math.sin(roll)
        c_pit, s_pit = math.cos(pitch), math.sin(pitch)
        half_hip = 0.5 * shape.hip_width
        cr_h = half_hip * c_roll
        hips = ((px - cr_h * s_yaw, py + cr_h * c_yaw, pz + half_hip * s_roll),
                (px + cr_h * s_yaw, py - cr_h * c_yaw, pz - half_hip * s_roll))
        feet = gait.feet(hips)
        fwd = [0.0, 0.0]
        l1, l2 = shape.thigh_length, shape.shin_length
        for i, (fx, fy, fz, fyaw, _) in enumerate(feet):
            vx, vy, vz = fx - px, fy - py, fz - pz
            # into the pelvis frame: Ry(-pitch) Rx(-roll) Rz(-yaw) v
            hx = c_yaw * vx + s_yaw * vy
            hy = -s_yaw * vx + c_yaw * vy
            fwd[i] = hx
            ry_ = c_roll * hy + s_roll * vz
            rz_ = -s_roll * hy + c_roll * vz
            dx = c_pit * hx - s_pit * rz_
            dz = s_pit * hx + c_pit * rz_
            dy = ry_ - (half_hip if i == 0 else -half_hip)
            twist = wrap_angle(fyaw - yaw)
            flex, abduct, knee, ok = leg_ik(dx, dy, dz, twist, l1, l2)
            self.leg_reached[i] = ok
            hf, ha, ht, kn, ap, ar, at = self._leg_adr[i]
            q[hf], q[ha], q[ht], q[kn], q[ap], q[ar], q[at] = flex, abduct, twist, knee, 0.0, 0.0, 0.0
        speed = min(abs(gait.state.v), 1.5)
        if upper is None or override is not None:
            q[a["lumbar_flex"]] = 0.02 + 0.03 * speed
            q[a["lumbar_bend"]] = -roll
            q[a["lumbar_twist"]] = -0.6 * yaw_osc
            q[a["thoracic_flex"]] = 0.0
            q[a["thoracic_bend"]] = 0.0
            q[a["thoracic_twist"]] = -0.8 * yaw_osc
            k = gait.config.arm_swing
            abduct = 0.07 * shape.torso_girth + 0.03
            for (flex, abd, twist, elbow, wrist_flex, wrist_dev), other, sign, on in (
                    (self._arm_adr[0], 1, 1.0, swing_arms[0]), (self._arm_adr[1], 0, -1.0, swing_arms[1])):
                if not on:
                    continue
                swing = -k * fwd[other] if gait.state.stepping else 0.0
                q[flex] = swing
                q[abd] = sign * abduct
                q[twist] = 0.0
                q[elbow] = -(0.18 + 0.3 * speed) + 0.6 * min(swing, 0.0)
                q[wrist_flex] = 0.0
                q[wrist_dev] = 0.0
        if upper is not None:
            if override is None:
                for adr, value in zip(self.upper_adr, upper):
                    q[adr] = value
            else:
                for i in override:
                    q[self.upper_adr[i]] = upper[i]
        # keep the head level, looking along the heading and into turns
        q[a["neck_twist"]] = 0.6 * yaw_osc + max(-0.5, min(0.5, 0.35 * gait.state.w))
        q[a["neck_flex"]] = -0.5 * (pitch + q[a["lumbar_flex"]] + q[a["thoracic_flex"]])
        q[a["head_nod"]] = 0.5 * q[a["neck_flex"]]
        data = self.data
        data.qpos[:] = q
        mujoco.mj_kinematics(self.model, data)
        # ankles: turn each foot to its heading, flat or pitched (rolled / swinging)
        for i, (_, _, _, fyaw, fpitch) in enumerate(feet):
            s = data.xmat[self._shin[i]].tolist()
            cpsi, spsi = math.cos(fyaw), math.sin(fyaw)
            cth, sth = math.cos(fpitch), math.sin(fpitch)
            d0 = (cpsi * cth, spsi * cth, -sth)       # foot x axis in the world
            d1 = (-spsi, cpsi, 0.0)                   # foot y axis
            d2 = (cpsi * sth, spsi * sth, cth)        # foot z axis
            # ankle rotation M = S^T D = Ry(pitch) Rx(roll) Rz(twist)
            m02 = s[0] * d2[0] + s[3] * d2[1] + s[6] * d2[2]
            m22 = s[2] * d2[0] + s[5] * d2[1] + s[8] * d2[2]
            m12 = s[1] * d2[0] + s[4] * d2[1] + s[7] * d2[2]
            m10 = s[1] * d0[0] + s[4] * d0[1] + s[7] * d0[2]
            m11 = s[1] * d1[0] + s[4] * d1[1] + s[7] * d1[2]
            _, _, _, _, ap, ar, at = self._leg_adr[i]
            q[ap] = math.atan2(m02, m22)
            q[ar] = math.atan2(-m12, math.hypot(m10, m11))
            q[at] = math.atan2(m10, m11)
            data.qpos[ap] = q[ap]
            data.qpos[ar] = q[ar]
            data.qpos[at] = q[at]
        mujoco.mj_kinematics(self.model, data)

    # -- reading ------------------------------------------------------------------------
    def link_poses(self, pos_out: np.ndarray, quat_out: np.ndarray) -> None:
        """Copy the world poses of all links (LINKS order) into (17, 3) and (17, 4) arrays."""
        n = len(C.LINKS)
        pos_out[:] = self.data.xpos[1:n + 1]
        quat_out[:] = self.data.xquat[1:n + 1]

    def site_pos(self, name: str) -> np.ndarray:
        return self.data.site_xpos[self.site_ids[name]].copy()
