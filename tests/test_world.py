"""World core: timing, snapshot/restore bit-identity, fork, random streams, semantics."""

import mujoco
import numpy as np
import pytest

from embodied.errors import ConfigError, SimulationError
from embodied.sim.entity import Entity
from embodied.sim.kinematic import FreeBody, Hold
from embodied.sim.rng import RandomStreams
from embodied.sim.world import Timing, World


class Pusher(Entity):
    """A free box pushed by random forces drawn from the World's streams; counts steps."""

    category = "robot"

    def build_spec(self):
        spec = mujoco.MjSpec()
        body = spec.worldbody.add_body(name="base", pos=[0, 0, 0.15])
        body.add_freejoint()
        body.add_geom(type=mujoco.mjtGeom.mjGEOM_BOX, size=[0.1, 0.1, 0.1], rgba=[1, 0, 0, 1])
        return spec

    def bind(self, world):
        self.body = world.body_id(self.prefix + "base")
        self.pushes = 0

    def before_control(self, world):
        self.pushes += 1
        world.data.xfrc_applied[self.body, :3] = world.rng(self.name).normal(size=3) * 20

    def get_state(self):
        return {"pushes": self.pushes}

    def set_state(self, state):
        self.pushes = state["pushes"]


def box_pile_spec(n=6):
    spec = mujoco.MjSpec()
    spec.worldbody.add_geom(name="floor", type=mujoco.mjtGeom.mjGEOM_PLANE, size=[5, 5, 0.1])
    for i in range(n):
        body = spec.worldbody.add_body(name=f"obj/box{i}/body", pos=[0.03 * i, 0.4, 0.1 + 0.22 * i])
        body.add_freejoint()
        body.add_geom(type=mujoco.mjtGeom.mjGEOM_BOX, size=[0.1, 0.1, 0.1])
    return spec


def make_world(seed=0):
    return World(box_pile_spec(), [Pusher("robot")], seed=seed,
                 labels={"obj/box0/": "box", "floor": "floor"})


def rollout(world, steps):
    qpos, contacts = [], []
    for _ in range(steps):
        world.step()
        qpos.append(world.data.qpos.copy())
        contacts.append(np.array(world.data.contact.geom[: world.data.ncon]).copy())
    return np.array(qpos), contacts


def test_timing_validation():
    assert Timing(1 / 120, 1 / 30).substeps == 4
    with pytest.raises(ConfigError, match="control_dt"):
        Timing(0.01, 0.025).validate()
    with pytest.raises(ConfigError, match="physics_dt"):
        Timing(-1.0, 0.1).validate()


def test_control_step_runs_whole_substeps():
    world = make_world()
    world.step(3)
    assert world.step_count == 3
    assert world.time == pytest.approx(3 * world.dt)
    assert world.model.opt.timestep == pytest.approx(1 / 120)


class SubstepCounter(Pusher):
    """A Pusher that asks for per-substep hooks when ``hooked`` (and counts them)."""

    hooked = False

    def bind(self, world):
        super().bind(world)
        self.substep_calls = []

    def needs_substeps(self):
        return self.hooked

    def before_substep(self, world, substep):
        self.substep_calls.append(substep)


def test_substep_hooks_run_only_when_asked_and_do_not_change_the_physics():
    runs = []
    for hooked in (False, True):
        counter = SubstepCounter("robot")
        counter.hooked = hooked
        world = World(box_pile_spec(), [counter], seed=3)
        world.reset()
        qpos, _ = rollout(world, 5)
        assert counter.substep_calls == ([0, 1, 2, 3] * 5 if hooked else [])
        runs.append(qpos)
    # one mj_step(nstep) call and nstep separate calls are the same physics, bit for bit
    assert np.array_equal(runs[0], runs[1])


def test_snapshot_restore_is_bit_identical():
    world = make_world()
    world.step(20)
    snap = world.snapshot()
    q1, c1 = rollout(world, 60)
    pushes1 = world.entities["robot"].pushes
    world.restore(snap)
    q2, c2 = rollout(world, 60)
    assert np.array_equal(q1, q2)
    assert all(np.array_equal(a, b) for a, b in zip(c1, c2))
    assert sum(len(c) for c in c1) > 0, "the pile must be in contact for the test to mean anything"
    assert world.entities["robot"].pushes == pushes1
    # the snapshot is reusable: restoring it again gives the same trajectory a third time
    world.restore(snap)
    q3, _ = rollout(world, 60)
    assert np.array_equal(q1, q3)


def test_fork_is_independent_and_identical():
    world = make_world()
    world.step(10)
    twin = world.fork()
    q_twin, _ = rollout(twin, 40)
    q_main, _ = rollout(world, 40)
    assert np.array_equal(q_twin, q_main)
    twin.step(5)
    assert twin.step_count == world.step_count + 5
    assert twin.data is not world.data and twin.model is world.model


def test_different_seeds_differ_same_seed_matches():
    a, b, c = make_world(1), make_world(1), make_world(2)
    qa, _ = rollout(a, 30)
    qb, _ = rollout(b, 30)
    qc, _ = rollout(c, 30)
    assert np.array_equal(qa, qb)
    assert not np.array_equal(qa, qc)


def test_reset_restores_initial_state():
    world = make_world(3)
    q0 = world.data.qpos.copy()
    first, _ = rollout(world, 10)
    world.reset(seed=3)
    assert np.array_equal(world.data.qpos, q0) and world.step_count == 0
    again, _ = rollout(world, 10)
    assert np.array_equal(first, again)


def test_random_streams_are_independent_and_restorable():
    streams = RandomStreams(7)
    a_first = streams("a").random(3)
    state = streams.get_state()
    a_next = streams("a").random(3)
    streams.set_state(state)
    assert np.array_equal(streams("a").random(3), a_next)
    # creating another stream does not shift an existing one
    fresh = RandomStreams(7)
    fresh("b").random(10)
    assert np.array_equal(fresh("a").random(3), a_first)
    with pytest.raises(ConfigError, match="seed"):
        RandomStreams(-1)


def test_semantic_tables_and_handles():
    world = make_world()
    box0 = world.geoms_of("obj/box0/")
    assert len(box0) == 1
    assert world.instance_names[world.geom_instance[box0[0]]] == "obj/box0/"
    robot_geoms = world.geoms_of("robot/")
    from embodied.sim.semantics import category_id

    assert world.geom_category[robot_geoms[0]] == category_id("robot")
    with pytest.raises(KeyError, match="no body named 'nope'"):
        world.body_id("nope")


def test_duplicate_entity_names_rejected():
    with pytest.raises(ConfigError, match="unique"):
        World(box_pile_spec(1), [Pusher("r"), Pusher("r")])


def test_divergence_is_reported():
    world = make_world()
    world.data.qvel[:] = np.inf
    with pytest.raises(SimulationError, match="diverged"):
        world.step()


def test_hold_keeps_object_rigidly_attached():
    world = make_world()
    world.step(30)
    holder = world.body_id("robot/base")
    obj = world.body_id("obj/box5/body")
    hold = Hold.grab(world.model, world.data, obj, holder)
    rel0 = np.array(hold.rel_pos)

    for _ in range(20):
        for _ in range(world.substeps):
            hold.apply(world.model, world.data)
            mujoco.mj_step(world.model, world.data)
    hold.apply(world.model, world.data)
    mujoco.mj_kinematics(world.model, world.data)
    from embodied.sim.kinematic import relative_pose

    rel, _ = relative_pose(world.data.xpos[holder], world.data.xquat[holder],
                           *FreeBody.of(world.model, obj).pose(world.data))
    assert np.allclose(rel, rel0, atol=1e-9)


def sleeping_world(seed=0):
    """The box pile next to the pushed box, in a World whose resting bodies sleep."""
    return World(box_pile_spec, [Pusher("robot")], seed=seed, sleep=True)


def settled(world, steps=150):
    world.step(steps)
    assert world.data.ntree_awake < world.model.ntree, "the pile must have fallen asleep"
    return world


def sleep_arrays(data):
    counts = {n: int(getattr(data, n)) for n in ("ntree_awake", "nbody_awake", "nparent_awake", "nv_awake")}
    lists = {"body_awake_ind": data.body_awake_ind[:counts["nbody_awake"]].copy(),
             "parent_awake_ind": data.parent_awake_ind[:counts["nparent_awake"]].copy(),
             "dof_awake_ind": data.dof_awake_ind[:counts["nv_awake"]].copy()}
    return counts, {"tree_asleep": data.tree_asleep.copy(), "tree_awake": data.tree_awake.copy(),
                    "body_awake": data.body_awake.copy(), **lists}


def same_sleep(a, b):
    return a[0] == b[0] and all(np.array_equal(a[1][k], b[1][k]) for k in a[1])


def test_sleep_state_survives_snapshot_restore_bit_identically():
    world = settled(sleeping_world())
    before = sleep_arrays(world.data)
    snap = world.snapshot()
    first = [(q, world.data.tree_asleep.copy()) for q in rollout(world, 60)[0]]
    world.restore(snap)
    # the arrays MuJoCo derives from which trees sleep are rebuilt exactly as it has them
    assert same_sleep(sleep_arrays(world.data), before)
    again = [(q, world.data.tree_asleep.copy()) for q in rollout(world, 60)[0]]
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(first, again))
    # a World without sleep restores every tree awake: it would not replay the same
    plain = World(box_pile_spec, [Pusher("robot")], seed=0)
    assert plain.snapshot().physics.size == snap.physics.size - world.model.ntree


def test_sleep_skips_work_but_keeps_an_awake_pusher_moving():
    world = settled(sleeping_world())
    model, data = world.model, world.data
    tree_of = lambda body: int(model.body_treeid[world.body_id(body)])  # noqa: E731
    qpos_of = lambda body: int(model.jnt_qposadr[model.body_jntadr[world.body_id(body)]])  # noqa: E731
    assert data.tree_asleep[tree_of("robot/base")] < 0      # pushed every step: never asleep
    boxes = [f"obj/box{i}/body" for i in range(6)]
    asleep = [b for b in boxes if data.tree_asleep[tree_of(b)] >= 0]
    assert asleep
    q = data.qpos.copy()
    world.step(5)
    r = qpos_of("robot/base")
    assert not np.array_equal(data.qpos[r:r + 7], q[r:r + 7])
    still = [b for b in asleep if data.tree_asleep[tree_of(b)] >= 0]
    assert still and all(np.array_equal(data.qpos[qpos_of(b):qpos_of(b) + 7],
                                        q[qpos_of(b):qpos_of(b) + 7]) for b in still)


def test_rebuild_carries_which_trees_sleep():
    world = settled(sleeping_world())
    alone = world.rebuild(without=("robot",))
    for i in range(6):
        name = f"obj/box{i}/body"
        old = world.data.tree_asleep[world.model.body_treeid[world.body_id(name)]] >= 0
        new = alone.data.tree_asleep[alone.model.body_treeid[alone.body_id(name)]] >= 0
        assert old == new
    assert alone.data.ntree_awake == world.data.ntree_awake - 1      # the robot's tree is gone
    # a sleeping island that held a removed tree wakes in the rebuilt World
    robot_tree = int(world.model.body_treeid[world.body_id("robot/base")])
    box_tree = int(world.model.body_treeid[world.body_id("obj/box0/body")])
    world.data.tree_asleep[robot_tree], world.data.tree_asleep[box_tree] = box_tree, robot_tree
    alone = world.rebuild(without=("robot",))
    assert alone.data.tree_asleep[alone.model.body_treeid[alone.body_id("obj/box0/body")]] < 0
