"""Robot skills: navigate along the shortest path, pick an object, place it on a surface.

Run inside the robot (``robot.run(skill)``) they command its base, arm and gripper each
control step. :meth:`NavigateTo.command` also gives the base command for the current
state without acting, for policies that turn it into an env action (the SocialNav
expert does).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from embodied.errors import check_range
from embodied.geometry import wrap_angle
from embodied.skills.base import Skill

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
    shortest path on the robot's navigation map (``robot.navmap``).

    Each step the base steers at the path point ``lookahead`` metres ahead: it turns in
    place while that point is more than ``turn_in_place`` rad off its heading, else
    drives at ``speed_gain`` m/s per metre still to go beyond ``stop_distance`` (scaled
    by the cosine of the heading error). Done within ``stop_distance + tolerance`` of the
    goal (geodesic); fails when there is no path or after ``timeout`` seconds (default
    from the distance at the start).
    """

    goal: tuple[float, float] | None = None
    target: str | None = None
    stop_distance: float = 0.0
    tolerance: float = 0.1
    lookahead: float = 0.8
    turn_gain: float = 2.5
    speed_gain: float = 1.2
    turn_in_place: float = 1.0
    timeout: float | None = None

    def __post_init__(self):
        if (self.goal is None) == (self.target is None):
            from embodied.errors import ConfigError

            raise ConfigError("NavigateTo", (self.goal, self.target),
                              reason="give exactly one of goal (x, y) and target (an entity name)")
        for name in ("stop_distance", "tolerance", "lookahead", "turn_gain", "speed_gain",
                     "turn_in_place"):
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
        rx, ry, yaw = robot.base_pose(world)
        goal = self.goal_xy(world)
        if distance is None:
            distance = navmap.geodesic_distance((rx, ry), (float(goal[0]), float(goal[1])))
        path = navmap.shortest_path(np.array([rx, ry]), goal)
        aim = lookahead_point(path, self.lookahead) if path is not None else goal
        heading_error = wrap_angle(math.atan2(aim[1] - ry, aim[0] - rx) - yaw)
        speed = self.speed_gain * (distance - self.stop_distance)
        if abs(heading_error) > self.turn_in_place:
            speed = 0.0
        else:
            speed *= math.cos(heading_error)
        return BaseCommand(speed, self.turn_gain * heading_error, distance, heading_error,
                           path is not None)

    def _update(self, robot, world):
        command = self.command(robot, world)
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
