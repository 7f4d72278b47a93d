"""Evaluation on Ray against the sequential loop on this machine.

``run()`` evaluates the SocialNav heuristic on the same 40 val episodes (1500 control
steps each) sequentially in this process and then on a Ray started here with 1 and 2
workers, and returns episodes per second of each (the actors' start-up, each building its
env and policy, included; starting Ray itself excluded and reported apart), their ratios to
the sequential loop, and Ray's overhead per episode (1 worker's time per episode minus the
sequential one's). From those, a projection (not a measurement) of episodes per
hour on ``N`` nodes of ``W`` workers like these: ``N * W * rate_per_worker * 3600``, with
``rate_per_worker`` the 1-worker rate. And training's vector envs: env steps/s of a
SubprocVecEnv and a RayVecEnv of 2 envs (:func:`bench_vec_envs`).
"""

from __future__ import annotations

import time

TASK = {"name": "social_nav", "config": {"max_steps": 1500}}
POLICY = {"name": "heuristic"}


def bench_ray_evaluation(episodes: int = 40) -> dict:
    import embodied  # noqa: F401
    from embodied.cluster import connect
    from embodied.cluster.evaluation import evaluate_on_ray
    from embodied.config import make_env_factory
    from embodied.evaluation import evaluate
    from embodied.policies import make_policy

    import ray

    make_env = make_env_factory(TASK, "val")
    evaluate(make_env, make_policy(POLICY), 1, seed=10_000, progress=False)     # warm caches
    start = time.perf_counter()
    evaluate(make_env, make_policy(POLICY), episodes, progress=False)
    sequential = episodes / (time.perf_counter() - start)
    out = {"sequential_episodes_per_s": sequential}
    for workers in (1, 2):
        start = time.perf_counter()
        connect(None, workers=workers)
        out[f"ray_{workers}_start_s"] = time.perf_counter() - start
        try:
            start = time.perf_counter()
            evaluate_on_ray(TASK, "val", POLICY, episodes, workers=workers, progress=False)
            rate = episodes / (time.perf_counter() - start)
        finally:
            ray.shutdown()
        out[f"ray_{workers}_workers_episodes_per_s"] = rate
        out[f"ray_{workers}_workers_speedup"] = rate / sequential
    out["ray_overhead_per_episode_s"] = 1.0 / out["ray_1_workers_episodes_per_s"] - 1.0 / sequential
    out["projection_episodes_per_hour_per_worker"] = out["ray_1_workers_episodes_per_s"] * 3600.0
    return out


def bench_vec_envs(steps: int = 3000, n_envs: int = 2) -> dict:
    """Env steps/s of SocialNav (state, 500-step episodes with their resets) in a
    SubprocVecEnv and a RayVecEnv of ``n_envs`` envs, random actions, no learner."""
    import numpy as np

    import embodied  # noqa: F401
    from embodied.config import make_env_factory
    from embodied.training.vec_env import make_vec_env

    make_env = make_env_factory({"name": "social_nav", "config": {"max_steps": 500}}, "train")
    out = {}
    for kind in ("subproc", "ray"):
        venv = make_vec_env(make_env, n_envs, kind, seed=0)
        try:
            venv.reset()
            rng = np.random.default_rng(0)
            actions = rng.uniform(-1, 1, (steps // n_envs, n_envs, 2)).astype(np.float32)
            for a in actions[:20]:                       # first homes, first steps
                venv.step(a)
            start = time.perf_counter()
            for a in actions:
                venv.step(a)
            out[f"{kind}_{n_envs}_envs_steps_per_s"] = len(actions) * n_envs / (time.perf_counter() - start)
        finally:
            venv.close()
    return out


def run() -> dict:
    return {**bench_vec_envs(), **bench_ray_evaluation()}
