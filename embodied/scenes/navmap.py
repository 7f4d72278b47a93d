"""Navigation map: a 2-D occupancy grid of a compiled MuJoCo scene, with path queries.

The map rasterizes the static collision geometry (geoms of bodies welded to the world
whose vertical extent overlaps ``height_range``; ground planes, free bodies such as robots
and graspable objects, and mocap bodies such as humanoids are not obstacles) and keeps,
per cell, the clearance to the nearest obstacle. A disc agent of radius ``r`` may stand
anywhere in a cell whose clearance is at least ``r``: maps for several agent radii share
the rasterization (:meth:`NavMap.with_radius`).

Conventions:

- The grid covers ``bounds = (xmin, ymin, xmax, ymax)`` with square cells of side
  ``cell_size``. Cell ``(row, col)`` spans ``x in [xmin + col*c, xmin + (col+1)*c)`` and
  ``y in [ymin + row*c, ymin + (row+1)*c)`` (row 0 at ``ymin``).
- Guarantee: every point of a navigable cell is at least ``agent_radius`` from every
  obstacle. Obstacles are rasterized conservatively (every cell an obstacle touches is
  occupied) and clearance is measured between cell squares, so the map errs on the safe
  side by at most about one cell.
- Points outside the map are not navigable. Queries that take two points
  (:meth:`NavMap.geodesic_distance`, :meth:`NavMap.shortest_path`,
  :meth:`NavMap.connected`) first snap a non-navigable endpoint (inside or outside the
  map) to the centre of the nearest navigable cell; distances then include the straight
  snapping legs, so an agent pressed against a wall still gets a finite, continuous
  distance. Pass ``snap=False`` to get ``inf``/``None`` instead.
- :meth:`NavMap.shortest_path` returns an any-angle path: the straight segment when it is
  clear; otherwise the shortest route through the visibility graph of the convex corner
  cells of the navigable region (where taut paths bend; all-pairs distances precomputed
  with scipy's Dijkstra on first use), or, if that graph does not link the two points, an
  8-connected grid search smoothed by string pulling. Paths bend at cell centres, so
  distances exceed the exact continuous ones by a few cm per bend.
- :meth:`NavMap.geodesic_distance` is the euclidean distance when the segment is clear;
  otherwise, by default, the same corner route with the corners an end sees read mostly
  from a per-cell visibility table (built on first use): equal to the path length for
  almost all pairs, within about a cell per bend for the others. ``exact=True`` gives the
  path length.
- Every query is a pure function of its arguments; caches only save time, so results do
  not depend on query history (needed for exact replays and forked worlds).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Mapping, Sequence

import mujoco
import numpy as np
from scipy import ndimage
from scipy.sparse import csgraph, csr_matrix
from scipy.spatial import ConvexHull, QhullError

from embodied.errors import ConfigError, EmbodiedError, check_range

Rect = tuple[float, float, float, float]

MAX_CELL_SIZE = 0.05
MIN_CELL_SIZE = 0.005
MAX_CELLS = 16_000_000
_CIRCLE_SIDES = 32
# Distance (in cells) by which line-of-sight checks look to both sides of each grid-line
# crossing, so a segment through a cell corner needs all cells touching that corner free.
_TOUCH = 1e-7
_FIELD_CACHE_SIZE = 8
# Cell centres this close (in cells) to a shadow's edge ray count as on it, hence hidden,
# as segments that graze a cell corner are blocked.
_ON_RAY = 1e-6
# Segment walk (cell units): a sample's free disc holds the segment up to (free distance -
# _DISC) from it (_DISC > sqrt(2): a sample and a point touching a cell are each within
# sqrt(2)/2 of the cell's centre); samples are at most _STEP < 2 apart otherwise; a walk with
# more than _MAX_UNSURE pieces left to test exactly is tested whole.
_DISC = 1.4143
_STEP = 1.9
_MAX_UNSURE = 4
# Corners whose shadows are counted at once: about this many grid cells of scratch counts.
_SIGHT_CHUNK_CELLS = 1_000_000
# Largest (navigable cells x corners) for which a corner visibility table is built (a 10 m
# home at 5 cm: ~1.3 million).
_SIGHT_MAX_ENTRIES = 8_000_000

FREE_RGB = (235, 235, 235)
MARGIN_RGB = (245, 180, 90)
OCCUPIED_RGB = (60, 60, 70)


@dataclass(frozen=True)
class NavMapConfig:
    """Parameters of a navigation map.

    Args:
        agent_radius: radius (m) of the disc agent the map is for (>= 0).
        cell_size: side (m) of a grid cell, in [0.005, 0.05].
        height_range: (low, high) in metres; geoms whose vertical extent overlaps it are
            obstacles (rugs below ``low`` and lamps above ``high`` are not).
    """

    agent_radius: float = 0.25
    cell_size: float = 0.05
    height_range: tuple[float, float] = (0.05, 1.8)

    def __post_init__(self):
        check_range("agent_radius", self.agent_radius, 0.0, 10.0)
        check_range("cell_size", self.cell_size, MIN_CELL_SIZE, MAX_CELL_SIZE)
        hr = self.height_range
        if (not isinstance(hr, (tuple, list)) or len(hr) != 2
                or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in hr)
                or hr[0] >= hr[1]):
            raise ConfigError("height_range", hr, reason="must be (low, high) with low < high")
        object.__setattr__(self, "height_range", (float(hr[0]), float(hr[1])))


def _check_rect(field: str, rect) -> Rect:
    try:
        values = tuple(float(v) for v in rect)
    except (TypeError, ValueError):
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) for v in values) \
            or values[0] >= values[2] or values[1] >= values[3]:
        raise ConfigError(field, rect, reason="must be (xmin, ymin, xmax, ymax) with min < max")
    return values  # type: ignore[return-value]


# -- footprints of geoms ------------------------------------------------------------------
def _circle(n: int = _CIRCLE_SIDES) -> np.ndarray:
    """Unit circle polygon circumscribing the circle (so filling it is conservative)."""
    angles = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    return np.stack([np.cos(angles), np.sin(angles)], axis=1) / np.cos(np.pi / n)


_UNIT_CIRCLE = _circle()


def _geom_outline(model: mujoco.MjModel, g: int, pos: np.ndarray, rot: np.ndarray):
    """Points (k, 2) whose convex hull contains the geom's xy footprint, and its z extent.

    Returns None for geom types that are not rasterized (planes, height fields, SDFs).
    """
    gtype = mujoco.mjtGeom(int(model.geom_type[g]))
    size = model.geom_size[g]
    G = mujoco.mjtGeom
    if gtype == G.mjGEOM_BOX:
        corners = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)])
        pts = pos + (corners * size) @ rot.T
        return pts[:, :2], pts[:, 2].min(), pts[:, 2].max()
    if gtype == G.mjGEOM_SPHERE:
        r = size[0]
        return pos[:2] + r * _UNIT_CIRCLE, pos[2] - r, pos[2] + r
    if gtype in (G.mjGEOM_CAPSULE, G.mjGEOM_CYLINDER):
        r, half = size[0], size[1]
        axis = rot[:, 2]
        ends = np.stack([pos + half * axis, pos - half * axis])
        if gtype == G.mjGEOM_CAPSULE:
            disc = r * _UNIT_CIRCLE
            zext = half * abs(axis[2]) + r
        else:
            # The end discs project to ellipses spanned by the other two local axes.
            disc = r * (_UNIT_CIRCLE[:, :1] * rot[:2, 0] + _UNIT_CIRCLE[:, 1:] * rot[:2, 1])
            zext = half * abs(axis[2]) + r * math.sqrt(max(0.0, 1.0 - axis[2] ** 2))
        pts = (ends[:, None, :2] + disc[None]).reshape(-1, 2)
        return pts, pos[2] - zext, pos[2] + zext
    if gtype == G.mjGEOM_ELLIPSOID:
        m = (rot * size)[:2]  # projection of the unit ball's image: ellipse with shape m m^T
        chol = np.linalg.cholesky(m @ m.T + 1e-12 * np.eye(2))
        zext = float(np.linalg.norm(rot[2] * size))
        return pos[:2] + _UNIT_CIRCLE @ chol.T, pos[2] - zext, pos[2] + zext
    if gtype == G.mjGEOM_MESH:
        mesh = model.geom_dataid[g]
        start, count = model.mesh_vertadr[mesh], model.mesh_vertnum[mesh]
        pts = pos + model.mesh_vert[start:start + count].astype(np.float64) @ rot.T
        return pts[:, :2], pts[:, 2].min(), pts[:, 2].max()
    return None


def static_obstacle_geoms(model: mujoco.MjModel) -> np.ndarray:
    """Ids of the geoms that can be obstacles: collidable, on bodies welded to the world
    (so not free bodies, jointed parts or mocap bodies), and not ground planes."""
    static = model.body_weldid[model.geom_bodyid] == 0
    collidable = (model.geom_contype != 0) | (model.geom_conaffinity != 0)
    not_plane = model.geom_type != mujoco.mjtGeom.mjGEOM_PLANE
    return np.flatnonzero(static & collidable & not_plane)


def _fill_convex(grid: np.ndarray, pts: np.ndarray, origin: np.ndarray, cell: float) -> None:
    """Mark every cell of ``grid`` that the convex hull of ``pts`` (world xy) touches."""
    u = (pts - origin) / cell  # continuous cell coordinates: cell (i, j) spans [j, j+1) x [i, i+1)
    # A cell touches the polygon iff its centre lies in the polygon grown by the cell square
    # (Minkowski sum, the hull of the corners moved by +-1/2); a hair is shaved so cells
    # that only share an edge with an aligned polygon stay free.
    half = 0.5 - 1e-6
    grown = (u[:, None, :] + np.array([[-half, -half], [-half, half],
                                        [half, -half], [half, half]])[None]).reshape(-1, 2)
    try:
        hull = grown[ConvexHull(grown).vertices]
    except (QhullError, ValueError):
        hull = grown  # degenerate (flat) footprint: fall back to its bounding box below
        lo, hi = hull.min(axis=0), hull.max(axis=0)
        hull = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])
    h, w = grid.shape
    c0 = max(int(math.floor(hull[:, 0].min())), 0)
    c1 = min(int(math.ceil(hull[:, 0].max())), w)
    r0 = max(int(math.floor(hull[:, 1].min())), 0)
    r1 = min(int(math.ceil(hull[:, 1].max())), h)
    if c0 >= c1 or r0 >= r1:
        return
    cx = np.arange(c0, c1) + 0.5
    cy = np.arange(r0, r1) + 0.5
    inside = np.ones((r1 - r0, c1 - c0), dtype=bool)
    # ConvexHull returns 2-D vertices counter-clockwise: inside is left of every edge.
    nxt = np.roll(hull, -1, axis=0)
    for (x0, y0), (x1, y1) in zip(hull, nxt):
        inside &= ((x1 - x0) * (cy[:, None] - y0) - (y1 - y0) * (cx[None, :] - x0)) >= 0
    grid[r0:r1, c0:c1] |= inside


# -- the map ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Raster:
    """What every radius shares: the grid geometry, occupancy and clearance."""

    origin: np.ndarray          # (xmin, ymin)
    cell: float
    occupied: np.ndarray        # (H, W) bool
    clearance: np.ndarray       # (H, W) float, metres from the cell square to obstacles
    rooms: dict[str, Rect]
    room_grid: np.ndarray       # (H, W) int16, index into room names, -1 outside rooms

    @property
    def shape(self) -> tuple[int, int]:
        return self.occupied.shape


class DistanceField:
    """Grid distances from every cell to one goal cell, for many queries to that goal.

    ``grid`` holds the 8-connected grid distance (m) from each cell centre to the goal
    cell centre (``inf`` where unreachable). It is an upper bound of the geodesic distance
    (by up to 8% plus a cell): cheap for bulk use such as picking start cells far enough
    from a goal; :meth:`NavMap.geodesic_distance` gives the accurate value.
    """

    def __init__(self, navmap: "NavMap", goal_cell: int):
        self._navmap = navmap
        self.goal_cell = goal_cell
        dist, pred = csgraph.dijkstra(navmap._graph(), indices=goal_cell,
                                      return_predecessors=True)
        self.grid = (dist * navmap.cell_size).reshape(navmap.shape)
        self._pred = pred

    def distance_at(self, xy) -> float | np.ndarray:
        """Grid distance (m) of the cells containing the points ``xy`` ((2,) or (n, 2));
        ``inf`` outside the map or where the goal is unreachable."""
        rc = self._navmap.world_to_cell(xy)
        h, w = self.grid.shape
        inside = (rc[..., 0] >= 0) & (rc[..., 0] < h) & (rc[..., 1] >= 0) & (rc[..., 1] < w)
        if rc.ndim == 1:
            return float(self.grid[rc[0], rc[1]]) if inside else math.inf
        out = np.full(inside.shape, np.inf)
        out[inside] = self.grid[rc[inside][:, 0], rc[inside][:, 1]]
        return out

    def cell_chain(self, start_cell: int) -> list[int] | None:
        """Flat cell indices from ``start_cell`` to the goal cell, or None if unreachable."""
        if not math.isfinite(self.grid.flat[start_cell]):
            return None
        chain = [start_cell]
        pred = self._pred
        node = start_cell
        while node != self.goal_cell:
            node = int(pred[node])
            chain.append(node)
        return chain


class NavMap:
    """Occupancy grid of a scene for a disc agent of a given radius. Build with
    :meth:`from_model`; see the module docstring for conventions."""

    def __init__(self, raster: _Raster, agent_radius: float):
        check_range("agent_radius", agent_radius, 0.0, 10.0)
        self._raster = raster
        self.agent_radius = float(agent_radius)
        self.cell_size = raster.cell
        self.origin = raster.origin
        self.shape = raster.shape
        h, w = self.shape
        self.bounds: Rect = (float(raster.origin[0]), float(raster.origin[1]),
                             float(raster.origin[0] + w * raster.cell),
                             float(raster.origin[1] + h * raster.cell))
        self.occupied = raster.occupied
        self.navigable = (raster.clearance >= self.agent_radius) & ~raster.occupied
        self._nav_flat = self.navigable.ravel()
        self._any_navigable = bool(self._nav_flat.any())
        self._nav_padded = np.pad(self.navigable, 1).ravel()
        self._clear_flat = raster.clearance.ravel()
        self._sample_density = self.cell_size / max(self.agent_radius, self.cell_size)
        # A segment no longer than (clearance of an end cell - this) touches only cells
        # whose clearance is >= agent_radius: every point of such a cell lies within
        # the segment length plus a cell diagonal of that end.
        self._quick_margin = self.agent_radius + math.sqrt(2) * self.cell_size + 1e-6
        # 4-connected components equal those of the search graph (diagonal moves need
        # both orthogonal neighbours free).
        self.components, count = ndimage.label(self.navigable)
        sizes = np.bincount(self.components.ravel(), minlength=count + 1)
        sizes[0] = 0
        self.largest_component = int(np.argmax(sizes)) if count else 0
        _, nearest = ndimage.distance_transform_edt(~self.navigable, return_indices=True)
        self._nearest_navigable = (nearest[0] * w + nearest[1]).ravel()
        self._graph_cache: csr_matrix | None = None
        self._fields: OrderedDict[int, DistanceField] = OrderedDict()
        self._corners: _CornerGraph | None = None
        self._sight: _CornerSight | None = None
        self._free: list[float] | None = None

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_model(cls, model: mujoco.MjModel, data: mujoco.MjData | None = None, *,
                   agent_radius: float = 0.25, cell_size: float = 0.05,
                   bounds: Sequence[float] | None = None,
                   height_range: tuple[float, float] = (0.05, 1.8),
                   rooms: Mapping[str, Sequence[float]] | None = None) -> "NavMap":
        """Rasterize ``model``'s static collision geometry.

        Args:
            model: a compiled model.
            data: poses to use, after mj_forward or mj_kinematics (default: the model's
                initial pose).
            agent_radius, cell_size, height_range: see :class:`NavMapConfig`.
            bounds: (xmin, ymin, xmax, ymax) of the map; default: the rooms and static
                obstacles, padded by two cells.
            rooms: ``{name: (xmin, ymin, xmax, ymax)}``, enabling per-room queries.
        """
        config = NavMapConfig(agent_radius, cell_size, tuple(height_range))
        rooms = {str(name): _check_rect(f"rooms[{name!r}]", rect)
                 for name, rect in (rooms or {}).items()}
        if data is None:
            data = mujoco.MjData(model)
            mujoco.mj_kinematics(model, data)
        low, high = config.height_range
        outlines = []
        for g in static_obstacle_geoms(model):
            out = _geom_outline(model, g, data.geom_xpos[g], data.geom_xmat[g].reshape(3, 3))
            if out is not None and out[1] < high and out[2] > low:
                outlines.append(out[0])
        cell = config.cell_size
        if bounds is None:
            boxes = [(p[:, 0].min(), p[:, 1].min(), p[:, 0].max(), p[:, 1].max())
                     for p in outlines] + list(rooms.values())
            if not boxes:
                raise ConfigError("bounds", None, reason="the model has no static obstacle "
                                  "and no rooms were given: pass bounds explicitly")
            b = np.array(boxes)
            pad = 2 * cell
            bounds = (b[:, 0].min() - pad, b[:, 1].min() - pad,
                      b[:, 2].max() + pad, b[:, 3].max() + pad)
        xmin, ymin, xmax, ymax = _check_rect("bounds", bounds)
        w = int(math.ceil((xmax - xmin) / cell - 1e-9))
        h = int(math.ceil((ymax - ymin) / cell - 1e-9))
        if w * h > MAX_CELLS:
            raise ConfigError("cell_size", cell, reason=f"a {w}x{h} grid over bounds "
                              f"{bounds} exceeds {MAX_CELLS} cells")
        origin = np.array([xmin, ymin])
        occupied = np.zeros((h, w), dtype=bool)
        for pts in outlines:
            _fill_convex(occupied, pts, origin, cell)
        raster = _Raster(origin=origin, cell=cell, occupied=occupied,
                         clearance=_clearance(occupied, cell), rooms=rooms,
                         room_grid=_room_grid(rooms, origin, cell, (h, w)))
        return cls(raster, config.agent_radius)

    def __deepcopy__(self, memo) -> "NavMap":
        # Immutable apart from caches that never change answers: copies (e.g. of entities
        # when a World is forked) share one map.
        return self

    def __copy__(self) -> "NavMap":
        return self

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.update(_graph_cache=None, _fields=OrderedDict(), _corners=None, _sight=None,
                     _free=None)
        return state

    def with_radius(self, agent_radius: float) -> "NavMap":
        """The map of the same scene for an agent of another radius (cheap: no re-raster)."""
        return NavMap(self._raster, agent_radius)

    # -- coordinates ----------------------------------------------------------------------
    def world_to_cell(self, xy) -> np.ndarray:
        """Integer (row, col) of the cell containing each point (may lie outside the grid:
        check with :meth:`contains`). ``xy`` is (2,) or (n, 2)."""
        xy = np.asarray(xy, dtype=np.float64)
        if not np.isfinite(xy).all():
            raise ConfigError("point", xy.tolist(), reason="coordinates must be finite")
        col = np.floor((xy[..., 0] - self.origin[0]) / self.cell_size).astype(np.int64)
        row = np.floor((xy[..., 1] - self.origin[1]) / self.cell_size).astype(np.int64)
        return np.stack([row, col], axis=-1)

    def cell_to_world(self, cell) -> np.ndarray:
        """World xy of the centre of each (row, col) cell."""
        cell = np.asarray(cell, dtype=np.float64)
        return np.stack([self.origin[0] + (cell[..., 1] + 0.5) * self.cell_size,
                         self.origin[1] + (cell[..., 0] + 0.5) * self.cell_size], axis=-1)

    def contains(self, xy) -> bool | np.ndarray:
        """Whether each point lies inside the map's bounds."""
        rc = self.world_to_cell(xy)
        h, w = self.shape
        inside = (rc[..., 0] >= 0) & (rc[..., 0] < h) & (rc[..., 1] >= 0) & (rc[..., 1] < w)
        return bool(inside) if inside.ndim == 0 else inside

    def _flat_cell(self, x: float, y: float) -> int:
        """Flat index of the cell containing (x, y), or -1 outside the map."""
        try:
            col = math.floor((x - self.origin[0]) / self.cell_size)
            row = math.floor((y - self.origin[1]) / self.cell_size)
        except (ValueError, OverflowError):
            raise ConfigError("point", (x, y), reason="coordinates must be finite") from None
        h, w = self.shape
        if 0 <= row < h and 0 <= col < w:
            return row * w + col
        return -1

    def _flat_to_world(self, flat: int) -> np.ndarray:
        return np.array(self._flat_centre(flat))

    def _flat_centre(self, flat: int) -> tuple[float, float]:
        """World (x, y) of the centre of a cell given by its flat index."""
        row, col = divmod(int(flat), self.shape[1])
        return (float(self.origin[0]) + (col + 0.5) * self.cell_size,
                float(self.origin[1]) + (row + 0.5) * self.cell_size)

    # -- point queries --------------------------------------------------------------------
    def is_navigable(self, xy) -> bool | np.ndarray:
        """Whether the agent's centre may be at each point (False outside the map)."""
        xy = np.asarray(xy, dtype=np.float64)
        if xy.ndim == 1:
            flat = self._flat_cell(float(xy[0]), float(xy[1]))
            return flat >= 0 and bool(self._nav_flat[flat])
        rc = self.world_to_cell(xy)
        h, w = self.shape
        inside = (rc[..., 0] >= 0) & (rc[..., 0] < h) & (rc[..., 1] >= 0) & (rc[..., 1] < w)
        out = np.zeros(inside.shape, dtype=bool)
        out[inside] = self.navigable[rc[inside][:, 0], rc[inside][:, 1]]
        return out

    def clearance_at(self, xy) -> float:
        """Lower bound (m) of the distance from ``xy`` to the nearest obstacle (0 outside)."""
        flat = self._flat_cell(float(xy[0]), float(xy[1]))
        return float(self._raster.clearance.flat[flat]) if flat >= 0 else 0.0

    def _snap_flat(self, x: float, y: float) -> int:
        """Flat index of the navigable cell nearest to (x, y), or -1 if there is none."""
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ConfigError("point", (x, y), reason="coordinates must be finite")
        if not self._any_navigable:
            return -1
        h, w = self.shape
        col = min(max(math.floor((x - self.origin[0]) / self.cell_size), 0), w - 1)
        row = min(max(math.floor((y - self.origin[1]) / self.cell_size), 0), h - 1)
        return int(self._nearest_navigable[row * w + col])

    def snap_to_navigable(self, xy) -> np.ndarray | None:
        """``xy`` itself if navigable, else the centre of the nearest navigable cell
        (None if the map has no navigable cell). Works for points outside the map."""
        x, y = float(xy[0]), float(xy[1])
        if self.is_navigable((x, y)):
            return np.array([x, y])
        flat = self._snap_flat(x, y)
        return None if flat < 0 else self._flat_to_world(flat)

    def room_at(self, xy) -> str | None:
        """Name of the room containing ``xy`` (the first given, where rooms touch), or None."""
        for name, (x0, y0, x1, y1) in self._raster.rooms.items():
            if x0 <= xy[0] <= x1 and y0 <= xy[1] <= y1:
                return name
        return None

    @property
    def rooms(self) -> dict[str, Rect]:
        return dict(self._raster.rooms)

    # -- segment queries ------------------------------------------------------------------
    def line_of_sight(self, a, b) -> bool:
        """Whether the agent can move straight from ``a`` to ``b``: every cell the segment
        touches is navigable (False if an endpoint is off the map)."""
        ax, ay, bx, by = float(a[0]), float(a[1]), float(b[0]), float(b[1])
        fa, fb = self._flat_cell(ax, ay), self._flat_cell(bx, by)
        if fa < 0 or fb < 0 or not (self._nav_flat[fa] and self._nav_flat[fb]):
            return False
        return self._segment_clear(ax, ay, bx, by)

    def _segment_clear(self, ax: float, ay: float, bx: float, by: float) -> bool:
        """Segment test between two points already known to be in navigable cells."""
        ox, oy = self.origin
        inv = 1.0 / self.cell_size
        ua, va, ub, vb = (ax - ox) * inv, (ay - oy) * inv, (bx - ox) * inv, (by - oy) * inv
        du, dv = ub - ua, vb - va
        # Quick accept: the whole segment stays well inside the clearance disc of one end.
        reach = max(self._clear_flat[self._flat_cell(ax, ay)],
                    self._clear_flat[self._flat_cell(bx, by)]) - self._quick_margin
        if (du * du + dv * dv) * self.cell_size ** 2 <= reach * reach and reach > 0:
            return True
        # Walk: samples along the segment, as far apart as their cells' free distances
        # allow. A piece between two samples is clear if the first sample's free disc holds
        # it, or if it is shorter than 2 cells and both samples' cells have navigable 3x3
        # neighbourhoods (free distance >= 2); other pieces get the exact test.
        free = self._free_distances()
        stride = self.shape[1] + 2
        length = math.hypot(du, dv)
        if length == 0.0:
            return True
        u0, v0 = ua + 1.0, va + 1.0  # padded cell units
        eu, ev = du / length, dv / length
        t, d = 0.0, free[int(v0) * stride + int(u0)]
        unsure = []
        disc, step = _DISC, _STEP
        while t < length:
            reach = d - disc
            nt = t + (reach if reach > step else step)
            if nt >= length:
                nt, nd = length, free[int(vb + 1.0) * stride + int(ub + 1.0)]
            else:
                nd = free[int(v0 + nt * ev) * stride + int(u0 + nt * eu)]
                if nd == 0.0:
                    return False  # a point of the segment is in a non-navigable cell
            if reach < nt - t and not (d >= 2.0 and nd >= 2.0):
                unsure.append((t, nt))
            t, d = nt, nd
        if len(unsure) > _MAX_UNSURE:
            return self._crossings_clear(ua, va, ub, vb)
        tol = 1e-9 * length  # also test lines through the samples themselves
        return all(self._crossings_clear_py(u0, v0, eu, ev, max(t0 - tol, 0.0),
                                            min(t1 + tol, length))
                   for t0, t1 in unsure)

    def _free_distances(self) -> list[float]:
        """Per cell of the padded grid (one non-navigable cell around the map), the distance
        (cells) from its centre to the nearest non-navigable cell centre: 0 for
        non-navigable cells, 1 or sqrt(2) beside them (built on first use)."""
        if self._free is None:
            self._free = ndimage.distance_transform_edt(np.pad(self.navigable, 1)).ravel().tolist()
        return self._free

    def _crossings_clear_py(self, u0: float, v0: float, eu: float, ev: float, t0: float,
                            t1: float) -> bool:
        """Exact test of the piece t in [t0, t1] of the segment (u0, v0) + t (eu, ev) (padded
        cell units, unit direction), as :meth:`_crossings_clear` does for whole segments."""
        free, stride = self._free, self.shape[1] + 2
        ua, ub, va, vb = u0 + t0 * eu, u0 + t1 * eu, v0 + t0 * ev, v0 + t1 * ev
        if eu != 0.0:
            slope = ev / eu
            for k in range(math.floor(min(ua, ub)) + 1, math.ceil(max(ua, ub))):
                v = v0 + (k - u0) * slope
                lo, hi = int(v - _TOUCH) * stride + k, int(v + _TOUCH) * stride + k
                if not (free[lo - 1] and free[lo] and free[hi - 1] and free[hi]):
                    return False
        if ev != 0.0:
            slope = eu / ev
            for k in range(math.floor(min(va, vb)) + 1, math.ceil(max(va, vb))):
                u, row = u0 + (k - v0) * slope, k * stride
                lo, hi = row + int(u - _TOUCH), row + int(u + _TOUCH)
                if not (free[lo - stride] and free[lo] and free[hi - stride] and free[hi]):
                    return False
        return True

    def _crossings_clear(self, ua: float, va: float, ub: float, vb: float) -> bool:
        """Exact segment test (cell units, unpadded)."""
        du, dv = ub - ua, vb - va
        # Every cell the segment enters is beside one of its grid-line crossings: check the
        # cells on both sides of each crossing, and all four at a cell corner (hence the
        # +-_TOUCH), in the padded grid whose one-cell border is not navigable.
        stride = self.shape[1] + 2
        cells = []
        if ua != ub:
            k = np.arange(math.floor(min(ua, ub)) + 1, math.ceil(max(ua, ub)), dtype=np.float64)
            v = va + 1.0 + (k - ua) * (dv / du)
            col = k.astype(np.intp)  # padded index of the cell left of line k
            lo = (v - _TOUCH).astype(np.intp) * stride + col
            hi = (v + _TOUCH).astype(np.intp) * stride + col
            cells += [lo, lo + 1, hi, hi + 1]
        if va != vb:
            k = np.arange(math.floor(min(va, vb)) + 1, math.ceil(max(va, vb)), dtype=np.float64)
            u = ua + 1.0 + (k - va) * (du / dv)
            row = k.astype(np.intp) * stride  # padded index of the row below line k
            lo = row + (u - _TOUCH).astype(np.intp)
            hi = row + (u + _TOUCH).astype(np.intp)
            cells += [lo, lo + stride, hi, hi + stride]
        return bool(self._nav_padded[np.concatenate(cells)].all()) if cells else True

    # -- graph search ---------------------------------------------------------------------
    def _graph(self) -> csr_matrix:
        """8-connected graph over all cells (edges only between navigable cells; no corner
        cutting), weights in cells."""
        if self._graph_cache is None:
            h, w = self.shape
            nav = self.navigable
            rows, cols, weights = [], [], []
            flat = np.arange(h * w).reshape(h, w)
            diagonal = math.sqrt(2)
            for dr, dc, cost in ((0, 1, 1.0), (1, 0, 1.0), (1, 1, diagonal), (1, -1, diagonal)):
                r0, r1 = 0, h - dr
                c0, c1 = max(0, -dc), w - max(0, dc)
                src = (slice(r0, r1), slice(c0, c1))
                dst = (slice(r0 + dr, r1 + dr), slice(c0 + dc, c1 + dc))
                ok = nav[src] & nav[dst]
                if dr and dc:
                    ok &= nav[(slice(r0, r1), slice(c0 + dc, c1 + dc))] & nav[
                        (slice(r0 + dr, r1 + dr), slice(c0, c1))]
                a, b = flat[src][ok], flat[dst][ok]
                rows += [a, b]
                cols += [b, a]
                weights += [np.full(2 * a.size, cost)]
            self._graph_cache = csr_matrix(
                (np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))),
                shape=(h * w, h * w))
        return self._graph_cache

    def _field_for_cell(self, goal_cell: int) -> DistanceField:
        field = self._fields.get(goal_cell)
        if field is None:
            field = DistanceField(self, goal_cell)
            self._fields[goal_cell] = field
            if len(self._fields) > _FIELD_CACHE_SIZE:
                self._fields.popitem(last=False)
        else:
            self._fields.move_to_end(goal_cell)
        return field

    def distance_field(self, goal) -> DistanceField:
        """The (cached) grid distance field towards the navigable cell nearest ``goal``
        (~1 ms to compute for a 10 m home)."""
        flat = self._snap_flat(float(goal[0]), float(goal[1]))
        if flat < 0:
            raise EmbodiedError("the navigation map has no navigable cell")
        return self._field_for_cell(flat)

    def _endpoints(self, a, b, snap: bool):
        """Snapped endpoints (x, y, flat cell) or None if one cannot be used."""
        ends = []
        for p in (a, b):
            x, y = float(p[0]), float(p[1])
            flat = self._flat_cell(x, y)
            if flat < 0 or not self._nav_flat[flat]:
                if not snap:
                    return None
                flat = self._snap_flat(x, y)
                if flat < 0:
                    return None
                x, y = self._flat_centre(flat)
            ends.append((x, y, flat))
        return ends

    def shortest_path(self, a, b, *, snap: bool = True) -> np.ndarray | None:
        """Any-angle path (K, 2) from ``a`` to ``b`` whose segments touch only navigable
        cells, or None if ``b`` is unreachable. Non-navigable endpoints are snapped (see the
        module docstring); the path then starts/ends at the snapped points."""
        ends = self._endpoints(a, b, snap)
        if ends is None:
            return None
        _, path = self._route(*ends[0], *ends[1], want_path=True)
        return path

    def geodesic_distance(self, a, b, *, snap: bool = True, exact: bool = False) -> float:
        """Geodesic distance (m) from ``a`` to ``b`` plus any snapping legs; ``inf`` if
        unreachable. Equals the euclidean distance when the straight segment is clear.

        Without line of sight, ``exact=True`` gives the length of :meth:`shortest_path`
        (plus legs). The default gives the same corner route length, except that which
        corners an end sees is read from a per-map table (built on the first blocked
        query) over the squares between four neighbouring cell centres: corners that none
        of the navigable centres around the end sees count as hidden from it, corners that
        all of them see as visible, and only the others are tested exactly, when the best
        remaining route uses them. Where the table is wrong for a corner that the exact
        route uses (visibility that changes between the centres in a way they do not
        show), the result is another corner route: shorter or longer than the path by at
        most about a cell per bend. Measured on generated val/test homes (robot radius): 99%
        of random blocked pairs equal (within 1e-9 m), max difference 2.7 cm. If the table
        links no corners, or the map is too large for one, the exact route is used.

        Cost on a 10 m home: ~10 us with line of sight, ~25 us without (``exact=True``:
        ~0.2 ms); the first blocked query of a map also builds its corner graph and table
        (~20 ms + 25-55 ms).
        """
        ends = self._endpoints(a, b, snap)
        if ends is None:
            return math.inf
        (ax, ay, fa), (bx, by, fb) = ends
        legs = (math.hypot(float(a[0]) - ax, float(a[1]) - ay)
                + math.hypot(float(b[0]) - bx, float(b[1]) - by))
        length, _ = self._route(ax, ay, fa, bx, by, fb, want_path=False, exact=exact)
        return legs + length

    def _route(self, ax: float, ay: float, fa: int, bx: float, by: float, fb: int,
               want_path: bool, exact: bool = True) -> tuple[float, np.ndarray | None]:
        """Length and (if wanted) path between two points in navigable cells.

        Straight when the segment is clear; otherwise through the visibility graph of the
        navigable region's convex corner cells (where taut paths bend); if that graph does
        not link the two points, a grid search smoothed by string pulling. A length-only
        query that is not ``exact`` first tries the corner visibility table
        (:meth:`_sighted_length`)."""
        if self._segment_clear(ax, ay, bx, by):
            path = np.array([[ax, ay], [bx, by]]) if want_path else None
            return math.hypot(bx - ax, by - ay), path
        comps = self.components.ravel()
        if comps[fa] != comps[fb]:
            return math.inf, None
        if not (want_path or exact):
            length = self._sighted_length(ax, ay, bx, by)
            if length is not None:
                return length, None
        best = self._corner_route(ax, ay, bx, by)
        if best is not None:
            length, i, j = best
            path = self._corner_path((ax, ay), i, j, (bx, by)) if want_path else None
            return length, path
        chain = self._field_for_cell(fb).cell_chain(fa)
        path = self._string_pull((ax, ay), chain, (bx, by))
        return float(np.linalg.norm(np.diff(path, axis=0), axis=1).sum()), path

    # -- corner visibility graph ----------------------------------------------------------
    def _corner_graph(self) -> "_CornerGraph":
        """Convex corner cells of the navigable region and the shortest distances between
        them along mutually visible pairs (built on first use, ~10-50 ms for a home)."""
        if self._corners is None:
            nav = np.pad(self.navigable, 1)
            h, w = self.shape
            inner = nav[1:-1, 1:-1]
            corner = np.zeros_like(inner)
            for dr in (-1, 1):
                for dc in (-1, 1):
                    corner |= (inner & ~nav[1 + dr:1 + dr + h, 1 + dc:1 + dc + w]
                               & nav[1 + dr:1 + dr + h, 1:1 + w] & nav[1:1 + h, 1 + dc:1 + dc + w])
            rows, cols = np.nonzero(corner)
            points = self.cell_to_world(np.stack([rows, cols], axis=1))
            n = len(points)
            weights = np.zeros((n, n))
            for i in range(n - 1):
                seen = self._visible(points[i, 0], points[i, 1], points[i + 1:])
                others = np.flatnonzero(seen) + i + 1
                weights[i, others] = np.linalg.norm(points[others] - points[i], axis=1)
            dist, pred = csgraph.shortest_path(csr_matrix(weights), method="D", directed=False,
                                               return_predecessors=True)
            self._corners = _CornerGraph(points, dist, pred)
        return self._corners

    def _corner_sight(self) -> "_CornerSight":
        """Per square between four neighbouring cell centres (a dual cell) holding at least
        one navigable centre: the convex corners that some of its navigable centres see,
        each flagged if all of them see it (built on first use, ~25-50 ms for a home;
        about 1 MB).

        A cell centre is hidden from a corner iff the segment between them meets a closed
        boundary edge between a navigable and a non-navigable cell (the padding outside the
        map counts as non-navigable), which is the test of :meth:`_segment_clear`. Only
        edges whose navigable side faces the corner can be met first, and the points behind
        a straight run of them form a trapezoid-like shadow: each run's shadow is scanned
        row by row (column by column for vertical runs) into a coverage count
        (:func:`_seen_from`)."""
        if self._sight is None:
            corners = self._corner_graph()
            h, w = self.shape
            # Dual cell (i, j) has the centres of cells (i - 1 or i, j - 1 or j).
            padded = np.pad(self.navigable, 1)
            duals = np.flatnonzero((padded[:-1, :-1] | padded[1:, :-1] | padded[:-1, 1:]
                                    | padded[1:, 1:]).ravel())
            dual_row = np.full((h + 1) * (w + 1), -1, dtype=np.int32)
            dual_row[duals] = np.arange(duals.size, dtype=np.int32)
            # Too large a map (many cells and corners) gets no table: exact routes only.
            n = len(corners.points)
            if duals.size * n > _SIGHT_MAX_ENTRIES:
                n = 0
            maybe = np.zeros((duals.size, n), dtype=bool)
            sure = np.zeros((duals.size, n), dtype=bool)
            if n:
                # Around the navigable cells all is non-navigable, as outside the map: crop.
                rows, cols = np.nonzero(self.navigable)
                r0, c0 = rows.min(), cols.min()
                nav = self.navigable[r0:rows.max() + 1, c0:cols.max() + 1]
                hc, wc = nav.shape
                i, j = np.divmod(duals, w + 1)
                local = (i - r0) * (wc + 1) + (j - c0)  # the same dual cells in the crop
                cu = (corners.points[:, 0] - self.origin[0]) / self.cell_size - c0
                cv = (corners.points[:, 1] - self.origin[1]) / self.cell_size - r0
                nav_padded = np.pad(nav, 1)[None]
                # Chunks of corners bound the scratch memory (counts of chunk * H * W).
                chunk = max(1, min(n, _SIGHT_CHUNK_CELLS // (hc * wc)))
                for i0 in range(0, n, chunk):
                    i1 = min(n, i0 + chunk)
                    seen = np.pad(_seen_from(nav, cu[i0:i1], cv[i0:i1]), ((0, 0), (1, 1), (1, 1)))
                    for table, grid, join in ((maybe, seen, np.logical_or),
                                              (sure, seen | ~nav_padded, np.logical_and)):
                        grid = join(grid[:, :-1], grid[:, 1:])
                        grid = join(grid[:, :, :-1], grid[:, :, 1:])
                        table[:, i0:i1] = grid.reshape(i1 - i0, -1)[:, local].T
            row, corner = np.nonzero(maybe)
            starts = np.searchsorted(row, np.arange(duals.size + 1))
            index = np.int16 if n < 2 ** 15 else np.int32
            self._sight = _CornerSight(dual_row, starts.tolist(), corner.astype(index),
                                       sure[row, corner],
                                       corners.points[:, 0] + 1j * corners.points[:, 1])
        return self._sight

    def _sighted_length(self, ax: float, ay: float, bx: float, by: float) -> float | None:
        """Length of the best route a -> corners -> b through the corners that the table
        says are seen from a and b (both in navigable cells), or None if it links none.

        Corners that no navigable centre of an end's dual cell sees are taken as hidden
        from that end, those that all see as visible; the others are tested exactly when
        the best remaining route uses them."""
        sight = self._corner_sight()
        starts, near, sure = sight.starts, sight.corners, sight.sure
        ox, oy = self.origin
        inv, stride = 1.0 / self.cell_size, self.shape[1] + 1
        row_a = sight.dual_row[math.floor((ay - oy) * inv + 0.5) * stride
                               + math.floor((ax - ox) * inv + 0.5)]
        row_b = sight.dual_row[math.floor((by - oy) * inv + 0.5) * stride
                               + math.floor((bx - ox) * inv + 0.5)]
        a0, a1, b0, b1 = starts[row_a], starts[row_a + 1], starts[row_b], starts[row_b + 1]
        if a0 == a1 or b0 == b1:
            return None
        near_a, near_b = near[a0:a1], near[b0:b1]
        points = sight.points
        total = self._corners.dist.take(near_a, 0).take(near_b, 1)
        total += np.abs(points.take(near_b) - complex(bx, by))
        total += np.abs(points.take(near_a) - complex(ax, ay))[:, None]
        width = b1 - b0
        while True:
            i, j = divmod(int(total.argmin()), width)
            length = float(total[i, j])
            if length == math.inf:
                return None
            if not sure[a0 + i]:
                corner = points[near_a[i]]
                if not self._segment_clear(ax, ay, corner.real, corner.imag):
                    total[i] = math.inf
                    continue
            if not sure[b0 + j]:
                corner = points[near_b[j]]
                if not self._segment_clear(corner.real, corner.imag, bx, by):
                    total[:, j] = math.inf
                    continue
            return length

    def _corner_route(self, ax: float, ay: float, bx: float, by: float):
        """(length, first corner, last corner) of the best route a -> corners -> b, or None.

        Best-first over lower bounds: corners that sampled points do not rule out as
        visible from each end bound the total; the smallest bound is confirmed with exact
        segment tests, so only a few segments are tested exactly."""
        corners = self._corner_graph()
        points = corners.points
        if not len(points):
            return None
        near_a = np.flatnonzero(self._maybe_visible(ax, ay, points))
        near_b = np.flatnonzero(self._maybe_visible(bx, by, points))
        if not (near_a.size and near_b.size):
            return None
        to_a = np.hypot(points[near_a, 0] - ax, points[near_a, 1] - ay)
        via = corners.dist[np.ix_(near_a, near_b)] + np.hypot(
            points[near_b, 0] - bx, points[near_b, 1] - by)[None, :]
        seen_a = np.zeros(near_a.size, dtype=np.int8)  # 1 visible, -1 hidden, 0 unknown
        seen_b = np.zeros(near_b.size, dtype=np.int8)
        clear = self._segment_clear
        rows = np.arange(near_a.size)
        while True:
            exits = np.argmin(via, axis=1)
            bound = to_a + via[rows, exits]
            for k in np.argsort(bound, kind="stable").tolist():
                if not math.isfinite(bound[k]):
                    return None
                i = int(near_a[k])
                if seen_a[k] == 0:
                    seen_a[k] = 1 if clear(ax, ay, points[i, 0], points[i, 1]) else -1
                if seen_a[k] < 0:
                    continue
                e = int(exits[k])
                j = int(near_b[e])
                if seen_b[e] == 0:
                    seen_b[e] = 1 if clear(points[j, 0], points[j, 1], bx, by) else -1
                if seen_b[e] > 0:
                    return float(bound[k]), i, j
                via[:, e] = np.inf  # that exit is hidden from b: bounds change, start over
                break
            else:
                return None

    def _visible(self, x: float, y: float, points: np.ndarray) -> np.ndarray:
        """Which segments from (x, y) to each of ``points`` are clear: the exact test of
        :meth:`_segment_clear`, for many segments at once (all ends in navigable cells)."""
        ox, oy = self.origin
        inv = 1.0 / self.cell_size
        nav, stride = self._nav_padded, self.shape[1] + 2
        visible = self._maybe_visible(x, y, points)
        survivors = np.flatnonzero(visible)
        n = survivors.size
        ua, va = (x - ox) * inv, (y - oy) * inv
        ub, vb = (points[survivors, 0] - ox) * inv, (points[survivors, 1] - oy) * inv
        ua, va = np.full(n, ua), np.full(n, va)
        blocked = np.zeros(n, dtype=bool)
        seg, k, v = _line_crossings(ua, va, ub, vb)
        col = k.astype(np.intp)
        lo = (v + (1.0 - _TOUCH)).astype(np.intp) * stride + col
        hi = (v + (1.0 + _TOUCH)).astype(np.intp) * stride + col
        blocked[seg[~(nav[lo] & nav[lo + 1] & nav[hi] & nav[hi + 1])]] = True
        seg, k, u = _line_crossings(va, ua, vb, ub)
        row = k.astype(np.intp) * stride
        lo = row + (u + (1.0 - _TOUCH)).astype(np.intp)
        hi = row + (u + (1.0 + _TOUCH)).astype(np.intp)
        blocked[seg[~(nav[lo] & nav[lo + stride] & nav[hi] & nav[hi + stride])]] = True
        visible[survivors[blocked]] = False
        return visible

    def _maybe_visible(self, x: float, y: float, points: np.ndarray) -> np.ndarray:
        """False for segments from (x, y) to ``points`` that surely are not clear: a point
        sampled on them lies in a non-navigable cell. Samples are about an agent radius
        apart (an inflated wall is over twice as wide), which rules out most hidden
        segments cheaply; the others need the exact test."""
        ox, oy = self.origin
        inv = 1.0 / self.cell_size
        ua, va = (x - ox) * inv, (y - oy) * inv
        ub, vb = (points[:, 0] - ox) * inv, (points[:, 1] - oy) * inv
        counts = (np.hypot(ub - ua, vb - va) * self._sample_density + 2).astype(np.intp)
        seg = np.repeat(np.arange(len(points)), counts)
        rank = np.arange(seg.size) - np.repeat(np.cumsum(counts) - counts, counts)
        t = rank / (counts[seg] - 1)
        samples = ((va + 1.0) + t * (vb[seg] - va)).astype(np.intp) * (self.shape[1] + 2) + (
            (ua + 1.0) + t * (ub[seg] - ua)).astype(np.intp)
        maybe = np.ones(len(points), dtype=bool)
        maybe[seg[~self._nav_padded[samples]]] = False
        return maybe

    def _corner_path(self, start, i: int, j: int, goal) -> np.ndarray:
        corners = self._corner_graph()
        seq = [j]
        while seq[-1] != i:
            seq.append(int(corners.pred[i, seq[-1]]))
        pts = [start] + [tuple(corners.points[k]) for k in reversed(seq)] + [goal]
        path = [pts[0]] + [q for p, q in zip(pts[:-1], pts[1:]) if q != p]
        return np.array(path, dtype=np.float64)

    def connected(self, a, b, *, snap: bool = True) -> bool:
        """Whether ``b`` can be reached from ``a`` (after snapping, as for distances)."""
        ends = self._endpoints(a, b, snap)
        if ends is None:
            return False
        comps = self.components.ravel()
        return bool(comps[ends[0][2]] == comps[ends[1][2]])

    def _string_pull(self, start, chain: list[int], goal) -> np.ndarray:
        """Shorten a cell chain into an any-angle path whose segments stay clear.

        Greedy over the cells where the chain turns: extend the current segment while the
        next turning cell is visible; when it is not, bisect the straight run before it for
        the farthest visible cell (where a taut string would bend) and bend there."""
        w = self.shape[1]
        cells = np.asarray(chain)
        rc = np.stack([cells // w, cells % w], axis=1)
        centres = self.cell_to_world(rc)
        last = len(rc) - 1
        if last >= 2:
            step = np.diff(rc, axis=0)
            turns = np.flatnonzero((step[1:] != step[:-1]).any(axis=1)) + 1
            keep = np.concatenate([[0], turns, [last]])
        else:
            keep = np.arange(last + 1)
        # Candidates: the start point, the turning cells' centres, the goal point.
        points = [tuple(start)] + [tuple(p) for p in centres[keep[1:-1]]] + [tuple(goal)]
        if last == 0:
            points = [tuple(start), tuple(goal)]
            keep = np.array([0, 0])
        clear = self._segment_clear
        path = [points[0]]
        anchor, anchor_index = points[0], -1  # dense index of the anchor (-1: the start)
        j, end = 0, len(points) - 1  # points[j] is visible from the anchor (or behind it)
        while j < end:
            # Gallop then bisect for the farthest visible turning cell ...
            seen, blocked, step = j, -1, 1
            while True:
                cand = min(j + step, end)
                if clear(anchor[0], anchor[1], points[cand][0], points[cand][1]):
                    seen = cand
                    if cand == end:
                        break
                    step *= 2
                else:
                    blocked = cand
                    break
            if blocked < 0:
                break
            while blocked - seen > 1:
                mid = (seen + blocked) // 2
                if clear(anchor[0], anchor[1], points[mid][0], points[mid][1]):
                    seen = mid
                else:
                    blocked = mid
            # ... then for the farthest visible cell of the straight run after it.
            lo, hi = max(int(keep[seen]), anchor_index), int(keep[seen + 1])
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if clear(anchor[0], anchor[1], centres[mid, 0], centres[mid, 1]):
                    lo = mid
                else:
                    hi = mid
            lo = max(lo, anchor_index + 1)  # always progress, even in numerical corner cases
            anchor, anchor_index = (float(centres[lo, 0]), float(centres[lo, 1])), lo
            path.append(anchor)
            j = seen + 1 if lo >= keep[seen + 1] else seen
        path.append(points[end])
        return np.array(path)

    # -- sampling -------------------------------------------------------------------------
    def sample_navigable(self, rng: np.random.Generator, n: int = 1, room: str | None = None,
                         component: str = "largest") -> np.ndarray:
        """``n`` points (n, 2) uniform over the navigable area, drawn with ``rng``.

        Args:
            room: restrict to this room's rectangle.
            component: ``"largest"`` (the largest connected region) or ``"any"``.
        """
        if not isinstance(rng, np.random.Generator):
            raise ConfigError("rng", type(rng).__name__, reason="must be a numpy.random.Generator")
        check_range("n", n, 1, None, integer=True)
        if component == "largest":
            mask = self.components == self.largest_component
            mask &= self.largest_component > 0
        elif component == "any":
            mask = self.navigable.copy()
        else:
            raise ConfigError("component", component, ("largest", "any"))
        if room is not None:
            names = list(self._raster.rooms)
            if room not in names:
                raise ConfigError("room", room, names or "none (the map has no rooms)")
            mask &= self._raster.room_grid == names.index(room)
        cells = np.flatnonzero(mask)
        if cells.size == 0:
            raise EmbodiedError(f"no navigable cell to sample from (room={room!r}, "
                                f"component={component!r}, agent_radius={self.agent_radius})")
        pick = cells[rng.integers(0, cells.size, size=int(n))]
        w = self.shape[1]
        jitter = rng.random((int(n), 2))
        return np.stack([self.origin[0] + (pick % w + jitter[:, 0]) * self.cell_size,
                         self.origin[1] + (pick // w + jitter[:, 1]) * self.cell_size], axis=1)

    # -- pictures -------------------------------------------------------------------------
    def to_image(self, scale: int = 1) -> np.ndarray:
        """RGB uint8 picture of the map, north (+y) up, ``scale`` pixels per cell: free
        cells light grey, inflated margin orange, occupied dark. Pixel (u=col, v=row) covers
        world ``x in xmin + [u, u+1) * cell/scale``, ``y in ymax - [v, v+1) * cell/scale``;
        :meth:`world_to_pixel` maps points."""
        check_range("scale", scale, 1, 64, integer=True)
        img = np.empty(self.shape + (3,), dtype=np.uint8)
        img[:] = MARGIN_RGB
        img[self.navigable] = FREE_RGB
        img[self.occupied] = OCCUPIED_RGB
        img = img[::-1]
        if scale > 1:
            img = np.repeat(np.repeat(img, int(scale), axis=0), int(scale), axis=1)
        return np.ascontiguousarray(img)

    def pixel_to_world(self, uv, scale: int = 1) -> np.ndarray:
        """World xy of continuous pixel coordinates (u, v) of :meth:`to_image`."""
        uv = np.asarray(uv, dtype=np.float64)
        k = self.cell_size / scale
        return np.stack([self.bounds[0] + uv[..., 0] * k, self.bounds[3] - uv[..., 1] * k], axis=-1)

    def world_to_pixel(self, xy, scale: int = 1) -> np.ndarray:
        """Continuous pixel coordinates (u, v) of world points in :meth:`to_image` (same
        ``scale``); integer parts index the pixel (column u, row v)."""
        xy = np.asarray(xy, dtype=np.float64)
        k = scale / self.cell_size
        return np.stack([(xy[..., 0] - self.bounds[0]) * k,
                         (self.bounds[3] - xy[..., 1]) * k], axis=-1)


@dataclass(frozen=True)
class _CornerGraph:
    points: np.ndarray  # (V, 2) world xy of the convex corner cells' centres
    dist: np.ndarray    # (V, V) shortest distances through mutually visible corners
    pred: np.ndarray    # (V, V) predecessors (scipy.sparse.csgraph convention)


@dataclass(frozen=True)
class _CornerSight:
    """The corners seen from the centres of each dual cell, as compressed sparse rows."""

    dual_row: np.ndarray  # ((H + 1) * (W + 1),) int32: row of each dual cell, -1 if none
    starts: list[int]     # row k's corners are corners[starts[k]:starts[k + 1]]
    corners: np.ndarray   # int16/int32 indices into the corner graph's points
    sure: np.ndarray      # bool, parallel to `corners`: surely (else maybe) seen
    points: np.ndarray    # (V,) complex: the corners' x + iy


def _seen_from(nav: np.ndarray, cu: np.ndarray, cv: np.ndarray) -> np.ndarray:
    """(n, H, W) bool: the navigable cells of ``nav`` (H, W) whose centres see each of the n
    points (cu, cv) (cell units, not on a grid line), by the test of
    ``NavMap._segment_clear``: the segment meets no closed non-navigable cell."""
    hidden = _shadows_of_row_edges(nav, cu, cv)
    hidden |= _shadows_of_row_edges(nav.T, cv, cu).transpose(0, 2, 1)
    return ~hidden & nav


def _shadows_of_row_edges(nav: np.ndarray, cu: np.ndarray, cv: np.ndarray) -> np.ndarray:
    """(n, H, W) bool: cell centres of ``nav`` (H, W) hidden from each of the n points
    (cu, cv) (cell units, not on a grid line) by a boundary edge lying on a grid line
    v = k, i.e. between cell rows k - 1 and k (outside the grid is non-navigable).

    A maximal run of such edges from u = a to u = b on line k, with its navigable side
    towards the point, hides the rows beyond k between the rays from the point through
    (a, k) and (b, k), both included: in row r, the centres whose u lies in
    [cu + (a - cu) s, cu + (b - cu) s] with s = (r + 1/2 - cv) / (k - cv). Each such
    interval adds one to a coverage count (a +1/-1 pair cumulated along the row)."""
    h, w = nav.shape
    padded = np.zeros((h + 2, w), dtype=np.int8)
    padded[1:-1] = nav
    below, above = padded[:-1], padded[1:]  # the cells on either side of line k = 0..h
    starts, stops = [], []
    for away in (1, -1):  # rows beyond the line: upwards (the run seen from below) or down
        edges = below & (1 - above) if away > 0 else above & (1 - below)
        ends = np.diff(np.pad(edges, ((0, 0), (1, 1))), axis=1)
        k, a = np.nonzero(ends == 1)
        b = np.nonzero(ends == -1)[1]
        point, run = np.nonzero(cv[:, None] < k if away > 0 else cv[:, None] > k)
        k, pu, pv = k[run], cu[point], cv[point]
        # Row r = first + away * i is at distance m = m0 + i from the point's row, and its
        # shadow interval (of centres u - 1/2) is [left + ga m, left + gb m], ga < gb.
        first = k if away > 0 else k - 1
        m0 = away * (first + 0.5 - pv)
        ga = (a[run] - pu) / np.abs(k - pv)
        gb = (b[run] - pu) / np.abs(k - pv)
        left = pu - 0.5
        # Rows whose interval lies left of column 0 or right of column w - 1 are skipped.
        m_end = np.full(k.shape, np.inf)
        np.divide(-1.0 - left, gb, out=m_end, where=gb < 0)
        np.minimum(m_end, np.divide(w - left, ga, out=np.full(k.shape, np.inf), where=ga > 0),
                   out=m_end)
        rows_left = h - first if away > 0 else first + 1
        count = np.clip(np.floor(m_end - m0) + 1, 0, rows_left).astype(np.intp)
        offsets = np.cumsum(count) - count
        i = np.arange(count.sum(), dtype=np.float64) - np.repeat(offsets, count)
        lo = np.repeat(left + ga * m0 - _ON_RAY, count) + np.repeat(ga, count) * i
        hi = np.repeat(left + gb * m0 + _ON_RAY + 1.0, count) + np.repeat(gb, count) * i
        lo = np.clip(np.ceil(lo, out=lo), 0, w).astype(np.intp)
        hi = np.minimum(np.floor(hi, out=hi), w).astype(np.intp)
        np.maximum(hi, lo, out=hi)  # an empty interval adds and removes at one place
        base = np.repeat((point * h + first) * (w + 1), count) + (away * (w + 1)) * i.astype(np.intp)
        starts.append(base + lo)
        stops.append(base + hi)
    size = len(cu) * h * (w + 1)
    count = (np.bincount(np.concatenate(starts), minlength=size)
             - np.bincount(np.concatenate(stops), minlength=size))
    return np.cumsum(count.reshape(len(cu), h, w + 1), axis=2)[:, :, :w] > 0


def _line_crossings(p0: np.ndarray, q0: np.ndarray, p1: np.ndarray, q1: np.ndarray):
    """Crossings of segments (p0, q0)-(p1, q1) (cell units) with the lines p = k for every
    integer k strictly between p0 and p1: (segment index, k, q at the crossing)."""
    k0 = np.floor(np.minimum(p0, p1)) + 1
    counts = np.maximum(np.ceil(np.maximum(p0, p1)) - k0, 0).astype(np.intp)
    seg = np.repeat(np.arange(len(p0)), counts)
    k = k0[seg] + (np.arange(seg.size) - np.repeat(np.cumsum(counts) - counts, counts))
    dp = p1 - p0
    slope = np.divide(q1 - q0, dp, out=np.zeros_like(dp), where=dp != 0)
    return seg, k, q0[seg] + (k - p0[seg]) * slope[seg]


def _clearance(occupied: np.ndarray, cell: float) -> np.ndarray:
    """Distance (m) from each cell square to the nearest occupied cell square.

    The distance between two cell squares offset by (dr, dc) cells is
    ``hypot(max(|dr|-1, 0), max(|dc|-1, 0))`` cells, which is the centre distance to the
    occupancy grown by one cell in each direction (3x3 dilation)."""
    if not occupied.any():
        return np.full(occupied.shape, np.inf)
    grown = ndimage.binary_dilation(occupied, structure=np.ones((3, 3), dtype=bool))
    return ndimage.distance_transform_edt(~grown) * cell


def _room_grid(rooms: dict[str, Rect], origin: np.ndarray, cell: float,
               shape: tuple[int, int]) -> np.ndarray:
    """Per cell, the index of the first room whose rectangle contains the whole cell
    square (-1 for none), so points sampled in those cells lie inside the room."""
    grid = np.full(shape, -1, dtype=np.int16)
    y_lo = origin[1] + np.arange(shape[0]) * cell
    x_lo = origin[0] + np.arange(shape[1]) * cell
    for i, (x0, y0, x1, y1) in reversed(list(enumerate(rooms.values()))):
        inside = (((y_lo >= y0) & (y_lo + cell <= y1))[:, None]
                  & ((x_lo >= x0) & (x_lo + cell <= x1))[None, :])
        grid[inside] = i
    return grid
