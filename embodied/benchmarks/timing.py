"""Small timing helpers shared by the benchmark functions."""

from __future__ import annotations

import functools
import statistics
import time
import types
from typing import Callable


def median_seconds(fn: Callable[[], object], repeats: int = 7, number: int = 1,
                   warmup: int = 1) -> float:
    """Median over ``repeats`` of the mean wall time of ``number`` calls of ``fn``."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def bench_gymnasium_humanoid(steps: int = 2000, repeats: int = 5) -> dict:
    """Gymnasium's Humanoid-v5 as a yardstick: env steps/s and raw mj_step/s of its model."""
    import gymnasium as gym
    import mujoco
    import numpy as np

    env = gym.make("Humanoid-v5")
    env.reset(seed=0)
    action = np.zeros(env.action_space.shape, dtype=np.float32)

    def env_steps():
        for _ in range(steps):
            _, _, term, trunc, _ = env.step(action)
            if term or trunc:
                env.reset(seed=0)

    env_time = median_seconds(env_steps, repeats=repeats) / steps
    model, data = env.unwrapped.model, env.unwrapped.data

    def raw_steps():
        for _ in range(steps):
            mujoco.mj_step(model, data)

    raw_time = median_seconds(raw_steps, repeats=repeats) / steps
    env.close()
    return {"humanoid_v5_env_steps_per_s": 1.0 / env_time,
            "humanoid_v5_mj_step_per_s": 1.0 / raw_time}


class PartTimer:
    """Accumulates wall time of chosen functions, to split a step or a reset into its parts:
    methods of live objects, or functions of classes and modules (wrappers set on the
    owner, taken away again by :meth:`remove`). A part's time excludes the time of other
    wrapped calls made inside it, so the parts add up."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._wrapped: list[tuple[object, str, object]] = []
        self._inner: list[float] = []      # time of wrapped calls inside each open call

    def wrap(self, owner, name: str, part: str) -> None:
        self.seconds.setdefault(part, 0.0)
        if isinstance(owner, (type, types.ModuleType)):
            original = owner.__dict__[name]
            kind = type(original) if isinstance(original, (classmethod, staticmethod)) else None
            timed = self._timed(original.__func__ if kind else original, part)
            setattr(owner, name, kind(timed) if kind else timed)
        else:
            original = None
            setattr(owner, name, self._timed(getattr(owner, name), part))
        self._wrapped.append((owner, name, original))

    def _timed(self, fn, part: str):
        seconds, inner = self.seconds, self._inner

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            inner.append(0.0)
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                seconds[part] += elapsed - inner.pop()
                if inner:
                    inner[-1] += elapsed

        return timed

    def remove(self) -> None:
        for owner, name, original in reversed(self._wrapped):
            if original is None:
                delattr(owner, name)
            else:
                setattr(owner, name, original)
        self._wrapped.clear()
