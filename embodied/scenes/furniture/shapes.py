"""Primitive part shapes: the geoms furniture and objects are built from, and colour helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Part:
    """One geom in its owner's frame. ``size`` uses MuJoCo's half-size conventions."""

    shape: str  # box | cylinder | capsule | sphere | ellipsoid | mesh
    pos: tuple[float, float, float]
    size: tuple[float, ...]
    rgba: tuple[float, float, float, float]
    collide: bool = True
    quat: tuple[float, float, float, float] | None = None
    mesh: str | None = None


def rgba(rgb: Sequence[float], alpha: float = 1.0) -> tuple[float, float, float, float]:
    return (float(rgb[0]), float(rgb[1]), float(rgb[2]), alpha)


def slab(x0: float, y0: float, z0: float, x1: float, y1: float, z1: float, rgb,
         collide: bool = True) -> Part:
    """A box given by its extents."""
    return Part("box", ((x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2),
                (abs(x1 - x0) / 2, abs(y1 - y0) / 2, abs(z1 - z0) / 2), rgba(rgb), collide)


def post(x: float, y: float, z0: float, z1: float, radius: float, rgb, collide: bool = True) -> Part:
    """A vertical cylinder from z0 to z1."""
    return Part("cylinder", (x, y, (z0 + z1) / 2), (radius, (z1 - z0) / 2), rgba(rgb), collide)


def shade(rgb, factor: float) -> tuple[float, float, float]:
    """A darker (factor < 1) or lighter (factor > 1, towards white) tone of a colour."""
    # Per channel, the same float operations as numpy would do on the whole array.
    factor = float(factor)
    if factor <= 1:
        c = [float(v) * factor for v in rgb]
    else:
        c = [float(v) + (1 - float(v)) * (factor - 1) for v in rgb]
    return tuple(0.0 if v < 0 else 1.0 if v > 1 else v for v in c)
