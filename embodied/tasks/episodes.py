"""Scenes and episode starts shared by every task.

A :class:`SceneCache` keeps what is costly to make and is the same for many episodes: the
generated :class:`~embodied.scenes.home.Home` and its navigation maps (one per agent
radius) per home, and the built :class:`Scene` (a compiled World with its entities,
maps and sensor suites) per scene key. A home is generated once per scene; both tables
are bounded and evict the least recently used entry, so memory stays flat however many
homes a run cycles through.

Episodes start through small :class:`Initializer` objects (placing agents, giving them
skills), run by :meth:`Task.reset` after the World's reset. An initializer that cannot
succeed with the numbers it drew raises :class:`~embodied.errors.EpisodeInitError`; the
reset tries again with the next draws of the same episode generator.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Hashable, Sequence

import numpy as np

from embodied.errors import EpisodeInitError, check_choice, check_range
from embodied.sim.entity import PlanarPose

if TYPE_CHECKING:
    from embodied.scenes.home import Home, HomeConfig
    from embodied.scenes.navmap import NavMap
    from embodied.sensors.base import SensorSuite
    from embodied.sim.world import World
    from embodied.tasks.base import Task


def check_episode_fields(cfg) -> None:
    """Checks of the config fields robot-and-humanoid tasks share (ConfigError naming the
    field): step limit, timing, start distance, robot speeds, humanoid radius."""
    from embodied.sim.world import Timing

    check_range("max_steps", cfg.max_steps, 1, 10**7, integer=True)
    Timing(cfg.physics_dt, cfg.control_dt).validate()
    check_range("min_start_distance", cfg.min_start_distance, 0.0, 50.0)
    check_range("max_linear_speed", cfg.max_linear_speed, 0.01, 1.5)
    check_range("max_angular_speed", cfg.max_angular_speed, 0.01, 3.0)
    check_range("humanoid_radius", cfg.humanoid_radius, 0.05, 1.0)


@dataclass
class Scene:
    """A built World of one home and what tasks read from it.

    Attributes:
        key: what identifies the scene in its cache (home index, avatars ...).
        home: the generated home the World was built from.
        world: the compiled World with the task's entities.
        navmaps: the navigation map of each agent, by agent name.
        sensors: the sensor suite mounted on each observing agent, by agent name.
    """

    key: Hashable
    home: "Home"
    world: "World"
    navmaps: dict[str, "NavMap"] = field(default_factory=dict)
    sensors: dict[str, "SensorSuite"] = field(default_factory=dict)

    def close(self) -> None:
        for suite in self.sensors.values():
            suite.close()


@dataclass
class HomeEntry:
    """A generated home and the navigation maps made for it (by agent radius)."""

    home: "Home"
    navmaps: dict[float, "NavMap"] = field(default_factory=dict)


class SceneCache:
    """Homes (with their navigation maps) and built scenes, reused across episodes.

    Args:
        max_scenes: built Worlds kept (each holds a compiled model and its renderers).
        max_homes: generated homes kept with their navigation maps.
    """

    def __init__(self, max_scenes: int = 2, max_homes: int = 16):
        check_range("max_scenes", max_scenes, 1, 1000, integer=True)
        check_range("max_homes", max_homes, 1, 100_000, integer=True)
        self.max_scenes, self.max_homes = max_scenes, max_homes
        self._homes: OrderedDict[Hashable, HomeEntry] = OrderedDict()
        self._scenes: OrderedDict[Hashable, Scene] = OrderedDict()
        self._owns_homes = True
        #: Counters for the benchmark and tests: homes generated, scenes built.
        self.generated = self.built = 0

    def sharing_homes(self) -> "SceneCache":
        """A cache of its own scenes that shares this one's homes and maps (read-only):
        for an episode fork, whose resets must not take the original's Worlds."""
        twin = SceneCache(self.max_scenes, self.max_homes)
        twin._homes, twin._owns_homes = self._homes, False
        return twin

    def home(self, split: str, index: int, config: "HomeConfig") -> HomeEntry:
        """Home ``index`` of ``split`` (generated on first use)."""
        from embodied.scenes.home import generate_home

        key = (split, index, config)
        entry = self._homes.get(key)
        if entry is None:
            entry = self._homes[key] = HomeEntry(generate_home(index, split, config))
            self.generated += 1
            while len(self._homes) > self.max_homes:
                self._homes.popitem(last=False)
        else:
            self._homes.move_to_end(key)
        return entry

    def navmap(self, entry: HomeEntry, world: "World", radius: float) -> "NavMap":
        """The home's navigation map for an agent of ``radius`` (made from ``world``'s static
        geometry on first use; maps of other radii reuse the first one's raster)."""
        from embodied.scenes.navmap import NavMap

        navmap = entry.navmaps.get(radius)
        if navmap is None:
            if entry.navmaps:
                navmap = next(iter(entry.navmaps.values())).with_radius(radius)
            else:
                navmap = NavMap.from_model(world.model, world.data, agent_radius=radius,
                                           rooms=entry.home.room_rects())
            entry.navmaps[radius] = navmap
        return navmap

    def scene(self, key: Hashable, build: Callable[[], Scene]) -> Scene:
        """The scene of ``key``, built by ``build()`` on first use."""
        scene = self._scenes.get(key)
        if scene is None:
            scene = self._scenes[key] = build()
            self.built += 1
            while len(self._scenes) > self.max_scenes:
                _, old = self._scenes.popitem(last=False)
                old.close()
        else:
            self._scenes.move_to_end(key)
        return scene

    def __len__(self) -> int:
        return len(self._scenes)

    def close(self) -> None:
        for scene in self._scenes.values():
            scene.close()
        self._scenes.clear()
        if self._owns_homes:
            self._homes.clear()


class Initializer:
    """One step of starting an episode: ``init(task, rng)`` after the World's reset.

    ``rng`` is the episode's generator (seeded by the episode seed); initializers draw
    from it in order, so the same seed starts the same episode. Raise
    :class:`EpisodeInitError` when the draws do not allow a valid start."""

    def __call__(self, task: "Task", rng: np.random.Generator) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__")


ON_NO_SEPARATED_START = ("farthest", "retry", "last")
START_METRICS = ("geodesic", "euclidean")


@dataclass
class SeparatedStarts(Initializer):
    """Start poses of two agents ``min_distance`` apart, with random headings, placed
    through ``Entity.set_pose``: at least that far along the first agent's map
    (``metric="geodesic"``) or more than that in a straight line (``"euclidean"``, as
    Habitat 3.0 draws them), and connected either way.

    Each try samples a navigable point for each agent on its own map. When no try of
    ``tries`` gets far enough, ``on_failure`` decides: ``"retry"`` raises EpisodeInitError
    (the reset draws again), ``"farthest"`` keeps the farthest connected pair found
    (SocialNav-v0 as released), ``"last"`` the last connected one (Habitat 3.0). A draw with
    no connected pair at all always raises EpisodeInitError.
    """

    agents: tuple[str, str]
    min_distance: float = 5.0
    tries: int = 64
    on_failure: str = "retry"
    metric: str = "geodesic"

    def __post_init__(self):
        check_range("min_distance", self.min_distance, 0.0, 1000.0)
        check_range("tries", self.tries, 1, 100_000, integer=True)
        check_choice("on_failure", self.on_failure, ON_NO_SEPARATED_START)
        check_choice("metric", self.metric, START_METRICS)

    def sample(self, task: "Task", rng: np.random.Generator):
        """The two start points and their geodesic distance (no placing)."""
        a, b = self.agents
        map_a, map_b = task.scene.navmaps[a], task.scene.navmaps[b]
        best, best_d = None, -1.0
        euclidean = self.metric == "euclidean"
        for _ in range(self.tries):
            pa = map_a.sample_navigable(rng, 1)[0]
            pb = map_b.sample_navigable(rng, 1)[0]
            d = map_a.geodesic_distance(pa, pb)
            if not math.isfinite(d):
                continue
            if euclidean:
                d = float(math.hypot(pb[0] - pa[0], pb[1] - pa[1]))
            if d > best_d or self.on_failure == "last":
                best, best_d = (pa, pb), d
            far_enough = d > self.min_distance if euclidean else d >= self.min_distance
            if far_enough:
                break
        if best is None:
            raise EpisodeInitError(f"no connected start points for {a} and {b} in "
                                   f"{self.tries} tries")
        if best_d < self.min_distance and self.on_failure == "retry":
            raise EpisodeInitError(f"no start points for {a} and {b} {self.min_distance} m "
                                   f"apart in {self.tries} tries (farthest {best_d:.2f} m)")
        return best[0], best[1], best_d

    def __call__(self, task, rng):
        pa, pb, _ = self.sample(task, rng)
        poses = {self.agents[0]: PlanarPose(*tuple(pa), float(rng.uniform(-math.pi, math.pi))),
                 self.agents[1]: PlanarPose(*tuple(pb), float(rng.uniform(-math.pi, math.pi)))}
        for agent, pose in poses.items():
            task.place(agent, pose)


@dataclass
class PlaceCrowd(Initializer):
    """Put people of a crowd on free navigable points, apart from each other and from the
    agents already placed (``keep_clear_of``: entity names, with their footprint radii)."""

    crowd: str = "crowd"
    people: tuple[str, ...] = ()
    keep_clear_of: tuple[tuple[str, float], ...] = ()

    def __call__(self, task, rng):
        from embodied.crowds.crowd import place_people

        world = task.world
        clear = []
        for name, radius in self.keep_clear_of:
            pose = world.entity(name).get_pose(world)
            clear.append((pose.x, pose.y, radius))
        place_people(world, world.entity(self.crowd), rng, clear, people=self.people or None)


@dataclass
class RunSkill(Initializer):
    """Give an agent a skill to run from the first step (``make()`` builds it anew)."""

    agent: str
    make: Callable[[], Any]

    def __call__(self, task, rng):
        task.world.entity(self.agent).run(self.make())


def run_initializers(task: "Task", initializers: Sequence[Initializer],
                     rng: np.random.Generator, attempts: int) -> None:
    """Run ``initializers`` in order, starting over (after a World reset) when one raises
    EpisodeInitError, at most ``attempts`` times; the last error is raised if all fail."""
    for attempt in range(attempts):
        try:
            for init in initializers:
                init(task, rng)
            return
        except EpisodeInitError as exc:
            last = exc
            task.world.reset(seed=task.world.rng.seed)
    raise EpisodeInitError(f"{task.name}: no valid episode start in {attempts} attempts: {last}")
