"""Running policies over episodes and summarising task metrics with confidence intervals.

One code path evaluates every policy (random, heuristic, learned, planners), so their
numbers are comparable: episode ``i`` of a split always uses seed ``seed + i``, hence the
same home, start poses and humanoid behaviour for every policy.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Callable

import gymnasium as gym
import numpy as np

from embodied.errors import ConfigError
from embodied.io import json_default
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
                on_frame: Callable[[gym.Env], None] | None = None,
                humanoid_policy: Policy | None = None) -> dict:
    """Run one episode to its end; return its seed, length, return and final metrics (with
    the policy's own, if it measures any). A policy that gives up
    (:class:`~embodied.policies.base.PolicyAbort`) ends the episode there: ``aborted``
    names why. With ``humanoid_policy``, ``env`` is a parallel env
    (:func:`embodied.envs.parallel_env`) and that policy drives the humanoid (its own
    metrics prefixed ``humanoid_``)."""
    from embodied.policies.base import PolicyAbort

    if humanoid_policy is not None:
        return _run_two_agent_episode(env, policy, humanoid_policy, seed, on_frame)
    obs, info = env.reset(seed=seed)
    policy.reset(env, seed)
    total, steps, start = 0.0, 0, time.perf_counter()
    aborted = None
    if on_frame:
        on_frame(env)
    while True:
        try:
            action = policy.act(obs, env)
        except PolicyAbort as exc:           # the episode ends here, not done
            aborted = str(exc)
            info = {"metrics": env.unwrapped.task.episode_metrics()}
            break
        obs, reward, terminated, truncated, info = env.step(action)
        total += float(reward)
        steps += 1
        if on_frame:
            on_frame(env)
        if terminated or truncated:
            break
    return _episode_result(env, info, {"": policy}, seed, steps, total, start, aborted)


def _run_two_agent_episode(env, policy: Policy, humanoid_policy: Policy, seed: int,
                           on_frame) -> dict:
    """:func:`run_episode` with the robot and the humanoid each driven by its policy
    (asked only when its decision counts: a parallel env in skills mode ignores the
    action of an agent whose skill still runs)."""
    from embodied.envs.agent_env import idle_action
    from embodied.policies.base import PolicyAbort

    robot, humanoid = env.possible_agents[:2]
    obs, infos = env.reset(seed=seed)
    policy.reset(env, seed)
    humanoid_policy.reset(env, seed)
    total, steps, start, aborted = 0.0, 0, time.perf_counter(), None
    if on_frame:
        on_frame(env)
    while env.agents:
        actions = {}
        try:
            for agent, driver in ((robot, policy), (humanoid, humanoid_policy)):
                if infos[agent].get("deciding", True):
                    actions[agent] = driver.act(obs[agent], env)
                else:                        # ignored this step: any valid action
                    actions[agent] = idle_action(env.action_space(agent))
        except PolicyAbort as exc:
            aborted = f"{agent}: {exc}"
            infos = {robot: {"metrics": env.unwrapped.task.episode_metrics()}}
            break
        obs, rewards, _, _, infos = env.step(actions)
        total += float(rewards[robot])
        steps += 1
        if on_frame:
            on_frame(env)
    return _episode_result(env, infos[robot], {"": policy, "humanoid_": humanoid_policy},
                           seed, steps, total, start, aborted)


def _episode_result(env, info: dict, policies: dict[str, Policy], seed: int, steps: int,
                    total: float, start: float, aborted: str | None) -> dict:
    """The result of an ended episode: the task's metrics, evaluation's, each policy's own
    (under its prefix), and why it was aborted if it was."""
    if "metrics" not in info:
        spec = getattr(env, "spec", None)
        raise ConfigError("task", spec.id if spec else type(env).__name__,
                          reason="the environment reported no info['metrics'] at episode end")
    metrics = dict(info["metrics"])
    task = getattr(env.unwrapped, "task", None)
    if task is not None:
        metrics.update(task.evaluation_metrics(metrics))
    measured = False
    for prefix, policy in policies.items():
        planned = policy.episode_metrics() if hasattr(policy, "episode_metrics") else {}
        metrics.update({prefix + k: v for k, v in planned.items()})
        measured = measured or bool(planned)
    if measured or aborted is not None:
        metrics["aborted"] = float(aborted is not None)
    result = {"seed": seed, "steps": steps, "return": total, "metrics": metrics,
              "wall_time_s": time.perf_counter() - start}
    if aborted is not None:
        result["aborted"] = aborted
    return result


class EpisodeLog:
    """Episode results appended to a JSON-lines file as they finish, so that an
    interrupted evaluation keeps every finished episode and ``resume`` continues it.

    The first line names the run (``run``: task, policy, split, seed ...); each further
    line is one episode ``{"index": i, "result": {...}}``, flushed and synced to disk as
    it is written. Resuming checks the run is the same and keeps what the file holds (a
    last line cut short by the interruption is dropped). Without ``resume`` the log starts
    afresh, except over a log of another run (or of more episodes), which is refused rather
    than overwritten.
    """

    def __init__(self, path: str | os.PathLike, run: dict, episodes: int, resume: bool = False):
        self.path = Path(path)
        self.run = json.loads(json.dumps(run, default=str))
        self.done: dict[int, dict] = {}
        if self.path.exists():
            header, done = self._read()
            if resume:
                if header != self.run:
                    raise ConfigError("resume", str(self.path), reason="the log is of another "
                                      f"run ({_difference(header, self.run)}); resume with the "
                                      "same task, policy, split and seed, or use another out")
                self.done = done
            elif done and (header != self.run or max(done) >= episodes):
                raise ConfigError("out", str(self.path), reason=f"holds {len(done)} episodes of "
                                  "another run, which this one would overwrite; use another out "
                                  "or remove the file")
        elif resume:
            raise ConfigError("resume", str(self.path), reason="no episode log to resume")
        self._rewrite()

    def _read(self) -> tuple[dict | None, dict[int, dict]]:
        header, done = None, {}
        with open(self.path, encoding="utf-8") as f:
            for number, line in enumerate(f):
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    break                     # cut short by an interruption: the rest is lost
                if number == 0:
                    header = entry.get("run")
                else:
                    done[int(entry["index"])] = entry["result"]
        return header, done

    def _rewrite(self) -> None:
        """The log as it stands (header and kept episodes), atomically."""
        from embodied.io import atomic_path

        with atomic_path(self.path) as tmp:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(json.dumps({"run": self.run}) + "\n")
                for index in sorted(self.done):
                    f.write(json.dumps({"index": index, "result": self.done[index]},
                                       default=json_default) + "\n")
                f.flush()
                os.fsync(f.fileno())

    def add(self, index: int, result: dict) -> None:
        """Append episode ``index``'s result (synced before returning)."""
        self.done[index] = result
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"index": index, "result": result}, default=json_default) + "\n")
            f.flush()
            os.fsync(f.fileno())


def _difference(a: dict | None, b: dict) -> str:
    if not isinstance(a, dict):
        return "no run header"
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return ", ".join(f"{k}: {a.get(k)!r} there, {b.get(k)!r} now" for k in keys[:3])


def episode_table(results: dict[int, dict], episodes: int) -> dict:
    """Summary and per-episode results (in episode order) of ``results`` by index."""
    ordered = [results[i] for i in range(episodes)]
    return {"summary": summarize(ordered), "episodes": ordered}


def evaluate(make_env: Callable[[], gym.Env], policy: Policy, episodes: int, seed: int = 0,
             progress: bool = True, video_episodes: int = 0,
             video_path: Callable[[int], str] | None = None, log: EpisodeLog | None = None,
             humanoid_policy: Policy | None = None) -> dict:
    """Evaluate ``policy`` on ``episodes`` episodes; return summary + per-episode results.
    With ``humanoid_policy``, ``make_env`` makes a parallel env and that policy drives its
    humanoid (:func:`run_episode`).

    Episode ``i`` has seed ``seed + i``. The first ``video_episodes`` episodes are rendered
    (``env.render()`` with render_mode ``rgb_array``) to ``video_path(i)``. With a ``log``,
    each finished episode is appended to it and episodes it already holds are not run.
    """
    if not isinstance(episodes, int) or episodes < 1:
        raise ConfigError("episodes", episodes, reason="must be a positive integer")
    from tqdm.auto import tqdm

    from embodied.sim.video import VideoWriter

    results = dict(log.done) if log is not None else {}
    todo = [i for i in range(episodes) if i not in results]
    env = make_env() if todo else None
    try:
        bar = tqdm(total=episodes, initial=episodes - len(todo), desc=f"eval {policy.name}",
                   disable=not progress, unit="ep")
        for i in todo:
            if i < video_episodes and video_path is not None:
                with VideoWriter(video_path(i), fps=round(1.0 / env.unwrapped.dt)) as video:
                    result = run_episode(env, policy, seed + i,
                                         on_frame=lambda e: video.append(e.render()),
                                         humanoid_policy=humanoid_policy)
                result["video"] = str(video_path(i))
            else:
                result = run_episode(env, policy, seed + i, humanoid_policy=humanoid_policy)
            results[i] = result
            if log is not None:
                log.add(i, result)
            bar.update(1)
            m = result["metrics"]
            bar.set_postfix({k: f"{np.nanmean([r['metrics'].get(k, np.nan) for r in results.values()]):.2f}"
                             for k in list(m)[:3]})
        bar.close()
    finally:
        if env is not None:
            env.close()
    return episode_table(results, episodes)
