"""Small planar-geometry helpers shared across the package (no MuJoCo needed)."""

from __future__ import annotations

import math

import numpy as np


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


def yaw_of_xmat(mat) -> float:
    """Heading (rotation about z) of a body or site from its flattened 3x3 world rotation
    (``data.xmat[b]``): the angle of its x axis in the floor plane."""
    return np.arctan2(mat[3], mat[0])


def facing_cosine(origin_xy, yaw: float, target_xy) -> float:
    """cos of the angle between a heading ``yaw`` at ``origin_xy`` and the floor-plane
    direction to ``target_xy`` (1.0 when the two points coincide)."""
    dx, dy = float(target_xy[0]) - float(origin_xy[0]), float(target_xy[1]) - float(origin_xy[1])
    norm = math.hypot(dx, dy)
    if norm < 1e-9:
        return 1.0
    return (math.cos(yaw) * dx + math.sin(yaw) * dy) / norm


def segment_distance(point, a, b) -> float:
    """Distance from ``point`` to the segment from ``a`` to ``b`` (all (x, y))."""
    ax, ay = float(a[0]), float(a[1])
    dx, dy = float(b[0]) - ax, float(b[1]) - ay
    px, py = float(point[0]) - ax, float(point[1]) - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0.0 else min(max((px * dx + py * dy) / length2, 0.0), 1.0)
    return math.hypot(px - t * dx, py - t * dy)
