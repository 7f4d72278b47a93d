"""Evaluation episodes on Ray actors.

Each actor holds its own environment and policy, built from the same configs the
sequential loop uses, and runs whole episodes: episode ``i`` has seed ``seed + i`` on
whichever actor runs it, and since the same seed and actions give the same episode in any
process, every episode's result is the sequential run's, bit for bit, whatever the number
of workers. The driver keeps every actor busy with one episode at a time, appends each
result to the episode log as it arrives (so an interrupted run keeps what finished), and
runs again elsewhere any episode whose actor died (a fresh actor takes its place).
"""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path
from typing import Any, Mapping

from embodied.cluster import ClusterError, connect, require_ray
from embodied.errors import ConfigError, check_range
from embodied.evaluation import EpisodeLog, episode_table

#: Actors that may die (and be replaced) in one evaluation, beyond one per worker.
SPARE_ACTORS = 8


class EpisodeRunner:
    """The work of one Ray actor: an environment and a policy, episode after episode."""

    def __init__(self, task_cfg: Mapping[str, Any], split: str, policy_cfg: Mapping[str, Any],
                 checkpoint: str | None):
        os.environ.setdefault("MUJOCO_GL", "egl")
        from embodied.config import make_env_factory
        from embodied.policies import make_policy

        self.env = make_env_factory(task_cfg, split)()
        self.policy = make_policy(policy_cfg, checkpoint=checkpoint)

    def run(self, index: int, seed: int) -> tuple[int, dict]:
        from embodied.evaluation import run_episode

        return index, run_episode(self.env, self.policy, seed)

    def where(self) -> tuple[int, str]:
        """This actor's process id and Ray node id."""
        import ray

        return os.getpid(), ray.get_runtime_context().get_node_id()


def evaluate_on_ray(task_cfg: Mapping[str, Any], split: str, policy_cfg: Mapping[str, Any],
                    episodes: int, seed: int = 0, checkpoint: str | None = None, workers: int = 2,
                    address: str | None = None, log: EpisodeLog | None = None,
                    progress: bool = True, on_started=None) -> dict:
    """Evaluate a policy (config ``policy_cfg``, learned ones from ``checkpoint``) on
    ``episodes`` episodes of the task ``task_cfg`` with ``workers`` Ray actors, on the
    cluster at ``address`` or a Ray started here; the same summary and per-episode results
    as :func:`embodied.evaluation.evaluate`. ``on_started(actors)`` is called once the
    actors exist (tests use it to kill one)."""
    ray = require_ray()
    check_range("workers", workers, 1, 10_000, integer=True)
    if not isinstance(episodes, int) or episodes < 1:
        raise ConfigError("episodes", episodes, reason="must be a positive integer")
    from tqdm.auto import tqdm

    if checkpoint is not None:
        checkpoint = str(Path(checkpoint).resolve())       # the actors' working folders differ
        if not Path(checkpoint).is_file():
            raise ConfigError("checkpoint", checkpoint, reason="no such file")
    results = dict(log.done) if log is not None else {}
    pending = deque(i for i in range(episodes) if i not in results)
    started = connect(address, workers)
    Runner = ray.remote(num_cpus=1, max_restarts=0)(EpisodeRunner)
    bar = tqdm(total=episodes, initial=len(results), desc="eval on ray", unit="ep",
               disable=not progress)
    running: dict = {}                 # future -> (actor, episode index)
    actors: list = []
    replaced = 0

    def new_actor():
        actors.append(Runner.remote(task_cfg, split, policy_cfg, checkpoint))
        return actors[-1]

    try:
        for _ in range(min(workers, max(len(pending), 1))):
            new_actor()
        if on_started is not None:
            on_started(list(actors))

        def give(actor) -> None:
            if pending:
                i = pending.popleft()
                running[actor.run.remote(i, seed + i)] = (actor, i)

        for actor in list(actors):
            give(actor)
        while running:
            (future,), _ = ray.wait(list(running), num_returns=1)
            actor, i = running.pop(future)
            try:
                index, result = ray.get(future)
            except ray.exceptions.RayTaskError as exc:    # the episode itself raised
                raise exc.as_instanceof_cause() from None
            except ray.exceptions.RayActorError as exc:   # the actor's process is gone
                replaced += 1
                if replaced > workers + SPARE_ACTORS:
                    raise ClusterError(f"{replaced} evaluation actors died; the last: {exc}") from None
                pending.appendleft(i)
                give(new_actor())
                continue
            results[index] = result
            if log is not None:
                log.add(index, result)
            bar.update(1)
            give(actor)
    finally:
        bar.close()
        for actor in actors:                      # on a shared cluster, leave nothing behind
            ray.kill(actor)
        if started:
            ray.shutdown()
    out = episode_table(results, episodes)
    out["actors_replaced"] = replaced
    return out


__all__ = ["EpisodeRunner", "SPARE_ACTORS", "evaluate_on_ray"]
