"""The settings of a training run (``scripts/train.py``'s top-level keys) and its Hydra app config."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Mapping

from embodied.errors import ConfigError, check_choice, check_range
from embodied.scenes.splits import SPLITS

VEC_ENVS = ("auto", "subproc", "dummy", "ray")
#: Who the robot trains beside: the task's own partner, or humanoid policies learning too.
PARTNER_TRAINING = ("task", "learn_single", "learn_pop")


@dataclass(frozen=True)
class RayConfig:
    """Where ``vec_env=ray`` puts its envs: the cluster at ``address`` (``auto`` or
    HOST:PORT of its head node), or a Ray started on this machine (None)."""

    address: str | None = None
FREEZE_OBS_STATS = ("warm_start", "always", "never")


@dataclass(frozen=True)
class TrainConfig:
    """Settings of a training run (top-level keys of ``scripts/train.py``).

    Args:
        seed: seeds the model, the training environments (env i gets ``seed + i`` first,
            then its own seeded sequence) and nothing else; evaluation seeds are fixed.
        total_steps: environment steps to train for (all envs together; a resumed run
            continues up to this total).
        n_envs, vec_env: parallel environments; ``subproc`` runs each in a process,
            ``dummy`` in this process, ``auto`` picks ``subproc`` when ``n_envs > 1``,
            ``ray`` each in a Ray actor (``pip install 'embodied[ray]'``), on the cluster
            at ``ray.address`` or on this machine.
        train_max_steps: length of training episodes (None: the task's ``max_steps``).
        eval_every, eval_episodes, eval_split, eval_seed: periodic evaluation (0: never).
        eval_metric: the evaluation metric that selects ``best.zip`` (None: the task's
            ``primary_metric``, SocialNav's following rate).
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
        pretrain_expert: the policy giving the demonstrations: a config of the shipped
            ``policies/`` folder (``heuristic_clear``) or a registered policy name.
        pretrain_dagger_rounds: DAgger rounds after cloning: each runs the cloned policy
            for ``pretrain_demos`` steps with the expert labelling the visited states,
            then refits on everything collected.
        partners: who the robot trains beside (Habitat 3.0's training populations):
            ``task`` (the task's own partner, ``task.config.partner``: Plan-Pop p ...),
            ``learn_single`` (one humanoid policy learning with it) or ``learn_pop`` (a
            pool of ``pool_size`` humanoid policies learning with it). See
            :mod:`embodied.training.cotrain`.
        pool_size: learned humanoids of ``learn_pop``.
        partner_updates: PPO updates of the robot between partner turns (Habitat 3.0
            draws a new Learn-Pop partner every 20 updates); the humanoid in play then
            trains for as many updates beside the robot.
        agent: the agent whose policy learns: ``robot`` (the task's Gymnasium env), or an
            agent of its parallel env (``human0``: a learned humanoid), which then trains
            beside ``partner_policy`` driving every other agent.
        partner_policy: what drives the other agents of an ``agent`` run: a config of the
            shipped ``policies/`` folder (``heuristic``: SocialNav's robot expert).
    """

    seed: int = 0
    total_steps: int = 200_000
    n_envs: int = 2
    vec_env: str = "auto"
    ray: RayConfig = dataclasses.field(default_factory=RayConfig)
    train_max_steps: int | None = None
    eval_every: int = 50_000
    eval_episodes: int = 10
    eval_split: str = "val"
    eval_seed: int = 0
    eval_metric: str | None = None
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
    partners: str = "task"
    pool_size: int = 8
    partner_updates: int = 20
    agent: str = "robot"
    partner_policy: str = "heuristic"

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
        check_choice("partners", self.partners, PARTNER_TRAINING)
        check_range("pool_size", self.pool_size, 1, 64, integer=True)
        check_range("partner_updates", self.partner_updates, 1, 10**6, integer=True)
        if not isinstance(self.agent, str) or not self.agent:
            raise ConfigError("agent", self.agent, reason="must name an agent (robot, human0)")
        if self.agent != "robot" and self.partners != "task":
            raise ConfigError("agent", self.agent, reason=f"partners={self.partners} co-trains "
                              "the robot and its humanoids itself: leave agent=robot")


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
