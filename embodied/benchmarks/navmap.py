"""Navigation-map benchmarks: build time, path queries and per-step geodesic distances.

``benchmark_navmap()`` returns medians in milliseconds (``*_ms``) or microseconds
(``*_us``). It uses a generated home when the home generator is available and
otherwise :func:`walled_home_spec`, a hand-built 10 m x 10 m four-room scene.
"""

from __future__ import annotations

import time

import mujoco
import numpy as np

from embodied.benchmarks.timing import median_seconds
from embodied.errors import check_choice
from embodied.scenes.navmap import NavMap

WALL_HEIGHT = 2.5
WALL_THICKNESS = 0.1

# Four 5 m x 5 m rooms of a 10 m x 10 m home; each interior wall has a 1 m doorway.
FOUR_ROOMS = {"kitchen": (0.0, 0.0, 5.0, 5.0), "living": (5.0, 0.0, 10.0, 5.0),
              "bedroom": (0.0, 5.0, 5.0, 10.0), "bath": (5.0, 5.0, 10.0, 10.0)}


def add_wall(body, a, b, name: str, height: float = WALL_HEIGHT,
             thickness: float = WALL_THICKNESS) -> None:
    """A box wall from point ``a`` to ``b`` (xy) standing on the floor."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    mid, d = (a + b) / 2, b - a
    length = float(np.linalg.norm(d))
    yaw = float(np.arctan2(d[1], d[0]))
    body.add_geom(name=name, type=mujoco.mjtGeom.mjGEOM_BOX,
                  size=[length / 2, thickness / 2, height / 2],
                  pos=[mid[0], mid[1], height / 2],
                  quat=[np.cos(yaw / 2), 0, 0, np.sin(yaw / 2)], contype=1, conaffinity=0)


def add_wall_with_door(body, a, b, door_at: float, door_width: float, name: str) -> None:
    """A wall from ``a`` to ``b`` with a doorway centred ``door_at`` metres from ``a``."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    u = (b - a) / np.linalg.norm(b - a)
    add_wall(body, a, a + u * (door_at - door_width / 2), name + "_a")
    add_wall(body, a + u * (door_at + door_width / 2), b, name + "_b")


def walled_home_spec(door_width: float = 1.0) -> mujoco.MjSpec:
    """A 10 m x 10 m home of four rooms (:data:`FOUR_ROOMS`) with furniture of every
    primitive type, plus things that must not be obstacles: a free box, a mocap body, a
    visual-only geom, a rug and a ceiling lamp."""
    spec = mujoco.MjSpec()
    world = spec.worldbody
    world.add_geom(name="floor", type=mujoco.mjtGeom.mjGEOM_PLANE, size=[0, 0, 0.1],
                   contype=1, conaffinity=0)
    for name, a, b in (("south", (0, 0), (10, 0)), ("north", (0, 10), (10, 10)),
                       ("west", (0, 0), (0, 10)), ("east", (10, 0), (10, 10))):
        add_wall(world, a, b, name)
    add_wall_with_door(world, (5, 0), (5, 10), 2.5, door_width, "mid_ns_low")
    add_wall_with_door(world, (0, 5), (5, 5), 2.5, door_width, "mid_we_left")
    add_wall_with_door(world, (5, 5), (10, 5), 2.5, door_width, "mid_we_right")
    box, cyl = mujoco.mjtGeom.mjGEOM_BOX, mujoco.mjtGeom.mjGEOM_CYLINDER
    furniture = world.add_body(name="furniture")
    furniture.add_geom(name="table", type=box, size=[0.6, 0.4, 0.38], pos=[2.5, 2.0, 0.38])
    furniture.add_geom(name="sofa", type=box, size=[1.0, 0.45, 0.4], pos=[7.5, 1.0, 0.4],
                       quat=[np.cos(0.2), 0, 0, np.sin(0.2)])
    furniture.add_geom(name="round_table", type=cyl, size=[0.45, 0.37, 0], pos=[7.5, 3.5, 0.37])
    furniture.add_geom(name="bed", type=box, size=[1.0, 0.8, 0.3], pos=[2.0, 8.5, 0.3])
    furniture.add_geom(name="ball_lamp", type=mujoco.mjtGeom.mjGEOM_SPHERE, size=[0.2, 0, 0],
                       pos=[4.4, 9.4, 0.9])
    furniture.add_geom(name="towel_rail", type=mujoco.mjtGeom.mjGEOM_CAPSULE,
                       size=[0.05, 0.5, 0], pos=[9.5, 7.5, 1.0],
                       quat=[np.cos(np.pi / 4), np.sin(np.pi / 4), 0, 0])
    furniture.add_geom(name="vase", type=mujoco.mjtGeom.mjGEOM_ELLIPSOID, size=[0.2, 0.3, 0.5],
                       pos=[6.0, 9.0, 0.5])
    # Not obstacles:
    furniture.add_geom(name="rug", type=box, size=[1.0, 1.0, 0.005], pos=[2.5, 3.5, 0.005])
    furniture.add_geom(name="ceiling_lamp", type=cyl, size=[0.3, 0.1, 0], pos=[7.5, 7.5, 2.3])
    furniture.add_geom(name="painting", type=box, size=[0.5, 0.5, 0.5], pos=[7.5, 6.5, 1.0],
                       contype=0, conaffinity=0)
    mug = world.add_body(name="mug", pos=[2.5, 6.5, 0.5])
    mug.add_freejoint()
    mug.add_geom(type=box, size=[0.3, 0.3, 0.3], contype=4, conaffinity=7)
    person = world.add_body(name="person", mocap=True, pos=[3.5, 6.5, 1.0])
    person.add_geom(type=mujoco.mjtGeom.mjGEOM_CAPSULE, size=[0.25, 0.6, 0], contype=2,
                    conaffinity=0)
    return spec


def _median_time(fn, repeats: int) -> float:
    return median_seconds(fn, repeats=repeats, warmup=0)


def _benchmark_scene(scene: str):
    """A compiled ~10 m x 10 m home and its rooms: generated (if the generator is
    available) or the hand-built :func:`walled_home_spec`."""
    try:
        from embodied.scenes.home import generate_home
    except ImportError:
        generate_home = None
    if scene == "walled" or generate_home is None:
        return walled_home_spec().compile(), FOUR_ROOMS, "walled_home_spec"
    home = generate_home(0)
    rooms = home.room_rects()
    return home.build_spec().compile(), rooms, "generate_home(0)"


def benchmark_navmap(repeats: int = 20, queries: int = 200, seed: int = 0,
                     scene: str = "generated") -> dict:
    """Median timings of the navigation map on a ~10 m x 10 m home.

    Keys: ``build_ms`` (from_model), ``with_radius_ms``, ``corner_graph_ms`` (built once per
    map on the first blocked query), ``grid_graph_ms`` and ``distance_field_ms`` (grid
    search, used by distance_field and as fallback), ``path_ms`` (shortest_path between
    far-apart points without line of sight), ``geodesic_los_us`` (line of sight),
    ``geodesic_blocked_us`` (no line of sight, both ends new: the per-step case of a robot
    tracking a walking person), ``geodesic_blocked_fixed_goal_us`` (many starts, one goal),
    ``los_fraction`` of the random pairs, plus map size figures. ``scene`` is
    ``"generated"`` (``generate_home(0)``) or ``"walled"`` (:func:`walled_home_spec`).
    """
    check_choice("scene", scene, ("generated", "walled"))
    model, rooms, scene = _benchmark_scene(scene)
    data = mujoco.MjData(model)
    mujoco.mj_forward(model, data)
    build = _median_time(lambda: NavMap.from_model(model, data, agent_radius=0.3,
                                                    rooms=rooms), repeats)
    navmap = NavMap.from_model(model, data, agent_radius=0.3, rooms=rooms)
    with_radius = _median_time(lambda: navmap.with_radius(0.25), repeats)

    def rebuild(attribute, build_fn):
        def fn():
            setattr(navmap, attribute, None)
            build_fn()
        return fn
    few = max(3, repeats // 4)
    corner_graph = _median_time(rebuild("_corners", navmap._corner_graph), few)
    grid_graph = _median_time(rebuild("_graph_cache", navmap._graph), few)

    rng = np.random.default_rng(seed)
    pts = navmap.sample_navigable(rng, 2 * queries)
    pairs = list(zip(pts[:queries], pts[queries:]))
    blocked = [(a, b) for a, b in pairs if not navmap.line_of_sight(a, b)]
    clear = [(a, b) for a, b in pairs if navmap.line_of_sight(a, b)]
    far = sorted(blocked, key=lambda p: -np.linalg.norm(p[0] - p[1]))[:max(5, len(blocked) // 4)]

    def timed_each(pairs_, fn):
        times = []
        for a, b in pairs_:
            navmap._fields.clear()
            t0 = time.perf_counter()
            fn(a, b)
            times.append(time.perf_counter() - t0)
        return float(np.median(times)) if times else float("nan")

    field = timed_each(far, lambda a, b: navmap.distance_field(b))
    path = timed_each(far, navmap.shortest_path)
    geo_blocked = timed_each(blocked, navmap.geodesic_distance)
    geo_los = timed_each(clear * 5, navmap.geodesic_distance)
    goal = blocked[0][1] if blocked else pts[0]
    navmap.geodesic_distance(pts[0], goal)
    fixed_goal = []
    for a, _ in blocked:
        t0 = time.perf_counter()
        navmap.geodesic_distance(a, goal)
        fixed_goal.append(time.perf_counter() - t0)
    return {
        "scene": scene,
        "grid_cells": int(np.prod(navmap.shape)),
        "navigable_fraction": float(navmap.navigable.mean()),
        "corners": int(len(navmap._corner_graph().points)),
        "build_ms": build * 1e3,
        "with_radius_ms": with_radius * 1e3,
        "corner_graph_ms": corner_graph * 1e3,
        "grid_graph_ms": grid_graph * 1e3,
        "distance_field_ms": field * 1e3,
        "path_ms": path * 1e3,
        "geodesic_los_us": geo_los * 1e6,
        "geodesic_blocked_us": geo_blocked * 1e6,
        "geodesic_blocked_fixed_goal_us": float(np.median(fixed_goal)) * 1e6,
        "los_fraction": len(clear) / len(pairs),
    }


def run() -> dict:
    """Entry point of scripts/benchmark.py."""
    return benchmark_navmap()


if __name__ == "__main__":
    for scene in ("generated", "walled"):
        for key, value in benchmark_navmap(scene=scene).items():
            print(f"{key:32s} {value:.3f}" if isinstance(value, float) else f"{key:32s} {value}")
        print()
