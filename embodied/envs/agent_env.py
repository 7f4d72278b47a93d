"""One agent of a parallel env as a Gymnasium env, the other agents driven by partner
policies: how a robot trains beside a learned humanoid (and a humanoid beside a robot).

    from embodied.envs import parallel_env
    from embodied.envs.agent_env import AgentEnv
    env = AgentEnv(parallel_env("social_rearrange", action_mode="skills"), "human0",
                   partners={"robot": robot_policy})
    obs, info = env.reset(seed=0)          # the humanoid's observation

A step takes the agent's action and runs the parallel env until that agent decides
again (in skills mode, until its skill ends) or the episode ends; meanwhile each partner
is asked for an action whenever its own decision counts. The reward is the agent's,
summed over those steps. Observations are the agent's parallel-env observations without
the entries only the parallel API has (:data:`PARALLEL_ONLY`), so a robot trained here
reads exactly what the single-agent env gives it.

Partners are any :class:`~embodied.policies.base.Policy` acting for their agent of a
parallel env (a learned policy whose checkpoint names its agent, an LLM planner with
``agent=``); :meth:`AgentEnv.set_partners` swaps them between episodes (population
training draws a new one from its pool this way).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import gymnasium as gym
import numpy as np

from embodied.errors import ConfigError

if TYPE_CHECKING:
    from embodied.envs.parallel import TaskParallelEnv
    from embodied.policies.base import Policy

#: Observation entries of the parallel API a single agent's view leaves out: whose
#: decision counts (the view's own business) and the message text (not a fixed-size array).
PARALLEL_ONLY = ("deciding", "messages")


def agent_observation_space(env: "TaskParallelEnv", agent: str) -> gym.spaces.Dict:
    """``agent``'s observation space in its single-agent view of the parallel ``env``."""
    return gym.spaces.Dict({k: v for k, v in env.observation_space(agent).spaces.items()
                            if k not in PARALLEL_ONLY})


def agent_observation(observation: Mapping[str, Any]) -> dict:
    """An agent's parallel-env observation as its single-agent view has it."""
    return {k: v for k, v in observation.items() if k not in PARALLEL_ONLY}


def idle_action(space: gym.spaces.Space):
    """An action for a step whose action is ignored (an agent whose skill still runs)."""
    return 0 if isinstance(space, gym.spaces.Discrete) else np.zeros(space.shape, space.dtype)


class AgentEnv(gym.Env):
    """``agent`` of the parallel ``env`` as a Gymnasium env (see the module docs)."""

    def __init__(self, env: "TaskParallelEnv", agent: str,
                 partners: Mapping[str, "Policy"] | None = None):
        if agent not in env.possible_agents:
            from embodied.errors import NotFoundError

            raise NotFoundError("agent", agent, env.possible_agents)
        self.parallel = env
        self.agent = agent
        self.others = [a for a in env.possible_agents if a != agent]
        self.observation_space = agent_observation_space(env, agent)
        self.action_space = env.action_space(agent)
        self.render_mode = env.render_mode
        self.metadata = env.metadata
        self.spec = getattr(env.env, "spec", None)
        self._partners: dict[str, "Policy"] = {}
        self._next_partners: dict[str, "Policy"] = {}
        self._obs = self._infos = None
        if partners:
            self.set_partners(partners)

    def set_partners(self, partners: Mapping[str, "Policy"]) -> None:
        """The policies driving the other agents from the next episode on (one per agent;
        an episode under way keeps its partners)."""
        missing = [a for a in self.others if a not in partners]
        if missing:
            raise ConfigError("partners", sorted(partners), reason=f"a policy is needed for "
                              f"each other agent {self.others}; missing {missing}")
        self._next_partners = dict(partners)

    @property
    def partners(self) -> dict[str, "Policy"]:
        """The policies driving the other agents this episode."""
        return dict(self._partners)

    @property
    def unwrapped(self):
        """The task env underneath (privileged experts and metrics read it)."""
        return self.parallel.env

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        if not self._next_partners:
            raise ConfigError("partners", None, reason=f"{self.agent}'s env needs a policy for "
                              f"each other agent {self.others}: call set_partners() first")
        self._partners = self._next_partners
        self._obs, self._infos = self.parallel.reset(seed=seed, options=options)
        for policy in self._partners.values():
            policy.reset(self.parallel, seed)
        return agent_observation(self._obs[self.agent]), self._strip(self._infos[self.agent])

    def step(self, action):
        env, agent = self.parallel, self.agent
        if self._obs is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        total, first = 0.0, True
        while True:
            actions = {agent: action if first else idle_action(self.action_space)}
            for other in self.others:
                if self._infos[other].get("deciding", True):
                    actions[other] = self._partners[other].act(self._obs[other], env)
                else:
                    actions[other] = idle_action(env.action_space(other))
            self._obs, rewards, terminations, truncations, self._infos = env.step(actions)
            total += float(rewards[agent])
            first = False
            ended = terminations[agent] or truncations[agent]
            if ended or self._infos[agent].get("deciding", True):
                info = self._strip(self._infos[agent])
                obs = agent_observation(self._obs[agent])
                if ended:
                    self._obs = None
                return obs, total, bool(terminations[agent]), bool(truncations[agent]), info

    def render(self):
        return self.parallel.render()

    def close(self):
        self.parallel.close()

    @staticmethod
    def _strip(info: dict) -> dict:
        return {k: v for k, v in info.items() if k != "deciding"}


__all__ = ["AgentEnv", "agent_observation", "agent_observation_space", "idle_action",
           "PARALLEL_ONLY"]
