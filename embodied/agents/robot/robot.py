"""The Robot entity: a mobile manipulator with base, arm, gripper and head controllers.

Commands (base velocity, end-effector or joint deltas, torso, head, grasp/release) set
controller targets; the targets are applied around each physics substep. A skill given
to :meth:`Robot.run` issues those commands itself, once per control step. Everything the
controllers remember lives in a :class:`RobotState`, returned by ``get_state`` so that
World snapshots and forks restore it exactly. Arm IK is in :mod:`.ik`, grasping in
:mod:`.grasp`.
"""

from __future__ import annotations

import math

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Mapping

import gymnasium as gym
import mujoco
import numpy as np

from embodied.agents.robot import grasp as grasping
from embodied.agents.robot.config import RobotConfig
from embodied.agents.robot.embodiment import Embodiment, get_embodiment
from embodied.agents.robot.ik import ik_data, solve_arm_ik
from embodied.errors import ActionError, ConfigError, NotFoundError
from embodied.geometry import yaw_of_xmat
from embodied.sim.entity import Entity, PlanarPose
from embodied.sim.kinematic import Hold, quat_mul

if TYPE_CHECKING:
    from embodied.sim.world import World


@dataclass
class RobotState:
    """Everything the robot's controllers remember between control steps."""

    base_command: np.ndarray            # (linear m/s, angular rad/s)
    arm_target: np.ndarray              # arm joint position targets (rad)
    torso_target: float
    head_target: np.ndarray             # (pan, tilt)
    gripper_closed: bool = False
    hold: Hold | None = None            # oracle grasp
    held_body: int = -1                 # body id of the held object, -1 if none
    grasp_quat: np.ndarray | None = None  # object orientation at an oracle grasp
    grasp_hand_yaw: float = 0.0
    finger_hold: float | None = None    # finger opening around an object the oracle holds
    skill: object | None = None         # what runs the robot (see Robot.run), if anything


@dataclass
class _Handles:
    """Ids and addresses in one compiled model."""

    base_body: int
    base_qpos: np.ndarray   # (3,) x, y, yaw
    base_dof: np.ndarray
    base_act: np.ndarray
    arm_qpos: np.ndarray
    arm_dof: np.ndarray
    arm_act: np.ndarray
    arm_low: np.ndarray
    arm_high: np.ndarray
    torso_qpos: np.ndarray  # empty when the embodiment has no torso lift
    torso_act: np.ndarray
    torso_range: np.ndarray
    head_qpos: np.ndarray   # empty when the embodiment has no pan/tilt head
    head_act: np.ndarray
    head_low: np.ndarray
    head_high: np.ndarray
    finger_qpos: np.ndarray
    finger_dof: np.ndarray
    finger_act: np.ndarray
    pad_geoms: np.ndarray
    hand_body: int
    grasp_site: int
    scan_site: int
    own_geom: np.ndarray    # per geom: whether it is the robot's
    robot_geoms: np.ndarray
    robot_bodies: np.ndarray
    graspable: np.ndarray   # body ids of graspable free bodies


#: How far (m) beyond the base the arm, and what it carries, stand out (Fetch's carrying
#: hand: about 0.5 m from the base centre; the safety stop's margin, see
#: :attr:`Robot.keep_clear`).
ARM_SWEEP = 0.25


class Robot(Entity):
    """A mobile manipulator wearing a registered embodiment.

    Args:
        embodiment: a registered name (``"fetch"``) or an :class:`Embodiment`.
        name: entity name; the model prefix is ``"<name>/"``.
        pos, yaw: initial base pose on the floor.
        config: controller settings.
    """

    category = "robot"

    def __init__(self, embodiment: str | Embodiment = "fetch", name: str = "robot",
                 pos=(0.0, 0.0, 0.0), yaw: float = 0.0, config: RobotConfig | None = None):
        super().__init__(name, pos, yaw)
        self.embodiment = get_embodiment(embodiment) if isinstance(embodiment, str) else embodiment
        self.constants = self.embodiment.constants
        self.config = config if config is not None else RobotConfig()
        if not isinstance(self.config, RobotConfig):
            raise ConfigError("config", self.config, reason="must be a RobotConfig")
        self._h: _Handles | None = None
        self._scratch: mujoco.MjData | None = None
        self.state = self._initial_state()
        #: The robot's navigation map (set by the task that builds the scene), read by
        #: navigation skills; shared, never copied, by forks.
        self.navmap = None
        #: ``(entity, its radius, clearance)``: the base does not drive towards that entity
        #: when it stands within the clearance (m, body to body) ahead or behind (a task's
        #: safety stop, e.g. for a humanoid partner); None: off.
        self.keep_clear: tuple[str, float, float] | None = None

    # -- names --------------------------------------------------------------------------
    def full_name(self, name: str) -> str:
        """The model name of an embodiment element (``"grasp"`` -> ``"robot/grasp"``)."""
        return self.prefix + name

    @property
    def head_camera(self) -> str:
        return self.full_name(self.constants.head_camera)

    @property
    def arm_camera(self) -> str:
        return self.full_name(self.constants.arm_camera)

    def camera(self, alias: str) -> str:
        """``"head"``, ``"arm"``, an embodiment camera name or a full model name."""
        named = {"head": self.constants.head_camera, "arm": self.constants.arm_camera}
        return super().camera(named.get(alias, alias))

    def site(self, alias: str) -> str:
        """``"scan"`` (the range scanner), ``"grasp"``, an embodiment site or a full name."""
        named = {"scan": self.constants.scan_site, "grasp": self.constants.grasp_site}
        return super().site(named.get(alias, alias))

    def frame_body(self) -> str:
        return self.full_name(self.constants.base_body)

    def sensed_joints(self) -> list[str]:
        """Full names of the torso, arm, head and finger joints (proprioception)."""
        c = self.constants
        torso = [c.torso_joint] if c.torso_joint else []
        return [self.full_name(j) for j in (*torso, *c.arm_joints, *c.head_joints, *c.finger_joints)]

    @property
    def handles(self) -> _Handles:
        if self._h is None:
            raise RuntimeError(f"robot {self.name!r} is not part of a World yet")
        return self._h

    # -- entity hooks ---------------------------------------------------------------------
    def build_spec(self) -> mujoco.MjSpec:
        return self.embodiment.build_spec()

    def _initial_state(self) -> RobotState:
        c = self.constants
        return RobotState(base_command=np.zeros(2), arm_target=np.array(c.arm_stow, dtype=float),
                          torso_target=0.0, head_target=np.zeros(len(c.head_joints)))

    def bind(self, world: "World") -> None:
        c, m, full = self.constants, world.model, self.full_name

        def joints(names):
            ids = [world.joint_id(full(n)) for n in names]
            return (np.array([m.jnt_qposadr[j] for j in ids], dtype=np.int64),
                    np.array([m.jnt_dofadr[j] for j in ids], dtype=np.int64),
                    np.array([m.jnt_range[j] for j in ids]).reshape(-1, 2))

        def actuators(names):
            return np.array([world.id(mujoco.mjtObj.mjOBJ_ACTUATOR, full(n)) for n in names],
                            dtype=np.int64)

        base_q, base_d, _ = joints(c.base_joints)
        arm_q, arm_d, arm_r = joints(c.arm_joints)
        torso_q, _, torso_r = joints([c.torso_joint] if c.torso_joint else [])
        head_q, _, head_r = joints(c.head_joints)
        finger_q, finger_d, _ = joints(c.finger_joints)
        robot_geoms = world.geoms_of(self.prefix)
        robot_bodies = np.array([world.body_id(n) for n in world.body_names(self.prefix)])
        self._h = _Handles(
            base_body=world.body_id(full(c.base_body)), base_qpos=base_q, base_dof=base_d,
            base_act=actuators(c.base_actuators),
            arm_qpos=arm_q, arm_dof=arm_d, arm_act=actuators(c.arm_actuators),
            arm_low=arm_r[:, 0].copy(), arm_high=arm_r[:, 1].copy(),
            torso_qpos=torso_q, torso_act=actuators([c.torso_actuator] if c.torso_joint else []),
            torso_range=torso_r[0].copy() if len(torso_r) else np.zeros(2),
            head_qpos=head_q, head_act=actuators(c.head_actuators),
            head_low=head_r[:, 0].copy(), head_high=head_r[:, 1].copy(),
            finger_qpos=finger_q, finger_dof=finger_d, finger_act=actuators(c.finger_actuators),
            pad_geoms=np.array([world.geom_id(full(g)) for g in c.finger_pads]),
            hand_body=world.body_id(full(c.hand_body)), grasp_site=world.site_id(full(c.grasp_site)),
            scan_site=world.site_id(full(c.scan_site)),
            own_geom=np.isin(np.arange(m.ngeom), robot_geoms), robot_geoms=robot_geoms,
            robot_bodies=robot_bodies, graspable=self._graspable_bodies(world))
        self._scratch = None
        self._write_targets(world, initial=True)

    def _graspable_bodies(self, world: "World") -> np.ndarray:
        m = world.model
        ids = []
        for b in range(1, m.nbody):
            name, jnt = m.body(b).name, m.body_jntadr[b]
            if (name.startswith(self.config.graspable_prefixes) and jnt >= 0
                    and m.jnt_type[jnt] == mujoco.mjtJoint.mjJNT_FREE):
                ids.append(b)
        return np.array(ids, dtype=np.int64)

    def reset(self, world: "World") -> None:
        self.state = self._initial_state()
        self._write_targets(world, initial=True)

    def get_state(self) -> RobotState:
        return self.state

    def set_state(self, state: RobotState) -> None:
        self.state = state

    def translate_ids(self, state: RobotState, body_map: dict[int, int]) -> RobotState:
        if state.held_body >= 0:
            state.held_body = body_map[state.held_body]
        if state.hold is not None:
            h = state.hold
            state.hold = Hold(body_map[h.object_body], body_map[h.holder_body], h.rel_pos, h.rel_quat)
        return state

    def get_pose(self, world: "World") -> PlanarPose:
        return PlanarPose(*self.base_pose(world))

    def set_pose(self, world: "World", xy, yaw: float) -> None:
        """Put the base at ``xy`` facing ``yaw``, at rest (joints and targets unchanged)."""
        h, data = self.handles, world.data
        data.qpos[h.base_qpos] = (xy[0], xy[1], yaw)
        data.qvel[h.base_dof] = 0.0
        mujoco.mj_forward(world.model, data)

    def run(self, skill) -> None:
        """Let ``skill`` (see :mod:`embodied.skills`) command the robot from the next control
        step on, until it ends (None: nothing runs; commands stay as they are)."""
        self.state.skill = skill

    def __getstate__(self):
        # The IK scratch data is a cache, rebuilt on demand; forks need not copy it.
        d = self.__dict__.copy()
        d["_scratch"] = None
        return d

    def _write_targets(self, world: "World", initial: bool = False) -> None:
        """Send the joint targets to the actuators (and, initially, put the joints there)."""
        h, s, c, data = self._h, self.state, self.constants, world.data
        finger = c.finger_closed if s.gripper_closed else c.finger_open
        if s.finger_hold is not None:
            finger = s.finger_hold
        data.ctrl[h.arm_act] = s.arm_target
        data.ctrl[h.torso_act] = s.torso_target
        data.ctrl[h.head_act] = s.head_target
        data.ctrl[h.finger_act] = finger
        if initial:
            data.ctrl[h.base_act] = 0.0
            data.qpos[h.arm_qpos] = s.arm_target
            data.qpos[h.torso_qpos] = s.torso_target
            data.qpos[h.head_qpos] = s.head_target
            data.qpos[h.finger_qpos] = finger
            mujoco.mj_kinematics(world.model, data)

    def before_control(self, world: "World") -> None:
        skill = self.state.skill
        if skill is not None and skill.running:
            skill.update(self, world)
        self._write_targets(world)
        # Drive along the heading only: the lateral velocity is held at zero.
        linear, angular = self.state.base_command
        if self.keep_clear is not None and (linear != 0.0 or angular != 0.0):
            linear, angular = self._clear_command(world, float(linear), float(angular))
        ctrl, act = world.data.ctrl, self._h.base_act
        ctrl[act[0]], ctrl[act[1]], ctrl[act[2]] = linear, 0.0, angular

    def _clear_command(self, world: "World", linear: float, angular: float) -> tuple[float, float]:
        """The base command with what would bring the robot into the entity of
        :attr:`keep_clear` taken out: driving towards it while it stands within the
        clearance ahead (beyond the arm, :data:`ARM_SWEEP` in front of the base) or behind
        (backing up), and, carrying something, turning while it stands where the arm and
        what it holds sweep."""
        name, radius, clearance = self.keep_clear
        other = world.entities[name].get_pose(world)
        x, y, yaw = self.base_pose(world)
        dx, dy = other.x - x, other.y - y
        ahead = math.cos(yaw) * dx + math.sin(yaw) * dy
        side = -math.sin(yaw) * dx + math.cos(yaw) * dy
        reach = self.constants.base_radius + radius
        # the arm stands out in front of the base, not behind it
        room = clearance + (ARM_SWEEP if ahead > 0.0 else 0.0)
        if (ahead > 0.0) == (linear > 0.0) and abs(side) < reach + ARM_SWEEP and abs(ahead) - reach < room:
            linear = 0.0
        if self.is_holding() and math.hypot(dx, dy) - reach < ARM_SWEEP + 0.1:
            angular = 0.0
        return linear, angular

    def needs_substeps(self) -> bool:
        return self.state.hold is not None

    def before_substep(self, world: "World", substep: int) -> None:
        self.state.hold.apply(world.model, world.data)   # refreshes the hand's pose first

    def after_control(self, world: "World") -> None:
        if self.config.grasp_mode == "physics":
            self.state.held_body = grasping.pinched_body(self, world)

    # -- reading the robot ---------------------------------------------------------------
    def base_pose(self, world: "World") -> tuple[float, float, float]:
        """World (x, y, heading) of the base."""
        b = self._h.base_body
        return (float(world.data.xpos[b, 0]), float(world.data.xpos[b, 1]),
                float(yaw_of_xmat(world.data.xmat[b])))

    def base_velocity(self, world: "World") -> np.ndarray:
        """Measured (forward m/s, angular rad/s) in the robot frame."""
        h, data = self._h, world.data
        yaw = data.qpos[h.base_qpos[2]]
        vx, vy, wz = data.qvel[h.base_dof]
        return np.array([vx * np.cos(yaw) + vy * np.sin(yaw), wz])

    def ee_position(self, world: "World") -> np.ndarray:
        """World position of the grasp site (a view: copy it to keep it)."""
        return world.data.site_xpos[self._h.grasp_site]

    def ee_pose(self, world: "World") -> tuple[np.ndarray, np.ndarray]:
        """World position and quaternion of the grasp site."""
        site = self._h.grasp_site
        quat = np.empty(4)
        mujoco.mju_mat2Quat(quat, world.data.site_xmat[site])
        return world.data.site_xpos[site].copy(), quat

    def commanded_ee_pose(self, world: "World") -> tuple[np.ndarray, np.ndarray]:
        """World position and quaternion the grasp site has with the arm at its targets
        (what :meth:`command_ee` deltas are added to)."""
        d = ik_data(self, world)
        quat = np.empty(4)
        mujoco.mju_mat2Quat(quat, d.site_xmat[self._h.grasp_site])
        return d.site_xpos[self._h.grasp_site].copy(), quat

    def is_holding(self) -> bool:
        return self.state.held_body >= 0

    def held_object(self, world: "World") -> str | None:
        """Name of the held body, or None."""
        b = self.state.held_body
        return None if b < 0 else world.model.body(b).name

    # -- commands ------------------------------------------------------------------------
    @staticmethod
    def _vector(name: str, value, size: int) -> np.ndarray:
        arr = np.asarray(value, dtype=float).reshape(-1) if np.ndim(value) <= 1 else None
        if arr is None or arr.shape != (size,):
            raise ActionError(f"action '{name}' must have {size} numbers, got shape {np.shape(value)}")
        if not np.isfinite(arr).all():
            raise ActionError(f"action '{name}' contains NaN or inf: {arr.tolist()}")
        return arr

    def command_base(self, linear: float, angular: float) -> None:
        """Base velocity command (m/s forward, rad/s counter-clockwise), clipped to limits."""
        linear, angular = float(linear), float(angular)
        if not (math.isfinite(linear) and math.isfinite(angular)):
            raise ActionError(f"action 'base' contains NaN or inf: {[linear, angular]}")
        vmax, wmax = self.config.max_linear_speed, self.config.max_angular_speed
        self.state.base_command = np.array([min(max(linear, -vmax), vmax),
                                            min(max(angular, -wmax), wmax)])

    def stop(self) -> None:
        """Stop the base (zero velocity command)."""
        self.state.base_command = np.zeros(2)

    def command_arm_joints(self, delta) -> None:
        """Arm joint position deltas (rad), clipped per joint and to the joint ranges."""
        h = self.handles
        d = np.clip(self._vector("arm_joint", delta, len(h.arm_qpos)),
                    -self.config.max_joint_step, self.config.max_joint_step)
        self.state.arm_target = np.clip(self.state.arm_target + d, h.arm_low, h.arm_high)

    def set_arm_joints(self, positions) -> None:
        """Absolute arm joint targets (rad), clipped to the joint ranges."""
        h = self.handles
        self.state.arm_target = np.clip(self._vector("arm_joints", positions, len(h.arm_qpos)),
                                        h.arm_low, h.arm_high)

    def command_torso(self, delta: float) -> None:
        """Torso lift delta (m), clipped."""
        d = float(np.clip(self._vector("torso", [delta], 1)[0], -self.config.max_torso_step,
                          self.config.max_torso_step))
        lo, hi = self.handles.torso_range
        self.state.torso_target = float(np.clip(self.state.torso_target + d, lo, hi))

    def set_torso(self, height: float) -> None:
        """Absolute torso lift target (m), clipped to its range."""
        lo, hi = self.handles.torso_range
        self.state.torso_target = float(np.clip(self._vector("torso", [height], 1)[0], lo, hi))

    def command_head(self, pan: float, tilt: float) -> None:
        """Absolute head pan/tilt targets (rad; positive tilt looks down), clipped."""
        h = self.handles
        if len(h.head_qpos) != 2:
            raise ActionError(f"embodiment {self.constants.name!r} has no pan/tilt head")
        self.state.head_target = np.clip(self._vector("head", [pan, tilt], 2), h.head_low, h.head_high)

    def command_ee(self, world: "World", delta_pos, delta_rot=None) -> float:
        """Move the end-effector target by ``delta_pos`` (m) and rotate it by ``delta_rot``
        (axis-angle, rad), both in the robot's base frame, starting from the currently
        commanded pose. Solves the arm joints by damped least squares; returns the
        remaining pose error of the solution (m, orientation weighted)."""
        dp = self._vector("arm_ee", delta_pos, 3)
        dr = np.zeros(3) if delta_rot is None else self._vector("arm_ee rotation", delta_rot, 3)
        cfg = self.config
        norm = np.linalg.norm(dp)
        if norm > cfg.max_ee_step:
            dp *= cfg.max_ee_step / norm
        angle = np.linalg.norm(dr)
        if angle > cfg.max_ee_rotation:
            dr *= cfg.max_ee_rotation / angle
            angle = cfg.max_ee_rotation
        data = ik_data(self, world)
        site = self._h.grasp_site
        base_rot = data.xmat[self._h.base_body].reshape(3, 3)
        pos = data.site_xpos[site] + base_rot @ dp
        quat, turn = np.empty(4), np.array([1.0, 0.0, 0.0, 0.0])
        mujoco.mju_mat2Quat(quat, data.site_xmat[site])
        if angle > 0:
            mujoco.mju_axisAngle2Quat(turn, base_rot @ (dr / angle), angle)
        return solve_arm_ik(self, world, pos, quat_mul(turn, quat))

    def reach(self, world: "World", pos, quat=None) -> float:
        """Set the arm targets so the grasp site reaches the world pose ``pos`` (and ``quat``
        if given, else the commanded orientation is kept). Returns the remaining error."""
        pos = self._vector("reach position", pos, 3)
        data = ik_data(self, world)
        if quat is None:
            quat = np.empty(4)
            mujoco.mju_mat2Quat(quat, data.site_xmat[self._h.grasp_site])
        else:
            quat = self._vector("reach orientation", quat, 4)
            quat = quat / np.linalg.norm(quat)
        return solve_arm_ik(self, world, pos, quat)

    # -- grasping ---------------------------------------------------------------------------
    def grasp(self, world: "World", body: int | None = None) -> bool:
        """Close the gripper. Oracle mode: snap the nearest graspable object within the
        grasp radius into the hand (returns whether one was taken); given ``body`` (a
        graspable body id), that one, wherever it is (Habitat 3.0's "magic" grasp; the
        caller decides it is within reach). Physics mode: the fingers close;
        :meth:`is_holding` tells after a few steps whether something is held."""
        self.state.gripper_closed = True
        if self.config.grasp_mode == "physics":
            return False
        if body is not None and int(body) not in self._h.graspable:
            raise NotFoundError("graspable body", body, self._h.graspable.tolist())
        return grasping.oracle_grasp(self, world, None if body is None else int(body))

    def release(self, world: "World", above=None) -> None:
        """Open the gripper. Oracle mode: the held object is set down upright (as it was
        when grasped, turned with the hand) at rest on the surface below (below the point
        ``above``, x y z, when given: the object is moved there first)."""
        self.state.gripper_closed = False
        if self.state.hold is None:
            self.state.held_body = -1
            return
        grasping.oracle_release(self, world, above)

    # -- one action dict for tasks ---------------------------------------------------------
    def action_spaces(self) -> dict[str, gym.spaces.Box]:
        """Boxes of the action parts :meth:`apply_action` accepts (tasks pick a subset)."""
        cfg, c = self.config, self.constants
        n = len(c.arm_joints)
        r = cfg.max_ee_rotation
        box = lambda lo, hi: gym.spaces.Box(np.array(lo, np.float32), np.array(hi, np.float32))
        spaces = {
            "base": box([-cfg.max_linear_speed, -cfg.max_angular_speed],
                        [cfg.max_linear_speed, cfg.max_angular_speed]),
            "arm_ee": box([-cfg.max_ee_step] * 3 + [-r] * 3, [cfg.max_ee_step] * 3 + [r] * 3),
            "arm_joint": box([-cfg.max_joint_step] * n, [cfg.max_joint_step] * n),
            "torso": box([-cfg.max_torso_step], [cfg.max_torso_step]),
            "gripper": box([-1.0], [1.0]),
        }
        if self._h is not None and len(self._h.head_qpos) == 2:
            spaces["head"] = box(self._h.head_low, self._h.head_high)
        return spaces

    def apply_action(self, world: "World", action: Mapping[str, np.ndarray]) -> None:
        """Apply named action parts: ``base`` (linear, angular), ``arm_ee`` (dx, dy, dz and
        optionally a rotation vector, base frame), ``arm_joint`` (deltas), ``torso``
        (delta), ``head`` (pan, tilt) and ``gripper`` (> 0 grasp, < 0 release, 0 keep).
        Out-of-range values are clipped; NaN/inf or wrong shapes raise ActionError."""
        unknown = set(action) - {"base", "arm_ee", "arm_joint", "torso", "head", "gripper"}
        if unknown:
            raise ActionError(f"unknown action parts {sorted(unknown)}; allowed: base, arm_ee, "
                              f"arm_joint, torso, head, gripper")
        if "base" in action:
            self.command_base(*self._vector("base", action["base"], 2))
        if "arm_joint" in action:
            self.command_arm_joints(action["arm_joint"])
        if "arm_ee" in action:
            ee = np.asarray(action["arm_ee"], dtype=float).reshape(-1)
            if ee.shape == (3,):
                self.command_ee(world, ee)
            else:
                ee = self._vector("arm_ee", ee, 6)
                self.command_ee(world, ee[:3], ee[3:])
        if "torso" in action:
            self.command_torso(self._vector("torso", action["torso"], 1)[0])
        if "head" in action:
            self.command_head(*self._vector("head", action["head"], 2))
        if "gripper" in action:
            g = self._vector("gripper", action["gripper"], 1)[0]
            if g > 0 and not self.state.gripper_closed:
                self.grasp(world)
            elif g < 0 and self.state.gripper_closed:
                self.release(world)


def make_robot(embodiment: str = "fetch", name: str = "robot", pos=(0.0, 0.0, 0.0),
               yaw: float = 0.0, **config) -> Robot:
    """A :class:`Robot` wearing a registered embodiment; keyword arguments go to
    :class:`RobotConfig` (e.g. ``grasp_mode="oracle"``)."""
    known = {f.name for f in fields(RobotConfig)}
    unknown = sorted(set(config) - known)
    if unknown:
        raise ConfigError("robot config", unknown[0], sorted(known))
    return Robot(embodiment, name=name, pos=pos, yaw=yaw, config=RobotConfig(**config))
