"""Training learned policies with Stable-Baselines3 (the engine of ``scripts/train.py``).

- :mod:`.config`: :class:`TrainConfig` and the Hydra app config;
- :mod:`.vec_env`: picklable env constructors, vector envs, closing after Ctrl-C;
- :mod:`.callbacks`: progress, task metrics, periodic evaluation/checkpoints, critic warm-up;
- :mod:`.imitation`: the warm start (behaviour cloning of an expert, DAgger);
- :mod:`.run`: :class:`TrainingRun` and :func:`train`.
"""

from embodied.training.config import TrainConfig, register_train_config
from embodied.training.run import TrainingRun, train

__all__ = ["TrainConfig", "TrainingRun", "register_train_config", "train"]
