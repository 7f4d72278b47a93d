"""Navigation map: rasterization, inflation, paths, geodesics, sampling, pictures, errors."""

from __future__ import annotations

import dataclasses
import math
import re

import mujoco
import numpy as np
import pytest

from embodied.benchmarks.navmap import FOUR_ROOMS, add_wall, walled_home_spec
from embodied.errors import ConfigError
from embodied.scenes import navmap as navmap_module
from embodied.scenes.navmap import NavMap, visibility
from embodied.scenes.navmap.routes import CornerGraph
from embodied.scenes.navmap.testing import with_tables

ROBOT_RADIUS = 0.3
BOX = mujoco.mjtGeom.mjGEOM_BOX


@pytest.fixture(scope="module")
def home_model():
    return walled_home_spec().compile()


@pytest.fixture(scope="module")
def home_map(home_model):
    return NavMap.from_model(home_model, agent_radius=ROBOT_RADIUS, rooms=FOUR_ROOMS)


def l_corridor_model() -> mujoco.MjModel:
    """A 4 m x 4 m walled square whose upper-right 3 m x 3 m is one solid block: the free
    floor is an L of 1 m wide corridors along the x = 0 and y = 0 walls."""
    spec = mujoco.MjSpec()
    world = spec.worldbody
    world.add_geom(type=mujoco.mjtGeom.mjGEOM_PLANE, size=[0, 0, 0.1])
    for a, b in (((0, -0.05), (4, -0.05)), ((-0.05, 0), (-0.05, 4)),
                 ((0, 4.05), (4, 4.05)), ((4.05, 0), (4.05, 4))):
        add_wall(world, a, b, name=f"wall_{a}_{b}")
    world.add_geom(name="block", type=BOX, size=[1.5, 1.5, 0.5], pos=[2.5, 2.5, 0.5])
    return spec.compile()


def dense_points(path: np.ndarray, step: float = 0.005) -> np.ndarray:
    pts = [path[:1]]
    for a, b in zip(path[:-1], path[1:]):
        n = max(2, int(np.linalg.norm(b - a) / step) + 2)
        pts.append(a + np.linspace(0.0, 1.0, n)[:, None] * (b - a))
    return np.concatenate(pts)


def path_length(path: np.ndarray) -> float:
    return float(np.linalg.norm(np.diff(path, axis=0), axis=1).sum())


def rect_distance(p: np.ndarray, rect) -> np.ndarray:
    """Distance from points (n, 2) to an axis-aligned rectangle (0 inside)."""
    x0, y0, x1, y1 = rect
    dx = np.maximum.reduce([x0 - p[:, 0], np.zeros(len(p)), p[:, 0] - x1])
    dy = np.maximum.reduce([y0 - p[:, 1], np.zeros(len(p)), p[:, 1] - y1])
    return np.hypot(dx, dy)


# -- rasterization ------------------------------------------------------------------------
def test_obstacles_are_static_collidable_geoms_in_the_height_range(home_model, home_map):
    occupied_at = lambda x, y: bool(home_map.occupied[tuple(home_map.world_to_cell((x, y)))])
    # Walls, furniture of every primitive type.
    for x, y in ((5.0, 8.0), (0.0, 5.0), (2.5, 2.0), (7.5, 1.0), (7.5, 3.5), (2.0, 8.5),
                 (4.4, 9.4), (9.5, 7.3), (6.0, 9.0)):
        assert occupied_at(x, y), (x, y)
    # Doorway, rug (below the height range), ceiling lamp (above), visual-only painting,
    # free body (mug), mocap body (person).
    for x, y in ((5.0, 2.5), (2.5, 3.5), (7.5, 7.5), (7.5, 6.5), (2.5, 6.5), (3.5, 6.5)):
        assert not occupied_at(x, y), (x, y)
    # Oriented box: the rotated sofa's corner is occupied, the axis-aligned corner is not.
    yaw = 0.4
    corner = np.array([7.5, 1.0]) + np.array([[math.cos(yaw), -math.sin(yaw)],
                                               [math.sin(yaw), math.cos(yaw)]]) @ [0.95, 0.4]
    assert occupied_at(*corner)
    assert not occupied_at(7.5 + 0.95, 1.0 - 0.4)


def test_mesh_geoms_are_rasterized_by_their_hull():
    spec = mujoco.MjSpec()
    spec.add_mesh(name="wedge", uservert=[0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1])
    spec.worldbody.add_geom(type=mujoco.mjtGeom.mjGEOM_MESH, meshname="wedge", pos=[1, 1, 0])
    navmap = NavMap.from_model(spec.compile(), agent_radius=0.0, bounds=(0, 0, 3, 3))
    assert navmap.occupied[tuple(navmap.world_to_cell((1.2, 1.2)))]
    assert not navmap.occupied[tuple(navmap.world_to_cell((1.8, 1.8)))]  # beyond the hypotenuse
    cells = navmap.occupied.sum() * navmap.cell_size ** 2
    assert 0.5 <= cells <= 0.5 + 3.5 * navmap.cell_size  # the triangle plus its boundary cells


def test_inflation_keeps_the_agent_radius_from_walls():
    model = l_corridor_model()
    navmap = NavMap.from_model(model, agent_radius=ROBOT_RADIUS)
    boxes = [(1.0, 1.0, 4.0, 4.0), (-0.1, -0.1, 4.1, 0.0), (-0.1, -0.1, 0.0, 4.1),
             (-0.1, 4.0, 4.1, 4.1), (4.0, -0.1, 4.1, 4.1)]
    # Every point of every navigable cell, probed at the cell corners and centre.
    rows, cols = np.nonzero(navmap.navigable)
    corners = []
    for dr in (0.0, 0.5, 1.0 - 1e-9):
        for dc in (0.0, 0.5, 1.0 - 1e-9):
            corners.append(navmap.cell_to_world(np.stack([rows + dr - 0.5, cols + dc - 0.5], 1)))
    pts = np.concatenate(corners)
    clearance = np.min([rect_distance(pts, b) for b in boxes], axis=0)
    assert clearance.min() >= ROBOT_RADIUS - 1e-9
    # ... and the margin is not much wider than needed: the corridor keeps its middle.
    assert clearance.min() <= ROBOT_RADIUS + 2 * navmap.cell_size
    assert navmap.is_navigable((0.5, 3.0)) and navmap.is_navigable((3.0, 0.5))
    assert not navmap.is_navigable((0.2, 3.0))
    # clearance_at is a lower bound of the distance to the nearest wall.
    assert ROBOT_RADIUS <= navmap.clearance_at((0.5, 3.0)) <= 0.5
    assert navmap.clearance_at((2.0, 2.0)) == 0.0 and navmap.clearance_at((-9.0, 0.0)) == 0.0


def test_copies_share_the_map_and_pickles_drop_caches(home_map):
    import copy
    import pickle

    assert copy.deepcopy(home_map) is home_map and copy.copy(home_map) is home_map
    home_map.geodesic_distance((1.0, 1.0), (9.0, 9.0))
    clone = pickle.loads(pickle.dumps(home_map))
    assert not clone.cached()
    assert clone.geodesic_distance((1.0, 1.0), (9.0, 9.0)) == \
        home_map.geodesic_distance((1.0, 1.0), (9.0, 9.0))


def test_cached_tables_are_named_and_dropped_on_request(home_model):
    navmap = NavMap.from_model(home_model, agent_radius=ROBOT_RADIUS, rooms=FOUR_ROOMS)
    assert navmap.cached() == set()
    assert not navmap.line_of_sight((1.0, 1.0), (9.0, 9.0))
    navmap.geodesic_distance((1.0, 1.0), (9.0, 9.0))
    navmap.distance_field((9.0, 9.0))
    assert navmap.cached() == {"grid_graph", "distance_fields", "corner_graph",
                               "visibility_table", "free_distances"}
    table = navmap.visibility_table()
    navmap.clear_caches("visibility_table", "distance_fields")
    assert navmap.cached() == {"grid_graph", "corner_graph", "free_distances"}
    again = navmap.visibility_table()
    assert again is not table and again.starts == table.starts
    assert np.array_equal(again.corners, table.corners) and np.array_equal(again.sure, table.sure)
    navmap.clear_caches()
    assert navmap.cached() == set()
    with pytest.raises(ConfigError, match="'name'"):
        navmap.clear_caches("corners")


def test_line_of_sight_does_not_slip_between_diagonal_cells():
    spec = mujoco.MjSpec()
    for name, x in (("a", 1.025), ("b", 1.075)):  # two 5 cm boxes meeting at (1.05, 1.05)
        spec.worldbody.add_geom(name=name, type=BOX, size=[0.025, 0.025, 0.5], pos=[x, x, 0.5])
    navmap = NavMap.from_model(spec.compile(), agent_radius=0.0, bounds=(0, 0, 2, 2))
    assert navmap.occupied.sum() == 2
    assert not navmap.is_navigable((1.02, 1.02))
    a, b = (0.98, 1.12), (1.12, 0.98)  # the segment crosses the corner both boxes share
    assert navmap.is_navigable(a) and navmap.is_navigable(b)
    assert not navmap.line_of_sight(a, b)
    assert navmap.line_of_sight(a, (1.2, 1.101))  # just above box b
    assert navmap.line_of_sight(a, (1.12, 1.5))


def test_with_radius_reuses_the_raster(home_map):
    small = home_map.with_radius(0.25)
    assert small.occupied is home_map.occupied
    assert small.navigable.sum() > home_map.navigable.sum()
    assert np.all(small.navigable[home_map.navigable])  # a superset
    assert home_map.with_radius(ROBOT_RADIUS).navigable.tolist() == home_map.navigable.tolist()


# -- paths and geodesics ------------------------------------------------------------------
def without_corner_graph(navmap: NavMap) -> NavMap:
    """The same map forced onto its fallback route (grid search + string pulling)."""
    return with_tables(navmap, corners=CornerGraph.empty())


@pytest.mark.parametrize("route", ["corners", "grid"])
def test_paths_never_cross_non_navigable_cells(home_map, route):
    if route == "grid":
        home_map = without_corner_graph(home_map)
    rng = np.random.default_rng(0)
    starts, goals = home_map.sample_navigable(rng, 40), home_map.sample_navigable(rng, 40)
    detours = 0
    for a, b in zip(starts, goals):
        path = home_map.shortest_path(a, b)
        assert path is not None
        np.testing.assert_allclose(path[0], a)
        np.testing.assert_allclose(path[-1], b)
        assert home_map.is_navigable(dense_points(path)).all()
        for p, q in zip(path[:-1], path[1:]):
            assert home_map.line_of_sight(p, q)
        detours += len(path) > 2
    assert detours >= 10  # the sample really exercised blocked pairs


def test_geodesic_is_euclidean_with_line_of_sight_and_longer_without(home_map):
    rng = np.random.default_rng(1)
    starts, goals = home_map.sample_navigable(rng, 60), home_map.sample_navigable(rng, 60)
    seen = {True: 0, False: 0}
    for a, b in zip(starts, goals):
        geo, euclid = home_map.geodesic_distance(a, b), float(np.linalg.norm(b - a))
        visible = home_map.line_of_sight(a, b)
        seen[visible] += 1
        if visible:
            assert geo == pytest.approx(euclid, abs=1e-12)
        else:
            assert geo >= euclid - home_map.cell_size
            # The exact length is the path's; the default one, whose corner visibility is
            # that of the end cells' centres, is within about a cell per bend of it.
            path = home_map.shortest_path(a, b)
            exact = home_map.geodesic_distance(a, b, exact=True)
            assert exact == pytest.approx(path_length(path), abs=1e-9)
            assert abs(geo - exact) <= home_map.cell_size * (len(path) - 2)
    assert seen[True] >= 5 and seen[False] >= 5


@pytest.mark.parametrize("route", ["corners", "grid"])
def test_l_shaped_detour_is_measured_correctly(route):
    navmap = NavMap.from_model(l_corridor_model(), agent_radius=ROBOT_RADIUS)
    if route == "grid":
        navmap = without_corner_graph(navmap)
    a, b = np.array([3.5, 0.5]), np.array([0.5, 3.5])
    assert not navmap.line_of_sight(a, b)
    # Exact shortest path of a disc centre: tangent, arc of radius R around the corner
    # (1, 1) of the block, tangent.
    corner, r = np.array([1.0, 1.0]), ROBOT_RADIUS
    da, db = np.linalg.norm(a - corner), np.linalg.norm(b - corner)
    ang_a = math.atan2(*(a - corner)[::-1]) % (2 * math.pi)
    ang_b = math.atan2(*(b - corner)[::-1]) % (2 * math.pi)
    around = ang_a - ang_b  # through the lower-left side of the corner
    arc = around - math.acos(r / da) - math.acos(r / db)
    exact = math.sqrt(da ** 2 - r ** 2) + math.sqrt(db ** 2 - r ** 2) + r * arc
    geo = navmap.geodesic_distance(a, b)
    # The map errs on the safe side (conservative raster and clearance) and bends paths at
    # cell centres, so it overestimates by a few cm per corner; finer cells converge.
    assert exact <= geo <= exact * 1.03
    fine = NavMap.from_model(l_corridor_model(), agent_radius=ROBOT_RADIUS, cell_size=0.01)
    assert exact <= fine.geodesic_distance(a, b) <= exact * 1.01
    assert geo > np.linalg.norm(b - a) + 1.0
    path = navmap.shortest_path(a, b)
    assert navmap.is_navigable(dense_points(path)).all()
    field = navmap.distance_field(b)
    grid_distance = field.distance_at(a)
    assert geo - navmap.cell_size <= grid_distance <= geo * 1.08 + navmap.cell_size
    assert field.distance_at(np.array([a, (-50.0, 0.0)])).tolist() == [grid_distance, math.inf]
    assert field.distance_at((50.0, 50.0)) == math.inf


def test_unreachable_goal_gives_none_and_inf():
    spec = mujoco.MjSpec()
    for a, b in (((0, 0), (6, 0)), ((6, 0), (6, 6)), ((6, 6), (0, 6)), ((0, 6), (0, 0)),
                 ((3, 0), (3, 6))):  # a wall with no door splits the square in two
        add_wall(spec.worldbody, a, b, name=f"w_{a}_{b}")
    navmap = NavMap.from_model(spec.compile(), agent_radius=ROBOT_RADIUS)
    a, b = (1.5, 3.0), (4.5, 3.0)
    assert navmap.is_navigable(a) and navmap.is_navigable(b)
    assert navmap.shortest_path(a, b) is None
    assert navmap.geodesic_distance(a, b) == math.inf
    assert not navmap.connected(a, b)
    assert navmap.connected(a, (1.0, 1.0))
    assert navmap.geodesic_distance(a, (1.0, 1.0)) == pytest.approx(math.hypot(0.5, 2.0))


def test_non_navigable_and_outside_points_are_snapped_or_rejected(home_map):
    inside_wall = (5.0, 8.0)  # in the middle wall
    assert not home_map.is_navigable(inside_wall)
    snapped = home_map.snap_to_navigable(inside_wall)
    assert home_map.is_navigable(snapped)
    assert abs(snapped[0] - 5.0) <= ROBOT_RADIUS + 0.05 + 2 * home_map.cell_size
    goal = (4.0, 8.0)
    geo = home_map.geodesic_distance(inside_wall, goal)
    assert math.isfinite(geo) and geo >= math.dist(inside_wall, goal)
    assert home_map.geodesic_distance(inside_wall, goal, snap=False) == math.inf
    assert home_map.shortest_path(inside_wall, goal, snap=False) is None
    np.testing.assert_allclose(home_map.shortest_path(inside_wall, goal)[0], snapped)
    outside = (-30.0, 4.0)
    assert not home_map.contains(outside) and not home_map.is_navigable(outside)
    assert not home_map.line_of_sight(outside, goal)
    assert home_map.is_navigable(home_map.snap_to_navigable(outside))
    assert home_map.geodesic_distance(outside, goal) >= 30.0
    assert home_map.room_at(outside) is None
    assert home_map.is_navigable(np.array([outside, goal])).tolist() == [False, True]


def test_corner_and_grid_routes_agree(home_map):
    grid_route = without_corner_graph(home_map)
    rng = np.random.default_rng(4)
    starts, goals = home_map.sample_navigable(rng, 40), home_map.sample_navigable(rng, 40)
    compared = 0
    for a, b in zip(starts, goals):
        if home_map.line_of_sight(a, b):
            continue
        corner, grid = home_map.geodesic_distance(a, b), grid_route.geodesic_distance(a, b)
        assert corner <= grid + 2 * home_map.cell_size
        assert corner >= grid * 0.9
        compared += 1
    assert compared >= 10


def blocked_pairs(navmap: NavMap, seed: int, n: int):
    rng = np.random.default_rng(seed)
    starts, goals = navmap.sample_navigable(rng, n), navmap.sample_navigable(rng, n)
    return [(a, b) for a, b in zip(starts, goals) if not navmap.line_of_sight(a, b)]


def test_default_geodesic_agrees_with_the_exact_route(home_map):
    pairs = blocked_pairs(home_map, 5, 250)
    assert len(pairs) >= 100
    equal = 0
    for a, b in pairs:
        fast, exact = home_map.geodesic_distance(a, b), home_map.geodesic_distance(a, b, exact=True)
        bends = len(home_map.shortest_path(a, b)) - 2
        assert abs(fast - exact) <= home_map.cell_size * bends, (a, b)
        equal += abs(fast - exact) <= 1e-9
    assert equal >= 0.95 * len(pairs)


def test_corner_visibility_rasters_are_the_exact_segment_test(home_map):
    points = home_map.corner_graph().points
    chosen = np.random.default_rng(0).choice(len(points), 12, replace=False)
    uv = (points[chosen] - home_map.origin) / home_map.cell_size
    seen = visibility.seen_from(home_map.navigable, uv[:, 0], uv[:, 1])
    rows, cols = np.nonzero(home_map.navigable)
    centres = home_map.cell_to_world(np.stack([rows, cols], axis=1))
    assert 0.05 < seen[:, rows, cols].mean() < 0.95
    assert not seen[:, ~home_map.navigable].any()
    for k, (x, y) in enumerate(points[chosen]):
        assert np.array_equal(seen[k, rows, cols], home_map.segments.visible(x, y, centres)), k


def test_corner_table_rows_join_the_four_centres_around_a_point(home_map):
    sight = home_map.visibility_table()
    points = home_map.corner_graph().points
    uv = (points - home_map.origin) / home_map.cell_size
    seen = visibility.seen_from(home_map.navigable, uv[:, 0], uv[:, 1])
    nav = home_map.navigable
    h, w = home_map.shape
    uncertain = 0
    for p in home_map.sample_navigable(np.random.default_rng(1), 300):
        u, v = (p - home_map.origin) / home_map.cell_size
        i, j = math.floor(v + 0.5), math.floor(u + 0.5)  # p lies between these centres:
        block = [(r, c) for r in (i - 1, i) for c in (j - 1, j)
                 if 0 <= r < h and 0 <= c < w and nav[r, c]]
        assert tuple(home_map.world_to_cell(p)) in block
        views = np.array([seen[:, r, c] for r, c in block])
        row = sight.dual_row[i * (w + 1) + j]
        lo, hi = sight.starts[row], sight.starts[row + 1]
        assert sight.corners[lo:hi].tolist() == np.flatnonzero(views.any(axis=0)).tolist()
        assert sight.sure[lo:hi].tolist() == views.all(axis=0)[sight.corners[lo:hi]].tolist()
        uncertain += int((~sight.sure[lo:hi]).sum())
    assert uncertain > 0


def test_geodesic_around_a_wall_end_is_known():
    """A 0.1 m thick wall from y = 0 to 1.5 m in a 2 m square: for a point agent the route
    bends at the two free cells diagonal to the wall's top corners."""
    spec = mujoco.MjSpec()
    spec.worldbody.add_geom(type=BOX, size=[0.05, 0.75, 0.5], pos=[1.0, 0.75, 0.5])
    navmap = NavMap.from_model(spec.compile(), agent_radius=0.0, bounds=(0, 0, 2, 2))
    a, b = np.array([0.5, 0.3]), np.array([1.6, 0.45])
    bend_left, bend_right = np.array([0.925, 1.525]), np.array([1.075, 1.525])
    known = (np.linalg.norm(bend_left - a) + 0.15 + np.linalg.norm(b - bend_right))
    assert not navmap.line_of_sight(a, b)
    assert navmap.geodesic_distance(a, b) == pytest.approx(known, abs=1e-12)
    assert navmap.geodesic_distance(a, b, exact=True) == pytest.approx(known, abs=1e-12)
    np.testing.assert_allclose(navmap.shortest_path(a, b), [a, bend_left, bend_right, b])
    # Moved above the wall's top, the points see each other.
    assert navmap.geodesic_distance(a + [0, 1.3], b + [0, 1.3]) == pytest.approx(
        np.linalg.norm(b - a))


def test_cells_that_see_no_corner_fall_back_to_the_exact_route(home_map):
    sight = home_map.visibility_table()
    navmap = with_tables(home_map, table=dataclasses.replace(
        sight, starts=[0] * len(sight.starts), corners=sight.corners[:0], sure=sight.sure[:0]))
    for a, b in blocked_pairs(navmap, 6, 30):
        assert navmap.geodesic_distance(a, b) == home_map.geodesic_distance(a, b, exact=True)


def test_maps_too_large_for_a_table_use_the_exact_route(home_map, monkeypatch):
    monkeypatch.setattr(visibility, "MAX_ENTRIES", 1000)
    navmap = home_map.with_radius(home_map.agent_radius)
    assert navmap.visibility_table().corners.size == 0
    for a, b in blocked_pairs(navmap, 9, 20):
        assert navmap.geodesic_distance(a, b) == home_map.geodesic_distance(a, b, exact=True)


def test_pickled_and_copied_maps_with_tables_answer_identically(home_map):
    import copy
    import pickle

    pairs = blocked_pairs(home_map, 7, 40)
    before = [home_map.geodesic_distance(a, b) for a, b in pairs]
    assert {"visibility_table", "free_distances"} <= home_map.cached()
    clone = pickle.loads(pickle.dumps(home_map))
    assert not clone.cached()
    assert [clone.geodesic_distance(a, b) for a, b in pairs] == before
    assert [copy.deepcopy(home_map).geodesic_distance(a, b) for a, b in pairs] == before


def test_segment_walk_equals_the_exact_crossing_test(home_map):
    rng = np.random.default_rng(8)
    ends = home_map.sample_navigable(rng, 1200)
    cells = np.flatnonzero(home_map.navigable.ravel())
    centres = home_map.cell_to_world(  # cell centres: segments through grid vertices
        np.stack(np.divmod(rng.choice(cells, 1200), home_map.shape[1]), axis=1))
    short = ends[:600] + rng.normal(0.0, 0.3, (600, 2))  # short ones, often by walls
    segments = [(ends[i], ends[i + 600]) for i in range(600)]
    segments += [(centres[i], centres[i + 600]) for i in range(600)]
    segments += [(p, q) for p, q in zip(ends[:600], short) if home_map.is_navigable(q)]
    to_cells = lambda p: (p - home_map.origin) / home_map.cell_size
    outcomes = set()
    for p, q in segments:
        walk = home_map.segments.clear(p[0], p[1], q[0], q[1])
        assert walk == home_map.segments.crossings_clear(*to_cells(p), *to_cells(q)), (p, q)
        outcomes.add(walk)
    assert outcomes == {True, False}


def test_queries_do_not_depend_on_the_cache(home_model):
    navmap = NavMap.from_model(home_model, agent_radius=ROBOT_RADIUS, rooms=FOUR_ROOMS)
    rng = np.random.default_rng(2)
    starts, goals = navmap.sample_navigable(rng, 20), navmap.sample_navigable(rng, 3)
    warm = [(a, b, navmap.geodesic_distance(a, b)) for b in goals for a in starts]
    for a, b, distance in warm[::7]:  # a fresh map answers with an empty cache
        fresh = navmap.with_radius(ROBOT_RADIUS)
        assert fresh.geodesic_distance(a, b) == distance


# -- sampling and rooms -------------------------------------------------------------------
def test_sampling_is_seeded_navigable_and_respects_rooms(home_map):
    a = home_map.sample_navigable(np.random.default_rng(7), 50)
    b = home_map.sample_navigable(np.random.default_rng(7), 50)
    c = home_map.sample_navigable(np.random.default_rng(8), 50)
    assert a.shape == (50, 2) and np.array_equal(a, b) and not np.array_equal(a, c)
    assert home_map.is_navigable(a).all()
    comps = home_map.components[tuple(home_map.world_to_cell(a).T)]
    assert np.all(comps == home_map.largest_component)
    for room in FOUR_ROOMS:
        pts = home_map.sample_navigable(np.random.default_rng(3), 30, room=room)
        assert all(home_map.room_at(p) == room for p in pts)
        assert home_map.is_navigable(pts).all()


def test_room_at(home_map):
    assert home_map.room_at((1.0, 1.0)) == "kitchen"
    assert home_map.room_at((9.0, 9.0)) == "bath"
    assert set(home_map.rooms) == set(FOUR_ROOMS)


# -- pictures -----------------------------------------------------------------------------
def test_image_is_world_aligned(home_map):
    scale = 2
    img = home_map.to_image(scale=scale)
    assert img.dtype == np.uint8 and img.shape == (home_map.shape[0] * scale,
                                                   home_map.shape[1] * scale, 3)
    colour = lambda xy: tuple(img[tuple(home_map.world_to_pixel(xy, scale)[::-1].astype(int))])
    assert colour((5.0, 8.0)) == navmap_module.OCCUPIED_RGB
    assert colour((2.5, 4.5)) == navmap_module.FREE_RGB
    assert colour((5.0 + 0.05 + 0.1, 8.0)) == navmap_module.MARGIN_RGB  # beside the wall
    u, v = home_map.world_to_pixel((home_map.bounds[0], home_map.bounds[3]), scale)
    assert (u, v) == (0.0, 0.0)
    xy = np.array([[2.5, 4.5], [7.25, 1.1]])
    np.testing.assert_allclose(home_map.pixel_to_world(home_map.world_to_pixel(xy, 3), 3), xy)


# -- errors -------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, field", [
    (dict(agent_radius=-0.1), "agent_radius"),
    (dict(agent_radius=float("nan")), "agent_radius"),
    (dict(cell_size=0.2), "cell_size"),
    (dict(cell_size=0), "cell_size"),
    (dict(height_range=(1.0, 0.5)), "height_range"),
    (dict(bounds=(0, 0, -1, 5)), "bounds"),
    (dict(rooms={"hall": (0, 0, 1)}), "rooms['hall']"),
])
def test_invalid_configuration_names_the_field(home_model, kwargs, field):
    with pytest.raises(ConfigError, match=re.escape(f"'{field}'")):
        NavMap.from_model(home_model, **kwargs)


def test_invalid_query_arguments(home_map):
    for query in (home_map.is_navigable, home_map.snap_to_navigable,
                  lambda p: home_map.geodesic_distance(p, (1.0, 1.0))):
        with pytest.raises(ConfigError, match="'point'"):
            query((float("nan"), 1.0))
    with pytest.raises(ConfigError, match="'point'"):
        home_map.is_navigable(np.array([[1.0, 1.0], [np.inf, 0.0]]))
    with pytest.raises(ConfigError, match="'agent_radius'"):
        home_map.with_radius(-1)
    with pytest.raises(ConfigError, match="'room'.*kitchen"):
        home_map.sample_navigable(np.random.default_rng(0), room="attic")
    with pytest.raises(ConfigError, match="'rng'"):
        home_map.sample_navigable(0)
    with pytest.raises(ConfigError, match="'component'"):
        home_map.sample_navigable(np.random.default_rng(0), component="biggest")


# -- generated homes ----------------------------------------------------------------------
home_lib = pytest.importorskip("embodied.scenes.home")


@pytest.mark.parametrize("split, seed", [("train", 0), ("train", 1), ("val", 0), ("test", 0)])
def test_generated_homes_are_fully_connected_for_the_robot(split, seed):
    home = home_lib.generate_home(seed, split=split)
    navmap = NavMap.from_model(home.build_spec().compile(), agent_radius=ROBOT_RADIUS,
                               rooms=home.room_rects())
    rng = np.random.default_rng(seed)
    anchors = {}
    for room in navmap.rooms:
        pts = navmap.sample_navigable(rng, 10, room=room, component="any")
        assert navmap.is_navigable(pts).all()
        anchors[room] = pts[0]
    names = list(anchors)
    for other in names[1:]:
        assert navmap.connected(anchors[names[0]], anchors[other]), (home.name, other)
        path = navmap.shortest_path(anchors[names[0]], anchors[other])
        assert path is not None and navmap.is_navigable(dense_points(path, 0.01)).all()
    pts = navmap.sample_navigable(rng, 200)
    assert navmap.is_navigable(pts).all()
    assert {navmap.room_at(p) for p in pts} >= set(names) - {None}


def test_discs_block_cells_and_paths_go_round_them(home_map):
    a, b, centre = (1.2, 3.6), (3.8, 3.6), (2.5, 3.6)     # an open stretch of the kitchen
    straight = home_map.shortest_path(a, b)
    blocked = home_map.with_discs([(*centre, 0.4)])
    assert home_map.is_navigable(centre), "the map itself is unchanged"
    assert not blocked.is_navigable(centre)
    assert not blocked.is_navigable((2.5, 3.6 + 0.4 + ROBOT_RADIUS - 0.05))
    around = blocked.shortest_path(a, b)
    assert around is not None and path_length(around) > path_length(straight) + 0.1
    gaps = np.linalg.norm(dense_points(around) - centre, axis=1)
    assert gaps.min() >= 0.4 + ROBOT_RADIUS - blocked.cell_size


def test_a_disc_across_a_corridor_cuts_it():
    corridor = NavMap.from_model(l_corridor_model(), agent_radius=0.2)
    ends = (0.5, 3.5), (3.5, 0.5)
    assert corridor.connected(*ends)
    assert not corridor.with_discs([(0.5, 0.5, 0.6)]).connected(*ends)
