"""Humanoid bodies built from shape parameters.

A :class:`BodyShape` (height, widths, limb lengths, girths) and an :class:`Appearance`
(skin, hair and clothing colours) define an avatar. From them this module derives the
rest-pose layout of the 17 links (:mod:`.constants`) and builds three MjSpecs:

- the *skeleton*: free pelvis and every hinge joint, no geoms, used for forward
  kinematics of the walking controller;
- the *reach model*: the upper body on a pelvis that can only drop (crouch) and pitch
  (bend at the hips), used for IK reaching;
- the *avatar*: one mocap body per link carrying the visible and collision geoms, which
  is what a World contains. Its poses are copied from the skeleton each control step.

Axes: x forward, y left, z up; at rest every link frame is aligned with the pelvis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mujoco
import numpy as np

from embodied.agents.humanoid import constants as C
from embodied.errors import ConfigError, check_range
from embodied.sim import collision

_AXES = {"x": (1.0, 0.0, 0.0), "y": (0.0, 1.0, 0.0), "z": (0.0, 0.0, 1.0)}


@dataclass(frozen=True)
class BodyShape:
    """Body dimensions in metres (girths are scale factors around an average build)."""

    height: float = 1.75
    shoulder_width: float = 0.38     # between the shoulder joints
    hip_width: float = 0.18          # between the hip joints
    thigh_length: float = 0.43
    shin_length: float = 0.43
    upper_arm_length: float = 0.29
    forearm_length: float = 0.25
    limb_girth: float = 1.0
    torso_girth: float = 1.0

    def __post_init__(self):
        h = check_range("height", self.height, 1.3, 2.2)
        check_range("shoulder_width", self.shoulder_width, 0.15 * h, 0.3 * h)
        check_range("hip_width", self.hip_width, 0.07 * h, 0.15 * h)
        check_range("thigh_length", self.thigh_length, 0.2 * h, 0.3 * h)
        check_range("shin_length", self.shin_length, 0.2 * h, 0.3 * h)
        check_range("upper_arm_length", self.upper_arm_length, 0.14 * h, 0.22 * h)
        check_range("forearm_length", self.forearm_length, 0.11 * h, 0.18 * h)
        check_range("limb_girth", self.limb_girth, 0.6, 1.6)
        check_range("torso_girth", self.torso_girth, 0.6, 1.6)

    @classmethod
    def proportional(cls, height: float, *, shoulders: float = 1.0, hips: float = 1.0,
                     legs: float = 1.0, arms: float = 1.0, limb_girth: float = 1.0,
                     torso_girth: float = 1.0) -> "BodyShape":
        """Average human proportions for ``height``, with relative adjustments."""
        check_range("height", height, 1.3, 2.2)
        return cls(height=height, shoulder_width=0.217 * height * shoulders,
                   hip_width=0.103 * height * hips, thigh_length=0.245 * height * legs,
                   shin_length=0.245 * height * legs, upper_arm_length=0.166 * height * arms,
                   forearm_length=0.143 * height * arms, limb_girth=limb_girth,
                   torso_girth=torso_girth)

    # -- derived dimensions ---------------------------------------------------------
    @property
    def scale(self) -> float:
        return self.height / 1.75

    @property
    def ankle_height(self) -> float:
        return 0.045 * self.height

    @property
    def leg_length(self) -> float:
        """Hip joint to ankle joint with a straight knee."""
        return self.thigh_length + self.shin_length

    @property
    def hip_height(self) -> float:
        """Height of the hip joints when standing straight."""
        return self.ankle_height + self.leg_length

    @property
    def foot_length(self) -> float:
        return 0.15 * self.height

    @property
    def arm_length(self) -> float:
        """Shoulder joint to the grasp point."""
        return self.upper_arm_length + self.forearm_length + 0.075 * self.scale

    @property
    def neck_base_height(self) -> float:
        return self.height - 0.27 * self.scale

    @property
    def shoulder_height(self) -> float:
        return self.neck_base_height - 0.065 * self.scale


@dataclass(frozen=True)
class Appearance:
    """Colours (RGB in [0, 1]) and clothing style."""

    skin: tuple[float, float, float] = (0.87, 0.69, 0.56)
    hair: tuple[float, float, float] = (0.2, 0.13, 0.08)
    shirt: tuple[float, float, float] = (0.2, 0.4, 0.7)
    pants: tuple[float, float, float] = (0.2, 0.2, 0.25)
    shoes: tuple[float, float, float] = (0.1, 0.1, 0.1)
    hair_style: str = "short"      # "short", "long", "bald"
    long_sleeves: bool = False
    shorts: bool = False

    def __post_init__(self):
        from embodied.errors import check_choice

        check_choice("hair_style", self.hair_style, ("short", "long", "bald"))
        for name in ("skin", "hair", "shirt", "pants", "shoes"):
            rgb = getattr(self, name)
            if len(rgb) != 3 or not all(isinstance(c, (int, float)) and 0 <= c <= 1 for c in rgb):
                raise ConfigError(name, rgb, reason="must be three numbers in [0, 1]")

    def rgba(self, role: str) -> list[float]:
        if role == "eyes":
            return [0.05, 0.05, 0.05, 1.0]
        return [*getattr(self, role), 1.0]


@dataclass
class GeomDef:
    """One geom of a link, in the link frame."""

    type: str                      # "capsule", "sphere", "ellipsoid", "box"
    size: tuple[float, ...]
    role: str                      # colour role of Appearance
    pos: tuple[float, float, float] = (0.0, 0.0, 0.0)
    fromto: tuple[float, ...] | None = None
    collide: bool = False
    visible: bool = True           # hidden collision geoms go to the collision geom group


@dataclass
class LinkDef:
    """A link: its joint position relative to its parent (rest pose), geoms and sites."""

    name: str
    parent: str | None
    offset: tuple[float, float, float]
    geoms: list[GeomDef] = field(default_factory=list)
    sites: dict[str, tuple[float, float, float]] = field(default_factory=dict)


def joint_ranges(shape: BodyShape) -> dict[str, tuple[float, float]]:
    """Anatomical joint ranges (radians) in this module's axis conventions.

    Rotating a hanging limb about +y swings it backwards, so flexing a hip or raising an
    arm forwards is a negative angle and bending a knee is positive.
    """
    r = {
        "lumbar_flex": (-0.35, 0.9), "lumbar_bend": (-0.35, 0.35), "lumbar_twist": (-0.5, 0.5),
        "thoracic_flex": (-0.3, 0.6), "thoracic_bend": (-0.3, 0.3), "thoracic_twist": (-0.5, 0.5),
        "neck_flex": (-0.6, 0.8), "neck_twist": (-1.2, 1.2),
        "head_nod": (-0.4, 0.4), "head_tilt": (-0.4, 0.4),
    }
    for s, sign in C.SIDE_SIGN.items():
        def lateral(lo, hi):  # ranges of x/z joints mirror between sides
            return (lo, hi) if sign > 0 else (-hi, -lo)
        r[f"shoulder_flex_{s}"] = (-3.0, 1.0)
        r[f"shoulder_abduct_{s}"] = lateral(-0.4, 2.8)
        r[f"shoulder_twist_{s}"] = lateral(-1.4, 1.2)
        r[f"elbow_{s}"] = (-2.6, 0.0)
        r[f"wrist_flex_{s}"] = (-1.2, 1.2)
        r[f"wrist_dev_{s}"] = (-0.5, 0.5)
        r[f"hip_flex_{s}"] = (-2.3, 0.6)
        r[f"hip_abduct_{s}"] = lateral(-0.6, 0.9)
        r[f"hip_twist_{s}"] = lateral(-0.8, 0.8)
        r[f"knee_{s}"] = (0.0, 2.6)
        r[f"ankle_pitch_{s}"] = (-0.8, 1.0)
        r[f"ankle_roll_{s}"] = (-0.5, 0.5)
        r[f"ankle_twist_{s}"] = (-0.4, 0.4)
    return r


def link_layout(shape: BodyShape, appearance: Appearance | None = None) -> dict[str, LinkDef]:
    """The rest-pose layout of every link, in tree order (see :data:`constants.LINKS`)."""
    a = appearance or Appearance()
    s, h = shape.scale, shape.height
    tg, lg = shape.torso_girth, shape.limb_girth
    hip_z = shape.hip_height
    neck_z = shape.neck_base_height
    torso = neck_z - hip_z
    lumbar_z = hip_z + 0.2 * torso
    thorax_z = hip_z + 0.55 * torso
    sh_z = shape.shoulder_height
    half_sw, half_hw = shape.shoulder_width / 2, shape.hip_width / 2
    head_rz = 0.115 * s
    head_joint_z = neck_z + 0.08 * s
    head_center_z = h - head_rz
    L: dict[str, LinkDef] = {}
    sleeve = "shirt" if a.long_sleeves else "skin"
    shin_role = "skin" if a.shorts else "pants"

    # Pelvis (origin between the hip joints).
    pr = 0.1 * s * tg
    L[C.PELVIS] = LinkDef(C.PELVIS, None, (0.0, 0.0, hip_z), geoms=[
        GeomDef("capsule", (pr,), "pants", fromto=(0, -half_hw + 0.02 * s, 0.035 * s,
                                                   0, half_hw - 0.02 * s, 0.035 * s), collide=True,
                visible=False),
        GeomDef("ellipsoid", (0.11 * s * tg, half_hw + 0.06 * s * tg, 0.1 * s), "pants",
                pos=(-0.01 * s, 0, 0.05 * s)),
    ])
    ar = 0.105 * s * tg
    L[C.ABDOMEN] = LinkDef(C.ABDOMEN, C.PELVIS, (0.0, 0.0, lumbar_z - hip_z), geoms=[
        GeomDef("capsule", (ar,), "shirt", fromto=(0, -0.05 * s, 0.06 * s, 0, 0.05 * s, 0.06 * s),
                collide=True, visible=False),
        GeomDef("ellipsoid", (0.095 * s * tg, 0.13 * s * tg, 0.14 * s), "shirt",
                pos=(0.0, 0, 0.02 * s)),
    ])
    chest_top = sh_z - thorax_z
    cr = 0.095 * s * tg
    L[C.CHEST] = LinkDef(C.CHEST, C.ABDOMEN, (0.0, 0.0, thorax_z - lumbar_z), geoms=[
        GeomDef("capsule", (cr,), "shirt", fromto=(0, -(half_sw - 0.07 * s), chest_top - 0.02 * s,
                                                    0, half_sw - 0.07 * s, chest_top - 0.02 * s),
                collide=True, visible=False),
        GeomDef("ellipsoid", (0.11 * s * tg, half_sw - 0.01 * s, 0.2 * s), "shirt",
                pos=(0.0, 0, chest_top - 0.16 * s)),
        GeomDef("capsule", (0.055 * s * lg,), "shirt",
                fromto=(0, -half_sw + 0.02 * s, chest_top - 0.005 * s, 0, half_sw - 0.02 * s,
                        chest_top - 0.005 * s)),
    ])
    L[C.NECK] = LinkDef(C.NECK, C.CHEST, (0.0, 0.0, neck_z - thorax_z), geoms=[
        GeomDef("capsule", (0.048 * s,), "skin", fromto=(0.0, 0, -0.02 * s, 0.01 * s, 0, 0.09 * s)),
    ])
    hc = (0.018 * s, 0.0, head_center_z - head_joint_z)
    head = LinkDef(C.HEAD, C.NECK, (0.0, 0.0, head_joint_z - neck_z), geoms=[
        GeomDef("sphere", (0.1 * s,), "skin", pos=(hc[0], 0, hc[2]), collide=True, visible=False),
        GeomDef("ellipsoid", (0.098 * s, 0.08 * s, head_rz), "skin", pos=hc),
        GeomDef("sphere", (0.012 * s,), "eyes", pos=(hc[0] + 0.085 * s, 0.033 * s, hc[2] + 0.02 * s)),
        GeomDef("sphere", (0.012 * s,), "eyes", pos=(hc[0] + 0.085 * s, -0.033 * s, hc[2] + 0.02 * s)),
        GeomDef("ellipsoid", (0.02 * s, 0.014 * s, 0.025 * s), "skin",
                pos=(hc[0] + 0.097 * s, 0, hc[2] - 0.005 * s)),
    ], sites={C.EYES_SITE: (hc[0] + 0.09 * s, 0.0, hc[2] + 0.02 * s)})
    if a.hair_style != "bald":
        head.geoms.append(GeomDef("ellipsoid", (0.103 * s, 0.086 * s, 0.085 * s), "hair",
                                  pos=(hc[0] - 0.012 * s, 0, hc[2] + 0.04 * s)))
    if a.hair_style == "long":
        head.geoms.append(GeomDef("ellipsoid", (0.06 * s, 0.085 * s, 0.14 * s), "hair",
                                  pos=(hc[0] - 0.06 * s, 0, hc[2] - 0.05 * s)))
    L[C.HEAD] = head

    ua, fa = shape.upper_arm_length, shape.forearm_length
    for side, sign in C.SIDE_SIGN.items():
        y = sign * half_sw
        L[C.UPPER_ARM[side]] = LinkDef(C.UPPER_ARM[side], C.CHEST, (0.0, y, sh_z - thorax_z), geoms=[
            GeomDef("capsule", (0.047 * s * lg,), "shirt", fromto=(0, 0, 0, 0, 0, -0.45 * ua)),
            GeomDef("capsule", (0.044 * s * lg,), sleeve, fromto=(0, 0, -0.45 * ua, 0, 0, -ua),
                    collide=False),
            GeomDef("capsule", (0.046 * s * lg,), "shirt", fromto=(0, 0, -0.02 * s, 0, 0, -0.85 * ua),
                    collide=True, visible=False),
        ])
        L[C.FOREARM[side]] = LinkDef(C.FOREARM[side], C.UPPER_ARM[side], (0.0, 0.0, -ua), geoms=[
            # forearms and hands do not collide: a reaching arm must not knock over what
            # it reaches for (grasps are kinematic snaps)
            GeomDef("capsule", (0.037 * s * lg,), sleeve, fromto=(0, 0, 0, 0, 0, -fa)),
        ])
        L[C.HAND[side]] = LinkDef(C.HAND[side], C.FOREARM[side], (0.0, 0.0, -fa), geoms=[
            GeomDef("box", (0.022 * s, 0.04 * s * lg, 0.05 * s), "skin", pos=(0.0, 0, -0.055 * s)),
            GeomDef("capsule", (0.013 * s,), "skin", fromto=(0.015 * s, -sign * 0.01 * s, -0.03 * s,
                                                             0.035 * s, -sign * 0.0 * s, -0.07 * s)),
        ], sites={C.GRASP_SITE[side]: (0.03 * s, 0.0, -0.075 * s)})

    th, sh, ah = shape.thigh_length, shape.shin_length, shape.ankle_height
    fl = shape.foot_length
    for side, sign in C.SIDE_SIGN.items():
        L[C.THIGH[side]] = LinkDef(C.THIGH[side], C.PELVIS, (0.0, sign * half_hw, 0.0), geoms=[
            GeomDef("capsule", (0.072 * s * lg,), "pants", fromto=(0, 0, -0.02 * s, 0, 0, -th + 0.02 * s),
                    collide=True),
        ])
        L[C.SHIN[side]] = LinkDef(C.SHIN[side], C.THIGH[side], (0.0, 0.0, -th), geoms=[
            GeomDef("capsule", (0.052 * s * lg,), shin_role, fromto=(0, 0, 0, 0, 0, -sh + 0.02 * s),
                    collide=True),
            GeomDef("capsule", (0.06 * s * lg,), shin_role, fromto=(-0.005 * s, 0, -0.08 * s, -0.005 * s, 0,
                                                                    -0.25 * sh)),
        ])
        heel = -0.25 * fl
        cx = heel + fl / 2
        L[C.FOOT[side]] = LinkDef(C.FOOT[side], C.SHIN[side], (0.0, 0.0, -sh), geoms=[
            GeomDef("box", (fl / 2, 0.045 * s, 0.5 * ah + 0.008 * s), "shoes",
                    pos=(cx, 0.0, -ah + 0.5 * ah + 0.008 * s), collide=True),
            GeomDef("capsule", (0.045 * s * lg,), "skin" if a.shorts else "pants",
                    fromto=(0, 0, 0.05 * s, 0, 0, 0.0)),
        ], sites={C.SOLE_SITE[side]: (cx, 0.0, -ah)})
    return L


def rest_positions(layout: dict[str, LinkDef]) -> dict[str, np.ndarray]:
    """World position of every link frame in the rest pose (pelvis on the origin's vertical)."""
    out: dict[str, np.ndarray] = {}
    for name, link in layout.items():
        base = out[link.parent] if link.parent else np.zeros(3)
        out[name] = base + np.asarray(link.offset)
    return out


_GEOM_TYPES = {"capsule": mujoco.mjtGeom.mjGEOM_CAPSULE, "sphere": mujoco.mjtGeom.mjGEOM_SPHERE,
               "ellipsoid": mujoco.mjtGeom.mjGEOM_ELLIPSOID, "box": mujoco.mjtGeom.mjGEOM_BOX}


def _add_geoms(body, link: LinkDef, appearance: Appearance) -> None:
    for i, g in enumerate(link.geoms):
        kw = dict(type=_GEOM_TYPES[g.type], rgba=appearance.rgba(g.role))
        size = list(g.size) + [0.0] * (3 - len(g.size))
        geom = body.add_geom(name=f"{link.name}_{i}", size=size, **kw)
        if g.fromto is not None:
            geom.fromto = list(g.fromto)
        else:
            geom.pos = list(g.pos)
        collision.apply(geom, collision.KINEMATIC if g.collide else collision.VISUAL)
        geom.group = C.GEOM_GROUP if g.visible else collision.GROUP_COLLISION
        geom.mass = 1.0   # mocap bodies ignore it; avoids zero-mass warnings


def _add_sites(body, link: LinkDef) -> None:
    for name, pos in link.sites.items():
        body.add_site(name=name, pos=list(pos), size=[0.01, 0, 0], group=4)


def _add_joints(body, link: LinkDef, ranges) -> None:
    for jname, axis in C.JOINTS.get(link.name, ()):
        body.add_joint(name=jname, type=mujoco.mjtJoint.mjJNT_HINGE, axis=list(_AXES[axis]),
                       range=list(ranges[jname]), limited=mujoco.mjtLimited.mjLIMITED_TRUE)


def _new_spec() -> mujoco.MjSpec:
    spec = mujoco.MjSpec()
    spec.compiler.degree = False
    return spec


def build_skeleton_spec(shape: BodyShape) -> mujoco.MjSpec:
    """The articulated skeleton (free pelvis, all hinges, sites; no geoms) for kinematics."""
    spec = _new_spec()
    layout = link_layout(shape)
    ranges = joint_ranges(shape)
    bodies = {}
    for name, link in layout.items():
        parent = bodies[link.parent] if link.parent else spec.worldbody
        body = parent.add_body(name=name, pos=list(link.offset))
        body.mass, body.inertia = 1.0, [0.01, 0.01, 0.01]
        if link.parent is None:
            body.add_freejoint(name="root")
        _add_joints(body, link, ranges)
        _add_sites(body, link)
        bodies[name] = body
    return spec


REACH_LINKS = (C.PELVIS, C.ABDOMEN, C.CHEST, C.NECK, C.HEAD, *C.UPPER_ARM.values(),
               *C.FOREARM.values(), *C.HAND.values())
#: Extra degrees of freedom of the reach model's pelvis: crouching and bending at the hips.
PELVIS_DROP, PELVIS_PITCH = "pelvis_drop", "pelvis_pitch"


def build_reach_spec(shape: BodyShape, max_drop: float) -> mujoco.MjSpec:
    """The upper body on a pelvis that may drop by up to ``max_drop`` and pitch forward.

    The pelvis frame is the reach model's world origin; targets are given in it.
    Neck and head joints are left out (the head does not help reaching).
    """
    spec = _new_spec()
    layout = link_layout(shape)
    ranges = joint_ranges(shape)
    bodies = {}
    for name in REACH_LINKS:
        link = layout[name]
        parent = bodies[link.parent] if link.parent else spec.worldbody
        body = parent.add_body(name=name, pos=list(link.offset) if link.parent else [0, 0, 0])
        body.mass, body.inertia = 1.0, [0.01, 0.01, 0.01]
        if link.parent is None:
            body.add_joint(name=PELVIS_DROP, type=mujoco.mjtJoint.mjJNT_SLIDE, axis=[0, 0, 1],
                           range=[-max_drop, 0.0], limited=mujoco.mjtLimited.mjLIMITED_TRUE)
            body.add_joint(name=PELVIS_PITCH, type=mujoco.mjtJoint.mjJNT_HINGE, axis=[0, 1, 0],
                           range=[0.0, 0.7], limited=mujoco.mjtLimited.mjLIMITED_TRUE)
        elif name not in (C.NECK, C.HEAD):
            _add_joints(body, link, ranges)
        _add_sites(body, link)
        bodies[name] = body
    return spec


def build_avatar_spec(shape: BodyShape, appearance: Appearance) -> mujoco.MjSpec:
    """One mocap body per link (in :data:`constants.LINKS` order) with geoms and sites."""
    spec = _new_spec()
    layout = link_layout(shape, appearance)
    rest = rest_positions(layout)
    for name in C.LINKS:
        body = spec.worldbody.add_body(name=name, pos=list(rest[name]), mocap=True)
        _add_geoms(body, layout[name], appearance)
        _add_sites(body, layout[name])
    return spec


__all__ = ["BodyShape", "Appearance", "link_layout", "joint_ranges", "build_skeleton_spec",
           "build_reach_spec", "build_avatar_spec", "REACH_LINKS", "PELVIS_DROP", "PELVIS_PITCH",
           "rest_positions"]
