"""The shared task floor: scene cache, episode initializers, contact monitor, World
rebuild without an entity, sensors on forks, named lookups."""

import math

import gymnasium as gym
import numpy as np
import pytest

import embodied  # noqa: F401
from embodied.errors import EpisodeInitError, NotFoundError, SimulationError
from embodied.tasks.episodes import Initializer, SceneCache, SeparatedStarts, run_initializers
from embodied.tasks.social_nav import SocialNavConfig, SocialNavTask


def social_nav(**config):
    return SocialNavTask(SocialNavConfig(**{"max_steps": 50, **config}), "val")


def test_a_home_is_generated_once_per_scene_and_the_cache_stays_bounded():
    task = SocialNavTask(SocialNavConfig(homes=1), "val", scenes=SceneCache(max_scenes=1, max_homes=2))
    avatars = []
    for seed in range(8):                   # one home, several avatars: several scenes
        _, info = task.reset(seed)
        avatars.append(info["avatar"])
    cache = task.scenes
    switches = 1 + sum(a != b for a, b in zip(avatars, avatars[1:]))
    assert len(set(avatars)) >= 2 and cache.generated == 1
    assert cache.built == switches and len(cache) == 1
    task.close()
    task = SocialNavTask(SocialNavConfig(), "val", scenes=SceneCache(max_scenes=2, max_homes=3))
    for seed in range(5):
        task.reset(seed)
    assert task.scenes.generated == 5 and len(task.scenes._homes) == 3 and len(task.scenes) == 2
    task.close()


def test_initializers_are_retried_on_episode_init_errors_then_give_up():
    task = social_nav()
    task.reset(0)

    class FailsTwice(Initializer):
        calls = 0

        def __call__(self, task, rng):
            FailsTwice.calls += 1
            if FailsTwice.calls <= 2:
                raise EpisodeInitError("not yet")

    run_initializers(task, [FailsTwice()], np.random.default_rng(0), attempts=3)
    assert FailsTwice.calls == 3
    impossible = SeparatedStarts(("robot", "human0"), min_distance=500.0, tries=4,
                                 on_failure="retry")
    with pytest.raises(EpisodeInitError, match="500.0 m apart in 4 tries"):
        run_initializers(task, [impossible], np.random.default_rng(0), attempts=2)
    # SocialNav-v0's own start keeps the farthest pair instead (as released)
    farthest = SeparatedStarts(("robot", "human0"), min_distance=500.0, tries=4,
                               on_failure="farthest")
    run_initializers(task, [farthest], np.random.default_rng(0), attempts=1)
    a, b = task.start_poses["robot"], task.start_poses["human0"]
    assert math.isfinite(task.scene.navmaps["robot"].geodesic_distance((a.x, a.y), (b.x, b.y)))
    task.close()


def test_a_world_rebuilt_without_the_robot_carries_the_humanoid_on_exactly():
    """SocialNav's humanoid ignores the robot: in the same World without it, it walks on
    exactly as before (the counterfactual re-simulation later tasks build on)."""
    task = social_nav()
    task.reset(3)
    world = task.world
    for _ in range(40):
        task.step(np.array([0.5, 0.3], np.float32))
    alone = world.rebuild(without=("robot",))
    assert "robot" not in alone.entities and alone.model.nbody < world.model.nbody
    assert alone.time == world.time and alone.step_count == world.step_count
    human, twin = world.entity("human0"), alone.entity("human0")
    assert twin.xy == human.xy and twin.navmap is human.navmap
    for _ in range(120):
        world.step()
        alone.step()
        assert twin.xy == human.xy and twin.yaw == human.yaw
    assert np.array_equal(alone.data.mocap_pos, world.data.mocap_pos)
    with pytest.raises(NotFoundError, match="entity named 'robt'.*human0"):
        world.rebuild(without=("robt",))
    task.close()


def test_rebuild_keeps_a_grasp_and_maps_its_body_ids():
    from embodied.agents.humanoid import Humanoid
    from embodied.agents.humanoid.floor import floor_spec
    from embodied.agents.robot import make_robot
    from embodied.sim import collision
    from embodied.sim.world import World

    def scene():
        spec = floor_spec()
        body = spec.worldbody.add_body(name="obj/cube/body", pos=[0.45, 0.0, 0.9])
        body.add_freejoint(name="obj/cube/joint")
        geom = body.add_geom(name="obj/cube/0", type=6, size=[0.03] * 3, mass=0.2)
        collision.apply(geom, collision.DYNAMIC)
        return spec

    robot = make_robot("fetch", pos=(-2.0, 1.5, 0.0))
    human = Humanoid("human0", "avatar_01")
    world = World(scene, [robot, human], seed=4)
    world.reset()
    assert human.grasp(world, "obj/cube/body", "r", snap=True)
    human.walk(0.5, 0.2)
    world.step(20)
    alone = world.rebuild(without=("robot",))
    twin = alone.entity("human0")
    assert twin.holding == alone.body_id("obj/cube/body")
    hand = twin.get_state()["grip"].hold.holder_body
    assert hand == alone.body_id("human0/hand_r") != world.body_id("human0/hand_r")
    for _ in range(30):
        world.step()
        alone.step()
    cube = lambda w: w.data.xpos[w.body_id("obj/cube/body")]  # noqa: E731
    np.testing.assert_array_equal(cube(alone), cube(world))
    assert twin.xy == human.xy


def test_contact_monitor_counts_pairs_of_entity_patterns():
    from embodied.agents.humanoid import Humanoid
    from embodied.agents.humanoid.floor import floor_spec
    from embodied.agents.robot import make_robot
    from embodied.sim.contacts import ContactMonitor
    from embodied.sim.world import World

    a = make_robot("fetch", name="robot0", pos=(-1.0, 0.0, 0.0), yaw=0.0)
    b = make_robot("spot", name="robot1", pos=(1.0, 0.0, 0.0), yaw=math.pi)
    human = Humanoid("human0", "avatar_03", pos=(-1.0, 1.6), yaw=-math.pi / 2)
    monitor = ContactMonitor({"robots": ("robot*", "robot*"), "first": ("robot0", "*"),
                              "people": ("human*", "robot*"), "floor": ("robot*", "@static")})
    world = World(floor_spec(), [a, b, human, monitor], seed=0)
    world.reset()
    world.step(3)
    assert monitor.steps("robots") == 0                # a robot's own parts never count
    human.walk(0.8, 0.0)                               # into robot0
    world.step(60)
    human.stop()
    assert monitor.steps("people") > 0 and monitor.steps("robots") == 0
    # robot1 steers at robot0 wherever the push left it (a fixed heading can miss it)
    for _ in range(90):
        ax, ay, _ = a.base_pose(world)
        bx, by, heading = b.base_pose(world)
        bearing = math.remainder(math.atan2(ay - by, ax - bx) - heading, math.tau)
        b.command_base(0.6, 3.0 * bearing)
        world.step(1)
    assert monitor.steps("robots") > 0 and monitor.onsets("robots") >= 1
    assert monitor.steps("first") >= monitor.steps("robots")
    snap = world.snapshot()
    counts = {k: (monitor.steps(k), monitor.onsets(k)) for k in monitor.pairs}
    world.step(20)
    world.restore(snap)
    assert {k: (monitor.steps(k), monitor.onsets(k)) for k in monitor.pairs} == counts
    with pytest.raises(NotFoundError, match="contact pair named 'robot'.*people"):
        monitor.steps("robot")


def test_a_sensor_suite_mounted_by_name_reads_a_fork_through_its_own_entity():
    task = social_nav()
    task.reset(2)
    suite = task.scene.sensors["robot"]
    twin = task.world.fork()
    assert all(np.array_equal(x, y) for x, y in zip(suite.read(task.world).values(),
                                                      suite.read(twin).values()))
    twin.entity("robot").command_base(1.0, 1.0)
    twin.step(15)
    moved, still = suite.read(twin), suite.read(task.world)
    assert not np.array_equal(moved["range_scan"], still["range_scan"])
    task.close()


def test_humanoids_carry_sensors_too():
    from embodied.sensors import BaseVelocity, HumanoidGPSCompass, IsHolding, RangeScan, SensorSuite

    task = social_nav()
    task.reset(1)
    world = task.world
    suite = SensorSuite("human0", [HumanoidGPSCompass(humanoid="robot", mode="polar",
                                                      name="robot_polar"),
                                   BaseVelocity(), IsHolding()])
    human = world.entity("human0")
    human.run(None)                        # no wandering: walk straight on
    human.walk(0.8, 0.0)
    world.step(30)
    obs = suite.read(world)
    robot, pose = world.entity("robot").get_pose(world), human.get_pose(world)
    assert abs(obs["robot_polar"][0] - math.dist((robot.x, robot.y), (pose.x, pose.y))) < 0.2
    gait = human.gait.state
    assert obs["base_velocity"].tolist() == [np.float32(gait.v), np.float32(gait.w)]
    assert gait.v_cmd == 0.8 and obs["is_holding"][0] == 0.0
    with pytest.raises(NotFoundError, match="site named 'human0/scan'"):
        SensorSuite("human0", [RangeScan()]).read(world)
    task.close()


def test_names_that_do_not_exist_say_what_does():
    task = social_nav()
    task.reset(0)
    world = task.world
    with pytest.raises(NotFoundError, match="no entity named 'robbot'; available: contacts, human0, robot"):
        world.entity("robbot")
    with pytest.raises(KeyError, match="no site named 'robot/lazer'.*robot/laser"):
        world.site_id("robot/lazer")
    env = gym.make("embodied/SocialNav-v0", split="val")
    with pytest.raises(gym.error.ResetNeeded):
        env.unwrapped.privileged()
    env.close()
    task.close()


def test_a_fork_resets_on_its_own_and_tasks_sharing_a_cache_keep_their_scenes():
    task = social_nav(max_steps=500)
    task.reset(0)
    for _ in range(5):
        task.step(np.zeros(2, np.float32))
    twin = task.fork()
    twin.reset(0)
    assert twin.world is not task.world and task.world.step_count == 5 and task.steps == 5
    cache = SceneCache()
    fetch = SocialNavTask(SocialNavConfig(), "val", scenes=cache)
    spot = SocialNavTask(SocialNavConfig(robot="spot"), "val", scenes=cache)
    fetch.reset(0)
    spot.reset(0)
    assert spot.world is not fetch.world
    assert spot.world.entity("robot").constants.name == "spot"
    assert cache.generated == 1                        # the home is shared, the Worlds not
    task.close(), twin.close(), fetch.close(), spot.close()


def test_a_failed_reset_leaves_no_episode_and_a_foreign_snapshot_is_refused_untouched():
    task = social_nav()
    task.reset(0)
    other = social_nav()
    other.reset(5)
    foreign = other.snapshot()
    time, qpos = task.world.time, task.world.data.qpos.copy()
    with pytest.raises(Exception, match="another scene"):
        task.restore(foreign)
    assert task.world.time == time and np.array_equal(task.world.data.qpos, qpos)

    class Impossible(Initializer):
        def __call__(self, task, rng):
            raise EpisodeInitError("never")

    task.initializers = lambda: [Impossible()]
    with pytest.raises(EpisodeInitError, match="never"):
        task.reset(1)
    with pytest.raises(gym.error.ResetNeeded):
        task.step(np.zeros(2, np.float32))
    task.close(), other.close()


def test_rebuild_without_a_holder_lets_its_object_go():
    from embodied.agents.humanoid import Humanoid
    from embodied.agents.humanoid.floor import floor_spec
    from embodied.sim import collision
    from embodied.sim.world import World

    def scene():
        spec = floor_spec()
        body = spec.worldbody.add_body(name="obj/cube/body", pos=[0.45, 0.0, 0.9])
        body.add_freejoint(name="obj/cube/joint")
        collision.apply(body.add_geom(name="obj/cube/0", type=6, size=[0.03] * 3, mass=0.2),
                        collision.DYNAMIC)
        return spec

    human = Humanoid("human0", "avatar_01")
    world = World(scene, [human], seed=1)
    world.reset()
    assert human.grasp(world, "obj/cube/body", "r", snap=True)
    world.step(5)
    alone = world.rebuild(without=("human0",))
    cube = alone.body_id("obj/cube/body")
    assert not alone.data.xfrc_applied[cube].any()
    z = alone.data.xpos[cube, 2]
    alone.step(30)
    assert alone.data.xpos[cube, 2] < z - 0.3           # nobody holds it: it falls


def test_model_sized_sensors_get_their_space_from_a_built_scene():
    from embodied.sensors import JointPositions

    class WithJoints(SocialNavTask):
        def make_sensors(self):
            sensors = super().make_sensors()
            return {"robot": [*sensors["robot"], JointPositions()]}

    task = WithJoints(SocialNavConfig(max_steps=5), "val")
    obs, _ = task.reset(0)
    joints = task.world.entity("robot").sensed_joints()
    assert task.observation_space["joint_positions"].shape == (len(joints),) == obs["joint_positions"].shape
    assert task.observation_space.contains(obs)
    task.close()


def test_free_objects_are_owners_of_their_own_and_bad_names_are_refused():
    from embodied.agents.humanoid.floor import floor_spec
    from embodied.errors import ConfigError
    from embodied.sensors import GeometricHumanoidDetector, SensorSuite
    from embodied.sim import collision
    from embodied.sim.contacts import ContactMonitor
    from embodied.sim.world import World
    from embodied.agents.robot import make_robot

    spec = floor_spec()
    for k, z in enumerate((0.03, 0.0905)):
        body = spec.worldbody.add_body(name=f"obj/cube{k}/body", pos=[2.0, 0.0, z])
        body.add_freejoint(name=f"obj/cube{k}/joint")
        collision.apply(body.add_geom(name=f"obj/cube{k}/0", type=6, size=[0.03] * 3, mass=0.2),
                        collision.DYNAMIC)
    monitor = ContactMonitor({"stack": ("@object", "@object"), "floor": ("@object", "@static")})
    robot = make_robot("fetch")
    world = World(spec, [robot, monitor], seed=0)
    world.reset()
    world.step(10)
    assert monitor.touching("stack") and monitor.touching("floor")
    with pytest.raises(ConfigError, match="humanoid.*'human1'"):
        SensorSuite("robot", [GeometricHumanoidDetector(humanoid="human1")]).read(world)
    with pytest.raises(ConfigError, match="must be a string"):
        world.body_id(None)


def test_a_non_finite_reward_stops_the_step_naming_its_term(monkeypatch):
    """A task whose reward term is inf or NaN raises at that step, naming the term, instead
    of handing a learner a reward that turns its weights into NaN."""
    task = social_nav()
    task.reset(0)
    task.step(np.zeros(2, np.float32))
    terms = task.reward_terms
    monkeypatch.setattr(task, "reward_terms", lambda: {**terms(), "distance": -math.inf})
    with pytest.raises(SimulationError, match=r"step 2.*'distance': -inf"):
        task.step(np.zeros(2, np.float32))
    task.close()
