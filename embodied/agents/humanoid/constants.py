"""Names of the humanoid's links, joints and sites (tasks use these, never literals).

Every name is local to one humanoid; in a World it is prefixed with the entity's
prefix, e.g. ``human0/hand_r`` (see :func:`scoped`).
"""

from __future__ import annotations

#: Links in kinematic-tree order (parents before children). In a World each link is one
#: mocap body with the same name.
PELVIS = "pelvis"
ABDOMEN = "abdomen"
CHEST = "chest"
NECK = "neck"
HEAD = "head"
UPPER_ARM = {"l": "upper_arm_l", "r": "upper_arm_r"}
FOREARM = {"l": "forearm_l", "r": "forearm_r"}
HAND = {"l": "hand_l", "r": "hand_r"}
THIGH = {"l": "thigh_l", "r": "thigh_r"}
SHIN = {"l": "shin_l", "r": "shin_r"}
FOOT = {"l": "foot_l", "r": "foot_r"}

LINKS: tuple[str, ...] = (
    PELVIS, ABDOMEN, CHEST, NECK, HEAD,
    UPPER_ARM["l"], FOREARM["l"], HAND["l"],
    UPPER_ARM["r"], FOREARM["r"], HAND["r"],
    THIGH["l"], SHIN["l"], FOOT["l"],
    THIGH["r"], SHIN["r"], FOOT["r"],
)
PARENT: dict[str, str | None] = {
    PELVIS: None, ABDOMEN: PELVIS, CHEST: ABDOMEN, NECK: CHEST, HEAD: NECK,
    UPPER_ARM["l"]: CHEST, FOREARM["l"]: UPPER_ARM["l"], HAND["l"]: FOREARM["l"],
    UPPER_ARM["r"]: CHEST, FOREARM["r"]: UPPER_ARM["r"], HAND["r"]: FOREARM["r"],
    THIGH["l"]: PELVIS, SHIN["l"]: THIGH["l"], FOOT["l"]: SHIN["l"],
    THIGH["r"]: PELVIS, SHIN["r"]: THIGH["r"], FOOT["r"]: SHIN["r"],
}

#: Hinge joints per link, in the order they are applied (axes: x forward, y left, z up).
JOINTS: dict[str, tuple[tuple[str, str], ...]] = {
    ABDOMEN: (("lumbar_flex", "y"), ("lumbar_bend", "x"), ("lumbar_twist", "z")),
    CHEST: (("thoracic_flex", "y"), ("thoracic_bend", "x"), ("thoracic_twist", "z")),
    NECK: (("neck_flex", "y"), ("neck_twist", "z")),
    HEAD: (("head_nod", "y"), ("head_tilt", "x")),
}
for _s in ("l", "r"):
    JOINTS[UPPER_ARM[_s]] = ((f"shoulder_flex_{_s}", "y"), (f"shoulder_abduct_{_s}", "x"),
                             (f"shoulder_twist_{_s}", "z"))
    JOINTS[FOREARM[_s]] = ((f"elbow_{_s}", "y"),)
    JOINTS[HAND[_s]] = ((f"wrist_flex_{_s}", "y"), (f"wrist_dev_{_s}", "x"))
    JOINTS[THIGH[_s]] = ((f"hip_flex_{_s}", "y"), (f"hip_abduct_{_s}", "x"), (f"hip_twist_{_s}", "z"))
    JOINTS[SHIN[_s]] = ((f"knee_{_s}", "y"),)
    JOINTS[FOOT[_s]] = ((f"ankle_pitch_{_s}", "y"), (f"ankle_roll_{_s}", "x"),
                        (f"ankle_twist_{_s}", "z"))
del _s

#: Sites: grasp points in the palms, sole centres (on the floor when standing), eyes.
GRASP_SITE = {"l": "grasp_l", "r": "grasp_r"}
SOLE_SITE = {"l": "sole_l", "r": "sole_r"}
EYES_SITE = "eyes"

#: Geom group of the visible humanoid geoms (shown by default, and distinct from the
#: scene's group 0 so that rays and cameras can include or exclude humanoids).
GEOM_GROUP = 2

SIDES = ("l", "r")
#: +1 for the left side (y > 0), -1 for the right.
SIDE_SIGN = {"l": 1.0, "r": -1.0}


def scoped(prefix: str, name: str) -> str:
    """The model name of a humanoid part: ``scoped("human0/", HAND["r"]) == "human0/hand_r"``."""
    return f"{prefix}{name}"
