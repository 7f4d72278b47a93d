"""Occupancy raster of a compiled model: geom footprints, rasterization, clearance, rooms."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import mujoco
import numpy as np
from scipy import ndimage
from scipy.spatial import ConvexHull, QhullError

from embodied.errors import ConfigError

Rect = tuple[float, float, float, float]

MAX_CELL_SIZE = 0.05
MIN_CELL_SIZE = 0.005
MAX_CELLS = 16_000_000
_CIRCLE_SIDES = 32


def check_rect(field: str, rect) -> Rect:
    """``rect`` as floats (xmin, ymin, xmax, ymax), or ConfigError naming ``field``."""
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


def disc_outline(x: float, y: float, radius: float) -> np.ndarray:
    """A polygon (world xy) circumscribing the disc, as geoms' round footprints are filled."""
    return (x, y) + radius * _UNIT_CIRCLE
_BOX_CORNERS = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)])


def geom_outline(model: mujoco.MjModel, g: int, pos: np.ndarray, rot: np.ndarray):
    """Points (k, 2) whose convex hull contains the geom's xy footprint, and its z extent.

    Returns None for geom types that are not rasterized (planes, height fields, SDFs).
    """
    gtype = mujoco.mjtGeom(int(model.geom_type[g]))
    size = model.geom_size[g]
    G = mujoco.mjtGeom
    if gtype == G.mjGEOM_BOX:
        pts = pos + (_BOX_CORNERS * size) @ rot.T
        return pts[:, :2], pts[:, 2].min(), pts[:, 2].max()
    if gtype == G.mjGEOM_SPHERE:
        r = size[0]
        return disc_outline(pos[0], pos[1], r), pos[2] - r, pos[2] + r
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
    not_plane = model.geom_type != int(mujoco.mjtGeom.mjGEOM_PLANE)
    return np.flatnonzero(static & collidable & not_plane)


def fill_convex(grid: np.ndarray, outlines: Sequence[np.ndarray], origin: np.ndarray,
                cell: float) -> None:
    """Mark every cell of ``grid`` that the convex hull of each of ``outlines`` (point
    arrays, world xy) touches."""
    h, w = grid.shape
    hulls, boxes = _grown_hulls(outlines, origin, cell)
    # A cell is inside a polygon iff its centre is left of (or on) every edge; ConvexHull
    # returns 2-D vertices counter-clockwise. For an axis-aligned box, each side's test
    # (dx * (cy - y0) - dy * (cx - x0) >= 0 with dx or dy exactly 0) is one exact
    # comparison of a centre coordinate, so the inside cells are ranges of rows and columns.
    if len(boxes):
        lo, hi = np.floor(boxes[:, 0]), np.floor(boxes[:, 1])
        first = np.maximum(lo + (lo + 0.5 < boxes[:, 0]), 0).astype(np.intp)  # (col, row)
        last = np.minimum(hi - (hi + 0.5 > boxes[:, 1]), [w - 1, h - 1]).astype(np.intp)
        for (c0, r0), (c1, r1) in zip(first.tolist(), last.tolist()):
            if c0 <= c1 and r0 <= r1:
                grid[r0:r1 + 1, c0:c1 + 1] = True
    # The other hulls of each vertex count at once: every cell of their bounding boxes
    # against every edge.
    for group in _same_length(hulls):
        start = np.array([hulls[g] for g in group])  # (G, n, 2)
        c0 = np.maximum(np.floor(start[..., 0].min(axis=1)), 0).astype(np.intp)
        c1 = np.minimum(np.ceil(start[..., 0].max(axis=1)), w).astype(np.intp)
        r0 = np.maximum(np.floor(start[..., 1].min(axis=1)), 0).astype(np.intp)
        r1 = np.minimum(np.ceil(start[..., 1].max(axis=1)), h).astype(np.intp)
        keep = (c0 < c1) & (r0 < r1)
        start, c0, c1, r0, r1 = start[keep], c0[keep], c1[keep], r0[keep], r1[keep]
        stop = np.roll(start, -1, axis=1)
        x0, y0 = start[..., 0], start[..., 1]
        dx, dy = stop[..., 0] - x0, stop[..., 1] - y0
        width = c1 - c0
        size = (r1 - r0) * width
        which = np.repeat(np.arange(len(start)), size)  # hull of each candidate cell
        rank = np.arange(which.size) - np.repeat(np.cumsum(size) - size, size)
        rows = r0[which] + rank // width[which]
        cols = c0[which] + rank % width[which]
        cy, cx = (rows + 0.5)[:, None], (cols + 0.5)[:, None]
        inside = ((dx[which] * (cy - y0[which]) - dy[which] * (cx - x0[which])) >= 0).all(axis=1)
        grid[rows[inside], cols[inside]] = True


def _same_length(arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Indices of ``arrays`` grouped by their lengths."""
    lengths = np.array([len(a) for a in arrays], dtype=np.intp)
    return [np.flatnonzero(lengths == n) for n in np.unique(lengths).tolist()]


def _grown_hulls(outlines: Sequence[np.ndarray], origin: np.ndarray,
                 cell: float) -> tuple[list[np.ndarray], np.ndarray]:
    """The convex hulls of ``outlines`` (world xy points) grown by a cell square, in cell
    units (a cell touches a hull iff its centre lies in the grown one): the vertices
    (counter-clockwise) of those that are not axis-aligned boxes, and the (lower, upper)
    corners (B, 2, 2) of those that are."""
    hulls, boxes = [], []
    # A cell touches the polygon iff its centre lies in the polygon grown by the cell square
    # (Minkowski sum, the hull of the corners moved by +-1/2); a hair is shaved so cells
    # that only share an edge with an aligned polygon stay free.
    half = 0.5 - 1e-6
    square = np.array([[-half, -half], [-half, half], [half, -half], [half, half]])
    for group in _same_length(outlines):
        # Continuous cell coordinates: cell (i, j) spans [j, j+1) x [i, i+1).
        u = (np.array([outlines[g] for g in group]) - origin) / cell  # (G, k, 2)
        grown = (u[:, :, None, :] + square).reshape(len(group), -1, 2)
        lo, hi = grown.min(axis=1), grown.max(axis=1)
        # When the corners of the bounding box are points, the hull is that box; whatever
        # other points on its sides Qhull would keep, the inside test of each side is the
        # same exact comparison of one coordinate, so the box gives the same cells.
        corners = np.stack([lo, np.stack([hi[:, 0], lo[:, 1]], axis=1), hi,
                            np.stack([lo[:, 0], hi[:, 1]], axis=1)], axis=1)
        on = grown[:, None, :, :] == corners[:, :, None, :]  # (G, 4 corners, points, xy)
        is_box = (on[..., 0] & on[..., 1]).any(axis=2).all(axis=1)
        boxes.append(np.stack([lo, hi], axis=1)[is_box])
        for index in np.flatnonzero(~is_box).tolist():
            try:
                hulls.append(grown[index][ConvexHull(grown[index]).vertices])
            except (QhullError, ValueError):  # degenerate (flat) footprint: its bounding box
                boxes.append(np.stack([lo[index], hi[index]])[None])
    return hulls, np.concatenate(boxes) if boxes else np.zeros((0, 2, 2))


# -- the raster ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Raster:
    """What the maps of every agent radius share: the grid geometry, occupancy and
    clearance, and the rooms."""

    origin: np.ndarray          # (xmin, ymin)
    cell: float
    occupied: np.ndarray        # (H, W) bool
    clearance: np.ndarray       # (H, W) float, metres from the cell square to obstacles
    rooms: dict[str, Rect]
    room_grid: np.ndarray       # (H, W) int16, index into room names, -1 outside rooms

    def __post_init__(self):
        # point queries run thousands of times a step: plain floats and ints for them
        h, w = self.occupied.shape
        object.__setattr__(self, "_grid", (float(self.origin[0]), float(self.origin[1]),
                                           float(self.cell), h, w))

    @property
    def shape(self) -> tuple[int, int]:
        return self.occupied.shape

    def flat_cell(self, x: float, y: float) -> int:
        """Flat index of the cell containing (x, y), or -1 outside the grid."""
        ox, oy, cell, h, w = self._grid
        try:
            col = math.floor((x - ox) / cell)
            row = math.floor((y - oy) / cell)
        except (ValueError, OverflowError):
            raise ConfigError("point", (x, y), reason="coordinates must be finite") from None
        if 0 <= row < h and 0 <= col < w:
            return row * w + col
        return -1


def rasterize(model: mujoco.MjModel, data: mujoco.MjData, *, cell: float,
              height_range: tuple[float, float], bounds: Sequence[float] | None,
              rooms: Mapping[str, Rect]) -> Raster:
    """The raster of ``model``'s static collision geometry at the poses of ``data`` (see
    :meth:`NavMap.from_model`; ``rooms`` already checked)."""
    low, high = height_range
    outlines = []
    for g in static_obstacle_geoms(model):
        out = geom_outline(model, g, data.geom_xpos[g], data.geom_xmat[g].reshape(3, 3))
        if out is not None and out[1] < high and out[2] > low:
            outlines.append(out[0])
    if bounds is None:
        boxes = list(rooms.values())
        if outlines:
            points = np.concatenate(outlines)
            lo, hi = points.min(axis=0), points.max(axis=0)
            boxes.insert(0, (lo[0], lo[1], hi[0], hi[1]))
        if not boxes:
            raise ConfigError("bounds", None, reason="the model has no static obstacle "
                              "and no rooms were given: pass bounds explicitly")
        b = np.array(boxes)
        pad = 2 * cell
        bounds = (b[:, 0].min() - pad, b[:, 1].min() - pad,
                  b[:, 2].max() + pad, b[:, 3].max() + pad)
    xmin, ymin, xmax, ymax = check_rect("bounds", bounds)
    w = int(math.ceil((xmax - xmin) / cell - 1e-9))
    h = int(math.ceil((ymax - ymin) / cell - 1e-9))
    if w * h > MAX_CELLS:
        raise ConfigError("cell_size", cell, reason=f"a {w}x{h} grid over bounds "
                          f"{bounds} exceeds {MAX_CELLS} cells")
    origin = np.array([xmin, ymin])
    occupied = np.zeros((h, w), dtype=bool)
    fill_convex(occupied, outlines, origin, cell)
    return Raster(origin=origin, cell=cell, occupied=occupied,
                  clearance=clearance_grid(occupied, cell), rooms=dict(rooms),
                  room_grid=room_grid(rooms, origin, cell, (h, w)))


def clearance_grid(occupied: np.ndarray, cell: float) -> np.ndarray:
    """Distance (m) from each cell square to the nearest occupied cell square.

    The distance between two cell squares offset by (dr, dc) cells is
    ``hypot(max(|dr|-1, 0), max(|dc|-1, 0))`` cells, which is the centre distance to the
    occupancy grown by one cell in each direction (3x3 dilation)."""
    if not occupied.any():
        return np.full(occupied.shape, np.inf)
    grown = ndimage.binary_dilation(occupied, structure=np.ones((3, 3), dtype=bool))
    return ndimage.distance_transform_edt(~grown) * cell


def room_grid(rooms: Mapping[str, Rect], origin: np.ndarray, cell: float,
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
