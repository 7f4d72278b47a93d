"""SocialRearrange throughput: low-level steps with both agents moving, next to the raw
physics of the same substeps, and skills-mode decisions.

``run()`` returns:

- ``rearrange_low_level_steps_per_s``: ``task.step`` of the low-level state mode, 300
  steps from ``reset(1)`` on the val split: the robot drives a fixed arc while the
  humanoid (greedy partner) walks to, picks and carries an object (median of 3 replays
  from a snapshot);
- ``rearrange_raw_physics_steps_per_s``: ``mj_step`` of the same World, 10 substeps per
  step (a control step's physics alone), and ``rearrange_step_over_physics``, the ratio;
- ``rearrange_v0_low_level_steps_per_s``: the same low-level steps of
  ``SocialRearrange-v0`` (no sleeping), measured in the same run;
- ``rearrange_decisions_per_s`` and ``rearrange_skill_low_level_steps_per_s``: the
  privileged expert with a Plan-Pop 3 partner in skills mode over val episodes 1-3:
  decisions per second, and the low-level steps per second behind them.
"""

from __future__ import annotations

import statistics
import time

import mujoco
import numpy as np


def _task(**config):
    from embodied.tasks.social_rearrange import SocialRearrangeConfig, SocialRearrangeTask

    return SocialRearrangeTask(SocialRearrangeConfig(**config), split="val")


def bench_low_level(steps: int = 300, repeats: int = 3, **config) -> dict:
    task = _task(partner="greedy", **config)
    task.reset(1)
    snap = task.snapshot()
    arc = np.array([0.5, 0.3, 0.0, 0.0, 0.0, 0.0], np.float32)
    rates = []
    for _ in range(repeats):
        task.restore(snap)
        start = time.perf_counter()
        for _ in range(steps):
            task.step(arc)
        rates.append(steps / (time.perf_counter() - start))
    world = task.world
    substeps = round(task.config.control_dt / task.config.physics_dt)
    start = time.perf_counter()
    for _ in range(steps):
        mujoco.mj_step(world.model, world.data, nstep=substeps)
    raw = steps / (time.perf_counter() - start)
    task.close()
    step = statistics.median(rates)
    return {"rearrange_low_level_steps_per_s": step, "rearrange_raw_physics_steps_per_s": raw,
            "rearrange_step_over_physics": raw / step}


def bench_skills(episodes: tuple[int, ...] = (1, 2, 3)) -> dict:
    from embodied.policies import make_policy

    task = _task(action_mode="skills", partner="plan_pop_3")

    class Env:                       # what a privileged policy reads of an env
        action_space = task.action_space
        unwrapped = property(lambda self: self)
        world = property(lambda self: task.world)

        def privileged(self):
            return task.privileged()

    env, policy = Env(), make_policy({"name": "rearrange_expert"})
    decisions = low_level = 0
    elapsed = 0.0
    for seed in episodes:
        obs, _ = task.reset(seed)
        policy.reset(env, seed)
        start = time.perf_counter()
        while True:
            obs, _, terminated, truncated, info = task.step(policy.act(obs, env))
            decisions += 1
            low_level += info["low_level_steps"]
            if terminated or truncated:
                break
        elapsed += time.perf_counter() - start
    task.close()
    return {"rearrange_decisions_per_s": decisions / elapsed,
            "rearrange_skill_low_level_steps_per_s": low_level / elapsed,
            "rearrange_low_level_steps_per_decision": low_level / decisions}


def run() -> dict:
    from embodied.tasks.social_rearrange import V0

    v0 = bench_low_level(**V0)
    return {**bench_low_level(), **bench_skills(),
            "rearrange_v0_low_level_steps_per_s": v0["rearrange_low_level_steps_per_s"]}


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:<40} {value:10.3f}")
