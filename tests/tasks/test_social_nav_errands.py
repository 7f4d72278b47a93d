"""SocialNav's humanoid objective (``humanoid_objective="errands"``): a humanoid walked by
an outside policy is rewarded for errands of its own and for keeping the robot off, and a
humanoid policy trained for it through ``scripts/train.py agent=human0`` drives the
humanoid in evaluation."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pettingzoo")

from pettingzoo.test import parallel_api_test, parallel_seed_test  # noqa: E402

from embodied.envs import parallel_env  # noqa: E402
from embodied.errors import ConfigError  # noqa: E402
from embodied.policies.experts.social_nav import ErrandWalker  # noqa: E402
from embodied.tasks.social_nav.errands import ErrandsConfig  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ERRANDS = dict(humanoid_objective="errands")
STILL = np.zeros(2, np.float32)


def make(**overrides):
    return parallel_env("social_nav", split="val", **{**ERRANDS, "max_steps": 60, **overrides})


def test_pettingzoo_api_and_seed_tests_with_errands():
    parallel_api_test(make(), num_cycles=30)
    parallel_seed_test(make, num_cycles=20)


def test_without_the_objective_the_humanoid_observes_and_earns_as_released():
    env = parallel_env("social_nav", split="val", max_steps=20)
    assert sorted(env.observation_space("human0").spaces) == ["base_velocity", "robot_gps_compass"]
    env.reset(seed=0)
    _, rewards, *_ = env.step({"robot": STILL, "human0": np.ones(2, np.float32)})
    assert rewards["human0"] == 0.0 and env.task.errands is None


def test_the_walker_reaches_its_errands_and_the_reward_adds_up():
    env = make(max_steps=900)
    obs, _ = env.reset(seed=3)
    task, walker = env.task, ErrandWalker()
    goal = task.errands.goal
    assert float(obs["human0"]["errand_goal"][0]) == pytest.approx(
        math.dist(task.world.entity("human0").xy, goal), abs=1e-4)
    total, goals = 0.0, {goal}
    while env.agents:
        obs, rewards, _, _, infos = env.step({"robot": STILL,
                                              "human0": walker.act(obs["human0"], env)})
        terms = task.errands.terms
        assert rewards["human0"] == pytest.approx(sum(terms.values()))
        total += rewards["human0"]
        goals.add(task.errands.goal)
    metrics = infos["human0"]["metrics"]
    assert metrics["humanoid_errands_reached"] >= 2 and len(goals) >= 3
    assert metrics["humanoid_return"] == pytest.approx(total)
    # the robot's reward is SocialNav's, untouched by the humanoid's
    assert "humanoid_return" in metrics and metrics["episode_return"] != pytest.approx(total)


def test_contact_and_intrusion_are_penalised():
    from embodied.tasks.social_nav.errands import Errands

    class Straight:       # a navmap whose geodesics are straight lines
        def geodesic_distance(self, a, b):
            return math.dist(a, b)

        def connected(self, a, b):
            return True

        def sample_navigable(self, rng, n, room):
            return np.array([[5.0, 0.0]])

    cfg = ErrandsConfig()
    errands = Errands(cfg, Straight(), (0.0, 0.0), np.random.default_rng(0))
    assert errands.goal == (5.0, 0.0)
    assert errands.update((1.0, 0.0), False, 2.0, 0.45, None) == pytest.approx(1.0)
    assert errands.update((1.0, 0.0), True, 0.1, 0.45, None) == pytest.approx(
        -cfg.contact_penalty - cfg.intrusion_penalty)
    assert errands.update((4.6, 0.0), False, 2.0, 0.45, np.random.default_rng(1)) == pytest.approx(
        3.6 + cfg.arrival_bonus)
    assert errands.reached == 1


def test_snapshots_and_forks_replay_the_errands_exactly():
    env = make(max_steps=400)
    obs, _ = env.reset(seed=5)
    walker = ErrandWalker()
    for _ in range(40):
        obs, *_ = env.step({"robot": STILL, "human0": walker.act(obs["human0"], env)})
    task = env.task
    snap, fork = task.snapshot(), task.fork()

    def walk(t, steps=200):
        trace = []
        for _ in range(steps):
            obs = t.observe("human0")
            env.external["human0"].apply(t.world, env.external["human0"].process(
                walker.act(obs, env)))
            t.advance(observe=False)
            trace.append((t.errands.goal, t.errands.reached, dict(t.errands.terms),
                          t.world.entity("human0").xy))
        return trace

    first = walk(task)
    assert first[-1][1] >= 1                   # a goal was reached (a new one drawn) on the way
    task.restore(snap)
    assert walk(task) == first
    assert walk(fork) == first


def test_the_yielding_walker_heads_round_a_robot_in_its_way():
    from embodied.policies.experts.social_nav import ErrandWalkerConfig

    yielder = ErrandWalker(ErrandWalkerConfig(yield_to_robot=True))

    def turn(robot_xy, waypoint_bearing=0.0):
        obs = {"errand_waypoint": np.array([3.0, waypoint_bearing], np.float32),
               "robot_gps_compass": np.array(robot_xy, np.float32)}
        return float(yielder.act(obs, None)[1]), float(ErrandWalker().act(obs, None)[1])

    # straight ahead at 2 m, a little to the right: along the tangent passing it 1 m to its left
    yielding, blind = turn((2.0, -0.1))
    assert blind == 0.0
    tangent = math.atan2(-0.1, 2.0) + math.asin(1.0 / math.hypot(2.0, -0.1))
    assert yielding == pytest.approx(np.clip(2.0 * tangent, -1, 1), abs=1e-5)
    # behind it, far off, or clear of its way: the way itself
    for robot in ((-1.0, 0.0), (3.0, 0.0), (2.0, 1.2)):
        assert turn(robot) == (0.0, 0.0)
    # nearer than the passing distance and ahead on its left: away, to the right
    assert turn((0.6, 0.2))[0] == -1.0


def test_the_yielding_walker_keeps_off_the_robot_that_follows_it():
    """The same episode with the robot expert following: the blind walker walks into the
    robot (a collision ends SocialNav-v1's episode), the yielding one does not."""
    from embodied.evaluation import run_episode
    from embodied.policies.experts.social_nav import ErrandWalkerConfig, FollowerConfig, SocialNavHeuristic

    results = {}
    for name, humanoid in (("blind", ErrandWalker()),
                           ("yielding", ErrandWalker(ErrandWalkerConfig(yield_to_robot=True)))):
        robot = SocialNavHeuristic(FollowerConfig(speed_gain=1.2))
        result = run_episode(make(max_steps=700), robot, seed=0, humanoid_policy=humanoid)
        results[name] = {**result["metrics"], "steps": result["steps"]}
    assert results["blind"]["collision"] == 1.0 and results["blind"]["steps"] < 700
    assert results["yielding"]["collision"] == 0.0 and results["yielding"]["steps"] == 700
    assert results["yielding"]["humanoid_errands_reached"] >= 2


def test_bad_objective_names_the_choices():
    with pytest.raises(ConfigError, match="humanoid_objective"):
        make(humanoid_objective="dance")
    with pytest.raises(ConfigError, match="goal_radius"):
        ErrandsConfig(goal_radius=-1.0)


def test_a_humanoid_trained_beside_the_robot_expert_drives_the_humanoid(tmp_path):
    pytest.importorskip("stable_baselines3")
    out = tmp_path / "humanoid"
    train = [sys.executable, str(ROOT / "scripts" / "train.py"), "task=social_nav",
             "task.config.humanoid_objective=errands", "task.config.max_steps=120",
             "agent=human0", "partner_policy=heuristic", "policy=ppo", "policy.config.n_steps=64",
             "policy.config.batch_size=32", "pretrain_expert=errand_walker", "pretrain_demos=200",
             "pretrain_epochs=2", "total_steps=128", "n_envs=1", "vec_env=dummy", "eval_every=0",
             "checkpoint_every=0", "progress=false", f"out_dir={out}"]
    subprocess.run(train, check=True, capture_output=True, text=True, timeout=500)
    from embodied.policies.learned.sb3 import read_checkpoint

    assert read_checkpoint(out / "last.zip").meta["agent"] == "human0"
    result = tmp_path / "eval.json"
    evaluate = [sys.executable, str(ROOT / "scripts" / "evaluate.py"), "task=social_nav",
                "task.config.humanoid_objective=errands", "task.config.max_steps=60",
                "policy=heuristic", "humanoid_policy=ppo", f"humanoid_checkpoint={out / 'last.zip'}",
                "episodes=2", "progress=false", f"out={result}"]
    subprocess.run(evaluate, check=True, capture_output=True, text=True, timeout=300)
    summary = json.loads(result.read_text())["summary"]
    assert {"humanoid_errands_reached", "humanoid_return", "following_rate"} <= set(summary)


def test_agent_runs_refuse_cotraining_settings():
    from embodied.training.config import TrainConfig

    with pytest.raises(ConfigError, match="agent"):
        TrainConfig(agent="human0", partners="learn_single")
