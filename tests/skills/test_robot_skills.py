"""Robot Pick and Place in generated homes: objects move between receptacles, failures
read like PARTNR's tools, unknown names are refused, and snapshots and forks replay the
skills exactly."""

import re

import mujoco
import numpy as np
import pytest

from embodied.errors import NotFoundError
from embodied.benchmarks.skills import home_world, moves, restart
from embodied.benchmarks.skills import run_skill as run
from embodied.skills.base import Sequence, Status
from embodied.skills.placement import resting_on
from embodied.skills.robot import Pick, Place

def rests_on(world, body: str, furniture) -> bool:
    return resting_on(world, world.body_id(body), furniture)


def test_pick_then_place_moves_objects_between_receptacles():
    done = tried = 0
    outcomes = []
    for seed in (0, 1, 2):                       # the first val homes
        home, world, robot = home_world(seed)
        for obj, target in moves(home):
            restart(world, robot)
            body = home.object_body_name(obj.name)
            task = Sequence(children=[Pick(object=body), Place(furniture=target.name, home=home)])
            run(world, robot, task)
            tried += 1
            outcomes.append((seed, obj.name, target.name, task.status.value, task.reason))
            if task.status is Status.DONE:
                done += 1
                assert task.children[0].result == task.children[1].result == "Successful execution!"
                assert not robot.is_holding()
                assert rests_on(world, body, target), (seed, obj.name, target.name)
            else:
                assert task.reason.startswith(("step 0 (Pick): Failed to pick!",
                                               "step 1 (Place): Failed to place!")), task.reason
    assert tried >= 10
    assert done >= 0.75 * tried, outcomes


@pytest.fixture(scope="module")
def home0():
    return home_world(0)


def test_failures_when_holding_or_empty_handed(home0):
    home, world, robot = home0
    restart(world, robot)
    place = Place(furniture="sofa_0", home=home)
    assert run(world, robot, place) == 1                         # fails at once
    assert place.result == "Failed to place! The robot is not holding an object."
    pick = Pick(object="obj/book_0/body")
    run(world, robot, pick)
    assert pick.status is Status.DONE and robot.held_object(world) == "obj/book_0/body"
    again = Pick(object="obj/toy_3/body")
    assert run(world, robot, again) == 1
    assert again.result == ("Failed to pick! The robot is already holding obj/book_0/body; "
                            "place it first.")
    assert robot.held_object(world) == "obj/book_0/body"


def test_unreachable_objects_fail_with_the_reason(home0):
    home, world, robot = home0
    restart(world, robot)
    # lifted far above the arm: refused at once
    body = world.body_id("obj/toy_3/body")
    adr = world.model.jnt_qposadr[world.model.body_jntadr[body]]
    world.data.qpos[adr + 2] = 2.5
    mujoco.mj_forward(world.model, world.data)
    pick = Pick(object="obj/toy_3/body")
    assert run(world, robot, pick) == 1
    assert re.fullmatch(r"Failed to pick! Not close enough to the object\. obj/toy_3/body is "
                        r"2\.5\d m high; the arm reaches up to 1\.70 m\.", pick.result), pick.result


def test_a_grasp_radius_far_too_small_fails_after_trying():
    home, world, robot = home_world(0, grasp_radius=0.01)
    pick = Pick(object="obj/book_0/body")
    run(world, robot, pick)
    assert pick.status is Status.FAILED
    assert pick.result.startswith("Failed to pick! Not close enough to the object. "), pick.result
    assert not robot.is_holding()
    stow = np.array(robot.constants.arm_stow)
    assert np.allclose(robot.state.arm_target, stow)             # arm stowed again


def test_unknown_names_list_what_there_is(home0):
    home, world, robot = home0
    restart(world, robot)
    with pytest.raises(NotFoundError, match="no receptacle named 'flying_carpet'.*sofa_0"):
        Place(furniture="flying_carpet", home=home)
    with pytest.raises(NotFoundError, match="no surface of sofa_0 named 7"):
        Place(furniture="sofa_0", surface=7, home=home)
    robot.run(Pick(object="obj/unicorn_0/body"))
    with pytest.raises(NotFoundError, match="no graspable object named 'obj/unicorn_0/body'.*obj/book_0/body"):
        world.step()
    robot.run(None)


def test_snapshot_restore_and_fork_replay_a_pick_exactly(home0):
    home, world, robot = home0
    restart(world, robot)
    task = Sequence(children=[Pick(object="obj/toy_3/body"), Place(furniture="sofa_0", home=home)])
    robot.run(task)
    while task.children[0].stage != "descend":                   # mid-pick, arm out
        world.step()
    snap = world.snapshot()
    twin = world.fork()

    def rollout(w, steps=120):
        r = w.entities["robot"]
        out = []
        for _ in range(steps):
            w.step()
            d = w.data
            out.append(np.concatenate([d.qpos, d.qvel, d.ctrl, r.state.arm_target]).tobytes())
        return out, repr(r.state.skill), r.is_holding()

    first = rollout(world)
    assert first[2]                                              # the grasp happened in there
    world.restore(snap)
    assert rollout(world) == first
    assert rollout(twin) == first


def test_the_oracle_takes_over_where_the_arm_fails():
    from embodied.skills.robot import SnapPick, SnapPlace

    home, world, robot = home_world(0, grasp_radius=0.01)   # the gripper never gets close enough
    obj, target = moves(home)[0]
    body = home.object_body_name(obj.name)
    pick = SnapPick(object=body)
    arm_steps = run(world, robot, pick)
    assert pick.status is Status.DONE and pick.snapped, pick.reason
    assert pick.why.startswith("Failed to pick! Not close enough to the object.")
    assert robot.held_object(world) == body
    place = SnapPlace(furniture=target.name, home=home)
    run(world, robot, place)
    assert place.status is Status.DONE, place.reason
    assert not robot.is_holding() and rests_on(world, body, target)
    far = SnapPick(object=body, snap_reach=0.0)             # the oracle may not act: the pick's reason
    restart(world, robot)
    run(world, robot, far)
    assert far.status is Status.FAILED and far.reason.startswith("Failed to pick!")
    restart(world, robot)                                  # Habitat 3.0's oracle at once
    quick = SnapPick(object=body, arm_first=False)
    steps = run(world, robot, quick)
    assert quick.status is Status.DONE and quick.snapped and robot.held_object(world) == body
    assert steps < arm_steps, "the oracle is quicker than the arm's own try"
    again = SnapPick(object=body, arm_first=False)
    run(world, robot, again)
    assert again.status is Status.FAILED and again.reason == f"already holding {body}"


def test_no_one_takes_what_another_holds_and_the_safety_stop_keeps_the_base_back():
    from embodied.agents.humanoid import Humanoid
    from embodied.agents.robot import make_robot
    from embodied.scenes.home import HomeConfig, generate_home
    from embodied.sim.kinematic import holder_of

    home = generate_home(0, "val", HomeConfig(static_objects=False))
    robot, human = make_robot("fetch", grasp_mode="oracle"), Humanoid("human0")
    world = home.make_world([robot, human], seed=0)
    robot.set_pose(world, (0.0, 0.0), 0.0)
    human.set_pose(world, (1.2, 0.0), 0.0)
    body = world.body_id("obj/book_0/body")
    assert robot.grasp(world, body=body) and holder_of(world, body) == "robot"
    assert holder_of(world, body, robot) is None
    assert not human.grasp(world, body, snap=True), "the humanoid may not take the robot's object"
    robot.keep_clear = ("human0", 0.25, 0.3)
    robot.command_base(1.0, 0.0)
    for _ in range(20):
        world.step()
    x, _, _ = robot.base_pose(world)
    assert x < 1.2 - 0.28 - 0.25 - 0.3 + 0.05, "stopped short of the humanoid ahead"
    robot.command_base(-1.0, 0.0)                           # backing away is allowed
    for _ in range(6):
        world.step()
    assert robot.base_pose(world)[0] < x - 0.05
