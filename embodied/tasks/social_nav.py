"""Social Navigation: a robot finds a humanoid wandering in an unseen home and follows it.

This module holds the task logic only (episode sampling, observations, reward, metrics);
the Gymnasium adapter is :class:`embodied.envs.social_nav.SocialNavEnv`. Definitions
match Habitat 3.0 (see :mod:`embodied.tasks.social_nav_terms`).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field

import gymnasium as gym
import numpy as np

from embodied.errors import ActionError, ConfigError, check_choice, check_range
from embodied.scenes.home import HomeConfig, generate_home
from embodied.scenes.navmap import NavMap
from embodied.scenes.splits import SPLITS
from embodied.sim.world import Timing, World
from embodied.tasks.social_nav_terms import (ProxemicsConfig, SocialNavMetrics,
                                             SocialNavRewardConfig, StepRecord, facing_cosine,
                                             is_found, oracle_finding_steps, reward_terms)

OBS_MODES = ("state", "depth", "rgbd")
CAMERAS = ("head", "arm")
DETECTORS = ("geometric", "segmentation")
HUMANOID_NAME = "human0"
ROBOT_NAME = "robot"


@dataclass(frozen=True)
class SocialNavConfig:
    """Everything that defines a SocialNav episode distribution (defaults: the anchor's).

    Args:
        max_steps: control steps per episode (1500 at 30 Hz = 50 s).
        physics_dt, control_dt: physics and control periods (120 Hz / 30 Hz).
        min_start_distance: geodesic distance between robot and humanoid at the start (m).
        robot: registered robot embodiment.
        max_linear_speed, max_angular_speed: what actions of +-1 map to (m/s, rad/s).
        humanoid_radius: the humanoid's footprint on the navigation map (m).
        humanoid_speed, humanoid_pause: range of wandering speeds (m/s) and pauses (s).
        scan_rays, scan_range: planar range scan of the state observation.
        image_size, camera: egocentric images of the depth/rgbd modes (head or arm camera).
        max_depth: depth images are clipped to this range (m).
        detector: ``geometric`` (field of view + occlusion ray, microseconds) or
            ``segmentation`` (the anchor's: humanoid pixels of a segmentation image, one
            extra render per step).
        detector_min_pixels: humanoid pixels needed for a segmentation detection.
        homes: number of distinct homes episodes cycle through (0: a new home per seed).
        home, reward, proxemics: nested configs. Objects are fixed decoration by default
            (``home.static_objects``): the robot only drives, and resting contacts would
            otherwise cost most of the physics time.
    """

    max_steps: int = 1500
    physics_dt: float = 1.0 / 120.0
    control_dt: float = 1.0 / 30.0
    min_start_distance: float = 5.0
    robot: str = "fetch"
    max_linear_speed: float = 1.0
    max_angular_speed: float = 1.5
    humanoid_radius: float = 0.25
    humanoid_speed: tuple[float, float] = (0.6, 1.1)
    humanoid_pause: tuple[float, float] = (0.0, 2.0)
    scan_rays: int = 64
    scan_range: float = 10.0
    image_size: int = 128
    camera: str = "head"
    max_depth: float = 10.0
    detector: str = "geometric"
    detector_min_pixels: int = 10
    homes: int = 0
    home: HomeConfig = field(default_factory=lambda: HomeConfig(static_objects=True))
    reward: SocialNavRewardConfig = field(default_factory=SocialNavRewardConfig)
    proxemics: ProxemicsConfig = field(default_factory=ProxemicsConfig)

    def __post_init__(self):
        check_range("max_steps", self.max_steps, 1, 10**7, integer=True)
        Timing(self.physics_dt, self.control_dt).validate()
        check_range("min_start_distance", self.min_start_distance, 0.0, 50.0)
        check_range("max_linear_speed", self.max_linear_speed, 0.01, 1.5)
        check_range("max_angular_speed", self.max_angular_speed, 0.01, 3.0)
        check_range("humanoid_radius", self.humanoid_radius, 0.05, 1.0)
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
        for name, kind in (("home", HomeConfig), ("reward", SocialNavRewardConfig),
                           ("proxemics", ProxemicsConfig)):
            if not isinstance(getattr(self, name), kind):
                raise ConfigError(name, getattr(self, name), reason=f"must be a {kind.__name__}")


def _pair(name, value) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ConfigError(name, value, reason="must be a pair (low, high)") from None
    return lo, hi


@dataclass
class _Scene:
    """A built World of one home with its robot, humanoid and navigation maps."""

    world: World
    robot: object
    humanoid: object
    robot_map: NavMap
    human_map: NavMap
    sensors: object


class SocialNavTask:
    """Episode sampling, observations, reward and metrics of SocialNav."""

    def __init__(self, config: SocialNavConfig, split: str = "train", obs_mode: str = "state"):
        if not isinstance(config, SocialNavConfig):
            raise ConfigError("config", config, reason="must be a SocialNavConfig")
        self.config = config
        self.split = check_choice("split", split, SPLITS)
        self.obs_mode = check_choice("obs_mode", obs_mode, OBS_MODES)
        self._navmaps: OrderedDict[int, NavMap] = OrderedDict()
        self._scenes: OrderedDict[tuple[int, str], _Scene] = OrderedDict()
        self.scene: _Scene | None = None
        self.home_index = -1
        cfg = config
        self.action_space = gym.spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
        #: What actions of +-1 map to: (m/s, rad/s).
        self.action_scale = np.array([cfg.max_linear_speed, cfg.max_angular_speed])
        self._linear_scale, self._angular_scale = (float(v) for v in self.action_scale)
        #: The robot's footprint radius (m), used for its navigation map and proxemics.
        self.robot_radius = self._embodiment_radius()
        self.observation_space = self._observation_space()

    # -- building -----------------------------------------------------------------------
    def _sensor_list(self):
        from embodied.agents.robot import sensors as S

        cfg = self.config
        out = [S.HumanoidGPSCompass(humanoid=HUMANOID_NAME),
               S.RangeScan(num_rays=cfg.scan_rays, max_range=cfg.scan_range),
               S.BaseVelocity()]
        size = cfg.image_size
        if cfg.detector == "geometric":
            out.append(S.GeometricHumanoidDetector(humanoid=HUMANOID_NAME, camera=cfg.camera, width=size, height=size,
                                                 max_range=cfg.max_depth))
        else:
            out.append(S.HumanoidDetector(size, size, cfg.camera, "humanoid_detector",
                                          min_pixels=cfg.detector_min_pixels))
        if self.obs_mode != "state":
            out.append(S.CameraDepth(size, size, cfg.camera, "depth", max_depth=cfg.max_depth))
            if self.obs_mode == "rgbd":
                out.append(S.CameraRGB(size, size, cfg.camera, "rgb"))
        return out

    def _observation_space(self) -> gym.spaces.Dict:
        return gym.spaces.Dict({s.name: s.space for s in self._sensor_list()})

    def _home_index(self, seed: int) -> int:
        size = SPLITS[self.split].size
        n = self.config.homes or size
        return int(seed) % min(n, size)

    def _navmap(self, index: int, world: World) -> NavMap:
        navmap = self._navmaps.get(index)
        if navmap is None:
            home = self._home(index)
            navmap = NavMap.from_model(world.model, world.data,
                                       agent_radius=self.robot_radius,
                                       rooms=home.room_rects())
            self._navmaps[index] = navmap
            if len(self._navmaps) > 16:
                self._navmaps.popitem(last=False)
        return navmap

    def _home(self, index: int):
        return generate_home(index, self.split, self.config.home)

    def _embodiment_radius(self) -> float:
        from embodied.agents.robot import get_embodiment

        return float(get_embodiment(self.config.robot).constants.base_radius)

    def _build(self, index: int, avatar) -> _Scene:
        from embodied.agents.humanoid import Humanoid
        from embodied.agents.robot import make_robot
        from embodied.agents.robot.sensors import SensorSuite

        cfg = self.config
        robot = make_robot(cfg.robot, name=ROBOT_NAME, max_linear_speed=cfg.max_linear_speed,
                           max_angular_speed=cfg.max_angular_speed, grasp_mode="oracle")
        humanoid = Humanoid(HUMANOID_NAME, avatar=avatar)
        home = self._home(index)
        world = home.make_world([robot, humanoid], Timing(cfg.physics_dt, cfg.control_dt))
        robot_map = self._navmap(index, world)
        human_map = robot_map.with_radius(cfg.humanoid_radius)
        humanoid.navmap = human_map
        sensors = SensorSuite(robot, self._sensor_list())
        return _Scene(world, robot, humanoid, robot_map, human_map, sensors)

    def _scene_for(self, index: int, avatar) -> _Scene:
        key = (index, avatar.id)
        scene = self._scenes.get(key)
        if scene is None:
            scene = self._build(index, avatar)
            self._scenes[key] = scene
            if len(self._scenes) > 2:
                _, old = self._scenes.popitem(last=False)
                old.sensors.close()
        else:
            self._scenes.move_to_end(key)
        return scene

    # -- episodes -------------------------------------------------------------------------
    def reset(self, seed: int) -> tuple[dict, dict]:
        """Start the episode of ``seed``: home ``seed`` of the split (mod ``homes``),
        avatar, start poses and humanoid behaviour all drawn from the seed."""
        from embodied.agents.humanoid.avatars import sample_avatar
        from embodied.agents.humanoid.behaviours import Wander

        cfg = self.config
        rng = np.random.default_rng([int(seed), 0x50C1A1])
        self.home_index = self._home_index(seed)
        avatar = sample_avatar(rng, self.split)
        scene = self.scene = self._scene_for(self.home_index, avatar)
        robot_xy, robot_yaw, human_xy, human_yaw = self._sample_starts(scene, rng)
        h = scene.humanoid
        h.initial_pos = np.array([human_xy[0], human_xy[1], 0.0])
        h.initial_yaw = human_yaw
        world = scene.world
        world.reset(seed=int(seed))
        qpos = scene.robot.handles.base_qpos
        world.data.qpos[qpos] = (robot_xy[0], robot_xy[1], robot_yaw)
        world.data.qvel[scene.robot.handles.base_dof] = 0.0
        import mujoco

        mujoco.mj_forward(world.model, world.data)
        h.run(Wander(speed=tuple(cfg.humanoid_speed), pause=tuple(cfg.humanoid_pause)))
        self.robot_start = np.array(robot_xy)
        self.start_distance = scene.robot_map.geodesic_distance(robot_xy, human_xy)
        self.metrics = SocialNavMetrics(cfg.reward, cfg.proxemics)
        self.human_track: list[tuple[float, float]] = []
        self.steps = 0
        self.found_steps = 0
        self.distance = self._distance()
        self.episode_return = 0.0
        info = {"home": f"{self.split}/{self.home_index}", "avatar": avatar.id,
                "start_distance": self.start_distance}
        return self.observe(), info

    def _sample_starts(self, scene: _Scene, rng: np.random.Generator):
        """Robot and humanoid start points at least ``min_start_distance`` apart
        (geodesic, on the robot's map); the farthest pair found if no pair qualifies."""
        best, best_d = None, -1.0
        for _ in range(64):
            r = scene.robot_map.sample_navigable(rng, 1)[0]
            hxy = scene.human_map.sample_navigable(rng, 1)[0]
            d = scene.robot_map.geodesic_distance(r, hxy)
            if math.isfinite(d) and d > best_d:
                best, best_d = (r, hxy), d
            if d >= self.config.min_start_distance and math.isfinite(d):
                break
        r, hxy = best
        return (tuple(r), float(rng.uniform(-math.pi, math.pi)), tuple(hxy),
                float(rng.uniform(-math.pi, math.pi)))

    def _distance(self, robot_xy=None, human_xy=None) -> float:
        """Geodesic robot-humanoid distance (current positions unless given)."""
        s = self.scene
        if robot_xy is None:
            robot_xy = s.robot.base_pose(s.world)[:2]
        if human_xy is None:
            human_xy = s.humanoid.xy
        return s.robot_map.geodesic_distance(robot_xy, human_xy)

    def action_to_command(self, action) -> tuple[float, float]:
        """Validate a [-1, 1]^2 action and scale it to (m/s, rad/s). NaN/inf or a wrong
        shape raise ActionError (before anything is applied); values are clipped."""
        a = np.asarray(action, dtype=np.float64)
        if a.shape != (2,):
            raise ActionError(f"SocialNav action must have shape (2,), got {a.shape}")
        linear, angular = float(a[0]), float(a[1])
        if not (math.isfinite(linear) and math.isfinite(angular)):
            raise ActionError(f"SocialNav action contains NaN or inf: {a.tolist()}")
        return (min(max(linear, -1.0), 1.0) * self._linear_scale,
                min(max(angular, -1.0), 1.0) * self._angular_scale)

    def step(self, action) -> tuple[dict, float, bool, bool, dict]:
        linear, angular = self.action_to_command(action)
        s, cfg = self.scene, self.config
        s.robot.command_base(linear, angular)
        s.world.step()
        self.steps += 1
        prev = self.distance
        rx, ry, ryaw = s.robot.base_pose(s.world)
        hxy = s.humanoid.xy
        d = self.distance = self._distance((rx, ry), hxy)
        self.human_track.append(hxy)
        facing = facing_cosine((rx, ry), ryaw, hxy)
        found = is_found(d, facing, cfg.reward)
        self.found_steps += found
        collided = bool(s.humanoid.robot_contact)
        terms = reward_terms(d, prev, facing, collided, s.humanoid.robot_contact_steps,
                             found and self.found_steps == cfg.reward.success_steps,
                             self.steps == 1, cfg.reward)
        reward = float(sum(terms.values()))
        self.episode_return += reward
        euclid = math.hypot(hxy[0] - rx, hxy[1] - ry)
        forward_speed = float(s.robot.base_velocity(s.world)[0])
        self.metrics.add(StepRecord(distance=d, separation=euclid - self.robot_radius
                                    - cfg.humanoid_radius, found=found,
                                    forward_speed=forward_speed, collided=collided))
        truncated = self.steps >= cfg.max_steps
        info = {"reward_terms": terms, "distance": d, "found": found, "facing": facing,
                "collided": collided, "found_steps": self.found_steps}
        if truncated:
            info["metrics"] = self.episode_metrics()
        return self.observe(), reward, False, truncated, info

    def episode_metrics(self) -> dict[str, float]:
        """Metrics of the episode so far (the full set at its end)."""
        oracle = self._oracle_steps()
        out = self.metrics.summary(oracle)
        out["start_distance"] = float(self.start_distance)
        out["episode_return"] = float(self.episode_return)
        return out

    def _oracle_steps(self) -> float:
        """l* from the humanoid's recorded track (geodesics computed lazily, see
        :func:`oracle_finding_steps`)."""
        cfg, navmap, start = self.config, self.scene.robot_map, self.robot_start
        return oracle_finding_steps((navmap.geodesic_distance(h, start) for h in self.human_track),
                                    cfg.max_linear_speed, cfg.control_dt, cfg.reward.found_max)

    def observe(self) -> dict:
        return self.scene.sensors.read(self.scene.world)

    def close(self) -> None:
        for scene in self._scenes.values():
            scene.sensors.close()
        self._scenes.clear()
