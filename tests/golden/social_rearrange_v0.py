"""Golden trajectories of the released ``embodied/SocialRearrange-v0``: what must not change.

As for SocialNav-v0 (the record format and comparison are in ``trajectories.py``): each case is one episode fixed by its seed, split, env options and action source
(the privileged expert run live in skills mode, seeded random skills, a fixed low-level
stream; a check replays the recorded actions); every step keeps the action, the reward, each reward term, the scalar infos and
a digest of every observation key, and the end its metrics.
``tests/tasks/test_golden_trajectories.py`` replays every case bit for bit.

    python tests/golden/social_rearrange_v0.py --write    # (re)record the fixture
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from trajectories import digest, first_difference, load, main, record_episode, same  # noqa: E402,F401

FIXTURE = Path(__file__).with_name("social_rearrange_v0.json.gz")

#: name -> (split, seed, env options, action source, decisions or steps)
CASES = {
    "expert_val1_plan_pop_3": ("val", 1, {"action_mode": "skills", "partner": "plan_pop_3"},
                               "rearrange_expert", 100),
    "random_skills_test4_greedy": ("test", 4, {"action_mode": "skills", "partner": "greedy"},
                                   "random", 40),
    "low_level_val2_plan_pop_4": ("val", 2, {"partner": "plan_pop_4", "max_steps": 300},
                                  "stream", 300),
}
INFOS = ("collided", "interrupted", "low_level_steps", "skill", "skill_outcome")


def _stream(steps: int):
    rng = np.random.default_rng(77)
    base = np.tile(np.array([0.6, 0.2], np.float32), (steps, 1))
    rest = rng.uniform(-1.0, 1.0, (steps, 4)).astype(np.float32)
    return list(np.concatenate([base, rest], axis=1))


ENV_ID = "embodied/SocialRearrange-v0"


def run_case(name: str, actions: list | None = None, env_id: str = ENV_ID) -> dict:
    """Run one case of ``env_id`` and return its record (plain JSON data); ``actions`` (a
    recorded case's) replaces its action source, so checking it pins the env, not the
    policy."""
    import gymnasium as gym

    import embodied  # noqa: F401
    from embodied.policies import make_policy

    split, seed, options, source, steps = CASES[name]
    env = gym.make(env_id, split=split, **options)
    policy = make_policy({"name": source}) if source != "stream" and actions is None else None
    fixed = (_stream(steps) if actions is None else [np.asarray(a) for a in actions]) \
        if policy is None else None
    return record_episode(
        env, seed, steps,
        act=lambda obs, t: policy.act(obs, env) if policy is not None else fixed[t],
        start=policy.reset if policy is not None else None,
        reset_info=lambda info: json.loads(json.dumps(info, default=str)),
        step_info=lambda info: {k: info[k] if isinstance(info[k], str) else float(info[k])
                                for k in INFOS if k in info})


def load_fixture() -> dict:
    return load(FIXTURE)


def check_case(name: str, record: dict) -> None:
    """What a recorded case must cover: the expert's episode reaches every stage goal and
    succeeds."""
    if name == "expert_val1_plan_pop_3":
        assert record["metrics"]["success"] == 1.0
        assert sum(s["terms"]["stage_goal"] for s in record["steps"]) == 20.0


if __name__ == "__main__":
    main(__doc__, FIXTURE, CASES, run_case)
