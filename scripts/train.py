#!/usr/bin/env python
"""Train a learned policy on a task (Hydra app).

    python scripts/train.py task=social_nav policy=ppo total_steps=2000000 n_envs=2
    python scripts/train.py policy.config.ent_coef=0.01 train_max_steps=500 out_dir=runs/ppo
    python scripts/train.py --multirun seed=0,1,2
    python scripts/train.py resume=runs/ppo/last.zip total_steps=4000000 out_dir=runs/ppo

    # SocialNav on a 2-core CPU: clone the heuristic expert and refine it with DAgger,
    # then fine-tune with PPO (best.zip keeps the best val policy, the start included)
    python scripts/train.py task=social_nav policy=ppo train_max_steps=500 \
        pretrain_demos=60000 pretrain_dagger_rounds=5 critic_warmup_steps=50000 \
        total_steps=300000 eval_every=50000 eval_episodes=20 out_dir=runs/socialnav_ppo
    # PPO sweeps from one warm start
    python scripts/train.py --multirun init_from=runs/socialnav_ppo/pretrained.zip \
        policy.config.learning_rate=3e-5,1e-4 out_dir=runs/finetune
    # a learned SocialNav humanoid (its own errands) beside the heuristic robot
    python scripts/train.py task=social_nav task.config.humanoid_objective=errands agent=human0 \
        partner_policy=heuristic policy=ppo pretrain_expert=errand_walker pretrain_demos=20000 \
        total_steps=100000 n_envs=1 vec_env=dummy out_dir=runs/sn_humanoid
    # SocialRearrange robots co-trained with learned humanoids (Habitat 3.0's Learn-Single/-Pop)
    python scripts/train.py task=social_rearrange task.config.action_mode=skills policy=ppo \
        partners=learn_pop pool_size=8 n_envs=1 vec_env=dummy out_dir=runs/learn_pop

Writes TensorBoard logs (``tensorboard --logdir <out>/tb``), checkpoints (last.zip,
best.zip, checkpoints/step_N.zip, each with its resolved config) and eval.json into the
output folder: ``out_dir`` (``out_dir/<job number>`` in a multirun) or Hydra's run
directory. Evaluate a checkpoint with
``scripts/evaluate.py policy=ppo checkpoint=<out>/best.zip``. Ctrl-C saves last.zip.
``kill -USR1 <pid>`` prints where every thread of the trainer is (to stderr), for a run
that seems stuck.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import sys

os.environ.setdefault("MUJOCO_GL", "egl")

import hydra  # noqa: E402
from omegaconf import DictConfig  # noqa: E402

from embodied.training import register_train_config  # noqa: E402

register_train_config()


@hydra.main(version_base=None, config_path=None, config_name="train")
def main(cfg: DictConfig) -> None:
    from hydra.core.hydra_config import HydraConfig

    from embodied.errors import EmbodiedError
    from embodied.training import train

    from hydra.types import RunMode

    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    hydra_cfg = HydraConfig.get()
    out_dir = cfg.out_dir or hydra_cfg.runtime.output_dir
    if cfg.out_dir and hydra_cfg.mode == RunMode.MULTIRUN:
        out_dir = os.path.join(cfg.out_dir, str(hydra_cfg.job.num))   # one folder per job
    try:
        summary = train(cfg, out_dir)
    except EmbodiedError as exc:
        print(f"train: error: {exc}", file=sys.stderr)
        sys.exit(2)
    state = "interrupted" if summary["interrupted"] else "done"
    print(f"train: {state} at {summary['steps']} steps ({summary['steps_per_s']:.0f} steps/s); "
          f"last checkpoint {summary['last_checkpoint']}")
    if summary["interrupted"]:
        sys.exit(130)


if __name__ == "__main__":
    main()
