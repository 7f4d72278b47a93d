"""Navigation map: a 2-D occupancy grid of a compiled MuJoCo scene, with path queries.

Modules: :mod:`.raster` (geom footprints, occupancy, clearance, rooms), :mod:`.sight`
(segment tests), :mod:`.routes` (grid graph, distance fields, corner graph, string
pulling), :mod:`.visibility` (the corner visibility table), :mod:`.map` (:class:`NavMap`),
:mod:`.testing` (maps with preset tables, for tests of the fallback routes).

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

from embodied.scenes.navmap.map import FREE_RGB, MARGIN_RGB, OCCUPIED_RGB, NavMap, NavMapConfig
from embodied.scenes.navmap.raster import (MAX_CELL_SIZE, MAX_CELLS, MIN_CELL_SIZE, Rect,
                                           static_obstacle_geoms)
from embodied.scenes.navmap.routes import DistanceField

__all__ = ["DistanceField", "FREE_RGB", "MARGIN_RGB", "MAX_CELLS", "MAX_CELL_SIZE",
           "MIN_CELL_SIZE", "NavMap", "NavMapConfig", "OCCUPIED_RGB", "Rect",
           "static_obstacle_geoms"]
