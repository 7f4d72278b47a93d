"""Gymnasium adapter of the SocialNav task."""

from __future__ import annotations

import dataclasses
from typing import Any

import gymnasium as gym
import numpy as np

from embodied.errors import ConfigError, check_choice
from embodied.tasks.social_nav import OBS_MODES, SocialNavConfig, SocialNavTask


class SocialNavEnv(gym.Env):
    """Find and follow a humanoid in an unseen home.

    ## Description
    A wheeled mobile manipulator starts at least 5 m (geodesic) from a humanoid that walks
    between random points of a procedurally generated home. The robot must find the
    humanoid and then follow it at 1-2 m while facing it, without colliding. The task,
    reward and metrics follow Habitat 3.0's Social Navigation.

    ## Action Space
    ``Box(-1, 1, (2,), float32)``: forward speed and turn rate of the base, scaled to
    ``max_linear_speed`` (1.0 m/s) and ``max_angular_speed`` (1.5 rad/s); lateral motion
    is off. Out-of-range values are clipped; an action with NaN or inf raises
    :class:`embodied.errors.ActionError` before anything is simulated.

    ## Observation Space
    A ``Dict``:

    - ``humanoid_gps_compass`` (2,): the humanoid's position in the robot frame
      (x forward, y left, m).
    - ``humanoid_detector`` (5,): ``[present, x0, y0, x1, y1]``, box normalised to the
      camera image. By default computed from geometry (field of view, occlusion ray);
      ``detector="segmentation"`` uses the anchor's segmentation image (>= 10 pixels).
    - ``range_scan`` (64,): planar laser distances over 270 degrees (m, up to 10).
    - ``base_velocity`` (2,): measured forward speed (m/s) and turn rate (rad/s).
    - ``depth`` (128, 128, 1) in ``depth``/``rgbd`` modes, ``rgb`` (128, 128, 3) uint8
      in ``rgbd`` mode, from the head camera (``camera="arm"`` for the arm camera).

    ## Rewards
    With ``d`` the geodesic robot-humanoid distance and ``d'`` its previous value:
    +2 if 1 <= d < 2; d - d' if d < 1; d' - d if d >= 2; +3 cos(facing) if d < 3;
    -1 per step in collision with the humanoid (a robot-humanoid contact at the end of the
    step, as the anchor counts it) and -0.01 x accumulated collision steps;
    -0.1 slack; +10 when 400 found steps are reached; the first step's reward is 0.
    ``info["reward_terms"]`` holds each named term; they sum to the reward exactly.

    ## Starting State
    Home ``seed`` of the split (modulo ``config.homes`` when set), a humanoid avatar of the
    split, robot and humanoid on navigable points >= 5 m apart (geodesic) with random
    headings; the humanoid starts wandering. Everything is drawn from the reset seed.

    ## Episode End
    Truncation after ``max_steps`` (1500) steps; there is no termination (collisions and
    success do not end the episode). ``info["metrics"]`` at the last step holds
    finding_success, finding_spl, following_rate, collision, success (>= 400 found steps),
    backup_ratio, yield_ratio, mean_follow_distance, min_human_distance,
    intimate_zone_ratio, personal_zone_ratio and more.

    ## Arguments
    ``gym.make("embodied/SocialNav-v0", split="val", obs_mode="state", render_mode=None,
    config=SocialNavConfig(...), **overrides)``; ``split`` in train/val/test (disjoint
    homes); ``obs_mode`` in state/depth/rgbd; ``render_mode`` in rgb_array/human; keyword
    overrides replace fields of ``config``.

    ## Version History
    - v0: initial release.
    """

    metadata = {"render_modes": ["rgb_array", "human"], "render_fps": 30}

    def __init__(self, split: str = "train", obs_mode: str = "state",
                 render_mode: str | None = None, config: SocialNavConfig | None = None,
                 render_size: tuple[int, int] = (640, 480), **overrides: Any):
        check_choice("obs_mode", obs_mode, OBS_MODES)
        if render_mode is not None:
            check_choice("render_mode", render_mode, self.metadata["render_modes"])
        config = config or SocialNavConfig()
        if overrides:
            fields = {f.name for f in dataclasses.fields(SocialNavConfig)}
            unknown = sorted(set(overrides) - fields)
            if unknown:
                raise ConfigError(unknown[0], overrides[unknown[0]], sorted(fields),
                                  reason="unknown SocialNav option")
            config = dataclasses.replace(config, **overrides)
        self.task = SocialNavTask(config, split, obs_mode)
        self.config = config
        self.render_mode = render_mode
        self.render_size = render_size
        self.action_space = self.task.action_space
        self.observation_space = self.task.observation_space
        self.metadata = dict(self.metadata, render_fps=round(1.0 / config.control_dt))
        self._view = None
        self._viewer = None
        self._episode_seed = None

    @property
    def dt(self) -> float:
        return self.config.control_dt

    @property
    def world(self):
        """The World of the current episode (privileged access for experts and tools)."""
        return self.task.scene.world if self.task.scene else None

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        if seed is None:
            # continue the seeded sequence gymnasium keeps in self.np_random
            seed = int(self.np_random.integers(0, 2**31 - 1))
        self._episode_seed = int(seed)
        previous_world = self.world
        obs, info = self.task.reset(self._episode_seed)
        if self.world is not previous_world:
            self._close_view()
        info["seed"] = self._episode_seed
        if self.render_mode == "human":
            self._human_render()
        return obs, info

    def step(self, action):
        if self.task.scene is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        obs, reward, terminated, truncated, info = self.task.step(action)
        if self.render_mode == "human":
            self._human_render()
        return obs, reward, terminated, truncated, info

    def render(self):
        if self.render_mode == "rgb_array":
            return self._frame()
        if self.render_mode == "human":
            self._human_render()
        return None

    def _frame(self) -> np.ndarray:
        from embodied.envs.views import FollowView

        task = self.task
        if self._view is None:
            w, h = self.render_size
            self._view = FollowView(task.scene.world, w, h, "pretty",
                                    inset_camera=task.scene.robot.head_camera)
        s = task.scene
        rx, ry, _ = s.robot.base_pose(s.world)
        hxy = s.humanoid.position[:2]
        follow = task.found_steps
        lines = (f"step {task.steps}/{self.config.max_steps}   distance {task.distance:.2f} m",
                 f"found steps {follow}   collisions {s.humanoid.robot_collisions}")
        return self._view.render((rx, ry), hxy, lines)

    def _human_render(self) -> None:
        import mujoco.viewer

        from embodied.sim.gl import check_display

        if self._viewer is None:
            check_display()
            world = self.task.scene.world
            self._viewer = mujoco.viewer.launch_passive(world.model, world.data)
        self._viewer.sync()

    def _close_view(self) -> None:
        if self._view is not None:
            self._view.close()
            self._view = None
        if self._viewer is not None:
            self._viewer.close()
            self._viewer = None

    def close(self):
        self._close_view()
        self.task.close()
