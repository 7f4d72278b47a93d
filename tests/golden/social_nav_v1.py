"""Golden trajectories of the released ``embodied/SocialNav-v1``: what must not change.

The cases, record format and action sources are v0's (``social_nav_v0.py``), run on v1,
where a collision ends an episode (a case's record stops there).

    python tests/golden/social_nav_v1.py --write    # (re)record the fixture
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import social_nav_v0  # noqa: E402
from trajectories import first_difference, load, main  # noqa: E402,F401

FIXTURE = Path(__file__).with_name("social_nav_v1.json.gz")
CASES = social_nav_v0.CASES
run_case = partial(social_nav_v0.run_case, env_id="embodied/SocialNav-v1")


def load_fixture() -> dict:
    return load(FIXTURE)


def check_case(name: str, record: dict) -> None:
    """What a recorded case must cover: the heuristic full episode finds the humanoid,
    follows it and ends at a collision, so the protocol's termination is exercised."""
    if name == "heuristic_val0_full":
        steps = record["steps"]
        assert sum(s["info"]["found"] for s in steps) > 50
        assert steps[-1]["terminated"] and steps[-1]["info"]["collided"]


if __name__ == "__main__":
    main(__doc__, FIXTURE, CASES, run_case)
