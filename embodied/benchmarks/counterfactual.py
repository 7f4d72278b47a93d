"""CounterfactualNav with its counterfactual tracked: env steps per second and the share of
the step its robot-free twin takes.

``run()`` steps ``embodied/CounterfactualNav-v0`` (8 people, state observations) with a
fixed action (forward at half speed, turning gently, so the robot keeps meeting people)
over episodes of val homes, and returns medians over episodes of:

- ``counterfactual_nav_steps_per_s``: env steps per second, the counterfactual included;
- ``counterfactual_share``: the part of the step spent on the counterfactual (stepping the
  :class:`~embodied.crowds.shadow.CrowdShadow` and comparing the people with it);
- ``..._window_steps_per_s``: the same with the SACSoN-style windowed signal
  (``perturbation_signal="window"``: two more twins running at any time);
- ``full_resimulation_steps_per_s``: for comparison, the World rebuilt without the robot
  (what the shadow replaces) stepped alone.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

ACTION = np.array([0.5, 0.3], np.float32)


def _episode_timing(env, seed: int, steps: int) -> tuple[float, float]:
    """Steps/s and counterfactual share of ``steps`` steps of episode ``seed``."""
    from embodied.benchmarks.timing import PartTimer
    from embodied.crowds.shadow import CrowdShadow
    from embodied.tasks.counterfactual_nav.terms import Perturbation

    env.reset(seed=seed)
    timer = PartTimer()
    timer.wrap(CrowdShadow, "step", "counterfactual")
    timer.wrap(Perturbation, "add", "counterfactual")
    done, start = 0, time.perf_counter()
    try:
        while done < steps:
            _, _, terminated, truncated, _ = env.step(ACTION)
            done += 1
            if terminated or truncated:
                break
        total = time.perf_counter() - start
    finally:
        timer.remove()
    return done / total, timer.seconds["counterfactual"] / total


def bench_counterfactual(episodes: int = 5, steps: int = 600) -> dict:
    import gymnasium as gym

    import embodied  # noqa: F401

    out = {}
    for label, overrides in (("", {}), ("_window", {"perturbation_signal": "window"})):
        env = gym.make("embodied/CounterfactualNav-v0", split="val", **overrides)
        env.reset(seed=0)                                  # imports and first home
        rates, shares = zip(*(_episode_timing(env, seed, steps) for seed in range(episodes)))
        out[f"counterfactual_nav{label}_steps_per_s"] = statistics.median(rates)
        out[f"counterfactual{label}_share"] = statistics.median(shares)
        if not label:
            world = env.unwrapped.world
            rebuilt = world.rebuild(without=("robot",))
            start = time.perf_counter()
            rebuilt.step(steps)
            out["full_resimulation_steps_per_s"] = steps / (time.perf_counter() - start)
        env.close()
    return out


def run() -> dict:
    return bench_counterfactual()
