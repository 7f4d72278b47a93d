"""Line of sight on a navigable grid: segment tests, one segment or many at once."""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from embodied.scenes.navmap.raster import Raster

# Distance (in cells) by which line-of-sight checks look to both sides of each grid-line
# crossing, so a segment through a cell corner needs all cells touching that corner free.
_TOUCH = 1e-7
# Segment walk (cell units): a sample's free disc holds the segment up to (free distance -
# _DISC) from it (_DISC > sqrt(2): a sample and a point touching a cell are each within
# sqrt(2)/2 of the cell's centre); samples are at most _STEP < 2 apart otherwise; a walk with
# more than _MAX_UNSURE pieces left to test exactly is tested whole.
_DISC = 1.4143
_STEP = 1.9
_MAX_UNSURE = 4
# Segments tested at once by visible_pairs: at most about this many grid-line crossings.
_PAIRS_BLOCK = 1_000_000


class SegmentTests:
    """Whether segments touch only navigable cells, on the grid of one map.

    A segment is clear iff it meets no closed non-navigable cell (outside the grid is not
    navigable): :meth:`clear` for one segment between points in navigable cells,
    :meth:`crossings_clear` (the exact grid-line crossing test it agrees with) and
    :meth:`visible` for many segments from one point."""

    def __init__(self, raster: Raster, navigable: np.ndarray, agent_radius: float):
        self._raster = raster
        self.origin = raster.origin
        self.cell_size = raster.cell
        self.shape = raster.shape
        self.navigable = navigable
        self._nav_padded = np.pad(navigable, 1).ravel()
        self._clear_flat = raster.clearance.ravel()
        self._sample_density = self.cell_size / max(agent_radius, self.cell_size)
        # A segment no longer than (clearance of an end cell - this) touches only cells
        # whose clearance is >= agent_radius: every point of such a cell lies within
        # the segment length plus a cell diagonal of that end.
        self._quick_margin = agent_radius + math.sqrt(2) * self.cell_size + 1e-6
        self._free: list[float] | None = None

    def __getstate__(self) -> dict:
        return dict(self.__dict__, _free=None)

    def clear(self, ax: float, ay: float, bx: float, by: float) -> bool:
        """Segment test between two points already known to be in navigable cells."""
        ox, oy = self.origin
        inv = 1.0 / self.cell_size
        ua, va, ub, vb = (ax - ox) * inv, (ay - oy) * inv, (bx - ox) * inv, (by - oy) * inv
        du, dv = ub - ua, vb - va
        # Quick accept: the whole segment stays well inside the clearance disc of one end.
        flat_cell = self._raster.flat_cell
        reach = max(self._clear_flat[flat_cell(ax, ay)],
                    self._clear_flat[flat_cell(bx, by)]) - self._quick_margin
        if (du * du + dv * dv) * self.cell_size ** 2 <= reach * reach and reach > 0:
            return True
        # Walk: samples along the segment, as far apart as their cells' free distances
        # allow. A piece between two samples is clear if the first sample's free disc holds
        # it, or if it is shorter than 2 cells and both samples' cells have navigable 3x3
        # neighbourhoods (free distance >= 2); other pieces get the exact test.
        free = self.free_distances()
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
            return self.crossings_clear(ua, va, ub, vb)
        tol = 1e-9 * length  # also test lines through the samples themselves
        return all(self._piece_clear(u0, v0, eu, ev, max(t0 - tol, 0.0), min(t1 + tol, length))
                   for t0, t1 in unsure)

    def free_distances(self) -> list[float]:
        """Per cell of the padded grid (one non-navigable cell around the map), the distance
        (cells) from its centre to the nearest non-navigable cell centre: 0 for
        non-navigable cells, 1 or sqrt(2) beside them (built on first use)."""
        if self._free is None:
            self._free = ndimage.distance_transform_edt(np.pad(self.navigable, 1)).ravel().tolist()
        return self._free

    def has_free_distances(self) -> bool:
        return self._free is not None

    def clear_free_distances(self) -> None:
        self._free = None

    def _piece_clear(self, u0: float, v0: float, eu: float, ev: float, t0: float,
                     t1: float) -> bool:
        """Exact test of the piece t in [t0, t1] of the segment (u0, v0) + t (eu, ev) (padded
        cell units, unit direction), as :meth:`crossings_clear` does for whole segments."""
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

    def crossings_clear(self, ua: float, va: float, ub: float, vb: float) -> bool:
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

    def visible(self, x: float, y: float, points: np.ndarray) -> np.ndarray:
        """Which segments from (x, y) to each of ``points`` are clear: the exact test of
        :meth:`clear`, for many segments at once (all ends in navigable cells)."""
        u, v = self._cell_units(points)
        ua, va = self._cell_units(np.array([[x, y]]))
        return self._visible(np.zeros(len(points), dtype=np.intp), ua, va, u, v)

    def visible_pairs(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The pairs (i, j), i < j, of ``points`` (all in navigable cells) joined by a clear
        segment, in row-major order; the segment from i to j is tested as
        ``visible(*points[i], points[i + 1:])`` does."""
        n = len(points)
        u, v = self._cell_units(points)
        first, second = np.triu_indices(n, 1)
        seen = np.zeros(first.size, dtype=bool)
        # Blocks of pairs bound the scratch memory (samples of each pair's segment).
        block = max(1, _PAIRS_BLOCK // (2 * int(math.hypot(*self.shape)) + 2))
        for p0 in range(0, first.size, block):
            p1 = min(first.size, p0 + block)
            seen[p0:p1] = self._visible(first[p0:p1], u, v, u[second[p0:p1]], v[second[p0:p1]])
        return first[seen], second[seen]

    def _cell_units(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        inv = 1.0 / self.cell_size
        return (points[:, 0] - self.origin[0]) * inv, (points[:, 1] - self.origin[1]) * inv

    def _visible(self, start: np.ndarray, su: np.ndarray, sv: np.ndarray, ub: np.ndarray,
                 vb: np.ndarray) -> np.ndarray:
        """Exact test of the segments from (su, sv)[start] to (ub, vb) (cell units)."""
        nav, stride = self._nav_padded, self.shape[1] + 2
        # Every third sample of maybe_visible first: what it rules out, all samples would.
        ua, va = su[start], sv[start]
        visible = self._maybe_visible(ua, va, ub, vb, every=3)
        maybe = np.flatnonzero(visible)
        visible[maybe] = self._maybe_visible(ua[maybe], va[maybe], ub[maybe], vb[maybe])
        survivors = np.flatnonzero(visible)
        ua, va = su[start[survivors]], sv[start[survivors]]
        ub, vb = ub[survivors], vb[survivors]
        blocked = np.zeros(survivors.size, dtype=bool)
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

    def maybe_visible(self, x: float, y: float, points: np.ndarray) -> np.ndarray:
        """False for segments from (x, y) to ``points`` that surely are not clear: a point
        sampled on them lies in a non-navigable cell. Samples are about an agent radius
        apart (an inflated wall is over twice as wide), which rules out most hidden
        segments cheaply; the others need the exact test."""
        inv = 1.0 / self.cell_size
        ua, va = (x - self.origin[0]) * inv, (y - self.origin[1]) * inv
        return self._maybe_visible(ua, va, *self._cell_units(points))

    def _maybe_visible(self, ua, va, ub: np.ndarray, vb: np.ndarray,
                       every: int = 1) -> np.ndarray:
        """:meth:`maybe_visible` in cell units; ``ua``, ``va`` scalars or per segment. With
        ``every`` > 1, only the samples of rank every // 2 + every * j are tested."""
        counts = (np.hypot(ub - ua, vb - va) * self._sample_density + 2).astype(np.intp)
        picked = (counts - every // 2 + every - 1) // every if every > 1 else counts
        seg = np.repeat(np.arange(len(ub)), picked)
        rank = np.arange(seg.size) - np.repeat(np.cumsum(picked) - picked, picked)
        if every > 1:
            rank = rank * every + every // 2
        t = rank / (counts[seg] - 1)
        if np.ndim(ua):
            ua, va = ua[seg], va[seg]
        samples = ((va + 1.0) + t * (vb[seg] - va)).astype(np.intp) * (self.shape[1] + 2) + (
            (ua + 1.0) + t * (ub[seg] - ua)).astype(np.intp)
        maybe = np.ones(len(ub), dtype=bool)
        maybe[seg[~self._nav_padded[samples]]] = False
        return maybe


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
