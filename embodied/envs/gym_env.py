"""TaskEnv: the one Gymnasium adapter of every task.

Each registered task has a small subclass carrying its documentation (and registered
under the task's versioned id); the adapter itself only seeds, resets, steps, renders
and closes the task.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import gymnasium as gym

from embodied.errors import ConfigError, check_choice


class TaskEnv(gym.Env):
    """A registered task as a Gymnasium env (see the task's own env class for its docs).

    ``gym.make(<id>, split="val", obs_mode="state", render_mode=None, config=<Config>(...),
    **overrides)``; keyword overrides replace fields of ``config``.
    """

    #: The registry name of the task (set by ``register_task``).
    task_name: ClassVar[str] = ""
    metadata = {"render_modes": ["rgb_array", "human"], "render_fps": 30}

    def __init__(self, split: str = "train", obs_mode: str = "state",
                 render_mode: str | None = None, config: Any = None,
                 render_size: tuple[int, int] = (640, 480), **overrides: Any):
        from embodied.tasks.registry import get_task

        entry = get_task(self.task_name)
        if render_mode is not None:
            check_choice("render_mode", render_mode, self.metadata["render_modes"])
        config = config or entry.config_class()
        if not isinstance(config, entry.config_class):
            raise ConfigError("config", type(config).__name__, reason=f"must be a "
                              f"{entry.config_class.__name__} (or pass its fields as keywords)")
        if overrides:
            fields = {f.name for f in dataclasses.fields(entry.config_class)}
            unknown = sorted(set(overrides) - fields)
            if unknown:
                title = type(self).__name__.removesuffix("Env")
                raise ConfigError(unknown[0], overrides[unknown[0]], sorted(fields),
                                  reason=f"unknown {title} option")
            config = dataclasses.replace(config, **overrides)
        self.task = entry.task_class(config, split, obs_mode)
        self.config = config
        self.render_mode = render_mode
        self.render_size = render_size
        self.action_space = self.task.action_space
        self.observation_space = self.task.observation_space
        self.metadata = dict(self.metadata, render_fps=round(1.0 / self.task.control_dt))
        self._view = None
        self._viewer = None
        self._episode_seed = None

    @property
    def dt(self) -> float:
        return self.task.control_dt

    @property
    def world(self):
        """The World of the current episode (None before the first reset)."""
        return self.task.scene.world if self.task.scene else None

    def privileged(self):
        """What privileged readers (experts, people in the loop, tools) may see of the
        current episode: :meth:`embodied.tasks.base.Task.privileged`."""
        return self.task.privileged()

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

    def _frame(self):
        from embodied.envs.views import FollowView

        task = self.task
        if self._view is None:
            w, h = self.render_size
            self._view = FollowView(task.world, w, h, "pretty", inset_camera=task.inset_camera())
        return self._view.render(task.view_focus(), task.video_lines())

    def _human_render(self) -> None:
        import mujoco.viewer

        from embodied.sim.gl import check_display

        if self._viewer is None:
            check_display()
            world = self.task.world
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
