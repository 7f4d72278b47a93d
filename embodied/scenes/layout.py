"""The layout of a home as plain data: rooms, walls, doorways, furniture and objects.

Nothing here needs MuJoCo: a layout can be generated, checked, serialised and described
as text (for a planner) on its own; :mod:`embodied.scenes.home` turns it into a model.
Coordinates are metres in the world frame, z up, the floor at z = 0. Rectangles are
axis-aligned ``(xmin, ymin, xmax, ymax)``. This module also holds the room partition,
doorway and wall generation steps of the generator.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from operator import truediv
from typing import NamedTuple, Sequence

import numpy as np

from embodied.geometry import yaw_quat

ROOM_KINDS: tuple[str, ...] = ("living_room", "kitchen", "bedroom", "bathroom", "hallway", "office")

WALL_THICKNESS = 0.12
WALL_HEIGHT = 2.5
#: Depth of the clear corridor kept free of furniture on both sides of every doorway.
DOOR_CLEARANCE = 1.2
#: Distance from a doorway's edge to the nearest wall junction.
DOOR_CORNER_MARGIN = 0.35


class Rect(NamedTuple):
    """An axis-aligned rectangle ``(xmin, ymin, xmax, ymax)``."""

    xmin: float
    ymin: float
    xmax: float
    ymax: float

    @property
    def width(self) -> float:
        return self.xmax - self.xmin

    @property
    def height(self) -> float:
        return self.ymax - self.ymin

    @property
    def area(self) -> float:
        return self.width * self.height

    @property
    def center(self) -> tuple[float, float]:
        return (0.5 * (self.xmin + self.xmax), 0.5 * (self.ymin + self.ymax))

    def expand(self, d: float) -> "Rect":
        """Grown by ``d`` on every side (shrunk when ``d`` < 0)."""
        return Rect(self.xmin - d, self.ymin - d, self.xmax + d, self.ymax + d)

    def contains_point(self, x: float, y: float, margin: float = 0.0) -> bool:
        return (self.xmin + margin <= x <= self.xmax - margin
                and self.ymin + margin <= y <= self.ymax - margin)

    def contains(self, other: "Rect", tol: float = 1e-9) -> bool:
        return (other.xmin >= self.xmin - tol and other.ymin >= self.ymin - tol
                and other.xmax <= self.xmax + tol and other.ymax <= self.ymax + tol)

    def overlaps(self, other: "Rect", gap: float = 0.0) -> bool:
        """True if the rectangles are closer than ``gap`` (interiors intersect when gap=0)."""
        return (self.xmin < other.xmax + gap and other.xmin < self.xmax + gap
                and self.ymin < other.ymax + gap and other.ymin < self.ymax + gap)

    @staticmethod
    def around(x: float, y: float, half_x: float, half_y: float) -> "Rect":
        return Rect(x - half_x, y - half_y, x + half_x, y + half_y)


@dataclass(frozen=True)
class Room:
    """A room: ``rect`` runs along the wall centre lines; ``interior`` is the floor inside
    the walls; ``style`` picks the room's floor and wall look."""

    name: str
    kind: str
    rect: Rect
    style: int = 0

    @property
    def interior(self) -> Rect:
        return self.rect.expand(-WALL_THICKNESS / 2)


@dataclass(frozen=True)
class Doorway:
    """An opening of ``width`` metres centred at ``center`` in the wall between two rooms.

    ``axis`` is the direction of the wall: ``"x"`` for a wall along x (the doorway is
    crossed moving in y), ``"y"`` for a wall along y.
    """

    name: str
    rooms: tuple[str, str]
    center: tuple[float, float]
    width: float
    axis: str

    def clear_zone(self, depth: float = DOOR_CLEARANCE) -> Rect:
        """The corridor kept free of furniture: ``depth`` metres on both sides of the wall."""
        x, y = self.center
        if self.axis == "x":
            return Rect.around(x, y, self.width / 2, depth)
        return Rect.around(x, y, depth, self.width / 2)


@dataclass(frozen=True)
class Wall:
    """A wall slab from ``start`` to ``end`` (its centre line) facing ``room``.

    Each wall between two rooms is built as two slabs of half the wall thickness, one per
    room, so each room can have its own wall colour; ``room`` is None for the outside
    face of the apartment.
    """

    start: tuple[float, float]
    end: tuple[float, float]
    thickness: float
    height: float
    room: str | None

    @property
    def length(self) -> float:
        return math.dist(self.start, self.end)

    @property
    def footprint(self) -> Rect:
        """The slab's rectangle on the floor (walls are axis-aligned)."""
        (x0, y0), (x1, y1) = self.start, self.end
        t = self.thickness / 2
        if y0 == y1:
            return Rect(min(x0, x1), y0 - t, max(x0, x1), y0 + t)
        return Rect(x0 - t, min(y0, y1), x0 + t, max(y0, y1))


@dataclass(frozen=True)
class Surface:
    """A horizontal rectangle objects can rest on, ``clearance`` metres of free space above."""

    height: float
    rect: Rect
    clearance: float = 1.0


@dataclass(frozen=True)
class Furniture:
    """A static piece of furniture.

    ``pos`` is the centre of its footprint on the floor, ``yaw`` a multiple of pi/2 (the
    piece's front faces local +y), ``size`` its (width, depth, height) in its own frame,
    ``surfaces`` where objects can be placed (empty for non-receptacles), ``color`` its
    main colour and ``variant`` a small integer choosing among its looks.
    """

    name: str
    category: str
    room: str
    pos: tuple[float, float]
    yaw: float
    size: tuple[float, float, float]
    surfaces: tuple[Surface, ...] = ()
    color: tuple[float, float, float] = (0.6, 0.5, 0.4)
    variant: int = 0

    @property
    def footprint(self) -> Rect:
        return footprint(self.pos, self.yaw, self.size)

    @property
    def is_receptacle(self) -> bool:
        return bool(self.surfaces)

    @property
    def quat(self) -> tuple[float, float, float, float]:
        return yaw_quat(self.yaw)


@dataclass(frozen=True)
class GraspableObject:
    """A free object resting on a receptacle surface.

    ``size`` holds the shape's dimensions (their meaning depends on the category, see
    :mod:`embodied.scenes.objects`); ``pos`` is the body origin, ``surface`` the index of
    the receptacle surface it rests on.
    """

    name: str
    category: str
    room: str
    receptacle: str
    surface: int
    pos: tuple[float, float, float]
    yaw: float
    size: tuple[float, ...]
    mass: float
    color: tuple[float, float, float]

    @property
    def quat(self) -> tuple[float, float, float, float]:
        """Initial orientation (w, x, y, z): upright, turned by ``yaw``."""
        return yaw_quat(self.yaw)


@dataclass(frozen=True)
class Layout:
    """Everything that defines a home; the MuJoCo model is a pure function of it."""

    rooms: tuple[Room, ...]
    doorways: tuple[Doorway, ...]
    walls: tuple[Wall, ...]
    furniture: tuple[Furniture, ...]
    objects: tuple[GraspableObject, ...]

    @property
    def bounds(self) -> Rect:
        """The apartment's outline, outer wall faces included."""
        r = [room.rect for room in self.rooms]
        return Rect(min(a.xmin for a in r), min(a.ymin for a in r),
                    max(a.xmax for a in r), max(a.ymax for a in r)).expand(WALL_THICKNESS / 2)

    def room(self, name: str) -> Room:
        for room in self.rooms:
            if room.name == name:
                return room
        raise KeyError(f"no room named {name!r}; rooms: {[r.name for r in self.rooms]}")

    def furniture_piece(self, name: str) -> Furniture:
        for f in self.furniture:
            if f.name == name:
                return f
        raise KeyError(f"no furniture named {name!r}")

    def describe(self) -> str:
        """A text description: furniture per room, doorways, then where each object is."""
        lines = ["Rooms and furniture:"]
        for room in self.rooms:
            pieces = [f.name for f in self.furniture if f.room == room.name]
            lines.append(f"- {room.name}: {', '.join(pieces) if pieces else '(empty)'}")
        lines.append("Doorways:")
        for door in self.doorways:
            lines.append(f"- {door.rooms[0]} <-> {door.rooms[1]}")
        lines.append("Objects:")
        for obj in self.objects:
            lines.append(f"- {obj.name}: {obj.receptacle} in {obj.room}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """A JSON-friendly dict of the whole layout."""
        return asdict(self)


def footprint(pos: Sequence[float], yaw: float, size: Sequence[float]) -> Rect:
    """World rectangle covered by a (width, depth) box at ``pos`` rotated by ``yaw`` (k*pi/2)."""
    quarter_turns = int(round(yaw / (math.pi / 2))) % 2
    w, d = (size[1], size[0]) if quarter_turns else (size[0], size[1])
    return Rect.around(pos[0], pos[1], w / 2, d / 2)


def to_world(pos: Sequence[float], yaw: float, local_xy: Sequence[float]) -> tuple[float, float]:
    """A point given in a piece's frame, in world coordinates."""
    c, s = math.cos(yaw), math.sin(yaw)
    x, y = local_xy
    return (pos[0] + c * x - s * y, pos[1] + s * x + c * y)


def local_rect_to_world(pos, yaw: float, rect: Rect) -> Rect:
    """A rectangle in a piece's frame mapped to the world (yaw a multiple of pi/2)."""
    corners = [to_world(pos, yaw, (x, y)) for x in (rect.xmin, rect.xmax) for y in (rect.ymin, rect.ymax)]
    xs, ys = zip(*corners)
    return Rect(round(min(xs), 6), round(min(ys), 6), round(max(xs), 6), round(max(ys), 6))


# ---------------------------------------------------------------------------------------
# Generation: room kinds, partition of the footprint, doorways, walls.

#: Target floor area (m^2) and minimum side (m) of each room kind.
ROOM_AREA = {"living_room": (18.0, 28.0), "kitchen": (10.0, 15.0), "bedroom": (11.0, 16.0),
             "bathroom": (5.0, 7.5), "hallway": (6.0, 9.0), "office": (8.5, 12.0)}
ROOM_MIN_SIDE = {"living_room": 3.4, "kitchen": 2.8, "bedroom": 3.0, "bathroom": 2.2,
                 "hallway": 1.8, "office": 2.8}
ROOM_MAX_ASPECT = {"hallway": 4.0}
_DEFAULT_MAX_ASPECT = 2.2


def room_kinds_for(n_rooms: int, rng: np.random.Generator) -> list[str]:
    """Kinds of an ``n_rooms`` apartment: living room, kitchen and bedroom always, then a
    bathroom (4+ rooms), a hallway (5+), then extra bedrooms / an office / a bathroom."""
    kinds = ["living_room", "kitchen", "bedroom", "bathroom", "hallway"][:n_rooms]
    extras = ["bedroom", "office", "bathroom"]
    while len(kinds) < n_rooms:
        kind = extras[int(rng.integers(len(extras)))]
        if kind == "bathroom" and kinds.count("bathroom") >= 2:
            continue
        kinds.append(kind)
    return kinds


class _UniformStream:
    """The ``rng.uniform()`` draws of a search, made in as few calls as possible: the same
    numbers in the same order (``rng.random(n)`` draws ``n`` of them at once).

    :meth:`take` reserves draws without making them; they are made when :meth:`get` reads
    them, or (unread) when a later read or :meth:`close` needs the generator past them.
    """

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.values: list[float] = []  # the draws made, from index ``self.base``
        self.base = 0
        self.pos = 0  # draws reserved

    def take(self, m: int) -> int:
        """Reserve the next ``m`` draws; returns the index of the first."""
        pos = self.pos
        self.pos = pos + m
        return pos

    def get(self, pos: int, m: int) -> list[float]:
        """The ``m`` draws reserved from index ``pos`` (all draws before them are made too)."""
        made = self.base + len(self.values)
        if pos + m > made:
            drawn = self.rng.random(pos + m - made).tolist()
            if pos >= made:  # nothing made before ``pos`` is still to be read
                self.base, self.values = pos, drawn[pos - made:]
            else:
                self.values += drawn
        return self.values[pos - self.base:pos - self.base + m]

    def close(self) -> None:
        """Make the reserved draws no one read, leaving ``rng`` after all of them."""
        made = self.base + len(self.values)
        if self.pos > made:
            self.rng.random(self.pos - made)
        self.values, self.base, self.pos = [], 0, 0


class _Slicer:
    """The slicing search of :func:`_split`, set up for each list of items by :meth:`run`:
    what depends only on the items (area fractions, cut weights) is computed once, the
    uniform draws come from a :class:`_UniformStream`."""

    def __init__(self, stream: _UniformStream, tries_per_level: int = 3):
        self.stream = stream
        self.tries = tries_per_level

    def run(self, rect: Sequence[float], areas: list[float], min_side: list[float],
            max_aspect: list[float]) -> list[Rect] | None:
        """Rooms of the given areas and shape limits slicing ``rect``, in order, or None;
        the stream is closed after (``rng`` is then where the search left it)."""
        self.areas, self.min_side, self.max_aspect = areas, min_side, max_aspect
        self._cuts: dict[tuple[int, int], tuple[list, list, list]] = {}
        try:
            rects = self.split(*rect, 0, len(areas))
        finally:
            self.stream.close()
        return None if rects is None else [Rect(*r) for r in rects]

    def cuts(self, i: int, j: int) -> tuple[list, list, list]:
        """Cuts of items ``i..j-1``. Cut ``2q`` (across x) and ``2q + 1`` (across y) put
        items ``i..i+q`` on the low side, at fraction ``fracs[q]``; returns the fractions and
        the cuts' weights when the rectangle is wide (width >= height) and when not."""
        cached = self._cuts.get((i, j))
        if cached is None:
            areas = self.areas
            total = sum(areas[i:j])
            fracs, running = [], 0.0
            for k in range(i, j - 1):
                running += areas[k]
                fracs.append(running / total)
            wide, narrow = [], []
            for frac in fracs:
                # x * 1.0 == x: the long side's weight is the plain Gaussian
                g = math.exp(-((frac - 0.5) / 0.25) ** 2)
                wide += (g, g * 0.15)
                narrow += (g * 0.15, g)
            cached = self._cuts[(i, j)] = (fracs, wide, narrow)
        return cached

    def split(self, x0: float, y0: float, x1: float, y1: float, i: int, j: int) -> list | None:
        """Rectangles (as tuples) of items ``i..j-1`` slicing the given one, or None."""
        if j - i == 1:
            w, h = x1 - x0, y1 - y0
            short, long = (w, h) if w <= h else (h, w)
            if short >= self.min_side[i] and long / short <= self.max_aspect[i]:
                return [(x0, y0, x1, y1)]
            return None
        if j - i == 2 and self.tries >= 2:
            return self._split_pair(x0, y0, x1, y1, i)
        width, height = x1 - x0, y1 - y0
        fracs, wide, narrow = self.cuts(i, j)
        weights = wide if width >= height else narrow
        stream = self.stream
        us = stream.get(stream.take(len(weights)), len(weights))
        keys = list(map(truediv, map(math.log, us), weights))
        for idx in sorted(range(len(keys)), key=keys.__getitem__, reverse=True)[:self.tries]:
            q = idx >> 1
            k, frac = i + 1 + q, fracs[q]
            if idx & 1 == 0:  # across x
                cut = round(x0 + frac * width, 2)
                first = self.split(x0, y0, cut, y1, i, k)
                if first is None:
                    continue
                second = self.split(cut, y0, x1, y1, k, j)
            else:
                cut = round(y0 + frac * height, 2)
                first = self.split(x0, y0, x1, cut, i, k)
                if first is None:
                    continue
                second = self.split(x0, cut, x1, y1, k, j)
            if second is not None:
                return first + second
        return None

    def shape_ok(self, i: int, w: float, h: float) -> bool:
        """Whether a room of item ``i`` may be ``w`` x ``h``."""
        short, long = (w, h) if w <= h else (h, w)
        return short >= self.min_side[i] and long / short <= self.max_aspect[i]

    def _split_pair(self, x0: float, y0: float, x1: float, y1: float, i: int) -> list | None:
        """Two items: both cuts are tried and neither draws again, so the two draws are
        read only when both cuts give good rooms and the keys decide between them."""
        pos = self.stream.take(2)
        a, b = self.areas[i], self.areas[i + 1]
        frac = a / (a + b)  # as cuts() has it: sum([a, b]) == a + b
        width, height = x1 - x0, y1 - y0
        cut_x = round(x0 + frac * width, 2)
        by_x = self.shape_ok(i, cut_x - x0, height) and self.shape_ok(i + 1, x1 - cut_x, height)
        cut_y = round(y0 + frac * height, 2)
        by_y = self.shape_ok(i, width, cut_y - y0) and self.shape_ok(i + 1, width, y1 - cut_y)
        if by_x and by_y:
            _, wide, narrow = self.cuts(i, i + 2)
            w_x, w_y = wide if width >= height else narrow
            u_x, u_y = self.stream.get(pos, 2)
            by_x = math.log(u_x) / w_x >= math.log(u_y) / w_y
        if by_x:
            return [(x0, y0, cut_x, y1), (cut_x, y0, x1, y1)]
        if by_y:
            return [(x0, y0, x1, cut_y), (x0, cut_y, x1, y1)]
        return None


def _split(rect: Rect, items: Sequence[tuple[str, float]], rng: np.random.Generator,
           tries_per_level: int = 3) -> list[Rect] | None:
    """Slice ``rect`` recursively into rooms of the given (kind, area) items, in order.

    Cuts near the middle and across the longer side are preferred; a few cuts are tried
    per level and a slicing in which some room has a bad shape is abandoned (None). Each
    level draws one uniform per possible cut and tries the cuts in the order of weighted
    sampling without replacement (Efraimidis-Spirakis keys ``log(u) / weight``).
    """
    kinds = [kind for kind, _ in items]
    return _Slicer(_UniformStream(rng), tries_per_level).run(
        rect, [a for _, a in items], [ROOM_MIN_SIDE[k] for k in kinds],
        [ROOM_MAX_ASPECT.get(k, _DEFAULT_MAX_ASPECT) for k in kinds])


def partition(kinds: Sequence[str], rng: np.random.Generator, attempts: int = 200) -> list[Rect]:
    """Rectangles for rooms of the given kinds, tiling one rectangular apartment.

    Rooms are sliced out of the outline (a treemap) in a random order; slicings where
    some room is too narrow or elongated are rejected and redrawn. If no valid slicing is
    found, the apartment is enlarged a little and the search goes on.
    """
    area_ranges = [ROOM_AREA[k] for k in kinds]
    min_side = [ROOM_MIN_SIDE[k] for k in kinds]
    max_aspect = [ROOM_MAX_ASPECT.get(k, _DEFAULT_MAX_ASPECT) for k in kinds]
    slicer = _Slicer(_UniformStream(rng))  # _split, without building its inputs each time
    scale = 1.0
    while True:
        for _ in range(attempts):
            areas = [float(rng.uniform(lo, hi)) * scale for lo, hi in area_ranges]
            order = rng.permutation(len(kinds)).tolist()
            total = sum(areas)
            aspect = float(rng.uniform(1.0, 1.6))
            width = round(math.sqrt(total * aspect), 2)
            depth = round(total / width, 2)
            rects = slicer.run((0.0, 0.0, width, depth), [areas[i] for i in order],
                               [min_side[i] for i in order], [max_aspect[i] for i in order])
            if rects is not None:
                return _rooms_centred(rects, order, width, depth)
        scale *= 1.1


def _rooms_centred(rects: Sequence[Rect], order: Sequence[int], width: float, depth: float) -> list[Rect]:
    """The slices of a ``width`` x ``depth`` apartment (``rects[slot]`` is room
    ``order[slot]``) in room order, moved so the apartment is centred on the origin."""
    by_room: list[Rect] = [rects[0]] * len(order)
    for slot, room_index in enumerate(order):
        by_room[room_index] = rects[slot]
    cx, cy = round(width / 2, 2), round(depth / 2, 2)
    return [Rect(round(r.xmin - cx, 2), round(r.ymin - cy, 2), round(r.xmax - cx, 2),
                 round(r.ymax - cy, 2)) for r in by_room]


class NoDoorwayError(RuntimeError):
    """A partition whose rooms cannot all be connected by doorways (the generator redraws)."""


class SharedEdge(NamedTuple):
    """The stretch of wall two rooms share: on line ``axis`` = ``coord`` from lo to hi."""

    axis: str  # "x": wall along x at y = coord; "y": wall along y at x = coord
    coord: float
    lo: float
    hi: float


def shared_edge(a: Rect, b: Rect, eps: float = 1e-6) -> SharedEdge | None:
    """The wall stretch shared by two touching rooms, or None."""
    for coord_a, coord_b, axis in ((a.xmax, b.xmin, "y"), (a.xmin, b.xmax, "y"),
                                   (a.ymax, b.ymin, "x"), (a.ymin, b.ymax, "x")):
        if abs(coord_a - coord_b) < eps:
            lo, hi = ((max(a.ymin, b.ymin), min(a.ymax, b.ymax)) if axis == "y"
                      else (max(a.xmin, b.xmin), min(a.xmax, b.xmax)))
            if hi - lo > eps:
                return SharedEdge(axis, coord_a, lo, hi)
    return None


def place_doorways(rooms: Sequence[Room], rng: np.random.Generator,
                   width_range: tuple[float, float] = (0.9, 1.1),
                   extra_door_prob: float = 0.5) -> list[Doorway]:
    """Doorways forming a spanning tree of the rooms (every room reachable), grown from the
    hallway (or living room), avoiding paths through bathrooms and bedrooms; then maybe one
    extra doorway between two non-bathroom rooms for a loop."""
    n = len(rooms)
    min_len = width_range[1] + 2 * DOOR_CORNER_MARGIN
    edges: dict[tuple[int, int], SharedEdge] = {}
    for i in range(n):
        for j in range(i + 1, n):
            edge = shared_edge(rooms[i].rect, rooms[j].rect)
            if edge is not None and edge.hi - edge.lo >= min_len:
                edges[(i, j)] = edge
    kinds = [r.kind for r in rooms]
    hub = kinds.index("hallway") if "hallway" in kinds else kinds.index("living_room")
    through_cost = {"hallway": 0.0, "living_room": 0.5, "kitchen": 1.5, "office": 2.0,
                    "bedroom": 3.0, "bathroom": 10.0}

    in_tree, chosen = {hub}, []
    while len(in_tree) < n:
        candidates = []
        for (i, j), edge in edges.items():
            for u, v in ((i, j), (j, i)):
                if u in in_tree and v not in in_tree:
                    cost = through_cost[kinds[u]] + rng.uniform(0, 1.0)
                    candidates.append((cost, u, v))
        if not candidates:
            raise NoDoorwayError("rooms are not all joined by walls long enough for a doorway")
        _, u, v = min(candidates)
        chosen.append((min(u, v), max(u, v)))
        in_tree.add(v)
    # Bathrooms are dead ends, and a bedroom leads at most to its own (en-suite) bathroom:
    # a partition that forces other paths through them is redrawn.
    for k in range(n):
        neighbours = [kinds[j] for e in chosen if k in e for j in e if j != k]
        if ((kinds[k] == "bathroom" and len(neighbours) > 1)
                or (kinds[k] == "bedroom" and sum(kind != "bathroom" for kind in neighbours) > 1)):
            raise NoDoorwayError("the doorways would lead through a bathroom or bedroom")
    if rng.uniform() < extra_door_prob:
        extra = [e for e in edges if e not in chosen
                 and not {"bathroom", "bedroom"} & {kinds[e[0]], kinds[e[1]]}]
        if extra:
            chosen.append(extra[int(rng.integers(len(extra)))])

    doorways = []
    for k, (i, j) in enumerate(chosen):
        edge = edges[(i, j)]
        width = round(float(rng.uniform(*width_range)), 2)
        lo = edge.lo + DOOR_CORNER_MARGIN + width / 2
        hi = edge.hi - DOOR_CORNER_MARGIN - width / 2
        # Doorways are often near a corner, which leaves long walls for furniture.
        u = rng.uniform()
        along = round(float(lo if u < 0.35 else hi if u < 0.7 else rng.uniform(lo, hi)), 2)
        center = (along, edge.coord) if edge.axis == "x" else (edge.coord, along)
        doorways.append(Doorway(f"door_{k}", (rooms[i].name, rooms[j].name), center, width, edge.axis))
    return doorways


def _subtract(lo: float, hi: float, holes: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    pieces, start = [], lo
    for h_lo, h_hi in sorted(holes):
        if h_lo > start:
            pieces.append((start, min(h_lo, hi)))
        start = max(start, h_hi)
    if start < hi:
        pieces.append((start, hi))
    return [(a, b) for a, b in pieces if b - a > 1e-6]


def build_walls(rooms: Sequence[Room], doorways: Sequence[Doorway],
                thickness: float = WALL_THICKNESS, height: float = WALL_HEIGHT) -> list[Wall]:
    """Wall slabs: each room's inner face along its four edges (minus doorway gaps), then
    the outer face of the apartment. Each slab is half the wall thickness."""
    half = thickness / 2
    quarter = thickness / 4
    walls: list[Wall] = []
    for room in rooms:
        r = room.rect
        # (axis, coordinate of the edge, inward offset sign, extent along the edge)
        edges = (("x", r.ymin, +1, r.xmin, r.xmax), ("x", r.ymax, -1, r.xmin, r.xmax),
                 ("y", r.xmin, +1, r.ymin, r.ymax), ("y", r.xmax, -1, r.ymin, r.ymax))
        for axis, coord, inward, lo, hi in edges:
            holes = []
            for door in doorways:
                if room.name not in door.rooms or door.axis != axis:
                    continue
                across, along = (door.center[1], door.center[0]) if axis == "x" else door.center
                if abs(across - coord) < 1e-6 and lo < along < hi:
                    holes.append((along - door.width / 2, along + door.width / 2))
            c = coord + inward * quarter
            for a, b in _subtract(lo, hi, holes):
                start, end = ((a, c), (b, c)) if axis == "x" else ((c, a), (c, b))
                walls.append(Wall(start, end, half, height, room.name))
    outline = Rect(min(r.rect.xmin for r in rooms), min(r.rect.ymin for r in rooms),
                   max(r.rect.xmax for r in rooms), max(r.rect.ymax for r in rooms))
    o = outline.expand(quarter)
    # The outer slabs run a quarter thickness past the outline so the corners close.
    walls += [Wall((o.xmin - quarter, o.ymin), (o.xmax + quarter, o.ymin), half, height, None),
              Wall((o.xmin - quarter, o.ymax), (o.xmax + quarter, o.ymax), half, height, None),
              Wall((o.xmin, o.ymin - quarter), (o.xmin, o.ymax + quarter), half, height, None),
              Wall((o.xmax, o.ymin - quarter), (o.xmax, o.ymax + quarter), half, height, None)]
    return walls
