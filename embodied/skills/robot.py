"""Robot skills: navigate along the shortest path, pick an object, place it on a surface.

Run inside the robot (``robot.run(skill)``) they command its base, arm and gripper each
control step. :meth:`NavigateTo.command` also gives the base command for the current
state without acting, for policies that turn it into an env action (the SocialNav
expert does).

Available: :class:`NavigateTo`, :class:`Face` (turn in place), :class:`MoveArm` (arm
joints or a straight grasp-site line, then settle), :class:`Pick` and :class:`Place`.
Like Habitat 3.0's rearrangement skills, picking and placing are oracles where it
matters: the base follows the shortest path, the gripper takes the object once it is
within ``config.grasp_radius`` (``grasp_mode="oracle"``) and letting go sets it down at
rest on the surface below. The arm really moves there (IK, position servos), so an
object the arm cannot get to is not picked. Outcomes read like PARTNR's tools:
:attr:`Pick.result` is ``"Successful execution!"`` or the reason of the failure, e.g.
``"Failed to pick! Not close enough to the object. ..."``.
"""

from __future__ import annotations

import abc
import math
from dataclasses import InitVar, dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import mujoco
import numpy as np

from embodied.errors import ConfigError, NotFoundError, check_range
from embodied.geometry import wrap_angle
from embodied.skills.arm_planning import (ArmPlanner, ReachPlan, as_floats, hand_axis, hand_quat,
                                          in_view, room_above, surface_under, travel)
from embodied.skills.base import Skill, Status, Wait
from embodied.skills.placement import detour_map, nearest_in_rect, rest_error, standing_point
from embodied.sim.kinematic import body_extent, body_radius, lowest_point

if TYPE_CHECKING:
    from embodied.agents.robot.robot import Robot
    from embodied.sim.world import World


def lookahead_point(path: np.ndarray, distance: float) -> np.ndarray:
    """The point ``distance`` metres along a polyline (its end if shorter)."""
    remaining = distance
    for a, b in zip(path[:-1], path[1:]):
        seg = float(np.linalg.norm(b - a))
        if seg >= remaining and seg > 0:
            return a + (b - a) * (remaining / seg)
        remaining -= seg
    return path[-1]


def clear_lookahead(navmap, here, path: np.ndarray, lookahead: float) -> np.ndarray:
    """The point to steer at from ``here`` along ``path``: ``lookahead`` metres along it,
    or nearer (halving) until it is in clear view on ``navmap``, so that steering at it
    cannot cut a corner into an obstacle (seen from the path's start, the nearest free
    point, when ``here`` is off the map: pressed against something)."""
    seen_from = here if navmap.is_navigable(here) else tuple(path[0])
    ahead = lookahead
    while ahead > 0.1:
        point = lookahead_point(path, ahead)
        if navmap.line_of_sight(seen_from, point):
            return point
        ahead *= 0.5
    return lookahead_point(path, 0.1)


class BaseCommand(NamedTuple):
    """A base velocity command and what it was computed from."""

    linear: float           # m/s forward
    angular: float          # rad/s counter-clockwise
    distance: float         # geodesic distance to the goal (m)
    heading_error: float    # towards the path's lookahead point (rad)
    path_found: bool


@dataclass
class NavigateTo(Skill):
    """Drive to ``goal`` (x, y), or to the entity ``target`` as it moves, along the
    shortest path on the robot's navigation map (``robot.navmap``, inflated by the
    robot's radius).

    Each step the base steers at the path point ``lookahead`` metres ahead, or nearer
    when the straight line there would cut a corner (it must be in clear view on the
    map); off the map (pressed against a wall) it steers back onto it first. It turns in
    place while that point is more than ``turn_in_place`` rad off its heading, else
    drives at ``speed_gain`` m/s per metre still to go beyond ``stop_distance`` (scaled
    by the cosine of the heading error). Commanded forward motion
    that does not happen for ``stuck_after`` seconds is being stuck: the base backs off
    for ``back_off`` seconds, turning towards its way, and goes on (:attr:`recoveries`
    counts it). Done within ``stop_distance + tolerance`` of the goal (geodesic); fails
    when there is no path or after ``timeout`` seconds (default from the distance at the
    start).
    """

    goal: tuple[float, float] | None = None
    target: str | None = None
    stop_distance: float = 0.0
    tolerance: float = 0.1
    lookahead: float = 0.8
    turn_gain: float = 2.5
    speed_gain: float = 1.2
    turn_in_place: float = 1.0
    stuck_after: float = 1.0
    back_off: float = 1.0
    timeout: float | None = None
    avoid: tuple[tuple[float, float, float], ...] = ()   # extra discs (x, y, r) to drive round
    stuck: float = 0.0          # seconds commanded forward without moving
    recovering: float = 0.0     # seconds of backing off left
    recoveries: int = 0

    def __post_init__(self):
        if (self.goal is None) == (self.target is None):
            from embodied.errors import ConfigError

            raise ConfigError("NavigateTo", (self.goal, self.target),
                              reason="give exactly one of goal (x, y) and target (an entity name)")
        for name in ("stop_distance", "tolerance", "lookahead", "turn_gain", "speed_gain",
                     "turn_in_place", "stuck_after", "back_off"):
            check_range(f"navigate.{name}", getattr(self, name), low=0.0)
        if self.goal is not None:
            self.goal = (float(self.goal[0]), float(self.goal[1]))

    def goal_xy(self, world: "World") -> np.ndarray:
        """Where the skill is going now (the target entity's current position)."""
        if self.target is None:
            return np.asarray(self.goal, float)
        pose = world.entity(self.target).get_pose(world)
        return np.asarray((pose.x, pose.y), float)

    def command(self, robot: "Robot", world: "World", distance: float | None = None) -> BaseCommand:
        """The base command for the current state (no side effects). ``distance`` is the
        geodesic distance to the goal if the caller has it already."""
        navmap = robot.navmap
        if navmap is None:
            from embodied.errors import ConfigError

            raise ConfigError("NavigateTo", robot.name, reason="the robot has no navigation map")
        if self.avoid:
            navmap = detour_map(navmap, self.avoid)
        rx, ry, yaw = robot.base_pose(world)
        goal = self.goal_xy(world)
        if distance is None:
            distance = navmap.geodesic_distance((rx, ry), (float(goal[0]), float(goal[1])))
        path = navmap.shortest_path(np.array([rx, ry]), goal)
        aim = self._aim(navmap, (rx, ry), path) if path is not None else goal
        heading_error = wrap_angle(math.atan2(aim[1] - ry, aim[0] - rx) - yaw)
        speed = self.speed_gain * (distance - self.stop_distance)
        if abs(heading_error) > self.turn_in_place:
            speed = 0.0
        else:
            speed *= math.cos(heading_error)
        return BaseCommand(speed, self.turn_gain * heading_error, distance, heading_error,
                           path is not None)

    def _aim(self, navmap, here: tuple[float, float], path: np.ndarray) -> np.ndarray:
        return clear_lookahead(navmap, here, path, self.lookahead)

    def steer(self, robot: "Robot", world: "World", distance: float | None = None) -> BaseCommand:
        """:meth:`command`, watched for being stuck: the command to give this step (a
        back-off while recovering)."""
        command = self.command(robot, world, distance)
        dt = world.dt
        if self.recovering > 0.0:
            self.recovering = max(self.recovering - dt, 0.0)
            return command._replace(linear=-0.3, angular=0.5 * command.angular)
        moving = abs(float(robot.base_velocity(world)[0])) >= 0.05
        self.stuck = self.stuck + dt if command.linear > 0.3 and not moving else 0.0
        if self.stuck > self.stuck_after:
            self.stuck, self.recovering = 0.0, self.back_off
            self.recoveries += 1
        return command

    def _update(self, robot, world):
        command = self.steer(robot, world)
        if self.timeout is None:
            speed = max(robot.config.max_linear_speed, 0.1)
            self.timeout = 10.0 + 3.0 * (command.distance if math.isfinite(command.distance) else 0.0) / speed
        if command.distance <= self.stop_distance + self.tolerance:
            robot.stop()
            self.done()
        elif not command.path_found:
            robot.stop()
            self.fail(f"no navigable path to {tuple(round(float(v), 2) for v in self.goal_xy(world))}")
        elif self.steps * world.dt > self.timeout:
            robot.stop()
            self.fail(f"timed out after {self.timeout:.1f} s, {command.distance:.2f} m from the goal")
        else:
            robot.command_base(command.linear, command.angular)


@dataclass
class Drive(Skill):
    """Drive the base at ``linear`` m/s and ``angular`` rad/s for ``duration`` seconds
    (Habitat 3.0's motion primitives: move forward/backward, turn left/right)."""

    linear: float = 0.0
    angular: float = 0.0
    duration: float = 0.5

    def _update(self, robot, world):
        if self.steps * world.dt > self.duration:
            robot.stop()
            self.done()
            return
        robot.command_base(self.linear, self.angular)


# -- turning and moving the arm -------------------------------------------------------

@dataclass
class Face(Skill):
    """Turn the base in place until it faces ``point`` (x, y) within ``tolerance`` rad and
    has stopped turning, keeping it where it started (against pushes); fails after
    ``timeout`` seconds."""

    point: tuple[float, float] = (0.0, 0.0)
    tolerance: float = math.radians(3.0)
    turn_gain: float = 5.0
    timeout: float = 8.0
    start: tuple[float, float] | None = None

    def _update(self, robot, world):
        x, y, yaw = robot.base_pose(world)
        if self.start is None:
            self.start = (x, y)
        back = math.cos(yaw) * (self.start[0] - x) + math.sin(yaw) * (self.start[1] - y)
        error = wrap_angle(math.atan2(self.point[1] - y, self.point[0] - x) - yaw)
        if abs(error) <= self.tolerance and abs(robot.base_velocity(world)[1]) < 0.1:
            robot.stop()
            self.done()
        elif self.steps * world.dt > self.timeout:
            robot.stop()
            self.fail(f"could not face {tuple(round(float(v), 2) for v in self.point)} "
                      f"in {self.timeout:.0f} s ({math.degrees(error):.0f} deg off)")
        else:
            robot.command_base(2.0 * back, self.turn_gain * error)


@dataclass
class MoveArm(Skill):
    """Move the arm through the joint positions in ``path`` (each a tuple of arm joint
    angles, the last one the goal), every joint interpolated at ``joint_speed`` rad/s at
    most and held back while a joint lags more than ``lag`` rad behind (so the arm keeps
    to the straight joint path, however slow its servos), then wait (up to ``settle``
    seconds) for the servos to get there. ``torso`` optionally sets the torso lift at the
    start (with ``torso_last``: when heading for the last configuration of the path).
    Done once arm joints and torso are within ``tolerance`` (rad, m) of their targets,
    or after ``settle``: :attr:`error` then says how far off the arm still is (rad), for
    the caller to judge.
    """

    path: tuple[tuple[float, ...], ...] = ()
    torso: float | None = None
    torso_last: bool = False
    joint_speed: float = 1.5
    lag: float = 0.15
    tolerance: float = 0.01
    settle: float = 1.0
    error: float = math.inf
    segment: int = -1
    start: tuple[float, ...] = ()
    count: int = 0
    index: int = 0
    waited: int = 0

    def __post_init__(self):
        if not self.path:
            raise ConfigError("MoveArm", self.path, reason="give at least one arm configuration")
        self.path = tuple(as_floats(q) for q in self.path)
        for name in ("joint_speed", "lag", "tolerance", "settle"):
            check_range(f"move_arm.{name}", getattr(self, name), low=1e-6)

    def _next_segment(self, robot, world) -> None:
        self.segment += 1
        if self.torso is not None and self.segment == (len(self.path) - 1 if self.torso_last else 0):
            robot.set_torso(self.torso)
        self.start = as_floats(robot.state.arm_target)
        span = float(np.max(np.abs(np.asarray(self.path[self.segment]) - self.start)))
        self.count = max(1, math.ceil(span / (self.joint_speed * world.dt)))
        self.index = 0

    def _update(self, robot, world):
        if self.segment < 0:
            self._next_segment(robot, world)
        if self.index == self.count and self.segment + 1 < len(self.path):
            self._next_segment(robot, world)
        h = robot.handles
        lag = np.max(np.abs(world.data.qpos[h.arm_qpos] - robot.state.arm_target))
        if self.index < self.count and lag <= self.lag:   # wait for the servos to keep up
            self.index += 1
            start = np.asarray(self.start)
            robot.set_arm_joints(start + (self.index / self.count) * (np.asarray(self.path[self.segment]) - start))
            return
        if self.index < self.count:
            return
        q = world.data.qpos
        self.error = float(np.max(np.abs(q[h.arm_qpos] - robot.state.arm_target)))
        torso_error = (float(np.max(np.abs(q[h.torso_qpos] - robot.state.torso_target)))
                       if len(h.torso_qpos) else 0.0)
        if (self.error <= self.tolerance and torso_error <= 0.01) or self.waited * world.dt >= self.settle:
            self.done()
        self.waited += 1


# -- picking and placing --------------------------------------------------------------

@dataclass
class _Manipulation(Skill):
    """What :class:`Pick` and :class:`Place` share: drive next to the thing (NavigateTo),
    face it (Face), plan the arm's way there (torso, hand tilt, approach point by IK), move
    the arm (MoveArm), act, and bring the arm back to its stowed pose.

    ``reach``: how far from the base centre (horizontally) the arm may get to things
    (Fetch's: about 1 m; the IK decides in the end). ``stand_off``: how far from the
    thing the robot would rather stand than nearer (the arm works badly right next to
    its base); ``clearance``: how far off obstacles (beyond the base's radius) it stands
    when it can. ``approach``: how far back along the hand's axis the hand comes from;
    ``retract``: how far ahead of the base centre it passes between the stowed arm and
    the thing; ``carry``: where (base frame, m) the hand holds what the stowed arm cannot
    hold clear of the robot, level over the front of the base (Fetch's: above its head).
    ``quick``: the first plan whose arm moves take at most this many radians (of the
    joint moving most, summed over the moves) is taken, else the quickest of all;
    ``precision``: how close (m) the IK must get to the target. ``timeout``: the step
    cap of the manipulation (from having arrived and faced), in seconds.
    """

    reach: float = 1.05
    stand_off: float = 0.6
    clearance: float = 0.05
    approach: float = 0.12
    retract: float = 0.35
    carry: tuple[float, float, float] = (0.2, 0.0, 1.3)
    quick: float = 3.0
    precision: float = 0.03
    timeout: float = 10.0
    stage: str = "start"
    child: Skill | None = None
    plan: ReachPlan | None = None
    stand: tuple[float, float] | None = None
    arrived: int = -1                  # step at which manipulation began
    base_hold: tuple[float, float, float] | None = None   # base pose kept while manipulating
    pending: str = ""                  # a failure found on the way, reported once stowed

    _verb = "act"
    #: Hand tilts tried, most preferred first (rad down from horizontal); tilts that need
    #: more free height above the point than there is are skipped (level never is).
    pitches = (math.pi / 2, math.radians(65), math.radians(45), math.radians(25), 0.0)

    @property
    def result(self) -> str:
        """``"Successful execution!"``, the failure's reason, or ``"running"``."""
        return {Status.DONE: "Successful execution!", Status.FAILED: self.reason}.get(
            self.status, "running")

    def _failed(self, message: str) -> None:
        self.fail(f"Failed to {self._verb}! {message}")

    def _navmap(self, robot):
        if robot.navmap is None:
            raise ConfigError(type(self).__name__, robot.name,
                              reason="the robot has no navigation map (set robot.navmap)")
        return robot.navmap

    def _stand(self, robot, world, aim, max_distance, least, view) -> tuple[float, float] | None:
        """Where to stand to act on ``aim`` (x, y): the nearest point the robot can drive to,
        or, nearer than ``least``, one about ``least`` away (straight back from the nearest
        point first), ``clearance`` metres off obstacles beyond the base's radius if there
        is such a point, from which ``view(point)`` sees it; within ``max_distance``."""
        navmap = self._navmap(robot)
        nearest = navmap.snap_to_navigable(aim)
        toward = (None if nearest is None or math.dist(nearest, aim) < 1e-6
                  else math.atan2(nearest[1] - aim[1], nearest[0] - aim[0]))
        here = robot.base_pose(world)[:2]
        for room in (robot.constants.base_radius + self.clearance, 0.0):
            stand = standing_point(navmap, here, aim, max_distance, min_distance=least,
                                   ring_step=0.05, directions=36, toward=toward,
                                   accept=lambda q, room=room: navmap.clearance_at(q) >= room and view(q))
            if stand is not None:
                return stand
        return None

    def _go(self, robot, world, stand) -> None:
        """Drive to ``stand``: first turn on the spot towards the way there (the robot may be
        right next to furniture), then follow the path."""
        self.stand = (float(stand[0]), float(stand[1]))
        path = self._navmap(robot).shortest_path(robot.base_pose(world)[:2], self.stand)
        ahead = lookahead_point(path, 0.8) if path is not None and len(path) > 1 else self.stand
        self.child = Face(point=(float(ahead[0]), float(ahead[1])), tolerance=0.3)
        self.stage = "leave"

    def _approach(self, robot, world, point) -> bool:
        """Drive and turn to face ``point``; True once facing it (fails on the way)."""
        self.child.update(robot, world)
        if self.child.status is Status.FAILED:
            what = "get there" if self.stage == "approach" else "turn towards it"
            self._failed(f"Could not {what}: {self.child.reason}.")
            return False
        if self.child.running:
            return False
        if self.stage == "leave":
            self.child = NavigateTo(goal=self.stand, tolerance=0.08)
            self.stage = "approach"
            return False
        if self.stage == "approach":
            self.child = Face(point=(float(point[0]), float(point[1])))
            self.stage = "face"
            return False
        self.arrived, self.stage = self.steps, "plan"
        self.base_hold = robot.base_pose(world)
        return True

    def _hold_base(self, robot, world) -> None:
        """Keep the base where manipulation began (against the arm's and the load's pull)."""
        x, y, yaw = robot.base_pose(world)
        hx, hy, hyaw = self.base_hold
        ahead = math.cos(yaw) * (hx - x) + math.sin(yaw) * (hy - y)
        robot.command_base(2.0 * ahead, 5.0 * wrap_angle(hyaw - yaw))

    def _pitch_order(self, robot, world, heading: float) -> list[float]:
        """The hand tilts to try, in order: :attr:`pitches`; with something in the hand,
        those holding it most nearly upright first (letting go of it upright, it does not
        turn, so it stays where the hand put it)."""
        if not robot.is_holding():
            return list(self.pitches)
        data, h = world.data, robot.handles
        site_now = data.site_xmat[h.grasp_site].reshape(3, 3)
        held_now = data.xmat[robot.state.held_body].reshape(3, 3)
        local = site_now.T @ held_now

        def tilt(pitch):
            site = np.empty(9)
            mujoco.mju_quat2Mat(site, np.array(hand_quat(heading, pitch)))
            up = (site.reshape(3, 3) @ local)[2, 2]
            return round(math.degrees(math.acos(max(-1.0, min(1.0, float(up))))) / 10.0)

        return sorted(self.pitches, key=tilt)

    def _plan_reach(self, robot, world, aim, target_for, exclude_body: int) -> tuple[ReachPlan | None, float]:
        """Find torso lift, hand tilt and arm paths by which the arm gets to the target
        ``target_for(axis)`` returns (with how close it must get) for a thing at ``aim``
        (body ``exclude_body``, which the hand may touch) without hitting anything (see
        :class:`ArmPlanner`; the robot's targets are left as they were). Returns the plan,
        or None and how far short the best try stayed (m; inf when the arm got there but
        not without hitting something)."""
        x, y, _ = robot.base_pose(world)
        heading = math.atan2(aim[1] - y, aim[0] - x)
        h = robot.handles
        hand = float(np.linalg.norm(world.data.site_xpos[h.grasp_site] - world.data.xpos[h.hand_body])) + 0.15
        room = room_above(world, aim, h.own_geom, exclude_body)
        planner = ArmPlanner(robot, world, allowed=(exclude_body,), start=robot.state.arm_target,
                             approach=self.approach, retract=self.retract, precision=self.precision)
        saved_arm, saved_torso = robot.state.arm_target.copy(), robot.state.torso_target
        lo, hi = h.torso_range
        best, chosen = math.inf, None
        try:
            for pitch in self._pitch_order(robot, world, heading):
                target, tolerance = target_for(hand_axis(heading, pitch))
                target = np.asarray(target, float)
                # hand and wrist above the point need room (a level hand is always tried)
                need = target[2] - aim[2] + math.sin(pitch) * (self.approach + hand) + 0.05
                if room < need and pitch != 0.0:
                    continue
                # first the torso lift that puts the shoulder about level with the point
                # (higher for a hand coming from above), then the others
                shoulder = float(target[2]) - 0.8 + 0.35 * math.sin(pitch)
                for torso in dict.fromkeys([float(np.clip(shoulder, lo, hi)), float(lo),
                                            0.5 * float(lo + hi), float(hi)]):
                    plan, error = planner.plan(torso, heading, pitch, target, tolerance)
                    if plan is None:
                        best = min(best, error)
                        continue
                    took = travel([planner.start, plan.via, plan.at_pre, *plan.down])
                    if chosen is None or took < chosen[2]:
                        chosen = (plan, error, took)
                    if took <= self.quick:
                        return plan, error
        finally:
            robot.state.arm_target, robot.state.torso_target = saved_arm, saved_torso
        return (chosen[0], chosen[1]) if chosen is not None else (None, best)

    def _start_arm(self, robot, stage: str) -> None:
        """Raise the torso and move the arm out (by the high point) to the approach point."""
        self.child = MoveArm(path=(self.plan.via, self.plan.at_pre), torso=self.plan.torso)
        self.stage = stage

    def _to_target(self, stage: str) -> None:
        self.child = MoveArm(path=self.plan.down)
        self.stage = stage

    def _back_up(self, wait: float = 0.0) -> None:
        """Back the hand out to the approach point, after ``wait`` seconds (for the fingers
        to open); then :meth:`_manipulate` brings the arm back up and stows it."""
        if wait > 0.0:
            self.child = Wait(duration=wait)
            self.stage = "let go"
            return
        self.child = MoveArm(path=self.plan.down[-2::-1] + (self.plan.at_pre,), settle=0.3)
        self.stage = "back"

    def _manipulate(self, robot, world) -> bool:
        """Step the arm motion of the current stage; True once it has ended. After the back
        up, the arm goes to the high point and on to the stowed pose (torso down), unless
        what it holds would touch the robot there: then it carries it at the high point.
        Fails the skill after ``timeout`` seconds of manipulation."""
        if (self.steps - self.arrived) * world.dt > self.timeout:
            robot.stop()
            self._failed(f"Timed out after {self.timeout:.1f} s of manipulation ({self.stage}).")
            return False
        self._hold_base(robot, world)
        self.child.update(robot, world)
        if self.child.running:
            return False
        if self.stage == "let go":
            self._back_up()
            return False
        if self.stage == "back":
            self.child = MoveArm(path=(self.plan.via,), settle=0.3)
            self.stage = "up"
            return False
        if self.stage == "up":
            pose = self._rest_pose(robot, world)
            self.stage = "stow"
            if pose is not None:
                self.child = MoveArm(path=(pose,), torso=float(robot.handles.torso_range[0]),
                                     settle=0.3)
                return False
        if self.stage == "stow":
            robot.stop()
            if self.pending:
                self.fail(self.pending)
            else:
                self._finish(robot, world)
            return False
        return True

    def _rest_pose(self, robot, world) -> tuple[float, ...] | None:
        """Where the arm goes from the high point, torso down: the stowed pose, unless what it
        holds would touch the robot there (or on the way); then the carrying pose, the hand
        level above the front of the base at ``carry`` (base frame), if the arm gets there
        clear of everything; else None (it carries it at the high point)."""
        planner = ArmPlanner(robot, world)
        saved_arm, saved_torso = robot.state.arm_target.copy(), robot.state.torso_target
        robot.state.torso_target = float(robot.handles.torso_range[0])
        try:
            stow = as_floats(robot.constants.arm_stow)
            if planner.clear([self.plan.via, stow]) and not planner.touches_robot(stow):
                return stow
            carry, error = carrying_pose(robot, world, planner, self.plan.via, self.carry)
            if (error < 2 * self.precision and planner.clear([self.plan.via, carry])
                    and not planner.touches_robot(carry)):
                return as_floats(carry)
            return None
        finally:
            robot.state.arm_target, robot.state.torso_target = saved_arm, saved_torso

    def _finish(self, robot, world) -> None:
        self.done()


def carrying_pose(robot, world, planner: ArmPlanner, seed, carry) -> tuple[np.ndarray, float]:
    """Arm joints holding the hand level at ``carry`` (x ahead, y left, z up; base frame),
    by IK from ``seed``, and how far short of it they stay (m)."""
    x, y, yaw = robot.base_pose(world)
    ahead, side, z = carry
    point = np.array([x + ahead * math.cos(yaw) - side * math.sin(yaw),
                      y + ahead * math.sin(yaw) + side * math.cos(yaw), z])
    return planner.solve(seed, point, np.array(hand_quat(yaw, 0.0)))


@dataclass
class Pick(_Manipulation):
    """Drive next to an object, take it with the gripper, and stow the arm holding it.

    ``object`` is its body name (``"obj/<name>/body"``). The robot stands at the
    nearest point of its navigation map it can drive to within ``reach`` of the object
    (about ``stand_off`` from it, in view of it), turns to face it, raises the torso and
    brings the hand above it (or in front of it, on a shelf with little room above) and
    down (in) until the object is within the grasp radius, grasps (the oracle takes it
    into the hand), backs out and stows the arm, torso down; an object the stowed arm
    cannot hold clear of the robot is carried with the hand over the front of the base
    instead (see ``carry``). Fails at once when already holding something or when the
    object is out of the arm's reach from anywhere the robot can stand (higher than
    ``max_height``, or no standing place near enough); after arriving when the arm
    cannot get to it, the gripper does not take it, or after ``timeout`` seconds of
    manipulation. A name that is not a graspable object raises NotFoundError listing
    the graspable objects. :attr:`result` reads like PARTNR's pick tool.
    """

    object: str = ""
    max_height: float = 1.7

    _verb = "pick"

    def _body(self, robot, world) -> int:
        body = mujoco.mj_name2id(world.model, mujoco.mjtObj.mjOBJ_BODY, self.object)
        graspable = robot.handles.graspable
        if body < 0 or body not in graspable:
            raise NotFoundError("graspable object", self.object,
                                [world.model.body(int(b)).name for b in graspable])
        return body

    def _update(self, robot, world):
        body = self._body(robot, world)
        p = world.data.xipos[body]
        if self.stage == "start":
            self._start(robot, world, body, p)
            return
        if self.stage in ("leave", "approach", "face"):
            if not self._approach(robot, world, p):
                return
        if self.stage == "plan":
            self._plan(robot, world, body, p)
            return
        if not self._manipulate(robot, world):
            return
        if self.stage == "pregrasp":
            self._to_target("descend")
        elif self.stage == "descend":
            if not robot.grasp(world):
                site = robot.ee_pose(world)[0]
                self.pending = (f"Failed to pick! Not close enough to the object. The gripper got "
                                f"{np.linalg.norm(site - p):.2f} m from {self.object}; it must be "
                                f"within {robot.config.grasp_radius:.2f} m.")
            self._back_up()

    def _start(self, robot, world, body: int, p) -> None:
        if robot.is_holding():
            self._failed(f"The robot is already holding {robot.held_object(world)}; place it first.")
            return
        if p[2] > self.max_height:
            self._failed(f"Not close enough to the object. {self.object} is {p[2]:.2f} m high; "
                         f"the arm reaches up to {self.max_height:.2f} m.")
            return
        target = (float(p[0]), float(p[1]))
        slack = body_radius(world, body) + 0.05

        def view(q):        # the arm's way to the object is not through a wall (or furniture)
            return in_view(world, (q[0], q[1], p[2]), p, robot.handles.own_geom, body, slack)

        stand = self._stand(robot, world, target, self.reach, self.stand_off, view)
        if stand is None:
            self._failed(f"No place to stand within {self.reach:.2f} m of {self.object} that the "
                         "robot can drive to.")
            return
        d = math.dist(stand, target)
        if d > self.reach:
            self._failed(f"Not close enough to the object. The nearest place the robot can stand "
                         f"is {d:.2f} m from {self.object}; the arm reaches {self.reach:.2f} m.")
            return
        self._go(robot, world, stand)

    def _plan(self, robot, world, body: int, p) -> None:
        radius = robot.config.grasp_radius

        def grasp_point(axis):
            # the grasp site just short of the object's side the hand comes from, and how
            # far off it may stay with the object still within the grasp radius
            standoff = min(body_extent(world, body, -axis) + 0.01, 0.6 * radius)
            return p - axis * standoff, max(self.precision, 0.8 * radius - standoff)

        self.plan, short = self._plan_reach(robot, world, p, grasp_point, body)
        if self.plan is None:
            x, y, _ = robot.base_pose(world)
            self._failed(f"Not close enough to the object. From where the robot stands "
                         f"({math.hypot(p[0] - x, p[1] - y):.2f} m from {self.object}) the arm "
                         f"cannot get to it ({short:.2f} m short).")
            return
        self._start_arm(robot, "pregrasp")

    def _finish(self, robot, world) -> None:
        if robot.held_object(world) != self.object:
            self._failed(f"{self.object} is no longer in the gripper.")
        else:
            self.done()


@dataclass
class Place(_Manipulation):
    """Carry the held object to a surface of a piece of furniture and set it down there.

    ``furniture`` names a receptacle of the home and ``surface`` indexes its surfaces
    (default: the largest; of equally large ones, such as a shelf's boards, the one
    nearest ``comfortable_height``). The surfaces come from ``home`` (the generated
    :class:`~embodied.scenes.home.Home`, read when the skill is made) or are given as
    ``surfaces``: ``(height, (xmin, ymin, xmax, ymax), clearance)`` records. The robot
    stands at the nearest point it can drive to, faces the surface, and reaches above
    ``point`` (x, y) or else the free point of the surface (inset by the object's
    size) nearest to it that the arm gets to, with the object held upright if it can,
    lowers it to just above the surface, releases it (the oracle sets it down on the
    surface below), checks it rests on that surface (within ``tolerance`` of its height
    and rectangle; once more after the arm is back), and stows the arm. Fails at once
    when not holding anything; else when the surface is out of reach, no free point is
    found, something is in the way under the hand (the object is kept), the object did
    not end on the surface, or after ``timeout`` seconds of manipulation. An unknown
    furniture name (given ``home``) or surface index raises NotFoundError listing what
    there is. :attr:`result` reads like PARTNR's place tool.
    """

    furniture: str = ""
    surface: int | None = None
    point: tuple[float, float] | None = None
    home: InitVar[Any] = None
    surfaces: tuple = ()
    comfortable_height: float = 0.8
    tolerance: float = 0.03
    let_go: float = 0.4
    place_precision: float = 0.05
    spot: tuple[float, float] | None = None
    placed: str = ""                     # body name of the object set down
    settling: int = 0                    # steps waited for it to come to rest

    _verb = "place"

    def __post_init__(self, home):
        if home is not None:
            pieces = {f.name: f for f in home.receptacles()}
            if self.furniture not in pieces:
                raise NotFoundError("receptacle", self.furniture, pieces)
            self.surfaces = tuple((float(s.height), as_floats(s.rect), float(s.clearance))
                                  for s in pieces[self.furniture].surfaces)
        if not self.surfaces:
            raise ConfigError("Place", self.furniture, reason="give the home it is in "
                              "(Place(furniture, home=home)) or its surfaces")
        self.surfaces = tuple((float(s[0]), as_floats(s[1]), float(s[2]) if len(s) > 2 else 1.0)
                              for s in self.surfaces)
        if self.surface is None:
            def key(k):
                height, (x0, y0, x1, y1), _ = self.surfaces[k]
                return (-round((x1 - x0) * (y1 - y0), 2), abs(height - self.comfortable_height))
            self.surface = min(range(len(self.surfaces)), key=key)
        elif not 0 <= self.surface < len(self.surfaces):
            raise NotFoundError(f"surface of {self.furniture}", self.surface, range(len(self.surfaces)))
        if self.point is not None:
            self.point = (float(self.point[0]), float(self.point[1]))

    def _update(self, robot, world):
        height, rect, clearance = self.surfaces[self.surface]
        if self.stage == "start":
            self._start(robot, world, height, rect)
            return
        if self.stage in ("leave", "approach", "face"):
            if not self._approach(robot, world, self.spot):
                return
        if self.stage == "plan":
            self._plan(robot, world, height, rect, clearance)
            return
        body = robot.state.held_body
        if not self._manipulate(robot, world):
            return
        if self.stage == "preplace":
            self._to_target("lower")
        elif self.stage == "lower":
            below = surface_under(world, world.data.xipos[body], robot.handles.own_geom, body)
            if below < height - 0.015:              # not over the surface: keep it
                self.pending = (f"Failed to place! Not close enough to the surface. The hand did "
                                f"not get the object over {self.furniture}.")
            elif below > height + 0.015:            # something is in the way: keep it
                self.pending = (f"Failed to place! Something is in the way on {self.furniture}: "
                                f"the first thing below the object is {below:.2f} m high, the "
                                f"surface {height:.2f} m.")
            else:
                robot.release(world)
                self.placed = world.model.body(body).name
                self.pending = self._check(world, body, height, rect)
                self._back_up(wait=self.let_go)
                return
            self._back_up()

    def _finish(self, robot, world) -> None:
        # once more now the arm is away and the object has come to rest (or a second has
        # gone by): it must still be on the surface
        height, rect, _ = self.surfaces[self.surface]
        body = world.body_id(self.placed)
        if still_settling(world, body, self.settling):
            self.settling += 1
            return
        problem = self._check(world, body, height, rect)
        if problem:
            self.fail(problem + " It did not stay there.")
        else:
            self.done()

    def _margin(self, robot, world, rect) -> float:
        """How far inside the surface's edges the object goes: its radius and 5 cm more
        (what it is let go of may roll a little), at most to the middle."""
        x0, y0, x1, y1 = rect
        r = body_radius(world, robot.state.held_body) if robot.is_holding() else 0.05
        return min(max(0.05, r) + 0.05, 0.5 * min(x1 - x0, y1 - y0))

    def _start(self, robot, world, height, rect) -> None:
        if not robot.is_holding():
            self._failed("The robot is not holding an object.")
            return
        x0, y0, x1, y1 = rect
        aim = self.point or (0.5 * (x0 + x1), 0.5 * (y0 + y1))
        spread = 0.0 if self.point else 0.5 * math.hypot(x1 - x0, y1 - y0)
        # not right at the edge of a narrow surface (a shelf board): about 0.3 m back
        least = self.stand_off if self.point else 0.3 + 0.5 * min(x1 - x0, y1 - y0)
        body, margin = robot.state.held_body, self._margin(robot, world, rect)

        def view(q):        # the arm's way to the surface is not through a wall (or furniture)
            spot = self.point or nearest_in_rect(q, rect, margin)
            return in_view(world, (q[0], q[1], height + 0.1), (spot[0], spot[1], height + 0.1),
                           robot.handles.own_geom, body)

        stand = self._stand(robot, world, aim, self.reach + spread, least, view)
        if stand is None:
            self._failed(f"No place to stand near {self.furniture} that the robot can drive to.")
            return
        self.spot = self.point or nearest_in_rect(stand, rect, margin)
        d = math.dist(stand, self.spot)
        if d > self.reach:
            self._failed(f"Not close enough to the surface. The nearest place the robot can stand "
                         f"is {d:.2f} m from {self.furniture}; the arm reaches {self.reach:.2f} m.")
            return
        self._go(robot, world, stand)

    def spots(self, robot, world, height, rect, clearance,
              reach: float | None = None) -> list[tuple[float, float]]:
        """Free points of the inset surface within ``reach`` (default: the arm's) of the
        base, nearest first: the surface is the first thing below them and around them
        (by the object's size)."""
        if self.point is not None:
            return [self.point]
        body, ignored = robot.state.held_body, robot.handles.own_geom
        x, y, _ = robot.base_pose(world)
        m = self._margin(robot, world, rect)
        x0, y0, x1, y1 = rect
        xs = np.arange(x0 + m, max(x1 - m, x0 + m) + 1e-9, 0.05)
        ys = np.arange(y0 + m, max(y1 - m, y0 + m) + 1e-9, 0.05)
        points = [(float(px), float(py)) for px in xs for py in ys
                  if math.hypot(px - x, py - y) <= (self.reach if reach is None else reach)]
        points.sort(key=lambda q: (math.hypot(q[0] - x, q[1] - y), q))
        top = height + min(0.25, 0.8 * clearance)
        ring = [(0.0, 0.0)] + [(m * math.cos(a), m * math.sin(a)) for a in np.arange(4) * math.pi / 2]
        free = []
        for px, py in points:
            if all(abs(surface_under(world, (px + dx, py + dy, top), ignored, body) - height) < 0.015
                   for dx, dy in ring):
                free.append((px, py))
                if len(free) == 4:
                    break
        return free

    def _plan(self, robot, world, height, rect, clearance) -> None:
        body = robot.state.held_body
        # held with its lowest point a little above the surface: let go, it will not fall far
        drop = body_extent(world, body, (0.0, 0.0, -1.0)) + 0.015
        spots = self.spots(robot, world, height, rect, clearance)
        if not spots:
            self._failed(f"No free place on {self.furniture} within the arm's reach.")
            return
        short = math.inf
        for spot in spots:
            goal = np.array([spot[0], spot[1], height + drop])
            self.plan, error = self._plan_reach(robot, world, (spot[0], spot[1], height + 0.005),
                                                lambda axis, goal=goal: (goal, self.place_precision), body)
            if self.plan is not None:
                self.spot = spot
                self._start_arm(robot, "preplace")
                return
            short = min(short, error)
        x, y, _ = robot.base_pose(world)
        self._failed(f"Not close enough to the surface. From where the robot stands "
                     f"({math.hypot(spots[0][0] - x, spots[0][1] - y):.2f} m from the nearest free "
                     f"point of {self.furniture}) the arm cannot get there ({short:.2f} m short).")

    def _check(self, world, body: int, height: float, rect) -> str:
        """'' if the released object rests on the surface, else why not."""
        error = rest_error(world, body, height, rect, self.tolerance)
        name = world.model.body(body).name
        if error == "height":
            bottom = lowest_point(world.model, world.data, body)
            return (f"Failed to place! {name} came to rest at {bottom:.2f} m, not on the surface "
                    f"of {self.furniture} at {height:.2f} m.")
        if error == "off":
            return f"Failed to place! {name} came to rest off the surface of {self.furniture}."
        return ""


def still_settling(world, body: int, waited: int) -> bool:
    """Whether a set-down free ``body`` is still moving (faster than 0.02 m/s or rad/s) and
    has been waited for less than a second (``waited`` control steps)."""
    m = world.model
    adr = m.jnt_dofadr[m.body_jntadr[body]]
    return bool(np.abs(world.data.qvel[adr:adr + 6]).max() > 0.02 and waited * world.dt < 1.0)


# -- with Habitat 3.0's oracle where the arm fails -------------------------------------

def _after(why: str, problem: str) -> str:
    """An oracle's failure, after the arm's (``why``, when it tried first)."""
    return f"{why} (and {problem})" if why else problem[0].upper() + problem[1:]


def _base_distance(robot, world, xy) -> float:
    x, y, _ = robot.base_pose(world)
    return math.hypot(float(xy[0]) - x, float(xy[1]) - y)


#: The most time (s) an oracle pick gives the arm to rise to its carrying pose.
CARRY_TIME = 2.5


@dataclass
class _Snap(Skill, abc.ABC):
    """What :class:`SnapPick` and :class:`SnapPlace` share: the arm's own skill first
    (``arm_first``); if it fails (or at once without ``arm_first``) where the oracle may
    act, drive (once) within ``snap_reach`` of the thing when not there yet, then act
    with the oracle (:meth:`_snap`)."""

    snap_reach: float = 1.3
    arm_first: bool = True
    any_side: bool = True               # no place to stand near the nearest point: try others
    stage: str = "arm"
    child: Skill | None = None
    snapped: bool = False
    why: str = ""                       # the arm's failure

    @abc.abstractmethod
    def _where(self, robot, world) -> tuple[float, float] | None:
        """The point the robot must be within ``snap_reach`` of (None: the oracle may not act)."""

    def _other_wheres(self, robot, world) -> list[tuple[float, float]]:
        """Other points that would do as well, should there be no place to stand within
        ``snap_reach`` of :meth:`_where`'s (a surface's far side)."""
        return []

    @abc.abstractmethod
    def _what(self) -> str:
        """What the oracle acts on, for messages."""

    @abc.abstractmethod
    def _snap(self, robot, world) -> None:
        """The oracle's own act, the robot within ``snap_reach``."""

    def _update(self, robot, world):
        if self.stage == "arm":
            if self.arm_first:
                self.child.update(robot, world)
                if self.child.running:
                    return
                if self.child.status is Status.DONE:
                    self.done()
                    return
                self.why = self.child.reason
            where = self._where(robot, world)
            if where is None:
                self.fail(self.why)
                return
            if _base_distance(robot, world, where) > self.snap_reach:
                stand = None
                wheres = [where, *(self._other_wheres(robot, world) if self.any_side else ())]
                for point in wheres if robot.navmap is not None else ():
                    stand = standing_point(robot.navmap, robot.base_pose(world)[:2], point,
                                           self.snap_reach - 0.1)
                    if stand is not None:
                        break
                if stand is None:
                    self.fail(self.why or f"No place the robot can drive to within "
                              f"{self.snap_reach} m of {self._what()} for the oracle.")
                    return
                self.child = NavigateTo(goal=stand, tolerance=0.1)
                self.stage = "approach"
                return
            self.stage = "snap"
        if self.stage == "approach":
            self.child.update(robot, world)
            if self.child.running:
                return
            where = self._where(robot, world)
            if where is None or _base_distance(robot, world, where) > self.snap_reach:
                self.fail(_after(self.why, f"could not get within {self.snap_reach} m of it "
                                 "for the oracle"))
                return
            self.stage = "snap"
        robot.stop()
        self._snap(robot, world)


@dataclass
class SnapPick(_Snap):
    """:class:`Pick` with Habitat 3.0's "magic" grasp as the fallback: the arm's own pick
    first (real motion, the gripper takes the object at the hand); if that fails with the
    hand empty, the robot gets within ``snap_reach`` of the object (base centre), its arm
    rises to the carrying pose (``Pick.carry``) and the object snaps into the hand
    (:attr:`snapped`). Fails with the pick's reason otherwise."""

    object: str = ""

    def __post_init__(self):
        self.child = Pick(object=self.object)

    def _where(self, robot, world):
        from embodied.sim.kinematic import holder_of

        body = world.body_id(self.object)
        holder = holder_of(world, body, robot)
        if robot.is_holding() or holder is not None:
            self.why = self.why or (f"already holding {robot.held_object(world)}" if robot.is_holding()
                                    else f"{self.object} is held by {holder}")
            return None
        p = world.data.xipos[body]
        return float(p[0]), float(p[1])

    def _what(self) -> str:
        return self.object

    def _snap(self, robot, world):
        if self.stage == "snap":
            carry = _clear_carry(robot, world)
            if carry is None:
                carry = as_floats(robot.state.arm_target)
            self.child = MoveArm(path=(carry,), torso=float(robot.handles.torso_range[0]), settle=0.3)
            self.stage = "carry"
        self.child.update(robot, world)
        # the arm may not get all the way (furniture in its way): the hand is up by then
        if self.child.running and self.child.steps * world.dt < CARRY_TIME:
            return
        if not robot.grasp(world, body=world.body_id(self.object)):
            self.fail(f"the oracle could not take {self.object}")
            return
        self.snapped = True
        self.done()


#: Where (base frame: ahead, left, up; m) an oracle pick may hold the hand, in order of
#: preference: the carrying pose, higher, further back, lower.
CARRY_POINTS = (Pick.carry, (0.2, 0.0, 1.5), (0.0, 0.0, 1.4), (0.3, 0.0, 1.1))


def _clear_carry(robot, world) -> tuple[float, ...] | None:
    """Arm joints holding the hand at the first of :data:`CARRY_POINTS` the IK gets to and
    the arm can move to straight from where it is without hitting anything; None: the
    arm stays where it is."""
    planner = ArmPlanner(robot, world)
    saved = robot.state.arm_target.copy(), robot.state.torso_target
    try:
        robot.state.torso_target = float(robot.handles.torso_range[0])
        start = robot.state.arm_target.copy()
        for point in CARRY_POINTS:
            carry, error = carrying_pose(robot, world, planner, None, point)
            if error < 0.05 and planner.clear([start, carry], holding=False):
                return as_floats(carry)
        return None
    finally:
        robot.state.arm_target, robot.state.torso_target = saved


@dataclass
class SnapPlace(_Snap):
    """:class:`Place` with Habitat 3.0's "magic" place as the fallback: the arm's own place
    first; if that fails still holding the object (or having let it go off the surface:
    the oracle takes it back), the robot gets within ``snap_reach`` of the surface (base
    centre) and the object is set down at rest on the free point of the surface nearest
    it (:attr:`snapped`). With ``check_rest`` the skill then waits for the object to come
    to rest and checks it is on the surface; if not (it rolled off), the oracle takes it
    back and tries the next free point (at most :data:`PLACE_TRIES`). ``home``,
    ``furniture`` and ``surface`` as for :class:`Place`."""

    furniture: str = ""
    home: InitVar[Any] = None
    surface: int | None = None
    place: Place | None = None
    check_rest: bool = True
    tried: list = field(default_factory=list)   # the points set down on
    released: str = ""                  # the object the oracle set down
    settling: int = 0

    def __post_init__(self, home):
        self.child = self.place = Place(furniture=self.furniture, surface=self.surface, home=home)

    def _what(self) -> str:
        return self.furniture

    def _other_wheres(self, robot, world):
        _, (x0, y0, x1, y1), _ = self.place.surfaces[self.place.surface]
        cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
        edges = [(cx, y0), (cx, y1), (x0, cy), (x1, cy)]
        return [(cx, cy)] + [nearest_in_rect(e, (x0, y0, x1, y1), 0.1) for e in edges]

    def _update(self, robot, world):
        if self.stage == "settle":
            self._settle(robot, world)
        else:
            super()._update(robot, world)

    def _settle(self, robot, world) -> None:
        from embodied.sim.kinematic import holder_of

        height, rect, _ = self.place.surfaces[self.place.surface]
        body = world.body_id(self.released)
        if still_settling(world, body, self.settling):
            self.settling += 1
            return
        problem = self.place._check(world, body, height, rect)
        if not problem:
            self.done()
            return
        holder = holder_of(world, body)
        if (len(self.tried) >= PLACE_TRIES or holder is not None
                or _base_distance(robot, world, world.data.xipos[body, :2]) > self.snap_reach):
            self.fail(problem + (f" (taken by {holder})" if holder is not None else ""))
            return
        robot.grasp(world, body=body)          # it rolled off: take it back, try elsewhere
        self.stage, self.settling = "snap", 0

    def _where(self, robot, world):
        from embodied.sim.kinematic import holder_of

        dropped = self.place.placed
        if not robot.is_holding() and dropped and holder_of(world, world.body_id(dropped)) is None:
            robot.grasp(world, body=world.body_id(dropped))    # let go off the surface: again
        if not robot.is_holding():
            self.why = self.why or "not holding an object"
            return None
        _, rect, _ = self.place.surfaces[self.place.surface]
        return nearest_in_rect(robot.base_pose(world)[:2], rect, 0.1)

    def _snap(self, robot, world):
        place = self.place
        height, rect, clearance = place.surfaces[place.surface]
        spots = [q for q in place.spots(robot, world, height, rect, clearance, reach=self.snap_reach)
                 if q not in self.tried]
        if not spots:
            self.fail(_after(self.why, f"no free point of {self.furniture} within "
                             f"{self.snap_reach} m for the oracle"))
            return
        self.released = world.model.body(robot.state.held_body).name
        robot.release(world, above=(spots[0][0], spots[0][1], height + 0.3))
        self.snapped = True
        if not self.check_rest:
            self.done()
            return
        self.tried.append(spots[0])
        self.stage = "settle"


#: The free points an oracle place tries before giving up (its object rolling off each).
PLACE_TRIES = 3


__all__ = ["BaseCommand", "NavigateTo", "Drive", "Face", "MoveArm", "Pick", "Place", "SnapPick",
           "SnapPlace", "carrying_pose", "lookahead_point", "clear_lookahead"]
