"""Robot embodiment and controllers: collisions, reaching, both grasp modes, exact replay."""

import numpy as np
import pytest

from embodied.agents.humanoid.humanoid import Humanoid
from embodied.agents.robot import EMBODIMENTS, RobotConfig, get_embodiment, make_robot
from embodied.errors import ActionError, ConfigError
from embodied.showcase.playground import TABLE_HEIGHT, make_playground
from embodied.sim.contacts import ContactMonitor
from embodied.sim.world import World

# Grasp site pointing straight down (hand x axis along world -z).
DOWN = np.array([np.cos(np.pi / 4), 0.0, np.sin(np.pi / 4), 0.0])
CUBE = 0.025


#: What the robot touches, by kind: the contact monitor's pairs.
KINDS = {"humanoid": ("robot", "human*"), "static": ("robot", "@static"),
         "object": ("robot", "@object")}


def world_with(robot, *others, **scene):
    pg = make_playground(**scene)
    return World(pg.spec, [robot, *others, ContactMonitor(KINDS)], labels=pg.labels, seed=3)


def contacts(world, kind):
    return world.entities["contacts"].contacts(kind)


def move_ee(world, robot, target, steps=30, settle=10, quat=DOWN):
    """Interpolate the commanded grasp-site pose to ``target`` (world), then let it settle."""
    start, _ = robot.commanded_ee_pose(world)
    for i in range(1, steps + 1):
        robot.reach(world, start + (np.asarray(target) - start) * i / steps, quat)
        world.step()
    world.step(settle)


def test_registry_and_config_errors():
    assert {"fetch", "spot"} <= set(EMBODIMENTS)
    c = get_embodiment("fetch").constants
    assert len(c.arm_joints) >= 6 and 0.25 <= c.base_radius <= 0.3
    with pytest.raises(ConfigError, match="embodiment"):
        make_robot("no_such_robot")
    with pytest.raises(ConfigError, match="grasp_mode"):
        make_robot(grasp_mode="magic")
    with pytest.raises(ConfigError, match="max_linear_speed"):
        RobotConfig(max_linear_speed=-1.0)
    with pytest.raises(ConfigError, match="grasp_radius"):
        make_robot(grasp_raduis=0.2)                    # misspelt option: allowed ones listed


def test_body_sizes_and_masses():
    robot = make_robot()
    world = world_with(robot, tables=())
    m = world.model
    mass = m.body_subtreemass[robot.handles.base_body]
    assert 80 < mass < 130                              # Fetch: ~113 kg
    top = world.data.geom_xpos[robot.handles.robot_geoms, 2].max()
    assert 1.0 < top < 1.3                              # head at Fetch height (torso down)
    base_geoms = [g for g in robot.handles.robot_geoms
                  if m.geom_bodyid[g] == robot.handles.base_body and m.geom_contype[g]]
    bottoms = [world.data.geom_xpos[g, 2] - m.geom_size[g, 1] for g in base_geoms
               if m.geom_type[g] == 5]                  # cylinders: size[1] is the half height
    assert min(bottoms) > 0.01                          # colliding base geoms are off the floor


def test_driving_into_a_wall_stops_outside_and_reports_contact():
    robot = make_robot(pos=(2.0, 0.3, 0.0))
    world = world_with(robot, tables=())
    robot.command_base(1.0, 0.0)
    static = []
    for _ in range(150):                                # 5 s at 30 Hz
        world.step()
        static.append(contacts(world, "static"))
    x, y, heading = robot.base_pose(world)
    radius = robot.constants.base_radius
    assert x + radius <= 3.0 + 0.01                     # inner wall face at x = 3
    assert x + radius > 2.9                             # it did drive up to the wall
    assert abs(y - 0.3) < 0.05 and abs(heading) < 0.05  # no lateral drift or spin
    assert sum(s > 0 for s in static) > 100 and world.entities["contacts"].steps("static") > 100
    assert contacts(world, "humanoid") == 0


@pytest.mark.parametrize("embodiment", ["fetch", "spot"])
def test_every_embodiment_stops_at_walls_without_tunnelling(embodiment):
    robot = make_robot(embodiment, pos=(1.5, -1.0, 0.0), yaw=-0.6)
    world = world_with(robot, tables=())
    robot.command_base(1.0, 0.0)
    deepest, touching = 0.0, 0
    mine = set(robot.handles.robot_geoms.tolist())
    for _ in range(150):
        world.step()
        touching += contacts(world, "static") > 0
        for c in world.data.contact[: world.data.ncon] if world.data.ncon else []:
            if (int(c.geom[0]) in mine) != (int(c.geom[1]) in mine):
                deepest = min(deepest, float(c.dist))
    assert touching > 60 and deepest > -0.02
    x, y, _ = robot.base_pose(world)
    assert abs(x) < 3.0 and abs(y) < 3.0


def test_base_velocity_tracks_command_in_free_space():
    robot = make_robot(yaw=0.5)
    world = world_with(robot, tables=())
    robot.command_base(0.5, 0.4)
    world.step(30)
    v = robot.base_velocity(world)
    assert abs(v[0] - 0.5) < 0.02 and abs(v[1] - 0.4) < 0.02
    # driving an arc, the base does not slip sideways (its actuators act in its own frame)
    vx, vy, _ = world.data.qvel[robot.handles.base_dof]     # in the attachment frame
    yaw = world.data.qpos[robot.handles.base_qpos[2]]
    assert abs(-vx * np.sin(yaw) + vy * np.cos(yaw)) < 0.01
    robot.command_base(5.0, -9.0)                       # clipped to the limits
    assert robot.state.base_command.tolist() == [1.0, -1.5]


def test_base_cannot_push_through_a_humanoid():
    robot = make_robot(pos=(-1.0, 0.0, 0.0))
    human = Humanoid("human0", pos=(0.3, 0.0), yaw=np.pi)
    world = world_with(robot, human, tables=())
    world.reset()
    robot.command_base(1.0, 0.0)
    hits = 0
    for _ in range(150):
        world.step()
        hits += contacts(world, "humanoid") > 0
    x = robot.base_pose(world)[0]
    human_geoms = world.geoms_of("human0/")
    front = (world.data.geom_xpos[human_geoms, 0] - world.model.geom_rbound[human_geoms]).min()
    assert hits > 60                                    # kept touching the humanoid
    assert x + robot.constants.base_radius < 0.3        # still on its own side
    assert x > front - 0.6                              # and it did reach the humanoid


def test_base_pushes_a_light_object():
    robot = make_robot(pos=(0.0, 0.0, 0.0))
    world = world_with(robot, tables=(), objects={"cube": (0.8, 0.0, CUBE)})
    cube = world.body_id("obj/cube/body")
    robot.command_base(0.5, 0.0)
    pushed = False
    for _ in range(90):
        world.step()
        pushed |= contacts(world, "object") > 0
    assert pushed and world.data.xpos[cube, 0] > 1.2


@pytest.mark.parametrize("embodiment,target", [
    ("fetch", (0.6, 0.2, 0.9)), ("fetch", (0.5, -0.3, 0.7)), ("fetch", (0.75, 0.0, 1.1)),
    ("spot", (0.75, 0.2, 0.9)), ("spot", (0.6, -0.25, 0.5))])
def test_arm_reaches_cartesian_targets_with_ee_deltas(embodiment, target):
    robot = make_robot(embodiment)
    world = world_with(robot, tables=())
    if robot.constants.torso_joint:
        robot.set_torso(0.2)
    target = np.asarray(target)
    for _ in range(60):                                 # deltas from the commanded pose
        commanded, _ = robot.commanded_ee_pose(world)
        robot.apply_action(world, {"arm_ee": target - commanded})
        world.step()
    world.step(15)
    assert np.linalg.norm(robot.ee_pose(world)[0] - target) < 0.02


def test_arm_joint_deltas_are_clipped_and_tracked():
    robot = make_robot()
    world = world_with(robot, tables=())
    start = robot.state.arm_target.copy()
    robot.command_arm_joints(np.full(7, -10.0))         # clipped to max_joint_step
    np.testing.assert_allclose(robot.state.arm_target - start, -robot.config.max_joint_step)
    world.step(30)
    q = world.data.qpos[robot.handles.arm_qpos]
    assert np.abs(q - robot.state.arm_target).max() < 0.01


@pytest.mark.parametrize("bad", [{"base": [np.nan, 0.0]}, {"arm_ee": [0, np.inf, 0]},
                                 {"arm_joint": [0.0] * 3}, {"gripper": [[1.0]]}, {"fly": [1.0]}])
def test_malformed_actions_raise(bad):
    robot = make_robot()
    world = world_with(robot, tables=())
    with pytest.raises(ActionError):
        robot.apply_action(world, bad)


@pytest.mark.parametrize("embodiment,start_x", [("fetch", 0.0), ("spot", -0.2)])
@pytest.mark.parametrize("mode", ["physics", "oracle"])
def test_pick_from_table_and_place_on_table(mode, embodiment, start_x):
    robot = make_robot(embodiment, pos=(start_x, 0.0, 0.0), grasp_mode=mode)
    rest_z = TABLE_HEIGHT + CUBE
    world = world_with(robot, objects={"cube": (0.6, 0.0, rest_z)})
    cube = world.body_id("obj/cube/body")
    if robot.constants.torso_joint:
        robot.set_torso(0.25)
    world.step(20)
    move_ee(world, robot, [0.6, 0.0, 0.95], steps=40)
    move_ee(world, robot, [0.6, 0.0, rest_z + 0.02])
    robot.apply_action(world, {"gripper": [1.0]})
    world.step(10)
    assert robot.is_holding() and robot.held_object(world) == "obj/cube/body"
    move_ee(world, robot, [0.6, 0.0, 0.95])
    assert world.data.xpos[cube, 2] > rest_z + 0.15     # really lifted off the table
    move_ee(world, robot, [0.6, 0.35, 0.95])
    move_ee(world, robot, [0.6, 0.35, rest_z + 0.05 if mode == "oracle" else rest_z + 0.025])
    robot.apply_action(world, {"gripper": [-1.0]})
    assert not robot.is_holding()
    if mode == "oracle":                                # set down at once, at rest
        assert abs(world.data.qpos[FreeBodyQ.of(world, cube)][2] - rest_z) < 0.002
    world.step(5)
    assert abs(world.data.xpos[cube, 2] - rest_z) < 0.003   # no drop, no jump
    move_ee(world, robot, [0.6, 0.35, 0.95])
    world.step(60)
    pos, vel = world.data.xpos[cube], world.data.qvel[FreeBodyQ.dofs(world, cube)]
    assert abs(pos[0] - 0.6) < 0.03 and abs(pos[1] - 0.35) < 0.03
    assert abs(pos[2] - rest_z) < 0.003 and np.abs(vel).max() < 1e-3   # stays on the table


class FreeBodyQ:
    """qpos/qvel index helpers for a free body."""

    @staticmethod
    def of(world, body):
        adr = world.model.jnt_qposadr[world.model.body_jntadr[body]]
        return slice(adr, adr + 7)

    @staticmethod
    def dofs(world, body):
        adr = world.model.jnt_dofadr[world.model.body_jntadr[body]]
        return slice(adr, adr + 6)


def test_oracle_grasp_needs_an_object_within_radius():
    robot = make_robot(grasp_mode="oracle", grasp_radius=0.1)
    world = world_with(robot, objects={"cube": (0.6, 0.0, TABLE_HEIGHT + CUBE)})
    assert not robot.grasp(world)                       # stowed hand is far from the cube
    assert not robot.is_holding() and not robot.state.gripper_closed


@pytest.mark.parametrize("mode", ["physics", "oracle"])
def test_snapshot_restore_replays_bit_identically_while_moving_and_grasping(mode):
    robot = make_robot(grasp_mode=mode)
    world = world_with(robot, objects={"cube": (0.6, 0.0, TABLE_HEIGHT + CUBE)})
    robot.set_torso(0.25)
    move_ee(world, robot, [0.6, 0.0, 0.95], steps=40)
    move_ee(world, robot, [0.6, 0.0, TABLE_HEIGHT + CUBE + 0.02], steps=20, settle=5)
    snap = world.snapshot()

    def rollout():
        out = []
        for t in range(40):
            action = {"arm_ee": [0.0, 0.0, 0.01]} if t > 10 else {"gripper": [1.0]}
            if t > 20:
                action["base"] = [-0.3, 0.2]
            robot.apply_action(world, action)
            world.step()
            out.append(np.concatenate([world.data.qpos, world.data.qvel,
                                       [contacts(world, k) for k in KINDS]]))
        return np.array(out), robot.is_holding()

    first, held_first = rollout()
    world.restore(snap)
    second, held_second = rollout()
    assert held_first and held_second
    assert np.array_equal(first, second)
    twin = world.fork()
    assert twin.entities["robot"].is_holding() == robot.is_holding()
    assert twin.entities["robot"].state is not robot.state

