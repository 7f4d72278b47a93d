"""SocialRearrange-v0 as released: every golden case replays bit for bit (tests/golden)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "golden"))

import social_rearrange_v0 as golden  # noqa: E402


@pytest.fixture(scope="module")
def fixture():
    return golden.load_fixture()


def test_fixture_holds_every_case(fixture):
    assert set(fixture) == set(golden.CASES)


@pytest.mark.parametrize("name", sorted(golden.CASES))
def test_golden_case_is_bit_identical(fixture, name):
    expected = fixture[name]
    actual = golden.run_case(name)
    assert golden.first_difference(expected, actual) is None, golden.first_difference(expected, actual)
    if name == "expert_val1_plan_pop_3":        # the case covers stage goals and success
        assert expected["metrics"]["success"] == 1.0
        assert sum(s["terms"]["stage_goal"] for s in expected["steps"]) == 20.0
