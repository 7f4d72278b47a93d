"""The furniture catalog: each category's sizes, placement rule, palette and builder."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from embodied.scenes.furniture.shapes import Part, post, rgba, shade, slab
from embodied.scenes.layout import Furniture, Rect, Surface

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
#
# A builder turns a Furniture record into MuJoCo primitives (boxes, cylinders, capsules,
# ellipsoids) plus the receptacle surfaces objects can rest on. A piece's own frame has its
# footprint centred on the origin, the floor at z = 0 and its front facing +y; against a
# wall, the back (-y) touches the wall.

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
    for k, (turn, reach, rise, radius, tone) in enumerate(_leaf_draws(variant)):
        a = 2 * math.pi * k / 5 + turn
        rr = 0.45 * r * reach
        z = 0.33 + (h - 0.33) * rise
        parts.append(Part("sphere", (rr * math.cos(a) * 0.6, rr * math.sin(a) * 0.6, z),
                          (r * radius,), rgba(shade(leaf, tone)), collide=False))
    return parts, []


@functools.lru_cache(maxsize=None)
def _leaf_draws(variant: int) -> tuple[tuple[float, ...], ...]:
    """The draws shaping a plant's five leaf clusters: fixed by the variant (the look is
    part of the layout), so drawn once per variant."""
    rng = np.random.default_rng(variant)
    return tuple(tuple(rng.uniform(lo, hi) for lo, hi in ((0, 0.6), (0.5, 1.0), (0.35, 0.75),
                                                            (0.45, 0.6), (0.8, 1.2)))
                 for _ in range(5))


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
    """Local-frame parts and surfaces of a piece (new lists; the parts are shared)."""
    # The builders are pure functions of their arguments: generating a home asks for the
    # same piece's surfaces at each place tried, building the model for its parts.
    key = (category, tuple(size), tuple(color), variant)
    key += tuple(type(v) for v in key[1]) + tuple(type(v) for v in key[2]) + (type(variant),)
    parts, surfaces = _built(key)
    return list(parts), list(surfaces)


@functools.lru_cache(maxsize=512)
def _built(key: tuple) -> tuple[tuple[Part, ...], tuple[Surface, ...]]:
    category, size, color, variant = key[:4]
    parts, surfaces = KINDS[category].build(size, color, variant)
    return tuple(parts), tuple(surfaces)


def furniture_parts(piece: Furniture) -> list[Part]:
    """The primitives of ``piece`` in its own frame."""
    return parts_and_surfaces(piece.category, piece.size, piece.color, piece.variant)[0]
