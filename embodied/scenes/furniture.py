"""Furniture: what each room kind holds, where pieces go, and how each looks.

Each category has a size range, a placement rule and a builder that turns a
:class:`~embodied.scenes.layout.Furniture` record into MuJoCo primitives (boxes,
cylinders, capsules, ellipsoids) plus the receptacle surfaces objects can rest on. A
piece's own frame has its footprint centred on the origin, the floor at z = 0 and its
front facing +y; against a wall, the back (-y) touches the wall.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from scipy import ndimage

from embodied.scenes.layout import (WALL_THICKNESS, Doorway, Furniture, Rect, Room, Surface,
                                    footprint, local_rect_to_world)

# ---------------------------------------------------------------------------------------
# Geometry primitives


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
    c = np.asarray(rgb, dtype=float)
    c = c * factor if factor <= 1 else c + (1 - c) * (factor - 1)
    return tuple(float(v) for v in np.clip(c, 0, 1))


WOOD = ((0.55, 0.38, 0.22), (0.70, 0.52, 0.33), (0.42, 0.28, 0.17), (0.80, 0.66, 0.47),
        (0.33, 0.23, 0.15))
FABRIC = ((0.22, 0.33, 0.55), (0.58, 0.24, 0.22), (0.33, 0.45, 0.30), (0.62, 0.58, 0.50),
          (0.30, 0.30, 0.34), (0.72, 0.55, 0.28), (0.45, 0.30, 0.50))
PAINTED = ((0.93, 0.93, 0.90), (0.86, 0.82, 0.74), (0.36, 0.42, 0.48), (0.58, 0.70, 0.72),
           (0.40, 0.50, 0.38))
STONE = ((0.25, 0.25, 0.27), (0.85, 0.84, 0.80), (0.55, 0.52, 0.48))
WHITE = (0.95, 0.95, 0.94)
METAL = (0.70, 0.72, 0.75)
DARK = (0.10, 0.10, 0.12)
GREEN = ((0.20, 0.50, 0.20), (0.28, 0.58, 0.25), (0.16, 0.42, 0.22))


# ---------------------------------------------------------------------------------------
# Builders: (width, depth, height), colour, variant -> parts, local surfaces

Built = tuple[list[Part], list[Surface]]


def _top_surface(w: float, d: float, h: float, inset: float = 0.04, front: float | None = None,
                 clearance: float = 1.0) -> Surface:
    y0 = -d / 2 + inset if front is None else front
    return Surface(h, Rect(-w / 2 + inset, y0, w / 2 - inset, d / 2 - inset), clearance)


def _legs(w: float, d: float, h: float, rgb, inset: float = 0.06, radius: float = 0.025,
          round_legs: bool = False) -> list[Part]:
    parts = []
    for sx in (-1, 1):
        for sy in (-1, 1):
            x, y = sx * (w / 2 - inset), sy * (d / 2 - inset)
            if round_legs:
                parts.append(post(x, y, 0.0, h, radius, rgb))
            else:
                parts.append(slab(x - radius, y - radius, 0.0, x + radius, y + radius, h, rgb))
    return parts


def build_table(size, color, variant) -> Built:
    w, d, h = size
    parts = [slab(-w / 2, -d / 2, h - 0.04, w / 2, d / 2, h, color)]
    parts += _legs(w, d, h - 0.04, shade(color, 0.8), round_legs=variant % 2 == 1)
    return parts, [_top_surface(w, d, h)]


def build_coffee_table(size, color, variant) -> Built:
    w, d, h = size
    parts = [slab(-w / 2, -d / 2, h - 0.04, w / 2, d / 2, h, color),
             slab(-w / 2 + 0.06, -d / 2 + 0.06, 0.10, w / 2 - 0.06, d / 2 - 0.06, 0.12,
                  shade(color, 0.85))]
    parts += _legs(w, d, h - 0.04, shade(color, 0.7), inset=0.05, radius=0.022)
    return parts, [_top_surface(w, d, h)]


def build_desk(size, color, variant) -> Built:
    w, d, h = size
    parts = [slab(-w / 2, -d / 2, h - 0.03, w / 2, d / 2, h, color),
             slab(w / 2 - 0.42, -d / 2 + 0.02, 0.0, w / 2 - 0.02, d / 2 - 0.02, h - 0.03,
                  shade(color, 0.85)),
             slab(w / 2 - 0.40, d / 2 - 0.02, h - 0.25, w / 2 - 0.04, d / 2 - 0.015, h - 0.23,
                  DARK, collide=False),
             slab(-w / 2 + 0.02, -d / 2 + 0.02, 0.0, -w / 2 + 0.05, d / 2 - 0.02, h - 0.03,
                  shade(color, 0.85))]
    surfaces = [_top_surface(w, d, h)]
    if variant % 2 == 0:  # a monitor at the back
        parts += [slab(-0.28, -d / 2 + 0.06, h + 0.10, 0.28, -d / 2 + 0.09, h + 0.43, DARK),
                  slab(-0.04, -d / 2 + 0.05, h, 0.04, -d / 2 + 0.13, h + 0.10, METAL)]
        surfaces = [_top_surface(w, d, h, front=-d / 2 + 0.18)]
    return parts, surfaces


def _cabinet_front(w: float, d: float, z0: float, z1: float, n_doors: int, rgb) -> list[Part]:
    """Door seams and handles on a cabinet's front face (visual only)."""
    parts, y = [], d / 2
    line = shade(rgb, 0.6)
    for k in range(1, n_doors):
        x = -w / 2 + k * w / n_doors
        parts.append(slab(x - 0.004, y, z0 + 0.02, x + 0.004, y + 0.004, z1 - 0.02, line, collide=False))
    for k in range(n_doors):
        x = -w / 2 + (k + 0.5) * w / n_doors + (0.15 * w / n_doors if k % 2 == 0 else -0.15 * w / n_doors)
        parts.append(slab(x - 0.008, y, z1 - 0.14, x + 0.008, y + 0.02, z1 - 0.06, METAL, collide=False))
    return parts


def build_counter(size, color, variant) -> Built:
    w, d, h = size
    top = STONE[variant % len(STONE)]
    parts = [slab(-w / 2, -d / 2, 0.10, w / 2, d / 2 - 0.03, h - 0.04, color),
             slab(-w / 2, -d / 2, 0.0, w / 2, d / 2 - 0.08, 0.10, DARK),
             slab(-w / 2, -d / 2, h - 0.04, w / 2, d / 2, h, top)]
    parts += [Part(p.shape, (p.pos[0], p.pos[1] - 0.03, p.pos[2]), p.size, p.rgba, p.collide)
              for p in _cabinet_front(w, d, 0.10, h - 0.04, max(2, int(w / 0.6)), color)]
    surfaces = [_top_surface(w, d, h, inset=0.05)]
    if variant % 2 == 1 and w >= 1.6:  # a sink well in the worktop
        sx = w / 2 - 0.45
        parts += [slab(sx - 0.25, -0.18, h - 0.001, sx + 0.25, 0.18, h + 0.002, METAL, collide=False),
                  slab(sx - 0.22, -0.15, h, sx + 0.22, 0.15, h + 0.004, shade(METAL, 0.6), collide=False),
                  post(sx, -d / 2 + 0.06, h, h + 0.28, 0.015, METAL),
                  Part("capsule", (sx, -d / 2 + 0.14, h + 0.28), (0.012, 0.08), rgba(METAL),
                       quat=(math.cos(math.pi / 4), math.sin(math.pi / 4), 0, 0))]
        surfaces = [Surface(h, Rect(-w / 2 + 0.05, -d / 2 + 0.05, sx - 0.30, d / 2 - 0.05), 1.0)]
    return parts, surfaces


def build_cabinet(size, color, variant) -> Built:
    w, d, h = size
    parts = [slab(-w / 2, -d / 2, 0.06, w / 2, d / 2, h, color),
             slab(-w / 2 + 0.03, -d / 2, 0.0, w / 2 - 0.03, d / 2 - 0.03, 0.06, shade(color, 0.5))]
    parts += _cabinet_front(w, d, 0.06, h, 2 if w > 0.5 else 1, color)
    return parts, [_top_surface(w, d, h, inset=0.03)]


def build_nightstand(size, color, variant) -> Built:
    w, d, h = size
    parts = [slab(-w / 2, -d / 2, 0.08, w / 2, d / 2, h, color)]
    parts += _legs(w, d, 0.08, shade(color, 0.7), inset=0.04, radius=0.02)
    parts += [slab(-w / 2 + 0.03, d / 2, h - 0.14, w / 2 - 0.03, d / 2 + 0.003, h - 0.135,
                   shade(color, 0.6), collide=False),
              slab(-0.05, d / 2, h - 0.09, 0.05, d / 2 + 0.015, h - 0.07, METAL, collide=False)]
    return parts, [_top_surface(w, d, h, inset=0.03)]


def build_shelf(size, color, variant) -> Built:
    w, d, h = size
    t = 0.02
    parts = [slab(-w / 2, -d / 2, 0, -w / 2 + t, d / 2, h, color),
             slab(w / 2 - t, -d / 2, 0, w / 2, d / 2, h, color),
             slab(-w / 2 + t, -d / 2, 0, w / 2 - t, -d / 2 + 0.012, h, shade(color, 0.8))]
    n_boards = max(3, int(round(h / 0.38)) + 1)
    heights = np.linspace(0.06, h - t, n_boards)
    surfaces = []
    for k, z in enumerate(heights):
        parts.append(slab(-w / 2 + t, -d / 2 + 0.012, z - t, w / 2 - t, d / 2, z, color))
        clearance = (heights[k + 1] - t - z) if k + 1 < n_boards else 1.0
        if z <= 1.6:  # boards within a person's reach hold objects
            surfaces.append(Surface(float(z), Rect(-w / 2 + 0.05, -d / 2 + 0.04, w / 2 - 0.05, d / 2 - 0.03),
                                    float(clearance)))
    return parts, surfaces


def build_sofa(size, color, variant) -> Built:
    w, d, h = size
    arm, back, seat = 0.18, 0.22, 0.42
    cushion = shade(color, 1.12)
    parts = [slab(-w / 2, -d / 2, 0.08, w / 2, d / 2, seat, color),
             slab(-w / 2, -d / 2, 0.08, -w / 2 + arm, d / 2, 0.62, color),
             slab(w / 2 - arm, -d / 2, 0.08, w / 2, d / 2, 0.62, color),
             slab(-w / 2 + arm, -d / 2, seat, w / 2 - arm, -d / 2 + back, h, color)]
    n = 2 if w < 2.0 else 3
    inner = w - 2 * arm
    for k in range(n):
        x0 = -w / 2 + arm + k * inner / n
        parts.append(slab(x0 + 0.01, -d / 2 + back, seat, x0 + inner / n - 0.01, d / 2 - 0.02,
                          seat + 0.08, cushion))
        parts.append(slab(x0 + 0.03, -d / 2 + back, seat + 0.08, x0 + inner / n - 0.03,
                          -d / 2 + back + 0.10, h - 0.06, cushion, collide=False))
    parts += _legs(w, d, 0.08, DARK, inset=0.06, radius=0.02)
    surface = Surface(seat + 0.08, Rect(-w / 2 + arm + 0.05, -d / 2 + back + 0.15,
                                        w / 2 - arm - 0.05, d / 2 - 0.08), 1.0)
    return parts, [surface]


def build_bed(size, color, variant) -> Built:
    w, d, h = size
    wood = WOOD[variant % len(WOOD)]
    parts = [slab(-w / 2, -d / 2, 0.0, w / 2, d / 2, 0.30, wood),
             slab(-w / 2, -d / 2, 0.0, w / 2, -d / 2 + 0.06, h + 0.45, shade(wood, 0.85)),
             slab(-w / 2 + 0.03, -d / 2 + 0.06, 0.30, w / 2 - 0.03, d / 2 - 0.03, h, WHITE),
             slab(-w / 2 + 0.02, -d / 2 + 0.62, h, w / 2 - 0.02, d / 2 - 0.02, h + 0.04, color)]
    n_pillows = 2 if w > 1.2 else 1
    pw = (w - 0.2) / n_pillows
    for k in range(n_pillows):
        x0 = -w / 2 + 0.1 + k * pw
        parts.append(Part("ellipsoid", (x0 + pw / 2, -d / 2 + 0.30, h + 0.05),
                          (pw / 2 - 0.04, 0.18, 0.06), rgba(shade(color, 1.6))))
    surface = Surface(h + 0.04, Rect(-w / 2 + 0.12, -d / 2 + 0.75, w / 2 - 0.12, d / 2 - 0.12), 1.0)
    return parts, [surface]


def build_tv_stand(size, color, variant) -> Built:
    w, d, h = size
    tv_w = min(w - 0.1, 1.25)
    parts = [slab(-w / 2, -d / 2, 0.05, w / 2, d / 2, h, color)]
    parts += _legs(w, d, 0.05, DARK, inset=0.05, radius=0.02)
    parts += _cabinet_front(w, d, 0.05, h, 3, color)
    parts += [slab(-0.10, -d / 2 + 0.04, h, 0.10, -d / 2 + 0.16, h + 0.02, DARK),
              slab(-0.02, -d / 2 + 0.06, h, 0.02, -d / 2 + 0.09, h + 0.1, DARK),
              slab(-tv_w / 2, -d / 2 + 0.06, h + 0.08, tv_w / 2, -d / 2 + 0.10, h + 0.08 + 0.56 * tv_w, DARK)]
    return parts, [_top_surface(w, d, h, inset=0.03, front=-d / 2 + 0.19)]


def build_wardrobe(size, color, variant) -> Built:
    w, d, h = size
    parts = [slab(-w / 2, -d / 2, 0.0, w / 2, d / 2, h, color)]
    parts += _cabinet_front(w, d, 0.0, h - 0.6, 2 if w < 1.3 else 3, color)
    return parts, []


def build_fridge(size, color, variant) -> Built:
    w, d, h = size
    parts = [slab(-w / 2, -d / 2, 0.0, w / 2, d / 2, h, color),
             slab(-w / 2 + 0.01, d / 2, 0.62 * h, w / 2 - 0.01, d / 2 + 0.004, 0.62 * h + 0.01,
                  shade(color, 0.6), collide=False),
             slab(w / 2 - 0.08, d / 2, 0.66 * h, w / 2 - 0.06, d / 2 + 0.03, 0.85 * h, METAL, collide=False),
             slab(w / 2 - 0.08, d / 2, 0.30 * h, w / 2 - 0.06, d / 2 + 0.03, 0.57 * h, METAL, collide=False)]
    return parts, []


def build_stove(size, color, variant) -> Built:
    w, d, h = size
    parts = [slab(-w / 2, -d / 2, 0.0, w / 2, d / 2, h - 0.02, color),
             slab(-w / 2, -d / 2, h - 0.02, w / 2, d / 2, h, DARK),
             slab(-w / 2 + 0.06, d / 2, 0.15, w / 2 - 0.06, d / 2 + 0.004, h - 0.2, DARK, collide=False)]
    for sx in (-1, 1):
        for sy in (-1, 1):
            parts.append(post(sx * w / 4, sy * d / 4, h, h + 0.008, 0.08, (0.25, 0.25, 0.27), collide=False))
    return parts, []


def build_sink(size, color, variant) -> Built:
    w, d, h = size
    parts = [slab(-w / 2, -d / 2, 0.08, w / 2, d / 2, h - 0.03, color),
             slab(-w / 2 + 0.03, -d / 2, 0.0, w / 2 - 0.03, d / 2 - 0.03, 0.08, shade(color, 0.5)),
             slab(-w / 2, -d / 2, h - 0.03, w / 2, d / 2, h, WHITE),
             post(0.0, 0.02, h, h + 0.10, 0.17, WHITE),
             post(0.0, 0.02, h + 0.10, h + 0.102, 0.14, (0.75, 0.80, 0.85), collide=False),
             post(0.0, -d / 2 + 0.05, h, h + 0.22, 0.014, METAL),
             # a mirror on the wall above
             slab(-w / 2 + 0.05, -d / 2, h + 0.35, w / 2 - 0.05, -d / 2 + 0.015, h + 1.05,
                  (0.72, 0.80, 0.85), collide=False)]
    parts += _cabinet_front(w, d, 0.08, h - 0.03, 2, color)
    surfaces = [Surface(h, Rect(-w / 2 + 0.04, -d / 2 + 0.06, -0.21, d / 2 - 0.04), 0.6),
                Surface(h, Rect(0.21, -d / 2 + 0.06, w / 2 - 0.04, d / 2 - 0.04), 0.6)]
    return parts, surfaces


def build_toilet(size, color, variant) -> Built:
    w, d, h = size
    tank_depth = 0.18
    parts = [slab(-w / 2, -d / 2, 0.42, w / 2, -d / 2 + tank_depth, h, WHITE),
             slab(-0.12, -d / 2 + 0.08, 0.0, 0.12, d / 2 - 0.20, 0.30, WHITE),
             Part("ellipsoid", (0.0, d / 2 - 0.26, 0.30), (0.18, 0.24, 0.10), rgba(WHITE)),
             Part("ellipsoid", (0.0, d / 2 - 0.26, 0.40), (0.19, 0.25, 0.02), rgba(shade(WHITE, 0.9)),
                  collide=False),
             slab(-0.05, -d / 2 + 0.05, h, 0.05, -d / 2 + 0.08, h + 0.01, METAL, collide=False)]
    surface = Surface(h, Rect(-w / 2 + 0.03, -d / 2 + 0.02, w / 2 - 0.03, -d / 2 + tank_depth - 0.02), 1.0)
    return parts, [surface]


def build_bathtub(size, color, variant) -> Built:
    w, d, h = size
    rim = 0.08
    parts = [slab(-w / 2, -d / 2, 0.0, w / 2, d / 2, 0.12, WHITE),
             slab(-w / 2, -d / 2, 0.12, w / 2, -d / 2 + rim, h, WHITE),
             slab(-w / 2, d / 2 - rim, 0.12, w / 2, d / 2, h, WHITE),
             slab(-w / 2, -d / 2, 0.12, -w / 2 + rim, d / 2, h, WHITE),
             slab(w / 2 - rim, -d / 2, 0.12, w / 2, d / 2, h, WHITE),
             slab(-w / 2 + rim, -d / 2 + rim, 0.12, w / 2 - rim, d / 2 - rim, 0.14, (0.75, 0.86, 0.92),
                  collide=False),
             post(-w / 2 + 0.15, -d / 2 + 0.04, h, h + 0.25, 0.014, METAL)]
    return parts, []


def build_chair(size, color, variant) -> Built:
    w, d, h = size
    seat = 0.45
    parts = [slab(-w / 2, -d / 2, seat - 0.04, w / 2, d / 2, seat, color),
             slab(-w / 2, -d / 2, seat, w / 2, -d / 2 + 0.04, h, color)]
    parts += _legs(w, d, seat - 0.04, shade(color, 0.7), inset=0.03, radius=0.018,
                   round_legs=variant % 2 == 1)
    return parts, []


def build_plant(size, color, variant) -> Built:
    w, d, h = size
    r = min(w, d) / 2
    pot = (0.62, 0.33, 0.22) if variant % 2 == 0 else (0.85, 0.85, 0.82)
    parts = [post(0, 0, 0, 0.32, 0.6 * r, pot),
             post(0, 0, 0.32, 0.33, 0.55 * r, (0.20, 0.14, 0.10), collide=False)]
    leaf = GREEN[variant % len(GREEN)]
    rng = np.random.default_rng(variant)  # fixed by the variant: the look is part of the layout
    for k in range(5):
        a = 2 * math.pi * k / 5 + rng.uniform(0, 0.6)
        rr = 0.45 * r * rng.uniform(0.5, 1.0)
        z = 0.33 + (h - 0.33) * rng.uniform(0.35, 0.75)
        parts.append(Part("sphere", (rr * math.cos(a) * 0.6, rr * math.sin(a) * 0.6, z),
                          (r * rng.uniform(0.45, 0.6),), rgba(shade(leaf, rng.uniform(0.8, 1.2))),
                          collide=False))
    return parts, []


def build_lamp(size, color, variant) -> Built:
    w, d, h = size
    parts = [post(0, 0, 0, 0.03, 0.15, DARK), post(0, 0, 0.03, h - 0.25, 0.015, METAL),
             post(0, 0, h - 0.3, h, 0.17, color, collide=False)]
    return parts, []


@dataclass(frozen=True)
class FurnitureKind:
    """How a furniture category is sized, placed and built.

    ``placement``: ``wall`` (back against a wall), ``corner``, ``center``, or
    ``beside:<category>`` / ``front:<category>`` / ``around:<category>`` relative to a
    piece already placed in the room.
    """

    category: str
    width: tuple[float, float]
    depth: tuple[float, float]
    height: tuple[float, float]
    placement: str
    palette: tuple[tuple[float, float, float], ...]
    build: Callable[..., Built]
    variants: int = 4
    #: Width tried last when a required piece fits nowhere (a shorter counter, a loveseat).
    min_width: float | None = None


KINDS: dict[str, FurnitureKind] = {k.category: k for k in (
    FurnitureKind("table", (1.0, 1.5), (0.7, 0.9), (0.74, 0.78), "center", WOOD, build_table),
    FurnitureKind("coffee_table", (0.9, 1.2), (0.5, 0.62), (0.40, 0.46), "front:sofa", WOOD,
                  build_coffee_table),
    FurnitureKind("desk", (1.0, 1.4), (0.6, 0.7), (0.74, 0.76), "wall", WOOD + PAINTED[:2], build_desk,
                  min_width=0.9),
    FurnitureKind("counter", (1.6, 2.6), (0.6, 0.65), (0.90, 0.92), "wall", PAINTED, build_counter,
                  min_width=1.2),
    FurnitureKind("cabinet", (0.6, 1.1), (0.4, 0.5), (0.80, 0.95), "wall", WOOD + PAINTED, build_cabinet),
    FurnitureKind("shelf", (0.8, 1.2), (0.32, 0.40), (1.20, 1.80), "wall", WOOD, build_shelf),
    FurnitureKind("sofa", (1.8, 2.3), (0.85, 0.95), (0.80, 0.90), "wall", FABRIC, build_sofa,
                  min_width=1.5),
    FurnitureKind("bed", (1.0, 1.7), (2.0, 2.1), (0.50, 0.56), "wall", FABRIC, build_bed,
                  min_width=0.9),
    FurnitureKind("nightstand", (0.45, 0.55), (0.40, 0.45), (0.50, 0.60), "beside:bed", WOOD,
                  build_nightstand),
    FurnitureKind("tv_stand", (1.4, 1.8), (0.40, 0.45), (0.45, 0.55), "wall", WOOD + (DARK,), build_tv_stand),
    FurnitureKind("wardrobe", (1.0, 1.6), (0.55, 0.60), (1.90, 2.10), "wall", WOOD + PAINTED[:2],
                  build_wardrobe),
    FurnitureKind("fridge", (0.60, 0.70), (0.65, 0.70), (1.75, 1.90), "wall", (WHITE, METAL), build_fridge),
    FurnitureKind("stove", (0.60, 0.60), (0.60, 0.60), (0.90, 0.92), "beside:counter", (WHITE, METAL),
                  build_stove),
    FurnitureKind("sink", (0.80, 1.00), (0.45, 0.50), (0.82, 0.86), "wall", PAINTED + WOOD[:2], build_sink),
    FurnitureKind("toilet", (0.40, 0.42), (0.65, 0.70), (0.76, 0.80), "wall", (WHITE,), build_toilet),
    FurnitureKind("bathtub", (1.50, 1.70), (0.70, 0.75), (0.55, 0.58), "wall", (WHITE,), build_bathtub),
    FurnitureKind("chair", (0.44, 0.48), (0.44, 0.48), (0.85, 0.95), "around:table", WOOD + FABRIC[:3],
                  build_chair),
    FurnitureKind("plant", (0.40, 0.50), (0.40, 0.50), (0.80, 1.30), "corner", (GREEN[0],), build_plant),
    FurnitureKind("lamp", (0.36, 0.36), (0.36, 0.36), (1.50, 1.65), "corner", ((0.96, 0.90, 0.75),),
                  build_lamp),
)}

#: What each room kind holds: (category, required count, optional count, placement override).
ROOM_FURNITURE: dict[str, tuple[tuple[str, int, int, str | None], ...]] = {
    "living_room": (("sofa", 1, 0, None), ("coffee_table", 1, 0, None), ("tv_stand", 0, 1, None),
                    ("shelf", 0, 1, None), ("table", 0, 1, None), ("chair", 0, 4, "around:table"),
                    ("cabinet", 0, 1, None), ("plant", 0, 1, None), ("lamp", 0, 1, None)),
    "kitchen": (("counter", 1, 0, None), ("fridge", 1, 0, None), ("stove", 0, 1, None),
                ("table", 0, 1, None), ("chair", 0, 4, "around:table"), ("cabinet", 0, 1, None),
                ("shelf", 0, 1, None)),
    "bedroom": (("bed", 1, 0, None), ("nightstand", 1, 1, None), ("wardrobe", 0, 1, None),
                ("desk", 0, 1, None), ("chair", 0, 1, "front:desk"), ("shelf", 0, 1, None),
                ("plant", 0, 1, None)),
    "bathroom": (("toilet", 1, 0, None), ("sink", 1, 0, None), ("bathtub", 0, 1, None),
                 ("cabinet", 0, 1, None)),
    "hallway": (("cabinet", 0, 1, None), ("shelf", 0, 1, None), ("plant", 0, 1, None)),
    "office": (("desk", 1, 0, None), ("chair", 1, 0, "front:desk"), ("shelf", 1, 1, None),
               ("cabinet", 0, 1, None), ("plant", 0, 1, None), ("lamp", 0, 1, None)),
}


def parts_and_surfaces(category: str, size, color, variant: int) -> Built:
    """Local-frame parts and surfaces of a piece."""
    return KINDS[category].build(size, color, variant)


def furniture_parts(piece: Furniture) -> list[Part]:
    """The primitives of ``piece`` in its own frame."""
    return parts_and_surfaces(piece.category, piece.size, piece.color, piece.variant)[0]


# ---------------------------------------------------------------------------------------
# Placement

#: Radius of the agents the free-space check is made for (robot base, humanoid torso).
AGENT_RADIUS = 0.3
#: Extra clearance on top of the radius, so passages stay open on coarse navigation grids.
_NAV_MARGIN = 0.05
_INFLATE = AGENT_RADIUS + _NAV_MARGIN
#: Largest free area (m^2) allowed to be unreachable from the room's doorways.
_MAX_POCKET_AREA = 0.3
_GRID = 0.05
_GAP = 0.04  # between pieces


def _yaw_facing(side: str) -> float:
    """Yaw of a piece whose back is against the wall on ``side`` of the room."""
    return {"south": 0.0, "north": math.pi, "west": -math.pi / 2, "east": math.pi / 2}[side]


class RoomPlanner:
    """Places furniture in one room, keeping doorway corridors clear and the free floor
    connected: every doorway and every receptacle stays reachable for an agent of
    radius :data:`AGENT_RADIUS`."""

    def __init__(self, room: Room, doorways: Sequence[Doorway]):
        self.room = room
        self.interior = room.interior
        self.door_zones = [d.clear_zone() for d in doorways if room.name in d.rooms]
        self.door_points = [self._entry_point(d) for d in doorways if room.name in d.rooms]
        self.placed: list[Furniture] = []
        r = self.interior
        self._nx = int(math.ceil(r.width / _GRID))
        self._ny = int(math.ceil(r.height / _GRID))
        xs = r.xmin + (np.arange(self._nx) + 0.5) * _GRID
        ys = r.ymin + (np.arange(self._ny) + 0.5) * _GRID
        self._gx, self._gy = np.meshgrid(xs, ys, indexing="ij")
        self._free0 = ((self._gx >= r.xmin + _INFLATE) & (self._gx <= r.xmax - _INFLATE)
                       & (self._gy >= r.ymin + _INFLATE) & (self._gy <= r.ymax - _INFLATE))

    def _entry_point(self, door: Doorway) -> tuple[float, float]:
        """A point just inside the room in front of ``door``."""
        x, y = door.center
        cx, cy = self.room.rect.center
        inside = WALL_THICKNESS / 2 + _INFLATE + 0.1  # from the wall's centre line
        if door.axis == "x":
            return (x, y + math.copysign(inside, cy - y))
        return (x + math.copysign(inside, cx - x), y)

    def _mask(self, rect: Rect) -> np.ndarray:
        return ((self._gx > rect.xmin) & (self._gx < rect.xmax)
                & (self._gy > rect.ymin) & (self._gy < rect.ymax))

    def _cell(self, x: float, y: float) -> tuple[int, int]:
        i = int((x - self.interior.xmin) / _GRID)
        j = int((y - self.interior.ymin) / _GRID)
        return min(max(i, 0), self._nx - 1), min(max(j, 0), self._ny - 1)

    def connected(self, pieces: Sequence[Furniture]) -> bool:
        """Whether doorways, receptacles and (nearly) all free floor are reachable with
        ``pieces`` in the room."""
        free = self._free0.copy()
        for p in pieces:
            free &= ~self._mask(p.footprint.expand(_INFLATE))
        labels, n = ndimage.label(free)
        if n == 0:
            return False
        if self.door_points:
            ids = {labels[self._cell(*pt)] for pt in self.door_points}
            if len(ids) != 1 or 0 in ids:
                return False
            main = ids.pop()
        else:
            main = int(np.argmax(np.bincount(labels.ravel())[1:])) + 1
        sizes = np.bincount(labels.ravel())
        if sizes[main] < 0.25 * np.count_nonzero(self._free0):
            return False
        # No sizeable free area may be cut off from the doorways (a corner walled in by a
        # table and a sofa): tasks would sample start positions there.
        sizes[[0, main]] = 0
        if sizes.max() * _GRID ** 2 > _MAX_POCKET_AREA:
            return False
        for p in pieces:
            if not p.surfaces:
                continue
            ring = self._mask(p.footprint.expand(_INFLATE + 0.2)) & ~self._mask(
                p.footprint.expand(_INFLATE))
            if not np.any(labels[ring] == main):
                return False
        return True

    def fits(self, rect: Rect, anchor: Furniture | None = None) -> bool:
        if not self.interior.contains(rect):
            return False
        if any(rect.overlaps(z) for z in self.door_zones):
            return False
        for p in self.placed:
            # A piece may touch its anchor (a nightstand against its bed), not overlap it.
            gap = -1e-6 if p is anchor else _GAP
            if rect.overlaps(p.footprint, gap=gap):
                return False
        return True

    def candidates(self, kind: FurnitureKind, placement: str, size, rng: np.random.Generator,
                   tries: int = 30):
        """Yield (pos, yaw, anchor) proposals for a piece of ``size``."""
        w, d, _ = size
        r = self.interior
        mode, _, ref = placement.partition(":")
        anchors = [p for p in self.placed if p.category == ref] if ref else []
        if ref and not anchors:
            return
        for _ in range(tries):
            if mode in ("wall", "corner"):
                side = ("south", "north", "west", "east")[int(rng.integers(4))]
                yaw = _yaw_facing(side)
                along_len = r.width if side in ("south", "north") else r.height
                if along_len < w:
                    continue
                lo, hi = -along_len / 2 + w / 2, along_len / 2 - w / 2
                t = (lo if rng.uniform() < 0.5 else hi) if mode == "corner" else rng.uniform(lo, hi)
                cx, cy = r.center
                off = 0.005 + d / 2
                pos = {"south": (cx + t, r.ymin + off), "north": (cx + t, r.ymax - off),
                       "west": (r.xmin + off, cy + t), "east": (r.xmax - off, cy + t)}[side]
                yield (round(pos[0], 3), round(pos[1], 3)), yaw, None
            elif mode == "center":
                yaw = float(rng.choice([0.0, math.pi / 2]))
                fw, fd = (w, d) if yaw == 0.0 else (d, w)
                margin = 0.75
                if r.width < fw + 2 * margin + 0.01 or r.height < fd + 2 * margin + 0.01:
                    return
                x = rng.uniform(r.xmin + margin + fw / 2, r.xmax - margin - fw / 2)
                y = rng.uniform(r.ymin + margin + fd / 2, r.ymax - margin - fd / 2)
                yield (round(x, 3), round(y, 3)), yaw, None
            else:
                anchor = anchors[int(rng.integers(len(anchors)))]
                aw, ad, _ = anchor.size
                if mode == "beside":  # same wall, to the left or right
                    sx = float(rng.choice([-1.0, 1.0]))
                    local = (sx * (aw / 2 + 0.02 + w / 2), -ad / 2 + d / 2)
                    yaw = anchor.yaw
                elif mode == "front":  # facing the anchor's front
                    gap = 0.4 if anchor.category == "sofa" else 0.02
                    local = (rng.uniform(-0.1, 0.1) * aw, ad / 2 + gap + d / 2)
                    yaw = anchor.yaw + (math.pi if anchor.category != "sofa" else 0.0)
                else:  # around: chairs at the long sides of a table, facing it
                    sy = float(rng.choice([-1.0, 1.0]))
                    sx = float(rng.choice([-0.25, 0.25])) if aw >= 1.2 else 0.0
                    local = (sx * aw, sy * (ad / 2 + 0.03 + d / 2))
                    yaw = anchor.yaw + (math.pi if sy > 0 else 0.0)
                c, s = math.cos(anchor.yaw), math.sin(anchor.yaw)
                pos = (anchor.pos[0] + c * local[0] - s * local[1],
                       anchor.pos[1] + s * local[0] + c * local[1])
                yield (round(pos[0], 3), round(pos[1], 3)), _wrap(yaw), anchor

    def place(self, category: str, placement: str, rng: np.random.Generator,
              name: str, required: bool = False) -> Furniture | None:
        """Try to place one piece; returns it (and keeps it) or None if nothing fits.

        A required piece gets more tries, the last ones at the category's smallest size.
        """
        kind = KINDS[category]
        size = tuple(round(float(rng.uniform(*rng_range)), 3)
                     for rng_range in (kind.width, kind.depth, kind.height))
        if category == "bed" and rng.uniform() < 0.5:  # a double bed
            size = (round(float(rng.uniform(1.4, 1.7)), 3),) + size[1:]
        color = kind.palette[int(rng.integers(len(kind.palette)))]
        variant = int(rng.integers(kind.variants))
        sizes = [(size, 60 if required else 30)]
        if required:
            sizes.append(((kind.min_width or kind.width[0], kind.depth[0], size[2]), 60))
        proposals = ((pos, yaw, anchor, sz) for sz, tries in sizes
                     for pos, yaw, anchor in self.candidates(kind, placement, sz, rng, tries))
        for pos, yaw, anchor, size in proposals:
            rect = footprint(pos, yaw, size)
            if not self.fits(rect, anchor):
                continue
            _, local_surfaces = parts_and_surfaces(category, size, color, variant)
            surfaces = tuple(Surface(round(s.height, 4), local_rect_to_world(pos, yaw, s.rect), s.clearance)
                             for s in local_surfaces)
            piece = Furniture(name, category, self.room.name, pos, yaw, size, surfaces, color, variant)
            if not self.connected(self.placed + [piece]):
                continue
            self.placed.append(piece)
            return piece
        return None


def _wrap(angle: float) -> float:
    """Angle in (-pi, pi], rounded to a multiple of pi/2."""
    k = int(round(angle / (math.pi / 2))) % 4
    return (0.0, math.pi / 2, math.pi, -math.pi / 2)[k]


def furnish(rooms: Sequence[Room], doorways: Sequence[Doorway], density: float,
            rng: np.random.Generator) -> list[Furniture]:
    """Furniture for every room: required pieces always (if they fit), optional pieces
    with probability ``density``. Names are ``<category>_<k>``, unique in the home."""
    counters: dict[str, int] = {}
    pieces: list[Furniture] = []
    for room in rooms:
        planner = RoomPlanner(room, doorways)
        for category, required, optional, placement in ROOM_FURNITURE[room.kind]:
            wanted = required + sum(rng.uniform() < density for _ in range(optional))
            for k in range(wanted):
                name = f"{category}_{counters.get(category, 0)}"
                piece = planner.place(category, placement or KINDS[category].placement, rng, name,
                                      required=k < required)
                if piece is not None:
                    counters[category] = counters.get(category, 0) + 1
                    pieces.append(piece)
    return pieces
