"""The ``spot`` embodiment: a Spot-like quadruped body with a 6-DOF arm, from primitives.

Sizes follow Boston Dynamics' Spot with its arm: a 1.1 m x 0.5 m body standing about
0.6 m tall (about 32 kg), a 6-DOF arm on the front of the back (about 8 kg), a parallel
gripper and a fixed front camera. As in Habitat's Spot, walking is abstracted: the body
moves on planar joints driven by force-limited velocity actuators, the legs are
decoration over a collision envelope that stays 10 cm off the floor.
"""

from __future__ import annotations

import mujoco
import numpy as np

from embodied.agents.robot.embodiment import Embodiment, register_embodiment
from embodied.agents.robot.parts import (ALONG_X, ALONG_Y, BOX, CAPSULE, CYLINDER, HINGE,
                                         SPHERE, SpecBuilder, camera_quat_looking_along_x)
from embodied.agents.robot.spot_constants import SPOT as C

_YELLOW = {"paint": dict(rgba=[0.97, 0.76, 0.08, 1.0], specular=0.5, shininess=0.6)}

# (joint, parent-relative body position, axis, range, position gain, damping, force limit)
_ARM = (
    ("arm_sh0", (0.29, 0.0, 0.11), (0, 0, 1), (-2.6, 3.1), 1200.0, 60.0, 90.0),
    ("arm_sh1", (0.0, 0.0, 0.0), (0, 1, 0), (-3.1, 0.4), 1600.0, 80.0, 120.0),
    ("arm_el0", (0.3385, 0.0, 0.0), (0, 1, 0), (0.0, 3.1), 1000.0, 45.0, 80.0),
    ("arm_el1", (0.1, 0.0, 0.075), (1, 0, 0), (-2.8, 2.8), 400.0, 15.0, 30.0),
    ("arm_wr0", (0.3, 0.0, 0.0), (0, 1, 0), (-1.8, 1.8), 400.0, 15.0, 30.0),
    ("arm_wr1", (0.0, 0.0, 0.0), (1, 0, 0), (-2.9, 2.9), 150.0, 5.0, 15.0),
)
_BODY_Z = 0.52    # body centre height when standing


def build_spot_spec() -> mujoco.MjSpec:
    """The robot's spec, origin on the floor under the body centre, facing +x."""
    b = SpecBuilder("spot", _YELLOW)
    body = b.planar_base(C, kv_linear=1200.0, force_linear=350.0, kv_yaw=120.0, torque_yaw=120.0)
    b.geom(body, "body_shell", type=BOX, size=(0.42, 0.12, 0.085), pos=(0, 0, _BODY_Z),
           material="paint", mass=22.0)
    b.geom(body, type=BOX, size=(0.44, 0.095, 0.06), pos=(0, 0, _BODY_Z - 0.01),
           material="graphite", collide=False)                          # belly and bumpers
    b.geom(body, type=BOX, size=(0.06, 0.11, 0.05), pos=(0.43, 0, _BODY_Z - 0.005),
           material="graphite", collide=False)                          # front sensor head
    for y in (0.05, -0.05):
        b.geom(body, type=CYLINDER, size=(0.02, 0.005), pos=(0.49, y, _BODY_Z), quat=ALONG_X,
               material="lens", collide=False)
    # Legs: decoration, with one collision envelope around them.
    b.geom(body, "leg_envelope", type=BOX, size=(0.48, 0.24, 0.2), pos=(0, 0, 0.3),
           mass=8.0, visible=False)
    for x in (0.3, -0.3):
        for side in (1, -1):
            hip = np.array([x, side * 0.11, _BODY_Z - 0.03])
            knee = hip + [0.06 if x < 0 else -0.06, side * 0.05, -0.25]
            foot = np.array([x, side * 0.165, 0.025])
            b.geom(body, type=SPHERE, size=(0.05,), pos=hip, material="graphite", collide=False)
            b.geom(body, type=CAPSULE, size=(0.04,), fromto=(*hip, *knee), material="paint",
                   collide=False)
            b.geom(body, type=CAPSULE, size=(0.022,), fromto=(*knee, *foot), material="graphite",
                   collide=False)
            b.geom(body, type=SPHERE, size=(0.028,), pos=foot, material="rubber", collide=False)
    body.add_site(name=C.scan_site, pos=[0.5, 0, _BODY_Z - 0.03], size=[0.01, 0, 0])
    body.add_camera(name=C.head_camera, pos=[0.5, 0, _BODY_Z],
                    quat=camera_quat_looking_along_x(np.radians(15)), fovy=70.0)

    parent, links = body, {}
    for joint, pos, axis, rng, kp, damping, force in _ARM:
        offset = np.array(pos) + ([0, 0, _BODY_Z] if joint == "arm_sh0" else 0)
        link = parent.add_body(name=f"{joint}_link", pos=list(offset), gravcomp=1.0)
        b.joint(link, joint, HINGE, axis, rng, damping=damping, armature=0.1)
        b.servo(joint, kp=kp, force=force)
        links[joint] = parent = link
    b.geom(links["arm_sh0"], "sh0_shell", type=CYLINDER, size=(0.06, 0.04), pos=(0, 0, 0.0),
           material="graphite", mass=1.5)
    b.geom(links["arm_sh1"], "sh1_shell", type=CYLINDER, size=(0.055, 0.06), quat=ALONG_Y,
           material="graphite", mass=0.8)
    b.geom(links["arm_sh1"], "upper_arm", type=CAPSULE, size=(0.04,),
           fromto=(0.04, 0, 0, 0.32, 0, 0), material="paint", mass=1.6)
    b.geom(links["arm_el0"], "el0_shell", type=CYLINDER, size=(0.045, 0.05), quat=ALONG_Y,
           material="graphite", mass=0.6)
    b.geom(links["arm_el0"], type=CAPSULE, size=(0.035,), fromto=(0.0, 0, 0.0, 0.1, 0, 0.075),
           material="graphite", mass=0.4)
    b.geom(links["arm_el1"], "forearm", type=CAPSULE, size=(0.038,),
           fromto=(0.0, 0, 0, 0.26, 0, 0), material="paint", mass=1.4)
    b.geom(links["arm_wr0"], "wr0_shell", type=CYLINDER, size=(0.04, 0.045), quat=ALONG_Y,
           material="graphite", mass=0.5)
    hand = links["arm_wr1"]
    b.geom(hand, "wrist", type=CYLINDER, size=(0.04, 0.03), pos=(0.04, 0, 0), quat=ALONG_X,
           material="graphite", mass=0.4)
    b.geom(hand, "palm", type=BOX, size=(0.03, 0.07, 0.03), pos=(0.09, 0, 0),
           material="paint", mass=0.6)
    b.parallel_gripper(hand, C, x=0.12)
    hand.add_camera(name=C.arm_camera, pos=[0.08, 0, 0.04],
                    quat=camera_quat_looking_along_x(np.radians(12)), fovy=70.0)
    b.geom(hand, type=BOX, size=(0.012, 0.018, 0.008), pos=(0.08, 0, 0.034), material="lens",
           collide=False)
    b.exclude_self_collisions()
    return b.spec


register_embodiment("spot", Embodiment(constants=C, build_spec=build_spot_spec))
