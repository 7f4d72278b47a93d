"""Test helpers: copies of a map with preset tables, to exercise the fallback routes."""

from __future__ import annotations

from embodied.scenes.navmap.map import NavMap
from embodied.scenes.navmap.routes import CornerGraph
from embodied.scenes.navmap.visibility import VisibilityTable


def with_tables(navmap: NavMap, *, corners: CornerGraph | None = None,
                table: VisibilityTable | None = None) -> NavMap:
    """A fresh map of the same raster and radius whose corner graph and/or visibility
    table are the given ones instead of being built (e.g. :meth:`CornerGraph.empty`)."""
    fresh = navmap.with_radius(navmap.agent_radius)
    if corners is not None:
        fresh._corners = corners
    if table is not None:
        fresh._table = table
    return fresh
