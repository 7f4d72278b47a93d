"""Reaching with differential IK (mink + daqp) on the upper body.

The reach model is the upper body on a pelvis that may crouch (drop) and bend forward
at the hips; the feet stay planted because the legs are re-solved analytically by the
walking controller for the lowered pelvis. Each control step the hand's sub-target
moves towards the goal at a bounded speed and a few IK iterations track it, so a reach
is a smooth motion rather than a jump. A posture task keeps the spine upright and the
free arm hanging. A target out of reach ends with :attr:`ReachStatus.UNREACHABLE` and
the remaining distance, and the body goes back to its neutral posture instead of
staying contorted.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

import mink
import mujoco
import numpy as np

from embodied.agents.humanoid import constants as C
from embodied.agents.humanoid.body import (PELVIS_DROP, PELVIS_PITCH, BodyShape,
                                           build_reach_spec)
from embodied.agents.humanoid.skeleton import UPPER_JOINTS
from embodied.errors import check_range


class ReachStatus(enum.Enum):
    IDLE = "idle"
    RUNNING = "running"
    REACHED = "reached"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class ReachConfig:
    """Reaching parameters."""

    hand_speed: float = 1.0          # m/s of the hand's sub-target
    tolerance: float = 0.015         # m: a reach within this distance has REACHED
    iterations: int = 4              # IK iterations per control step
    max_drop: float = 0.4            # m the pelvis may crouch
    joint_speed: float = 3.0         # rad/s when returning to a posture
    stall_steps: int = 6             # steps without progress before UNREACHABLE

    def __post_init__(self):
        check_range("hand_speed", self.hand_speed, 0.05, 5.0)
        check_range("tolerance", self.tolerance, 0.001, 0.1)
        check_range("iterations", self.iterations, 1, 50, integer=True)
        check_range("max_drop", self.max_drop, 0.0, 0.6)
        check_range("joint_speed", self.joint_speed, 0.1, 20.0)
        check_range("stall_steps", self.stall_steps, 1, 100, integer=True)


def neutral_upper(shape: BodyShape) -> list[float]:
    """Standing upper-body posture (UPPER_JOINTS order): arms hanging slightly apart."""
    abduct = 0.07 * shape.torso_girth + 0.03
    values = {f"shoulder_abduct_{s}": C.SIDE_SIGN[s] * abduct for s in C.SIDES}
    values.update({f"elbow_{s}": -0.18 for s in C.SIDES})
    values["lumbar_flex"] = 0.02
    return [values.get(j, 0.0) for j in UPPER_JOINTS]


def carry_upper(shape: BodyShape, side: str, base: list[float]) -> list[float]:
    """``base`` with the ``side`` arm holding something in front of the body at waist height."""
    out = list(base)
    sign = C.SIDE_SIGN[side]
    pose = {f"shoulder_flex_{side}": -0.35, f"shoulder_abduct_{side}": sign * 0.12,
            f"shoulder_twist_{side}": -sign * 0.25, f"elbow_{side}": -1.35,
            f"wrist_flex_{side}": 0.0, f"wrist_dev_{side}": 0.0}
    for i, j in enumerate(UPPER_JOINTS):
        if j in pose:
            out[i] = pose[j]
    return out


@dataclass
class ReachState:
    """What a reach remembers between control steps (exactly restorable)."""

    mode: str = "none"                   # "none", "ik" (tracking a goal), "pose" (to a posture)
    side: str = "r"
    goal: tuple[float, float, float] = (0.0, 0.0, 0.0)    # world frame
    sub: tuple[float, float, float] = (0.0, 0.0, 0.0)     # current hand sub-target (world)
    pose_goal: list[float] = field(default_factory=list)  # UPPER_JOINTS target in "pose" mode
    status: ReachStatus = ReachStatus.IDLE
    error: float = 0.0
    best_error: float = math.inf
    stall: int = 0
    drop: float = 0.0
    pitch: float = 0.0


class ReachSolver:
    """IK for one body shape. Holds only scratch data; the reach's state is a ReachState."""

    def __init__(self, shape: BodyShape, config: ReachConfig = ReachConfig(),
                 model: mujoco.MjModel | None = None):
        self.shape, self.config = shape, config
        self.model = model if model is not None else build_reach_spec(shape, config.max_drop).compile()
        m = self.model
        self.configuration = mink.Configuration(m)
        qadr = {m.joint(j).name: int(m.jnt_qposadr[j]) for j in range(m.njnt)}
        self._upper_idx = np.array([qadr[j] for j in UPPER_JOINTS])
        self._drop, self._pitch = qadr[PELVIS_DROP], qadr[PELVIS_PITCH]
        self.tasks = {s: mink.FrameTask(C.GRASP_SITE[s], "site", position_cost=1.0,
                                        orientation_cost=0.0) for s in C.SIDES}
        cost = np.full(m.nv, 0.02)
        for name, c in (("lumbar", 0.3), ("thoracic", 0.4)):
            for j in range(m.njnt):
                if m.joint(j).name.startswith(name):
                    cost[m.jnt_dofadr[j]] = c
        cost[m.jnt_dofadr[m.joint(PELVIS_DROP).id]] = 0.15
        cost[m.jnt_dofadr[m.joint(PELVIS_PITCH).id]] = 0.1
        self.posture = mink.PostureTask(m, cost=cost)
        self.neutral = neutral_upper(shape)
        q0 = np.zeros(m.nq)
        q0[self._upper_idx] = self.neutral
        self.posture.set_target(q0)
        self.limits = [mink.ConfigurationLimit(m)]
        self._grasp_site = {s: m.site(C.GRASP_SITE[s]).id for s in C.SIDES}

    def __deepcopy__(self, memo):
        return ReachSolver(self.shape, self.config, self.model)

    def solve(self, upper: list[float], drop: float, pitch: float, side: str,
              target_local: np.ndarray, dt: float) -> tuple[list[float], float, float, float]:
        """A few IK iterations from the given configuration towards ``target_local`` (in the
        standing pelvis frame). Returns (upper, drop, pitch, remaining distance)."""
        cfg = self.configuration
        q = cfg.q.copy()
        q[self._upper_idx] = upper
        q[self._drop], q[self._pitch] = drop, pitch
        cfg.update(q)
        task = self.tasks[side]
        task.set_target(mink.SE3.from_translation(target_local))
        tasks = [task, self.posture]
        for _ in range(self.config.iterations):
            vel = mink.solve_ik(cfg, tasks, dt, "daqp", damping=1e-3, limits=self.limits)
            cfg.integrate_inplace(vel, dt)
        q = cfg.q
        err = float(np.linalg.norm(cfg.data.site_xpos[self._grasp_site[side]] - target_local))
        return q[self._upper_idx].tolist(), float(q[self._drop]), float(q[self._pitch]), err

    def hand_local(self, side: str) -> np.ndarray:
        """The grasp point after the last :meth:`solve`, in the standing pelvis frame."""
        return self.configuration.data.site_xpos[self._grasp_site[side]].copy()

    def shoulder_local(self, side: str) -> np.ndarray:
        """The shoulder joint position in the standing pelvis frame (rest posture)."""
        s = self.shape
        return np.array([0.0, C.SIDE_SIGN[side] * s.shoulder_width / 2,
                         s.shoulder_height - s.hip_height])
