"""Graspable objects: their shapes, sizes and masses, and where they go in a home.

Objects are small (5-25 cm) free bodies resting on receptacle surfaces. Each category
has a shape: a MuJoCo primitive, a small compound of primitives, or a shipped mesh
(visual mesh + convex collision hull). The meaning of ``GraspableObject.size`` follows the
shape: ``cylinder`` (radius, height), ``box`` (x, y, z extents), ``ellipsoid`` (three
radii), ``bottle`` (radius, height), ``toy`` (length,), ``mesh`` (scale,).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from embodied.resources import asset_path
from embodied.scenes.furniture import Part, rgba, shade
from embodied.scenes.layout import Furniture, GraspableObject, Room, Surface
from embodied.scenes.meshes import MeshData, load_mesh


@dataclass(frozen=True)
class ObjectKind:
    """A category's shape, dimension ranges (see module doc), mass range (kg) and colours."""

    category: str
    shape: str
    dims: tuple[tuple[float, float], ...]
    mass: tuple[float, float]
    colors: tuple[tuple[float, float, float], ...]
    mesh: str | None = None


_BRIGHT = ((0.85, 0.20, 0.18), (0.20, 0.45, 0.80), (0.95, 0.75, 0.15), (0.25, 0.65, 0.35),
           (0.92, 0.92, 0.90), (0.55, 0.30, 0.65), (0.95, 0.50, 0.15))
_CERAMIC = ((0.95, 0.95, 0.93), (0.85, 0.90, 0.95), (0.30, 0.40, 0.60), (0.75, 0.35, 0.30),
            (0.90, 0.85, 0.70))

KINDS: dict[str, ObjectKind] = {k.category: k for k in (
    ObjectKind("cup", "cylinder", ((0.035, 0.045), (0.08, 0.11)), (0.15, 0.25), _BRIGHT),
    ObjectKind("mug", "mesh", ((1.0, 1.0),), (0.28, 0.35), _CERAMIC, mesh="mug.obj"),
    ObjectKind("bowl", "mesh", ((0.9, 1.1),), (0.22, 0.35), _CERAMIC, mesh="bowl.obj"),
    ObjectKind("plate", "cylinder", ((0.10, 0.12), (0.018, 0.022)), (0.30, 0.45), _CERAMIC),
    ObjectKind("box", "box", ((0.08, 0.20), (0.06, 0.14), (0.05, 0.12)), (0.15, 0.50),
               ((0.75, 0.60, 0.40), (0.85, 0.30, 0.25), (0.30, 0.50, 0.75), (0.90, 0.85, 0.75))),
    ObjectKind("can", "cylinder", ((0.033, 0.033), (0.115, 0.123)), (0.33, 0.37),
               ((0.80, 0.10, 0.10), (0.10, 0.40, 0.75), (0.75, 0.75, 0.78), (0.15, 0.60, 0.25))),
    ObjectKind("bottle", "bottle", ((0.032, 0.040), (0.18, 0.24)), (0.35, 0.70),
               ((0.20, 0.55, 0.30), (0.55, 0.75, 0.90), (0.45, 0.25, 0.10), (0.85, 0.85, 0.88))),
    ObjectKind("apple", "ellipsoid", ((0.036, 0.042),), (0.15, 0.22),
               ((0.80, 0.12, 0.10), (0.55, 0.80, 0.25), (0.90, 0.35, 0.15))),
    ObjectKind("orange", "ellipsoid", ((0.038, 0.045),), (0.17, 0.25), ((0.98, 0.55, 0.08),)),
    ObjectKind("banana", "mesh", ((0.9, 1.1),), (0.12, 0.18), ((0.95, 0.85, 0.25),), mesh="banana.stl"),
    ObjectKind("book", "box", ((0.15, 0.24), (0.11, 0.17), (0.02, 0.05)), (0.25, 0.90),
               ((0.60, 0.15, 0.15), (0.15, 0.30, 0.55), (0.20, 0.45, 0.30), (0.85, 0.75, 0.45),
                (0.25, 0.25, 0.28))),
    ObjectKind("toy", "toy", ((0.08, 0.12),), (0.05, 0.12), ((0.98, 0.85, 0.10), (0.90, 0.30, 0.50),
                                                             (0.30, 0.70, 0.90))),
    ObjectKind("vase", "mesh", ((0.9, 1.15),), (0.45, 0.80), _CERAMIC + ((0.20, 0.50, 0.55),), mesh="vase.obj"),
    ObjectKind("remote", "box", ((0.14, 0.18), (0.040, 0.050), (0.018, 0.022)), (0.08, 0.12),
               ((0.10, 0.10, 0.12), (0.30, 0.30, 0.33))),
    ObjectKind("sponge", "box", ((0.09, 0.11), (0.06, 0.07), (0.03, 0.04)), (0.02, 0.04),
               ((0.95, 0.85, 0.20), (0.40, 0.75, 0.35))),
    ObjectKind("soap", "ellipsoid3", ((0.040, 0.050), (0.028, 0.032), (0.015, 0.020)), (0.08, 0.12),
               ((0.95, 0.90, 0.85), (0.85, 0.65, 0.75), (0.65, 0.85, 0.80))),
)}

#: Which object categories each receptacle category holds.
RECEPTACLE_OBJECTS: dict[str, tuple[str, ...]] = {
    "table": ("cup", "mug", "bowl", "plate", "bottle", "apple", "orange", "banana", "book", "vase", "can"),
    "coffee_table": ("cup", "mug", "book", "remote", "toy", "vase", "bowl", "apple"),
    "desk": ("mug", "cup", "book", "box", "remote", "can", "bottle"),
    "counter": ("mug", "cup", "bowl", "plate", "can", "bottle", "apple", "orange", "banana", "box", "sponge"),
    "cabinet": ("vase", "book", "box", "toy", "bottle"),
    "shelf": ("book", "box", "vase", "toy", "bowl", "mug", "can"),
    "sofa": ("toy", "remote", "book"),
    "bed": ("book", "toy"),
    "nightstand": ("book", "cup", "remote", "mug"),
    "tv_stand": ("remote", "book", "box", "vase", "toy"),
    "sink": ("soap", "sponge", "cup", "bottle"),
    "toilet": ("soap", "sponge"),
}

#: Contact friction of objects (sliding, torsional, rolling).
FRICTION = (1.0, 0.01, 0.001)


def mesh_of(category: str, scale: float = 1.0) -> MeshData:
    """The shipped mesh of a mesh-shaped category, scaled."""
    return _shipped_mesh(category, float(scale))


@functools.lru_cache(maxsize=256)
def _shipped_mesh(category: str, scale: float) -> MeshData:
    # The shipped files do not change while running: found and read once per scale (a
    # few per category), not each time a home is generated or built.
    return load_mesh(asset_path("meshes", KINDS[category].mesh), scale)


@functools.lru_cache(maxsize=256)
def _mesh_extent(category: str, scale: float) -> tuple[float, float]:
    """:func:`object_extent` of a mesh-shaped object."""
    mesh = mesh_of(category, scale)
    return mesh.xy_radius, float(mesh.bounds[1, 2])


def object_parts(obj: GraspableObject) -> list[Part]:
    """Geoms of ``obj`` in its body frame (origin on the bottom, at the footprint centre).

    Mesh parts carry the mesh file name in ``Part.mesh`` and the scale in ``Part.size``.
    """
    kind = KINDS[obj.category]
    color = rgba(obj.color)
    s = obj.size
    if kind.shape == "cylinder":
        r, h = s
        parts = [Part("cylinder", (0, 0, h / 2), (r, h / 2), color)]
        if obj.category == "cup":  # a darker disc reads as the opening
            parts.append(Part("cylinder", (0, 0, h), (r * 0.85, 0.001), rgba(shade(obj.color, 0.6)),
                              collide=False))
        return parts
    if kind.shape == "box":
        return [Part("box", (0, 0, s[2] / 2), (s[0] / 2, s[1] / 2, s[2] / 2), color)]
    if kind.shape in ("ellipsoid", "ellipsoid3"):
        rx, ry, rz = (s[0], s[0], 0.9 * s[0]) if kind.shape == "ellipsoid" else s
        parts = [Part("ellipsoid", (0, 0, rz), (rx, ry, rz), color)]
        if obj.category == "apple":
            parts.append(Part("capsule", (0, 0, 2 * rz), (0.003, 0.008), rgba((0.35, 0.22, 0.1)), collide=False))
        return parts
    if kind.shape == "bottle":
        r, h = s
        body_h, neck_r = 0.68 * h, 0.35 * r
        return [Part("cylinder", (0, 0, body_h / 2), (r, body_h / 2), rgba(obj.color, 0.9)),
                Part("cylinder", (0, 0, body_h + 0.25 * h * 0.5), (neck_r * 1.6, 0.125 * h), rgba(obj.color, 0.9)),
                Part("cylinder", (0, 0, h - 0.04 * h), (neck_r * 1.1, 0.04 * h), rgba((0.9, 0.9, 0.9)))]
    if kind.shape == "toy":  # a rubber duck
        (length,) = s
        body = (length / 2, length * 0.36, length * 0.28)
        head_r = length * 0.22
        return [Part("ellipsoid", (0, 0, body[2]), body, color),
                Part("sphere", (length * 0.25, 0, 2 * body[2] + head_r * 0.5), (head_r,), color),
                Part("ellipsoid", (length * 0.25 + head_r, 0, 2 * body[2] + head_r * 0.4),
                     (head_r * 0.5, head_r * 0.35, head_r * 0.15), rgba((0.95, 0.45, 0.1)), collide=False)]
    if kind.shape == "mesh":
        return [Part("mesh", (0, 0, 0), (s[0],), color, mesh=kind.mesh)]
    raise ValueError(f"unknown shape {kind.shape!r}")


def object_extent(category: str, size: Sequence[float]) -> tuple[float, float]:
    """(radius of the footprint about the origin, height) of an object."""
    kind = KINDS[category]
    if kind.shape in ("cylinder", "bottle"):
        return size[0], size[1]
    if kind.shape == "box":
        return math.hypot(size[0], size[1]) / 2, size[2]
    if kind.shape == "ellipsoid":
        return size[0], 1.8 * size[0]
    if kind.shape == "ellipsoid3":
        return max(size[0], size[1]), 2 * size[2]
    if kind.shape == "toy":
        return 0.6 * size[0], 0.9 * size[0]
    return _mesh_extent(category, size[0])


def inertia(category: str, size: Sequence[float], mass: float) -> tuple[tuple, tuple]:
    """(centre of mass, diagonal inertia) of a solid box filling the object's extent."""
    radius, h = object_extent(category, size)
    sx, sy = (size[0], size[1]) if KINDS[category].shape == "box" else (2 * radius, 2 * radius)
    diag = (mass * (sy ** 2 + h ** 2) / 12, mass * (sx ** 2 + h ** 2) / 12, mass * (sx ** 2 + sy ** 2) / 12)
    return (0.0, 0.0, h / 2), diag


def find_spot(surface: Surface, radius: float, occupied: Sequence[tuple[float, float, float]],
              rng: np.random.Generator, gap: float = 0.02, tries: int = 20) -> tuple[float, float] | None:
    """A random (x, y) on ``surface`` where a footprint of ``radius`` fits entirely and
    keeps ``gap`` from each occupied ``(x, y, radius)``; None if ``tries`` draws fail.
    (Also what a place skill needs to put a carried object down.)"""
    rect = surface.rect.expand(-radius)
    if rect.width <= 0 or rect.height <= 0:
        return None
    for _ in range(tries):
        x, y = float(rng.uniform(rect.xmin, rect.xmax)), float(rng.uniform(rect.ymin, rect.ymax))
        if all(math.hypot(x - ox, y - oy) >= radius + r + gap for ox, oy, r in occupied):
            return x, y
    return None


def place_objects(rooms: Sequence[Room], furniture: Sequence[Furniture], count: int,
                  rng: np.random.Generator, gap: float = 0.02) -> list[GraspableObject]:
    """Up to ``count`` objects on receptacle surfaces, none overlapping another.

    A surface is drawn with weight ~ sqrt(area), an object category among those its
    furniture holds, then a spot where the object fits (with ``gap`` to its neighbours
    and under the clearance above the surface).
    """
    room_of = {r.name: r for r in rooms}
    slots = [(f, k, s) for f in furniture if f.category in RECEPTACLE_OBJECTS
             for k, s in enumerate(f.surfaces) if s.rect.width > 0.08 and s.rect.height > 0.08]
    if not slots or count <= 0:
        return []
    weights = np.array([math.sqrt(s.rect.area) for _, _, s in slots])
    weights /= weights.sum()
    on_surface: dict[tuple[str, int], list[tuple[float, float, float]]] = {}
    counters: dict[str, int] = {}
    objects: list[GraspableObject] = []
    for _ in range(count * 15):
        if len(objects) >= count:
            break
        furn, k, surface = slots[int(rng.choice(len(slots), p=weights))]
        choices = RECEPTACLE_OBJECTS[furn.category]
        category = choices[int(rng.integers(len(choices)))]
        kind = KINDS[category]
        size = tuple(round(float(rng.uniform(lo, hi)), 4) for lo, hi in kind.dims)
        if kind.shape == "mesh":  # a few scales only: each one is a mesh asset to compile
            size = (round(size[0] * 20) / 20,)
        radius, height = object_extent(category, size)
        if height > surface.clearance - 0.02:
            continue
        neighbours = on_surface.setdefault((furn.name, k), [])
        spot = find_spot(surface, radius, neighbours, rng, gap=gap, tries=1)
        if spot is None:
            continue
        x, y = spot
        neighbours.append((x, y, radius))
        name = f"{category}_{counters.get(category, 0)}"
        counters[category] = counters.get(category, 0) + 1
        mass = round(float(rng.uniform(*kind.mass)), 3)
        color = kind.colors[int(rng.integers(len(kind.colors)))]
        yaw = round(float(rng.uniform(-math.pi, math.pi)), 4)
        # A millimetre of air under each object: it settles onto the surface at once.
        pos = (round(x, 4), round(y, 4), round(surface.height + 0.001, 4))
        objects.append(GraspableObject(name, category, room_of[furn.room].name, furn.name, k, pos, yaw,
                                       size, mass, color))
    return objects
