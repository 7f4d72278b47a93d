"""The typed config of SocialNav: everything that defines its episode distribution."""

from __future__ import annotations

from dataclasses import dataclass, field

from embodied.crowds.crowd import CrowdConfig
from embodied.errors import ConfigError, check_choice, check_range
from embodied.scenes.home import HomeConfig
from embodied.tasks.episodes import check_episode_fields
from embodied.tasks.social_nav.errands import HUMANOID_OBJECTIVES, ErrandsConfig
from embodied.tasks.social_nav.terms import PROTOCOLS, ProxemicsConfig, SocialNavRewardConfig

OBS_MODES = ("state", "depth", "rgbd")
CAMERAS = ("head", "arm")
DETECTORS = ("geometric", "segmentation")


@dataclass(frozen=True)
class SocialNavConfig:
    """Everything that defines a SocialNav episode distribution (defaults: Habitat 3.0's).

    Args:
        protocol: ``habitat`` (SocialNav-v1: habitat-lab v0.3.0's evaluation protocol, see
            :mod:`.terms`: a robot-humanoid collision ends the episode, Euclidean starts
            more than ``min_start_distance`` apart, its oracle l*, backup/yield and reward
            terms) or ``v0`` (SocialNav-v0 as released).
        max_steps: control steps per episode (1500).
        physics_dt, control_dt: physics and control periods (120 Hz / 12 Hz: both agents
            then move up to 0.083 m per step at walking speed, as in Habitat 3.0, whose
            agents move 10 m/s x 1/120 s per step; v0: 30 Hz).
        min_start_distance: distance between robot and humanoid at the start (m;
            Euclidean, more than it, under ``habitat``; geodesic, at least it, under v0).
        oracle_speed: the l* oracle's speed as a multiple of the robot's (1: habitat-lab
            v0.3.0, the paper's release; 2: habitat-lab HEAD, whose oracle integrates at
            60 Hz). Only under ``habitat``.
        robot: registered robot embodiment.
        max_linear_speed, max_angular_speed: what actions of +-1 map to (m/s, rad/s).
        humanoid_radius: the humanoid's footprint on the navigation map (m).
        humanoid_speed, humanoid_pause: range of wandering speeds (m/s) and pauses (s).
        humanoid_gps: the robot observes where the humanoid is (``humanoid_gps_compass``, its
            position in the robot frame); False removes it, Habitat 3.0's ablation.
        humanoid_velocity: the robot also observes the humanoid's velocity in its frame
            (``humanoid_velocity``), what a detector tracking it over a few frames
            estimates. Off by default (Habitat 3.0's sensors); a policy without memory
            (an MLP, where Habitat 3.0's is an LSTM) cannot tell a humanoid walking at it
            from one walking away without it.
        scan_rays, scan_range: planar range scan of the state observation.
        image_size, camera: egocentric images of the depth/rgbd modes (head or arm camera).
        max_depth: depth images are clipped to this range (m).
        detector: ``geometric`` (field of view + occlusion ray, microseconds) or
            ``segmentation`` (Habitat 3.0's: humanoid pixels of a segmentation image, one
            extra render per step).
        detector_min_pixels: humanoid pixels needed for a segmentation detection.
        homes: number of distinct homes episodes cycle through (0: a new home per seed).
        bystanders: people walking about the home under the crowd model (``crowd``); they
            see the robot unless ``crowd.robot_visible`` is False. 0 (SocialNav-v0 as
            released) builds no crowd at all.
        humanoid_crowd: the followed humanoid walks under the crowd model too (it wanders
            on its own, ignoring the robot, otherwise).
        crowd: how the crowd walks.
        humanoid_objective: what a humanoid policy driving the followed humanoid through
            the parallel env is rewarded for: ``none`` (the task rewards the robot only)
            or ``errands`` (walk a seeded sequence of goals, keep the robot off: see
            :mod:`.errands`; its observation gains ``errand_goal`` and ``errand_waypoint``).
        errands: the errands' goals and reward weights.
        home, reward, proxemics: nested configs. Objects are fixed decoration by default
            (``home.static_objects``): the robot only drives, and resting contacts would
            otherwise cost most of the physics time.
    """

    protocol: str = "habitat"
    max_steps: int = 1500
    physics_dt: float = 1.0 / 120.0
    control_dt: float = 1.0 / 12.0
    min_start_distance: float = 5.0
    oracle_speed: float = 1.0
    robot: str = "fetch"
    max_linear_speed: float = 1.0
    max_angular_speed: float = 1.0
    humanoid_radius: float = 0.25
    humanoid_speed: tuple[float, float] = (1.0, 1.0)
    humanoid_pause: tuple[float, float] = (0.0, 0.0)
    humanoid_gps: bool = True
    humanoid_velocity: bool = False
    scan_rays: int = 64
    scan_range: float = 10.0
    image_size: int = 128
    camera: str = "head"
    max_depth: float = 10.0
    detector: str = "geometric"
    detector_min_pixels: int = 10
    homes: int = 0
    bystanders: int = 0
    humanoid_crowd: bool = False
    crowd: CrowdConfig = field(default_factory=CrowdConfig)
    humanoid_objective: str = "none"
    errands: ErrandsConfig = field(default_factory=ErrandsConfig)
    home: HomeConfig = field(default_factory=lambda: HomeConfig(static_objects=True))
    reward: SocialNavRewardConfig = field(default_factory=SocialNavRewardConfig)
    proxemics: ProxemicsConfig = field(default_factory=ProxemicsConfig)

    def __post_init__(self):
        check_choice("protocol", self.protocol, PROTOCOLS)
        check_range("oracle_speed", self.oracle_speed, 0.1, 10.0)
        check_episode_fields(self)
        for name in ("humanoid_speed", "humanoid_pause"):
            lo, hi = _pair(name, getattr(self, name))
            check_range(f"{name}[0]", lo, 0.0, 1.5 if name == "humanoid_speed" else 60.0)
            check_range(f"{name}[1]", hi, lo, 1.5 if name == "humanoid_speed" else 60.0)
        check_range("scan_rays", self.scan_rays, 1, 4096, integer=True)
        check_range("scan_range", self.scan_range, 0.1, 100.0)
        check_range("image_size", self.image_size, 16, 1024, integer=True)
        check_choice("camera", self.camera, CAMERAS)
        check_range("max_depth", self.max_depth, 0.1, 100.0)
        check_choice("detector", self.detector, DETECTORS)
        check_range("detector_min_pixels", self.detector_min_pixels, 1, None, integer=True)
        check_range("homes", self.homes, 0, 10_000, integer=True)
        check_range("bystanders", self.bystanders, 0, 50, integer=True)
        check_choice("humanoid_objective", self.humanoid_objective, HUMANOID_OBJECTIVES)
        for name in ("humanoid_gps", "humanoid_velocity", "humanoid_crowd"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(name, getattr(self, name), (True, False))
        for name, kind in (("home", HomeConfig), ("reward", SocialNavRewardConfig),
                           ("proxemics", ProxemicsConfig), ("crowd", CrowdConfig),
                           ("errands", ErrandsConfig)):
            if not isinstance(getattr(self, name), kind):
                raise ConfigError(name, getattr(self, name), reason=f"must be a {kind.__name__}")


#: The config fields that make SocialNav-v0 as released (the rest are shared).
V0 = {"protocol": "v0", "control_dt": 1.0 / 30.0, "max_angular_speed": 1.5,
      "humanoid_speed": (0.6, 1.1), "humanoid_pause": (0.0, 2.0)}


def _pair(name, value) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ConfigError(name, value, reason="must be a pair (low, high)") from None
    return lo, hi
