"""The World: one compiled MuJoCo model, its data, its entities and its random streams.

The World owns the control step (a whole number of physics substeps), named handles,
and a complete snapshot/restore of everything that evolves: the physics integration
state, every entity's controller state and every random stream. Restoring a snapshot
and stepping again reproduces the same trajectory bit for bit, which is what exact
replays and counterfactual re-simulation are built on: :meth:`World.fork` copies a World
as it is, :meth:`World.rebuild` makes the same scene without some entities and carries
everything else over (what the humans would have done had the robot not been there).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import mujoco
import numpy as np

from embodied.errors import ConfigError, NotFoundError, SimulationError
from embodied.sim.entity import Entity
from embodied.sim.rng import RandomStreams
from embodied.sim.semantics import category_id

_FULL_STATE = mujoco.mjtState.mjSTATE_INTEGRATION
# MuJoCo resets the data (instead of failing) when the physics blows up; these count it.
_DIVERGENCE_WARNINGS = np.array([mujoco.mjtWarning.mjWARN_BADQACC, mujoco.mjtWarning.mjWARN_BADQPOS,
                                 mujoco.mjtWarning.mjWARN_BADQVEL], dtype=np.intp)


@dataclass(frozen=True)
class Timing:
    """Physics and control rates. The control period must be a whole number of substeps."""

    physics_dt: float = 1.0 / 120.0
    control_dt: float = 1.0 / 30.0

    @property
    def substeps(self) -> int:
        return int(round(self.control_dt / self.physics_dt))

    def validate(self) -> "Timing":
        for field in ("physics_dt", "control_dt"):
            value = getattr(self, field)
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value > 0):
                raise ConfigError(field, value, reason="must be a positive number")
        ratio = self.control_dt / self.physics_dt
        if abs(ratio - round(ratio)) > 1e-9 * ratio or round(ratio) < 1:
            raise ConfigError("control_dt", self.control_dt,
                              reason=f"must be a whole multiple of physics_dt={self.physics_dt}")
        return self


@dataclass(frozen=True)
class WorldSnapshot:
    """Everything needed to put a World back exactly where it was."""

    physics: np.ndarray
    entity_states: dict[str, Any]
    rng_state: dict
    step_count: int


class World:
    """A simulated home with its entities.

    Args:
        spec: the scene (home) spec, or a function returning a new one each call (which
            lets :meth:`rebuild` make the scene again). Entities are attached to it under
            their prefixes; the spec is consumed (compiled) by the World.
        entities: robots, humanoids and other controllers, each with a unique name.
        timing: physics and control rates.
        seed: root seed of the World's random streams.
        labels: semantic labels of scene parts, ``{name_prefix: category}``
            (e.g. ``{"obj/mug_3/": "mug"}``); entities add their own.
        sleep: let bodies at rest sleep (MuJoCo's island sleeping): an object resting
            on furniture costs no collision or solver work until something touches,
            pushes or moves it. Part of the snapshot, so replays stay exact.
    """

    def __init__(self, spec: mujoco.MjSpec | Callable[[], mujoco.MjSpec],
                 entities: Sequence[Entity] = (), timing: Timing = Timing(),
                 seed: int | None = 0, labels: dict[str, str] | None = None,
                 sleep: bool = False):
        if not isinstance(sleep, bool):
            raise ConfigError("sleep", sleep, (True, False))
        self.timing = timing.validate()
        self.sleep = sleep
        names = [e.name for e in entities]
        if len(set(names)) != len(names):
            raise ConfigError("entities", names, reason="entity names must be unique")
        self._spec_factory = spec if callable(spec) else None
        if self._spec_factory is not None:
            spec = self._spec_factory()
        self._scene_labels = dict(labels or {})
        self.entities: dict[str, Entity] = {e.name: e for e in entities}
        spec.option.timestep = self.timing.physics_dt
        if sleep:
            spec.option.enableflags |= int(mujoco.mjtEnableBit.mjENBL_SLEEP)
        vis = spec.visual.global_
        vis.offwidth, vis.offheight = max(vis.offwidth, 1920), max(vis.offheight, 1080)
        for entity in entities:
            entity.attach(spec)
        self.model: mujoco.MjModel = spec.compile()
        self.data = mujoco.MjData(self.model)
        self.rng = RandomStreams(seed)
        self.step_count = 0
        self.labels = dict(labels or {})
        for entity in entities:
            if entity.category is not None:
                self.labels.setdefault(entity.prefix, entity.category)
        self._build_semantic_tables()
        for entity in entities:
            entity.bind(self)
        mujoco.mj_forward(self.model, self.data)
        self._initial = self._capture_physics()
        self._warnings_seen = self._divergence_count()

    # -- time -------------------------------------------------------------------------
    @property
    def substeps(self) -> int:
        return self.timing.substeps

    @property
    def dt(self) -> float:
        """Duration of one control step (seconds)."""
        return self.timing.control_dt

    @property
    def time(self) -> float:
        return float(self.data.time)

    def step(self, n: int = 1) -> None:
        """Advance ``n`` control steps; each runs the entities' controllers and the substeps."""
        model, data = self.model, self.data
        entities = tuple(self.entities.values())
        for _ in range(n):
            for e in entities:
                e.before_control(self)
            hooked = [e for e in entities if e.needs_substeps()]
            if hooked:
                for k in range(self.substeps):
                    for e in hooked:
                        e.before_substep(self, k)
                    mujoco.mj_step(model, data)
            else:
                mujoco.mj_step(model, data, self.substeps)
            # mj_step leaves body/site/camera poses one substep behind qpos; make them
            # current so controllers, sensors and renderers read the same state after a
            # step as after a restore (which runs mj_forward).
            mujoco.mj_kinematics(model, data)
            mujoco.mj_camlight(model, data)
            for e in entities:
                e.after_control(self)
            self.step_count += 1
        warnings = self._divergence_count()
        diverged = warnings > self._warnings_seen or not np.isfinite(data.qpos).all()
        self._warnings_seen = warnings
        if diverged:
            raise SimulationError(f"physics diverged at t={data.time:.3f}s (non-finite "
                                  "accelerations, positions or velocities)")

    def _divergence_count(self) -> int:
        return int(self.data.warning.number[_DIVERGENCE_WARNINGS].sum())

    def reset(self, seed: int | None = None) -> None:
        """Return physics to the compiled initial state, reseed (if given), reset entities."""
        self._restore_physics(self._initial)
        if seed is not None:
            self.rng = RandomStreams(seed)
        self.step_count = 0
        for e in self.entities.values():
            e.reset(self)
        mujoco.mj_forward(self.model, self.data)

    # -- snapshot / restore -------------------------------------------------------------
    def _capture_physics(self) -> np.ndarray:
        """MuJoCo's integration state, then (sleeping Worlds) which trees sleep."""
        state = np.empty(mujoco.mj_stateSize(self.model, _FULL_STATE))
        mujoco.mj_getState(self.model, self.data, state, _FULL_STATE)
        if self.sleep:
            state = np.concatenate([state, self.data.tree_asleep])
        return state

    def _restore_physics(self, state: np.ndarray) -> None:
        mujoco.mj_resetData(self.model, self.data)
        size = mujoco.mj_stateSize(self.model, _FULL_STATE)
        mujoco.mj_setState(self.model, self.data, state[:size], _FULL_STATE)
        mujoco.mj_forward(self.model, self.data)
        if self.sleep:
            # after a forward pass with every tree awake (so sleeping bodies' poses are
            # computed from their restored qpos), put the sleepers back to sleep
            set_sleep_state(self.model, self.data, state[size:].astype(np.int32))
        self._warnings_seen = self._divergence_count()

    def snapshot(self) -> WorldSnapshot:
        """Capture the complete state: physics, entity controllers, random streams."""
        return WorldSnapshot(
            physics=self._capture_physics(),
            entity_states={n: copy.deepcopy(e.get_state()) for n, e in self.entities.items()},
            rng_state=self.rng.get_state(),
            step_count=self.step_count,
        )

    def restore(self, snap: WorldSnapshot) -> None:
        """Put the World back exactly at ``snap`` (which stays usable for further restores)."""
        self._restore_physics(snap.physics)
        for name, state in snap.entity_states.items():
            self.entities[name].set_state(copy.deepcopy(state))
        self.rng.set_state(snap.rng_state)
        self.step_count = snap.step_count

    def fork(self) -> "World":
        """An independent copy sharing the (read-only) model: it steps on exactly as this
        World would (for counterfactual rollouts and episode forks)."""
        twin = copy.copy(self)
        twin.data = copy.copy(self.data)
        twin.entities = {n: copy.deepcopy(e) for n, e in self.entities.items()}
        twin.rng = RandomStreams(self.rng.seed)
        twin.rng.set_state(self.rng.get_state())
        for e in twin.entities.values():
            e.bind(twin)
        twin.restore(self.snapshot())
        return twin

    def rebuild(self, without: Iterable[str] = ()) -> "World":
        """The same scene compiled again without the entities named in ``without``, with
        everything else carried over exactly: physics (joints, mocap bodies, actuators,
        applied forces matched by name), time, every remaining entity's controller state
        and every random stream. Stepping it shows what the others would have done had
        the removed entities never been there. Needs a World made from a spec function
        (as :meth:`Home.make_world` does)."""
        without = tuple(without)
        for name in without:
            if name not in self.entities:
                raise NotFoundError("entity", name, self.entities)
        if self._spec_factory is None:
            raise ConfigError("World.rebuild", without, reason="this World was built from a "
                              "spec, not from a spec function; pass a function returning the "
                              "scene spec (e.g. home.build_spec) to rebuild it")
        kept = [copy.deepcopy(e) for n, e in self.entities.items() if n not in without]
        twin = World(self._spec_factory, kept, self.timing, self.rng.seed, self._scene_labels,
                     self.sleep)
        _carry_physics(self.model, self.data, twin.model, twin.data)
        body_map = _name_map(self.model, twin.model, mujoco.mjtObj.mjOBJ_BODY, self.model.nbody)
        for entity in kept:
            state = copy.deepcopy(self.entities[entity.name].get_state())
            entity.set_state(entity.translate_ids(state, body_map))
        for name in without:
            # what a removed entity held is let go (its lifting force goes with it)
            held = self.entities[name].held_object(self)
            if held is not None:
                twin.data.xfrc_applied[twin.body_id(held)] = 0.0
        twin.rng.set_state(self.rng.get_state())
        twin.step_count = self.step_count
        mujoco.mj_forward(twin.model, twin.data)
        if self.sleep:
            set_sleep_state(twin.model, twin.data, _carried_sleep(self.model, self.data, twin.model))
        twin._warnings_seen = twin._divergence_count()
        return twin

    # -- named handles ----------------------------------------------------------------
    def entity(self, name: str) -> Entity:
        """The entity called ``name``; NotFoundError lists the World's entities."""
        entity = self.entities.get(name)
        if entity is None:
            raise NotFoundError("entity", name, self.entities)
        return entity

    def id(self, obj_type: mujoco.mjtObj, name: str) -> int:
        """The id of a named model element; NotFoundError (a KeyError) names what is
        missing and lists the elements of that kind with the same first path component."""
        if not isinstance(name, str):
            raise ConfigError("name", name, reason="must be a string naming a model element")
        idx = mujoco.mj_name2id(self.model, obj_type, name)
        if idx < 0:
            kind = mujoco.mjtObj(obj_type).name.removeprefix("mjOBJ_").lower()
            head = name.split("/")[0] + "/"
            similar = [n for n in _names(self.model, obj_type) if n.startswith(head)]
            raise NotFoundError(kind, name, similar)
        return idx

    def body_id(self, name: str) -> int:
        return self.id(mujoco.mjtObj.mjOBJ_BODY, name)

    def geom_id(self, name: str) -> int:
        return self.id(mujoco.mjtObj.mjOBJ_GEOM, name)

    def site_id(self, name: str) -> int:
        return self.id(mujoco.mjtObj.mjOBJ_SITE, name)

    def joint_id(self, name: str) -> int:
        return self.id(mujoco.mjtObj.mjOBJ_JOINT, name)

    def body_names(self, prefix: str = "") -> list[str]:
        return [n for n in (self.model.body(i).name for i in range(self.model.nbody))
                if n.startswith(prefix)]

    def geoms_of(self, prefix: str) -> np.ndarray:
        """Ids of all geoms whose body name starts with ``prefix``."""
        return np.flatnonzero(self._geom_body_has_prefix(prefix))

    def _geom_body_has_prefix(self, prefix: str) -> np.ndarray:
        body_names = [self.model.body(i).name for i in range(self.model.nbody)]
        body_mask = np.array([n.startswith(prefix) for n in body_names], dtype=bool)
        return body_mask[self.model.geom_bodyid]

    # -- semantics ----------------------------------------------------------------------
    def _build_semantic_tables(self) -> None:
        """Per-geom instance and category ids, from the longest matching label prefix."""
        model = self.model
        # longest first; among prefixes of one length, the first label given wins
        prefixes = sorted(self.labels, key=len, reverse=True)
        rank = {p: i for i, p in enumerate(prefixes)}
        lengths = sorted({len(p) for p in prefixes})
        self.instance_names: list[str] = ["background"] + sorted(self.labels)
        instance_of = {p: i for i, p in enumerate(self.instance_names)}
        self.geom_instance = np.zeros(model.ngeom, dtype=np.int32)
        self.geom_category = np.zeros(model.ngeom, dtype=np.int32)

        def best(name: str) -> int:
            """Rank of the best label prefix of ``name`` (len(prefixes): none)."""
            return min((rank[name[:k]] for k in lengths if k <= len(name) and name[:k] in rank),
                       default=len(prefixes))

        body_best = [best(model.body(b).name) for b in range(model.nbody)]
        for g in range(model.ngeom):
            r = min(best(model.geom(g).name), body_best[model.geom_bodyid[g]])
            if r < len(prefixes):
                p = prefixes[r]
                self.geom_instance[g] = instance_of[p]
                self.geom_category[g] = category_id(self.labels[p])


_SIZES = {mujoco.mjtObj.mjOBJ_BODY: "nbody", mujoco.mjtObj.mjOBJ_JOINT: "njnt",
          mujoco.mjtObj.mjOBJ_ACTUATOR: "nu", mujoco.mjtObj.mjOBJ_GEOM: "ngeom",
          mujoco.mjtObj.mjOBJ_SITE: "nsite", mujoco.mjtObj.mjOBJ_CAMERA: "ncam",
          mujoco.mjtObj.mjOBJ_EQUALITY: "neq"}


def _names(model: mujoco.MjModel, obj_type: mujoco.mjtObj) -> list[str]:
    count = getattr(model, _SIZES.get(obj_type, ""), 0)
    return [n for n in (mujoco.mj_id2name(model, obj_type, i) for i in range(count)) if n]


def _name_map(old: mujoco.MjModel, new: mujoco.MjModel, obj_type: mujoco.mjtObj,
              count: int) -> dict[int, int]:
    """Ids of the named elements of ``old`` that ``new`` has too: old id -> new id."""
    out = {}
    for i in range(count):
        name = mujoco.mj_id2name(old, obj_type, i)
        if name:
            j = mujoco.mj_name2id(new, obj_type, name)
            if j >= 0:
                out[i] = j
    return out


_AWAKE = -(1 + mujoco.mjMINAWAKE)   # MuJoCo's tree_asleep value of a fully awake tree


def set_sleep_state(model: mujoco.MjModel, data: mujoco.MjData, tree_asleep: np.ndarray) -> None:
    """Put ``data``'s trees to sleep as ``tree_asleep`` says (MuJoCo's own encoding: < 0
    awake, counting down to sleep; >= 0 asleep, the next tree of its sleeping island),
    and recompute the arrays MuJoCo derives from it (its ``mj_updateSleep``, which the
    Python bindings do not expose). Call it after a forward pass with every tree awake."""
    data.tree_asleep[:] = tree_asleep
    tree_awake = tree_asleep < 0
    data.tree_awake[:] = tree_awake
    data.ntree_awake = int(tree_awake.sum())
    static = model.body_treeid < 0
    mocap = model.body_mocapid[model.body_rootid] >= 0
    body_awake = np.where(static, np.where(mocap, mujoco.mjtSleepState.mjS_AWAKE,
                                           mujoco.mjtSleepState.mjS_STATIC),
                          np.where(tree_awake[np.maximum(model.body_treeid, 0)],
                                   mujoco.mjtSleepState.mjS_AWAKE,
                                   mujoco.mjtSleepState.mjS_ASLEEP)).astype(np.int32)
    data.body_awake[:] = body_awake
    not_asleep = body_awake != mujoco.mjtSleepState.mjS_ASLEEP
    listed = np.flatnonzero(not_asleep)
    data.body_awake_ind[:listed.size] = listed
    data.nbody_awake = listed.size
    parents = np.flatnonzero(not_asleep[model.body_parentid])
    parents = parents[parents > 0]
    data.parent_awake_ind[:parents.size] = parents
    data.nparent_awake = parents.size
    dof_body = model.dof_bodyid
    dofs = np.flatnonzero(~static[dof_body] & (body_awake[dof_body] == mujoco.mjtSleepState.mjS_AWAKE))
    data.dof_awake_ind[:dofs.size] = dofs
    data.nv_awake = dofs.size


def _carried_sleep(old: mujoco.MjModel, od: mujoco.MjData, new: mujoco.MjModel) -> np.ndarray:
    """The sleep state of ``new``'s trees, carried over from ``old`` by root body name. A
    sleeping island that lost a tree (one of the removed entities) wakes: it was touching
    what is no longer there."""
    tree_of = {}                       # old tree -> new tree
    for b_old, b_new in _name_map(old, new, mujoco.mjtObj.mjOBJ_BODY, old.nbody).items():
        t_old, t_new = old.body_treeid[b_old], new.body_treeid[b_new]
        if t_old >= 0 and t_new >= 0 and old.tree_bodyadr[t_old] == b_old:
            tree_of[int(t_old)] = int(t_new)
    out = np.full(new.ntree, _AWAKE, dtype=np.int32)
    seen = set()
    for start in range(old.ntree):
        if start in seen:
            continue
        value = int(od.tree_asleep[start])
        if value < 0:
            if start in tree_of:
                out[tree_of[start]] = value
            continue
        cycle, tree = [], start
        while tree not in cycle:
            cycle.append(tree)
            tree = int(od.tree_asleep[tree])
        seen.update(cycle)
        if all(t in tree_of for t in cycle):
            for k, t in enumerate(cycle):
                out[tree_of[t]] = tree_of[cycle[(k + 1) % len(cycle)]]
    return out


def _carry_physics(old: mujoco.MjModel, od: mujoco.MjData, new: mujoco.MjModel,
                   nd: mujoco.MjData) -> None:
    """Copy the integration state of every element ``new`` shares (by name) with ``old``."""
    nd.time = od.time
    sizes = {mujoco.mjtJoint.mjJNT_FREE: (7, 6), mujoco.mjtJoint.mjJNT_BALL: (4, 3),
             mujoco.mjtJoint.mjJNT_SLIDE: (1, 1), mujoco.mjtJoint.mjJNT_HINGE: (1, 1)}
    for j, k in _name_map(old, new, mujoco.mjtObj.mjOBJ_JOINT, old.njnt).items():
        nq, nv = sizes[mujoco.mjtJoint(old.jnt_type[j])]
        a, b = old.jnt_qposadr[j], new.jnt_qposadr[k]
        nd.qpos[b:b + nq] = od.qpos[a:a + nq]
        a, b = old.jnt_dofadr[j], new.jnt_dofadr[k]
        for field in ("qvel", "qacc_warmstart", "qfrc_applied"):
            getattr(nd, field)[b:b + nv] = getattr(od, field)[a:a + nv]
    for i, k in _name_map(old, new, mujoco.mjtObj.mjOBJ_ACTUATOR, old.nu).items():
        nd.ctrl[k] = od.ctrl[i]
        n = old.actuator_actnum[i]
        if n and new.actuator_actnum[k] == n:
            a, b = old.actuator_actadr[i], new.actuator_actadr[k]
            nd.act[b:b + n] = od.act[a:a + n]
    for i, k in _name_map(old, new, mujoco.mjtObj.mjOBJ_BODY, old.nbody).items():
        nd.xfrc_applied[k] = od.xfrc_applied[i]
        m_old, m_new = old.body_mocapid[i], new.body_mocapid[k]
        if m_old >= 0 and m_new >= 0:
            nd.mocap_pos[m_new] = od.mocap_pos[m_old]
            nd.mocap_quat[m_new] = od.mocap_quat[m_old]
    for i, k in _name_map(old, new, mujoco.mjtObj.mjOBJ_EQUALITY, old.neq).items():
        nd.eq_active[k] = od.eq_active[i]
    if nd.userdata.size == od.userdata.size:
        nd.userdata[:] = od.userdata
