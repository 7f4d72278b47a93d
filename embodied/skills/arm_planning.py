"""Arm planning for the robot's manipulation skills: hand orientations, rays into the
scene (what is in the way, the surface under a point, free room above it) and
:class:`ArmPlanner`, which finds torso, hand tilt and collision-free joint paths by IK
on a scratch copy of the World."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import mujoco
import numpy as np

if TYPE_CHECKING:
    from embodied.agents.robot.robot import Robot
    from embodied.sim.world import World


def slerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Spherical interpolation between unit quaternions (the short way round)."""
    dot = float(a @ b)
    if dot < 0.0:
        b, dot = -b, -dot
    if dot > 0.9995:
        q = a + t * (b - a)
        return q / np.linalg.norm(q)
    theta = math.acos(dot)
    return (math.sin((1.0 - t) * theta) * a + math.sin(t * theta) * b) / math.sin(theta)


def as_floats(values) -> tuple[float, ...]:
    """Plain floats (for skill state that must compare and copy exactly)."""
    return tuple(float(v) for v in values)


class ReachPlan(NamedTuple):
    """How the arm gets to a point: the torso lift, the hand's orientation, the approach
    point (``approach`` metres back along the hand's axis from the point) and the point,
    and arm joint positions: ``via`` with the hand high above the front of the base (the
    way between the stowed arm and the approach point, and the pose to carry what the
    stowed arm cannot hold clear of the robot), ``at_pre`` at the approach point, and
    the path ``down`` from there to the point (ending there)."""

    torso: float
    quat: tuple[float, float, float, float]
    pre: tuple[float, float, float]
    target: tuple[float, float, float]
    via: tuple[float, ...]
    at_pre: tuple[float, ...]
    down: tuple[tuple[float, ...], ...]


def hand_axis(heading: float, pitch: float) -> np.ndarray:
    """World direction of a hand pointing along ``heading`` (yaw), tilted ``pitch`` rad
    down (pi/2: straight down)."""
    return np.array([math.cos(pitch) * math.cos(heading), math.cos(pitch) * math.sin(heading),
                     -math.sin(pitch)])


def hand_quat(heading: float, pitch: float) -> tuple[float, float, float, float]:
    """Grasp-site orientation (w, x, y, z) with its x axis along :func:`hand_axis` and its
    y axis horizontal."""
    yaw = np.array([math.cos(heading / 2), 0.0, 0.0, math.sin(heading / 2)])
    tilt = np.array([math.cos(pitch / 2), 0.0, math.sin(pitch / 2), 0.0])
    q = np.empty(4)
    mujoco.mju_mulQuat(q, yaw, tilt)
    return as_floats(q)


def first_hit(world: "World", start, direction, ignored: np.ndarray, exclude_body: int = -1,
              limit: float = 2.0) -> float:
    """Distance (up to ``limit``) from ``start`` along the unit vector ``direction`` to the
    first geom that is not ``exclude_body``'s nor one of ``ignored`` (a boolean mask over
    geoms, such as the robot's own)."""
    m, data = world.model, world.data
    point, u = np.array(start, dtype=float), np.asarray(direction, float)
    geom = np.zeros(1, dtype=np.int32)
    if exclude_body >= 0:           # keep passing it by after the ray passed by another
        ignored = ignored | (m.geom_bodyid == exclude_body)
    travelled, exclude = 0.0, exclude_body
    for _ in range(12):
        dist = mujoco.mj_ray(m, data, point, u, None, 1, exclude, geom)
        if dist < 0 or travelled + dist >= limit:
            return limit
        travelled += dist
        if not ignored[geom[0]]:
            return travelled
        point = point + (dist + 1e-4) * u
        travelled += 1e-4
        exclude = int(m.geom_bodyid[geom[0]])
    return limit


def surface_under(world: "World", point, ignored: np.ndarray, exclude_body: int = -1) -> float:
    """Height of the first surface straight below ``point`` (floor: 0)."""
    return float(point[2]) - first_hit(world, point, (0.0, 0.0, -1.0), ignored, exclude_body,
                                       limit=float(point[2]))


def in_view(world: "World", eye, point, ignored: np.ndarray, exclude_body: int = -1,
            slack: float = 0.05) -> bool:
    """Whether nothing (but ``exclude_body`` and ``ignored`` geoms) stands on the straight
    line from ``eye`` to within ``slack`` metres of ``point``."""
    eye, point = np.asarray(eye, float), np.asarray(point, float)
    length = float(np.linalg.norm(point - eye))
    if length <= slack:
        return True
    return first_hit(world, eye, (point - eye) / length, ignored, exclude_body, length) >= length - slack


def room_above(world: "World", point, ignored: np.ndarray, exclude_body: int = -1,
               limit: float = 2.0) -> float:
    """Free height straight above ``point`` (up to ``limit``)."""
    return first_hit(world, point, (0.0, 0.0, 1.0), ignored, exclude_body, limit)


def travel(configs) -> float:
    """How long moving the arm joints straight through ``configs`` takes, in radians of
    the joint moving most on each leg (divide by the joint speed for seconds)."""
    return float(sum(np.max(np.abs(np.asarray(b) - np.asarray(a))) for a, b in zip(configs[:-1], configs[1:])))


class ArmPlanner:
    """Plans the arm's way to a point for one manipulation (a helper of :class:`Pick` and
    :class:`Place`, made when planning and dropped after; it changes the robot's arm and
    torso targets, which the caller restores).

    For a torso lift and a hand orientation it solves the IK at the approach point (from
    the stowed arm, and from a second seed, elbow out to the side), follows a straight
    line from there to the target by IK every few centimetres, solves the IK with the
    hand high above the front of the base, and checks that moving the joints straight
    along the way (``start``, high point, approach point, target) keeps the arm, the hand
    and the held object clear of everything but the robot itself and the ``allowed``
    bodies (collision detection on the robot's IK scratch copy of the world; the held
    object may brush the robot itself). :attr:`log` says why tries were turned down.
    """

    #: A second IK seed for a 7-joint arm (Fetch's elbow out to the side): it finds
    #: solutions homing in from the stowed arm misses.
    SIDE_SEED = (0.8, -0.6, 1.5, 1.5, 0.0, 1.0, 0.0)

    def __init__(self, robot: "Robot", world: "World", allowed=(), start=None,
                 approach: float = 0.12, retract: float = 0.35, precision: float = 0.03,
                 step: float = 0.05, penetration: float = 0.003):
        self.robot, self.world = robot, world
        self.approach, self.retract, self.precision = approach, retract, precision
        self.step, self.penetration = step, penetration
        m, h = world.model, robot.handles
        first = int(m.dof_bodyid[h.arm_dof[0]])
        arm = np.zeros(m.nbody, dtype=bool)
        for b in range(m.nbody):
            a = b
            while a > 0 and a != first:
                a = int(m.body_parentid[a])
            arm[b] = a == first
        self.arm = arm[m.geom_bodyid]
        self.body = h.own_geom & ~self.arm            # base, torso, head
        held = robot.state.held_body
        self.held = m.geom_bodyid == held if held >= 0 else np.zeros(m.ngeom, dtype=bool)
        self.allowed = np.isin(m.geom_bodyid, [b for b in allowed if b >= 0])
        self.stow = np.array(robot.constants.arm_stow, dtype=float)
        self.start = self.stow if start is None else np.array(start, dtype=float)
        self.log: list[str] = []

    def plan(self, torso: float, heading: float, pitch: float, target,
             tolerance: float | None = None) -> tuple[ReachPlan | None, float]:
        """The plan for this torso lift and hand tilt, getting the grasp site within
        ``tolerance`` (default ``precision``) of ``target`` with the least joint travel
        (see :func:`travel`); or None and how far off the IK stayed (inf: it got there,
        but not without hitting something)."""
        tolerance = self.precision if tolerance is None else tolerance
        robot = self.robot
        robot.state.torso_target = torso
        quat = np.array(hand_quat(heading, pitch))
        pre = target - self.approach * hand_axis(heading, pitch)
        best, found, found_error = math.inf, None, math.inf
        seeds = (None, self.SIDE_SEED) if len(self.SIDE_SEED) == len(self.stow) else (None,)
        for seed in seeds:
            at_pre, error = self.solve(seed, pre, quat)
            if error >= max(tolerance, 0.1):      # the approach point is only a waypoint
                best = min(best, error)
                self.log.append(f"pre {error:.2f}")
                continue
            down = self.follow([pre, target], quat)
            error = self.settle(target, quat)
            down[-1] = as_floats(robot.state.arm_target)
            if error >= tolerance:
                best = min(best, error)
                self.log.append(f"target {error:.2f}")
                continue
            if not self.clear([at_pre, *down], holding=True):
                self.log.append("down hits")
                continue
            vias = sorted(self._vias(at_pre, heading, pre, quat),
                          key=lambda via: travel([self.start, via, at_pre]))
            for via in vias:
                if found is not None and travel([self.start, via, at_pre]) >= travel(
                        [self.start, found.via, found.at_pre]):
                    break
                if not self.clear([self.start, via, at_pre], holding=True):
                    self.log.append("out hits")
                elif self.held.any() and not self.clear([via, self.stow], holding=False):
                    self.log.append("back hits")
                else:
                    found = ReachPlan(torso, as_floats(quat), as_floats(pre), as_floats(target),
                                      as_floats(via), as_floats(at_pre), tuple(down))
                    found_error = error
                    break
        return (found, found_error) if found is not None else (None, best)

    def _vias(self, at_pre, heading, pre, quat):
        """Waypoints between the stowed arm and the approach point, tried in turn: the hand
        high above the front of the base (``retract`` ahead, 0.1 m above the approach
        point or the stowed hand), the same higher and nearer, or none (the approach
        point itself)."""
        robot, world = self.robot, self.world
        x, y, _ = robot.base_pose(world)
        robot.state.arm_target = self.stow.copy()
        high = max(float(pre[2]), float(robot.commanded_ee_pose(world)[0][2])) + 0.1
        for ahead, up in ((self.retract, 0.0), (0.6 * self.retract, 0.15)):
            point = np.array([x + ahead * math.cos(heading), y + ahead * math.sin(heading), high + up])
            yield self.solve(at_pre, point, quat)[0]
        yield at_pre

    def solve(self, seed, point, quat, rounds: int = 4) -> tuple[np.ndarray, float]:
        """Arm joints putting the grasp site at ``point`` with orientation ``quat``, by IK
        from ``seed`` (None: homing in from the stowed arm), and the distance it stays
        short (m)."""
        robot, world = self.robot, self.world
        if seed is None:
            robot.state.arm_target = self.stow.copy()
            start, start_quat = robot.commanded_ee_pose(world)
            for k in range(1, 11):
                robot.reach(world, start + (point - start) * (k / 10), slerp(start_quat, quat, k / 10))
        else:
            robot.state.arm_target = np.array(seed, dtype=float)
        error = self.settle(point, quat, rounds)
        return robot.state.arm_target.copy(), error

    def settle(self, point, quat, rounds: int = 3) -> float:
        """A few more IK rounds at ``point``; the remaining distance of the grasp site (m)."""
        for _ in range(rounds):
            self.robot.reach(self.world, point, quat)
        return float(np.linalg.norm(self.robot.commanded_ee_pose(self.world)[0] - point))

    def follow(self, points, quat, spacing: float = 0.04) -> list[tuple[float, ...]]:
        """Arm joints along the polyline ``points`` every ``spacing`` metres, by IK from the
        current targets."""
        joints = []
        for a, b in zip(points[:-1], points[1:]):
            n = max(1, math.ceil(float(np.linalg.norm(b - a)) / spacing))
            for k in range(1, n + 1):
                self.robot.reach(self.world, a + (b - a) * (k / n), quat)
                joints.append(as_floats(self.robot.state.arm_target))
        return joints

    def clear(self, configs, holding: bool = True) -> bool:
        """Whether moving the arm joints straight through ``configs`` (with the held object,
        if any and ``holding``) hits nothing (checked every ``step`` rad of the joint
        moving most). The held object may brush the robot itself on the way (see
        :meth:`touches_robot` for where it rests)."""
        from embodied.agents.robot.ik import ik_data

        robot, m = self.robot, self.world.model
        d = ik_data(robot, self.world)
        hold = robot.state.hold if holding else None
        held = self.held if hold is not None else np.zeros_like(self.held)
        if hold is None and self.held.any():
            d.qpos[m.jnt_qposadr[m.body_jntadr[robot.state.held_body]] + 2] -= 100.0   # out of the way
        moving, own = self.arm | held, self.arm | self.body | held
        for a, b in zip(configs[:-1], configs[1:]):
            a, b = np.asarray(a, float), np.asarray(b, float)
            n = max(1, math.ceil(float(np.max(np.abs(b - a))) / self.step))
            for k in range(1, n + 1):
                if self._depths(d, a + (b - a) * (k / n), hold, moving, own, held)[0] > self.penetration:
                    return False
        return True

    def touches_robot(self, q) -> bool:
        """Whether the held object, with the arm at ``q``, presses into the robot's base,
        torso or head."""
        from embodied.agents.robot.ik import ik_data

        hold = self.robot.state.hold
        if hold is None:
            return False
        d = ik_data(self.robot, self.world)
        moving, own = self.arm | self.held, self.arm | self.body | self.held
        return self._depths(d, np.asarray(q, float), hold, moving, own, self.held)[1] > self.penetration

    def _depths(self, d: mujoco.MjData, q, hold, moving, own, held) -> tuple[float, float]:
        """With the arm at ``q``: the deepest penetration of the arm or the held object into
        anything else, and of the held object into the robot's base, torso or head (m)."""
        m = self.world.model
        d.qpos[self.robot.handles.arm_qpos] = q
        if hold is not None:
            hold.apply(m, d)                # the held object moves with the hand
        mujoco.mj_kinematics(m, d)
        mujoco.mj_collision(m, d)
        if d.ncon == 0:
            return 0.0, 0.0
        geoms, depth = d.contact.geom, -d.contact.dist
        g1, g2 = geoms[:, 0], geoms[:, 1]
        free1, free2 = ~own[g1] & ~self.allowed[g1], ~own[g2] & ~self.allowed[g2]
        outside = (moving[g1] & free2) | (moving[g2] & free1)
        on_robot = (held[g1] & self.body[g2]) | (held[g2] & self.body[g1])
        return (float(depth[outside].max(initial=0.0)), float(depth[on_robot].max(initial=0.0)))
