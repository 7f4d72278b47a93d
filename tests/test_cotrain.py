"""Learned partners: one agent of the parallel env as a Gymnasium env beside partner
policies, Learn-Single / Learn-Pop co-training, and learned humanoids driving the humanoid
in evaluation and ZSC."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pettingzoo")
pytest.importorskip("stable_baselines3")

from embodied.envs import parallel_env  # noqa: E402
from embodied.envs.agent_env import AgentEnv, agent_observation  # noqa: E402
from embodied.errors import ConfigError  # noqa: E402
from embodied.policies.base import RandomPolicy  # noqa: E402
from embodied.policies.learned.sb3 import SB3Policy, read_checkpoint  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHORT = dict(action_mode="skills", max_steps=120)


def rollout(env, seed, actions):
    obs, _ = env.reset(seed=seed)
    out = [obs]
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action)
        out.append((obs, reward))
        if terminated or truncated:
            break
    return out


def same(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return np.array_equal(a, b)


def test_agent_env_is_the_parallel_env_seen_by_one_agent():
    """The humanoid's view: its observations (without the parallel API's own entries),
    its rewards summed until it decides again, the partner asked only when it decides;
    the same seed and actions give the same episode."""
    env = AgentEnv(parallel_env("social_rearrange", split="val", **SHORT), "human0",
                   {"robot": RandomPolicy(seed=1, agent="robot")})
    assert "deciding" not in env.observation_space.spaces
    assert "messages" not in env.observation_space.spaces
    actions = [int(a) for a in np.random.default_rng(0).integers(0, env.action_space.n, 30)]
    first = rollout(env, 5, actions)
    assert env.observation_space.contains(first[0])

    # by hand on a parallel env of its own: the same steps
    par = parallel_env("social_rearrange", split="val", **SHORT)
    robot = RandomPolicy(seed=1, agent="robot")
    obs, infos = par.reset(seed=5)
    robot.reset(par, 5)
    by_hand, i, total = [agent_observation(obs["human0"])], 0, 0.0
    while par.agents and i < len(actions):
        deciding = {a: infos[a].get("deciding", True) for a in ("human0", "robot")}
        step = {"human0": actions[i] if deciding["human0"] else 0,
                "robot": robot.act(obs["robot"], par) if deciding["robot"] else 0}
        obs, rewards, *_, infos = par.step(step)
        total += rewards["human0"]
        if not par.agents or infos["human0"]["deciding"]:
            by_hand.append((agent_observation(obs["human0"]), total))
            total, i = 0.0, i + 1
    assert len(by_hand) == len(first) > 2
    assert all(same(a, b) for a, b in zip(first, by_hand))
    assert all(same(a, b) for a, b in zip(first, rollout(env, 5, actions)))


def test_agent_env_needs_a_policy_for_every_other_agent():
    env = AgentEnv(parallel_env("social_rearrange", split="val", **SHORT), "robot")
    with pytest.raises(ConfigError, match="set_partners"):
        env.reset(seed=0)
    with pytest.raises(ConfigError, match="human0"):
        env.set_partners({"nobody": RandomPolicy()})


@pytest.fixture(scope="module")
def learn_pop(tmp_path_factory):
    """A seconds-long Learn-Pop run: a robot and a pool of two humanoids in turns."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_train import tiny_cfg

    from embodied.training import train

    out = tmp_path_factory.mktemp("learn_pop")
    cfg = tiny_cfg(out, "task=social_rearrange", "task.config.action_mode=skills",
                   "task.config.max_steps=120", "train_max_steps=null", "total_steps=32",
                   "policy.config.n_steps=16", "policy.config.batch_size=16", "eval_every=0",
                   "checkpoint_every=0", "partners=learn_pop", "pool_size=2", "partner_updates=1")
    return out, train(cfg, out)


def test_learn_pop_trains_robot_and_humanoids_in_turns(learn_pop):
    out, summary = learn_pop
    turns = summary["turns"]
    assert [t["learner"] for t in turns][::2] == ["robot", "robot"]
    assert all(t["learner"] == f"humanoid_{t['partner']}" for t in turns[1::2])
    assert summary["steps"] == 32 and summary["turn_steps"] == 16
    assert json.loads((out / "cotrain.json").read_text())["turns"] == turns
    robot = read_checkpoint(out / "robot" / "last.zip")
    assert robot.meta["agent"] == "robot" and robot.meta["num_timesteps"] == 32
    for k in (0, 1):
        humanoid = read_checkpoint(out / f"humanoid_{k}" / "last.zip")
        assert humanoid.meta["agent"] == "human0"
        assert humanoid.meta["population"] == robot.meta["population"]
        played = sum(t["steps"] for t in turns if t["learner"] == f"humanoid_{k}")
        assert humanoid.meta["num_timesteps"] == played


def test_learned_humanoid_drives_the_humanoid_and_refuses_other_tasks(learn_pop):
    import gymnasium as gym

    out, _ = learn_pop
    humanoid = SB3Policy.from_checkpoint(out / "humanoid_0" / "last.zip")
    env = parallel_env("social_rearrange", split="val", **SHORT)
    obs, infos = env.reset(seed=2)
    humanoid.reset(env, 2)
    action = humanoid.act(obs["human0"], env)
    assert env.action_space("human0").contains(int(action))
    # the co-trained robot reads what the single-agent env gives it
    robot = SB3Policy.from_checkpoint(out / "robot" / "last.zip")
    robot.reset(gym.make("embodied/SocialRearrange-v1", split="val", **SHORT))
    with pytest.raises(ConfigError, match="social_rearrange"):
        humanoid.reset(parallel_env("social_nav", split="val", max_steps=20))


def test_zsc_adds_learned_humanoids_and_marks_the_robots_own_as_seen(learn_pop, tmp_path):
    out, _ = learn_pop
    result = tmp_path / "zsc.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "evaluate.py"), "task=social_rearrange",
         "task.config.action_mode=skills", "task.config.max_steps=120", "policy=ppo",
         f"checkpoint={out / 'robot' / 'last.zip'}", "zsc=true", "episodes=1", "split=val",
         f"zsc_humanoids=[{out / 'humanoid_1' / 'last.zip'}]", f"out={result}",
         "progress=false", f"hydra.run.dir={tmp_path / 'hydra'}"],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(result.read_text())
    assert data["trained_with"] == "learn_pop"
    label = f"{out.name}/humanoid_1"
    assert list(data["zsc"]) == [*(f"plan_pop_{p}" for p in (1, 2, 3, 4)), label]
    assert [row["seen"] for row in data["zsc"].values()] == [False] * 4 + [True]
    assert {"success", "relative_efficiency", "did_collide"} <= set(data["zsc"][label]["summary"])
    assert (tmp_path / f"zsc.{label.replace('/', '_')}.episodes.jsonl").is_file()
    # a robot's checkpoint cannot drive the humanoid
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "evaluate.py"), "task=social_rearrange",
         "task.config.action_mode=skills", "task.config.max_steps=120", "policy=rearrange_expert",
         "partner=learned", f"task.config.partner_checkpoint={out / 'robot' / 'last.zip'}",
         "episodes=1", "split=val", "progress=false", f"hydra.run.dir={tmp_path / 'hydra2'}"],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2 and "trained for the robot" in proc.stderr


def test_learned_partner_plays_as_it_does_through_the_parallel_env(learn_pop):
    """The task's ``learned`` partner (the partner registry, single-agent env) and the same
    humanoid policy driving the humanoid through the parallel env give the same episode."""
    import gymnasium as gym

    from embodied.evaluation import run_episode

    out, _ = learn_pop
    checkpoint = str(out / "humanoid_0" / "last.zip")
    robot = SB3Policy.from_checkpoint(out / "robot" / "last.zip")
    single = gym.make("embodied/SocialRearrange-v1", split="val", partner="learned",
                      partner_checkpoint=checkpoint, **SHORT)
    two = parallel_env("social_rearrange", split="val", **SHORT)
    for seed in (0, 4):
        a = run_episode(single, robot, seed)
        b = run_episode(two, robot, seed, humanoid_policy=SB3Policy.from_checkpoint(checkpoint))
        assert a["metrics"]["humanoid_distance"] > 0
        assert {k: b["metrics"][k] for k in a["metrics"]} == a["metrics"]
    with pytest.raises(ConfigError, match="partner_checkpoint"):
        gym.make("embodied/SocialRearrange-v1", partner="learned")


def test_cotraining_refuses_worker_processes(tmp_path):
    sys.path.insert(0, str(ROOT / "tests"))
    from test_train import tiny_cfg

    from embodied.training import train

    cfg = tiny_cfg(tmp_path, "task=social_rearrange", "task.config.action_mode=skills",
                   "partners=learn_single", "n_envs=2", "vec_env=subproc", "eval_every=0")
    with pytest.raises(ConfigError, match="vec_env=dummy"):
        train(cfg, tmp_path)
    with pytest.raises(ConfigError, match="partners"):
        train(tiny_cfg(tmp_path, "partners=learn_everyone"), tmp_path)


def test_a_cotrained_robot_takes_the_keyboard_viewers_robot_slot(learn_pop, tmp_path):
    """A person drives the humanoid (headless, scripted keys) beside the co-trained robot,
    which reads the single-agent observations it trained on; the session replays exactly."""
    from embodied.hitl.config import make_teleop_config
    from embodied.hitl.recording import read_recording
    from embodied.hitl.replay import replay
    from embodied.hitl.session import run_scripted

    out, _ = learn_pop
    script = tmp_path / "keys"
    script.write_text("0 w\n40 a\n80 esc\n")
    record = tmp_path / "session.jsonl"
    config = make_teleop_config(["task=social_rearrange", "seed=22", "task.config.max_steps=120",
                                 "robot_policy=ppo", f"checkpoint={out / 'robot' / 'last.zip'}"])
    run_scripted(config, script, record)
    rec = read_recording(record)
    assert rec.header["robot_policy"]["name"] == "ppo"
    assert any(s["a"] is not None for s in rec.episodes[0].steps), "the robot chose skills"
    assert replay(record)["identical"]
