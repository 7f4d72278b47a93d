"""The robot trained beside learned humanoids: Habitat 3.0's Learn-Single and Learn-Pop.

    python scripts/train.py task=social_rearrange task.config.action_mode=skills policy=ppo \\
        partners=learn_pop pool_size=8 partner_updates=20 n_envs=1 vec_env=dummy out_dir=runs/lp8

``partners=learn_single``: the robot and one humanoid policy learn together.
``partners=learn_pop``: the robot learns beside a pool of ``pool_size`` humanoid policies
(each started from its own seed), each learning too; the one in play is drawn anew
(seeded) every ``partner_updates`` robot updates. Robot and humanoids share the task's
reward (SocialRearrange's team reward) and act through the task's parallel env
(:class:`~embodied.envs.agent_env.AgentEnv`), the robot on the observations its
single-agent env gives it, so a co-trained robot is evaluated like any other
(``scripts/evaluate.py ... zsc=true``).

How they learn together: in turns. The robot trains for ``partner_updates`` PPO updates
beside the humanoid in play, whose policy stays fixed meanwhile (its actions sampled);
then that humanoid trains as many updates beside the robot, fixed in turn. Habitat 3.0
updates both from the same rollouts; turns keep each learner's world stationary over an
update and fit SB3's one-model-per-env training, for half the experience per learner.
The robot's warm start (``pretrain_demos``, ``pretrain_expert``) is collected beside the
first humanoid; the humanoids start from scratch, as Habitat 3.0's do.

Written to ``out_dir``: ``robot/`` (its run: last.zip, progress.csv, tb/ ...),
``humanoid_K/`` (each humanoid's run; its checkpoints name their agent, ``human0``, so
``humanoid_policy=`` of ``scripts/evaluate.py`` drives the humanoid with them), and
``cotrain.json`` (every turn: who learned beside whom, steps, wall time, the mean return
of the learner's last 100 training episodes). The robot's training curves (task success
...) are its ``robot/progress.csv``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from embodied.errors import ConfigError
from embodied.io import write_json
from embodied.training.config import train_config_from
from embodied.training.run import TrainingRun

#: The robot's agent name in the parallel envs.
ROBOT = "robot"


def humanoid_run_config(cfg: Mapping[str, Any], index: int) -> dict:
    """The run config of pool member ``index``: its own seed, no warm start, no periodic
    evaluation (the robot's evaluation measures the team)."""
    return dict(cfg, seed=int(cfg.get("seed", 0)) + 1 + index, pretrain_demos=0,
                critic_warmup_steps=0, eval_every=0, checkpoint_every=0)


def population_id(cfg: Mapping[str, Any]) -> str:
    """A name for the policies of one co-training run, the same in all their checkpoints
    (ZSC marks the robot's own partners as seen by it): the partners setting and a digest
    of the run config, wherever the run was written."""
    import hashlib
    import json

    settings = {k: v for k, v in cfg.items() if k not in ("out_dir", "progress")}
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()
    return f"{cfg.get('partners')}-{digest[:12]}"


class CoTraining:
    """A Learn-Single or Learn-Pop run (see the module docs)."""

    def __init__(self, cfg: Mapping[str, Any], out_dir: str | Path):
        from embodied.config import make_env_factory, to_plain

        self.cfg = to_plain(cfg)
        self.train = train_config_from(self.cfg)
        if self.train.partners == "task":
            raise ConfigError("partners", "task", reason="co-training needs learned partners "
                              "(learn_single or learn_pop)")
        self.out_dir = Path(out_dir)
        probe = make_env_factory(self.cfg["task"], "train", parallel=True)()
        try:
            self.humanoid = next(a for a in probe.possible_agents if a != ROBOT)
        finally:
            probe.close()
        size = 1 if self.train.partners == "learn_single" else self.train.pool_size
        self.population = population_id(self.cfg)
        self.humanoids = [TrainingRun(humanoid_run_config(self.cfg, k), self.out_dir / f"humanoid_{k}",
                                      agent=self.humanoid, population=self.population)
                          for k in range(size)]
        self.robot = TrainingRun(self.cfg, self.out_dir / "robot", agent=ROBOT,
                                 population=self.population)
        self.turns: list[dict] = []

    def turn_steps(self) -> int:
        """Env steps of one learner's turn: ``partner_updates`` PPO rollouts."""
        pc = self.robot.policy_config
        return self.train.partner_updates * pc.n_steps * self.train.n_envs

    def run(self) -> dict:
        """Train in turns up to the robot's ``total_steps``; returns the summary (also in
        ``cotrain.json`` and ``robot/train_summary.json``)."""
        t, robot = self.train, self.robot
        rng = np.random.default_rng(t.seed)
        start = time.perf_counter()
        for h in self.humanoids:
            h.build()
        robot.set_partners({self.humanoid: self.humanoids[0].current_policy(deterministic=False)})
        robot.build()
        interrupted = False
        while not interrupted and robot.model.num_timesteps < t.total_steps:
            k = int(rng.integers(len(self.humanoids))) if len(self.humanoids) > 1 else 0
            partner = self.humanoids[k]
            steps = min(self.turn_steps(), t.total_steps - int(robot.model.num_timesteps))
            for learner, other, name in ((robot, partner, ROBOT), (partner, robot, f"humanoid_{k}")):
                learner.set_partners({other.agent: other.current_policy(deterministic=False)})
                began = time.perf_counter()
                summary = learner.learn(steps)
                self.turns.append({"learner": name, "partner": k, "steps": steps,
                                   "total_steps": int(learner.model.num_timesteps),
                                   "wall_time_s": time.perf_counter() - began,
                                   **_recent_episodes(learner)})
                if summary["interrupted"]:
                    interrupted = True
                    break
        for h in self.humanoids:
            h.learn(0)                      # last.zip of every humanoid, trained or not
        # the robot's summary (what scripts/train.py prints), with the turns beside it
        result = dict(robot.learn(0), interrupted=interrupted, partners=t.partners,
                      pool_size=len(self.humanoids), humanoid=self.humanoid,
                      turn_steps=self.turn_steps(), cotrain_wall_time_s=time.perf_counter() - start,
                      turns=self.turns)
        write_json(self.out_dir / "cotrain.json", result)
        return result

    def close(self) -> None:
        for run in (self.robot, *self.humanoids):
            run.close()


def _recent_episodes(run: TrainingRun) -> dict:
    """Mean return of ``run``'s last 100 training episodes (SB3's episode buffer)."""
    episodes = list(run.model.ep_info_buffer or [])
    if not episodes:
        return {}
    return {"episodes": len(episodes),
            "episode_return": float(np.mean([e["r"] for e in episodes]))}


def cotrain(cfg: Mapping[str, Any], out_dir: str | Path) -> dict:
    """Build a co-training run from the full config and run it (``scripts/train.py``
    with ``partners=learn_single`` or ``learn_pop``)."""
    from omegaconf import OmegaConf

    from embodied.config import to_plain
    from embodied.io import atomic_path

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with atomic_path(out_dir / "config.yaml") as tmp:
        OmegaConf.save(OmegaConf.create(to_plain(cfg)), tmp)
    run = CoTraining(cfg, out_dir)
    try:
        return run.run()
    finally:
        run.close()
