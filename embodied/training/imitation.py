"""Warm-starting learned policies from an expert's demonstrations (behaviour cloning).

Habitat 3.0 trained its SocialNav policy with 1e9 steps of RL; on a 2-core CPU a few
million steps are what an hour buys. Cloning the privileged heuristic expert first (the
learner only sees its own observations) and fine-tuning with PPO from there turns the
hard exploration problem into a local improvement. ``collect_demonstrations`` records
(observation, action, reward) from expert episodes; ``pretrain`` fits the policy mean to
the expert's actions and the value function to the demonstrations' discounted
(normalised) returns, and loads the demonstrations into VecNormalize's statistics so
training continues with the same observation scaling.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from embodied.policies.base import Policy


def collect_demonstrations(make_env: Callable[[], Any], expert: Policy, steps: int,
                           seed: int = 0, progress: bool = False,
                           actor: Policy | None = None) -> dict:
    """Record ``expert``'s actions over ``steps`` environment steps (whole episodes, seeds
    ``seed``, ``seed + 1``, ...); return stacked observations (per key), expert actions,
    rewards and episode-end flags.

    With ``actor`` (DAgger) the actor drives and the expert only labels the states the
    actor visits, so the learner is taught how to recover from its own mistakes. The
    expert must compute its action from the current state alone (the heuristic does)."""
    from tqdm.auto import tqdm

    env = make_env()
    obs_lists: dict[str, list] = {}
    actions, rewards, ends = [], [], []
    episode = 0
    bar = tqdm(total=steps, desc="demonstrations", unit="step", disable=not progress)
    try:
        while len(actions) < steps:
            obs, _ = env.reset(seed=seed + episode)
            expert.reset(env, seed + episode)
            if actor is not None:
                actor.reset(env, seed + episode)
            done = False
            while not done:
                action = np.asarray(expert.act(obs, env), dtype=np.float32)
                for key, value in obs.items():
                    obs_lists.setdefault(key, []).append(np.asarray(value))
                actions.append(action)
                if actor is not None:
                    action = np.asarray(actor.act(obs, env), dtype=np.float32)
                obs, reward, terminated, truncated, _ = env.step(action)
                rewards.append(float(reward))
                done = terminated or truncated
                ends.append(done)
                bar.update(1)
            episode += 1
    finally:
        bar.close()
        env.close()
    return {"obs": {k: np.stack(v) for k, v in obs_lists.items()},
            "actions": np.stack(actions), "rewards": np.asarray(rewards),
            "ends": np.asarray(ends), "episodes": episode}


def concatenate(a: dict, b: dict) -> dict:
    """Two demonstration sets as one."""
    return {"obs": {k: np.concatenate([a["obs"][k], b["obs"][k]]) for k in a["obs"]},
            **{k: np.concatenate([a[k], b[k]]) for k in ("actions", "rewards", "ends")},
            "episodes": a["episodes"] + b["episodes"]}


def discounted_returns(rewards: np.ndarray, ends: np.ndarray, gamma: float) -> np.ndarray:
    """Monte-Carlo discounted returns, restarting at each episode end."""
    out = np.zeros_like(rewards, dtype=np.float64)
    running = 0.0
    for i in range(len(rewards) - 1, -1, -1):
        if ends[i]:
            running = 0.0
        running = rewards[i] + gamma * running
        out[i] = running
    return out


def update_statistics(venv, demos: dict) -> None:
    """Add the demonstrations to a VecNormalize's observation and return statistics."""
    from stable_baselines3.common.vec_env import VecNormalize

    if not isinstance(venv, VecNormalize):
        return
    if venv.norm_obs:
        for key in venv.norm_obs_keys:
            venv.obs_rms[key].update(demos["obs"][key].astype(np.float64))
    if venv.norm_reward:
        running, returns = 0.0, []
        for r, end in zip(demos["rewards"], demos["ends"]):
            running = running * venv.gamma + r
            returns.append(running)
            if end:
                running = 0.0
        venv.ret_rms.update(np.asarray(returns))


def pretrain(model, venv, demos: dict, epochs: int = 10, batch_size: int = 256,
             learning_rate: float = 1e-3, seed: int = 0) -> dict:
    """Behaviour cloning of ``demos`` into an SB3 on-policy ``model`` (in place).

    If ``venv`` is a VecNormalize the model learns from observations (and returns)
    normalised with its current statistics, exactly as PPO will see them (call
    :func:`update_statistics` with new demonstrations first). Returns the final action
    and value losses.
    """
    import torch
    from stable_baselines3.common.vec_env import VecNormalize

    obs = {k: v.astype(np.float32) if v.dtype != np.uint8 else v for k, v in demos["obs"].items()}
    rewards = demos["rewards"].astype(np.float64)
    if isinstance(venv, VecNormalize):
        if venv.norm_obs:
            obs = {k: np.asarray(v, dtype=np.float32) if v.dtype != np.uint8 else v
                   for k, v in venv.normalize_obs(obs).items()}
        if venv.norm_reward:
            rewards = np.clip(rewards / np.sqrt(venv.ret_rms.var + venv.epsilon),
                              -venv.clip_reward, venv.clip_reward)
    targets_v = discounted_returns(rewards, demos["ends"], model.gamma)
    import gymnasium as gym

    # a Discrete choice (a skill) is cloned by cross-entropy on the policy's logits, a Box
    # action by the squared error of the Gaussian's mean
    discrete = isinstance(model.action_space, gym.spaces.Discrete)
    actions = demos["actions"].reshape(-1) if discrete else np.clip(demos["actions"], -1.0, 1.0)
    policy = model.policy
    policy.set_training_mode(True)
    optimizer = torch.optim.Adam(policy.parameters(), lr=learning_rate)
    rng = np.random.default_rng(seed)
    n = len(actions)
    action_loss = value_loss = float("nan")
    for _ in range(epochs):
        order = rng.permutation(n)
        a_losses, v_losses = [], []
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            batch = policy.obs_to_tensor({k: v[idx] for k, v in obs.items()})[0]
            features = policy.extract_features(batch)
            if policy.share_features_extractor:
                latent_pi, latent_vf = policy.mlp_extractor(features)
            else:
                pi_features, vf_features = features
                latent_pi = policy.mlp_extractor.forward_actor(pi_features)
                latent_vf = policy.mlp_extractor.forward_critic(vf_features)
            out = policy.action_net(latent_pi)
            value = policy.value_net(latent_vf).squeeze(-1)
            if discrete:
                a_loss = torch.nn.functional.cross_entropy(
                    out, torch.as_tensor(actions[idx], dtype=torch.long))
            else:
                a_loss = torch.mean((out - torch.as_tensor(actions[idx])) ** 2)
            v_loss = torch.mean((value - torch.as_tensor(targets_v[idx], dtype=torch.float32)) ** 2)
            loss = a_loss + 0.5 * v_loss
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
            optimizer.step()
            a_losses.append(float(a_loss.detach()))
            v_losses.append(float(v_loss.detach()))
        action_loss, value_loss = float(np.mean(a_losses)), float(np.mean(v_losses))
    policy.set_training_mode(False)
    return {"action_cross_entropy" if discrete else "action_mse": action_loss,
            "value_mse": value_loss, "samples": n}
