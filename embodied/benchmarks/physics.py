"""Raw physics of a home with a humanoid and a robot, next to Gymnasium's Humanoid-v5,
and SocialNav env throughput with its ratio to the raw physics of the same substeps."""

from __future__ import annotations

import statistics
import time

import mujoco
import numpy as np

from embodied.benchmarks.timing import PartTimer, bench_gymnasium_humanoid, median_seconds


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


def _social_nav_env(obs_mode: str):
    import gymnasium as gym

    import embodied  # noqa: F401

    return gym.make("embodied/SocialNav-v0", split="val", obs_mode=obs_mode,
                    disable_env_checker=True).unwrapped


def _action_stream(env, kind: str, steps: int, seed: int) -> np.ndarray:
    """``steps`` actions: a fixed arc (``fixed``; the robot circles, the humanoid is
    mostly out of sight, the costly case for the geodesic) or the heuristic follower's
    actions from ``reset(seed)`` (``heuristic``; find, then follow: typical use)."""
    if kind == "fixed":
        return np.tile(np.array([0.4, 0.2], dtype=np.float32), (steps, 1))
    from embodied.policies import make_policy

    policy = make_policy({"name": "heuristic"})
    obs, _ = env.reset(seed=seed)
    policy.reset(env, seed)
    actions = []
    for _ in range(steps):
        a = np.asarray(policy.act(obs, env), dtype=np.float32)
        actions.append(a)
        obs, *_ = env.step(a)
    return np.stack(actions)


def bench_social_nav(obs_mode: str = "state", actions: str = "fixed", steps: int = 500,
                     repeats: int = 5, seed: int = 0) -> dict:
    """SocialNav env steps/s over a replayed action stream (see :func:`_action_stream`),
    the ratio of one env step to the raw mj_step cost of its physics substeps in the same
    scene, and (state mode) the median split of a step into its parts."""
    env = _social_nav_env(obs_mode)
    stream = _action_stream(env, actions, steps, seed)

    def replay() -> float:
        env.reset(seed=seed)
        start = time.perf_counter()
        for a in stream:
            env.step(a)
        return (time.perf_counter() - start) / steps

    replay()   # warm-up: builds the scene, its maps and caches
    env_time = statistics.median(replay() for _ in range(repeats))
    world = env.world
    snap = world.snapshot()

    def run_raw():
        for _ in range(steps * world.substeps):
            mujoco.mj_step(world.model, world.data)

    raw_time = median_seconds(run_raw, repeats=repeats) / steps
    world.restore(snap)
    tag = f"social_nav_{obs_mode}_{actions}"
    out = {f"{tag}_env_steps_per_s": 1.0 / env_time,
           f"{tag}_env_over_raw_physics": env_time / raw_time}
    if obs_mode == "state":
        out.update({f"{tag}_us_{part}": us for part, us in _step_parts(env, replay, repeats)})
    env.close()
    return out


def _step_parts(env, replay, repeats: int):
    """Median microseconds per env step of: world.step (controllers + physics), the
    geodesic, the sensors, and the rest (reward, metrics, bookkeeping)."""
    task, world = env.task, env.world
    runs = []
    for _ in range(repeats):
        timer = PartTimer()
        timer.wrap(world, "step", "world_step")
        timer.wrap(task, "_distance", "geodesic")
        timer.wrap(task, "observe", "sensors")
        total = replay()
        timer.remove()
        steps = len(task.metrics.records)
        parts = {k: v / steps * 1e6 for k, v in timer.seconds.items()}
        parts["rest"] = total * 1e6 - sum(parts.values())
        runs.append(parts)
    return [(part, statistics.median(r[part] for r in runs)) for part in runs[0]]


def run() -> dict:
    out = {}
    out.update(bench_home_physics())
    out.update(bench_gymnasium_humanoid())
    out.update(bench_social_nav("state", "fixed"))
    out.update(bench_social_nav("state", "heuristic"))
    out.update(bench_social_nav("depth", "fixed", steps=200, repeats=3))
    out.update(bench_social_nav("depth", "heuristic", steps=200, repeats=3))
    return out
