"""Humanoid avatars: bodies, walking quality, reaching, manipulation, skills, replay."""

from __future__ import annotations

import math

import mujoco
import numpy as np
import pytest

from embodied.skills import humanoid as B
from embodied.agents.humanoid import constants as C
from embodied.agents.humanoid.avatars import AVATARS, SPLITS, get_avatar, sample_avatar
from embodied.agents.humanoid.body import BodyShape
from embodied.agents.humanoid.floor import floor_spec
from embodied.agents.humanoid.humanoid import Humanoid
from embodied.agents.humanoid.reach import ReachStatus
from embodied.errors import ConfigError
from embodied.sim import collision
from embodied.sim.world import World

DT = 1.0 / 30.0


def flat_world(*humans, extra=None, seed=0) -> World:
    spec = floor_spec()
    if extra is not None:
        extra(spec)
    world = World(spec, list(humans), seed=seed)
    world.reset()
    return world


def shoe_bottom(world: World, prefix: str, side: str) -> np.ndarray:
    """(4, 3) world positions of the bottom corners of a shoe (the foot's first geom)."""
    g = world.geom_id(f"{prefix}{C.FOOT[side]}_0")
    half = world.model.geom_size[g]
    corners = np.array([[sx, sy, -1.0] for sx in (-1, 1) for sy in (-1, 1)]) * half
    return corners @ world.data.geom_xmat[g].reshape(3, 3).T + world.data.geom_xpos[g]


def shoe_lowest_z(world: World, prefix: str, side: str) -> float:
    return float(shoe_bottom(world, prefix, side)[:, 2].min())


# -- bodies and avatars ----------------------------------------------------------------------
def test_avatar_registry_is_diverse_and_splits_are_documented():
    assert len(AVATARS) >= 12
    heights = [a.shape.height for a in AVATARS.values()]
    assert min(heights) <= 1.55 and max(heights) >= 1.9
    assert len({(a.shape, a.appearance) for a in AVATARS.values()}) == len(AVATARS)
    assert set(SPLITS["train"]) | set(SPLITS["val"]) | set(SPLITS["test"]) == set(AVATARS)
    rng = np.random.default_rng(3)
    a = [sample_avatar(rng, "val").id for _ in range(20)]
    assert set(a) <= set(SPLITS["val"]) and len(set(a)) == 2
    assert [sample_avatar(np.random.default_rng(5)).id for _ in range(3)] == \
        [sample_avatar(np.random.default_rng(5)).id] * 3
    with pytest.raises(ConfigError, match="avatar"):
        get_avatar("nobody")
    with pytest.raises(ConfigError, match="split"):
        sample_avatar(rng, "holdout")
    with pytest.raises(ConfigError, match="height"):
        BodyShape(height=3.0)


@pytest.mark.parametrize("avatar_id", ["avatar_01", "avatar_05"])
def test_standing_avatar_has_its_height_and_feet_on_the_floor(avatar_id):
    h = Humanoid("h", avatar_id)
    world = flat_world(h)
    shape = get_avatar(avatar_id).shape
    geoms = world.geoms_of("h/")
    top = max(world.data.geom_xpos[g][2] + world.model.geom_rbound[g] for g in geoms
              if world.model.geom_type[g] == mujoco.mjtGeom.mjGEOM_ELLIPSOID)
    assert abs(top - shape.height) < 0.04
    for side in C.SIDES:
        assert abs(shoe_lowest_z(world, "h/", side)) < 0.005
    # the avatar adds no degrees of freedom and its collision geoms are kinematic
    assert world.model.nv == 0 and world.model.nmocap == len(C.LINKS)
    colliding = [g for g in geoms if world.model.geom_contype[g]]
    assert colliding and all(world.model.geom_contype[g] == collision.KINEMATIC["contype"]
                             for g in colliding)


# -- walking ---------------------------------------------------------------------------------
def walk_and_record(world, h, forward, turn, seconds):
    """Per control step: shoe bottom corners (2, 4, 3), planted flags, root xy, yaw."""
    h.walk(forward, turn)
    rec = []
    for _ in range(int(round(seconds / DT))):
        world.step()
        rec.append((np.array([shoe_bottom(world, h.prefix, s) for s in C.SIDES]), h.feet_planted,
                    h.position.copy(), h.yaw))
    return rec


def stance_slips(rec, touching=0.002):
    """Horizontal displacement of every shoe corner touching the floor, from where it
    touched down, while its foot is planted (a foot may roll on its toe or heel edge,
    but what touches the floor must not slide)."""
    slips = []
    for side in (0, 1):
        anchors = {}
        for corners, planted, *_ in rec:
            if not planted[side]:
                anchors = {}
                continue
            for k, corner in enumerate(corners[side]):
                if corner[2] < touching:
                    anchor = anchors.setdefault(k, corner[:2].copy())
                    slips.append(float(np.linalg.norm(corner[:2] - anchor)))
                else:
                    anchors.pop(k, None)
    return np.array(slips)


def test_walking_feet_stay_planted_on_the_floor_and_speed_tracks_command():
    h = Humanoid("h", "avatar_00")
    world = flat_world(h)
    rec = walk_and_record(world, h, 1.0, 0.0, 6.0)
    steady = rec[60:]                       # after 2 s of acceleration
    slips = stance_slips(steady)
    assert len(slips) > 200 and slips.max() <= 0.01
    # a planted foot touches the floor (flat, or rolled on its toe/heel edge)
    planted_low = [corners[s][:, 2].min() for corners, planted, *_ in steady for s in (0, 1) if planted[s]]
    assert np.abs(planted_low).max() <= 0.01
    lowest = np.array([r[0][:, :, 2].min() for r in rec])
    assert lowest.min() >= -0.01             # no part of a shoe sinks into the floor
    speed = np.linalg.norm(steady[-1][2] - steady[0][2]) / ((len(steady) - 1) * DT)
    assert abs(speed - 1.0) <= 0.05
    # the World's pelvis moves as commanded too (mocap poses follow the skeleton)
    pelvis = world.data.mocap_pos[world.model.body_mocapid[world.body_id("h/pelvis")]]
    assert abs(pelvis[0] - h.position[0]) < 0.1
    # real steps: both feet alternate, cadence of a walking person
    steps = h.gait.state.steps
    assert 8 <= steps <= 14


@pytest.mark.parametrize("speed", [0.4, 1.5])
def test_walking_other_speeds_keep_feet_planted(speed):
    h = Humanoid("h", "avatar_06")
    world = flat_world(h)
    rec = walk_and_record(world, h, speed, 0.0, 4.0)
    assert stance_slips(rec[45:]).max() <= 0.01
    dist = np.linalg.norm(rec[-1][2] - rec[45][2]) / ((len(rec) - 46) * DT)
    assert abs(dist - speed) <= 0.05 * speed


def test_turning_in_place_and_idle_stance():
    h = Humanoid("h", "avatar_02")
    world = flat_world(h)
    rec = walk_and_record(world, h, 0.0, 1.2, 3.0)
    assert np.linalg.norm(rec[-1][2]) < 1e-9           # the root did not move
    assert abs(h.yaw) > 0.5 and h.gait.state.steps >= 4   # turned by stepping
    assert stance_slips(rec).max() <= 0.01
    rec = walk_and_record(world, h, 0.0, 0.0, 2.0)
    assert not h.gait.state.stepping                   # came to rest
    feet = rec[-1][0].mean(axis=1)
    assert abs(np.linalg.norm(feet[0][:2] - feet[1][:2]) - h.avatar.shape.hip_width) < 0.05
    assert np.abs(rec[-1][0][:, :, 2]).max() < 0.002                  # both feet flat


# -- reaching --------------------------------------------------------------------------------
def reach_until_done(world, h, target, side="r", max_steps=150):
    h.reach(target, side)
    for _ in range(max_steps):
        if h.reach_status is not ReachStatus.RUNNING:
            break
        world.step()
    return h.reach_status


def test_reach_accuracy_over_random_reachable_targets():
    h = Humanoid("h", "avatar_00")
    world = flat_world(h)
    rng = np.random.default_rng(0)
    site = world.site_id("h/grasp_r")
    errors = []
    for _ in range(8):
        target = np.array([rng.uniform(0.25, 0.55), rng.uniform(-0.35, 0.05), rng.uniform(0.55, 1.4)])
        assert reach_until_done(world, h, target) is ReachStatus.REACHED
        errors.append(np.linalg.norm(world.data.site_xpos[site] - target))
        for soles in [h.sole_positions()]:
            assert np.abs(soles[:, 2]).max() < 0.01   # feet stay on the floor, even crouching
        h.retract()
        world.step(20)
    assert max(errors) <= 0.02, errors


def test_unreachable_targets_report_status_and_do_not_contort():
    h = Humanoid("h", "avatar_00")
    world = flat_world(h)
    rest = world.data.site_xpos[world.site_id("h/grasp_r")].copy()
    h.reach([1.8, 0.0, 1.0], "r")                           # far away: known at once
    assert h.reach_status is ReachStatus.UNREACHABLE and h.reach_error > 0.5
    status = reach_until_done(world, h, [0.95, -0.2, 1.9])  # just too far: found by IK
    assert status is ReachStatus.UNREACHABLE
    assert 0.02 < h.reach_error < 0.6
    world.step(45)
    # back to the neutral standing pose, not left stretched out
    assert np.linalg.norm(world.data.site_xpos[world.site_id("h/grasp_r")] - rest) < 0.03


# -- collisions ------------------------------------------------------------------------------
def add_fake_robot(spec):
    """A free box named like a robot part, 1 m in front of the humanoid."""
    body = spec.worldbody.add_body(name="robot/base", pos=[1.0, 0.0, 0.3])
    body.add_freejoint(name="robot/free")
    geom = body.add_geom(name="robot/box", type=mujoco.mjtGeom.mjGEOM_BOX, size=[0.2, 0.2, 0.3], mass=30)
    collision.apply(geom, collision.DYNAMIC)


def test_humanoid_pushes_free_bodies_is_not_pushed_and_its_contacts_are_counted():
    from embodied.sim.contacts import ContactMonitor

    h = Humanoid("h", "avatar_00")
    monitor = ContactMonitor({"h_box": ("h", "@object")})
    world = flat_world(h, monitor, extra=add_fake_robot)
    box = world.body_id("robot/base")
    start = world.data.xpos[box].copy()
    h.walk(0.8, 0.0)
    world.step(90)
    assert monitor.steps("h_box") > 0 and monitor.onsets("h_box") >= 1
    assert world.data.xpos[box][0] > start[0] + 0.3          # pushed ahead
    assert abs(h.position[0] - 0.8 * 90 * DT) < 0.25          # not slowed down by it


# -- homes: paths, manipulation, behaviours -----------------------------------------------------
@pytest.fixture(scope="module")
def home_setup():
    from embodied.scenes.home import generate_home
    from embodied.scenes.navmap import NavMap

    home = generate_home(0, "train")
    probe = home.make_world([])
    navmap = NavMap.from_model(probe.model, probe.data, agent_radius=0.25, rooms=home.room_rects())
    return home, navmap


def home_world(home, navmap, n=1, seed=0, starts=None):
    humans = [Humanoid(f"human{i}", f"avatar_{i:02d}", navmap=navmap) for i in range(n)]
    if starts is None:
        starts = navmap.sample_navigable(np.random.default_rng(seed), n)
    for h, p in zip(humans, starts):
        h.initial_pos = np.array([p[0], p[1], 0.0])
    world = home.make_world(humans, seed=seed)
    world.reset()
    return world, humans


def test_pick_carry_place_moves_an_object_between_receptacles(home_setup):
    home, navmap = home_setup
    obj = home.objects[0]
    target = next(f for f in home.receptacles() if f.name != obj.receptacle and f.category != obj.receptacle)
    surface = B.surfaces_of(target)[0]
    start = navmap.snap_to_navigable(obj.pos[:2])
    world, (h,) = home_world(home, navmap, starts=[start])
    body_name = home.object_body_name(obj.name)
    body = world.body_id(body_name)
    behaviour = B.PickAndPlace(body_name, surface)
    h.run(behaviour)
    carried = []
    for _ in range(1500):
        world.step()
        if h.holding is not None and h.speed > 0.5:
            carried.append(np.linalg.norm(world.data.xpos[body] - world.data.xpos[world.body_id("human0/hand_r")]))
        if not behaviour.running:
            break
    assert behaviour.status is B.Status.DONE, behaviour.reason
    assert not behaviour.children[0].snapped and not behaviour.children[1].snapped  # real IK
    assert carried and np.ptp(carried) < 1e-6                 # rigidly held while walking
    world.step(30)
    pos = world.data.xpos[body]
    height, (x0, y0, x1, y1) = surface
    assert x0 <= pos[0] <= x1 and y0 <= pos[1] <= y1
    assert np.linalg.norm(world.data.cvel[body]) < 0.05          # resting, did not jump
    assert h.holding is None


def test_wandering_never_enters_occupied_cells_and_velocity_commands_slide(home_setup):
    home, navmap = home_setup
    world, humans = home_world(home, navmap, n=2, seed=1)
    for h in humans:
        h.run(B.Wander(pause=(0.0, 0.5)))
    body = humans[0].config.body_radius
    for _ in range(450):
        world.step()
        for h in humans:        # the body disc never overlaps an occupied cell
            assert navmap.clearance_at(h.position) >= body
    legs_done = sum(h.behaviour.legs for h in humans)
    assert legs_done >= 3 and all(h.behaviour.failures == 0 for h in humans)
    # straight into walls, with direct commands: stops or slides, never passes through
    h = humans[0]
    h.run(None)
    for turn in (0.0, 0.6, -0.3):
        h.walk(1.2, turn)
        for _ in range(120):
            world.step()
            assert navmap.clearance_at(h.position) >= body


def test_walk_to_reports_failure_for_unreachable_goal(home_setup):
    home, navmap = home_setup
    world, (h,) = home_world(home, navmap)
    b = home.bounds
    behaviour = B.WalkTo(goal=(b.xmax + 5.0, b.ymax + 5.0), timeout=3.0)
    h.run(behaviour)
    world.step(100)
    assert behaviour.status is B.Status.FAILED and behaviour.reason


# -- determinism ---------------------------------------------------------------------------------
def trajectory(world, steps):
    out = []
    for _ in range(steps):
        world.step()
        out.append(world.data.mocap_pos.copy())
    return np.array(out)


def test_wandering_replays_exactly_under_seed_snapshot_and_fork(home_setup):
    home, navmap = home_setup

    def make():
        world, humans = home_world(home, navmap, n=2, seed=4)
        for h in humans:
            h.run(B.Wander(pause=(0.0, 1.0)))
        return world

    a, b = make(), make()
    np.testing.assert_array_equal(trajectory(a, 60), trajectory(b, 60))
    snap = a.snapshot()
    first = trajectory(a, 90)
    twin = a.fork()
    a.restore(snap)
    np.testing.assert_array_equal(trajectory(a, 90), first)
    twin.restore(snap)
    np.testing.assert_array_equal(trajectory(twin, 90), first)
    assert np.abs(first[-1] - first[0]).max() > 0.5            # they really moved


# -- gallery ---------------------------------------------------------------------------------------
def test_gallery_renders_every_avatar(tmp_path):
    import imageio.v3 as iio

    from embodied.showcase.avatars import render_gallery

    out = render_gallery(tmp_path / "avatars.png", width=480, height=200, profile="fast")
    img = iio.imread(out)
    assert img.shape == (200, 480, 3)
    # every avatar's shirt colour shows up somewhere in the picture
    for avatar in AVATARS.values():
        shirt = np.array(avatar.appearance.shirt) * 255
        close = np.abs(img.astype(float) - shirt).max(axis=2) < 60
        assert close.sum() >= 5, avatar.id


def test_robot_contacts_are_counted_and_the_robot_cannot_stop_the_humanoid():
    from embodied.agents.robot import Robot
    from embodied.sim.contacts import ContactMonitor

    h = Humanoid("human0", "avatar_02")
    robot = Robot("fetch", pos=(1.6, 0.0, 0.0), yaw=math.pi)
    monitor = ContactMonitor({"robot_human": ("robot", "human*")})
    world = World(floor_spec(), [h, robot, monitor], seed=0)
    world.reset()
    h.walk(0.8, 0.0)
    world.step(120)
    counts = (monitor.steps("robot_human"), monitor.onsets("robot_human"))
    assert counts[0] > 0 and counts[1] >= 1
    assert abs(h.position[0] - 0.8 * (120 * DT) + 0.2) < 0.25     # kept walking (after accel.)
    state = world.snapshot()
    world.step(10)
    world.restore(state)
    assert (monitor.steps("robot_human"), monitor.onsets("robot_human")) == counts


def add_table_with_cup(spec):
    table = spec.worldbody.add_geom(name="table", type=mujoco.mjtGeom.mjGEOM_BOX,
                                    size=[0.3, 0.4, 0.375], pos=[1.0, 0.0, 0.375])
    collision.apply(table, collision.STATIC)
    cup = spec.worldbody.add_body(name="obj/cup/body", pos=[0.8, -0.1, 0.75 + 0.05])
    cup.add_freejoint()
    geom = cup.add_geom(type=mujoco.mjtGeom.mjGEOM_CYLINDER, size=[0.035, 0.05, 0], mass=0.2)
    collision.apply(geom, collision.DYNAMIC)


def test_teleop_walks_picks_nearest_object_and_puts_it_down():
    h = Humanoid("h", "avatar_04")
    world = flat_world(h, extra=add_table_with_cup)
    surface = (0.75, (0.7, -0.4, 1.3, 0.4))
    teleop = B.Teleop(objects=("obj/cup/body",), surfaces=(surface,))
    h.run(teleop)
    teleop.command(0.0, 0.0)
    assert teleop.request_pick(h, world)
    for _ in range(300):
        world.step()
        if teleop.child is None:
            break
    assert h.holding == world.body_id("obj/cup/body"), teleop.last
    teleop.command(-0.4, 0.0)            # back away from the table with the cup
    world.step(60)
    assert h.holding is not None and h.position[0] < -0.2
    teleop.command(0.0, 0.0)
    world.step(20)
    assert teleop.request_place(h, world)          # no surface within reach: on the floor
    world.step(60)
    assert h.holding is None and teleop.child is None
    cup = world.data.xpos[world.body_id("obj/cup/body")]
    assert abs(cup[2] - 0.05) < 0.01 and np.linalg.norm(world.data.cvel[world.body_id("obj/cup/body")]) < 0.05


def test_humanoid_stands_at_its_initial_pose_without_reset_and_spine_stays_upright():
    h = Humanoid("h", "avatar_00", pos=(2.0, -1.0, 0.0), yaw=1.0)
    world = World(floor_spec(), [h], seed=0)
    pelvis = world.data.xpos[world.body_id("h/pelvis")]
    assert np.allclose(pelvis[:2], [2.0, -1.0]) and abs(h.yaw - 1.0) < 1e-12
    # a low reach crouches and bends at the hips rather than curling the spine
    target = np.array([2.0, -1.0, 0.0]) + 0.45 * np.array([math.cos(1.0), math.sin(1.0), 0.0])
    target[2] = 0.6
    assert reach_until_done(world, h, target) is ReachStatus.REACHED
    q = h.skeleton.data.qpos
    spine = sum(abs(q[h.skeleton.qadr[j]]) for j in ("lumbar_flex", "thoracic_flex"))
    assert spine < 0.3


def add_two_tables_with_cup(spec):
    add_table_with_cup(spec)
    table = spec.worldbody.add_geom(name="table2", type=mujoco.mjtGeom.mjGEOM_BOX,
                                    size=[0.3, 0.3, 0.4], pos=[-1.5, 1.5, 0.4])
    collision.apply(table, collision.STATIC)


def test_pick_and_place_replays_exactly_from_a_snapshot_taken_mid_task():
    h = Humanoid("h", "avatar_09")
    world = flat_world(h, extra=add_two_tables_with_cup)
    task = B.PickAndPlace("obj/cup/body", (0.8, (-1.8, 1.2, -1.2, 1.8)))
    h.run(task)
    world.step(40)                      # mid-reach
    snap = world.snapshot()
    hand, soles = h.hand_position(), h.sole_positions()

    def run():
        out = []
        for _ in range(400):
            world.step()
            out.append(np.concatenate([world.data.mocap_pos.ravel(), world.data.qpos]))
        return np.array(out)

    first = run()
    assert task.status is B.Status.DONE, task.reason
    cup = world.data.xpos[world.body_id("obj/cup/body")]
    assert np.linalg.norm(cup[:2] - [-1.5, 1.5]) < 0.35 and abs(cup[2] - 0.85) < 0.01
    twin = world.fork()
    world.restore(snap)
    # queries answer for the restored state at once
    np.testing.assert_array_equal(h.hand_position(), hand)
    np.testing.assert_array_equal(h.sole_positions(), soles)
    np.testing.assert_array_equal(run(), first)
    twin.restore(snap)
    world = twin
    np.testing.assert_array_equal(run(), first)


def test_commands_are_validated():
    from embodied.errors import ActionError

    h = Humanoid("h")
    flat_world(h)
    with pytest.raises(ActionError, match="forward"):
        h.walk(float("nan"), 0.0)
    with pytest.raises(ActionError, match="reach target"):
        h.reach([0.3, 0.0], "r")
    with pytest.raises(ConfigError, match="side"):
        h.reach([0.3, 0.0, 1.0], "middle")
    with pytest.raises(ConfigError, match="avatar"):
        Humanoid("h", "avatar_99")


def test_steer_turns_in_place_beyond_20_degrees_then_walks_along_the_velocity():
    h = Humanoid("h", "avatar_07")
    world = flat_world(h)
    positions = []
    for _ in range(150):
        h.steer(0.0, 0.9)                  # 90 degrees to the left of the initial heading
        world.step()
        positions.append(h.position.copy())
    positions = np.array(positions)
    first_move = np.argmax(np.linalg.norm(positions, axis=1) > 1e-6)
    assert first_move > 5                                   # turned on the spot first
    assert abs(math.degrees(h.yaw) - 90) < 2
    assert abs(positions[-1][0]) < 0.1 and positions[-1][1] > 2.5


def add_wide_table_with_cup(spec):
    table = spec.worldbody.add_geom(name="table", type=mujoco.mjtGeom.mjGEOM_BOX,
                                    size=[0.6, 0.6, 0.375], pos=[1.4, 0.0, 0.375])
    collision.apply(table, collision.STATIC)
    cup = spec.worldbody.add_body(name="obj/cup/body", pos=[1.1, 0.0, 0.75 + 0.05])
    cup.add_freejoint()
    geom = cup.add_geom(type=mujoco.mjtGeom.mjGEOM_CYLINDER, size=[0.035, 0.05, 0], mass=0.2)
    collision.apply(geom, collision.DYNAMIC)


@pytest.mark.parametrize("snap", [False, True])
def test_pick_beyond_arm_reach_fails_or_snaps_within_pick_radius(snap):
    h = Humanoid("h", "avatar_00")       # stands 0.8 m from a wide table's edge...
    world = flat_world(h, extra=add_wide_table_with_cup)
    pick = B.Pick(object="obj/cup/body", walk=False, snap=snap)   # ...cup 1.1 m away
    h.run(pick)
    world.step(200)
    assert not pick.running
    if not snap:
        assert pick.status is B.Status.FAILED and "beyond reach" in pick.reason
        assert h.holding is None
    else:
        assert pick.status is B.Status.DONE and pick.snapped, pick.reason
        assert h.holding == world.body_id("obj/cup/body")


def test_humanoid_is_segmented_as_humanoid_and_hidden_collision_geoms_are_not_drawn():
    from embodied.sim.render import Renderer, look_at
    from embodied.sim.semantics import category_id

    h = Humanoid("human0", "avatar_03")
    world = flat_world(h)
    with Renderer(world, 96, 96) as r:
        cam = look_at([0.0, 0.0, 0.9], 3.0, 180.0, -5.0)
        seg = r.segmentation(cam, level="category")
        geoms = r.segmentation(cam, level="geom")
    assert (seg == category_id("humanoid")).sum() > 300
    hidden = {g for g in world.geoms_of("human0/") if world.model.geom_group[g] == collision.GROUP_COLLISION}
    assert hidden and not hidden & set(np.unique(geoms).tolist())
