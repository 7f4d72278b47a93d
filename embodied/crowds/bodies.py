"""People's bodies keep apart: no step of a person's gait may bring its body into another's.

Local avoidance models choose velocities for agents that can change velocity at once; a
walking humanoid turns and speeds up over a few steps, so following their velocities
alone leaves people brushing through each other in a crush. :class:`BodySpace` is the
last word, like a physics engine's contacts for bodies that are animated rather than
simulated: the crowd writes every person's root position (and the robot's footprint) into
it before the gaits step, and each gait's move loses whatever part of it would bring two
bodies closer than their two radii (so people slide past each other shoulder to shoulder,
or stop). People update their place in it as they move, so the order the gaits step in
cannot let two of them meet halfway.
"""

from __future__ import annotations

import math

import numpy as np

#: Bodies this near (m, centres) are checked against each other in a step.
_NEAR = 1.0


class BodySpace:
    """The floor discs of ``count`` people of ``radius`` (m), plus fixed discs."""

    def __init__(self, count: int, radius: float):
        self.radius = float(radius)
        self.fixed: list[tuple[float, float, float]] = []
        self._xy: list[list[float]] = [[0.0, 0.0] for _ in range(count)]
        self._near: list[list[int]] = [[] for _ in range(count)]
        self.cut_short = 0                          # moves cut short so far (a report)

    def update(self, pos: np.ndarray, fixed: list[tuple[float, float, float]]) -> None:
        """Everyone's position at the start of a step, and the fixed discs (x, y, radius)."""
        self._xy = np.asarray(pos, float).tolist()
        self.fixed = fixed
        if len(self._xy) == 1:                      # one person: no one else to be near
            self._near = [[]]
            return
        diff = pos[:, None, :] - pos[None, :, :]
        close = np.einsum("ijk,ijk->ij", diff, diff) < _NEAR * _NEAR
        np.fill_diagonal(close, False)
        rows, cols = np.nonzero(close)
        cols, ends = cols.tolist(), np.cumsum(np.bincount(rows, minlength=len(pos))).tolist()
        self._near = [cols[start:end] for start, end in zip([0, *ends], ends)]

    def slide(self, i: int, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float]:
        """Person ``i``'s move from (x0, y0) towards (x1, y1) with what would take it into a
        body it touches taken out (it slides past, shoulder to shoulder); (x0, y0) when even
        that is blocked."""
        dx, dy = x1 - x0, y1 - y0
        contacts = self._contacts(i, x1, y1, x0, y0)
        if not contacts:
            return x1, y1
        self.cut_short += 1
        for px, py, _ in contacts:
            nx, ny = x0 - px, y0 - py
            norm = math.hypot(nx, ny)
            if norm < 1e-9:
                return x0, y0
            nx, ny = nx / norm, ny / norm
            towards = dx * nx + dy * ny
            if towards < 0.0:
                dx, dy = dx - towards * nx, dy - towards * ny
        x, y = x0 + dx, y0 + dy
        return (x, y) if not self._contacts(i, x, y, x0, y0) else (x0, y0)

    def _contacts(self, i: int, x1: float, y1: float, x0: float, y0: float) -> list:
        """The bodies (x, y, radius) person ``i`` would be inside of at (x1, y1) and nearer
        to than at (x0, y0)."""
        r, xy = self.radius, self._xy
        found = [(*xy[j], r) for j in self._near[i]] + self.fixed
        return [(px, py, pr) for px, py, pr in found
                if (after := math.hypot(x1 - px, y1 - py)) < r + pr - 1e-9
                and after < math.hypot(x0 - px, y0 - py)]

    def moved(self, i: int, x: float, y: float) -> None:
        """Person ``i`` is now at (x, y)."""
        self._xy[i] = [x, y]


__all__ = ["BodySpace"]
