"""Gymnasium adapters of the tasks (registered on ``import embodied``), and PettingZoo's
parallel API over them (:func:`parallel_env`, the ``multiagent`` extra)."""

from embodied.envs.parallel import parallel_env

__all__ = ["parallel_env"]
