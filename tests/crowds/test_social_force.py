"""The social force model: passing, walls, the robot, determinism, speed caps, degenerate
inputs, both parameter sets (hand-built scenes, a few hundred steps each)."""

from __future__ import annotations

from types import SimpleNamespace

import mujoco
import numpy as np
import pytest

from embodied.benchmarks.navmap import add_wall
from embodied.crowds.models import MODELS, Agents
from embodied.crowds.social_force import PARAMS, SocialForceModel, SocialForceParams
from embodied.errors import ConfigError
from embodied.scenes.navmap import NavMap

DT = 1.0 / 30.0
RADIUS = 0.25
SPEED = 1.3
FORMS = ("helbing", "moussaid")
WALL_FACE = 2.95          # the wall along x = 3 is 0.1 m thick


@pytest.fixture(scope="module")
def wall_map() -> NavMap:
    """Open floor with one 6 m wall along x = 3 (y in [-3, 3])."""
    spec = mujoco.MjSpec()
    spec.worldbody.add_geom(type=mujoco.mjtGeom.mjGEOM_PLANE, size=[0, 0, 0.1])
    add_wall(spec.worldbody, (3, -3), (3, 3), "wall")
    return NavMap.from_model(spec.compile(), agent_radius=RADIUS, bounds=(-1, -4, 5, 4))


def agents(pos, vel=None, pref=None, *, radius=RADIUS, max_speed=1.2 * SPEED, group=None,
           robot=None) -> Agents:
    pos = np.asarray(pos, float).reshape(-1, 2)
    n = len(pos)
    out = Agents(pos=pos, vel=np.zeros((n, 2)) if vel is None else np.asarray(vel, float),
                 pref=np.zeros((n, 2)) if pref is None else np.asarray(pref, float),
                 radius=np.full(n, radius), max_speed=np.full(n, max_speed),
                 group=np.full(n, -1) if group is None else np.asarray(group))
    if robot is not None:
        out.robot_pos, out.robot_vel, out.robot_radius = (np.asarray(robot[0], float),
                                                          np.asarray(robot[1], float), robot[2])
    return out


def walk(model, start, goals, steps, robot=None):
    """Positions (steps + 1, n, 2) of people heading for their goals at SPEED (stopping
    within 0.2 m), integrating the model's velocities; the robot stands or moves."""
    pos, goals = np.asarray(start, float), np.asarray(goals, float)
    vel = np.zeros_like(pos)
    path = [pos]
    for k in range(steps):
        to_goal = goals - pos
        dist = np.linalg.norm(to_goal, axis=1, keepdims=True)
        pref = np.where(dist > 0.2, SPEED * to_goal / np.maximum(dist, 1e-12), 0.0)
        seen = None
        if robot is not None:
            seen = (np.asarray(robot[0], float) + k * DT * np.asarray(robot[1], float),
                    robot[1], robot[2])
        vel = model.velocities(agents(pos, vel, pref, robot=seen), DT)
        pos = pos + vel * DT
        path.append(pos)
    return np.array(path)


# -- people ------------------------------------------------------------------------------
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("offset", [0.0, 0.1])
def test_two_people_head_on_swerve_and_pass(form, offset):
    model = SocialForceModel(form)
    path = walk(model, [(0, 0), (8, offset)], [(8, 0), (0, offset)], steps=360)
    gap = np.linalg.norm(path[:, 0] - path[:, 1], axis=1)
    assert gap.min() >= 2 * RADIUS - 0.02
    assert np.abs(path[:, 0, 1]).max() > 0.1 and np.abs(path[:, 1, 1] - offset).max() > 0.1
    # Both get past each other to their goals.
    np.testing.assert_allclose(path[-1], [(8, 0), (0, offset)], atol=0.3)


@pytest.mark.parametrize("form", FORMS)
def test_who_is_ahead_counts_more_and_is_passed_on_the_right(form):
    model = SocialForceModel(form)
    walking = dict(vel=[(SPEED, 0), (0, 0)], pref=[(SPEED, 0), (0, 0)])
    ahead = model.forces(agents([(0, 0), (1.0, 0.0)], **walking))[0]     # driving term 0
    behind = model.forces(agents([(0, 0), (-1.0, 0.0)], **walking))[0]
    assert ahead[0] < 0                                  # held back by who is ahead
    assert np.linalg.norm(ahead) > 1.9 * np.linalg.norm(behind)
    # Straight at someone standing: a sideways push, to the person's right (-y).
    assert ahead[1] < 0
    if form == "helbing":                                # c = 0.5 behind, same distance
        assert behind[0] > 0
        assert np.linalg.norm(behind) / np.linalg.norm(ahead) == pytest.approx(0.5, rel=0.05)


# -- walls -------------------------------------------------------------------------------
@pytest.mark.parametrize("form", FORMS)
def test_person_heading_into_a_wall_turns_away_before_touching(form, wall_map):
    model = SocialForceModel(form)
    model.bind(wall_map, [])
    # Aiming obliquely at a point behind the wall: turns along it.
    path = walk(model, [(0, 0)], [(6, 2)], steps=150)
    assert (WALL_FACE - path[:, 0, 0]).min() > RADIUS
    vel = np.diff(path[:, 0], axis=0) / DT
    start, end = vel[20], vel[-1]
    assert start[0] > 0.5 and end[0] < 0.05 and end[1] > 0.0
    turned = np.degrees(np.arccos(start @ end / np.linalg.norm(start) / np.linalg.norm(end)))
    assert turned > 30
    # Straight at it: stops short of it.
    path = walk(model, [(0, 0)], [(6, 0)], steps=150)
    assert (WALL_FACE - path[:, 0, 0]).min() > RADIUS
    assert np.linalg.norm(path[-1, 0] - path[-2, 0]) / DT < 0.05


def test_obstacle_distance_and_direction(wall_map):
    model = SocialForceModel()
    model.bind(wall_map, [])
    dist, away = model.obstacle_distance([(2.0, 0.0), (3.5, 1.0), (2.5, 3.5)])
    true = np.array([WALL_FACE - 2.0, 3.5 - 3.05, np.hypot(0.45, 0.5)])
    assert np.all(dist <= true + 1e-9) and np.all(dist >= true - 2 * wall_map.cell_size)
    np.testing.assert_allclose(away[:2], [(-1, 0), (1, 0)], atol=1e-6)
    assert away[2, 1] > 0.5 and np.linalg.norm(away[2]) == pytest.approx(1.0, abs=0.05)
    # Without a map, no obstacle force.
    free = SocialForceModel()
    one = agents([(2.8, 0.0)], pref=[(SPEED, 0)])
    np.testing.assert_allclose(free.forces(one), [(SPEED / 0.5, 0.0)])
    assert model.forces(one)[0, 0] < 0


# -- the robot ---------------------------------------------------------------------------
@pytest.mark.parametrize("form", FORMS)
def test_robot_in_the_way_slows_or_detours_and_absent_robot_changes_nothing(form):
    model = SocialForceModel(form)
    robot = ((3.0, 0.0), (0.0, 0.0), 0.3)
    straight = walk(model, [(0, 0)], [(6, 0)], steps=240)
    blocked = walk(model, [(0, 0)], [(6, 0)], steps=240, robot=robot)
    # Absent: straight along y = 0 at the preferred speed.
    assert np.all(straight[:, 0, 1] == 0.0)
    assert np.linalg.norm(straight[120, 0] - straight[119, 0]) / DT == pytest.approx(SPEED, abs=0.01)
    # Present: keeps off its footprint, and detours (or at least is slowed).
    gap = np.linalg.norm(blocked[:, 0] - robot[0], axis=1)
    assert gap.min() >= RADIUS + robot[2] - 0.02
    detour = np.abs(blocked[:, 0, 1]).max()
    slowed = np.argmax(blocked[:, 0, 0] > 5.0) > np.argmax(straight[:, 0, 0] > 5.0) or \
        blocked[-1, 0, 0] < 5.0
    assert detour > 0.2 or slowed
    # Feels the robot from afar, before its path reaches it.
    near = agents([(0.0, 0.0)], pref=[(SPEED, 0)], robot=robot)
    far = agents([(0.0, 0.0)], pref=[(SPEED, 0)])
    assert model.forces(near)[0, 0] < model.forces(far)[0, 0]


@pytest.mark.parametrize("form", FORMS)
def test_oncoming_robot_is_avoided(form):
    model = SocialForceModel(form)
    robot = ((6.0, 0.0), (-0.5, 0.0), 0.3)
    path = walk(model, [(0, 0)], [(8, 0)], steps=300, robot=robot)
    robot_path = np.asarray(robot[0]) + np.arange(len(path))[:, None] * DT * np.asarray(robot[1])
    assert np.linalg.norm(path[:, 0] - robot_path, axis=1).min() >= RADIUS + robot[2] - 0.02
    assert path[-1, 0, 0] > 7.5


# -- groups ------------------------------------------------------------------------------
def test_group_members_are_drawn_together():
    pos = [(0, 0), (2, 0), (5, 5)]
    pulled = SocialForceModel().forces(agents(pos, group=[0, 0, -1]))
    alone = SocialForceModel().forces(agents(pos))
    off = SocialForceModel(group_attraction=0.0).forces(agents(pos, group=[0, 0, -1]))
    np.testing.assert_allclose(pulled - alone, [(1, 0), (-1, 0), (0, 0)], atol=1e-12)
    np.testing.assert_array_equal(off, alone)
    # Close enough together ((N - 1) / 2 m from the centre): no pull.
    near = SocialForceModel().forces(agents([(0, 0), (0.8, 0)], group=[3, 3]))
    np.testing.assert_array_equal(near, SocialForceModel().forces(agents([(0, 0), (0.8, 0)])))


# -- the contract ------------------------------------------------------------------------
def random_agents(rng, n, robot=True) -> Agents:
    return agents(rng.uniform(0, 4, (n, 2)), rng.normal(0, 0.7, (n, 2)), rng.normal(0, 1, (n, 2)),
                  group=rng.integers(-1, 3, n),
                  robot=((2.0, 2.0), (0.4, -0.2), 0.3) if robot else None)


@pytest.mark.parametrize("form", FORMS)
def test_same_input_same_output_bit_for_bit(form, wall_map):
    rng = np.random.default_rng(0)
    picture = random_agents(rng, 30)
    first = SocialForceModel(form)
    first.bind(wall_map, [])
    once = first.velocities(picture, DT)
    first.velocities(random_agents(rng, 7, robot=False), DT)      # other work in between
    second = SocialForceModel(form)
    second.bind(wall_map, [])
    for again in (first.velocities(picture, DT), second.velocities(picture, DT)):
        assert again.tobytes() == once.tobytes()


@pytest.mark.parametrize("form", FORMS)
def test_speeds_never_exceed_max_speed(form, wall_map):
    model = SocialForceModel(form)
    model.bind(wall_map, [])
    rng = np.random.default_rng(1)
    for dt in (DT, 0.5):
        picture = random_agents(rng, 40)
        picture.pos[:5] = (2.9, 0.0)                              # a heap at the wall
        picture.max_speed = rng.uniform(0.0, 2.0, 40)
        speed = np.linalg.norm(model.velocities(picture, dt), axis=1)
        assert np.all(speed <= picture.max_speed * (1 + 1e-12))


@pytest.mark.parametrize("form", FORMS)
def test_degenerate_pictures_give_finite_velocities(form, wall_map):
    model = SocialForceModel(form)
    model.bind(wall_map, [])
    cases = [
        agents([(1, 1), (1, 1)]),                                          # coincident, still
        agents([(1, 1), (1, 1)], vel=[(1, 0), (1, 0)], pref=[(1, 0), (1, 0)]),
        agents([(1, 1)], robot=((1, 1), (0, 0), 0.3)),                      # on the robot
        agents([(1, 1)], vel=[(0.5, 0)], robot=((1, 1), (0.5, 0), 0.3)),
        agents([(0, 0), (1, 0)], vel=[(0.5, 0), (0, 0)]),                   # on the step
        agents([(3.0, 0.0), (2.97, 0.5)], pref=[(1, 0), (1, 0)]),            # inside the wall
        agents([(-50.0, 70.0)], pref=[(1, 0)]),                            # off the map
        agents([(1, 1), (1, 1), (1, 1)], group=[0, 0, 0], radius=0.0, max_speed=0.0),
        agents(np.zeros((0, 2))),
    ]
    with np.errstate(divide="raise", invalid="raise", over="raise"):
        for picture in cases:
            out = model.velocities(picture, DT)
            assert out.shape == (picture.count, 2) and np.all(np.isfinite(out))
    # Coincident people are pushed apart.
    apart = model.forces(agents([(1, 1), (1, 1)]))
    assert apart[0, 0] > 0 > apart[1, 0]
    # Someone standing inside the wall is pushed out of it towards the nearer face.
    assert model.forces(agents([(2.97, 0.0)]))[0, 0] < 0


def test_maps_without_obstacles_or_given_as_plain_attributes():
    open_floor = SimpleNamespace(clearance=np.full((20, 30), np.inf), origin=np.array([0.0, 0.0]),
                                 cell_size=0.1)
    model = SocialForceModel()
    model.bind(open_floor, [])
    one = agents([(1.0, 1.0)], pref=[(1, 0)])
    np.testing.assert_allclose(model.forces(one), [(2.0, 0.0)])
    # A synthetic clearance grid: an obstacle along the column x in [1.0, 1.1).
    clearance = np.tile(np.maximum(np.abs(np.arange(30) - 10) - 1, 0) * 0.1, (20, 1))
    model.bind(SimpleNamespace(clearance=clearance, origin=(0.0, 0.0), cell_size=0.1), [])
    assert model.forces(agents([(1.35, 1.0)]))[0, 0] > 0 > model.forces(agents([(0.75, 1.0)]))[0, 0]


# -- parameters --------------------------------------------------------------------------
def test_parameter_sets_registry_and_errors():
    assert MODELS["social_force"] is SocialForceModel
    assert SocialForceModel().params == PARAMS["helbing"]
    helbing, moussaid = PARAMS["helbing"], PARAMS["moussaid"]
    assert (helbing.tau, helbing.v0, helbing.sigma, helbing.u0, helbing.r_obstacle,
            helbing.fov_factor) == (0.5, 2.1, 0.3, 10.0, 0.2, 0.5)
    assert (moussaid.lam, moussaid.gamma, moussaid.n, moussaid.n_prime, moussaid.tau,
            moussaid.obstacle_factor, moussaid.obstacle_sigma, moussaid.radius) == (
        2.0, 0.35, 2, 3, 0.5, 10.0, 0.2, 0.35)
    tuned = SocialForceModel("moussaid", strength=5.1)
    assert tuned.params.strength == 5.1 and tuned.params.form == "moussaid"
    assert SocialForceModel(SocialForceParams(form="moussaid")).params.form == "moussaid"
    picture = agents([(0, 0), (1.0, 0.3)], vel=[(1, 0), (-1, 0)], pref=[(1.3, 0), (-1.3, 0)])
    assert not np.array_equal(SocialForceModel("helbing").velocities(picture, DT),
                              SocialForceModel("moussaid").velocities(picture, DT))
    for bad in (dict(params="orca"), dict(params=3), dict(v_zero=1.0), dict(tau=0.0),
                dict(form="vicsek")):
        with pytest.raises(ConfigError):
            SocialForceModel(**bad)


def test_benchmark_runs_and_reports_a_missing_pysocialforce(monkeypatch):
    import sys

    from embodied.benchmarks.crowd_models import bench_social_force

    monkeypatch.setitem(sys.modules, "pysocialforce", None)      # as if not installed
    out = bench_social_force(agents=(3,), steps=2, repeats=1)
    assert out["pysocialforce"] == "missing"
    assert out["ours_helbing_3_steps_per_s"] > 0 and out["ours_moussaid_3_steps_per_s"] > 0
