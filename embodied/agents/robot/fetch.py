"""The ``fetch`` embodiment: a Fetch-like wheeled mobile manipulator built from primitives.

Sizes and masses follow the Fetch robot: a 0.56 m round base (about 70 kg) on planar
joints, a 0.38 m torso lift, a 7-DOF arm reaching about 1.1 m from the shoulder, a
parallel gripper opening 10 cm, and a pan/tilt head with an RGB-D camera at about 1.05 m.
The base geoms stay 3 cm off the floor (the wheels are decoration), so the base cannot tip;
velocity actuators with force limits drive it, so walls, furniture and humanoids stop it
and light objects get pushed. Arm, torso and head are gravity-compensated position servos.
"""

from __future__ import annotations

import mujoco
import numpy as np

from embodied.agents.robot.embodiment import Embodiment, register_embodiment
from embodied.agents.robot.fetch_constants import FETCH as C
from embodied.agents.robot.parts import (ALONG_X, ALONG_Y, BOX, CAPSULE, CYLINDER, HINGE,
                                         SLIDE, SPHERE, SpecBuilder, camera_quat_looking_along_x)

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


def build_fetch_spec() -> mujoco.MjSpec:
    """The robot's spec, origin on the floor at the base centre, facing +x."""
    b = SpecBuilder("fetch")

    # -- base: planar joints, velocity driven -----------------------------------------------
    base = b.planar_base(C, kv_linear=2500.0, force_linear=600.0, kv_yaw=300.0, torque_yaw=250.0)
    b.geom(base, "base_shell", type=CYLINDER, size=(C.base_radius, 0.16), pos=(0, 0, 0.19),
           material="graphite", mass=60.0)
    b.geom(base, type=CYLINDER, size=(C.base_radius - 0.01, 0.012), pos=(0, 0, 0.355),
           collide=False)
    b.geom(base, type=CYLINDER, size=(C.base_radius + 0.004, 0.02), pos=(0, 0, 0.09),
           material="rubber", collide=False)                            # bumper
    for side in (1, -1):
        b.geom(base, type=CYLINDER, size=(0.065, 0.022), pos=(0, side * 0.205, 0.065),
               quat=ALONG_Y, material="rubber", collide=False)          # drive wheels
    for x in (0.2, -0.2):
        b.geom(base, type=SPHERE, size=(0.03,), pos=(x, 0, 0.03), material="rubber",
               collide=False)                                           # casters
    b.geom(base, type=BOX, size=(0.03, 0.07, 0.022), pos=(0.262, 0, 0.25),
           material="lens", collide=False)                              # laser window
    base.add_site(name=C.scan_site, pos=[0.25, 0.0, 0.25], size=[0.01, 0, 0])
    # Fixed sleeve the torso slides in.
    b.geom(base, "torso_sleeve", type=BOX, size=(0.12, 0.15, 0.18), pos=(-0.085, 0, 0.53),
           mass=10.0)

    # -- torso lift ---------------------------------------------------------------------------
    torso = base.add_body(name="torso_lift_link", pos=[-0.085, 0, 0.377], gravcomp=1.0)
    b.joint(torso, C.torso_joint, SLIDE, [0, 0, 1], (0.0, 0.38), damping=900.0, armature=5.0)
    b.geom(torso, "torso_column", type=BOX, size=(0.1, 0.13, 0.42), pos=(0, 0, 0.18), mass=10.0)
    b.geom(torso, type=BOX, size=(0.101, 0.131, 0.016), pos=(0, 0, 0.587), material="joint",
           collide=False)
    b.geom(torso, type=BOX, size=(0.03, 0.07, 0.06), pos=(0.115, 0, 0.35), material="graphite",
           collide=False)                                               # shoulder mount
    b.servo(C.torso_joint, kp=8000.0, force=2000.0)

    # -- head: pan / tilt with an RGB-D camera -------------------------------------------------
    pan = torso.add_body(name="head_pan_link", pos=[0.053, 0, 0.603], gravcomp=1.0)
    b.joint(pan, C.head_joints[0], HINGE, [0, 0, 1], (-1.57, 1.57), damping=3.0, armature=0.05)
    b.geom(pan, type=CYLINDER, size=(0.05, 0.03), pos=(0, 0, 0.03), material="graphite", mass=1.0)
    tilt = pan.add_body(name="head_tilt_link", pos=[0.1425, 0, 0.058], gravcomp=1.0)
    b.joint(tilt, C.head_joints[1], HINGE, [0, 1, 0], (-0.76, 1.45), damping=3.0, armature=0.05)
    b.geom(tilt, "head_shell", type=BOX, size=(0.085, 0.14, 0.065), pos=(-0.03, 0, 0.015),
           mass=2.0)
    b.geom(tilt, type=BOX, size=(0.004, 0.12, 0.035), pos=(0.057, 0, 0.02),
           material="graphite", collide=False)                          # face plate
    for y in (0.045, -0.045):
        b.geom(tilt, type=CYLINDER, size=(0.017, 0.006), pos=(0.061, y, 0.02), quat=ALONG_X,
               material="lens", collide=False)                          # camera lenses
    tilt.add_camera(name=C.head_camera, pos=[0.07, 0, 0.02], quat=camera_quat_looking_along_x(),
                    fovy=58.0)
    b.servo(C.head_joints[0], kp=60.0, force=20.0)
    b.servo(C.head_joints[1], kp=60.0, force=20.0)

    # -- arm: 7 revolute joints ---------------------------------------------------------------
    parent = torso
    links = {}
    for joint, pos, axis, rng, kp, damping, force in _ARM:
        link = parent.add_body(name=f"{joint}_link", pos=list(pos), gravcomp=1.0)
        b.joint(link, joint, HINGE, axis, rng, damping=damping, armature=0.1)
        b.servo(joint, kp=kp, force=force)
        links[joint] = parent = link
    b.geom(links["shoulder_pan"], "shoulder_pan_shell", type=CYLINDER, size=(0.065, 0.06),
           pos=(0.03, 0, 0.03), material="joint", mass=2.5)
    b.geom(links["shoulder_lift"], "shoulder_lift_shell", type=CYLINDER, size=(0.06, 0.065),
           quat=ALONG_Y, material="shell", mass=1.3)
    b.geom(links["shoulder_lift"], type=CAPSULE, size=(0.055,), fromto=(0.04, 0, 0, 0.17, 0, 0),
           mass=1.3)
    b.geom(links["upperarm_roll"], "upperarm_shell", type=CAPSULE, size=(0.055,),
           fromto=(0.0, 0, 0, 0.09, 0, 0), material="joint", mass=2.3)
    b.geom(links["elbow_flex"], "elbow_shell", type=CYLINDER, size=(0.055, 0.06), quat=ALONG_Y,
           material="shell", mass=1.1)
    b.geom(links["elbow_flex"], type=CAPSULE, size=(0.05,), fromto=(0.04, 0, 0, 0.15, 0, 0),
           mass=1.1)
    b.geom(links["forearm_roll"], "forearm_shell", type=CAPSULE, size=(0.05,),
           fromto=(0.0, 0, 0, 0.07, 0, 0), material="joint", mass=1.6)
    b.geom(links["wrist_flex"], "wrist_flex_shell", type=CYLINDER, size=(0.045, 0.05),
           quat=ALONG_Y, material="shell", mass=0.9)
    b.geom(links["wrist_flex"], type=CAPSULE, size=(0.045,), fromto=(0.035, 0, 0, 0.1, 0, 0),
           mass=0.8)

    # -- gripper on the wrist-roll link -----------------------------------------------------
    hand = links["wrist_roll"]
    b.geom(hand, "wrist_roll_shell", type=CYLINDER, size=(0.045, 0.02), pos=(0.02, 0, 0),
           quat=ALONG_X, material="joint", mass=0.3)
    b.geom(hand, "palm", type=BOX, size=(0.045, 0.075, 0.032), pos=(0.085, 0, 0),
           material="graphite", mass=0.9)
    b.parallel_gripper(hand, C, x=0.13)
    hand.add_camera(name=C.arm_camera, pos=[0.07, 0, 0.045],
                    quat=camera_quat_looking_along_x(np.radians(12)), fovy=70.0)
    b.geom(hand, type=BOX, size=(0.015, 0.02, 0.01), pos=(0.065, 0, 0.04), material="lens",
           collide=False)

    # The arm may fold over the base, and the torso slides in its sleeve.
    b.exclude_self_collisions()
    return b.spec


register_embodiment("fetch", Embodiment(constants=C, build_spec=build_fetch_spec))
