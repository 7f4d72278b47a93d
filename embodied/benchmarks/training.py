"""Training throughput: vectorised SocialNav env steps/s and PPO training steps/s.

``run()`` returns medians over repeats:

- ``env_<kind>_<n>_steps_per_s``: environment steps per second (all envs together) of
  ``n`` state-mode SocialNav envs in a ``dummy`` (one process) or ``subproc`` (one
  process per env) vector env, random actions, resets included (training episodes of
  ``episode_steps``).
- ``ppo_<kind>_<n>_steps_per_s``: steps per second of PPO training (rollouts + updates,
  the default PPOConfig) with the same vector env.
- ``subproc_2_over_dummy_1``: the speed-up of two worker processes over one env.

On a 2-core machine the figures depend on what else runs; compare them within one run.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

TASK = {"name": "social_nav", "obs_mode": "state", "config": {}}


def _make_env_factory(episode_steps: int):
    from embodied.config import make_env_factory
    from embodied.training.vec_env import training_task_config

    return make_env_factory(training_task_config(TASK, episode_steps), "train")


def env_steps_per_s(n_envs: int, kind: str, steps: int = 2000, repeats: int = 3,
                    episode_steps: int = 500) -> float:
    """Median env steps/s of a vector env of ``n_envs`` SocialNav envs (random actions)."""
    from embodied.training.vec_env import make_vec_env

    venv = make_vec_env(_make_env_factory(episode_steps), n_envs, kind, seed=0)
    rng = np.random.default_rng(0)
    try:
        venv.reset()
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(max(1, steps // n_envs)):
                venv.step(rng.uniform(-1, 1, (n_envs, 2)).astype(np.float32))
            samples.append(max(1, steps // n_envs) * n_envs / (time.perf_counter() - start))
        return statistics.median(samples)
    finally:
        venv.close()


def ppo_steps_per_s(n_envs: int, kind: str, steps: int = 4096, repeats: int = 1,
                    episode_steps: int = 500) -> float:
    """Median PPO training steps/s (rollouts and updates) with ``n_envs`` envs."""
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.vec_env import VecNormalize

    from embodied.policies.learned.sb3 import PPOConfig, policy_kwargs, vector_keys
    from embodied.training.vec_env import make_vec_env

    torch.set_num_threads(1)
    config = PPOConfig()
    venv = make_vec_env(_make_env_factory(episode_steps), n_envs, kind, seed=0)
    venv = VecNormalize(venv, norm_obs_keys=vector_keys(venv.observation_space))
    try:
        model = PPO("MultiInputPolicy", venv, n_steps=config.n_steps,
                    batch_size=config.batch_size, n_epochs=config.n_epochs,
                    policy_kwargs=policy_kwargs(config), seed=0, device="cpu")
        model.learn(config.n_steps * n_envs)       # warm-up: first rollout and update
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            model.learn(steps, reset_num_timesteps=False)
            samples.append(steps / (time.perf_counter() - start))
        return statistics.median(samples)
    finally:
        venv.close()


def run(env_counts=(1, 2, 4), ppo_counts=(1, 2, 4)) -> dict:
    """Env and PPO throughput for each vector env kind and number of envs."""
    out: dict[str, float] = {}
    for n in env_counts:
        for kind in ("dummy", "subproc"):
            out[f"env_{kind}_{n}_steps_per_s"] = env_steps_per_s(n, kind)
    for n in ppo_counts:
        kind = "dummy" if n == 1 else "subproc"
        out[f"ppo_{kind}_{n}_steps_per_s"] = ppo_steps_per_s(n, kind)
    if "env_subproc_2_steps_per_s" in out and "env_dummy_1_steps_per_s" in out:
        out["subproc_2_over_dummy_1"] = (out["env_subproc_2_steps_per_s"]
                                         / out["env_dummy_1_steps_per_s"])
    return out


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:<32} {value:10.1f}")
