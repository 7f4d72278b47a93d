"""The crowd in a generated home: people walk to their goals without entering walls or each
other, see the robot unless told not to, and replay exactly."""

import math

import numpy as np
import pytest

import embodied  # noqa: F401
from embodied.crowds.crowd import Crowd, CrowdConfig
from embodied.crowds.scene import crowd_scene
from embodied.errors import ConfigError


def walk(scene, steps):
    out = []
    for _ in range(steps):
        scene.world.step()
        out.append(scene.positions())
    return np.array(out)


@pytest.mark.parametrize("model", ["orca", "social_force"])
def test_the_crowd_replays_exactly_after_a_snapshot_and_in_a_fork(model):
    scene = crowd_scene(people=5, config=CrowdConfig(model=model), seed=2)
    again = crowd_scene(people=5, config=CrowdConfig(model=model), seed=2)
    walk(scene, 30)
    walk(again, 30)
    snap = scene.world.snapshot()
    twin = scene.world.fork()
    first = walk(scene, 120)
    assert np.array_equal(first, walk(again, 120)), "same seed, same crowd"
    scene.world.restore(snap)
    assert np.array_equal(first, walk(scene, 120)), "restored snapshot replays exactly"
    forked = np.array([[twin.entity(p).xy for p in scene.crowd.people]
                       for _ in range(120) if twin.step() is None])
    assert np.array_equal(first, forked), "the fork walks on exactly as the original"
    assert scene.crowd.goals_reached + sum(p.goal is not None for p in scene.crowd.persons) > 0


def test_people_keep_out_of_walls_and_apart_and_reach_their_goals():
    scene = crowd_scene(people=6, config=CrowdConfig(model="orca", robot=None), robot=False, seed=1)
    body = scene.people[0].config.body_radius
    inside = scene.navmap.with_radius(body - 0.01)
    closest = math.inf
    for _ in range(1800):                                  # one simulated minute
        scene.world.step()
        pos = scene.positions()
        assert all(inside.is_navigable(p) for p in pos), "a person entered a wall or furniture"
        gaps = np.linalg.norm(pos[:, None] - pos[None], axis=2) + np.eye(len(pos)) * 9
        closest = min(closest, gaps.min())
    assert closest >= 2 * body - 0.02, f"people overlapped: centres {closest:.3f} m apart"
    assert scene.crowd.goals_reached >= 6


def test_the_crowd_sees_the_robot_unless_it_is_told_not_to():
    visible = crowd_scene(people=4, seed=5, config=CrowdConfig(robot_visible=True))
    blind = crowd_scene(people=4, seed=5, config=CrowdConfig(robot_visible=False))
    absent = crowd_scene(people=4, seed=5, config=CrowdConfig(robot=None), robot=False)
    # the robot stands where the first person is about to walk
    for scene in (visible, blind, absent):
        walk(scene, 20)
    from embodied.skills.robot import lookahead_point

    person = visible.crowd.persons[0]
    here = visible.positions()[0]
    ahead = lookahead_point(np.array([here, *person.path[person.waypoint:]]), 1.5)
    for scene in (visible, blind):
        scene.world.entity("robot").set_pose(scene.world, tuple(ahead), 0.0)
    seen, ignored, alone = walk(visible, 150), walk(blind, 150), walk(absent, 150)
    assert np.array_equal(ignored, alone), "an unseen robot changes nothing the people do"
    assert not np.array_equal(seen, alone), "a seen robot is avoided"
    robot_xy = np.array(visible.world.entity("robot").get_pose(visible.world)[:2])
    keep = visible.world.entity("robot").constants.base_radius + visible.people[0].config.body_radius
    assert np.linalg.norm(seen[:, 0] - robot_xy, axis=1).min() > keep - 0.05


def test_bad_crowds_are_refused_with_the_limit():
    with pytest.raises(ConfigError, match="crowd.model"):
        CrowdConfig(model="boids")
    with pytest.raises(ConfigError, match="crowd.people.*holds at most"):
        crowd_scene(people=120, robot=False, config=CrowdConfig(robot=None))
    with pytest.raises(ConfigError, match="crowd.people"):
        Crowd(["human0", "human0"])


def test_a_goal_someone_stands_on_counts_as_reached_a_body_away():
    scene = crowd_scene(people=2, config=CrowdConfig(robot=None), robot=False, seed=4)
    crowd, person = scene.crowd, scene.crowd.persons[0]
    body = scene.people[0].config.body_radius
    person.goal = (1.0, 1.0)
    pos = np.array([[1.0 + 2 * body + 0.05, 1.0], [1.0, 1.0]])
    assert crowd._taken(0, person, pos, remaining=2 * body + 0.05)
    pos[1] = (5.0, 5.0)                                    # nobody there: walk on
    assert not crowd._taken(0, person, pos, remaining=2 * body + 0.05)


def test_stepping_aside_never_heads_into_a_wall():
    scene = crowd_scene(people=1, config=CrowdConfig(robot=None), robot=False, seed=4)
    crowd, nav = scene.crowd, scene.navmap
    rng = np.random.default_rng(0)
    checked = 0
    for here in nav.sample_navigable(rng, 400):
        if nav.clearance_at(tuple(here)) > 0.35:
            continue
        into = [np.array([math.cos(a), math.sin(a)]) for a in np.linspace(0, 2 * math.pi, 16, endpoint=False)
                if not nav.is_navigable(tuple(here + 0.4 * np.array([math.cos(a), math.sin(a)])))]
        if not into:
            continue
        way = crowd._free_way(here, into[0])
        if way is not None:
            assert nav.is_navigable(tuple(here + 0.4 * np.asarray(way)))
        checked += 1
    assert checked >= 10


def test_a_person_stalled_behind_the_robot_plans_its_way_round_it():
    scene = crowd_scene(people=1, seed=3)
    crowd, world = scene.crowd, scene.world
    robot = world.entity("robot")
    rx, ry, _ = robot.get_pose(world)
    paths = crowd._paths
    for a in np.linspace(0, math.pi, 12, endpoint=False):
        u = np.array([math.cos(a), math.sin(a)])
        start, goal = np.array([rx, ry]) + 1.5 * u, np.array([rx, ry]) - 1.5 * u
        if paths.is_navigable(tuple(start)) and paths.is_navigable(tuple(goal)) \
                and paths.line_of_sight(tuple(start), tuple(goal)):
            break
    else:
        pytest.fail("no straight line through the robot's spot in this home")
    person = crowd.persons[0]
    person.goal, person.path, person.waypoint = tuple(goal), (tuple(start), tuple(goal)), 1
    crowd._robot_disc = (rx, ry, robot.constants.base_radius)
    crowd._detour(0, person, np.array([start]))
    route = np.array(person.path)
    assert len(route) > 2 and person.detours == 1
    dense = np.concatenate([a + np.linspace(0, 1, 50)[:, None] * (b - a) for a, b in zip(route[:-1], route[1:])])
    clear = robot.constants.base_radius + paths.agent_radius - 2 * paths.cell_size
    assert np.linalg.norm(dense - (rx, ry), axis=1).min() >= clear


def test_a_person_with_nowhere_to_go_is_counted_once_and_looks_again(monkeypatch):
    scene = crowd_scene(people=1, config=CrowdConfig(robot=None), robot=False, seed=4)
    crowd, world = scene.crowd, scene.world
    person = crowd.persons[0]
    pos = scene.positions()
    for nav in (crowd._paths, crowd._navmap):
        monkeypatch.setattr(nav, "connected", lambda *a, **k: False)
    before = person.given_up
    assert not crowd._new_goal(world, 0, person, pos)
    assert not crowd._new_goal(world, 0, person, pos)
    assert person.given_up == before + 1 and person.lost
    monkeypatch.undo()
    assert crowd._new_goal(world, 0, person, pos) and not person.lost


def _send(crowd, i, start, goal):
    """Give person ``i`` of ``crowd`` a goal and its planned path from ``start``."""
    person = crowd.persons[i]
    path = crowd._paths.shortest_path(start, goal)
    person.goal, person.pause = tuple(goal), 0.0
    crowd._set_path(person, tuple(map(tuple, path)))


def test_people_take_turns_through_a_doorway_and_wait_beside_it():
    scene = crowd_scene(people=2, config=CrowdConfig(robot=None), robot=False, seed=0)
    crowd, world = scene.crowd, scene.world
    for door in crowd.passages:               # a doorway with room on both sides of it
        c, n = np.array(door.center), np.array(door.normal)
        ends = [c + 1.6 * n, c - 1.6 * n]
        if all(crowd._paths.is_navigable(tuple(e)) for e in ends) \
                and crowd._paths.line_of_sight(tuple(ends[0]), tuple(ends[1])):
            break
    else:
        pytest.fail("no doorway with a straight way through it in this home")
    for i, (start, goal) in enumerate([(ends[0], ends[1] - 0.4 * n), (ends[1], ends[0] + 0.4 * n)]):
        world.entity(crowd.people[i]).set_pose(world, tuple(start), math.atan2(*(goal - start)[::-1]))
    for i, goal in enumerate([ends[1] - 0.4 * n, ends[0] + 0.4 * n]):
        _send(crowd, i, tuple(scene.positions()[i]), tuple(goal))
    waited_beside, both_in = 0, False
    for _ in range(600):                                        # 20 s
        world.step()
        pos = scene.positions()
        inside = [abs((p - c) @ n) < 0.3 and abs((p - c) @ door.tangent) < door.half_width for p in pos]
        both_in |= all(inside)
        for p, person in zip(pos, crowd.persons):
            if person.waiting and abs((p - c) @ door.tangent) > door.half_width:
                waited_beside += 1
        if crowd.goals_reached == 2:
            break
    assert crowd.goals_reached == 2, "both should have gone through"
    assert not both_in, "two people in the doorway at once, from both sides"
    assert waited_beside > 15, "the one whose turn it was not should wait beside the doorway"


def test_velocities_into_furniture_turn_to_the_nearest_free_heading():
    scene = crowd_scene(people=1, config=CrowdConfig(robot=None), robot=False, seed=4)
    body = scene.crowd._body_map
    rng = np.random.default_rng(1)
    turned = 0
    for here in scene.navmap.sample_navigable(rng, 300):
        if not body.is_navigable(tuple(here)) or body.clearance_at(tuple(here)) > body.agent_radius + 0.06:
            continue
        for a in np.linspace(0, 2 * math.pi, 12, endpoint=False):
            v = np.array([[math.cos(a), math.sin(a)]])
            into = not body.is_navigable(tuple(here + v[0] * 1 / 15))
            out = v.copy()
            Crowd._keep_off_obstacles(body, here[None], out, 1 / 30)
            if not into:
                assert np.array_equal(out, v), "a free heading must be left alone"
                continue
            assert np.linalg.norm(out[0]) == pytest.approx(1.0)
            if not np.array_equal(out, v):
                assert body.is_navigable(tuple(here + out[0] / 15)), "turned into another obstacle"
                turned += 1
    assert turned >= 10


def test_people_meeting_head_on_both_bear_right():
    pos = np.array([[0.0, 0.0], [1.5, 0.0], [0.0, 5.0]])
    pref = np.array([[1.0, 0.0], [-1.0, 0.0], [1.0, 0.0]])
    Crowd._keep_right(pos, pref)
    assert pref[0, 1] < -0.3 and pref[1, 1] > 0.3, "each turns to its own right"
    assert np.array_equal(pref[2], [1.0, 0.0]), "nobody is coming at the third"
    assert np.linalg.norm(pref, axis=1) == pytest.approx([1.0, 1.0, 1.0])
