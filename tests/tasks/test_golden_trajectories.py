"""Released envs as released: every golden case of every env replays bit for bit
(``tests/golden``: SocialNav-v0 and -v1, SocialRearrange-v0 and -v1). A check replays each case's
recorded actions: it pins the env, whatever the policy that chose them does today."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "golden"))

import social_nav_v0  # noqa: E402
from trajectories import arithmetic_is_pinned, physics_mismatch  # noqa: E402
import social_rearrange_v0  # noqa: E402
import social_nav_v1  # noqa: E402
import social_rearrange_v1  # noqa: E402

MODULES = {"social_nav_v0": social_nav_v0, "social_nav_v1": social_nav_v1,
           "social_rearrange_v0": social_rearrange_v0,
           "social_rearrange_v1": social_rearrange_v1}
CASES = [(m, name) for m, module in MODULES.items() for name in sorted(module.CASES)]


@pytest.fixture(scope="module", params=sorted(MODULES))
def fixture(request):
    module = MODULES[request.param]
    return module, module.load_fixture()


def test_fixture_holds_every_case(fixture):
    module, recorded = fixture
    assert set(recorded) == set(module.CASES)


@pytest.mark.parametrize("module_name, name", CASES)
def test_golden_case_is_bit_identical(module_name, name):
    assert arithmetic_is_pinned(), "NumPy was imported before tests/conftest.py pinned its kernels"
    assert physics_mismatch() is None, physics_mismatch()
    module = MODULES[module_name]
    expected = module.load_fixture()[name]
    actual = module.run_case(name, actions=[step["action"] for step in expected["steps"]])
    assert module.first_difference(expected, actual) is None, module.first_difference(expected, actual)
    module.check_case(name, expected)      # the case exercises what it is meant to
