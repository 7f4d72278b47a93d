"""Robot sensors: declared spaces, range scan against known walls, humanoid detection."""

import numpy as np
import pytest

from embodied.agents.humanoid.humanoid import Humanoid
from embodied.agents.robot import make_robot
from embodied.sensors import (COSTS, CameraDepth, GoalGPSCompass, HeadDepth, HumanoidDetector,
                              HumanoidGPSCompass, RangeScan, SensorSuite, default_sensors)
from embodied.showcase.playground import make_playground
from embodied.errors import ConfigError
from embodied.sim.world import World

HALF = 3.0  # inner wall faces of the playground at +-3 m


def make(robot_pos=(0.0, 0.0), yaw=0.0, humanoid=None, embodiment="fetch", **scene):
    robot = make_robot(embodiment, pos=(*robot_pos, 0.0), yaw=yaw)
    entities = [robot]
    if humanoid is not None:
        entities.append(Humanoid("human0", pos=humanoid, yaw=np.pi))
    pg = make_playground(**scene)
    world = World(pg.spec, entities, labels=pg.labels, seed=0)
    world.reset()
    world.step(2)
    return world, robot


def wall_distance(origin, angle):
    """Distance from ``origin`` along ``angle`` to the square room's walls."""
    d = np.array([np.cos(angle), np.sin(angle)])
    ts = [(np.sign(c) * HALF - o) / c for c, o in zip(d, origin) if abs(c) > 1e-9]
    return min(t for t in ts if t > 0)


@pytest.mark.parametrize("embodiment", ["fetch", "spot"])
def test_every_sensor_output_matches_its_declared_space(embodiment):
    world, robot = make(humanoid=(2.0, 0.3), objects={"cube": (0.6, 0.0, 0.745)},
                        embodiment=embodiment, robot_pos=(-0.6, 0.0))
    suite = SensorSuite(robot, default_sensors(64, 48))
    space = suite.observation_space(world)
    for t in range(3):
        robot.apply_action(world, {"base": [0.3, 0.2],
                                   "arm_joint": [0.05] * len(robot.constants.arm_joints)})
        world.step()
        obs = suite.read(world)
        assert set(obs) == set(space.spaces)
        for name, value in obs.items():
            assert space[name].contains(value), (name, value.dtype, value.shape)
    assert all(s.cost in COSTS for s in suite.sensors.values())
    assert {s.cost for s in suite.sensors.values()} == set(COSTS)
    assert obs["head_rgb"].std() > 5 and np.ptp(obs["head_depth"]) > 0.5   # real images
    suite.close()


def test_sensor_config_errors():
    with pytest.raises(ConfigError, match="num_rays"):
        RangeScan(num_rays=0)
    with pytest.raises(ConfigError, match="width"):
        HeadDepth(width=0)
    with pytest.raises(ConfigError, match="mode"):
        HumanoidGPSCompass(mode="spherical")
    world, robot = make()
    with pytest.raises(ConfigError, match="sensor names"):
        SensorSuite(robot, [RangeScan(), RangeScan()])
    with pytest.raises(ConfigError, match="humanoid"):
        SensorSuite(robot, [HumanoidGPSCompass()]).read(world)    # no humanoid in this World


@pytest.mark.parametrize("pos,yaw", [((0.0, 0.0), 0.0), ((0.7, -1.1), 0.9), ((-1.5, 1.2), -2.4)])
def test_range_scan_matches_known_walls(pos, yaw):
    world, robot = make(robot_pos=pos, yaw=yaw, tables=())
    scan = RangeScan(num_rays=64, fov=2 * np.pi, max_range=10.0)
    ranges = SensorSuite(robot, [scan]).read(world)["range_scan"]
    site = world.data.site_xpos[robot.handles.scan_site]
    heading = robot.base_pose(world)[2]
    expected = [wall_distance(site[:2], heading + a) for a in scan.angles]
    np.testing.assert_allclose(ranges, expected, atol=0.05)


def test_range_scan_sees_through_the_robots_own_arm():
    world, robot = make(tables=())
    down = np.array([np.cos(np.pi / 4), 0.0, np.sin(np.pi / 4), 0.0])
    robot.reach(world, [0.45, 0.0, 0.24], down)          # gripper down in the scan plane
    world.step(60)
    scan = RangeScan(num_rays=31, fov=0.6, max_range=10.0)
    suite = SensorSuite(robot, [scan])
    origin = world.data.site_xpos[robot.handles.scan_site]
    # Without exclusion the forward ray would stop on the arm.
    import mujoco
    geom = np.zeros(1, dtype=np.int32)
    mujoco.mj_ray(world.model, world.data, origin, np.array([1.0, 0, 0]), None, 1,
                  robot.handles.base_body, geom)
    assert geom[0] in robot.handles.robot_geoms
    ranges = suite.read(world)["range_scan"]
    assert abs(ranges[15] - (HALF - origin[0])) < 0.05


def test_humanoid_detector_fires_only_with_a_humanoid_in_view():
    detector = HumanoidDetector(96, 72, "head", "detector", min_pixels=10)
    world, robot = make(humanoid=(2.5, 0.0), tables=())
    seen = SensorSuite(robot, [detector]).read(world)["detector"]
    assert seen[0] == 1.0
    x0, y0, x1, y1 = seen[1:]
    assert 0 <= x0 < 0.5 < x1 <= 1 and 0 <= y0 < y1 <= 1 and (x1 - x0) < 0.5

    world, robot = make(humanoid=(-2.5, 0.0), tables=())              # behind the robot
    unseen = SensorSuite(robot, [detector]).read(world)["detector"]
    assert unseen.tolist() == [0.0] * 5
    world, robot = make(tables=())                                     # no humanoid at all
    assert SensorSuite(robot, [detector]).read(world)["detector"][0] == 0.0


def test_gps_compass_sensors():
    world, robot = make(robot_pos=(1.0, 1.0), yaw=np.pi / 2, humanoid=(1.0, 2.5), tables=())
    goal = GoalGPSCompass(goal=(-1.0, 1.0))
    polar = HumanoidGPSCompass(mode="polar", name="human_polar")
    obs = SensorSuite(robot, [goal, HumanoidGPSCompass(), polar]).read(world)
    np.testing.assert_allclose(obs["goal_gps_compass"], [2.0, np.pi / 2], atol=1e-3)
    x, y = obs["humanoid_gps_compass"]
    assert abs(y) < 0.1 and 1.3 < x < 1.7                               # straight ahead
    assert abs(obs["human_polar"][0] - np.hypot(x, y)) < 1e-5


def test_image_sensors_share_one_renderer_per_resolution_and_one_frame_per_camera():
    world, robot = make()
    suite = SensorSuite(robot, [HeadDepth(64, 64), CameraDepth(64, 64, "head", "depth_b"),
                                CameraDepth(32, 32, "arm", "arm_d")])
    obs = suite.read(world)
    assert len(suite._images.renderers) == 2
    assert len(suite._images.frame) == 2                              # head 64 shared, arm 32
    np.testing.assert_array_equal(obs["head_depth"], obs["depth_b"])
    suite.close()


@pytest.mark.parametrize("static_objects", [False, True])
def test_range_scan_in_a_home_equals_casting_against_every_geom(static_objects):
    """The scan casts into a compact copy of the geoms that can cross its plane (not table
    tops, objects on shelves, the humanoid's upper body); the ranges must equal casting
    against the whole model, with objects (a vase mesh on the floor among them) free or
    fixed."""
    import mujoco

    from embodied.scenes.home import HomeConfig, generate_home
    from embodied.scenes.navmap import NavMap

    home = generate_home(0, "val", HomeConfig(static_objects=static_objects))
    robot, human = make_robot("fetch"), Humanoid("human0")
    world = home.make_world([robot, human], seed=0)
    model, data = world.model, world.data
    navmap = NavMap.from_model(model, data, agent_radius=robot.constants.base_radius)
    rng = np.random.default_rng(0)
    human.initial_pos = np.array([*navmap.sample_navigable(rng, 1)[0], 0.0])
    world.reset()
    human.walk(1.0, 0.0)
    world.step(10)                                  # mid-stride legs
    scan = RangeScan(num_rays=64, max_range=10.0)   # 270 degrees, as on the robot
    suite = SensorSuite(robot, [scan])
    human_geoms = world.geoms_of("human0/")
    hx, hy = human.position
    poses = [(*xy, rng.uniform(-np.pi, np.pi)) for xy in navmap.sample_navigable(rng, 4)]
    poses += [(hx - 1.2 * np.cos(a), hy - 1.2 * np.sin(a), a) for a in np.linspace(0, 6, 12)
              if navmap.is_navigable((hx - 1.2 * np.cos(a), hy - 1.2 * np.sin(a)))][:2]
    hits_on_human = 0
    for pose in poses:
        data.qpos[robot.handles.base_qpos] = pose
        mujoco.mj_forward(model, data)
        ranges = suite.read(world)["range_scan"]
        origin = data.site_xpos[robot.handles.scan_site]
        heading = robot.base_pose(world)[2]
        expected, own = [], []
        for a in scan.angles:
            geom = np.zeros(1, dtype=np.int32)
            d = mujoco.mj_ray(model, data, origin, np.array([np.cos(heading + a),
                              np.sin(heading + a), 0.0]), None, 1, robot.handles.base_body, geom)
            expected.append(min(d, 10.0) if geom[0] >= 0 else 10.0)
            own.append(geom[0] in robot.handles.robot_geoms)   # the scan sees through these
            hits_on_human += geom[0] in human_geoms
        own = np.array(own)
        assert own.sum() < 10
        np.testing.assert_allclose(ranges[~own], np.array(expected)[~own], atol=1e-5)
        assert (ranges[own] > np.array(expected)[own]).all()
    assert hits_on_human >= 3                       # the humanoid's legs were scanned
    held = scan._plane.source                       # World geoms the scan's scene holds
    static = np.flatnonzero(model.body_weldid[model.geom_bodyid] == 0)
    assert np.setdiff1d(static, held).size > 20     # real savings in a furnished home
    assert not np.isin(robot.handles.robot_geoms, held).any()
    walls = [world.geom_id(n) for n in ("wall/exterior/0", "wall/kitchen_0/0")]
    assert np.isin(walls, held).all()
