"""The crowd shadow: the people as they would have walked had the robot not been there,
stepped without physics, equals the World rebuilt without the robot."""

import numpy as np
import pytest

import embodied  # noqa: F401
from embodied.crowds.crowd import CrowdConfig
from embodied.crowds.scene import crowd_scene
from embodied.crowds.shadow import CrowdShadow
from embodied.errors import ConfigError


def rebuilt_positions(world, people):
    return np.array([world.entity(p).xy for p in people])


@pytest.mark.parametrize("model", ["orca", "social_force"])
def test_the_shadow_equals_the_world_rebuilt_without_the_robot(model):
    """300 steps of the shadow against a full re-simulation of the World without the
    robot (its own MuJoCo model, every entity stepped), with a robot the real crowd sees
    driving through the people."""
    scene = crowd_scene(people=8, config=CrowdConfig(model=model, own_errands=True), seed=4)
    world, people = scene.world, scene.crowd.people
    for _ in range(20):
        world.step()
    shadow = CrowdShadow(world)
    rebuilt = world.rebuild(without=("robot",))
    robot = world.entity("robot")
    apart = 0.0
    for k in range(300):
        robot.command_base(0.6, 0.4 * np.sin(k / 20))
        world.step()
        shadow.step()
        rebuilt.step()
        np.testing.assert_allclose(shadow.positions(), rebuilt_positions(rebuilt, people),
                                   rtol=0, atol=1e-9)
        apart = max(apart, float(np.abs(shadow.positions() - scene.positions()).max()))
    assert apart > 0.05, "the robot the real crowd sees changed someone's walk"


def test_an_invisible_robot_perturbs_nobody():
    scene = crowd_scene(people=8, config=CrowdConfig(robot_visible=False, own_errands=True), seed=5)
    world = scene.world
    shadow = CrowdShadow(world)
    robot = world.entity("robot")
    for k in range(300):
        robot.command_base(1.0, np.cos(k / 15))
        world.step()
        shadow.step()
        assert np.array_equal(shadow.positions(), scene.positions())


def test_deep_copies_of_a_shadow_step_on_alike_and_the_source_must_be_a_crowd():
    import copy

    scene = crowd_scene(people=4, seed=6)
    shadow = CrowdShadow(scene.world)
    for _ in range(10):
        shadow.step()
    twin = copy.deepcopy(shadow)
    for _ in range(50):
        shadow.step()
        twin.step()
    assert np.array_equal(shadow.positions(), twin.positions())
    with pytest.raises(ConfigError, match="not a Crowd"):
        CrowdShadow(scene.world, "robot")


def test_own_errands_are_the_same_whatever_the_others_do():
    """With own_errands a person's sequence of goals depends on its own stream only: the
    crowd with a robot in the way and its robot-free shadow give everyone the same goals."""
    scene = crowd_scene(people=8, config=CrowdConfig(own_errands=True), seed=7)
    world = scene.world
    shadow = CrowdShadow(world)
    seen = {True: [[] for _ in scene.crowd.people], False: [[] for _ in scene.crowd.people]}
    robot = world.entity("robot")
    for k in range(600):
        robot.command_base(0.8, 0.6 * np.sin(k / 25))
        world.step()
        shadow.step()
        for real, crowd in ((True, scene.crowd), (False, shadow.crowd)):
            for i, p in enumerate(crowd.persons):
                if p.goal is not None and (not seen[real][i] or seen[real][i][-1] != p.goal):
                    seen[real][i].append(p.goal)
    assert not np.array_equal(shadow.positions(), scene.positions())
    for with_robot, without in zip(seen[True], seen[False]):
        n = min(len(with_robot), len(without))
        assert n >= 1 and with_robot[:n] == without[:n]
