"""Where an agent stands to act on something, and where on a surface it puts things:
geometry shared by the humanoid and robot skills (it knows navigation maps and
rectangles, no agent).
"""

from __future__ import annotations

import math
import weakref

import numpy as np

from embodied.sim.kinematic import lowest_point


#: Receptacles between knee and chest height an arm can work on (not beds, shelves, sinks).
ORDINARY_RECEPTACLES = ("table", "desk", "counter", "cabinet", "nightstand", "tv_stand",
                        "coffee_table", "sofa", "toilet")


def standing_point(navmap, here, target, max_distance: float, *, min_distance: float = 0.0,
                   ring_start: float = 0.3, ring_step: float = 0.1, directions: int = 24,
                   toward: float | None = None, accept=None) -> tuple[float, float] | None:
    """Where to stand to act on ``target`` (x, y), reachable on ``navmap`` from ``here``.

    The nearest navigable point to ``target`` if the agent can get there from ``here``
    (and it is at least ``min_distance`` away); else, when that point is cut off (a
    pocket behind furniture) or too close, the first navigable point connected to
    ``here`` on rings around ``target`` from ``ring_start`` (or ``min_distance``) out to
    ``max_distance``, ``ring_step`` apart, each tried in ``directions`` directions (from
    angle 0, or nearest first to the direction ``toward``, rad). ``accept(point)``
    optionally vetoes points (say, with a wall between them and the target). None if
    there is none.
    """
    tx, ty = float(target[0]), float(target[1])
    p = navmap.snap_to_navigable((tx, ty))
    if (p is not None and math.hypot(p[0] - tx, p[1] - ty) >= min_distance
            and navmap.connected(here, p) and (accept is None or accept((float(p[0]), float(p[1]))))):
        return float(p[0]), float(p[1])
    angles = np.linspace(0.0, 2.0 * math.pi, directions, endpoint=False)
    if toward is not None:
        turns = np.arange(directions)
        angles = toward + (turns + 1) // 2 * np.where(turns % 2, 1.0, -1.0) * (2.0 * math.pi / directions)
    for r in np.arange(max(ring_start, min_distance), max_distance + 1e-9, ring_step):
        for a in angles:
            q = (tx + r * math.cos(a), ty + r * math.sin(a))
            if navmap.is_navigable(q) and navmap.connected(here, q) and (accept is None or accept(q)):
                return q
    return None


_DETOURS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def detour_map(navmap, discs):
    """``navmap`` with the discs (x, y, r) occupied too (someone standing in the way),
    made once per map and discs (the last few are kept)."""
    maps = _DETOURS.setdefault(navmap, {})
    key = tuple((round(float(x), 3), round(float(y), 3), round(float(r), 3)) for x, y, r in discs)
    detour = maps.get(key)
    if detour is None:
        if len(maps) >= 8:
            maps.pop(next(iter(maps)))
        detour = maps[key] = navmap.with_discs(key)
    return detour


def nearest_in_rect(xy, rect, margin: float = 0.0) -> tuple[float, float]:
    """The point of ``rect`` (xmin, ymin, xmax, ymax), shrunk by ``margin`` on every side,
    nearest to ``xy`` (along a side narrower than twice the margin: ``min + margin``)."""
    x0, y0, x1, y1 = rect
    m = margin
    return (min(max(xy[0], x0 + m), max(x1 - m, x0 + m)),
            min(max(xy[1], y0 + m), max(y1 - m, y0 + m)))


def rest_error(world, body: int, height: float, rect, tolerance: float = 0.03) -> str:
    """Whether ``body`` rests on the surface at ``height`` over ``rect``: ``""`` if it does
    (its lowest point within ``tolerance`` of the height, its centre of mass over the
    rectangle grown by ``tolerance``), ``"height"`` or ``"off"`` if not."""
    bottom = lowest_point(world.model, world.data, body)
    if abs(bottom - height) > tolerance:
        return "height"
    if not over_rect(world, body, rect, tolerance):
        return "off"
    return ""


def over_rect(world, body: int, rect, tolerance: float = 0.03) -> bool:
    """Whether ``body``'s centre of mass is over ``rect`` grown by ``tolerance`` (the
    cheap half of :func:`rest_error`)."""
    x, y = world.data.xipos[body, :2]
    x0, y0, x1, y1 = rect
    return bool(x0 - tolerance <= x <= x1 + tolerance and y0 - tolerance <= y <= y1 + tolerance)


def resting_on(world, body: int, furniture, tolerance: float = 0.03) -> bool:
    """Whether ``body`` rests on one of the surfaces of a home's ``furniture`` piece."""
    return any(rest_error(world, body, s.height, s.rect, tolerance) == "" for s in furniture.surfaces)


__all__ = ["ORDINARY_RECEPTACLES", "detour_map", "standing_point", "nearest_in_rect", "over_rect",
           "rest_error", "resting_on"]
