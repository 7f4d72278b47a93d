"""Furniture placement: a room planner keeping doorways clear and the free floor connected."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from typing import Sequence

import numpy as np
from scipy import ndimage

from embodied.scenes.furniture.catalog import KINDS, ROOM_FURNITURE, FurnitureKind, parts_and_surfaces
from embodied.scenes.layout import (WALL_THICKNESS, Doorway, Furniture, Rect, Room, Surface, footprint,
                                    local_rect_to_world)

#: Radius of the agents the free-space check is made for (robot base, humanoid torso).
AGENT_RADIUS = 0.3
#: Extra clearance on top of the radius, so passages stay open on coarse navigation grids.
_NAV_MARGIN = 0.05
_INFLATE = AGENT_RADIUS + _NAV_MARGIN
#: Largest free area (m^2) allowed to be unreachable from the room's doorways.
_MAX_POCKET_AREA = 0.3
_GRID = 0.05
_CELL_AREA = _GRID ** 2
_GAP = 0.04  # between pieces
#: Yaw of a piece whose back is against the wall on each side of the room.
_YAW_FACING = {"south": 0.0, "north": math.pi, "west": -math.pi / 2, "east": math.pi / 2}
#: 4-connectivity, what ndimage.label uses by default.
_STRUCTURE = ndimage.generate_binary_structure(2, 1)


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
        # What place() keeps of the pieces it placed: their footprints, the blocks around
        # the receptacles and the free cells left (used while ``placed`` holds just those).
        self._kept: list[Furniture] = []
        self._kept_footprints: list[Rect] = []
        self._kept_rings: list[tuple[slice, slice]] = []
        r = self.interior
        self._nx = int(math.ceil(r.width / _GRID))
        self._ny = int(math.ceil(r.height / _GRID))
        # Cell centres; the grid is their outer product, so a rectangle's cells are a block.
        # Only the box of cells an agent's centre may reach (clear of the walls) can be
        # free: the free cells are kept for that box alone, labelled in the same order.
        xs = r.xmin + (np.arange(self._nx) + 0.5) * _GRID
        ys = r.ymin + (np.arange(self._ny) + 0.5) * _GRID
        (ix,) = np.nonzero((xs >= r.xmin + _INFLATE) & (xs <= r.xmax - _INFLATE))
        (iy,) = np.nonzero((ys >= r.ymin + _INFLATE) & (ys <= r.ymax - _INFLATE))
        self._box = (int(ix[0]) if len(ix) else 0, int(iy[0]) if len(iy) else 0)
        self._xs, self._ys = xs[ix].tolist(), ys[iy].tolist()
        self._free0 = np.ones((len(ix), len(iy)), dtype=bool)
        self._min_main = 0.25 * self._free0.size
        # Doorway cells in the box (None: the cell is never free).
        self._door_cells = [self._box_cell(*self._cell(*pt)) for pt in self.door_points]
        self._free = self._free0.copy()  # less the placed pieces

    def _entry_point(self, door: Doorway) -> tuple[float, float]:
        """A point just inside the room in front of ``door``."""
        x, y = door.center
        cx, cy = self.room.rect.center
        inside = WALL_THICKNESS / 2 + _INFLATE + 0.1  # from the wall's centre line
        if door.axis == "x":
            return (x, y + math.copysign(inside, cy - y))
        return (x + math.copysign(inside, cx - x), y)

    def _block(self, rect: Rect) -> tuple[slice, slice]:
        """The cells of the box whose centres lie strictly inside ``rect``."""
        xs, ys = self._xs, self._ys
        return (slice(bisect_right(xs, rect.xmin), bisect_left(xs, rect.xmax)),
                slice(bisect_right(ys, rect.ymin), bisect_left(ys, rect.ymax)))

    def _cell(self, x: float, y: float) -> tuple[int, int]:
        i = int((x - self.interior.xmin) / _GRID)
        j = int((y - self.interior.ymin) / _GRID)
        return min(max(i, 0), self._nx - 1), min(max(j, 0), self._ny - 1)

    def _box_cell(self, i: int, j: int) -> tuple[int, int] | None:
        """Grid cell (i, j) in the box's indices, or None outside it."""
        i, j = i - self._box[0], j - self._box[1]
        nx, ny = self._free0.shape
        return (i, j) if 0 <= i < nx and 0 <= j < ny else None

    def connected(self, pieces: Sequence[Furniture]) -> bool:
        """Whether doorways, receptacles and (nearly) all free floor are reachable with
        ``pieces`` in the room."""
        free = self._free0.copy()
        for p in pieces:
            free[self._block(p.footprint.expand(_INFLATE))] = False
        return self._reachable(free, [self._block(p.footprint.expand(_INFLATE + 0.2))
                                      for p in pieces if p.surfaces])

    def _reachable(self, free: np.ndarray, rings: Sequence[tuple[slice, slice]]) -> bool:
        """:meth:`connected` for the free cells ``free``; ``rings`` are the blocks around
        the receptacles (each with the receptacle's own cells not free)."""
        for cell in self._door_cells:
            if cell is None or not free[cell]:  # a blocked doorway is in no area
                return False
        labels, n = ndimage.label(free, _STRUCTURE)
        if n == 0:
            return False
        if n == 1:  # one free area, the doorways' (their cells are free): no pockets
            if np.count_nonzero(free) < self._min_main:
                return False
            return all(np.any(labels[ring]) for ring in rings)
        sizes = np.bincount(labels.ravel())
        if self._door_cells:
            ids = {labels[cell] for cell in self._door_cells}
            if len(ids) != 1 or 0 in ids:
                return False
            main = ids.pop()
        else:
            main = int(np.argmax(sizes[1:])) + 1
        if sizes[main] < self._min_main:
            return False
        # No sizeable free area may be cut off from the doorways (a corner walled in by a
        # table and a sofa): tasks would sample start positions there.
        sizes[0] = sizes[main] = 0
        if sizes.max() * _CELL_AREA > _MAX_POCKET_AREA:
            return False
        # Some free cell next to each receptacle must be in the main area: as the piece's
        # own (inflated) cells are not free, the whole block around it will do for its ring.
        return all(np.any(labels[ring] == main) for ring in rings)

    def fits(self, rect: Rect, anchor: Furniture | None = None) -> bool:
        if not self.interior.contains(rect):
            return False
        if any(rect.overlaps(z) for z in self.door_zones):
            return False
        footprints = self._kept_footprints
        if self._kept != self.placed:
            footprints = [p.footprint for p in self.placed]
        for p, placed_rect in zip(self.placed, footprints):
            # A piece may touch its anchor (a nightstand against its bed), not overlap it.
            gap = -1e-6 if p is anchor else _GAP
            if rect.overlaps(placed_rect, gap=gap):
                return False
        return True

    def candidates(self, kind: FurnitureKind, placement: str, size, rng: np.random.Generator,
                   tries: int = 30):
        """Yield (pos, yaw, anchor) proposals for a piece of ``size``."""
        w, d, _ = size
        r = self.interior
        width, height, (cx, cy) = r.width, r.height, r.center
        mode, _, ref = placement.partition(":")
        anchors = [p for p in self.placed if p.category == ref] if ref else []
        if ref and not anchors:
            return
        # rng.choice(seq) of two items draws as rng.integers(2): the index is drawn so.
        for _ in range(tries):
            if mode in ("wall", "corner"):
                side = ("south", "north", "west", "east")[int(rng.integers(4))]
                yaw = _YAW_FACING[side]
                along_len = width if side in ("south", "north") else height
                if along_len < w:
                    continue
                lo, hi = -along_len / 2 + w / 2, along_len / 2 - w / 2
                t = (lo if rng.uniform() < 0.5 else hi) if mode == "corner" else rng.uniform(lo, hi)
                off = 0.005 + d / 2
                if side == "south":
                    pos = (cx + t, r.ymin + off)
                elif side == "north":
                    pos = (cx + t, r.ymax - off)
                elif side == "west":
                    pos = (r.xmin + off, cy + t)
                else:
                    pos = (r.xmax - off, cy + t)
                yield (round(pos[0], 3), round(pos[1], 3)), yaw, None
            elif mode == "center":
                yaw = (0.0, math.pi / 2)[int(rng.integers(2))]
                fw, fd = (w, d) if yaw == 0.0 else (d, w)
                margin = 0.75
                if width < fw + 2 * margin + 0.01 or height < fd + 2 * margin + 0.01:
                    return
                x = rng.uniform(r.xmin + margin + fw / 2, r.xmax - margin - fw / 2)
                y = rng.uniform(r.ymin + margin + fd / 2, r.ymax - margin - fd / 2)
                yield (round(x, 3), round(y, 3)), yaw, None
            else:
                anchor = anchors[int(rng.integers(len(anchors)))]
                aw, ad, _ = anchor.size
                if mode == "beside":  # same wall, to the left or right
                    sx = (-1.0, 1.0)[int(rng.integers(2))]
                    local = (sx * (aw / 2 + 0.02 + w / 2), -ad / 2 + d / 2)
                    yaw = anchor.yaw
                elif mode == "front":  # facing the anchor's front
                    gap = 0.4 if anchor.category == "sofa" else 0.02
                    local = (rng.uniform(-0.1, 0.1) * aw, ad / 2 + gap + d / 2)
                    yaw = anchor.yaw + (math.pi if anchor.category != "sofa" else 0.0)
                else:  # around: chairs at the long sides of a table, facing it
                    sy = (-1.0, 1.0)[int(rng.integers(2))]
                    sx = (-0.25, 0.25)[int(rng.integers(2))] if aw >= 1.2 else 0.0
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
            if self._kept == self.placed:
                free = self._free.copy()
                free[self._block(rect.expand(_INFLATE))] = False
                rings = self._kept_rings
                if local_surfaces:
                    rings = rings + [self._block(rect.expand(_INFLATE + 0.2))]
                if not self._reachable(free, rings):
                    continue
                piece = self._piece(name, category, pos, yaw, size, local_surfaces, color, variant)
                self._kept.append(piece)
                self._kept_footprints.append(rect)
                self._kept_rings, self._free = rings, free
            else:  # self.placed was changed from outside
                piece = self._piece(name, category, pos, yaw, size, local_surfaces, color, variant)
                if not self.connected(self.placed + [piece]):
                    continue
            self.placed.append(piece)
            return piece
        return None

    def _piece(self, name, category, pos, yaw, size, local_surfaces, color, variant) -> Furniture:
        surfaces = tuple(Surface(round(s.height, 4), local_rect_to_world(pos, yaw, s.rect), s.clearance)
                         for s in local_surfaces)
        return Furniture(name, category, self.room.name, pos, yaw, size, surfaces, color, variant)


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
