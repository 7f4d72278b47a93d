"""The released SocialNav policy loads from its shipped config and acts in the env."""

import numpy as np
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
