"""Navigation-map benchmarks: build time, path queries and per-step geodesic distances.

``benchmark_navmap()`` returns medians in milliseconds (``*_ms``) or microseconds
(``*_us``). It uses a generated home when the home generator is available and
otherwise :func:`walled_home_spec`, a hand-built 10 m x 10 m four-room scene.
``benchmark_blocked_geodesic()`` measures, on several generated val/test homes with the
SocialNav robot's map, the per-step geodesic without line of sight and how often its
default (corner visibility table) value equals the exact one. ``benchmark_builds()``
times building SocialNav's maps and their tables in new homes.
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

    Keys: ``build_ms`` (from_model), ``with_radius_ms``, ``corner_graph_ms`` and
    ``corner_sight_ms`` (corner graph and per-cell corner visibility table, built once per
    map on the first blocked query), ``grid_graph_ms`` and ``distance_field_ms`` (grid
    search, used by distance_field and as fallback), ``path_ms`` (shortest_path between
    far-apart points without line of sight), ``geodesic_los_us`` (line of sight),
    ``geodesic_blocked_us`` (no line of sight, both ends new: the per-step case of a robot
    tracking a walking person), ``geodesic_blocked_exact_us`` (the same with
    ``exact=True``), ``line_of_sight_blocked_us`` (the segment test of those pairs),
    ``geodesic_blocked_fixed_goal_us`` (many starts, one goal), ``los_fraction`` of the
    random pairs, plus map size figures. ``scene`` is
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

    def rebuild(table, build_fn):
        def fn():
            navmap.clear_caches(table)
            build_fn()
        return fn
    few = max(3, repeats // 4)
    corner_graph = _median_time(rebuild("corner_graph", navmap.corner_graph), few)
    corner_sight = _median_time(rebuild("visibility_table", navmap.visibility_table), few)
    grid_graph = _median_time(rebuild("grid_graph", navmap.grid_graph), few)

    rng = np.random.default_rng(seed)
    pts = navmap.sample_navigable(rng, 2 * queries)
    pairs = list(zip(pts[:queries], pts[queries:]))
    blocked = [(a, b) for a, b in pairs if not navmap.line_of_sight(a, b)]
    clear = [(a, b) for a, b in pairs if navmap.line_of_sight(a, b)]
    far = sorted(blocked, key=lambda p: -np.linalg.norm(p[0] - p[1]))[:max(5, len(blocked) // 4)]

    def timed_each(pairs_, fn):
        times = []
        for a, b in pairs_:
            navmap.clear_caches("distance_fields")
            t0 = time.perf_counter()
            fn(a, b)
            times.append(time.perf_counter() - t0)
        return float(np.median(times)) if times else float("nan")

    field = timed_each(far, lambda a, b: navmap.distance_field(b))
    path = timed_each(far, navmap.shortest_path)
    geo_blocked = timed_each(blocked, navmap.geodesic_distance)
    geo_blocked_exact = timed_each(
        blocked, lambda a, b: navmap.geodesic_distance(a, b, exact=True))
    geo_los = timed_each(clear * 5, navmap.geodesic_distance)
    sight_blocked = timed_each(blocked, navmap.line_of_sight)
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
        "corners": int(len(navmap.corner_graph().points)),
        "build_ms": build * 1e3,
        "with_radius_ms": with_radius * 1e3,
        "corner_graph_ms": corner_graph * 1e3,
        "corner_sight_ms": corner_sight * 1e3,
        "grid_graph_ms": grid_graph * 1e3,
        "distance_field_ms": field * 1e3,
        "path_ms": path * 1e3,
        "geodesic_los_us": geo_los * 1e6,
        "geodesic_blocked_us": geo_blocked * 1e6,
        "geodesic_blocked_exact_us": geo_blocked_exact * 1e6,
        "line_of_sight_blocked_us": sight_blocked * 1e6,
        "geodesic_blocked_fixed_goal_us": float(np.median(fixed_goal)) * 1e6,
        "los_fraction": len(clear) / len(pairs),
    }


# The SocialNav task's default robot, whose base radius sizes its navigation map.
SOCIAL_NAV_ROBOT = "fetch"
AGREEMENT_HOMES = (("val", 0), ("val", 1), ("test", 0), ("test", 1))


def benchmark_blocked_geodesic(homes=AGREEMENT_HOMES, pairs_per_home: int = 400,
                               seed: int = 0, agent_radius: float | None = None) -> dict:
    """The per-step geodesic of SocialNav without line of sight, on generated homes.

    For each ``(split, seed)`` home, the robot's map (radius of :data:`SOCIAL_NAV_ROBOT`
    unless ``agent_radius`` is given) and ``2 * pairs_per_home`` random navigable points
    paired up; the blocked pairs (no line of sight) are measured. Keys:
    ``blocked_pairs``; agreement of the default ``geodesic_distance`` with
    ``exact=True`` (the length of ``shortest_path``): ``equal_fraction`` (within 1e-9 m),
    ``abs_diff_median_m`` (all pairs), ``abs_diff_median_unequal_m``, ``abs_diff_max_m``
    and ``abs_diff_max_per_bend_m`` (difference over the exact path's bends); medians over
    homes of the per-home medians ``geodesic_blocked_us``, ``geodesic_blocked_exact_us``,
    ``geodesic_los_us``, ``line_of_sight_blocked_us``; ``corner_sight_ms`` and
    ``corner_sight_max_ms`` (table build, median and max over homes) and
    ``corner_graph_ms`` (median over homes).
    """
    from embodied.scenes.home import generate_home

    if agent_radius is None:
        from embodied.agents.robot import get_embodiment

        agent_radius = float(get_embodiment(SOCIAL_NAV_ROBOT).constants.base_radius)
    rng = np.random.default_rng(seed)
    diffs, bends = [], []
    per_home = {key: [] for key in ("geodesic_blocked_us", "geodesic_blocked_exact_us",
                                    "geodesic_los_us", "line_of_sight_blocked_us",
                                    "corner_sight_ms", "corner_graph_ms")}
    for split, home_seed in homes:
        home = generate_home(home_seed, split)
        model = home.build_spec().compile()
        data = mujoco.MjData(model)
        mujoco.mj_forward(model, data)
        navmap = NavMap.from_model(model, data, agent_radius=agent_radius,
                                   rooms=home.room_rects())
        t0 = time.perf_counter()
        navmap.corner_graph()
        t1 = time.perf_counter()
        navmap.visibility_table()
        per_home["corner_graph_ms"].append((t1 - t0) * 1e3)
        per_home["corner_sight_ms"].append((time.perf_counter() - t1) * 1e3)
        pts = navmap.sample_navigable(rng, 2 * pairs_per_home)
        pairs = list(zip(pts[:pairs_per_home], pts[pairs_per_home:]))
        blocked = [(a, b) for a, b in pairs if not navmap.line_of_sight(a, b)]
        clear = [(a, b) for a, b in pairs if navmap.line_of_sight(a, b)]
        for key, chosen, fn in (
                ("geodesic_blocked_us", blocked, navmap.geodesic_distance),
                ("geodesic_blocked_exact_us", blocked,
                 lambda a, b: navmap.geodesic_distance(a, b, exact=True)),
                ("geodesic_los_us", clear, navmap.geodesic_distance),
                ("line_of_sight_blocked_us", blocked, navmap.line_of_sight)):
            times = []
            for a, b in chosen:
                t0 = time.perf_counter()
                fn(a, b)
                times.append(time.perf_counter() - t0)
            per_home[key].append(float(np.median(times)) * 1e6 if times else float("nan"))
        for a, b in blocked:
            diffs.append(navmap.geodesic_distance(a, b)
                         - navmap.geodesic_distance(a, b, exact=True))
            bends.append(max(1, len(navmap.shortest_path(a, b)) - 2))
    diffs, bends = np.abs(np.array(diffs)), np.array(bends)
    unequal = diffs[diffs > 1e-9]
    out = {"blocked_pairs": int(diffs.size),
           "equal_fraction": float(np.mean(diffs <= 1e-9)),
           "abs_diff_median_m": float(np.median(diffs)),
           "abs_diff_median_unequal_m": float(np.median(unequal)) if unequal.size else 0.0,
           "abs_diff_max_m": float(diffs.max()),
           "abs_diff_max_per_bend_m": float((diffs / bends).max())}
    out.update({key: float(np.median(values)) for key, values in per_home.items()})
    out["corner_sight_max_ms"] = float(max(per_home["corner_sight_ms"]))
    return out


def benchmark_builds(homes: int = 30, split: str = "train", repeats: int = 3) -> dict:
    """Build times (ms) of SocialNav's navigation maps in new homes: medians over the first
    ``homes`` generated homes of ``split`` (static objects, the robot and a humanoid
    attached, as SocialNav builds them) of the minimum over ``repeats`` fresh maps.

    Keys: ``map_ms`` (``from_model`` at the robot's radius), ``corner_graph_ms`` and
    ``visibility_table_ms`` (built right after), ``map_graph_table_ms`` (their sum, median
    of the per-home sums), ``with_radius_ms`` (the humanoid's map) and
    ``human_corner_graph_ms``.
    """
    from embodied.agents.humanoid import Humanoid
    from embodied.agents.robot import get_embodiment, make_robot
    from embodied.scenes.home import HomeConfig, generate_home
    from embodied.tasks.social_nav import SocialNavConfig

    config = SocialNavConfig()
    radius = float(get_embodiment(config.robot).constants.base_radius)
    times = []
    for seed in range(homes):
        home = generate_home(seed, split, HomeConfig(static_objects=True))
        world = home.make_world([make_robot(config.robot), Humanoid("human0")])
        best = None
        for _ in range(repeats):
            t0 = time.perf_counter()
            navmap = NavMap.from_model(world.model, world.data, agent_radius=radius,
                                       rooms=home.room_rects())
            t1 = time.perf_counter()
            navmap.corner_graph()
            t2 = time.perf_counter()
            navmap.visibility_table()
            t3 = time.perf_counter()
            human = navmap.with_radius(config.humanoid_radius)
            t4 = time.perf_counter()
            human.corner_graph()
            t5 = time.perf_counter()
            split_ms = np.diff([t0, t1, t2, t3, t4, t5]) * 1e3
            best = split_ms if best is None else np.minimum(best, split_ms)
        times.append(best)
    times = np.array(times)
    keys = ("map_ms", "corner_graph_ms", "visibility_table_ms", "with_radius_ms",
            "human_corner_graph_ms")
    out = {key: float(np.median(times[:, k])) for k, key in enumerate(keys)}
    out["map_graph_table_ms"] = float(np.median(times[:, :3].sum(axis=1)))
    return out


def run() -> dict:
    """Entry point of scripts/benchmark.py."""
    out = benchmark_navmap()
    out.update({f"homes_{key}": value for key, value in benchmark_blocked_geodesic().items()})
    out.update({f"builds_{key}": value for key, value in benchmark_builds().items()})
    return out


if __name__ == "__main__":
    for result in (benchmark_navmap(scene="generated"), benchmark_navmap(scene="walled"),
                   benchmark_blocked_geodesic(), benchmark_builds()):
        for key, value in result.items():
            print(f"{key:32s} {value:.4f}" if isinstance(value, float) else f"{key:32s} {value}")
        print()
