"""Training learned policies with Stable-Baselines3 (the engine of ``scripts/train.py``).

A run writes into its output folder::

    config.yaml            resolved run config (task, policy, training settings)
    tb/                    TensorBoard logs: SB3 losses, rollout/ep_rew_mean, task/<metric>
                           (means of info["metrics"] over episodes ended since the last log),
                           eval/<metric> (periodic evaluation on the val split)
    progress.csv           the same scalars as CSV
    checkpoints/step_N.zip periodic checkpoints; last.zip (most recent), best.zip (best
                           eval/<eval_metric>); each one self-contained (see sb3.py)
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
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from embodied.errors import ConfigError, check_choice, check_range
from embodied.io import write_json
from embodied.scenes.splits import SPLITS

VEC_ENVS = ("auto", "subproc", "dummy")
FREEZE_OBS_STATS = ("warm_start", "always", "never")
#: Demonstration episodes use train-split seeds from here on (seed * 10_000 further),
#: away from the seeds the RL environments start with.
DEMO_SEED_BASE = 500_000


@dataclass(frozen=True)
class TrainConfig:
    """Settings of a training run (top-level keys of ``scripts/train.py``).

    Args:
        seed: seeds the model, the training environments (env i gets ``seed + i`` first,
            then its own seeded sequence) and nothing else; evaluation seeds are fixed.
        total_steps: environment steps to train for (all envs together; a resumed run
            continues up to this total).
        n_envs, vec_env: parallel environments; ``subproc`` runs each in a process,
            ``dummy`` in this process, ``auto`` picks ``subproc`` when ``n_envs > 1``.
        train_max_steps: length of training episodes (None: the task's ``max_steps``).
        eval_every, eval_episodes, eval_split, eval_seed: periodic evaluation (0: never).
        eval_metric: the evaluation metric that selects ``best.zip``.
        checkpoint_every: steps between periodic checkpoints (0: only the last).
        resume: a checkpoint to continue from (model, optimiser-free hyperparameters and
            normalisation statistics); the run's task and spaces must match it.
        critic_warmup_steps: steps at the start of a run during which only the value
            function learns (the actor is frozen), so a warm-started policy is not pushed
            around by the advantages of an untrained critic.
        freeze_obs_stats: when VecNormalize's observation statistics stop updating:
            ``warm_start`` (default) keeps them as cloned/loaded in runs that start from
            a pretrained policy (with moving statistics a cloned actor sees rescaled
            inputs and degrades even with frozen weights), ``always`` or ``never``.
            Resumed runs follow the same rule as the run they continue.
        init_from: a checkpoint whose weights and normalisation statistics start a new
            run (step 0) with this run's hyperparameters, e.g. PPO fine-tuning sweeps
            from one ``pretrained.zip``; the network architecture must match.
        out_dir: output folder (None: Hydra's run directory).
        progress: show a progress bar.
        torch_threads: threads of the learner (1 leaves the other core to the envs).
        pretrain_demos: steps of expert demonstrations (``pretrain_expert`` on training
            episodes of the train split) cloned into a new model before RL (0: none).
        pretrain_epochs, pretrain_lr: behaviour-cloning epochs over the demonstrations and
            their learning rate.
        pretrain_expert: the policy (``make_policy`` name) giving the demonstrations.
        pretrain_dagger_rounds: DAgger rounds after cloning: each runs the cloned policy
            for ``pretrain_demos`` steps with the expert labelling the visited states,
            then refits on everything collected.
    """

    seed: int = 0
    total_steps: int = 200_000
    n_envs: int = 2
    vec_env: str = "auto"
    train_max_steps: int | None = None
    eval_every: int = 50_000
    eval_episodes: int = 10
    eval_split: str = "val"
    eval_seed: int = 0
    eval_metric: str = "following_rate"
    checkpoint_every: int = 50_000
    resume: str | None = None
    init_from: str | None = None
    critic_warmup_steps: int = 0
    freeze_obs_stats: str = "warm_start"
    out_dir: str | None = None
    progress: bool = True
    torch_threads: int = 1
    pretrain_demos: int = 0
    pretrain_epochs: int = 20
    pretrain_lr: float = 1e-3
    pretrain_expert: str = "heuristic"
    pretrain_dagger_rounds: int = 0

    def __post_init__(self):
        check_range("seed", self.seed, 0, 2**31 - 1, integer=True)
        check_range("total_steps", self.total_steps, 1, 10**12, integer=True)
        check_range("n_envs", self.n_envs, 1, 256, integer=True)
        check_choice("vec_env", self.vec_env, VEC_ENVS)
        if self.train_max_steps is not None:
            check_range("train_max_steps", self.train_max_steps, 1, 10**7, integer=True)
        check_range("eval_every", self.eval_every, 0, 10**12, integer=True)
        check_range("eval_episodes", self.eval_episodes, 1, 10**6, integer=True)
        check_choice("eval_split", self.eval_split, SPLITS)
        check_range("eval_seed", self.eval_seed, 0, 2**31 - 1, integer=True)
        check_range("checkpoint_every", self.checkpoint_every, 0, 10**12, integer=True)
        check_range("torch_threads", self.torch_threads, 1, 256, integer=True)
        check_range("critic_warmup_steps", self.critic_warmup_steps, 0, 10**12, integer=True)
        check_choice("freeze_obs_stats", self.freeze_obs_stats, FREEZE_OBS_STATS)
        if self.resume and self.init_from:
            raise ConfigError("init_from", self.init_from,
                              reason="give either resume (continue a run) or init_from")
        check_range("pretrain_demos", self.pretrain_demos, 0, 10**9, integer=True)
        check_range("pretrain_epochs", self.pretrain_epochs, 1, 10**4, integer=True)
        check_range("pretrain_lr", self.pretrain_lr, 0.0, 1.0)
        check_range("pretrain_dagger_rounds", self.pretrain_dagger_rounds, 0, 1000, integer=True)


def register_train_config(name: str = "train") -> None:
    """Store the training app's config (task/policy groups + TrainConfig fields) in
    Hydra's ConfigStore, after the task/policy groups (``register_configs``)."""
    from hydra.core.config_store import ConfigStore

    from embodied.config import register_configs

    register_configs()
    ConfigStore.instance().store(name=name, node={
        "defaults": ["_self_", {"task": "social_nav"}, {"policy": "ppo"}],
        **dataclasses.asdict(TrainConfig()),
    })


def train_config_from(cfg: Mapping[str, Any]) -> TrainConfig:
    """The TrainConfig fields of a full run config (task/policy keys ignored)."""
    from embodied.config import build_dataclass, to_plain

    cfg = to_plain(cfg)
    names = {f.name for f in dataclasses.fields(TrainConfig)}
    return build_dataclass(TrainConfig, {k: v for k, v in cfg.items() if k in names}, "train")


# -- environments -------------------------------------------------------------------------
class EnvFactory:
    """Picklable env constructor for vector envs: the task env in a Monitor wrapper.

    Worker processes ignore SIGINT, so Ctrl-C reaches only the trainer, which then saves
    its last checkpoint and closes the workers itself.
    """

    def __init__(self, make_env: Callable[[], Any], in_subprocess: bool):
        self.make_env = make_env
        self.in_subprocess = in_subprocess

    def __call__(self):
        from stable_baselines3.common.monitor import Monitor

        if self.in_subprocess:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        return Monitor(self.make_env())


def training_task_config(task_cfg: Mapping[str, Any], train_max_steps: int | None) -> dict:
    """The task config of training envs: the task's, with ``train_max_steps`` if set."""
    from embodied.config import to_plain

    task = dict(to_plain(task_cfg))
    if train_max_steps is not None:
        task["config"] = dict(task.get("config") or {}, max_steps=int(train_max_steps))
    return task


def make_vec_env(make_env: Callable[[], Any], n_envs: int, kind: str = "auto", seed: int = 0):
    """``n_envs`` copies of ``make_env()`` in a SubprocVecEnv or DummyVecEnv, seeded."""
    from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

    check_choice("vec_env", kind, VEC_ENVS)
    subproc = kind == "subproc" or (kind == "auto" and n_envs > 1)
    fns = [EnvFactory(make_env, subproc) for _ in range(n_envs)]
    venv = SubprocVecEnv(fns) if subproc else DummyVecEnv(fns)
    venv.seed(seed)
    return venv


# -- callbacks ------------------------------------------------------------------------------
def _callbacks_module():
    from stable_baselines3.common.callbacks import BaseCallback

    class ProgressBar(BaseCallback):
        """A tqdm bar over environment steps, with recent episode reward and metrics."""

        def __init__(self, total_steps: int):
            super().__init__()
            self.total_steps = total_steps
            self.bar = None

        def _on_training_start(self) -> None:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=self.total_steps, initial=self.num_timesteps, unit="step",
                            desc="train", dynamic_ncols=True, smoothing=0.05)

        def _on_step(self) -> bool:
            self.bar.update(self.num_timesteps - self.bar.n)
            return True

        def _on_rollout_end(self) -> None:
            buf = self.model.ep_info_buffer
            if buf:
                self.bar.set_postfix(ep_rew=f"{np.mean([e['r'] for e in buf]):.1f}")

        def _on_training_end(self) -> None:
            if self.bar is not None:
                self.bar.close()

    class TaskMetrics(BaseCallback):
        """Logs the mean of each ``info["metrics"]`` value over episodes ending between
        two logger dumps, as ``task/<metric>``; counts episodes as ``task/episodes``."""

        def __init__(self):
            super().__init__()
            self.episodes = 0

        def _on_step(self) -> bool:
            for info in self.locals.get("infos", ()):
                metrics = info.get("metrics")
                if metrics is None:
                    continue
                self.episodes += 1
                for key, value in metrics.items():
                    if value is not None and math.isfinite(value):
                        self.logger.record_mean(f"task/{key}", float(value))
            self.logger.record("task/episodes", self.episodes)
            return True

    class Periodic(BaseCallback):
        """Evaluates and writes checkpoints every ``eval_every``/``checkpoint_every`` steps.

        Runs between a policy update and the next rollout (and once at the end), so a
        checkpoint of step N holds exactly the model that the evaluation of step N used."""

        def __init__(self, run: "TrainingRun"):
            super().__init__()
            self.run = run
            self.next_eval = _next_multiple(run.train.eval_every, run.start_steps)
            self.next_ckpt = _next_multiple(run.train.checkpoint_every, run.start_steps)

        def _on_step(self) -> bool:
            return True

        def _on_rollout_start(self) -> None:
            self._due()

        def _on_training_end(self) -> None:
            self._due()

        def _due(self) -> None:
            n = self.num_timesteps
            if self.next_ckpt and n >= self.next_ckpt:
                self.run.save(f"checkpoints/step_{n:09d}.zip")
                self.run.save("last.zip")
                self.next_ckpt = _next_multiple(self.run.train.checkpoint_every, n)
            if self.next_eval and n >= self.next_eval:
                self.run.evaluate(self.logger)
                self.logger.dump(n)
                self.next_eval = _next_multiple(self.run.train.eval_every, n)

    class CriticWarmup(BaseCallback):
        """Freezes the actor's parameters until ``until`` steps (value learning only)."""

        def __init__(self, until: int):
            super().__init__()
            self.until = until
            self.frozen = False

        def _actor_parameters(self):
            policy = self.model.policy
            yield from policy.action_net.parameters()
            yield from policy.mlp_extractor.policy_net.parameters()
            if hasattr(policy, "log_std"):
                yield policy.log_std

        def _set_frozen(self, frozen: bool) -> None:
            for param in self._actor_parameters():
                param.requires_grad_(not frozen)
            self.frozen = frozen
            self.logger.record("train/actor_frozen", float(frozen))

        def _on_training_start(self) -> None:
            if self.num_timesteps < self.until:
                self._set_frozen(True)

        def _on_rollout_start(self) -> None:
            if self.frozen and self.num_timesteps >= self.until:
                self._set_frozen(False)

        def _on_training_end(self) -> None:
            if self.frozen:
                self._set_frozen(False)

        def _on_step(self) -> bool:
            return True

    return ProgressBar, TaskMetrics, Periodic, CriticWarmup


def _next_multiple(every: int, steps: int) -> int:
    return 0 if not every else (steps // every + 1) * every


# -- the run ----------------------------------------------------------------------------------
class TrainingRun:
    """One training run: environments, model, logging, evaluation and checkpoints."""

    def __init__(self, cfg: Mapping[str, Any], out_dir: str | Path):
        from embodied.config import build_dataclass, make_env_factory, to_plain
        from embodied.policies.sb3 import ALGORITHMS

        self.cfg = to_plain(cfg)
        self.train = train_config_from(self.cfg)
        self.out_dir = Path(out_dir)
        policy = self.cfg.get("policy") or {}
        self.algorithm = policy.get("name")
        if self.algorithm not in ALGORITHMS:
            raise ConfigError("policy", self.algorithm, sorted(ALGORITHMS),
                              reason="not a trainable policy")
        self.policy_config = build_dataclass(ALGORITHMS[self.algorithm], policy.get("config"),
                                             "policy.config")
        self.task = dict(self.cfg["task"])
        self.train_make_env = make_env_factory(
            training_task_config(self.task, self.train.train_max_steps), "train")
        self.eval_make_env = make_env_factory(self.task, self.train.eval_split)
        self.venv = None
        self.model = None
        self.start_steps = 0
        self.best_score = -math.inf
        self.evaluations: list[dict] = []
        self.pretrain_summary: dict | None = None
        self.obs_stats_frozen = False

    # -- setup --
    def build(self) -> None:
        """Create the vector envs and the model (new, or loaded from ``resume``)."""
        import torch
        from stable_baselines3.common.vec_env import VecNormalize

        torch.set_num_threads(self.train.torch_threads)
        t, pc = self.train, self.policy_config
        self.venv = make_vec_env(self.train_make_env, t.n_envs, t.vec_env, t.seed)
        checkpoint = None
        if t.resume or t.init_from:
            from embodied.policies.sb3 import read_checkpoint

            checkpoint = read_checkpoint(t.resume or t.init_from)
            checkpoint.check_compatible(self.task.get("name"), self.task.get("obs_mode", "state"),
                                        self.venv.observation_space, self.venv.action_space)
        if t.resume:
            pc = self.policy_config = checkpoint.config()
        if pc.normalize_obs or pc.normalize_reward:
            from embodied.policies.sb3 import vector_keys

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
        from embodied.config import make_policy
        from embodied.policies.imitation import (collect_demonstrations, concatenate,
                                                 pretrain, update_statistics)

        t = self.train
        start = time.perf_counter()
        expert = make_policy({"name": t.pretrain_expert})
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

        from embodied.policies.sb3 import policy_kwargs

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
        from embodied.policies.sb3 import describe_space

        env = self.venv
        return {"algorithm": self.algorithm, "task": self.task.get("name"),
                "env_id": self.task.get("env_id"), "obs_mode": self.task.get("obs_mode", "state"),
                "observation_space": describe_space(env.observation_space),
                "action_space": describe_space(env.action_space),
                "policy_config": dataclasses.asdict(self.policy_config),
                "obs_stats_frozen": self.obs_stats_frozen,
                "run_config": self.cfg, "saved_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                  time.gmtime())}

    def save(self, name: str) -> Path:
        """Write a checkpoint under the output folder (atomically)."""
        from embodied.policies.sb3 import save_checkpoint

        return save_checkpoint(self.out_dir / name, self.model, self.venv, self.meta())

    def current_policy(self):
        """The model being trained as a Policy, with a snapshot of its normalisation."""
        from embodied.policies.sb3 import Normalization, SB3Policy

        return SB3Policy(self.model, Normalization.from_vecnormalize(self.venv),
                         deterministic=self.policy_config.deterministic, name=self.algorithm)

    def evaluate(self, logger=None) -> dict:
        """Evaluate on the eval split with :func:`embodied.evaluation.evaluate`; log it,
        append it to eval.json and keep the best model as best.zip."""
        from embodied.evaluation import evaluate

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
        score = entry["summary"].get(t.eval_metric, float("nan"))
        if math.isfinite(score) and score > self.best_score:
            self.best_score = score
            self.save("best.zip")
        from tqdm.auto import tqdm

        shown = ", ".join(f"{k}={entry['summary'][k]:.3f}" for k in
                          ("finding_success", "following_rate", "collision", "episode_return")
                          if k in entry["summary"])
        tqdm.write(f"eval @ {entry['steps']} steps on {t.eval_split}: {shown}")
        return entry

    # -- training --
    def learn(self) -> dict:
        """Train up to ``total_steps``; on Ctrl-C stop and save. Returns a summary."""
        from stable_baselines3.common.callbacks import CallbackList

        ProgressBar, TaskMetrics, Periodic, CriticWarmup = _callbacks_module()
        t = self.train
        callbacks = [TaskMetrics(), Periodic(self)]
        if t.critic_warmup_steps:
            callbacks.append(CriticWarmup(self.start_steps + t.critic_warmup_steps))
        if t.progress:
            callbacks.append(ProgressBar(t.total_steps))
        remaining = t.total_steps - self.start_steps
        interrupted = False
        start = time.perf_counter()
        try:
            if remaining > 0:
                self.model.learn(remaining, callback=CallbackList(callbacks),
                                 reset_num_timesteps=not t.resume, tb_log_name="ppo",
                                 progress_bar=False)
        except KeyboardInterrupt:
            interrupted = True
        wall = time.perf_counter() - start
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


def close_vec_env(venv, timeout: float = 10.0) -> None:
    """Close a vector env, also after Ctrl-C interrupted a SubprocVecEnv mid-step.

    SubprocVecEnv.close() first collects the pending step results; when an interrupt
    landed between two workers' replies it would wait forever for a reply already read.
    Workers are told to close instead and terminated if they do not stop in time."""
    from stable_baselines3.common.vec_env import SubprocVecEnv

    inner = venv
    while hasattr(inner, "venv"):
        inner = inner.venv
    if not isinstance(inner, SubprocVecEnv) or not inner.waiting or inner.closed:
        venv.close()
        return
    for remote in inner.remotes:
        try:
            remote.send(("close", None))
        except (BrokenPipeError, OSError):
            pass
    for process in inner.processes:
        process.join(timeout)
        if process.is_alive():
            process.terminate()
    inner.waiting, inner.closed = False, True


def train(cfg: Mapping[str, Any], out_dir: str | Path) -> dict:
    """Build a run from the full config (``task``, ``policy`` and TrainConfig keys), train
    it, and return its summary (steps, wall time, last checkpoint, last evaluation)."""
    from omegaconf import OmegaConf

    from embodied.config import to_plain

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    run = TrainingRun(cfg, out_dir)
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
