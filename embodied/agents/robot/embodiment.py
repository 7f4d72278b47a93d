"""Embodiments: the robot bodies a :class:`~embodied.agents.robot.robot.Robot` can wear.

An embodiment is a spec builder plus a constants record naming every joint, actuator,
site, body and camera the controllers and sensors use (names are relative to the robot's
prefix). Controllers and tasks read names only from the constants, so adding a body (a
legged base with an arm, say) means registering one more embodiment, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import mujoco

from embodied.errors import ConfigError


@dataclass(frozen=True)
class EmbodimentConstants:
    """Names (relative to the robot prefix) and fixed figures of one embodiment."""

    name: str
    #: Body carrying the base joints; its frame is the robot frame (x forward, z up).
    base_body: str
    #: Planar base joints: slide x, slide y, hinge yaw (in the attachment frame).
    base_joints: tuple[str, str, str]
    #: Velocity actuators of the base: forward, lateral (both in the base frame), yaw.
    base_actuators: tuple[str, str, str]
    #: Radius of the base footprint (m), for planners and the navigation map.
    base_radius: float
    #: Prismatic torso lift and its position actuator (None: no torso lift).
    torso_joint: str | None
    torso_actuator: str | None
    #: Arm joints from shoulder to wrist, and their position actuators.
    arm_joints: tuple[str, ...]
    arm_actuators: tuple[str, ...]
    #: Joint positions of the stowed arm (used at reset).
    arm_stow: tuple[float, ...]
    #: Finger slide joints and their position actuators; opening per finger in metres.
    finger_joints: tuple[str, ...]
    finger_actuators: tuple[str, ...]
    finger_open: float
    finger_closed: float
    #: Geoms of the finger pads (left, right): a physics grasp holds what both touch.
    finger_pads: tuple[str, str]
    #: Head pan and tilt joints and actuators (empty: no pan/tilt head).
    head_joints: tuple[str, ...]
    head_actuators: tuple[str, ...]
    #: Body the hand's frame belongs to: held objects follow it in an oracle grasp.
    hand_body: str
    #: Site at the centre of the grasp, between the fingertips (end-effector frame).
    grasp_site: str
    #: Site of the planar range scanner.
    scan_site: str
    head_camera: str
    arm_camera: str


@dataclass(frozen=True)
class Embodiment:
    """A registered robot body: its constants and a function building its spec."""

    constants: EmbodimentConstants
    build_spec: Callable[[], mujoco.MjSpec]


EMBODIMENTS: dict[str, Embodiment] = {}


def register_embodiment(name: str, embodiment: Embodiment) -> None:
    """Add an embodiment under ``name`` (names are unique)."""
    if name in EMBODIMENTS:
        raise ConfigError("embodiment", name, reason="already registered")
    EMBODIMENTS[name] = embodiment


def get_embodiment(name: str) -> Embodiment:
    """The embodiment called ``name``; raises ConfigError listing the registered ones."""
    try:
        return EMBODIMENTS[name]
    except KeyError:
        raise ConfigError("embodiment", name, sorted(EMBODIMENTS)) from None
