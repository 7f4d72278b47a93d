"""Golden trajectories of the released ``embodied/SocialNav-v0``: what must not change.

Each case is one episode, fixed by its seed, split, env options and action source (a
fixed stream, seeded random actions, or the heuristic expert run live). For every step
the record keeps the action, the reward, each reward term, the scalar infos and a digest
of every observation key; at the end, the episode metrics (metrics added later are
allowed beside the recorded ones, which must not change). The fixture was recorded
before the task floor was refactored; its heuristic cases were recorded again when the
expert changed (it keeps corners clear and backs off when pinned: a change of the
policy, not of the env; the other cases came out identical). All fixtures were recorded
again, from unchanged code, when a check on an AVX2-only machine showed that NumPy's
kernels chosen at run time had made the AVX-512 recording machine-specific: records and
checks now run in a pinned arithmetic environment (``arithmetic.py``).
``tests/tasks/test_golden_trajectories.py`` replays every case and demands bit-identical
results (the shared pieces are in ``trajectories.py``).

    python tests/golden/social_nav_v0.py --write    # (re)record the fixture
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from trajectories import digest, first_difference, load, main, record_episode, same  # noqa: E402,F401

FIXTURE = Path(__file__).with_name("social_nav_v0.json.gz")

#: name -> (split, seed, env options, action source, steps)
CASES = {
    "heuristic_val0_full": ("val", 0, {}, "heuristic", 1500),
    "random_val3": ("val", 3, {"max_steps": 300}, "random", 300),
    "arc_train11": ("train", 11, {"max_steps": 200}, "arc", 200),
    "heuristic_test7_homes2": ("test", 7, {"max_steps": 600, "homes": 2}, "heuristic", 600),
    "heuristic_val1_rgbd_segmentation": ("val", 1, {"max_steps": 150, "obs_mode": "rgbd",
                                                    "detector": "segmentation"}, "heuristic", 150),
}


def _actions(source: str, steps: int):
    if source == "random":
        return list(np.random.default_rng(1234).uniform(-1.2, 1.2, (steps, 2)).astype(np.float32))
    if source == "arc":
        return [np.array([0.8, 0.3], np.float32)] * steps
    return None


def make_heuristic():
    """The SocialNav heuristic expert, as the policy configs name it."""
    from embodied.policies import make_policy

    return make_policy({"name": "heuristic"})


def run_case(name: str, actions: list | None = None, env_id: str = "embodied/SocialNav-v0") -> dict:
    """Run one case and return its record (plain JSON data); ``actions`` (a recorded
    case's) replaces its action source, so checking it pins the env, not the policy."""
    import gymnasium as gym

    import embodied  # noqa: F401

    split, seed, options, source, steps = CASES[name]
    options = dict(options)
    obs_mode = options.pop("obs_mode", "state")
    env = gym.make(env_id, split=split, obs_mode=obs_mode, **options)
    policy = make_heuristic() if source == "heuristic" and actions is None else None
    fixed = _actions(source, steps) if actions is None else [np.asarray(a) for a in actions]
    return record_episode(
        env, seed, steps,
        act=lambda obs, t: np.asarray(policy.act(obs, env) if policy is not None else fixed[t]),
        start=policy.reset if policy is not None else None,
        reset_info=lambda info: {k: info[k] for k in sorted(info)},
        step_info=lambda info: {k: (bool(info[k]) if isinstance(info[k], (bool, np.bool_)) else float(info[k]))
                                for k in ("distance", "found", "facing", "collided", "found_steps")})


def load_fixture() -> dict:
    return load(FIXTURE)


def check_case(name: str, record: dict) -> None:
    """What a recorded case must cover: the heuristic full episode finds, follows and
    collides, so all reward terms and metrics are exercised."""
    if name == "heuristic_val0_full":
        steps = record["steps"]
        assert sum(s["info"]["found"] for s in steps) > 400
        assert any(s["info"]["collided"] for s in steps)
        assert record["metrics"]["success"] == 1.0


if __name__ == "__main__":
    main(__doc__, FIXTURE, CASES, run_case)
