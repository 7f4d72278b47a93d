"""Running policies over episodes and summarising task metrics with confidence intervals.

One code path evaluates every policy (random, heuristic, learned, planners), so their
numbers are comparable: episode ``i`` of a split always uses seed ``seed + i``, hence the
same home, start poses and humanoid behaviour for every policy.
"""

from __future__ import annotations

import math
import time
from typing import Callable

import gymnasium as gym
import numpy as np

from embodied.errors import ConfigError
from embodied.policies.base import Policy


def mean_ci95(values) -> tuple[float, float]:
    """Mean and the half-width of its 95% confidence interval (Student t; nan values dropped)."""
    x = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if len(x) == 0:
        return float("nan"), float("nan")
    if len(x) == 1:
        return float(x[0]), float("nan")
    from scipy import stats

    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return float(x.mean()), float(half)


def summarize(episodes: list[dict]) -> dict[str, dict[str, float]]:
    """Per metric: mean, 95% CI half-width and count, over the episodes' metrics."""
    keys = sorted({k for ep in episodes for k in ep["metrics"]})
    out = {}
    for key in keys:
        values = [ep["metrics"].get(key) for ep in episodes]
        mean, ci = mean_ci95(values)
        out[key] = {"mean": mean, "ci95": ci,
                    "n": int(sum(v is not None and np.isfinite(v) for v in values))}
    return out


def run_episode(env: gym.Env, policy: Policy, seed: int,
                on_frame: Callable[[gym.Env], None] | None = None) -> dict:
    """Run one episode to its end; return its seed, length, return and final metrics."""
    obs, info = env.reset(seed=seed)
    policy.reset(env, seed)
    total, steps, start = 0.0, 0, time.perf_counter()
    if on_frame:
        on_frame(env)
    while True:
        obs, reward, terminated, truncated, info = env.step(policy.act(obs, env))
        total += float(reward)
        steps += 1
        if on_frame:
            on_frame(env)
        if terminated or truncated:
            break
    if "metrics" not in info:
        raise ConfigError("task", env.spec.id if env.spec else type(env).__name__,
                          reason="the environment reported no info['metrics'] at episode end")
    metrics = dict(info["metrics"])
    task = getattr(env.unwrapped, "task", None)
    if task is not None:
        metrics.update(task.evaluation_metrics(metrics))
    return {"seed": seed, "steps": steps, "return": total, "metrics": metrics,
            "wall_time_s": time.perf_counter() - start}


def evaluate(make_env: Callable[[], gym.Env], policy: Policy, episodes: int, seed: int = 0,
             progress: bool = True, video_episodes: int = 0,
             video_path: Callable[[int], str] | None = None) -> dict:
    """Evaluate ``policy`` on ``episodes`` episodes; return summary + per-episode results.

    The first ``video_episodes`` episodes are rendered (``env.render()`` with render_mode
    ``rgb_array``) to ``video_path(i)``.
    """
    if not isinstance(episodes, int) or episodes < 1:
        raise ConfigError("episodes", episodes, reason="must be a positive integer")
    from tqdm.auto import tqdm

    from embodied.sim.video import VideoWriter

    env = make_env()
    results = []
    try:
        bar = tqdm(range(episodes), desc=f"eval {policy.name}", disable=not progress, unit="ep")
        for i in bar:
            if i < video_episodes and video_path is not None:
                with VideoWriter(video_path(i), fps=round(1.0 / env.unwrapped.dt)) as video:
                    result = run_episode(env, policy, seed + i,
                                         on_frame=lambda e: video.append(e.render()))
                result["video"] = str(video_path(i))
            else:
                result = run_episode(env, policy, seed + i)
            results.append(result)
            m = result["metrics"]
            bar.set_postfix({k: f"{np.nanmean([r['metrics'].get(k, np.nan) for r in results]):.2f}"
                             for k in list(m)[:3]})
    finally:
        env.close()
    return {"summary": summarize(results), "episodes": results}
