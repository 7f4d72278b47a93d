"""SocialNav with bystanders walking under the crowd model (SocialNav-v0 has none)."""

import gymnasium as gym
import numpy as np

import embodied  # noqa: F401
from embodied.crowds.crowd import CrowdConfig


def make(**kw):
    return gym.make("embodied/SocialNav-v0", split="val", max_steps=10_000, bystanders=4, **kw)


def test_bystanders_walk_about_and_the_episode_replays_exactly():
    env = make()
    task = env.unwrapped.task
    actions = [np.array([0.6, 0.3 * np.sin(t / 9)], np.float32) for t in range(90)]
    env.reset(seed=3)
    world = task.world
    names = [f"bystander{i}" for i in range(4)]
    start = np.array([world.entity(n).xy for n in names])
    assert set(task.agents()) >= set(names)
    for a in actions[:30]:
        task.step(a)
    twin = task.fork()
    first = [task.step(a) for a in actions[30:]]
    forked = [twin.step(a) for a in actions[30:]]
    for (oa, ra, *_), (ob, rb, *_) in zip(first, forked):
        assert ra == rb and all(np.array_equal(oa[k], ob[k]) for k in oa)
    moved = np.linalg.norm(np.array([world.entity(n).xy for n in names]) - start, axis=1)
    assert (moved > 0.5).sum() >= 2, "bystanders walk"
    metrics = task.episode_metrics()
    assert {"bystander_collision_steps", "bystander_min_separation"} <= set(metrics)
    assert metrics["bystander_min_separation"] > -0.05
    again = make()
    again.reset(seed=3)
    for a in actions:
        again.unwrapped.task.step(a)
    assert np.array_equal([again.unwrapped.world.entity(n).xy for n in names],
                          [world.entity(n).xy for n in names])
    env.close(), again.close()


def test_the_followed_humanoid_can_walk_with_the_crowd_and_v0_has_no_crowd():
    env = make(humanoid_crowd=True, crowd=CrowdConfig(robot_visible=False))
    env.reset(seed=1)
    crowd = env.unwrapped.world.entity("crowd")
    assert crowd.people[0] == "human0" and len(crowd.people) == 5
    for _ in range(60):
        env.step(np.zeros(2, np.float32))
    env.close()
    plain = gym.make("embodied/SocialNav-v0", split="val")
    plain.reset(seed=1)
    assert "crowd" not in plain.unwrapped.world.entities
    plain.close()
