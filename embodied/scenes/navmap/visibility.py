"""Corner visibility table: which corners the cell centres around each point see."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from embodied.scenes.navmap.routes import CornerGraph

if TYPE_CHECKING:
    from embodied.scenes.navmap.map import NavMap

# Cell centres this close (in cells) to a shadow's edge ray count as on it, hence hidden,
# as segments that graze a cell corner are blocked.
_ON_RAY = 1e-6
# Corners whose shadows are scanned at once: about this many (grid cell, corner) pairs of
# scratch (a byte each for a home), enough for a home in one go.
_CHUNK_CELLS = 8_000_000
# Largest (navigable cells x corners) for which a corner visibility table is built (a 10 m
# home at 5 cm: ~1.3 million).
MAX_ENTRIES = 8_000_000


@dataclass(frozen=True)
class VisibilityTable:
    """The corners seen from the centres of each dual cell, as compressed sparse rows."""

    dual_row: np.ndarray  # ((H + 1) * (W + 1),) int32: row of each dual cell, -1 if none
    starts: list[int]     # row k's corners are corners[starts[k]:starts[k + 1]]
    corners: np.ndarray   # int16/int32 indices into the corner graph's points
    sure: np.ndarray      # bool, parallel to `corners`: surely (else maybe) seen
    points: np.ndarray    # (V,) complex: the corners' x + iy


def build_visibility_table(navmap: "NavMap", graph: CornerGraph) -> VisibilityTable:
    """Per square between four neighbouring cell centres (a dual cell) holding at least
    one navigable centre: the convex corners of ``graph`` that some of its navigable
    centres see, each flagged if all of them see it (~10-30 ms for a home; about 1 MB).

    A cell centre is hidden from a corner iff the segment between them meets a closed
    boundary edge between a navigable and a non-navigable cell (the padding outside the
    map counts as non-navigable), which is the test of :meth:`SegmentTests.clear`. Only
    edges whose navigable side faces the corner can be met first, and the points behind
    a straight run of them form a trapezoid-like shadow: each run's shadow is scanned
    row by row (column by column for vertical runs) into intervals of hidden centres
    (:func:`seen_from`)."""
    h, w = navmap.shape
    # Dual cell (i, j) has the centres of cells (i - 1 or i, j - 1 or j).
    padded = np.pad(navmap.navigable, 1)
    duals = np.flatnonzero((padded[:-1, :-1] | padded[1:, :-1] | padded[:-1, 1:]
                            | padded[1:, 1:]).ravel())
    dual_row = np.full((h + 1) * (w + 1), -1, dtype=np.int32)
    dual_row[duals] = np.arange(duals.size, dtype=np.int32)
    # Too large a map (many cells and corners) gets no table: exact routes only.
    n = len(graph.points)
    if duals.size * n > MAX_ENTRIES:
        n = 0
    index = np.int16 if n < 2 ** 15 else np.int32
    points = graph.points[:, 0] + 1j * graph.points[:, 1]
    if not n:
        return VisibilityTable(dual_row, [0] * (duals.size + 1), np.zeros(0, dtype=index),
                               np.zeros(0, dtype=bool), points)
    # Around the navigable cells all is non-navigable, as outside the map: crop.
    rows, cols = np.nonzero(navmap.navigable)
    r0, c0 = rows.min(), cols.min()
    nav = navmap.navigable[r0:rows.max() + 1, c0:cols.max() + 1]
    hc, wc = nav.shape
    i, j = np.divmod(duals, w + 1)
    local = (i - r0) * (wc + 1) + (j - c0)  # the same dual cells in the crop
    cu = (graph.points[:, 0] - navmap.origin[0]) / navmap.cell_size - c0
    cv = (graph.points[:, 1] - navmap.origin[1]) / navmap.cell_size - r0
    ones = np.pad(nav, 1).view(np.uint8)
    centres = ones[:-1, :-1] + ones[1:, :-1] + ones[:-1, 1:] + ones[1:, 1:]  # navigable ones
    # Chunks of corners bound the scratch memory (chunk * H * W interval ends).
    chunk = max(1, min(n, _CHUNK_CELLS // (hc * wc)))
    maybe, hiding = [], []  # per chunk: (crop dual cells, corners of the chunk)
    for i0 in range(0, n, chunk):
        i1 = min(n, i0 + chunk)
        # Navigable centres hidden from each corner, with a non-navigable border; per dual
        # cell, how many of its centres are: some see the corner if fewer than all its
        # navigable centres, all do if none.
        hidden = np.zeros((hc + 2, wc + 2, i1 - i0), dtype=bool)
        _hidden_centres(nav, cu[i0:i1], cv[i0:i1], out=hidden[1:-1, 1:-1])
        count = hidden.view(np.uint8)
        count = count[:-1, :-1] + count[1:, :-1] + count[:-1, 1:] + count[1:, 1:]
        maybe.append((count < centres[:, :, None]).reshape(-1, i1 - i0))
        hiding.append(count.reshape(-1, i1 - i0))
    maybe = maybe[0] if len(maybe) == 1 else np.concatenate(maybe, axis=1)
    hiding = hiding[0] if len(hiding) == 1 else np.concatenate(hiding, axis=1)
    # Compressed rows: the (dual cell, corner) pairs of `maybe`, in row-major order (dual
    # cells of the crop that are not table rows have none).
    flat = np.flatnonzero(maybe)
    row_start = local * n  # flat index of each row's first entry in `maybe`
    starts = np.append(np.searchsorted(flat, row_start), flat.size)
    corners = flat - np.repeat(row_start, np.diff(starts))
    return VisibilityTable(dual_row, starts.tolist(), corners.astype(index),
                           hiding.reshape(-1)[flat] == 0, points)


def sighted_length(navmap: "NavMap", ax: float, ay: float, bx: float, by: float) -> float | None:
    """Length of the best route a -> corners -> b through the corners that the table
    says are seen from a and b (both in navigable cells), or None if it links none.

    Corners that no navigable centre of an end's dual cell sees are taken as hidden
    from that end, those that all see as visible; the others are tested exactly when
    the best remaining route uses them."""
    sight = navmap.visibility_table()
    starts, near, sure = sight.starts, sight.corners, sight.sure
    ox, oy = navmap.origin
    inv, stride = 1.0 / navmap.cell_size, navmap.shape[1] + 1
    row_a = sight.dual_row[math.floor((ay - oy) * inv + 0.5) * stride
                           + math.floor((ax - ox) * inv + 0.5)]
    row_b = sight.dual_row[math.floor((by - oy) * inv + 0.5) * stride
                           + math.floor((bx - ox) * inv + 0.5)]
    a0, a1, b0, b1 = starts[row_a], starts[row_a + 1], starts[row_b], starts[row_b + 1]
    if a0 == a1 or b0 == b1:
        return None
    near_a, near_b = near[a0:a1], near[b0:b1]
    points = sight.points
    total = navmap.corner_graph().dist.take(near_a, 0).take(near_b, 1)
    total += np.abs(points.take(near_b) - complex(bx, by))
    total += np.abs(points.take(near_a) - complex(ax, ay))[:, None]
    width = b1 - b0
    clear = navmap.segments.clear
    while True:
        i, j = divmod(int(total.argmin()), width)
        length = float(total[i, j])
        if length == math.inf:
            return None
        if not sure[a0 + i]:
            corner = points[near_a[i]]
            if not clear(ax, ay, corner.real, corner.imag):
                total[i] = math.inf
                continue
        if not sure[b0 + j]:
            corner = points[near_b[j]]
            if not clear(corner.real, corner.imag, bx, by):
                total[:, j] = math.inf
                continue
        return length


def seen_from(nav: np.ndarray, cu: np.ndarray, cv: np.ndarray) -> np.ndarray:
    """(n, H, W) bool: the navigable cells of ``nav`` (H, W) whose centres see each of the n
    points (cu, cv) (cell units, not on a grid line), by the test of
    :meth:`SegmentTests.clear`: the segment meets no closed non-navigable cell."""
    hidden = np.empty(nav.shape + (len(cu),), dtype=bool)
    _hidden_centres(nav, cu, cv, out=hidden)
    return (nav[:, :, None] ^ hidden).transpose(2, 0, 1)


def _hidden_centres(nav: np.ndarray, cu: np.ndarray, cv: np.ndarray, out: np.ndarray) -> None:
    """Into ``out`` (H, W, n), the points last as the table's rows want them: the
    navigable centres that do not see each point (the complement of :func:`seen_from`
    among the navigable cells)."""
    np.logical_or(_hidden_by_row_edges(nav, cu, cv).transpose(1, 0, 2),
                  _hidden_by_row_edges(nav.T, cv, cu), out=out)
    out &= nav[:, :, None]


def _hidden_by_row_edges(nav: np.ndarray, cu: np.ndarray, cv: np.ndarray) -> np.ndarray:
    """(W, H, n) bool, columns first: cell centres of ``nav`` (H, W) hidden from each of
    the n points (cu, cv) (cell units, not on a grid line) by a boundary edge lying on a
    grid line v = k, i.e. between cell rows k - 1 and k (outside the grid is
    non-navigable).

    A maximal run of such edges from u = a to u = b on line k, with its navigable side
    towards the point, hides the rows beyond k between the rays from the point through
    (a, k) and (b, k), both included: in row r, the centres whose u lies in
    [cu + (a - cu) s, cu + (b - cu) s] with s = (r + 1/2 - cv) / (k - cv), the columns
    [lo, hi). Per row and point, ``reach[c]`` is the largest ``hi`` of the intervals with
    ``lo == c``; column c is hidden iff the running maximum of ``reach`` up to c exceeds c.
    """
    h, w = nav.shape
    n = len(cu)
    padded = np.zeros((h + 2, w), dtype=np.int8)
    padded[1:-1] = nav
    below, above = padded[:-1], padded[1:]  # the cells on either side of line k = 0..h
    dtype = np.uint8 if w < 2 ** 8 else np.uint16 if w < 2 ** 16 else np.uint32
    reach = np.zeros((w + 1, h, n), dtype=dtype)
    flat = np.int32 if reach.size < 2 ** 31 else np.intp  # indices into reach
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
        # The interval [lo, hi) of row first + away * i of each run, i = 0 .. count - 1.
        step = np.arange(count.sum(), dtype=flat) - np.repeat(
            (np.cumsum(count) - count).astype(flat), count)
        i = step.astype(np.float64)
        lo = np.repeat(ga, count)
        lo *= i
        lo += np.repeat(left + ga * m0 - _ON_RAY, count)
        np.clip(np.ceil(lo, out=lo), 0, w, out=lo)
        hi = np.repeat(gb, count)
        hi *= i
        hi += np.repeat(left + gb * m0 + _ON_RAY + 1.0, count)
        np.clip(np.floor(hi, out=hi), 0, w, out=hi)  # empty if hi <= lo
        # Flat index of (column lo, row first + away * i, point) in reach.
        step *= away * n
        step += np.repeat((first * n + point).astype(flat), count)
        index = lo.astype(flat)
        index *= h * n
        index += step
        np.maximum.at(reach.reshape(-1), index, hi.astype(dtype))
    for c in range(1, w):
        np.maximum(reach[c - 1], reach[c], out=reach[c])
    return reach[:w] > np.arange(w, dtype=dtype)[:, None, None]
