"""Raw physics of a home with a humanoid and a robot, next to Gymnasium's Humanoid-v5,
and SocialNav env throughput with its ratio to the raw physics of the same substeps."""

from __future__ import annotations

import mujoco
import numpy as np

from embodied.benchmarks.timing import bench_gymnasium_humanoid, median_seconds


def _social_nav(obs_mode: str, steps: int):
    import gymnasium as gym

    import embodied  # noqa: F401

    env = gym.make("embodied/SocialNav-v0", split="val", obs_mode=obs_mode,
                   disable_env_checker=True).unwrapped
    env.reset(seed=0)
    return env


def bench_home_physics(steps: int = 2000, repeats: int = 5) -> dict:
    """mj_step/s of a generated home (free objects) with one humanoid and one robot."""
    from embodied.agents.humanoid import Humanoid
    from embodied.agents.robot import make_robot
    from embodied.scenes.home import generate_home

    home = generate_home(0, "val")
    world = home.make_world([make_robot("fetch"), Humanoid("human0")])
    model, data = world.model, world.data
    for _ in range(200):   # let objects settle on their receptacles
        mujoco.mj_step(model, data)

    def run():
        for _ in range(steps):
            mujoco.mj_step(model, data)

    t = median_seconds(run, repeats=repeats) / steps
    return {"home_mj_step_per_s": 1.0 / t, "home_nv": model.nv, "home_ngeom": model.ngeom}


def bench_social_nav(obs_mode: str = "state", steps: int = 500, repeats: int = 5) -> dict:
    """SocialNav env steps/s (a fixed action) and the ratio of one env step to the raw
    mj_step cost of its physics substeps in the same scene."""
    env = _social_nav(obs_mode, steps)
    action = np.array([0.4, 0.2], dtype=np.float32)

    def run_env():
        for _ in range(steps):
            _, _, _, truncated, _ = env.step(action)
            if truncated:
                env.reset(seed=0)

    env_time = median_seconds(run_env, repeats=repeats) / steps
    world = env.world
    snap = world.snapshot()

    def run_raw():
        for _ in range(steps * world.substeps):
            mujoco.mj_step(world.model, world.data)

    raw_time = median_seconds(run_raw, repeats=repeats) / steps
    world.restore(snap)
    env.close()
    return {f"social_nav_{obs_mode}_env_steps_per_s": 1.0 / env_time,
            f"social_nav_{obs_mode}_env_over_raw_physics": env_time / raw_time}


def run() -> dict:
    out = {}
    out.update(bench_home_physics())
    out.update(bench_gymnasium_humanoid())
    out.update(bench_social_nav("state"))
    out.update(bench_social_nav("depth", steps=200, repeats=3))
    return out
