"""The ``fetch`` embodiment: a Fetch-like wheeled mobile manipulator built from primitives.

Sizes and masses follow the Fetch robot: a 0.56 m round base (about 70 kg) on planar
joints, a 0.38 m torso lift, a 7-DOF arm reaching about 1.1 m from the shoulder, a
parallel gripper opening 10 cm, and a pan/tilt head with an RGB-D camera at about 1.05 m.
The base geoms stay 3 cm off the floor (the wheels are decoration), so the base cannot tip;
velocity actuators with force limits drive it, so walls, furniture and humanoids stop it
and light objects get pushed. Arm, torso and head are gravity-compensated position servos.
"""

from __future__ import annotations

import itertools

import mujoco
import numpy as np

from embodied.agents.robot.embodiment import Embodiment, register_embodiment
from embodied.agents.robot.fetch_constants import ARM_JOINTS, FETCH as C
from embodied.sim import collision

_LIMITED = mujoco.mjtLimited.mjLIMITED_TRUE
_ALONG_X = [np.cos(np.pi / 4), 0.0, np.sin(np.pi / 4), 0.0]   # cylinder axis z -> x
_ALONG_Y = [np.cos(np.pi / 4), np.sin(np.pi / 4), 0.0, 0.0]   # cylinder axis z -> y

# Palette: white shells, graphite base, blue joint covers.
_MATERIALS = {
    "shell": dict(rgba=[0.92, 0.92, 0.90, 1.0], specular=0.4, shininess=0.5),
    "graphite": dict(rgba=[0.22, 0.23, 0.25, 1.0], specular=0.3, shininess=0.3),
    "joint": dict(rgba=[0.16, 0.36, 0.72, 1.0], specular=0.5, shininess=0.6),
    "rubber": dict(rgba=[0.06, 0.06, 0.06, 1.0], specular=0.1, shininess=0.1),
    "lens": dict(rgba=[0.02, 0.02, 0.03, 1.0], specular=0.9, shininess=0.9),
    "pad": dict(rgba=[0.35, 0.35, 0.38, 1.0], specular=0.2, shininess=0.2),
}

# (joint, parent-relative body position, axis, range, position gain, damping, force limit)
_ARM = (
    ("shoulder_pan", (0.12, 0.0, 0.35), (0, 0, 1), (-1.6, 1.6), 1500.0, 70.0, 100.0),
    ("shoulder_lift", (0.117, 0.0, 0.06), (0, 1, 0), (-1.22, 1.52), 2000.0, 90.0, 120.0),
    ("upperarm_roll", (0.219, 0.0, 0.0), (1, 0, 0), (-np.pi, np.pi), 900.0, 40.0, 60.0),
    ("elbow_flex", (0.133, 0.0, 0.0), (0, 1, 0), (-2.25, 2.25), 1200.0, 50.0, 80.0),
    ("forearm_roll", (0.197, 0.0, 0.0), (1, 0, 0), (-np.pi, np.pi), 450.0, 15.0, 30.0),
    ("wrist_flex", (0.1245, 0.0, 0.0), (0, 1, 0), (-2.18, 2.18), 450.0, 15.0, 30.0),
    ("wrist_roll", (0.1385, 0.0, 0.0), (1, 0, 0), (-np.pi, np.pi), 180.0, 6.0, 15.0),
)


def _camera_quat_looking_along_x(pitch_down: float = 0.0) -> np.ndarray:
    """Quaternion of a camera looking along the body's +x (MuJoCo cameras look along -z)."""
    c, s = np.cos(pitch_down), np.sin(pitch_down)
    forward = np.array([c, 0.0, -s])
    up = np.array([s, 0.0, c])
    right = np.cross(forward, up)
    mat = np.column_stack([right, up, -forward]).ravel()
    quat = np.empty(4)
    mujoco.mju_mat2Quat(quat, mat)
    return quat


class _Builder:
    """Small helpers so the body layout below reads like a parts list."""

    def __init__(self):
        self.spec = mujoco.MjSpec()
        self.spec.modelname = "fetch"
        self.spec.compiler.degree = False  # every angle below is in radians
        for name, props in _MATERIALS.items():
            self.spec.add_material(name=name, **props)

    def geom(self, body, name=None, *, type, size, pos=(0, 0, 0), quat=None, fromto=None,
             material="shell", mass=None, collide=True, **extra):
        g = body.add_geom(type=type, size=list(size) + [0.0] * (3 - len(size)),
                          pos=list(pos), material=material, **extra)
        if name:
            g.name = name
        if quat is not None:
            g.quat = list(quat)
        if fromto is not None:
            g.fromto = list(fromto)
        collision.apply(g, collision.DYNAMIC if collide else collision.VISUAL)
        g.group = collision.GROUP_VISUAL
        if mass is not None:
            g.mass = mass
        elif not collide:
            g.density = 0.0
        return g

    def servo(self, joint: str, kp: float, force: float) -> None:
        act = self.spec.add_actuator(name=f"{joint}_pos", target=joint,
                                     trntype=mujoco.mjtTrn.mjTRN_JOINT)
        act.set_to_position(kp=kp, inheritrange=True)
        act.forcelimited, act.forcerange = _LIMITED, [-force, force]

    def velocity(self, name: str, joint: str, kv: float, limit: float, force: float) -> None:
        act = self.spec.add_actuator(name=name, target=joint, trntype=mujoco.mjtTrn.mjTRN_JOINT)
        act.set_to_velocity(kv=kv)
        act.ctrllimited, act.ctrlrange = _LIMITED, [-limit, limit]
        act.forcelimited, act.forcerange = _LIMITED, [-force, force]


def build_fetch_spec() -> mujoco.MjSpec:
    """The robot's spec, origin on the floor at the base centre, facing +x."""
    b = _Builder()
    box, cyl, cap, sph = (mujoco.mjtGeom.mjGEOM_BOX, mujoco.mjtGeom.mjGEOM_CYLINDER,
                          mujoco.mjtGeom.mjGEOM_CAPSULE, mujoco.mjtGeom.mjGEOM_SPHERE)

    # -- base: planar joints, velocity driven -----------------------------------------------
    base = b.spec.worldbody.add_body(name=C.base_body)
    for joint, axis in zip(C.base_joints, ([1, 0, 0], [0, 1, 0], [0, 0, 1])):
        kind = mujoco.mjtJoint.mjJNT_HINGE if joint == C.base_joints[2] else mujoco.mjtJoint.mjJNT_SLIDE
        base.add_joint(name=joint, type=kind, axis=axis)
    b.geom(base, "base_shell", type=cyl, size=(C.base_radius, 0.16), pos=(0, 0, 0.19),
           material="graphite", mass=60.0)
    b.geom(base, type=cyl, size=(C.base_radius - 0.01, 0.012), pos=(0, 0, 0.355), collide=False)
    b.geom(base, type=cyl, size=(C.base_radius + 0.004, 0.02), pos=(0, 0, 0.09),
           material="rubber", collide=False)                            # bumper
    for side in (1, -1):
        b.geom(base, type=cyl, size=(0.065, 0.022), pos=(0, side * 0.205, 0.065),
               quat=_ALONG_Y, material="rubber", collide=False)         # drive wheels
    for x in (0.2, -0.2):
        b.geom(base, type=sph, size=(0.03,), pos=(x, 0, 0.03), material="rubber", collide=False)
    b.geom(base, type=box, size=(0.03, 0.07, 0.022), pos=(0.262, 0, 0.25),
           material="lens", collide=False)                              # laser window
    base.add_site(name=C.scan_site, pos=[0.25, 0.0, 0.25], size=[0.01, 0, 0])
    # Fixed sleeve the torso slides in.
    b.geom(base, "torso_sleeve", type=box, size=(0.12, 0.15, 0.18), pos=(-0.085, 0, 0.53),
           mass=10.0)

    # -- torso lift ---------------------------------------------------------------------------
    torso = base.add_body(name="torso_lift_link", pos=[-0.085, 0, 0.377], gravcomp=1.0)
    torso.add_joint(name=C.torso_joint, type=mujoco.mjtJoint.mjJNT_SLIDE, axis=[0, 0, 1],
                    range=[0.0, 0.38], limited=_LIMITED, damping=900.0, armature=5.0)
    b.geom(torso, "torso_column", type=box, size=(0.1, 0.13, 0.42), pos=(0, 0, 0.18), mass=10.0)
    b.geom(torso, type=box, size=(0.101, 0.131, 0.016), pos=(0, 0, 0.587), material="joint",
           collide=False)
    b.geom(torso, type=box, size=(0.03, 0.07, 0.06), pos=(0.115, 0, 0.35), material="graphite",
           collide=False)                                               # shoulder mount
    b.servo(C.torso_joint, kp=8000.0, force=2000.0)

    # -- head: pan / tilt with an RGB-D camera -------------------------------------------------
    pan = torso.add_body(name="head_pan_link", pos=[0.053, 0, 0.603], gravcomp=1.0)
    pan.add_joint(name=C.head_joints[0], type=mujoco.mjtJoint.mjJNT_HINGE, axis=[0, 0, 1],
                  range=[-1.57, 1.57], limited=_LIMITED, damping=3.0, armature=0.05)
    b.geom(pan, type=cyl, size=(0.05, 0.03), pos=(0, 0, 0.03), material="graphite", mass=1.0)
    tilt = pan.add_body(name="head_tilt_link", pos=[0.1425, 0, 0.058], gravcomp=1.0)
    tilt.add_joint(name=C.head_joints[1], type=mujoco.mjtJoint.mjJNT_HINGE, axis=[0, 1, 0],
                   range=[-0.76, 1.45], limited=_LIMITED, damping=3.0, armature=0.05)
    b.geom(tilt, "head_shell", type=box, size=(0.085, 0.14, 0.065), pos=(-0.03, 0, 0.015),
           mass=2.0)
    b.geom(tilt, type=box, size=(0.004, 0.12, 0.035), pos=(0.057, 0, 0.02),
           material="graphite", collide=False)                          # face plate
    for y in (0.045, -0.045):
        b.geom(tilt, type=cyl, size=(0.017, 0.006), pos=(0.061, y, 0.02), quat=_ALONG_X,
               material="lens", collide=False)                          # camera lenses
    tilt.add_camera(name=C.head_camera, pos=[0.07, 0, 0.02], quat=list(_camera_quat_looking_along_x()),
                    fovy=58.0)
    b.servo(C.head_joints[0], kp=60.0, force=20.0)
    b.servo(C.head_joints[1], kp=60.0, force=20.0)

    # -- arm: 7 revolute joints ---------------------------------------------------------------
    parent = torso
    links = {}
    for joint, pos, axis, rng, kp, damping, force in _ARM:
        link = parent.add_body(name=f"{joint}_link", pos=list(pos), gravcomp=1.0)
        link.add_joint(name=joint, type=mujoco.mjtJoint.mjJNT_HINGE, axis=list(axis),
                       range=list(rng), limited=_LIMITED, damping=damping, armature=0.1)
        b.servo(joint, kp=kp, force=force)
        links[joint] = parent = link
    b.geom(links["shoulder_pan"], "shoulder_pan_shell", type=cyl, size=(0.065, 0.06),
           pos=(0.03, 0, 0.03), material="joint", mass=2.5)
    b.geom(links["shoulder_lift"], "shoulder_lift_shell", type=cyl, size=(0.06, 0.065),
           quat=_ALONG_Y, material="shell", mass=1.3)
    b.geom(links["shoulder_lift"], type=cap, size=(0.055,), fromto=(0.04, 0, 0, 0.17, 0, 0),
           mass=1.3)
    b.geom(links["upperarm_roll"], "upperarm_shell", type=cap, size=(0.055,),
           fromto=(0.0, 0, 0, 0.09, 0, 0), material="joint", mass=2.3)
    b.geom(links["elbow_flex"], "elbow_shell", type=cyl, size=(0.055, 0.06), quat=_ALONG_Y,
           material="shell", mass=1.1)
    b.geom(links["elbow_flex"], type=cap, size=(0.05,), fromto=(0.04, 0, 0, 0.15, 0, 0),
           mass=1.1)
    b.geom(links["forearm_roll"], "forearm_shell", type=cap, size=(0.05,),
           fromto=(0.0, 0, 0, 0.07, 0, 0), material="joint", mass=1.6)
    b.geom(links["wrist_flex"], "wrist_flex_shell", type=cyl, size=(0.045, 0.05), quat=_ALONG_Y,
           material="shell", mass=0.9)
    b.geom(links["wrist_flex"], type=cap, size=(0.045,), fromto=(0.035, 0, 0, 0.1, 0, 0),
           mass=0.8)

    # -- gripper on the wrist-roll link -----------------------------------------------------
    hand = links["wrist_roll"]
    b.geom(hand, "wrist_roll_shell", type=cyl, size=(0.045, 0.02), pos=(0.02, 0, 0),
           quat=_ALONG_X, material="joint", mass=0.3)
    b.geom(hand, "palm", type=box, size=(0.045, 0.075, 0.032), pos=(0.085, 0, 0),
           material="graphite", mass=0.9)
    for finger_joint, pad, side in zip(C.finger_joints, C.finger_pads, (1, -1)):
        finger = hand.add_body(name=f"{finger_joint}_link", pos=[0.13, 0, 0], gravcomp=1.0)
        finger.add_joint(name=finger_joint, type=mujoco.mjtJoint.mjJNT_SLIDE,
                         axis=[0, side, 0], range=[C.finger_closed, C.finger_open],
                         limited=_LIMITED, damping=20.0, armature=0.5)
        b.geom(finger, pad, type=box, size=(0.03, 0.006, 0.013), pos=(0.03, side * 0.006, 0),
               material="pad", mass=0.08, condim=4, friction=[1.5, 0.02, 0.001])
        b.servo(finger_joint, kp=1500.0, force=40.0)
    hand.add_site(name=C.grasp_site, pos=[0.165, 0, 0], size=[0.008, 0, 0])
    hand.add_camera(name=C.arm_camera, pos=[0.07, 0, 0.045],
                    quat=list(_camera_quat_looking_along_x(np.radians(12))), fovy=70.0)
    b.geom(hand, type=box, size=(0.015, 0.02, 0.01), pos=(0.065, 0, 0.04), material="lens",
           collide=False)

    # -- base velocity actuators ------------------------------------------------------------
    b.velocity(C.base_actuators[0], C.base_joints[0], kv=2500.0, limit=1.5, force=600.0)
    b.velocity(C.base_actuators[1], C.base_joints[1], kv=2500.0, limit=1.5, force=600.0)
    b.velocity(C.base_actuators[2], C.base_joints[2], kv=300.0, limit=3.0, force=250.0)

    # No self-collision: the arm may fold over the base, and the torso slides in its sleeve.
    names = [body.name for body in b.spec.bodies if body.name and body.name != "world"]
    for a, c in itertools.combinations(names, 2):
        b.spec.add_exclude(bodyname1=a, bodyname2=c)
    return b.spec


register_embodiment("fetch", Embodiment(constants=C, build_spec=build_fetch_spec))
