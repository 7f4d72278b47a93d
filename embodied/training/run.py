"""Training learned policies with Stable-Baselines3 (the engine of ``scripts/train.py``).

A run writes into its output folder::

    config.yaml            resolved run config (task, policy, training settings)
    tb/                    TensorBoard logs: SB3 losses, rollout/ep_rew_mean, task/<metric>
                           (means of info["metrics"] over episodes ended since the last log),
                           reward/<term> (means of the episodes' reward-term sums),
                           eval/<metric> (periodic evaluation on the val split)
    progress.csv           the same scalars as CSV
    checkpoints/step_N.zip periodic checkpoints; last.zip (most recent), best.zip (best
                           eval/<eval_metric>); each one self-contained
                           (see embodied.policies.learned.sb3)
    eval.json              every periodic evaluation (summary with 95% CIs)

Evaluation uses :func:`embodied.evaluation.evaluate` with the same task config (full
episodes) and seeds as ``scripts/evaluate.py``, so its numbers are the script's. Training
episodes may be shorter (``train_max_steps``); the reward is the task's. Ctrl-C stops
training and writes ``last.zip`` (every write is atomic: earlier checkpoints are never
left half-written).
"""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path
from typing import Any, Mapping

from embodied.errors import ConfigError
from embodied.io import write_json
from embodied.training.callbacks import callback_classes
from embodied.training.config import train_config_from
from embodied.training.vec_env import close_vec_env, make_vec_env, training_task_config

#: Demonstration episodes use train-split seeds from here on (seed * 10_000 further),
#: away from the seeds the RL environments start with.
DEMO_SEED_BASE = 500_000


class TrainingRun:
    """One training run: environments, model, logging, evaluation and checkpoints.

    With ``agent`` the policy learns to act for that agent of the task's parallel env
    (:class:`~embodied.envs.agent_env.AgentEnv`), beside the policies of ``partners``
    (``{agent: Policy}``; :meth:`set_partners` swaps them); its checkpoints name the agent
    and the ``population`` of policies it trained among, if given.
    """

    def __init__(self, cfg: Mapping[str, Any], out_dir: str | Path, agent: str | None = None,
                 partners: Mapping[str, Any] | None = None, population: str | None = None):
        from embodied.config import build_dataclass, make_env_factory, to_plain
        from embodied.policies.registry import trainable_policies

        self.cfg = to_plain(cfg)
        self.train = train_config_from(self.cfg)
        self.out_dir = Path(out_dir)
        policy = self.cfg.get("policy") or {}
        self.algorithm = policy.get("name")
        trainable = trainable_policies()
        if self.algorithm not in trainable:
            raise ConfigError("policy", self.algorithm, sorted(trainable),
                              reason="not a trainable policy")
        self.policy_config = build_dataclass(trainable[self.algorithm].config_class, policy.get("config"),
                                             "policy.config")
        self.task = dict(self.cfg["task"])
        self.agent = agent
        self.partners = dict(partners or {})
        self.population = population
        train_task = training_task_config(self.task, self.train.train_max_steps)
        if agent is None:
            self.train_make_env = make_env_factory(train_task, "train")
            self.eval_make_env = make_env_factory(self.task, self.train.eval_split)
        else:
            self.train_make_env = self._agent_env_factory(train_task, "train")
            self.eval_make_env = self._agent_env_factory(self.task, self.train.eval_split)
        self.venv = None
        self.model = None
        self.start_steps = 0
        self.best_score = -math.inf
        self.evaluations: list[dict] = []
        self.pretrain_summary: dict | None = None
        self.obs_stats_frozen = False
        self.learn_wall_s = 0.0           # time spent in learn() so far, over its calls
        self.learn_calls = 0

    def _agent_env_factory(self, task_cfg, split: str):
        """Envs of this run's agent beside its partners as they are when the env is made."""
        from embodied.config import make_env_factory
        from embodied.envs.agent_env import AgentEnv

        make_parallel = make_env_factory(task_cfg, split, parallel=True)
        return lambda: AgentEnv(make_parallel(), self.agent, self.partners)

    def set_partners(self, partners: Mapping[str, Any]) -> None:
        """The policies beside this run's agent from the next episode on."""
        self.partners = dict(partners)
        if self.venv is not None:
            self.venv.env_method("set_partners", self.partners)

    # -- setup --
    def build(self) -> None:
        """Create the vector envs and the model (new, or loaded from ``resume``)."""
        import torch
        from stable_baselines3.common.vec_env import VecNormalize

        torch.set_num_threads(self.train.torch_threads)
        t, pc = self.train, self.policy_config
        if self.agent is not None and (t.vec_env in ("subproc", "ray") or (
                t.vec_env == "auto" and t.n_envs > 1)):
            raise ConfigError("vec_env", t.vec_env, reason="a run beside partner policies "
                              "swaps them inside its envs: use vec_env=dummy")
        self.venv = make_vec_env(self.train_make_env, t.n_envs, t.vec_env, t.seed, t.ray.address)
        checkpoint = None
        if t.resume or t.init_from:
            from embodied.policies.learned.sb3 import read_checkpoint

            checkpoint = read_checkpoint(t.resume or t.init_from)
            checkpoint.check_compatible(self.task.get("name"), self.task.get("obs_mode", "state"),
                                        self.venv.observation_space, self.venv.action_space)
        if t.resume:
            pc = self.policy_config = checkpoint.config()
        if pc.normalize_obs or pc.normalize_reward:
            from embodied.policies.learned.sb3 import vector_keys

            self.venv = VecNormalize(self.venv, norm_obs=pc.normalize_obs,
                                     norm_reward=pc.normalize_reward, clip_obs=pc.clip_obs,
                                     gamma=pc.gamma,
                                     norm_obs_keys=vector_keys(self.venv.observation_space))
        if checkpoint is not None and checkpoint.normalization is not None and isinstance(
                self.venv, VecNormalize):
            checkpoint.normalization.apply_to(self.venv)
        if t.resume:
            self.model = checkpoint.load_model(env=self.venv)
            self.model.set_random_seed(t.seed)
            self.start_steps = int(self.model.num_timesteps)
        else:
            self.model = self._new_model()
        if t.init_from:
            try:
                self.model.policy.load_state_dict(checkpoint.load_model().policy.state_dict())
            except RuntimeError as exc:
                raise ConfigError("init_from", t.init_from, reason="its network does not match "
                                  f"policy.config (net_arch, activation, cnn_features): "
                                  f"{str(exc).splitlines()[0]}") from None
        from stable_baselines3.common.logger import configure

        self.model.set_logger(configure(str(self.out_dir / "tb"), ["tensorboard", "csv"]))
        self.obs_stats_frozen = self._freeze_obs_stats(checkpoint)
        if checkpoint is None and t.pretrain_demos:
            self.pretrain()
        elif t.init_from and t.eval_every:
            self.evaluate(self.model.logger)       # the starting point, a candidate best.zip
            self.model.logger.dump(0)
        if self.obs_stats_frozen:          # after cloning, which adds the demonstrations
            freeze_observation_statistics(self.venv)

    def _freeze_obs_stats(self, checkpoint) -> bool:
        mode = self.train.freeze_obs_stats
        if mode != "warm_start":
            return mode == "always"
        if self.train.resume:
            return bool(checkpoint.meta.get("obs_stats_frozen", False))
        return bool(self.train.init_from or self.train.pretrain_demos)

    def pretrain(self) -> dict:
        """Clone the expert's demonstrations into the new model (see imitation.py); log
        the losses, evaluate (if evaluations are on) and save ``pretrained.zip``."""
        from embodied.config import policy_config
        from embodied.policies.registry import make_policy
        from embodied.training.imitation import (collect_demonstrations, concatenate,
                                                 pretrain, update_statistics)

        t = self.train
        start = time.perf_counter()
        expert = make_policy(policy_config(t.pretrain_expert))
        demos = None
        for round_ in range(t.pretrain_dagger_rounds + 1):
            actor = self.current_policy() if round_ else None
            new = collect_demonstrations(self.train_make_env, expert, t.pretrain_demos,
                                         seed=DEMO_SEED_BASE + t.seed * 10_000 + round_ * 1000,
                                         progress=t.progress, actor=actor)
            update_statistics(self.venv, new)
            demos = new if demos is None else concatenate(demos, new)
            losses = pretrain(self.model, self.venv, demos, epochs=t.pretrain_epochs,
                              learning_rate=t.pretrain_lr, seed=t.seed)
        self.pretrain_summary = dict(losses, episodes=demos["episodes"],
                                     rounds=t.pretrain_dagger_rounds + 1,
                                     total_s=time.perf_counter() - start)
        logger = self.model.logger
        for key, value in self.pretrain_summary.items():
            logger.record(f"pretrain/{key}", value)
        if t.eval_every:
            self.evaluate(logger)
        logger.dump(0)
        self.save("pretrained.zip")
        return self.pretrain_summary

    def _new_model(self):
        from stable_baselines3 import PPO

        from embodied.policies.learned.sb3 import policy_kwargs

        pc, t = self.policy_config, self.train
        return PPO("MultiInputPolicy", self.venv, learning_rate=pc.learning_rate,
                   n_steps=pc.n_steps, batch_size=pc.batch_size, n_epochs=pc.n_epochs,
                   gamma=pc.gamma, gae_lambda=pc.gae_lambda, clip_range=pc.clip_range,
                   ent_coef=pc.ent_coef, vf_coef=pc.vf_coef, max_grad_norm=pc.max_grad_norm,
                   target_kl=pc.target_kl, policy_kwargs=policy_kwargs(pc), seed=t.seed,
                   device="cpu", verbose=0)

    # -- outputs --
    def meta(self) -> dict:
        """Checkpoint metadata: what the model was trained for, and with what."""
        from embodied.policies.learned.sb3 import describe_space
        from embodied.tasks.registry import get_task

        env = self.venv
        agent = {"agent": self.agent} if self.agent is not None else {}
        if self.population is not None:
            agent["population"] = self.population
        return {**agent, "algorithm": self.algorithm, "task": self.task.get("name"),
                "env_id": get_task(self.task.get("name")).env_id,
                "obs_mode": self.task.get("obs_mode", "state"),
                "observation_space": describe_space(env.observation_space),
                "action_space": describe_space(env.action_space),
                "policy_config": dataclasses.asdict(self.policy_config),
                "obs_stats_frozen": self.obs_stats_frozen,
                "run_config": self.cfg, "saved_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                  time.gmtime())}

    def save(self, name: str) -> Path:
        """Write a checkpoint under the output folder (atomically)."""
        from embodied.policies.learned.sb3 import save_checkpoint

        return save_checkpoint(self.out_dir / name, self.model, self.venv, self.meta())

    def current_policy(self, deterministic: bool | None = None):
        """The model being trained as a Policy (for this run's agent), with a snapshot of
        its normalisation; deterministic as the policy config says unless given."""
        from embodied.policies.learned.sb3 import Normalization, SB3Policy

        if deterministic is None:
            deterministic = self.policy_config.deterministic
        return SB3Policy(self.model, Normalization.from_vecnormalize(self.venv),
                         deterministic=deterministic, name=self.algorithm, agent=self.agent)

    def evaluate(self, logger=None) -> dict:
        """Evaluate on the eval split with :func:`embodied.evaluation.evaluate`; log it,
        append it to eval.json and keep the best model as best.zip."""
        from embodied.evaluation import evaluate
        from embodied.tasks.registry import get_task

        t = self.train
        start = time.perf_counter()
        result = evaluate(self.eval_make_env, self.current_policy(), t.eval_episodes,
                          seed=t.eval_seed, progress=False)
        summary = result["summary"]
        entry = {"steps": int(self.model.num_timesteps), "split": t.eval_split,
                 "episodes": t.eval_episodes, "wall_time_s": time.perf_counter() - start,
                 "summary": {k: v["mean"] for k, v in summary.items()},
                 "summary_ci95": {k: v["ci95"] for k, v in summary.items()}}
        self.evaluations.append(entry)
        write_json(self.out_dir / "eval.json", self.evaluations)
        if logger is not None:
            for key, value in entry["summary"].items():
                if math.isfinite(value):
                    logger.record(f"eval/{key}", value)
        metric = t.eval_metric or get_task(self.task.get("name")).task_class.primary_metric
        if metric not in entry["summary"]:
            raise ConfigError("eval_metric", metric, sorted(entry["summary"]),
                              reason="not a metric of this task's evaluation")
        score = entry["summary"][metric]
        if math.isfinite(score) and score > self.best_score:
            self.best_score = score
            self.save("best.zip")
        from tqdm.auto import tqdm

        keys = dict.fromkeys((metric, "finding_success", "following_rate", "collision",
                              "perturbation", "episode_return"))
        shown = ", ".join(f"{k}={entry['summary'][k]:.3f}" for k in keys if k in entry["summary"])
        tqdm.write(f"eval @ {entry['steps']} steps on {t.eval_split}: {shown}")
        return entry

    # -- training --
    def learn(self, steps: int | None = None) -> dict:
        """Train ``steps`` more steps (default: up to ``total_steps``); on Ctrl-C stop.
        Saves last.zip and returns a summary of the run so far."""
        from stable_baselines3.common.callbacks import CallbackList

        ProgressBar, TaskMetrics, Periodic, CriticWarmup = callback_classes()
        t = self.train
        callbacks = [TaskMetrics(), Periodic(self)]
        if t.critic_warmup_steps:
            callbacks.append(CriticWarmup(self.start_steps + t.critic_warmup_steps))
        if t.progress:
            callbacks.append(ProgressBar(t.total_steps))
        if steps is None:
            steps = t.total_steps - int(self.model.num_timesteps)
        interrupted = False
        start = time.perf_counter()
        try:
            if steps > 0:
                # a fresh run counts from 0 at its first call; later calls (phases) go on
                self.model.learn(steps, callback=CallbackList(callbacks),
                                 reset_num_timesteps=not (t.resume or self.learn_calls),
                                 tb_log_name="ppo", progress_bar=False)
        except KeyboardInterrupt:
            interrupted = True
        self.learn_wall_s += time.perf_counter() - start
        self.learn_calls += 1
        wall = self.learn_wall_s
        last = self.save("last.zip")
        steps = int(self.model.num_timesteps) - self.start_steps
        summary = {"steps": int(self.model.num_timesteps), "trained_steps": steps,
                   "wall_time_s": wall, "steps_per_s": steps / wall if wall > 0 else float("nan"),
                   "interrupted": interrupted, "last_checkpoint": str(last),
                   "n_envs": t.n_envs, "vec_env": t.vec_env}
        if self.pretrain_summary is not None:
            summary["pretrain"] = self.pretrain_summary
        write_json(self.out_dir / "train_summary.json", summary)
        return summary

    def close(self) -> None:
        if self.venv is not None:
            close_vec_env(self.venv)
            self.venv = None


def freeze_observation_statistics(venv) -> None:
    """Stop a VecNormalize's observation statistics from updating (returns still do)."""
    from stable_baselines3.common.vec_env import VecNormalize

    if isinstance(venv, VecNormalize) and venv.norm_obs:
        for rms in venv.obs_rms.values():
            rms.update = _no_update


def _no_update(*args, **kwargs) -> None:
    return None


def agent_partners(task_cfg: Mapping[str, Any], agent: str, partner_policy: str) -> dict:
    """``{other agent: policy}`` for every agent of the task's parallel env but ``agent``,
    each a new ``partner_policy`` (a ``policies/`` config: one acting for the robot, such
    as SocialNav's ``heuristic``)."""
    from embodied.config import make_env_factory, policy_config
    from embodied.errors import NotFoundError
    from embodied.policies import make_policy

    probe = make_env_factory(task_cfg, "train", parallel=True)()
    try:
        agents = list(probe.possible_agents)
    finally:
        probe.close()
    if agent not in agents:
        raise NotFoundError("agent", agent, agents)
    return {other: make_policy(policy_config(partner_policy)) for other in agents if other != agent}


def train(cfg: Mapping[str, Any], out_dir: str | Path) -> dict:
    """Build a run from the full config (``task``, ``policy`` and TrainConfig keys), train
    it, and return its summary (steps, wall time, last checkpoint, last evaluation)."""
    from omegaconf import OmegaConf

    from embodied.config import to_plain

    t = train_config_from(cfg)
    if t.partners != "task":
        from embodied.training.cotrain import cotrain

        return cotrain(cfg, out_dir)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if t.agent == "robot":
        run = TrainingRun(cfg, out_dir)
    else:
        run = TrainingRun(cfg, out_dir, agent=t.agent,
                          partners=agent_partners(to_plain(cfg)["task"], t.agent, t.partner_policy))
    from embodied.io import atomic_path

    with atomic_path(out_dir / "config.yaml") as tmp:
        OmegaConf.save(OmegaConf.create(to_plain(cfg)), tmp)
    try:
        run.build()
        summary = run.learn()
        if run.evaluations:
            summary["last_eval"] = run.evaluations[-1]
    finally:
        run.close()
    return summary
