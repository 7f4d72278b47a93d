"""Building blocks shared by the embodiments: a spec builder with materials, geoms in the
right collision group, servos, a planar velocity-driven base, a parallel gripper."""

from __future__ import annotations

import itertools

import mujoco
import numpy as np

from embodied.agents.robot.embodiment import EmbodimentConstants
from embodied.sim import collision

LIMITED = mujoco.mjtLimited.mjLIMITED_TRUE
ALONG_X = [np.cos(np.pi / 4), 0.0, np.sin(np.pi / 4), 0.0]   # cylinder axis z -> x
ALONG_Y = [np.cos(np.pi / 4), np.sin(np.pi / 4), 0.0, 0.0]   # cylinder axis z -> y
BOX, CYLINDER, CAPSULE, SPHERE = (mujoco.mjtGeom.mjGEOM_BOX, mujoco.mjtGeom.mjGEOM_CYLINDER,
                                  mujoco.mjtGeom.mjGEOM_CAPSULE, mujoco.mjtGeom.mjGEOM_SPHERE)
HINGE, SLIDE = mujoco.mjtJoint.mjJNT_HINGE, mujoco.mjtJoint.mjJNT_SLIDE

# Default palette: white shells, graphite, blue joint covers.
MATERIALS = {
    "shell": dict(rgba=[0.92, 0.92, 0.90, 1.0], specular=0.4, shininess=0.5),
    "graphite": dict(rgba=[0.22, 0.23, 0.25, 1.0], specular=0.3, shininess=0.3),
    "joint": dict(rgba=[0.16, 0.36, 0.72, 1.0], specular=0.5, shininess=0.6),
    "rubber": dict(rgba=[0.06, 0.06, 0.06, 1.0], specular=0.1, shininess=0.1),
    "lens": dict(rgba=[0.02, 0.02, 0.03, 1.0], specular=0.9, shininess=0.9),
    "pad": dict(rgba=[0.35, 0.35, 0.38, 1.0], specular=0.2, shininess=0.2),
}


def camera_quat_looking_along_x(pitch_down: float = 0.0) -> list[float]:
    """Quaternion of a camera looking along the body's +x (MuJoCo cameras look along -z)."""
    c, s = np.cos(pitch_down), np.sin(pitch_down)
    forward = np.array([c, 0.0, -s])
    up = np.array([s, 0.0, c])
    right = np.cross(forward, up)
    quat = np.empty(4)
    mujoco.mju_mat2Quat(quat, np.column_stack([right, up, -forward]).ravel())
    return list(quat)


class SpecBuilder:
    """Small helpers so an embodiment's layout reads like a parts list."""

    def __init__(self, model_name: str, materials: dict | None = None):
        self.spec = mujoco.MjSpec()
        self.spec.modelname = model_name
        self.spec.compiler.degree = False  # every angle is in radians
        for name, props in {**MATERIALS, **(materials or {})}.items():
            self.spec.add_material(name=name, **props)

    def geom(self, body, name=None, *, type, size, pos=(0, 0, 0), quat=None, fromto=None,
             material="shell", mass=None, collide=True, visible=True, **extra):
        """A geom; colliding ones are DYNAMIC, decoration is VISUAL and massless; invisible
        ones (collision envelopes) go to the hidden collision group."""
        g = body.add_geom(type=type, size=list(size) + [0.0] * (3 - len(size)),
                          pos=list(pos), material=material, **extra)
        if name:
            g.name = name
        if quat is not None:
            g.quat = list(quat)
        if fromto is not None:
            g.fromto = list(fromto)
        collision.apply(g, collision.DYNAMIC if collide else collision.VISUAL)
        g.group = collision.GROUP_VISUAL if visible else collision.GROUP_COLLISION
        if mass is not None:
            g.mass = mass
        elif not collide:
            g.density = 0.0
        return g

    def joint(self, body, name: str, kind, axis, range_=None, damping=0.0, armature=0.0):
        j = body.add_joint(name=name, type=kind, axis=list(axis), damping=damping,
                           armature=armature)
        if range_ is not None:
            j.limited, j.range = LIMITED, list(range_)
        return j

    def servo(self, joint: str, kp: float, force: float) -> None:
        """A position actuator named ``<joint>_pos`` with the joint's range and a force limit."""
        act = self.spec.add_actuator(name=f"{joint}_pos", target=joint,
                                     trntype=mujoco.mjtTrn.mjTRN_JOINT)
        act.set_to_position(kp=kp, inheritrange=True)
        act.forcelimited, act.forcerange = LIMITED, [-force, force]

    def velocity(self, name: str, target: str, kv: float, limit: float, force: float, *,
                 site_axis=None) -> None:
        """A force-limited velocity actuator on joint ``target``, or, with ``site_axis``, on
        site ``target`` along that axis of the site frame (a body-frame velocity)."""
        if site_axis is None:
            act = self.spec.add_actuator(name=name, target=target,
                                         trntype=mujoco.mjtTrn.mjTRN_JOINT)
        else:
            act = self.spec.add_actuator(name=name, target=target,
                                         trntype=mujoco.mjtTrn.mjTRN_SITE,
                                         gear=list(site_axis) + [0.0, 0.0, 0.0])
        act.set_to_velocity(kv=kv)
        act.ctrllimited, act.ctrlrange = LIMITED, [-limit, limit]
        act.forcelimited, act.forcerange = LIMITED, [-force, force]

    def planar_base(self, c: EmbodimentConstants, *, kv_linear: float, force_linear: float,
                    kv_yaw: float, torque_yaw: float):
        """The base body on slide x, slide y and hinge yaw joints, driven by velocity
        actuators along the base's own forward and lateral axes and about its yaw axis
        (force-limited, so obstacles stop it). Because they act in the base frame, a
        command holds over all physics substeps of a control step without re-aiming.
        Returns the base body."""
        base = self.spec.worldbody.add_body(name=c.base_body)
        for joint, axis, kind in zip(c.base_joints, ([1, 0, 0], [0, 1, 0], [0, 0, 1]),
                                     (SLIDE, SLIDE, HINGE)):
            base.add_joint(name=joint, type=kind, axis=axis)
        drive = f"{c.base_body}_drive"
        base.add_site(name=drive, size=[0.01, 0, 0], group=collision.GROUP_COLLISION)
        self.velocity(c.base_actuators[0], drive, kv_linear, 1.5, force_linear,
                      site_axis=(1, 0, 0))
        self.velocity(c.base_actuators[1], drive, kv_linear, 1.5, force_linear,
                      site_axis=(0, 1, 0))
        self.velocity(c.base_actuators[2], c.base_joints[2], kv_yaw, 3.0, torque_yaw)
        return base

    def parallel_gripper(self, hand, c: EmbodimentConstants, x: float, *, pad_length=0.03,
                         pad_height=0.013, grasp_depth=0.035, kp=1500.0, force=40.0) -> None:
        """Two fingers sliding along the hand's y axis from ``x`` forward, and the grasp site
        between their pads."""
        for finger_joint, pad, side in zip(c.finger_joints, c.finger_pads, (1, -1)):
            finger = hand.add_body(name=f"{finger_joint}_link", pos=[x, 0, 0], gravcomp=1.0)
            self.joint(finger, finger_joint, SLIDE, [0, side, 0], (c.finger_closed, c.finger_open),
                       damping=20.0, armature=0.5)
            self.geom(finger, pad, type=BOX, size=(pad_length, 0.006, pad_height),
                      pos=(pad_length, side * 0.006, 0), material="pad", mass=0.08, condim=4,
                      friction=[1.5, 0.02, 0.001])
            self.servo(finger_joint, kp=kp, force=force)
        hand.add_site(name=c.grasp_site, pos=[x + grasp_depth, 0, 0], size=[0.008, 0, 0])

    def exclude_self_collisions(self) -> None:
        """No contacts between any two of the robot's own bodies."""
        names = [b.name for b in self.spec.bodies if b.name and b.name != "world"]
        for a, b in itertools.combinations(names, 2):
            self.spec.add_exclude(bodyname1=a, bodyname2=b)
