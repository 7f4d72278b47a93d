"""Counterfactual-perturbation navigation: reach a goal among people while changing their
walk as little as possible, measured exactly against the episode without the robot.

The people walk under the crowd model and see the robot. Alongside each episode runs its
robot-free twin, a :class:`~embodied.crowds.shadow.CrowdShadow` started from the same
World at the episode's start (same people, same random streams) with the crowd blind to
the robot: what the people would have done had the robot not been there. Each step
compares the two (:mod:`.terms`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from embodied.crowds.shadow import CrowdShadow
from embodied.errors import EpisodeInitError
from embodied.sim.entity import PlanarPose
from embodied.sim.world import Timing
from embodied.tasks.actions import BaseVelocityAction
from embodied.tasks.base import PrivilegedView, Task
from embodied.tasks.counterfactual_nav.config import OBS_MODES, CounterfactualNavConfig
from embodied.tasks.counterfactual_nav.terms import NavigationRecord, Perturbation, reward_terms
from embodied.tasks.episodes import Initializer, PlaceCrowd, Scene

ROBOT = "robot"
CROWD = "crowd"
#: The contact monitor's pair: the robot and any person.
ROBOT_PEOPLE = "robot_people"


def person(i: int) -> str:
    """Entity name of the ``i``-th person."""
    return f"person{i}"


@dataclass(frozen=True)
class CounterfactualNavView(PrivilegedView):
    """The privileged view of a CounterfactualNav episode: the goal, the people, and where
    the robot-free twin has them now."""

    robot: str = ROBOT
    goal: tuple[float, float] = (0.0, 0.0)
    people: tuple[str, ...] = ()
    crowd: str = CROWD
    twin_positions: np.ndarray | None = None


@dataclass
class StartAndGoal(Initializer):
    """The robot on a random navigable point facing a random way, and its goal a navigable
    point at least ``min_distance`` from it along the robot's map (``tries`` draws)."""

    min_distance: float
    tries: int = 64

    def __call__(self, task, rng):
        navmap = task.scene.navmaps[ROBOT]
        for _ in range(self.tries):
            start, goal = navmap.sample_navigable(rng, 2)
            d = navmap.geodesic_distance(start, goal)
            if math.isfinite(d) and d >= self.min_distance:
                break
        else:
            raise EpisodeInitError(f"no goal {self.min_distance} m from the robot's start in "
                                   f"{self.tries} draws")
        task.place(ROBOT, PlanarPose(float(start[0]), float(start[1]), float(rng.uniform(-math.pi, math.pi))))
        task.goal = (float(goal[0]), float(goal[1]))


class CounterfactualNavTask(Task):
    """Episode sampling, observations, reward and metrics of CounterfactualNav."""

    config_class = CounterfactualNavConfig
    obs_modes = OBS_MODES
    primary_metric = "spl"

    @property
    def people(self) -> tuple[str, ...]:
        return tuple(person(i) for i in range(self.config.bystanders))

    # -- declarations -------------------------------------------------------------------------
    def agents(self):
        return {ROBOT: "robot", **{name: "humanoid" for name in self.people}}

    def make_actions(self):
        cfg = self.config
        return {ROBOT: BaseVelocityAction(ROBOT, cfg.max_linear_speed, cfg.max_angular_speed)}

    def make_sensors(self):
        from embodied import sensors as S

        cfg = self.config
        out = [S.GoalGPSCompass(), S.NearbyPeople(self.people, cfg.people_observed, cfg.people_range),
               S.RangeScan(num_rays=cfg.scan_rays, max_range=cfg.scan_range), S.BaseVelocity()]
        if cfg.path_waypoint:
            out.append(S.GoalGPSCompass(name="path_waypoint"))
        if self.obs_mode == "depth":
            out.append(S.CameraDepth(cfg.image_size, cfg.image_size, cfg.camera, "depth",
                                     max_depth=cfg.max_depth))
        return {ROBOT: out}

    # -- scenes -------------------------------------------------------------------------------
    def scene_key(self, seed, rng):
        from embodied.agents.humanoid.avatars import sample_avatar

        return self.home_index(seed), tuple(sample_avatar(rng, self.split).id for _ in self.people)

    def build_scene(self, key) -> Scene:
        from embodied.agents.humanoid import Humanoid
        from embodied.agents.robot import make_robot
        from embodied.crowds.crowd import Crowd, home_obstacles, home_passages
        from embodied.sensors import SensorSuite
        from embodied.sim.contacts import ContactMonitor

        index, avatars = key
        cfg = self.config
        entry = self.scenes.home(self.split, index, cfg.home)
        robot = make_robot(cfg.robot, name=ROBOT, max_linear_speed=cfg.max_linear_speed,
                           max_angular_speed=cfg.max_angular_speed, grasp_mode="oracle")
        people = [Humanoid(name, avatar=a) for name, a in zip(self.people, avatars)]
        crowd = Crowd(self.people, cfg.crowd, home_obstacles(entry.home), home_passages(entry.home),
                      name=CROWD)
        contacts = ContactMonitor({ROBOT_PEOPLE: (ROBOT, "person*")})
        world = entry.home.make_world([crowd, robot, *people, contacts],
                                      Timing(cfg.physics_dt, cfg.control_dt))
        robot.navmap = self.scenes.navmap(entry, world, self.robot_radius)
        people_map = self.scenes.navmap(entry, world, cfg.humanoid_radius)
        navmaps = {ROBOT: robot.navmap}
        for h in people:
            h.navmap = navmaps[h.name] = people_map
        return Scene(key, entry.home, world, navmaps=navmaps,
                     sensors={ROBOT: SensorSuite(ROBOT, self.make_sensors()[ROBOT])})

    # -- episodes -------------------------------------------------------------------------------
    def initializers(self):
        return (StartAndGoal(self.config.min_start_distance),
                PlaceCrowd(CROWD, self.people, ((ROBOT, self.robot_radius + 0.3),)))

    def start_episode(self, seed):
        world = self.world
        start = self.start_poses[ROBOT]
        navmap = self.scene.navmaps[ROBOT]
        self.distance = navmap.geodesic_distance((start.x, start.y), self.goal)
        self.record = NavigationRecord(shortest=self.distance)
        self.robot_xy = (start.x, start.y)
        self.twin = CrowdShadow(world, CROWD)
        self.perturbation = Perturbation.start(self.people_positions(), world.entity(CROWD), self.twin.crowd)
        self.windows: list[tuple[int, CrowdShadow]] = []
        #: What the last step computed: reward terms, touching a person, mean displacement.
        self._last = (reward_terms(0.0, False, False, 0.0, self.config.reward), False, 0.0)
        return {"home": f"{self.split}/{self.scene.key[0]}", "goal": self.goal,
                "start_distance": self.distance}

    def people_positions(self) -> np.ndarray:
        """(n, 2) floor positions of the people now, in order."""
        entities = self.world.entities
        return np.array([entities[name].xy for name in self.people], dtype=float)

    def observe(self, agent=None):
        # the goal sensors belong to the scene's suite, which forks share: set them per read
        sensors = self._scene().sensors[ROBOT].sensors
        sensors["goal_gps_compass"].goal = self.goal
        if self.config.path_waypoint:
            sensors["path_waypoint"].goal = self.path_waypoint()
        return super().observe(agent)

    def path_waypoint(self) -> tuple[float, float]:
        """The point ``path_lookahead`` m along the robot's shortest path to the goal, or
        nearer until it is in clear view (the goal when there is no path)."""
        from embodied.skills.robot import clear_lookahead

        world = self.world
        rx, ry, _ = world.entity(ROBOT).base_pose(world)
        navmap = self.scene.navmaps[ROBOT]
        path = navmap.shortest_path((rx, ry), self.goal)
        if path is None or len(path) < 2:
            return self.goal
        point = clear_lookahead(navmap, (rx, ry), np.asarray(path, float), self.config.path_lookahead)
        return float(point[0]), float(point[1])

    def after_step(self):
        cfg, world = self.config, self.world
        entities = world.entities
        robot, contacts = entities[ROBOT], entities["contacts"]
        rx, ry, _ = robot.base_pose(world)
        prev = self.distance
        self.distance = self.scene.navmaps[ROBOT].geodesic_distance((rx, ry), self.goal)
        success = math.hypot(self.goal[0] - rx, self.goal[1] - ry) <= cfg.success_distance
        self.twin.step()
        xy, twin_xy = self.people_positions(), self.twin.positions()
        displacement = self.perturbation.add(xy, entities[CROWD], twin_xy, self.twin.crowd, self.steps)
        signal = self._window_displacement(xy) if cfg.perturbation_signal == "window" else displacement
        touching = bool(contacts.touching(ROBOT_PEOPLE))
        gaps = np.hypot(xy[:, 0] - rx, xy[:, 1] - ry)
        separation = float(gaps.min()) - self.robot_radius - cfg.humanoid_radius
        self.record.add(math.hypot(rx - self.robot_xy[0], ry - self.robot_xy[1]), separation,
                        touching, cfg.proxemics)
        self.robot_xy = (rx, ry)
        self.record.success = success
        progress = prev - self.distance if math.isfinite(prev) and math.isfinite(self.distance) else 0.0
        self._last = (reward_terms(progress, success, touching, signal, cfg.reward), touching,
                      displacement)

    def _window_displacement(self, xy: np.ndarray) -> float:
        """SACSoN-style: the people's mean displacement from twins started from them every
        ``window_every`` steps and run ``window_horizon`` steps (averaged over the twins
        running now)."""
        cfg = self.config
        self.windows = [(t, w) for t, w in self.windows if self.steps - t < cfg.window_horizon]
        shown = []
        for _, window in self.windows:
            window.step()
            shown.append(float(np.hypot(*(xy - window.positions()).T).mean()))
        if self.steps % cfg.window_every == 0:
            self.windows.append((self.steps, CrowdShadow(self.world, CROWD)))
        return float(np.mean(shown)) if shown else 0.0

    def reward_terms(self):
        return self._last[0]

    def terminated(self):
        return self.record.success

    def step_info(self):
        return {"distance_to_goal": self.distance, "touching": self._last[1],
                "displacement": self._last[2]}

    def episode_metrics(self):
        dt = self.control_dt
        out = self.record.summary(dt)
        out.update(self.perturbation.summary(dt))
        out["episode_return"] = float(self.episode_return)
        return out

    # -- memory -----------------------------------------------------------------------------------
    def task_state(self):
        return {"goal": self.goal, "distance": self.distance, "record": self.record,
                "robot_xy": self.robot_xy, "twin": self.twin, "perturbation": self.perturbation,
                "windows": self.windows, "last": self._last}

    def restore_task_state(self, state):
        self.goal, self.distance = state["goal"], state["distance"]
        self.record, self.robot_xy = state["record"], state["robot_xy"]
        self.twin, self.perturbation = state["twin"], state["perturbation"]
        self.windows, self._last = state["windows"], state["last"]

    # -- what people and tools see ------------------------------------------------------------------
    def privileged(self) -> CounterfactualNavView:
        s = self._scene()
        return CounterfactualNavView(world=s.world, home=s.home, navmaps=s.navmaps,
                                     actions=self.actions, steps=self.steps, goal=self.goal,
                                     people=self.people, twin_positions=self.twin.positions())

    def headline(self, metrics):
        m = metrics
        return (f"success {m['success']:.0f}, SPL {m['spl']:.2f}, perturbation "
                f"{m['perturbation']:.3f} m (max {m['perturbation_max']:.2f}), "
                f"collisions {m['collision_steps']:.0f}")

    def video_lines(self):
        m = self.perturbation
        mean = m.total / m.steps if m.steps else 0.0
        return (f"step {self.steps}/{self.config.max_steps}   goal {self.distance:.2f} m",
                f"perturbation {mean:.3f} m   collisions {self.record.collision_steps}")

    def view_focus(self):
        world = self.world
        rx, ry, _ = world.entity(ROBOT).base_pose(world)
        return [(rx, ry), self.goal]
