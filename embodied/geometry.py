"""Small planar-geometry helpers shared across the package (no MuJoCo needed)."""

from __future__ import annotations

import math


def wrap_angle(angle: float) -> float:
    """``angle`` wrapped to [-pi, pi)."""
    return (angle + math.pi) % (2.0 * math.pi) - math.pi


def yaw_quat(yaw: float) -> tuple[float, float, float, float]:
    """Quaternion (w, x, y, z) of a rotation by ``yaw`` about z."""
    return (math.cos(yaw / 2), 0.0, 0.0, math.sin(yaw / 2))


def quat_yaw(quat) -> float:
    """Heading (rotation about z) of a quaternion (w, x, y, z)."""
    w, x, y, z = quat
    return math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z))
