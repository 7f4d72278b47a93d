"""The released policies load from their shipped configs and act in their envs."""

import numpy as np
import pytest
from omegaconf import OmegaConf

from embodied.config import config_dir, make_env_factory
from embodied.evaluation import evaluate
from embodied.policies import make_policy


def test_released_social_nav_policy_runs():
    cfg = OmegaConf.load(config_dir("policies") / "social_nav_ppo.yaml")
    policy = make_policy(cfg)
    task = {"name": "social_nav", "obs_mode": "state", "config": {"max_steps": 30}}
    make_env = make_env_factory(task, "val")
    result = evaluate(make_env, policy, episodes=1, seed=3, progress=False)
    assert result["episodes"][0]["steps"] == 30
    env = make_env()
    obs, _ = env.reset(seed=3)
    policy.reset(env, 3)
    action = policy.act(obs, env)
    assert action.shape == (2,) and np.all(np.abs(action) <= 1.0)
    env.close()


def test_released_plan_pop_robots_load_and_refuse_another_task():
    """The released SocialRearrange robots (trained with Plan-Pop 1 and 3) act in skills
    mode, and their checkpoints refuse an env of another task, naming the mismatch."""
    from embodied.errors import ConfigError

    for p in (1, 3):
        policy = make_policy(OmegaConf.load(config_dir("policies") / f"rearrange_plan_pop_{p}.yaml"))
        task = {"name": "social_rearrange", "config": {"action_mode": "skills", "partner": "plan_pop_4"}}
        env = make_env_factory(task, "val")()
        obs, _ = env.reset(seed=1)
        policy.reset(env, 1)
        assert env.action_space.contains(int(policy.act(obs, env)))
        env.close()
        nav = make_env_factory({"name": "social_nav", "config": {"max_steps": 5}}, "val")()
        nav.reset(seed=0)
        with pytest.raises(ConfigError, match="trained for task 'social_rearrange'"):
            policy.reset(nav, 0)
        nav.close()


def test_released_social_nav_humanoid_walks_the_humanoid_and_refuses_the_robots_env():
    """The released learned SocialNav humanoid acts for ``human0`` in the parallel env
    with errands on, and refuses the single-agent env (the robot's), naming why."""

    from embodied.envs import parallel_env
    from embodied.errors import ConfigError

    policy = make_policy(OmegaConf.load(config_dir("policies") / "social_nav_humanoid.yaml"))
    env = parallel_env("social_nav", split="val", humanoid_objective="errands", max_steps=30)
    obs, _ = env.reset(seed=2)
    policy.reset(env, 2)
    action = policy.act(obs["human0"], env)
    assert env.action_space("human0").contains(np.asarray(action, np.float32))
    robot_env = make_env_factory({"name": "social_nav", "config": {"max_steps": 5}}, "val")()
    robot_env.reset(seed=0)
    with pytest.raises(ConfigError, match="acts for 'human0' of a parallel env"):
        policy.reset(robot_env, 0)
    robot_env.close()


@pytest.mark.parametrize("run, humanoid", [("learn_single", "humanoid"), ("learn_pop", "humanoid_0")])
def test_released_cotrained_pair_plays_together(run, humanoid):
    """A released co-trained robot acts in the single-agent env beside its released
    humanoid as the ``learned`` partner (named relative to ``policies/``), and both
    checkpoints record the same population."""
    from embodied.policies.learned.sb3 import read_checkpoint

    folder = config_dir("policies")
    robot = make_policy(OmegaConf.load(folder / f"rearrange_{run}_robot.yaml"))
    task = {"name": "social_rearrange", "config": {
        "action_mode": "skills", "max_steps": 200, "partner": "learned",
        "partner_checkpoint": f"rearrange_{run}_{humanoid}.zip"}}
    result = evaluate(make_env_factory(task, "val"), robot, episodes=1, seed=1, progress=False)
    assert result["episodes"][0]["steps"] > 0
    metas = [read_checkpoint(folder / f"rearrange_{run}_{a}.zip").meta for a in ("robot", humanoid)]
    assert [m["agent"] for m in metas] == ["robot", "human0"]
    assert metas[0]["population"] == metas[1]["population"]
