"""What the golden trajectories of released envs share: observation digests, the exact
comparison of a replayed case with its record, fixture files and the command line.

A golden module (``social_nav_v0.py``, ``social_rearrange_v0.py``) defines ``FIXTURE``,
``CASES``, ``run_case(name, actions=None)`` (``actions``: replay these instead of the
case's action source) and ``check_case(name, record)`` (what its case must cover)
and calls :func:`main`; ``tests/tasks/test_golden_trajectories.py`` replays every case of
every module.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
from pathlib import Path
from typing import Callable

import numpy as np

from arithmetic import arithmetic_is_pinned, pin_arithmetic  # noqa: F401

def physics_mismatch() -> str | None:
    """Why the installed MuJoCo cannot replay the fixtures (they hold for the one release
    pyproject.toml pins: another moves episodes in their last bits), or None."""
    from importlib.metadata import requires

    import mujoco

    pins = [r.split("==", 1)[1].split(";")[0].strip() for r in requires("embodied") or []
            if r.replace(" ", "").startswith("mujoco==")]
    if not pins:
        return "pyproject.toml does not pin one MuJoCo release (mujoco==X.Y.Z)"
    if mujoco.__version__ != pins[0]:
        return (f"the golden trajectories hold under MuJoCo {pins[0]} (pyproject.toml); "
                f"this environment has {mujoco.__version__}: run make setup")
    return None


def digest(array) -> str:
    a = np.ascontiguousarray(array)
    return hashlib.sha256(str(a.dtype).encode() + str(a.shape).encode() + a.tobytes()).hexdigest()[:20]


def same(a, b) -> bool:
    """Exact equality of recorded values (NaN equals NaN)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def first_difference(expected: dict, actual: dict) -> str | None:
    """Where a replayed case first departs from its record, in words (None if equal)."""
    for key in ("reset_info", "reset_obs"):
        if not same(expected[key], actual[key]):
            return f"{key}: expected {expected[key]}, got {actual[key]}"
    for t, (e, a) in enumerate(zip(expected["steps"], actual["steps"])):
        for key in e:
            if not same(e[key], a[key]):
                return f"step {t + 1} {key}: expected {e[key]}, got {a[key]}"
    if len(expected["steps"]) != len(actual["steps"]):
        return f"episode length {len(actual['steps'])}, expected {len(expected['steps'])}"
    # every recorded metric must come out the same; metrics added since (a new key) may not
    # change what the released ones say
    recorded, metrics = expected.get("metrics") or {}, actual.get("metrics") or {}
    for key, value in recorded.items():
        if key not in metrics or not same(value, metrics[key]):
            return f"metric {key}: expected {value}, got {metrics.get(key, 'nothing')}"
    return None


def load(fixture: Path) -> dict:
    with gzip.open(fixture, "rt", encoding="utf-8") as f:
        return json.load(f)


def record_episode(env, seed: int, steps: int, act: Callable, reset_info: Callable,
                   step_info: Callable, start: Callable | None = None) -> dict:
    """Run one episode of ``env`` (closed after) and return its record: ``act(obs, t)``
    gives step ``t``'s action, ``start(env, seed)`` runs after the reset (a policy's
    reset), ``reset_info(info)`` and ``step_info(info)`` pick what of the infos is kept."""
    try:
        obs, info = env.reset(seed=seed)
        if start is not None:
            start(env, seed)
        record = {"reset_info": reset_info(info),
                  "reset_obs": {k: digest(v) for k, v in sorted(obs.items())}, "steps": []}
        for t in range(steps):
            action = act(obs, t)
            obs, reward, terminated, truncated, info = env.step(action)
            record["steps"].append({
                "action": np.asarray(action, float).reshape(-1).tolist(), "reward": float(reward),
                "terms": {k: float(v) for k, v in info["reward_terms"].items()},
                "info": step_info(info),
                "obs": {k: digest(v) for k, v in sorted(obs.items())},
                "terminated": bool(terminated), "truncated": bool(truncated)})
            if terminated or truncated:
                record["metrics"] = {k: float(v) for k, v in info["metrics"].items()}
                break
    finally:
        env.close()
    return record


def main(doc: str, fixture: Path, cases, run_case: Callable[..., dict]) -> None:
    """``--write`` records every case into ``fixture``; ``--check`` compares with it
    (both in the pinned arithmetic environment: see :data:`PINNED_ARITHMETIC`)."""
    pin_arithmetic()
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="record the fixture")
    parser.add_argument("--check", action="store_true", help="compare with the fixture")
    args = parser.parse_args()
    mismatch = physics_mismatch()
    if mismatch:
        raise SystemExit(mismatch)
    if args.write:
        records = {name: run_case(name) for name in cases}
        with gzip.open(fixture, "wt", encoding="utf-8", compresslevel=9) as f:
            json.dump(records, f, sort_keys=True)
        print(f"wrote {fixture}")
    if args.check:
        # the recorded actions again: the env must answer them exactly as it did
        expected = load(fixture)
        for name in cases:
            record = run_case(name, actions=[step["action"] for step in expected[name]["steps"]])
            print(name, first_difference(expected[name], record) or "identical")
