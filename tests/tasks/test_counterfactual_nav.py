"""CounterfactualNav: the perturbation is measured against the exact robot-free twin."""

import dataclasses

import gymnasium as gym
import numpy as np
import pytest

import embodied  # noqa: F401
from embodied.crowds.crowd import CrowdConfig
from embodied.errors import ConfigError
from embodied.policies import make_policy

ENV = "embodied/CounterfactualNav-v0"


def run(env, policy, seed, steps=None):
    obs, _ = env.reset(seed=seed)
    policy.reset(env, seed)
    infos = []
    while True:
        obs, reward, terminated, truncated, info = env.step(policy.act(obs, env))
        infos.append(info)
        if terminated or truncated or (steps and len(infos) >= steps):
            return infos


def test_a_robot_the_people_cannot_see_perturbs_nobody_exactly():
    env = gym.make(ENV, split="val", max_steps=300,
                   crowd=CrowdConfig(robot_visible=False, own_errands=True))
    infos = run(env, make_policy({"name": "goal_path"}), seed=3)
    metrics = infos[-1]["metrics"]
    assert metrics["perturbation"] == 0.0 and metrics["perturbation_max"] == 0.0
    assert all(i["displacement"] == 0.0 for i in infos)
    assert metrics["goals_compared"] > 0 and metrics["goal_delay"] == 0.0
    assert metrics["path_length_change"] == 0.0


def test_a_robot_parked_in_a_doorway_perturbs_the_people_who_pass_it():
    env = gym.make(ENV, split="val", max_steps=400)
    env.reset(seed=1)
    task = env.unwrapped.task
    world = task.world
    doorways = task.scene.home.layout.doorways
    door = max(doorways, key=lambda d: d.width)
    world.entity("robot").set_pose(world, tuple(door.center), 0.0)
    first = None
    for _ in range(400):
        _, _, _, truncated, info = env.step(np.zeros(2, np.float32))
        if first is None and info["displacement"] > 0.0:
            rx, ry, _ = world.entity("robot").base_pose(world)
            moved = np.hypot(*(task.people_positions() - task.twin.positions()).T)
            who = int(np.argmax(moved))
            first = float(np.hypot(*(task.people_positions()[who] - (rx, ry))))
        if truncated:
            break
    metrics = info["metrics"]
    assert metrics["perturbation_max"] > 0.2 and metrics["displaced_share"] > 0.0
    assert first is not None and first < 2.5, "the first person displaced was passing the robot"


def test_the_perturbation_term_is_its_weight_times_the_displacement():
    reward = dataclasses.replace(embodied.tasks.counterfactual_nav.CounterfactualNavRewardConfig(),
                                 perturbation=2.0)
    env = gym.make(ENV, split="val", max_steps=200, reward=reward)
    infos = run(env, make_policy({"name": "goal_path"}), seed=2)
    assert any(i["displacement"] > 0 for i in infos)
    for i in infos:
        assert i["reward_terms"]["perturbation"] == pytest.approx(-2.0 * i["displacement"], abs=1e-12)


def test_the_windowed_signal_compares_with_twins_started_along_the_way():
    reward = dataclasses.replace(embodied.tasks.counterfactual_nav.CounterfactualNavRewardConfig(),
                                 perturbation=1.0)
    env = gym.make(ENV, split="val", max_steps=240, reward=reward, perturbation_signal="window",
                   window_every=6, window_horizon=12)
    infos = run(env, make_policy({"name": "goal_path"}), seed=2)
    window = np.array([-i["reward_terms"]["perturbation"] for i in infos])
    episode = np.array([i["displacement"] for i in infos])
    assert window.max() > 0.0
    assert not np.array_equal(window, episode)
    # a window only sees what the robot changed in its last 12 steps: never more than the
    # episode's displacement plus what the people could walk in that time
    assert window.max() <= episode.max() + 12 * env.unwrapped.task.control_dt * 2.0 * 1.3
    assert window[:6].max() == 0.0, "no window has run yet"


def test_the_orca_robot_reaches_its_goal_touching_people_less_than_the_blind_one():
    env = gym.make(ENV, split="val")
    # val episodes 1-4 (in 0 nobody comes near the robot's way)
    blind, social = ([run(env, make_policy({"name": name}), seed=s)[-1]["metrics"] for s in range(1, 5)]
                     for name in ("goal_path", "orca_robot"))
    assert sum(m["success"] for m in blind) >= 3 and sum(m["success"] for m in social) >= 3
    assert sum(m["collision_steps"] for m in social) < sum(m["collision_steps"] for m in blind)
    assert (np.mean([m["min_separation"] for m in social])
            > np.mean([m["min_separation"] for m in blind]))


def test_bad_configs_are_refused_by_name():
    with pytest.raises(ConfigError, match="perturbation_signal"):
        gym.make(ENV, perturbation_signal="sometimes")
    with pytest.raises(ConfigError, match="crowd.robot"):
        gym.make(ENV, crowd=CrowdConfig(robot=None))
    with pytest.raises(ConfigError, match="bystanders"):
        gym.make(ENV, bystanders=0)
    with pytest.raises(ConfigError, match="path_waypoint"):
        gym.make(ENV, path_waypoint="yes")
    with pytest.raises(ConfigError, match="path_lookahead"):
        gym.make(ENV, path_waypoint=True, path_lookahead=0.0)


def test_the_path_waypoint_leads_along_the_shortest_path_round_corners():
    """Off by default (the released observation); on, it is a point in clear view at most
    ``path_lookahead`` ahead on the way to the goal, and following it reaches the goal."""
    from embodied.policies.base import privileged_view
    from embodied.tasks.counterfactual_nav.task import CounterfactualNavView

    assert "path_waypoint" not in gym.make(ENV, split="val").observation_space.spaces
    env = gym.make(ENV, split="val", path_waypoint=True, path_lookahead=1.5, max_steps=600,
                   crowd=CrowdConfig(robot_visible=False, own_errands=True))
    obs, _ = env.reset(seed=0)
    assert env.observation_space["path_waypoint"].contains(obs["path_waypoint"])
    bearings_differ = False
    for _ in range(600):
        distance, bearing = (float(v) for v in obs["path_waypoint"])
        goal_distance, goal_bearing = (float(v) for v in obs["goal_gps_compass"])
        assert distance <= 1.5 + 1e-4 or abs(distance - goal_distance) < 1e-4
        bearings_differ |= abs(bearing - goal_bearing) > 0.5    # the goal round a corner
        view = privileged_view(env, CounterfactualNavView)
        rx, ry, _ = view.world.entity("robot").base_pose(view.world)
        x, y = env.unwrapped.task.path_waypoint()
        navmap = view.navmaps["robot"]
        assert navmap.line_of_sight((rx, ry), (x, y)) or not navmap.is_navigable((rx, ry))
        turn = np.clip(2.0 * bearing, -1.0, 1.0)                # steer at it
        obs, _, terminated, truncated, info = env.step(
            np.array([max(np.cos(bearing), 0.0) * 0.8, turn], np.float32))
        if terminated or truncated:
            break
    assert bearings_differ and info["metrics"]["success"] == 1.0


def test_the_path_aware_driver_keeps_off_the_next_seconds_of_the_peoples_ways():
    from embodied.policies.experts.counterfactual_nav import PathAwareConfig, PathAwareDriver

    env = gym.make(ENV, split="val")
    driver = PathAwareDriver(PathAwareConfig(ahead=2.0))
    infos = run(env, driver, seed=4, steps=30)
    view = env.unwrapped.privileged()
    crowd = view.agent(view.crowd)
    discs = driver._ways(view, 2.0)
    walking = [(n, p) for n, p in zip(crowd.people, crowd.persons) if p.goal is not None and p.pause == 0.0]
    assert walking
    for name, p in walking:
        ahead = p.path[p.waypoint]
        reach = min(2.0 * p.speed, float(np.hypot(*np.subtract(ahead, view.agent(name).xy))))
        # a point of its way within reach is covered by a disc
        here = np.array(view.agent(name).xy)
        point = here + (np.array(ahead) - here) * reach / max(np.linalg.norm(np.array(ahead) - here), 1e-9)
        assert min(np.hypot(x - point[0], y - point[1]) - r for x, y, r in discs) <= 1e-9
    # and nothing beyond 2 s of anyone's walk
    people = np.array([view.agent(n).xy for n in crowd.people])
    top = max(p.speed for p in crowd.persons)
    for x, y, _ in discs:
        assert np.hypot(*(people - (x, y)).T).min() <= 2.0 * top + 1e-6
    assert len(infos) == 30


def test_the_tasks_twin_equals_the_world_rebuilt_without_the_robot():
    """The task's shadow twin against a full re-simulation (its own MuJoCo model, every
    entity stepped) over 300 steps of an episode in which the robot drives through."""
    env = gym.make(ENV, split="val", max_steps=300)
    policy = make_policy({"name": "goal_path"})
    obs, _ = env.reset(seed=6)
    policy.reset(env, 6)
    task = env.unwrapped.task
    rebuilt = task.world.rebuild(without=("robot",))
    moved = 0.0
    for _ in range(300):
        obs, _, terminated, truncated, info = env.step(policy.act(obs, env))
        rebuilt.step()
        full = np.array([rebuilt.entity(p).xy for p in task.people])
        np.testing.assert_allclose(task.twin.positions(), full, rtol=0, atol=1e-9)
        moved = max(moved, info["displacement"])
        if terminated or truncated:
            break
    assert moved > 0.0, "the robot changed someone's walk, so the twin was tested apart"
