"""The Humanoid entity: a kinematic avatar in a World.

In the World a humanoid is one mocap body per link (:data:`constants.LINKS`) with
capsule collision geoms in the KINEMATIC group: it pushes free objects (infinite mass),
nothing pushes it, and it adds no degrees of freedom, so many humanoids stay cheap.
Each control step its controller

1. runs the current skill (walk along a path, pick, place, wander, teleop ...: see
   :mod:`embodied.skills.humanoid`), which sets a velocity command and/or a reach goal;
2. advances the gait (root motion kept on the navigation map when one is given);
3. advances the reach IK or posture transition of the upper body;
4. poses its private skeleton and runs forward kinematics;

and then, across the physics substeps, moves the mocap bodies from the previous link
poses to the new ones (and a held object with the hand). All of this is driven by
state returned by :meth:`Humanoid.get_state`, so World snapshots and forks replay
the humanoid exactly.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import mujoco
import numpy as np

from embodied.agents.humanoid import constants as C
from embodied.agents.humanoid.avatars import Avatar, get_avatar
from embodied.agents.humanoid.body import build_avatar_spec
from embodied.agents.humanoid.gait import Gait, GaitConfig, GaitState
from embodied.agents.humanoid.reach import (ReachConfig, ReachSolver, ReachState, ReachStatus,
                                            carry_upper, neutral_upper)
from embodied.agents.humanoid.skeleton import ARM_JOINTS, UPPER_JOINTS, Skeleton
from embodied.errors import ActionError, ConfigError, check_choice, check_range
from embodied.geometry import quat_yaw, wrap_angle
from embodied.sim.entity import Entity, PlanarPose
from embodied.sim.kinematic import FreeBody, Hold, compose, holder_of, quat_conj, quat_mul

if TYPE_CHECKING:
    from embodied.scenes.navmap import NavMap
    from embodied.skills.base import Skill
    from embodied.sim.world import World

_N = len(C.LINKS)
#: Heading errors above this are corrected by turning in place (as in Habitat 3.0).
TURN_IN_PLACE = math.radians(20.0)


@dataclass(frozen=True)
class HumanoidConfig:
    """Controller settings of a humanoid."""

    gait: GaitConfig = field(default_factory=GaitConfig)
    reach: ReachConfig = field(default_factory=ReachConfig)
    grasp_distance: float = 0.05     # hand-to-object distance at which a grasp snaps
    pick_radius: float = 1.2         # objects within this distance can be picked (snap)
    body_radius: float = 0.2         # the root keeps this far from obstacles

    def __post_init__(self):
        check_range("body_radius", self.body_radius, 0.0, 1.0)
        check_range("grasp_distance", self.grasp_distance, 0.005, 0.5)
        check_range("pick_radius", self.pick_radius, 0.1, 5.0)


@dataclass(frozen=True)
class Grip:
    """A held object: the Hold, which hand, and how to set the object down upright."""

    hold: Hold
    side: str
    bottom_offset: float        # object origin height above its lowest point when upright
    tilt: tuple[float, float, float, float]   # orientation relative to its heading at pick time


def _approach(value: float, target: float, max_step: float) -> float:
    """``value`` moved towards ``target`` by at most ``max_step`` (exactly onto it when near)."""
    d = target - value
    return target if abs(d) <= max_step else value + math.copysign(max_step, d)



def object_bottom_offset(model: mujoco.MjModel, body: int) -> float:
    """Height of a body's origin above the lowest point of its geoms, in the body frame."""
    lowest = math.inf
    corners = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)], float)
    for g in range(model.ngeom):
        if model.geom_bodyid[g] != body:
            continue
        center, half = model.geom_aabb[g, :3], model.geom_aabb[g, 3:]
        rot = np.empty(9)
        mujoco.mju_quat2Mat(rot, model.geom_quat[g])
        pts = (center + corners * half) @ rot.reshape(3, 3).T + model.geom_pos[g]
        lowest = min(lowest, float(pts[:, 2].min()))
    if not math.isfinite(lowest):
        raise ConfigError("object", model.body(body).name, reason="has no geoms")
    return -lowest


class Humanoid(Entity):
    """A kinematic humanoid avatar.

    Args:
        name: entity name (prefix ``name/`` in the World), e.g. ``"human0"``.
        avatar: an :class:`Avatar` or its id (see :mod:`.avatars`).
        pos, yaw: initial root position on the floor and heading.
        config: controller settings.
        navmap: optional navigation map. Paths are planned on it; any motion (path
            following or direct velocity commands) keeps the root at least
            ``config.body_radius`` from obstacles, sliding along them or stopping. A
            body radius a little below the map's agent radius leaves room to follow
            paths through passages just wide enough for the map.
    """

    category = "humanoid"

    def __init__(self, name: str = "human0", avatar: Avatar | str = "avatar_00",
                 pos=(0.0, 0.0, 0.0), yaw: float = 0.0, config: HumanoidConfig | None = None,
                 navmap: "NavMap | None" = None):
        super().__init__(name, pos=(float(pos[0]), float(pos[1]), 0.0), yaw=yaw)
        self.avatar = get_avatar(avatar) if isinstance(avatar, str) else avatar
        if not isinstance(self.avatar, Avatar):
            raise ConfigError("avatar", avatar, reason="must be an Avatar or an avatar id")
        self.config = config or HumanoidConfig()
        self.navmap = navmap
        # (navmap, the same map at the body radius), derived on first use
        self._motion_map: "tuple[NavMap, NavMap] | None" = None
        #: (BodySpace, this person's index): set by a crowd whose people keep apart
        self.body_space = None
        shape = self.avatar.shape
        self.gait = Gait(shape, self.config.gait)
        self.skeleton = Skeleton(shape)
        self.reacher = ReachSolver(shape, self.config.reach)
        self._neutral = neutral_upper(shape)
        # evolving state (see get_state)
        self._reach = ReachState()
        self._upper = list(self._neutral)
        self._grip: Grip | None = None
        self.behaviour: "Skill | None" = None
        # scratch (recomputed from state every control step)
        self._prev_pos = np.zeros((_N, 3))
        self._prev_quat = np.zeros((_N, 4))
        self._cur_pos = np.zeros((_N, 3))
        self._step_pos, self._step_quat = np.zeros((_N, 3)), np.zeros((_N, 4))
        self._cur_quat = np.zeros((_N, 4))
        self._held_fb: FreeBody | None = None

    def __deepcopy__(self, memo):
        # World.fork copies entities: the navigation map is read-only and shared
        shared = [self.navmap] + list(self._motion_map or ())
        for item in shared:
            if item is not None:
                memo[id(item)] = item
        if self._motion_map is not None:
            memo[id(self._motion_map)] = self._motion_map
        twin = self.__class__.__new__(self.__class__)
        memo[id(self)] = twin
        for key, value in self.__dict__.items():
            setattr(twin, key, copy.deepcopy(value, memo))
        return twin

    # -- model ---------------------------------------------------------------------------
    def build_spec(self) -> mujoco.MjSpec:
        return build_avatar_spec(self.avatar.shape, self.avatar.appearance)

    def attach(self, scene: mujoco.MjSpec) -> None:
        # Mocap bodies are placed in world coordinates at reset; attach at the origin.
        scene.attach(self.build_spec(), prefix=self.prefix, frame=scene.worldbody.add_frame())

    def bind(self, world: "World") -> None:
        m = world.model
        bodies = [world.body_id(C.scoped(self.prefix, n)) for n in C.LINKS]
        mocap = [int(m.body_mocapid[b]) for b in bodies]
        if mocap != list(range(mocap[0], mocap[0] + _N)):
            raise AssertionError("humanoid mocap bodies must be consecutive")
        self._mocap = slice(mocap[0], mocap[0] + _N)
        self._hand_body = {s: bodies[C.LINKS.index(C.HAND[s])] for s in C.SIDES}
        self._hand_index = {s: C.LINKS.index(C.HAND[s]) for s in C.SIDES}
        self._grasp_site = {s: world.site_id(C.scoped(self.prefix, C.GRASP_SITE[s])) for s in C.SIDES}
        self._sole_site = {s: world.site_id(C.scoped(self.prefix, C.SOLE_SITE[s])) for s in C.SIDES}
        self._substeps = world.substeps
        self._dt = world.dt
        self._physics_dt = world.timing.physics_dt
        self._held_fb = None
        # stand at the initial pose from the start (World.reset does it again)
        self.reset(world)

    # -- lifecycle -------------------------------------------------------------------------
    def reset(self, world: "World") -> None:
        self.gait.reset(float(self.initial_pos[0]), float(self.initial_pos[1]), self.initial_yaw)
        self._reach = ReachState()
        self._upper = list(self._neutral)
        self._grip = None
        self._held_fb = None
        self.behaviour = None
        self._show_pose(world)

    def _show_pose(self, world: "World") -> None:
        """Pose the skeleton for the current state and put the links there at once."""
        self._compute_pose()
        world.data.mocap_pos[self._mocap] = self._cur_pos
        world.data.mocap_quat[self._mocap] = self._cur_quat
        mujoco.mj_kinematics(world.model, world.data)

    def set_pose(self, world: "World", xy, yaw: float) -> None:
        """Stand at ``xy`` facing ``yaw``, feet together and at rest (a carried object
        stays in the hand; the current skill goes on from there)."""
        if self._grip is not None:
            raise ConfigError("set_pose", self.name, reason="cannot place a humanoid that is "
                              "carrying an object; release it first")
        self.gait.reset(float(xy[0]), float(xy[1]), float(yaw))
        self._show_pose(world)

    def get_pose(self, world: "World") -> PlanarPose:
        s = self.gait.state
        return PlanarPose(float(s.x), float(s.y), float(s.yaw))

    def frame_body(self) -> str:
        return C.scoped(self.prefix, C.LINKS[0])

    def before_control(self, world: "World") -> None:
        self.step_root(world)
        self._update_upper(self._dt)
        data = world.data
        if self._grip is None:
            # The avatar is kinematic: its links go to this control step's pose at once (as
            # Habitat 3.0's humanoid does); only a carried object needs per-substep motion.
            self._compute_pose()
            data.mocap_pos[self._mocap] = self._cur_pos
            data.mocap_quat[self._mocap] = self._cur_quat
            return
        self._prev_pos[:] = data.mocap_pos[self._mocap]
        self._prev_quat[:] = data.mocap_quat[self._mocap]
        self._compute_pose()
        # interpolate quaternions along the short way
        flip = np.einsum("ij,ij->i", self._prev_quat, self._cur_quat) < 0.0
        self._cur_quat[flip] *= -1.0
        self._step_pos = self._cur_pos - self._prev_pos      # what each substep takes a share of
        self._step_quat = self._cur_quat - self._prev_quat

    def step_root(self, world: "World") -> None:
        """The first half of a control step: run the skill and advance the gait (where the
        humanoid stands and walks), without posing the body. A crowd shadow steps its people
        this way (:mod:`embodied.crowds.shadow`)."""
        if self.behaviour is not None and self.behaviour.running:
            self.behaviour.update(self, world)
        free = self._root_free if self.navmap is not None else None
        space = self.body_space
        if space is None:
            self.gait.update(self._dt, free, idle_motion=self._reach.mode in ("none", "carry"))
        else:
            bodies, k = space
            self.gait.update(self._dt, free, idle_motion=self._reach.mode in ("none", "carry"),
                             constrain=lambda x0, y0, x1, y1: bodies.slide(k, x0, y0, x1, y1))
            bodies.moved(k, self.gait.state.x, self.gait.state.y)

    def needs_substeps(self) -> bool:
        return self._grip is not None

    def before_substep(self, world: "World", substep: int) -> None:
        alpha = (substep + 1) / self._substeps
        data = world.data
        pos = self._prev_pos + alpha * self._step_pos
        quat = self._prev_quat + alpha * self._step_quat
        data.mocap_pos[self._mocap] = pos
        data.mocap_quat[self._mocap] = quat
        if self._grip is not None:
            i = self._hand_index[self._grip.side]
            hand = quat[i]
            q = hand / math.sqrt(hand.dot(hand))       # np.linalg.norm's own sum, cheaper
            h = self._grip.hold
            p, r = compose(pos[i], q, h.rel_pos, h.rel_quat)
            vel = self._step_pos[i] / self._dt
            # the object moves with the hand's velocity and (its weight being carried, see
            # grasp) ends this substep exactly at its place in the hand
            self._held(world).set_pose(data, p - vel * self._physics_dt, r, linvel=vel)

    # -- exact state -----------------------------------------------------------------------
    def get_state(self) -> Any:
        return {"gait": self.gait.state.copy(), "reach": self._reach, "upper": list(self._upper),
                "grip": self._grip, "behaviour": self.behaviour}

    def set_state(self, state: Any) -> None:
        self.gait.state = state["gait"].copy() if isinstance(state["gait"], GaitState) else state["gait"]
        self._reach = state["reach"]
        self._upper = list(state["upper"])
        self._grip = state["grip"]
        self._held_fb = None
        self.behaviour = state["behaviour"]
        # queries (hand and sole positions) read the skeleton: pose it for the restored state
        self._compute_pose()

    def translate_ids(self, state: Any, body_map: dict[int, int]) -> Any:
        grip = state["grip"]
        if grip is not None:
            h = grip.hold
            hold = Hold(body_map[h.object_body], body_map[h.holder_body], h.rel_pos, h.rel_quat)
            state["grip"] = Grip(hold, grip.side, grip.bottom_offset, grip.tilt)
        return state

    # -- internals -------------------------------------------------------------------------
    @property
    def motion_map(self) -> "NavMap | None":
        """The navmap at ``config.body_radius``: where the root may be (None without map)."""
        nav = self.navmap
        if nav is None:
            return None
        if self._motion_map is None or self._motion_map[0] is not nav:
            radius = self.config.body_radius
            self._motion_map = (nav, nav if radius >= nav.agent_radius else nav.with_radius(radius))
        return self._motion_map[1]

    def _root_free(self, x: float, y: float) -> bool:
        return bool(self.motion_map.is_navigable((x, y)))

    def _held(self, world: "World") -> FreeBody:
        if self._held_fb is None or self._held_fb.body_id != self._grip.hold.object_body:
            self._held_fb = FreeBody.of(world.model, self._grip.hold.object_body)
        return self._held_fb

    def _compute_pose(self) -> None:
        r = self._reach
        if r.mode == "none":
            self.skeleton.pose_from_gait(self.gait)
        elif r.mode == "carry":
            side = self._grip.side
            self.skeleton.pose_from_gait(self.gait, self._upper, override=ARM_JOINT_INDEX[side],
                                         swing_arms=(side != "l", side != "r"))
        else:
            self.skeleton.pose_from_gait(self.gait, self._upper, drop=-r.drop, extra_pitch=r.pitch)
        self.skeleton.link_poses(self._cur_pos, self._cur_quat)

    def _pelvis_frame(self) -> tuple[np.ndarray, float]:
        (px, py, pz), _, _ = self.gait.pelvis()
        return np.array([px, py, pz]), self.gait.state.yaw

    def _to_local(self, point) -> np.ndarray:
        origin, yaw = self._pelvis_frame()
        d = np.asarray(point, float) - origin
        c, s = math.cos(yaw), math.sin(yaw)
        return np.array([c * d[0] + s * d[1], -s * d[0] + c * d[1], d[2]])

    def _update_upper(self, dt: float) -> None:
        r = self._reach
        if r.mode == "ik":
            if self.gait.state.stepping:
                # reaching while walking is not supported: the reach waits for the stance
                return
            goal = np.asarray(r.goal)
            sub = np.asarray(r.sub)
            delta = goal - sub
            dist = float(np.linalg.norm(delta))
            step = self.config.reach.hand_speed * dt
            sub = goal if dist <= step else sub + delta * (step / dist)
            r.sub = tuple(sub.tolist())
            self._upper, r.drop, r.pitch, _ = self.reacher.solve(
                self._upper, r.drop, r.pitch, r.side, self._to_local(sub), dt)
            # the error that counts is the one to the goal
            r.error = float(np.linalg.norm(self.reacher.hand_local(r.side) - self._to_local(goal)))
            if dist <= step and r.error <= self.config.reach.tolerance:
                r.status = ReachStatus.REACHED
            elif dist <= step:
                if r.error < r.best_error - 1e-3:
                    r.best_error, r.stall = r.error, 0
                else:
                    r.stall += 1
                    if r.stall >= self.config.reach.stall_steps:
                        r.status = ReachStatus.UNREACHABLE
                        self._start_pose()
        elif r.mode == "pose":
            max_step = self.config.reach.joint_speed * dt
            done = True
            for i, target in enumerate(r.pose_goal):
                self._upper[i] = _approach(self._upper[i], target, max_step)
                done = done and self._upper[i] == target
            r.drop = _approach(r.drop, 0.0, 0.5 * max_step)
            r.pitch = _approach(r.pitch, 0.0, max_step)
            if done and r.drop == 0.0 and r.pitch == 0.0:
                r.mode = "carry" if self._grip is not None else "none"

    def _start_pose(self) -> None:
        r = self._reach
        r.mode = "pose"
        r.pose_goal = (carry_upper(self.avatar.shape, self._grip.side, self._neutral)
                       if self._grip is not None else list(self._neutral))

    # -- commands ----------------------------------------------------------------------------
    def walk(self, forward: float, turn: float) -> None:
        """Command a forward speed (m/s) and turn rate (rad/s); kept until changed."""
        for field_name, value in (("forward", forward), ("turn", turn)):
            if not isinstance(value, (int, float, np.floating, np.integer)) or not math.isfinite(value):
                raise ActionError(f"humanoid {self.name}: {field_name} must be a finite number, got {value!r}")
        self.gait.command(float(forward), float(turn))

    def stop(self) -> None:
        self.gait.command(0.0, 0.0)

    def head(self, yaw: float, speed: float, turn_in_place: float = TURN_IN_PLACE) -> None:
        """Walk at ``speed`` towards heading ``yaw`` (rad), turning on the spot first when
        it is more than ``turn_in_place`` away (:data:`TURN_IN_PLACE`, as Habitat 3.0
        humanoids do). Below that, and beyond :data:`TURN_IN_PLACE`, it walks on while it
        turns, slowed by the cosine of the heading error."""
        err = wrap_angle(yaw - self.gait.state.yaw)
        max_turn = self.config.gait.max_turn_rate
        turn = max(-max_turn, min(max_turn, 3.0 * err))
        if abs(err) > turn_in_place:
            speed = 0.0
        elif abs(err) > TURN_IN_PLACE:
            speed *= math.cos(err)
        self.walk(speed, turn)

    def steer(self, vx: float, vy: float, turn_in_place: float = TURN_IN_PLACE) -> None:
        """Track a planar velocity (m/s, world frame), e.g. from a pedestrian model (see
        :meth:`head` for ``turn_in_place``)."""
        speed = math.hypot(vx, vy)
        if speed < 0.05:
            self.stop()
        else:
            self.head(math.atan2(vy, vx), speed, turn_in_place)

    def reach(self, target, side: str = "r") -> None:
        """Start moving the ``side`` hand's grasp point to the world point ``target``."""
        check_choice("side", side, C.SIDES)
        target = np.asarray(target, dtype=float)
        if target.shape != (3,) or not np.isfinite(target).all():
            raise ActionError(f"humanoid {self.name}: reach target must be 3 finite numbers, got {target!r}")
        if self._grip is not None and self._grip.side != side:
            raise ConfigError("side", side, reason=f"the {self._grip.side!r} hand is holding an object")
        r = self._reach
        if r.mode != "ik" or r.side != side:
            r.sub = tuple(self.hand_position(side).tolist())   # the sub-target starts at the hand
        r.mode, r.side, r.goal = "ik", side, tuple(target.tolist())
        r.status, r.best_error, r.stall = ReachStatus.RUNNING, math.inf, 0
        r.error = float(np.linalg.norm(target - self.hand_position(side)))
        # clearly out of reach (beyond the arm plus what bending and crouching add, or
        # under the floor): say so at once
        local = self._to_local(target)
        beyond = float(np.linalg.norm(local - self.reacher.shoulder_local(side))) - self.avatar.shape.arm_length
        if beyond > 0.35 + 0.5 * self.config.reach.max_drop or target[2] < 0.0:
            r.status, r.error = ReachStatus.UNREACHABLE, max(beyond, r.error)
            self._start_pose()

    def retract(self) -> None:
        """End a reach: return to the standing (or carrying) posture."""
        if self._reach.mode in ("ik", "pose"):
            if self._reach.status == ReachStatus.RUNNING:
                self._reach.status = ReachStatus.IDLE
            self._start_pose()

    def grasp(self, world: "World", object_body: int | str, side: str | None = None,
              snap: bool = False) -> bool:
        """Attach a free object to the hand if the hand's grasp point is within
        ``config.grasp_distance`` of it (the hand side defaults to the reaching hand).

        With ``snap``, an object within ``config.pick_radius`` of the humanoid (floor
        distance) is first moved into the hand (Habitat 3.0's "magic" grasp).
        """
        if self._grip is not None:
            return False
        side = side or self._reach.side
        body = world.body_id(object_body) if isinstance(object_body, str) else int(object_body)
        held = FreeBody.of(world.model, body)   # raises for bodies without a free joint
        if holder_of(world, body, self) is not None:
            return False                        # in someone else's hand
        if snap and self.distance_to_object(world, body, side) > self.config.grasp_distance:
            if math.dist(world.data.xpos[body][:2], self.position) > self.config.pick_radius:
                return False
            _, quat = held.pose(world.data)
            held.set_pose(world.data, world.data.site_xpos[self._grasp_site[side]], quat)
            mujoco.mj_kinematics(world.model, world.data)
        if self.distance_to_object(world, body, side) > self.config.grasp_distance:
            return False
        hold = Hold.grab(world.model, world.data, body, self._hand_body[side])
        yaw = quat_yaw(world.data.xquat[body])
        upright = (math.cos(yaw / 2), 0.0, 0.0, math.sin(yaw / 2))
        tilt = quat_mul(quat_conj(np.asarray(upright)), world.data.xquat[body])
        self._grip = Grip(hold, side, object_bottom_offset(world.model, body),
                          tuple(float(v) for v in tilt))
        # the hand carries the object's weight (the force is part of the physics state)
        world.data.xfrc_applied[body, :3] = -world.model.body_subtreemass[body] * world.model.opt.gravity
        return True

    def release(self, world: "World", surface_z: float | None = None,
                xy: tuple[float, float] | None = None) -> int | None:
        """Let go of the held object. With ``surface_z``, first set it down upright with its
        lowest point just above that height (at ``xy``, default where it is). Returns the
        object's body id."""
        if self._grip is None:
            return None
        grip, data = self._grip, world.data
        body = grip.hold.object_body
        fb = FreeBody.of(world.model, body)
        pos, quat = fb.pose(data)
        if surface_z is not None:
            yaw = quat_yaw(quat)
            upright = np.array([math.cos(yaw / 2), 0.0, 0.0, math.sin(yaw / 2)])
            quat = quat_mul(upright, np.asarray(grip.tilt))
            x, y = (pos[0], pos[1]) if xy is None else xy
            pos = np.array([x, y, surface_z + grip.bottom_offset + 0.002])
        fb.set_pose(data, pos, quat)
        data.xfrc_applied[body] = 0.0
        self._grip = None
        self._held_fb = None
        if self._reach.mode == "carry":
            self._start_pose()
        mujoco.mj_forward(world.model, data)
        return body

    def distance_to_object(self, world: "World", body: int, side: str = "r") -> float:
        return float(np.linalg.norm(world.data.xpos[body] - world.data.site_xpos[self._grasp_site[side]]))

    def run(self, behaviour: "Skill | None") -> None:
        """Make ``behaviour`` (a skill of :mod:`embodied.skills.humanoid`) drive the humanoid
        from the next control step on (None: stop)."""
        self.behaviour = behaviour
        if behaviour is None:
            self.stop()

    # -- queries -------------------------------------------------------------------------------
    @property
    def position(self) -> np.ndarray:
        """Root position on the floor (x, y)."""
        s = self.gait.state
        return np.array([s.x, s.y])

    @property
    def xy(self) -> tuple[float, float]:
        """Root position on the floor as two floats (cheaper than :attr:`position`)."""
        s = self.gait.state
        return float(s.x), float(s.y)

    @property
    def yaw(self) -> float:
        return self.gait.state.yaw

    @property
    def speed(self) -> float:
        return self.gait.state.v

    @property
    def velocity_xy(self) -> tuple[float, float]:
        """Root velocity on the floor (world x, y; m/s): the speed along the heading."""
        s = self.gait.state
        return s.v * math.cos(s.yaw), s.v * math.sin(s.yaw)

    @property
    def holding(self) -> int | None:
        """Body id of the held object, or None."""
        return None if self._grip is None else self._grip.hold.object_body

    @property
    def held_side(self) -> str | None:
        """The hand holding an object ("l" or "r"), or None."""
        return None if self._grip is None else self._grip.side

    @property
    def held_bottom_offset(self) -> float | None:
        """Height of the held object's origin above its lowest point when upright."""
        return None if self._grip is None else self._grip.bottom_offset

    @property
    def upper_body(self) -> str:
        """What drives the arms: "walking" (natural swing), "reaching" (IK), "returning"
        (moving back to a posture) or "carrying" (holding an object while walking)."""
        return {"none": "walking", "ik": "reaching", "pose": "returning",
                "carry": "carrying"}[self._reach.mode]

    @property
    def reach_status(self) -> ReachStatus:
        return self._reach.status

    @property
    def reach_error(self) -> float:
        """Distance from the reaching hand to its goal (m), as of the last control step."""
        return self._reach.error

    def base_velocity(self, world: "World") -> np.ndarray:
        """The gait's current forward speed (m/s) and turn rate (rad/s): what it is doing,
        ramping towards what it was commanded."""
        s = self.gait.state
        return np.array([s.v, s.w])

    def held_object(self, world: "World") -> str | None:
        """Name of the held body, or None."""
        return None if self._grip is None else world.model.body(self._grip.hold.object_body).name

    @property
    def feet_planted(self) -> tuple[bool, bool]:
        """Whether the left and right feet are down (not swinging)."""
        return self.gait.planted()

    def hand_position(self, side: str = "r") -> np.ndarray:
        """World position of a hand's grasp point for the current pose (skeleton)."""
        return self.skeleton.site_pos(C.GRASP_SITE[side])

    def sole_positions(self) -> np.ndarray:
        """(2, 3) world positions of the left and right sole centres (skeleton)."""
        return np.array([self.skeleton.site_pos(C.SOLE_SITE[s]) for s in C.SIDES])

    def link_positions(self) -> np.ndarray:
        """(17, 3) world positions of the links for the current control step."""
        return self._cur_pos.copy()


ARM_JOINT_INDEX = {s: tuple(UPPER_JOINTS.index(j) for j in ARM_JOINTS[s]) for s in C.SIDES}
