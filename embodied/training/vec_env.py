"""Vector environments for training: picklable env constructors, SB3 vector envs, and
closing them cleanly after Ctrl-C."""

from __future__ import annotations

import signal
from typing import Any, Callable, Mapping

from embodied.errors import check_choice
from embodied.training.config import VEC_ENVS

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


def make_vec_env(make_env: Callable[[], Any], n_envs: int, kind: str = "auto", seed: int = 0,
                 ray_address: str | None = None):
    """``n_envs`` copies of ``make_env()`` in a SubprocVecEnv, DummyVecEnv or (``ray``)
    :class:`~embodied.cluster.vec_env.RayVecEnv` on the cluster at ``ray_address``, seeded."""
    from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

    check_choice("vec_env", kind, VEC_ENVS)
    if kind == "ray":
        from embodied.cluster.vec_env import RayVecEnv

        venv = RayVecEnv([EnvFactory(make_env, True) for _ in range(n_envs)], ray_address)
        venv.seed(seed)
        return venv
    subproc = kind == "subproc" or (kind == "auto" and n_envs > 1)
    fns = [EnvFactory(make_env, subproc) for _ in range(n_envs)]
    venv = SubprocVecEnv(fns) if subproc else DummyVecEnv(fns)
    venv.seed(seed)
    return venv


def close_vec_env(venv, timeout: float = 10.0) -> None:
    """Close a vector env, also after Ctrl-C interrupted a SubprocVecEnv mid-step.

    SubprocVecEnv.close() first collects the pending step results, then joins its workers
    without a timeout; when an interrupt landed between two workers' replies it would wait
    forever for a reply already read, and when it landed while commands were being sent a
    worker may be left reading half a message, never seeing ``close``. Workers are told to
    close instead and terminated if they do not stop in time, whatever state the
    interrupt left them in."""
    from stable_baselines3.common.vec_env import SubprocVecEnv

    inner = venv
    while hasattr(inner, "venv"):
        inner = inner.venv
    if not isinstance(inner, SubprocVecEnv) or inner.closed:
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
