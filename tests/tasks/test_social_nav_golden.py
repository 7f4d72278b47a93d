"""SocialNav-v0 as released: every golden case replays bit for bit (tests/golden)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "golden"))

import social_nav_v0 as golden  # noqa: E402


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
    # the case exercises what it is meant to: the heuristic full episode finds, follows
    # and collides, so all reward terms and metrics are covered
    if name == "heuristic_val0_full":
        steps = expected["steps"]
        assert sum(s["info"]["found"] for s in steps) > 400
        assert any(s["info"]["collided"] for s in steps)
        assert expected["metrics"]["success"] == 1.0
