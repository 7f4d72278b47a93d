"""Evaluation on Ray against the sequential loop on this machine.

``run()`` evaluates the SocialNav heuristic on the same 40 val episodes (1500 control
steps each) sequentially in this process and then on a Ray started here with 1 and 2
workers, and returns episodes per second of each (the actors' start-up, each building its
env and policy, included; starting Ray itself excluded and reported apart), their ratios to
the sequential loop, and Ray's overhead per episode (1 worker's time per episode minus the
sequential one's). From those, a projection (not a measurement) of episodes per
hour on ``N`` nodes of ``W`` workers like these: ``N * W * rate_per_worker * 3600``, with
``rate_per_worker`` the 1-worker rate.
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


def run() -> dict:
    return bench_ray_evaluation()
