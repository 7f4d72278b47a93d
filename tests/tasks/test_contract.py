"""The contract every registered task keeps (Gymnasium's env tests in spirit).

Parametrised over the task registry: a task added later is checked here without editing
this file. Each case runs short episodes (``max_steps`` is a field of every task config)
on the val split.
"""

import hashlib
import json
import math
import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest

import embodied  # noqa: F401  (registers every task)
from embodied.errors import ActionError
from embodied.tasks.base import PrivilegedView
from embodied.tasks.registry import TASKS

NAMES = sorted(TASKS)
STEPS = 12


def make(name, **overrides):
    return gym.make(TASKS[name].env_id, split="val", **{"max_steps": STEPS, **overrides})


def actions(env, n, seed=0):
    env.action_space.seed(seed)
    return [env.action_space.sample() for _ in range(n)]


def same(a, b) -> bool:
    """Bit-for-bit equality of observations, rewards and infos (NaN equals NaN)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == b


def run(env, seed, acts):
    out = [env.reset(seed=seed)]
    for a in acts:
        out.append(env.step(a))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_gymnasium_and_sb3_env_checkers(name):
    from gymnasium.utils.env_checker import check_env
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    env = make(name)
    check_env(env.unwrapped, skip_render_check=True)
    sb3_check_env(env.unwrapped, warn=False)
    assert TASKS[name].summary, "the env class documents the task"
    env.close()


@pytest.mark.parametrize("name", NAMES)
def test_reward_terms_sum_to_the_reward_and_metrics_come_at_the_end(name):
    env = make(name)
    obs, info = env.reset(seed=1)
    assert env.observation_space.contains(obs) and info["seed"] == 1
    view = env.unwrapped.privileged()
    assert isinstance(view, PrivilegedView)
    agents = env.unwrapped.task.agents()
    assert agents and {view.agent(n).category for n in agents} == set(agents.values())
    assert set(env.unwrapped.task.actions) <= set(agents)
    names, total = None, 0.0
    for t, a in enumerate(actions(env, STEPS), start=1):
        obs, reward, terminated, truncated, info = env.step(a)
        assert env.observation_space.contains(obs)
        terms = info["reward_terms"]
        assert names is None or list(terms) == names, "reward terms keep their names"
        names = list(terms)
        assert float(sum(terms.values())) == reward
        total += reward
        if terminated or truncated:
            break
        assert "metrics" not in info
    assert terminated or truncated
    assert truncated == (t == STEPS) or terminated
    metrics = info["metrics"]
    assert metrics and all(isinstance(v, float) for v in metrics.values())
    assert set(info["reward_term_sums"]) == set(names)
    assert math.isclose(sum(info["reward_term_sums"].values()), total, rel_tol=1e-9, abs_tol=1e-9)
    env.close()


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_and_actions_are_bit_identical(name):
    a, b = make(name), make(name)
    acts = actions(a, STEPS, seed=3)
    assert same(run(a, 5, acts), run(b, 5, acts))
    other = run(a, 6, acts[:1])
    assert not same(other[0][0], run(b, 5, [])[0][0]), "another seed gives another episode"
    a.close()
    b.close()


@pytest.mark.parametrize("name", NAMES)
def test_invalid_actions_are_refused_before_anything_is_simulated(name):
    env = make(name)
    env.reset(seed=2)
    world = env.unwrapped.world
    qpos, time, steps = world.data.qpos.copy(), world.data.time, env.unwrapped.task.steps
    good = env.action_space.sample()
    bad = (np.full_like(good, np.nan) if isinstance(good, np.ndarray)
           else {k: np.full_like(v, np.nan) for k, v in good.items()})
    for action in (bad, np.zeros(17, np.float32)):
        with pytest.raises(ActionError):
            env.step(action)
    assert np.array_equal(world.data.qpos, qpos) and world.data.time == time
    assert env.unwrapped.task.steps == steps
    env.step(good)                       # still usable
    env.close()


@pytest.mark.parametrize("name", NAMES)
def test_episode_snapshot_restore_and_fork_are_exact(name):
    env = make(name, max_steps=10_000)
    task = env.unwrapped.task
    acts = actions(env, 30, seed=4)
    env.reset(seed=7)
    for a in acts[:10]:
        task.step(a)
    snap = task.snapshot()
    twin = task.fork()
    first = [task.step(a) for a in acts[10:]]
    assert not same(first[-1][0], twin.observe()), "the fork did not move with the original"
    task.restore(snap)
    again = [task.step(a) for a in acts[10:]]
    forked = [twin.step(a) for a in acts[10:]]
    assert same(first, again), "restoring the snapshot replays exactly"
    assert same(first, forked), "the fork steps on exactly as the original did"
    assert same(task.episode_metrics(), twin.episode_metrics())
    assert twin.world is not task.world and twin.world.model is task.world.model
    env.close()


@pytest.mark.parametrize("name", NAMES)
def test_results_are_the_same_in_another_process(name):
    def digest(results):
        h = hashlib.sha256()
        for item in results:
            h.update(repr(item).encode())
        return h.hexdigest()

    code = f"""
import gymnasium as gym, numpy as np, embodied, hashlib
from embodied.tasks.registry import TASKS
env = gym.make(TASKS[{name!r}].env_id, split="val", max_steps={STEPS})
env.action_space.seed(0)
acts = [env.action_space.sample() for _ in range({STEPS})]
out = [env.reset(seed=9)] + [env.step(a) for a in acts]
h = hashlib.sha256()
for item in out:
    h.update(repr(item).encode())
print(h.hexdigest())
"""
    env = make(name)
    here = digest(run(env, 9, actions(env, STEPS, seed=0)))
    env.close()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "MUJOCO_GL": "egl"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == here


def test_the_registry_and_hydra_agree():
    from hydra.core.config_store import ConfigStore

    from embodied.config import register_configs

    register_configs()
    groups = ConfigStore.instance().repo["task"]
    for name, entry in TASKS.items():
        assert f"{name}.yaml" in groups, f"task {name} has a Hydra config entry"
        assert gym.spec(entry.env_id).entry_point is entry.env_class
    json.dumps(sorted(TASKS))
