"""PettingZoo's parallel API over a task: the robot and the humanoids an outside policy
drives, each with its own observation, action, reward and ending.

    from embodied.envs import parallel_env
    env = parallel_env("social_rearrange", split="val", action_mode="skills")
    observations, infos = env.reset(seed=0)
    while env.agents:
        actions = {a: env.action_space(a).sample() for a in env.agents}
        observations, rewards, terminations, truncations, infos = env.step(actions)

The task is the same Task the Gymnasium env runs (the same scenes, physics, rewards and
metrics); the humanoids it lists in :meth:`~embodied.tasks.base.Task.external_agents`
take their commands from the actions instead of their scripted behaviour (SocialNav's
followed humanoid stops wandering; SocialRearrange's partner becomes ``external``).

In ``low_level`` mode every agent acts every step. In ``skills`` mode an agent's action
is a skill choice: a step runs every agent's skill until at least one of them ends
(done, failed or, for the robot, interrupted) or the episode ends; an agent whose skill
is still running keeps it and its action that step is ignored. Each observation's
``deciding`` entry (and ``infos[agent]["deciding"]``) says whether the agent's next
action will be taken. Rewards are the task's per-agent rewards summed over the
low-level steps of the step.

Where the task has a message channel between its agents (SocialRearrange: an LLM partner
saying "I'll take the apple"), each observation's ``messages`` entry (a Text space) holds
the last :data:`MESSAGES_SHOWN` messages the other agents posted, one ``sender: text``
line each, oldest first.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from embodied.errors import ActionError, ConfigError

#: Messages of the other agents an observation's ``messages`` text holds.
MESSAGES_SHOWN = 5
#: The longest message line an observation holds (sender and text).
MESSAGE_LINE_CHARS = 256

try:
    from pettingzoo import ParallelEnv
except ImportError:                          # pragma: no cover - the extra is missing
    ParallelEnv = None


def parallel_env(task: str, split: str = "train", obs_mode: str = "state",
                 render_mode: str | None = None, config: Any = None,
                 **overrides: Any) -> "TaskParallelEnv":
    """A PettingZoo ``ParallelEnv`` of ``task`` (a registry name such as
    ``social_rearrange``, or a versioned env id such as ``embodied/SocialRearrange-v0``);
    ``split``, ``obs_mode``, ``render_mode``, ``config`` and keyword overrides of config
    fields as for ``gym.make``. The task's :attr:`~embodied.tasks.base.Task.external_config`
    (``partner="external"``) is applied unless the overrides set those fields."""
    if ParallelEnv is None:
        raise ImportError("embodied.envs.parallel_env needs PettingZoo: "
                          "pip install 'embodied[multiagent]'")
    return TaskParallelEnv(task, split, obs_mode, render_mode, config, **overrides)


class TaskParallelEnv(ParallelEnv if ParallelEnv is not None else object):
    """A registered task as a PettingZoo parallel env (see :func:`parallel_env`)."""

    metadata = {"name": "embodied_parallel_v0", "render_modes": ["rgb_array"],
                "is_parallelizable": True}

    def __init__(self, task: str, split: str = "train", obs_mode: str = "state",
                 render_mode: str | None = None, config: Any = None, **overrides: Any):
        from embodied.tasks.registry import get_task, task_of_env_id

        entry = task_of_env_id(task) or get_task(task)
        pinned = dict(dict(entry.earlier).get(task, ()))
        fields = {**entry.task_class.external_config, **pinned, **overrides}
        self.env = entry.env_class(split=split, obs_mode=obs_mode, render_mode=render_mode,
                                   config=config, **fields)
        self.task = self.env.task
        self.render_mode = render_mode
        self.metadata = dict(self.metadata, render_fps=self.env.metadata["render_fps"])
        self.external = self.task.external_agents()
        if not self.external:
            raise ConfigError("task", entry.name, reason=(
                f"has no humanoid an outside policy can drive with this config "
                f"({entry.task_class.external_config or 'no config for it'})"))
        self.robot_terms = dict(self.task.actions)
        self.possible_agents = [*self.robot_terms, *self.external]
        self.agents: list[str] = []
        self.skills_mode = bool(self.task.skills_mode)
        self._action_spaces = {a: t.space for a, t in {**self.robot_terms, **self.external}.items()}
        self.messaging = callable(getattr(self.task, "messages_for", None))
        self._observation_spaces = {}
        for agent in self.possible_agents:
            extra = {}
            if self.skills_mode:
                extra["deciding"] = gym.spaces.Box(0.0, 1.0, (1,), np.float32)
            if self.messaging:
                import string

                # a line each: the sender, then a message the task cut to its limit
                extra["messages"] = gym.spaces.Text(MESSAGES_SHOWN * MESSAGE_LINE_CHARS,
                                                    min_length=0, charset=string.printable)
            space = self.task.agent_observation_space(agent)
            self._observation_spaces[agent] = gym.spaces.Dict({**space.spaces, **extra})
        self._deciding = dict.fromkeys(self.possible_agents, True)
        self._rng = None

    # -- PettingZoo's API ----------------------------------------------------------------------
    def observation_space(self, agent: str) -> gym.spaces.Dict:
        return self._observation_spaces[self._known(agent)]

    def action_space(self, agent: str) -> gym.spaces.Space:
        return self._action_spaces[self._known(agent)]

    def reset(self, seed: int | None = None, options: dict | None = None):
        if seed is not None:
            self._rng = np.random.default_rng(int(seed))
        elif self._rng is None:
            self._rng = np.random.default_rng()
        episode = int(seed) if seed is not None else int(self._rng.integers(0, 2**31 - 1))
        _, info = self.env.reset(seed=episode)
        if not self.skills_mode:
            for agent in self.external:
                self.task.drive_externally(agent)
        self.agents = list(self.possible_agents)
        self._deciding = dict.fromkeys(self.possible_agents, True)
        return self._observations(), {a: dict(info) for a in self.agents}

    def step(self, actions: dict):
        task = self.task
        if not self.agents:
            raise gym.error.ResetNeeded("the episode has ended: call reset() before step()")
        missing = [a for a in self.agents if a not in actions]
        if missing or not isinstance(actions, dict):
            raise ActionError(f"actions must be a dict with one entry per agent {self.agents}, "
                              f"missing {missing}")
        acting = [a for a in self.external if self._deciding[a]]
        # every part checked before anything is applied
        commands = {a: self.external[a].process(actions[a]) for a in acting}
        robot_action = actions[next(iter(self.robot_terms))] if len(self.robot_terms) == 1 else \
            {a: actions[a] for a in self.robot_terms}
        if self.skills_mode:
            reward, terminated, truncated, info = self._step_skills(robot_action, commands)
        else:
            task.apply_action(robot_action)
            self._apply_external(commands)
            _, reward, terminated, truncated, info = task.advance(observe=False)
            reward = {a: task.agent_reward(a, reward) for a in self.possible_agents}
        observations = self._observations()
        infos = {a: dict(info, deciding=self._deciding[a]) for a in self.agents}
        ended = terminated or truncated
        terminations = dict.fromkeys(self.agents, bool(terminated))
        truncations = dict.fromkeys(self.agents, bool(truncated))
        rewards = {a: float(reward[a]) for a in self.agents}
        if ended:
            self.agents = []
        return observations, rewards, terminations, truncations, infos

    def render(self):
        return self.env.render()

    def close(self):
        self.env.close()

    # -- helpers -----------------------------------------------------------------------------
    @property
    def unwrapped(self) -> "TaskParallelEnv":
        return self

    @property
    def dt(self) -> float:
        return self.env.dt

    @property
    def world(self):
        """The episode's World (None before the first reset), as the task env has it."""
        return self.env.world

    def privileged(self):
        """What privileged readers may see of the episode (:meth:`Task.privileged`)."""
        return self.task.privileged()

    def _known(self, agent: str) -> str:
        if agent not in self._action_spaces:
            from embodied.errors import NotFoundError

            raise NotFoundError("agent", agent, self.possible_agents)
        return agent

    def _apply_external(self, commands: dict) -> None:
        world = self.task.world
        for agent, command in commands.items():
            self.external[agent].apply(world, self.task.external_command(agent, command))

    def _skill_running(self, agent: str) -> bool:
        skill = self.task.world.entity(agent).behaviour
        return skill is not None and skill.running

    def _step_skills(self, robot_action, commands: dict):
        """Run the agents' skills until one of them ends (see the module docs)."""
        task = self.task
        robot_deciding = self._deciding[next(iter(self.robot_terms))]
        if robot_deciding:
            task.begin_skill(robot_action)
        self._apply_external(commands)
        rewards = dict.fromkeys(self.possible_agents, 0.0)
        while True:
            terminated, truncated, info, robot_over = task.skill_step()
            step_reward = float(sum(info["reward_terms"].values()))
            for agent in rewards:
                rewards[agent] += task.agent_reward(agent, step_reward)
            humans_over = [a for a in self.external if not self._skill_running(a)]
            if robot_over or humans_over:
                break
        if robot_over:
            _, _, terminated, truncated, info = task.end_skill(terminated, truncated, info)
        for agent in self.robot_terms:
            self._deciding[agent] = bool(robot_over)
        for agent in self.external:
            self._deciding[agent] = not self._skill_running(agent)
        return rewards, terminated, truncated, info

    def _observations(self) -> dict:
        out = {}
        for agent in self.possible_agents:
            obs = self.task.observe(agent)
            if self.skills_mode:
                obs["deciding"] = np.array([self._deciding[agent]], np.float32)
            if self.messaging:
                shown = self.task.messages_for(agent)[-MESSAGES_SHOWN:]
                obs["messages"] = "\n".join(f"{sender}: {text}"[:MESSAGE_LINE_CHARS - 1]
                                             for _, sender, text in shown)
            out[agent] = obs
        return out


__all__ = ["parallel_env", "TaskParallelEnv"]

