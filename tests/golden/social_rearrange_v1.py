"""Golden trajectories of the released ``embodied/SocialRearrange-v1``: what must not change.

The cases, record format and checks are v0's (``social_rearrange_v0.py``), run on v1.

    python tests/golden/social_rearrange_v1.py --write    # (re)record the fixture
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import social_rearrange_v0  # noqa: E402
from trajectories import first_difference, load, main  # noqa: E402,F401

FIXTURE = Path(__file__).with_name("social_rearrange_v1.json.gz")
CASES = social_rearrange_v0.CASES
check_case = social_rearrange_v0.check_case
run_case = partial(social_rearrange_v0.run_case, env_id="embodied/SocialRearrange-v1")


def load_fixture() -> dict:
    return load(FIXTURE)


if __name__ == "__main__":
    main(__doc__, FIXTURE, CASES, run_case)
