"""The typed config of CounterfactualNav: everything that defines its episode distribution."""

from __future__ import annotations

from dataclasses import dataclass, field

from embodied.crowds.crowd import CrowdConfig
from embodied.errors import ConfigError, check_choice, check_range
from embodied.scenes.home import HomeConfig
from embodied.tasks.episodes import check_episode_fields
from embodied.tasks.social_nav.terms import ProxemicsConfig

OBS_MODES = ("state", "depth")
PERTURBATION_SIGNALS = ("episode", "window")


@dataclass(frozen=True)
class CounterfactualNavRewardConfig:
    """Reward weights. Each step: ``progress`` x the metres of geodesic distance to the goal
    gained, ``success`` once on arrival, ``-collision`` on each step the robot touches a
    person, ``-slack``, and ``-perturbation`` x the people's mean displacement (m) from
    where they would be without the robot (see ``perturbation_signal``)."""

    progress: float = 1.0
    success: float = 10.0
    collision: float = 1.0
    slack: float = 0.01
    perturbation: float = 0.0

    def __post_init__(self):
        for name in ("progress", "success", "collision", "slack", "perturbation"):
            check_range(f"reward.{name}", getattr(self, name), 0.0, 1000.0)


@dataclass(frozen=True)
class CounterfactualNavConfig:
    """Everything that defines a CounterfactualNav episode distribution.

    Args:
        max_steps: control steps per episode (600: 50 s at 12 Hz).
        physics_dt, control_dt: physics and control periods (120 Hz / 12 Hz, as SocialNav-v1).
        min_start_distance: the goal is at least this far (m, geodesic) from the robot's start.
        success_distance: the episode ends in success within this distance (m) of the goal.
        robot, max_linear_speed, max_angular_speed: the robot and what actions of +-1 map to.
        bystanders: people walking about the home under ``crowd`` (they see the robot unless
            ``crowd.robot_visible`` is False).
        humanoid_radius: a person's footprint (m) when separations and zones are measured.
        people_observed, people_range: the nearest people the ``nearby_people`` observation
            holds, and out to which distance (m).
        scan_rays, scan_range: the planar range scan.
        path_waypoint: the observation also holds ``path_waypoint``, ``[distance,
            bearing]`` to the point ``path_lookahead`` m along the shortest path on the
            robot's map to the goal (nearer until it is in clear view): what a robot with
            a map and a global planner knows. Off by default (the observation as released).
        image_size, camera, max_depth: the depth image of the ``depth`` mode.
        perturbation_signal: what the perturbation reward term penalises: ``episode`` (the
            people's displacement from the robot-free twin of the whole episode, the
            metric itself) or ``window`` (SACSoN-style: from twins started every
            ``window_every`` steps from the people as they are and run
            ``window_horizon`` steps: what the robot changed in the last
            ``window_horizon`` steps at most).
        homes: number of distinct homes episodes cycle through (0: a new home per seed).
        home, crowd, reward, proxemics: nested configs (homes of 6-7 rooms with a loop and
            no loose objects, the most floor the generator gives for 8 people; the
            crowd's people run errands of their own, ``crowd.own_errands``, so each
            person's goals are the same with and without the robot).
    """

    max_steps: int = 600
    physics_dt: float = 1.0 / 120.0
    control_dt: float = 1.0 / 12.0
    min_start_distance: float = 5.0
    success_distance: float = 0.5
    robot: str = "fetch"
    max_linear_speed: float = 1.0
    max_angular_speed: float = 1.0
    bystanders: int = 8
    humanoid_radius: float = 0.25
    people_observed: int = 4
    people_range: float = 5.0
    scan_rays: int = 64
    scan_range: float = 10.0
    path_waypoint: bool = False
    path_lookahead: float = 1.5
    image_size: int = 128
    camera: str = "head"
    max_depth: float = 10.0
    perturbation_signal: str = "episode"
    window_every: int = 12
    window_horizon: int = 24
    homes: int = 0
    home: HomeConfig = field(default_factory=lambda: HomeConfig(
        num_rooms=(6, 7), num_objects=(0, 0), extra_door_prob=1.0, static_objects=True))
    crowd: CrowdConfig = field(default_factory=lambda: CrowdConfig(own_errands=True))
    reward: CounterfactualNavRewardConfig = field(default_factory=CounterfactualNavRewardConfig)
    proxemics: ProxemicsConfig = field(default_factory=ProxemicsConfig)

    def __post_init__(self):
        check_episode_fields(self)
        check_range("success_distance", self.success_distance, 0.05, 10.0)
        check_range("bystanders", self.bystanders, 1, 50, integer=True)
        check_range("people_observed", self.people_observed, 1, 64, integer=True)
        check_range("people_range", self.people_range, 0.1, 100.0)
        check_range("scan_rays", self.scan_rays, 1, 4096, integer=True)
        check_range("scan_range", self.scan_range, 0.1, 100.0)
        if not isinstance(self.path_waypoint, bool):
            raise ConfigError("path_waypoint", self.path_waypoint, (True, False))
        check_range("path_lookahead", self.path_lookahead, 0.1, 20.0)
        check_range("image_size", self.image_size, 16, 1024, integer=True)
        check_choice("camera", self.camera, ("head", "arm"))
        check_range("max_depth", self.max_depth, 0.1, 100.0)
        check_choice("perturbation_signal", self.perturbation_signal, PERTURBATION_SIGNALS)
        check_range("window_every", self.window_every, 1, 10_000, integer=True)
        check_range("window_horizon", self.window_horizon, 1, 10_000, integer=True)
        check_range("homes", self.homes, 0, 10_000, integer=True)
        if self.crowd.robot is None:
            raise ConfigError("crowd.robot", None, reason="the crowd must know the robot's "
                              "name ('robot'); crowd.robot_visible=False makes it blind to it")
        for name, kind in (("home", HomeConfig), ("crowd", CrowdConfig),
                           ("reward", CounterfactualNavRewardConfig), ("proxemics", ProxemicsConfig)):
            if not isinstance(getattr(self, name), kind):
                raise ConfigError(name, getattr(self, name), reason=f"must be a {kind.__name__}")
