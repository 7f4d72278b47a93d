"""The robot in a generated home with a humanoid: sensors, collisions, exact replays."""

import numpy as np
import pytest

from embodied.sensors import SensorSuite, default_sensors
from embodied.showcase.playground import robot_in_home
from embodied.sim.contacts import count_contacts, geom_owners, owner_mask


@pytest.fixture(scope="module")
def home_world():
    return robot_in_home(seed=1)


def test_sensors_in_a_home_match_their_spaces_and_replay_exactly(home_world):
    world, robot = home_world
    world.reset()
    suite = SensorSuite(robot, default_sensors(48, 48))
    space = suite.observation_space(world)
    world.step(2)
    snap = world.snapshot()

    def rollout():
        frames = []
        for t in range(12):
            robot.apply_action(world, {"base": [0.6, 0.5 * np.sin(t / 3)], "arm_joint": [0.02] * 7})
            world.step()
            frames.append(suite.read(world))
        return frames

    first = rollout()
    for obs in first:
        for name, value in obs.items():
            assert space[name].contains(value), name
    world.restore(snap)
    second = rollout()
    for a, b in zip(first, second):
        for name in a:
            assert np.array_equal(a[name], b[name]), name
    twin = world.fork()
    twin_obs = SensorSuite(twin.entities["robot"], default_sensors(48, 48)).read(twin)
    np.testing.assert_array_equal(twin_obs["range_scan"], suite.read(world)["range_scan"])
    suite.close()


def test_driving_around_a_home_never_passes_through_walls_or_furniture(home_world):
    world, robot = home_world
    world.reset()
    robot_geoms = set(robot.handles.robot_geoms.tolist())
    owners, geom_owner = geom_owners(world)
    mine, static = (owner_mask(owners, geom_owner, p) for p in ("robot", "@static"))
    deepest, static_steps = 0.0, 0
    for t in range(240):                                # 8 s of wandering
        robot.command_base(1.0, 1.2 if (t // 40) % 2 else -0.6)
        world.step()
        static_steps += count_contacts(world, mine, static) > 0
        for c in world.data.contact[: world.data.ncon] if world.data.ncon else []:
            g1, g2 = int(c.geom[0]), int(c.geom[1])
            if (g1 in robot_geoms) != (g2 in robot_geoms) and static[g2 if g1 in robot_geoms else g1]:
                deepest = min(deepest, float(c.dist))
    assert static_steps > 20                            # it did run into things
    assert deepest > -0.02                              # contacts, never tunnelling
    x, y, _ = robot.base_pose(world)
    assert np.isfinite([x, y]).all()
