"""Routes on a navigable grid: grid graph, distance fields, corner graph, string pulling."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csgraph, csr_matrix

from embodied.scenes.navmap.sight import SegmentTests

if TYPE_CHECKING:
    from embodied.scenes.navmap.map import NavMap


# -- grid search --------------------------------------------------------------------------
def grid_graph(navigable: np.ndarray) -> csr_matrix:
    """8-connected graph over all cells (edges only between navigable cells; no corner
    cutting), weights in cells."""
    h, w = navigable.shape
    nav = navigable
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
    return csr_matrix((np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(h * w, h * w))


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
        dist, pred = csgraph.dijkstra(navmap.grid_graph(), indices=goal_cell,
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


def string_pull(navmap: "NavMap", start, chain: list[int], goal) -> np.ndarray:
    """Shorten a cell chain into an any-angle path whose segments stay clear.

    Greedy over the cells where the chain turns: extend the current segment while the
    next turning cell is visible; when it is not, bisect the straight run before it for
    the farthest visible cell (where a taut string would bend) and bend there."""
    w = navmap.shape[1]
    cells = np.asarray(chain)
    rc = np.stack([cells // w, cells % w], axis=1)
    centres = navmap.cell_to_world(rc)
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
    clear = navmap.segments.clear
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


# -- corner visibility graph --------------------------------------------------------------
@dataclass(frozen=True)
class CornerGraph:
    """The convex corner cells of a navigable region, where taut paths bend, and the
    shortest distances between them along mutually visible pairs."""

    points: np.ndarray  # (V, 2) world xy of the convex corner cells' centres
    dist: np.ndarray    # (V, V) shortest distances through mutually visible corners
    pred: np.ndarray    # (V, V) predecessors (scipy.sparse.csgraph convention)

    @classmethod
    def empty(cls) -> "CornerGraph":
        """A graph without corners (routes then fall back to the grid search)."""
        return cls(np.zeros((0, 2)), np.zeros((0, 0)), np.zeros((0, 0), dtype=np.int32))


def build_corner_graph(navmap: "NavMap") -> CornerGraph:
    """The corner graph of ``navmap``'s navigable region (~5-15 ms for a home)."""
    nav = np.pad(navmap.navigable, 1)
    h, w = navmap.shape
    inner = nav[1:-1, 1:-1]
    corner = np.zeros_like(inner)
    for dr in (-1, 1):
        for dc in (-1, 1):
            corner |= (inner & ~nav[1 + dr:1 + dr + h, 1 + dc:1 + dc + w]
                       & nav[1 + dr:1 + dr + h, 1:1 + w] & nav[1:1 + h, 1 + dc:1 + dc + w])
    rows, cols = np.nonzero(corner)
    points = navmap.cell_to_world(np.stack([rows, cols], axis=1))
    n = len(points)
    weights = np.zeros((n, n))
    first, second = navmap.segments.visible_pairs(points)
    weights[first, second] = np.linalg.norm(points[second] - points[first], axis=1)
    dist, pred = csgraph.shortest_path(csr_matrix(weights), method="D", directed=False,
                                       return_predecessors=True)
    return CornerGraph(points, dist, pred)


def corner_route(corners: CornerGraph, segments: SegmentTests, ax: float, ay: float,
                 bx: float, by: float):
    """(length, first corner, last corner) of the best route a -> corners -> b, or None.

    Best-first over lower bounds: corners that sampled points do not rule out as
    visible from each end bound the total; the smallest bound is confirmed with exact
    segment tests, so only a few segments are tested exactly."""
    points = corners.points
    if not len(points):
        return None
    near_a = np.flatnonzero(segments.maybe_visible(ax, ay, points))
    near_b = np.flatnonzero(segments.maybe_visible(bx, by, points))
    if not (near_a.size and near_b.size):
        return None
    to_a = np.hypot(points[near_a, 0] - ax, points[near_a, 1] - ay)
    via = corners.dist[np.ix_(near_a, near_b)] + np.hypot(
        points[near_b, 0] - bx, points[near_b, 1] - by)[None, :]
    seen_a = np.zeros(near_a.size, dtype=np.int8)  # 1 visible, -1 hidden, 0 unknown
    seen_b = np.zeros(near_b.size, dtype=np.int8)
    clear = segments.clear
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


def corner_path(corners: CornerGraph, start, i: int, j: int, goal) -> np.ndarray:
    """The path start -> corner i -> ... -> corner j -> goal through the graph."""
    seq = [j]
    while seq[-1] != i:
        seq.append(int(corners.pred[i, seq[-1]]))
    pts = [start] + [tuple(corners.points[k]) for k in reversed(seq)] + [goal]
    path = [pts[0]] + [q for p, q in zip(pts[:-1], pts[1:]) if q != p]
    return np.array(path, dtype=np.float64)
