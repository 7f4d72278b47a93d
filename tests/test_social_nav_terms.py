"""SocialNav reward terms and metrics on hand-built trajectories."""

import math

import numpy as np
import pytest

from embodied.errors import ConfigError
from embodied.geometry import facing_cosine
from embodied.tasks.social_nav.terms import (ORACLE_TURN_THRESHOLD, SocialNavMetrics,
                                             SocialNavRewardConfig, StepRecord, habitat_oracle_steps, is_found, oracle_finding_steps,
                                             reward_terms, turn_then_go_spl)

CFG = SocialNavRewardConfig()


def terms(d, d_prev=None, facing=1.0, collided=False, count=0, success=False, first=False):
    return reward_terms(d, d if d_prev is None else d_prev, facing, collided, count, success,
                        first, CFG)


def test_first_step_reward_is_zero():
    assert sum(terms(1.5, first=True, collided=True, count=3).values()) == 0.0


def test_distance_term_bands():
    assert terms(1.5)["distance"] == 2.0
    assert terms(0.8, d_prev=0.6)["distance"] == pytest.approx(0.2)   # backing off rewarded
    assert terms(0.6, d_prev=0.8)["distance"] == pytest.approx(-0.2)
    assert terms(4.0, d_prev=4.5)["distance"] == pytest.approx(0.5)   # approaching rewarded
    assert terms(4.5, d_prev=4.0)["distance"] == pytest.approx(-0.5)
    assert terms(2.0, d_prev=2.5)["distance"] == pytest.approx(0.5)   # 2 m is outside [1, 2)


def test_distance_term_is_zero_when_either_distance_has_no_geodesic():
    """An agent off the map (no geodesic: inf) now or one step ago gives no distance term,
    in every band: once this gave -inf (close now, unreachable before), which poisoned
    training's reward statistics."""
    for d, d_prev in ((0.5, math.inf), (math.inf, 0.5), (4.0, math.inf), (math.inf, 4.0),
                      (math.inf, math.inf)):
        t = terms(d, d_prev=d_prev)
        assert t["distance"] == 0.0, (d, d_prev)
        assert all(math.isfinite(v) for v in t.values()), (d, d_prev)
    assert terms(1.5, d_prev=math.inf)["distance"] == 2.0     # in range: the band's reward


def test_facing_collision_slack_success_terms():
    t = terms(2.5, facing=0.5)
    assert t["facing"] == pytest.approx(1.5)
    assert terms(3.5, facing=1.0)["facing"] == 0.0
    t = terms(1.5, collided=True, count=4)
    assert t["collision"] == -1.0 and t["collision_count"] == pytest.approx(-0.04)
    assert t["slack"] == pytest.approx(-0.1)
    assert terms(1.5, success=True)["success"] == 10.0
    total = terms(1.5, facing=0.9, collided=True, count=2, success=True)
    assert sum(total.values()) == pytest.approx(2.0 + 2.7 - 1.0 - 0.02 - 0.1 + 10.0)


def test_found_predicate_and_facing():
    assert facing_cosine([0, 0], 0.0, [1.5, 0]) == pytest.approx(1.0)
    assert facing_cosine([0, 0], math.pi / 2, [1.5, 0]) == pytest.approx(0.0, abs=1e-12)
    assert is_found(1.5, 0.9, CFG)
    assert not is_found(1.5, 0.4, CFG)   # not facing
    assert not is_found(0.9, 1.0, CFG) and not is_found(2.0, 1.0, CFG)


def record(d, found, speed=0.0, collided=False, sep=None):
    return StepRecord(distance=d, separation=d - 0.55 if sep is None else sep, found=found,
                      forward_speed=speed, collided=collided)


def test_teleported_robot_counts_as_found_and_400_steps_succeed():
    m = SocialNavMetrics()
    for _ in range(400):
        m.add(record(1.5, is_found(1.5, facing_cosine([0, 0], 0.0, [1.5, 0]), CFG)))
    s = m.summary(oracle_steps=1)
    assert s["finding_success"] == 1.0 and s["success"] == 1.0
    assert s["finding_spl"] == 1.0 and s["following_rate"] == 1.0
    m2 = SocialNavMetrics()
    for _ in range(399):
        m2.add(record(1.5, True))
    assert m2.summary(1)["success"] == 0.0


def test_spl_following_rate_and_ratios():
    m = SocialNavMetrics()
    for _ in range(50):                       # searching
        m.add(record(6.0, False, speed=1.0))
    for _ in range(30):                       # following, then backing up when close
        m.add(record(1.5, True, speed=0.5))
    for _ in range(10):
        m.add(record(0.8, False, speed=-0.3, collided=True, sep=0.3))
    for _ in range(10):
        m.add(record(1.2, True, speed=0.0))
    s = m.summary(oracle_steps=25)
    assert s["finding_spl"] == pytest.approx(25 / 51)
    assert s["following_rate"] == pytest.approx(40 / (100 - 25))
    assert s["collision"] == 1.0 and s["collision_steps"] == 10
    after = 50  # steps from first found (51st) to the end
    assert s["backup_ratio"] == pytest.approx(10 / after)
    assert s["yield_ratio"] == pytest.approx(10 / after)
    assert s["mean_follow_distance"] == pytest.approx((30 * 1.5 + 10 * 0.8 + 10 * 1.2) / 50)
    assert s["min_human_distance"] == pytest.approx(0.3)
    assert s["intimate_zone_ratio"] == pytest.approx(10 / 100)
    assert s["personal_zone_ratio"] == pytest.approx(40 / 100)   # 1.5-0.55 and 1.2-0.55


def test_never_found():
    m = SocialNavMetrics()
    for _ in range(20):
        m.add(record(8.0, False))
    s = m.summary(oracle_steps=10)
    assert s["finding_success"] == 0 and s["finding_spl"] == 0 and s["following_rate"] == 0
    assert math.isnan(s["first_found_step"])


def test_oracle_steps():
    # humanoid standing 10 m away: an oracle at 1 m/s, 30 Hz, needs (10 - 2) * 30 = 240 steps
    dist = np.full(1000, 10.0)
    assert oracle_finding_steps(dist, 1.0, 1 / 30, 2.0) == 241
    assert oracle_finding_steps(np.full(5, 100.0), 1.0, 1 / 30, 2.0) == 5
    # lazily consumed: the scan stops at the first reachable step
    consumed = []
    gen = (consumed.append(t) or 1.0 for t in range(100))
    assert oracle_finding_steps(gen, 1.0, 1 / 30, 2.0) == 1 and len(consumed) == 1


def test_turn_then_go_spl_charges_the_turn_that_v0s_oracle_gets_free():
    # a humanoid standing 10 m straight behind the robot's start (30 Hz, 1 m/s, 1.5 rad/s)
    step, turn = 1.0 / 30.0, 1.5 / 30.0
    track = [(-10.0, 0.0)] * 1000
    l_star = oracle_finding_steps([10.0] * 1000, 1.0, 1 / 30, 2.0)
    ttg = habitat_oracle_steps(track, lambda xy: 10.0, lambda xy: [(0.0, 0.0), xy], 0.0,
                               step, turn, 2.0, 0.5)
    half_turn = math.ceil((math.pi - ORACLE_TURN_THRESHOLD) / turn)
    assert ttg == pytest.approx(l_star + half_turn, abs=2)
    assert turn_then_go_spl(l_star, ttg) == pytest.approx(l_star / ttg)
    assert turn_then_go_spl(l_star, l_star - 5) == 1.0          # never above 1
    assert math.isnan(turn_then_go_spl(l_star, math.inf))      # it never got there


def test_config_validation():
    with pytest.raises(ConfigError, match="reward.found_min"):
        SocialNavRewardConfig(found_min=2.5)
    with pytest.raises(ConfigError, match="reward.success_steps"):
        SocialNavRewardConfig(success_steps=0)


def test_stuck_steps_count_commanded_forward_motion_that_does_not_happen():
    def step(commanded, measured):
        return StepRecord(distance=3.0, separation=2.4, found=False, forward_speed=measured,
                          collided=False, commanded_speed=commanded)

    records = ([step(1.0, 0.9)] * 5             # driving
               + [step(1.0, 0.01)] * 7          # pinned: commanded, not moving
               + [step(0.2, 0.0)] * 4           # creeping command: not stuck
               + [step(1.0, -0.04)] * 2         # pushed back a little: still stuck
               + [step(-0.5, 0.0)] * 3          # backing command: not counted
               + [step(0.31, 0.06)] * 2)        # slow but moving
    metrics = SocialNavMetrics(SocialNavRewardConfig(), records=records).summary(10.0)
    assert metrics["stuck_steps"] == 9.0
