"""Small timing helpers shared by the benchmark functions."""

from __future__ import annotations

import statistics
import time
from typing import Callable


def median_seconds(fn: Callable[[], object], repeats: int = 7, number: int = 1,
                   warmup: int = 1) -> float:
    """Median over ``repeats`` of the mean wall time of ``number`` calls of ``fn``."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def bench_gymnasium_humanoid(steps: int = 2000, repeats: int = 5) -> dict:
    """Gymnasium's Humanoid-v5 as a yardstick: env steps/s and raw mj_step/s of its model."""
    import gymnasium as gym
    import mujoco
    import numpy as np

    env = gym.make("Humanoid-v5")
    env.reset(seed=0)
    action = np.zeros(env.action_space.shape, dtype=np.float32)

    def env_steps():
        for _ in range(steps):
            _, _, term, trunc, _ = env.step(action)
            if term or trunc:
                env.reset(seed=0)

    env_time = median_seconds(env_steps, repeats=repeats) / steps
    model, data = env.unwrapped.model, env.unwrapped.data

    def raw_steps():
        for _ in range(steps):
            mujoco.mj_step(model, data)

    raw_time = median_seconds(raw_steps, repeats=repeats) / steps
    env.close()
    return {"humanoid_v5_env_steps_per_s": 1.0 / env_time,
            "humanoid_v5_mj_step_per_s": 1.0 / raw_time}
