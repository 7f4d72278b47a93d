"""SocialNav-v1 follows Habitat 3.0's evaluation protocol (habitat-lab v0.3.0): one test per
difference from v0, on hand-built trajectories and in the env."""

import math

import gymnasium as gym
import numpy as np
import pytest

import embodied  # noqa: F401
from embodied.tasks.social_nav.config import V0
from embodied.tasks.social_nav.terms import (SocialNavMetrics, SocialNavRewardConfig, StepRecord,
                                             habitat_oracle_steps, reward_terms, turn_then_go_steps)

CFG = SocialNavRewardConfig()
STEP, TURN = 1.0 / 12.0, 1.0 / 12.0        # 1 m/s and 1 rad/s at 12 Hz


def record(found=False, euclidean=3.0, speed=0.0, collided=False):
    return StepRecord(distance=euclidean, separation=euclidean - 0.5, found=found,
                      forward_speed=speed, collided=collided, euclidean=euclidean)


def test_a_collision_ends_the_v1_episode_but_not_the_v0_one():
    for env_id, ends in (("embodied/SocialNav-v1", True), ("embodied/SocialNav-v0", False)):
        env = gym.make(env_id, split="val", max_steps=3000)
        env.reset(seed=3)
        task = env.unwrapped.task
        world = task.world
        human = world.entity("human0")
        robot = world.entity("robot")
        for step in range(400):       # drive the robot at the humanoid until they touch
            rx, ry, yaw = robot.base_pose(world)
            bearing = math.atan2(human.xy[1] - ry, human.xy[0] - rx) - yaw
            bearing = math.atan2(math.sin(bearing), math.cos(bearing))
            _, _, terminated, truncated, info = env.step(np.array([1.0 if abs(bearing) < 0.5 else 0.0,
                                                                   np.clip(2 * bearing, -1, 1)]))
            if info["collided"]:
                break
        assert info["collided"], f"{env_id}: the robot never reached the humanoid"
        assert terminated is ends and not truncated
        if ends:
            assert info["metrics"]["collision"] == 1.0
        env.close()


def test_the_oracle_turns_in_place_before_it_drives():
    path = [(0.0, 0.0), (6.0, 0.0)]
    facing = turn_then_go_steps(path, 0.0, (6.0, 0.0), STEP, TURN, 2.0, 0.5, 1500)
    behind = turn_then_go_steps(path, math.pi, (6.0, 0.0), STEP, TURN, 2.0, 0.5, 1500)
    assert facing == math.ceil(4.0 / STEP - 1e-9)            # 4 m to be within 2 m
    turning = math.ceil((math.pi - 0.1) / TURN)               # until within 0.1 rad
    assert behind == pytest.approx(facing + turning, abs=1)
    assert turn_then_go_steps(path, math.pi, (6.0, 0.0), STEP, TURN, 2.0, 0.5, 40) == math.inf


def test_l_star_is_the_first_step_the_oracle_could_be_there():
    # the humanoid walks away along x at half the robot's speed from 8 m
    targets = [(8.0 + 0.5 * STEP * t, 0.0) for t in range(1, 1501)]

    def distance(xy):
        return math.dist((0.0, 0.0), xy)

    def path(xy):
        return [(0.0, 0.0), tuple(xy)]

    l_star = habitat_oracle_steps(targets, distance, path, 0.0, STEP, TURN, 2.0, 0.5)
    # the oracle needs (x_t - 2) / STEP steps to reach x_t: (8 + t/24 - 2) * 12 <= t
    assert l_star == math.ceil(6.0 * 12 / (1 - 0.5))
    back = habitat_oracle_steps(targets, distance, path, math.pi, STEP, TURN, 2.0, 0.5)
    assert back > l_star                                      # turning costs steps too


def test_v1_following_rate_divides_by_1500_minus_l_star_even_after_an_early_end():
    metrics = SocialNavMetrics(CFG)
    for _ in range(100):
        metrics.add(record())
    for _ in range(200):
        metrics.add(record(found=True, euclidean=1.5))
    metrics.add(record(found=True, euclidean=0.6, collided=True))     # the collision ends it
    v1 = metrics.summary(80.0, "habitat", 1500)
    assert v1["following_rate"] == pytest.approx(201 / (1500 - 80))
    assert v1["finding_spl"] == pytest.approx(80 / 101)
    v0 = metrics.summary(80.0)
    assert v0["following_rate"] == pytest.approx(201 / (301 - 80))   # v0: over the steps run
    never = metrics.summary(math.inf, "habitat", 1500)
    assert never["finding_spl"] == 0.0 and never["following_rate"] == 0.0


def test_v1_backup_and_yield_count_all_steps_within_1_5_m_euclidean():
    metrics = SocialNavMetrics(CFG)
    metrics.add(record(euclidean=1.2, speed=-0.05))     # near, backing
    metrics.add(record(euclidean=1.2, speed=0.05))      # near, yielding (< 10% of 1 m/s)
    metrics.add(record(euclidean=1.2, speed=0.5))       # near, driving
    metrics.add(record(euclidean=2.5, speed=-0.5))      # far: neither
    v1 = metrics.summary(1.0, "habitat", 1500)
    assert v1["backup_ratio"] == pytest.approx(1 / 4) and v1["yield_ratio"] == pytest.approx(2 / 4)


def test_v1_reward_count_penalty_success_bonus_and_first_step():
    kw = dict(distance=1.5, prev_distance=1.6, facing=1.0, collided=False, cfg=CFG, protocol="habitat")
    first = reward_terms(collision_count=1, became_success=False, first_step=True, **kw)
    assert sum(first.values()) == -CFG.slack                  # v0.3.0: the measure is 0, slack is not
    touching = reward_terms(collision_count=1, became_success=True, first_step=False, **kw)
    assert touching["collision_count"] == -0.01 and touching["success"] == 10.0


def test_v1_starts_are_more_than_5_m_apart_in_a_straight_line_and_v0_is_pinned():
    env = gym.make("embodied/SocialNav-v1", split="val")
    cfg = env.unwrapped.task.config
    assert cfg.protocol == "habitat" and cfg.control_dt == pytest.approx(1 / 12)
    assert cfg.max_linear_speed * cfg.control_dt == pytest.approx(0.083, abs=1e-3)
    for seed in range(5):
        env.reset(seed=seed)
        task = env.unwrapped.task
        robot, human = task.start_poses["robot"], task.start_poses["human0"]
        assert math.hypot(robot.x - human.x, robot.y - human.y) > 5.0
    old = gym.make("embodied/SocialNav-v0", split="val").unwrapped.task.config
    assert all(getattr(old, k) == v for k, v in V0.items())


def test_the_clearing_expert_steps_off_the_path_of_a_humanoid_walking_at_it():
    from embodied.policies.experts.social_nav import (FollowerConfig, SocialNavHeuristic,
                                                      _path_ahead, _polyline_distance)

    env = gym.make("embodied/SocialNav-v1", split="val")
    obs, _ = env.reset(seed=0)
    for _ in range(5):                                   # the humanoid sets off on its leg
        obs, *_ = env.step(np.zeros(2, np.float32))
    task = env.unwrapped.task
    view = task.privileged()
    world, human, robot = view.world, view.agent(view.humanoid), view.agent(view.robot)
    ahead = _path_ahead(human, 3.0)
    assert ahead is not None and sum(math.dist(a, b) for a, b in zip(ahead, ahead[1:])) <= 3.0 + 1e-9
    a, b = np.asarray(ahead[1]), np.asarray(ahead[2])       # the humanoid's second leg
    on_path = next(p for p in (a + f * (b - a) for f in np.linspace(0.2, 0.8, 7))
                   if robot.navmap.is_navigable(tuple(p)) and math.dist(p, human.xy) > 1.2)
    toward = math.atan2(human.xy[1] - on_path[1], human.xy[0] - on_path[0])
    robot.set_pose(world, tuple(on_path), toward)         # facing the humanoid, on its way
    expert = SocialNavHeuristic(FollowerConfig(clear_path=0.8, path_ahead=3.0))
    expert.reset(env)
    assert _polyline_distance(tuple(on_path), ahead) < 0.8
    spot = expert._aside(view, robot, tuple(on_path), np.asarray(human.xy))
    assert spot is not None and robot.navmap.is_navigable(spot)
    assert _polyline_distance(spot, ahead) >= 0.8 + 0.25 or \
        _polyline_distance(spot, ahead) >= _polyline_distance(tuple(on_path), ahead) + 0.3
    speed, turn = expert._drive_to(view, (*on_path, toward), spot)
    bearing = math.atan2(spot[1] - on_path[1], spot[0] - on_path[0]) - toward
    assert (speed < 0) == (math.cos(bearing) < 0), "drives backwards to a spot behind it"
    env.close()


def test_walk_along_a_path_at_walking_speed_one_position_per_step():
    from embodied.policies.experts.social_nav import _walk_along

    walk = _walk_along([(0.0, 0.0), (1.0, 0.0), (1.0, 2.0)], speed=1.0, dt=0.5, steps=8)
    assert walk[:6] == [(0.5, 0.0), (1.0, 0.0), (1.0, 0.5), (1.0, 1.0), (1.0, 1.5), (1.0, 2.0)]
    assert walk[6:] == [(1.0, 2.0), (1.0, 2.0)]            # it stays at the path's end


def test_stepping_aside_with_foresight_avoids_a_collision_the_clearing_expert_has():
    """Val seed 1: heuristic_clear steps aside across the way of the humanoid walking at
    it and is hit at step 66; heuristic_predict's way aside keeps clear of it."""
    from embodied.config import policy_config
    from embodied.policies.registry import make_policy

    def first_collision(policy_name: str, steps: int = 150) -> int | None:
        env = gym.make("embodied/SocialNav-v1", split="val")
        policy = make_policy(policy_config(policy_name))
        obs, _ = env.reset(seed=1)
        policy.reset(env, 1)
        for t in range(steps):
            obs, _, terminated, truncated, info = env.step(policy.act(obs, env))
            if info["collided"]:
                return t
            if terminated or truncated:
                break
        env.close()
        return None

    assert first_collision("heuristic_clear") is not None
    assert first_collision("heuristic_predict") is None


def test_the_foresight_settings_are_checked():
    from embodied.errors import ConfigError
    from embodied.policies.experts.social_nav import FollowerConfig

    with pytest.raises(ConfigError, match="aside_predict"):
        FollowerConfig(aside_predict=-1.0)
