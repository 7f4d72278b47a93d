"""An SB3 vector env whose environments live in Ray actors (on this machine or a cluster).

:class:`RayVecEnv` keeps SB3's ``SubprocVecEnv`` contract: each actor holds one env and,
like SB3's subprocess worker, resets it when an episode ends (the last observation in
``info["terminal_observation"]``, ``TimeLimit.truncated`` set); seeds given through
``seed()`` reach each env at its next reset. So a run trains on the same transitions
whichever of the two holds its envs, and checkpoints are the same format.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import numpy as np
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices

from embodied.cluster import connect, require_ray


class EnvActor:
    """The work of one Ray actor: one environment, stepped as SB3's subprocess worker does."""

    def __init__(self, make_env: Callable[[], Any]):
        os.environ.setdefault("MUJOCO_GL", "egl")
        import embodied  # noqa: F401  (registers the tasks)
        from stable_baselines3.common.vec_env.patch_gym import _patch_env

        self.env = _patch_env(make_env())

    def spaces(self):
        return self.env.observation_space, self.env.action_space

    def step(self, action):
        observation, reward, terminated, truncated, info = self.env.step(action)
        done = terminated or truncated
        info["TimeLimit.truncated"] = truncated and not terminated
        reset_info = {}
        if done:
            info["terminal_observation"] = observation
            observation, reset_info = self.env.reset()
        return observation, reward, done, info, reset_info

    def reset(self, seed, options):
        return self.env.reset(seed=seed, **({"options": options} if options else {}))

    def render(self):
        return self.env.render()

    def get_attr(self, name):
        return self.env.get_wrapper_attr(name)

    def has_attr(self, name):
        try:
            self.env.get_wrapper_attr(name)
            return True
        except AttributeError:
            return False

    def set_attr(self, name, value):
        setattr(self.env, name, value)

    def env_method(self, name, args, kwargs):
        return self.env.get_wrapper_attr(name)(*args, **kwargs)

    def is_wrapped(self, wrapper_class):
        from stable_baselines3.common.env_util import is_wrapped

        return is_wrapped(self.env, wrapper_class)

    def close(self):
        self.env.close()


class RayVecEnv(VecEnv):
    """``len(env_fns)`` environments, one per Ray actor (see the module docs); ``address``
    as :func:`embodied.cluster.connect` takes it."""

    def __init__(self, env_fns: Sequence[Callable[[], Any]], address: str | None = None):
        self._ray = ray = require_ray()
        self._started = connect(address, workers=len(env_fns))
        Actor = ray.remote(num_cpus=1)(EnvActor)
        self.actors = [Actor.remote(fn) for fn in env_fns]
        observation_space, action_space = ray.get(self.actors[0].spaces.remote())
        super().__init__(len(env_fns), observation_space, action_space)
        self._pending = None
        self.closed = False

    def step_async(self, actions: np.ndarray) -> None:
        self._pending = [a.step.remote(action) for a, action in zip(self.actors, actions)]

    def step_wait(self):
        results = self._ray.get(self._pending)
        self._pending = None
        obs, rews, dones, infos, self.reset_infos = zip(*results)
        return _stack(obs, self.observation_space), np.stack(rews), np.stack(dones), infos

    def reset(self):
        results = self._ray.get([a.reset.remote(self._seeds[i], self._options[i])
                                 for i, a in enumerate(self.actors)])
        obs, self.reset_infos = zip(*results)
        self._reset_seeds()
        self._reset_options()
        return _stack(obs, self.observation_space)

    def close(self) -> None:
        if self.closed:
            return
        ray = self._ray
        try:
            ray.get([a.close.remote() for a in self.actors], timeout=30)
        except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError):
            pass        # an actor already gone or stuck: killing it below is all that is left
        for actor in self.actors:
            ray.kill(actor)
        if self._started:
            ray.shutdown()
        self.closed = True

    def get_images(self):
        return self._ray.get([a.render.remote() for a in self.actors])

    def _targets(self, indices: VecEnvIndices):
        return [self.actors[i] for i in self._get_indices(indices)]

    def has_attr(self, attr_name: str) -> bool:
        return all(self._ray.get([a.has_attr.remote(attr_name) for a in self.actors]))

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        return self._ray.get([a.get_attr.remote(attr_name) for a in self._targets(indices)])

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        self._ray.get([a.set_attr.remote(attr_name, value) for a in self._targets(indices)])

    def env_method(self, method_name: str, *method_args, indices: VecEnvIndices = None,
                   **method_kwargs) -> list[Any]:
        return self._ray.get([a.env_method.remote(method_name, method_args, method_kwargs)
                              for a in self._targets(indices)])

    def env_is_wrapped(self, wrapper_class, indices: VecEnvIndices = None) -> list[bool]:
        return self._ray.get([a.is_wrapped.remote(wrapper_class) for a in self._targets(indices)])


def _stack(obs, space):
    from stable_baselines3.common.vec_env.subproc_vec_env import _stack_obs

    return _stack_obs(obs, space)


__all__ = ["EnvActor", "RayVecEnv"]
