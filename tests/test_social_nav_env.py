"""SocialNav env: Gymnasium/SB3 checks, determinism, bad actions, reward terms, metrics."""

import json
import math
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

import embodied  # noqa: F401
from embodied.errors import ActionError, ConfigError
from embodied.evaluation import evaluate
from embodied.policies.base import RandomPolicy
from embodied.policies.experts.social_nav import SocialNavHeuristic

ROOT = Path(__file__).resolve().parents[1]


def make(max_steps=40, **kw):
    return gym.make("embodied/SocialNav-v0", split="val", max_steps=max_steps, **kw)


def rollout(env, seed, actions):
    obs, _ = env.reset(seed=seed)
    out = [obs]
    rewards, infos = [], []
    for a in actions:
        obs, r, term, trunc, info = env.step(a)
        out.append(obs)
        rewards.append(r)
        infos.append(info)
    return out, rewards, infos


def test_gymnasium_and_sb3_env_checkers():
    from gymnasium.utils.env_checker import check_env
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    env = make()
    check_env(env.unwrapped, skip_render_check=True)
    sb3_check_env(env.unwrapped, warn=True)
    env.close()


def test_registration_ids():
    env = gym.make("embodied:embodied/SocialNav-v0", split="test", max_steps=5)
    assert env.unwrapped.task.split == "test"
    env.close()


def test_same_seed_same_actions_bit_identical():
    actions = np.random.default_rng(0).uniform(-1, 1, (40, 2)).astype(np.float32)
    a, b = make(), make()
    oa, ra, ia = rollout(a, 7, actions)
    ob, rb, ib = rollout(b, 7, actions)
    for x, y in zip(oa, ob):
        for k in x:
            assert np.array_equal(x[k], y[k]), k
    assert ra == rb
    assert ia[-1]["metrics"] == ib[-1]["metrics"] or all(
        (math.isnan(v) and math.isnan(ib[-1]["metrics"][k])) or v == ib[-1]["metrics"][k]
        for k, v in ia[-1]["metrics"].items())
    # a different seed gives a different episode
    oc, _, _ = rollout(a, 8, actions[:3])
    assert not np.array_equal(oa[0]["range_scan"], oc[0]["range_scan"])
    a.close()
    b.close()


def test_nan_actions_rejected_without_touching_the_simulation():
    env = make()
    env.reset(seed=1)
    world = env.unwrapped.world
    qpos, t = world.data.qpos.copy(), world.data.time
    for bad in ([np.nan, 0.0], [0.0, np.inf], [1.0, 2.0, 3.0]):
        with pytest.raises(ActionError):
            env.unwrapped.step(np.array(bad, dtype=np.float32))
    assert np.array_equal(world.data.qpos, qpos) and world.data.time == t
    env.step(np.zeros(2, np.float32))  # still usable
    env.close()


def test_out_of_range_actions_are_clipped():
    actions_big = [np.array([5.0, -5.0], np.float32)] * 10
    actions_unit = [np.array([1.0, -1.0], np.float32)] * 10
    o1, r1, _ = rollout(make(), 3, actions_big)
    o2, r2, _ = rollout(make(), 3, actions_unit)
    assert r1 == r2 and np.array_equal(o1[-1]["range_scan"], o2[-1]["range_scan"])


def test_reward_terms_sum_exactly_and_first_step_is_zero():
    env = make(max_steps=30)
    _, rewards, infos = rollout(env, 2, [env.action_space.sample() for _ in range(30)])
    assert rewards[0] == 0.0
    for r, info in zip(rewards, infos):
        assert sum(info["reward_terms"].values()) == r
    assert "metrics" in infos[-1] and "metrics" not in infos[-2]
    env.close()


def test_bad_config_values_name_the_field():
    with pytest.raises(ConfigError, match="split"):
        gym.make("embodied/SocialNav-v0", split="validation")
    with pytest.raises(ConfigError, match="obs_mode"):
        gym.make("embodied/SocialNav-v0", obs_mode="lidar")
    with pytest.raises(ConfigError, match="max_steps"):
        gym.make("embodied/SocialNav-v0", max_steps=0)
    with pytest.raises(ConfigError, match="max_stepz"):
        gym.make("embodied/SocialNav-v0", max_stepz=10)


def test_without_humanoid_gps_only_that_observation_goes():
    """Habitat 3.0's ablation: the robot no longer observes where the humanoid is; the
    episode itself (and every other observation) is unchanged."""
    actions = np.random.default_rng(1).uniform(-1, 1, (20, 2)).astype(np.float32)
    with_gps, without = make(20), make(20, humanoid_gps=False)
    assert "humanoid_gps_compass" in with_gps.observation_space.spaces
    assert set(without.observation_space.spaces) == (
        set(with_gps.observation_space.spaces) - {"humanoid_gps_compass"})
    oa, ra, _ = rollout(with_gps, 3, actions)
    ob, rb, _ = rollout(without, 3, actions)
    assert ra == rb
    for x, y in zip(oa, ob):
        assert "humanoid_gps_compass" not in y
        for key in y:
            assert np.array_equal(x[key], y[key]), key
    with pytest.raises(ConfigError, match="humanoid_gps"):
        make(humanoid_gps="no")


def test_humanoid_velocity_adds_only_that_observation_and_matches_the_walk():
    """``humanoid_velocity=True`` adds the humanoid's velocity in the robot frame and
    changes nothing else; it matches the humanoid's displacement over a step, seen from
    the robot."""
    actions = np.zeros((30, 2), np.float32)       # a standing robot: its frame stays put
    plain = gym.make("embodied/SocialNav-v1", split="val", max_steps=40)
    tracked = gym.make("embodied/SocialNav-v1", split="val", max_steps=40, humanoid_velocity=True)
    assert set(tracked.observation_space.spaces) == set(plain.observation_space.spaces) | {"humanoid_velocity"}
    oa, ra, _ = rollout(plain, 4, actions)
    ob, rb, _ = rollout(tracked, 4, actions)
    assert ra == rb
    for x, y in zip(oa, ob):
        for key in x:
            assert np.array_equal(x[key], y[key]), key
    dt = tracked.unwrapped.world.dt
    moving = 0
    for before, after in zip(ob, ob[1:]):
        displacement = (after["humanoid_gps_compass"] - before["humanoid_gps_compass"]) / dt
        if np.linalg.norm(after["humanoid_velocity"]) > 0.5:
            moving += 1
            assert np.linalg.norm(displacement - after["humanoid_velocity"]) < 0.25
    assert moving >= 10
    with pytest.raises(ConfigError, match="humanoid_velocity"):
        gym.make("embodied/SocialNav-v1", humanoid_velocity=1)


def test_robot_placed_facing_humanoid_counts_as_found_and_succeeds():
    """Teleport the robot 1.5 m in front of a standing humanoid, facing it: every step is
    found, and 400 found steps make the episode a success."""
    from embodied.skills.base import Wait

    env = make(max_steps=410)
    env.reset(seed=4)
    task = env.unwrapped.task
    view = env.unwrapped.privileged()
    world, humanoid, robot_map = view.world, view.agent(view.humanoid), view.navmap(view.robot)
    humanoid.run(Wait(duration=1e9))
    hxy = np.asarray(humanoid.position[:2])
    # find a navigable spot 1.5 m away with a clear line of sight
    for angle in np.linspace(0, 2 * np.pi, 72, endpoint=False):
        p = hxy + 1.5 * np.array([np.cos(angle), np.sin(angle)])
        if robot_map.is_navigable(p) and robot_map.line_of_sight(p, hxy):
            break
    else:
        pytest.skip("no free spot around the humanoid in this home")
    yaw = math.atan2(hxy[1] - p[1], hxy[0] - p[0])
    view.agent(view.robot).set_pose(world, p, yaw)
    task.distance = task._distance()
    for _ in range(410):
        _, reward, _, truncated, info = env.step(np.zeros(2, np.float32))
        assert info["found"], info
    m = info["metrics"]
    assert truncated and m["finding_success"] == 1.0 and m["success"] == 1.0
    assert m["following_rate"] > 0.95 and m["collision"] == 0.0
    assert 1.0 <= m["mean_follow_distance"] < 2.0
    env.close()


def test_heuristic_beats_random():
    make_env = lambda: make(max_steps=300)  # noqa: E731
    h = evaluate(make_env, SocialNavHeuristic(), 3, seed=100, progress=False)["summary"]
    r = evaluate(make_env, RandomPolicy(), 3, seed=100, progress=False)["summary"]
    assert h["found_steps"]["mean"] > r["found_steps"]["mean"] + 30
    assert h["finding_success"]["mean"] >= r["finding_success"]["mean"]


def test_evaluate_script_writes_json(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "evaluate.py"), "task=social_nav", "policy=random",
         "episodes=2", "split=val", f"out={out}", "task.config.max_steps=20", "progress=false",
         f"hydra.run.dir={tmp_path / 'hydra'}"],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(out.read_text())
    assert set(data) >= {"summary", "summary_ci95", "episodes", "config"}
    assert len(data["episodes"]) == 2 and data["episodes"][0]["seed"] == 0
    for key in ("finding_success", "finding_spl", "following_rate", "collision", "success",
                "backup_ratio", "yield_ratio", "mean_follow_distance", "min_human_distance",
                "intimate_zone_ratio", "personal_zone_ratio"):
        assert key in data["summary"] and key in data["episodes"][0]["metrics"]
    assert data["config"]["policy"]["name"] == "random"
    bad = subprocess.run([sys.executable, str(ROOT / "scripts" / "evaluate.py"), "split=nope",
                          f"hydra.run.dir={tmp_path / 'hydra2'}"],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode != 0 and "split" in bad.stderr


def test_geometric_detector_agrees_with_segmentation_detector():
    """The state-mode detector (geometry) and the anchor's (segmentation pixels) agree on
    presence in nearly every frame of a following episode, and both do fire."""
    from embodied.sensors import GeometricHumanoidDetector, HumanoidDetector, SensorSuite

    env = make(max_steps=240)
    obs, _ = env.reset(seed=5)
    policy = SocialNavHeuristic()
    world = env.unwrapped.world
    suite = SensorSuite("robot", [
        GeometricHumanoidDetector(camera="head", width=64, height=64, name="geo"),
        HumanoidDetector(64, 64, "head", "seg", min_pixels=10)])
    agree, fired = 0, 0
    for _ in range(240):
        obs, *_ = env.step(policy.act(obs, env))
        d = suite.read(world)
        agree += d["geo"][0] == d["seg"][0]
        fired += d["seg"][0]
    suite.close()
    assert fired >= 30, "the humanoid should be in view while following"
    assert agree / 240 >= 0.9
    env.close()
