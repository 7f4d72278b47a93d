"""Privileged experts for CounterfactualNav: drive the shortest path to the goal blind to
people (``goal_path``), as one more ORCA agent among them (``orca_robot``), or round the
ways people are about to walk (``path_aware``).

Both read the task's privileged view (the goal, the robot's map, the people's true
positions and velocities). ``orca_robot`` asks the robot's preferred velocity (along the
shortest path) of ORCA with the people and the walls and furniture in it
(:class:`~embodied.crowds.orca.ORCAModel`, the people's discs grown by a comfort margin,
a longer horizon than the people's), and
drives the velocity it returns: it slows, yields and passes at a distance.
``path_aware`` reads the paths the people plan (the crowd's privileged state) and plans
its own shortest path with the next few seconds of each person's way occupied, so it
drives where nobody is about to be (and out of someone's way when it stands in it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from embodied.errors import check_range
from embodied.geometry import wrap_angle
from embodied.policies.base import Policy, privileged_view
from embodied.policies.registry import register_policy


@dataclass(frozen=True)
class GoalPathConfig:
    """Gains of the shortest-path driver (:class:`~embodied.skills.robot.NavigateTo`)."""

    lookahead: float = 0.8
    turn_gain: float = 2.5
    speed_gain: float = 1.2
    turn_in_place: float = 1.0

    def __post_init__(self):
        for name in ("lookahead", "turn_gain", "speed_gain", "turn_in_place"):
            check_range(f"goal_path.{name}", getattr(self, name), low=0.0)


@dataclass(frozen=True)
class ORCARobotConfig(GoalPathConfig):
    """The ORCA robot: its comfort margin (m added to the people's discs), how
    far ahead (s) it avoids them, and how many it considers."""

    comfort: float = 0.1
    time_horizon: float = 1.0
    neighbor_dist: float = 4.0
    max_neighbors: int = 8

    def __post_init__(self):
        super().__post_init__()
        check_range("orca_robot.comfort", self.comfort, 0.0, 2.0)
        check_range("orca_robot.time_horizon", self.time_horizon, 0.1, 20.0)
        check_range("orca_robot.neighbor_dist", self.neighbor_dist, 0.1, 50.0)
        check_range("orca_robot.max_neighbors", self.max_neighbors, 1, 100, integer=True)


@dataclass(frozen=True)
class PathAwareConfig(GoalPathConfig):
    """The path-aware driver: how many seconds of each person's planned way it keeps off,
    how wide (m, added to the person's disc), and how often (steps) it plans again."""

    ahead: float = 3.0
    margin: float = 0.2
    replan_every: int = 6

    def __post_init__(self):
        super().__post_init__()
        check_range("path_aware.ahead", self.ahead, 0.0, 30.0)
        check_range("path_aware.margin", self.margin, 0.0, 2.0)
        check_range("path_aware.replan_every", self.replan_every, 1, 1000, integer=True)


class GoalPathDriver(Policy):
    """The shortest path to the goal on the robot's map, blind to people."""

    name = "goal_path"

    def __init__(self, config: GoalPathConfig | None = None):
        self.config = config or GoalPathConfig()
        self._navigate = None

    def reset(self, env: gym.Env, seed: int | None = None) -> None:
        self._navigate = None

    def _view_and_command(self, env):
        from embodied.skills.robot import NavigateTo
        from embodied.tasks.counterfactual_nav import CounterfactualNavView

        view = privileged_view(env, CounterfactualNavView)
        cfg = self.config
        if self._navigate is None or self._navigate.goal != view.goal:
            self._navigate = NavigateTo(goal=view.goal, lookahead=cfg.lookahead,
                                        turn_gain=cfg.turn_gain, speed_gain=cfg.speed_gain,
                                        turn_in_place=cfg.turn_in_place)
        robot = view.agent(view.robot)
        return view, robot, self._navigate.steer(robot, view.world)

    def act(self, observation, env: gym.Env):
        view, _, command = self._view_and_command(env)
        return view.actions[view.robot].to_action(command.linear, command.angular)


class ORCARobot(GoalPathDriver):
    """The shortest path to the goal, with ORCA among the people (see the module docs)."""

    name = "orca_robot"

    def __init__(self, config: ORCARobotConfig | None = None):
        super().__init__(config or ORCARobotConfig())
        self._model, self._home = None, None

    def _orca(self, view):
        from embodied.crowds.crowd import home_obstacles
        from embodied.crowds.orca import ORCAModel

        if self._home is not view.home:
            cfg = self.config
            self._model = ORCAModel(neighbor_dist=cfg.neighbor_dist, max_neighbors=cfg.max_neighbors,
                                    time_horizon=cfg.time_horizon)
            self._model.bind(None, home_obstacles(view.home))
            self._home = view.home
        return self._model

    def act(self, observation, env: gym.Env):
        from embodied.crowds.models import Agents

        view, robot, command = self._view_and_command(env)
        cfg, world = self.config, view.world
        term = view.actions[view.robot]
        x, y, yaw = robot.base_pose(world)
        # the velocity the path asks for: along the heading it steers to, at its speed
        aim = yaw + command.heading_error
        want = max(command.linear, 0.0) if abs(command.heading_error) <= cfg.turn_in_place \
            else 0.3 * float(term.scale[0])
        if command.linear < 0.0 or want <= 1e-3:         # backing off, or there
            return term.to_action(command.linear, command.angular)
        people = [view.agent(p) for p in view.people]
        pos = [(x, y), *(h.xy for h in people)]
        forward = float(robot.base_velocity(world)[0])
        vel = [(forward * math.cos(yaw), forward * math.sin(yaw)),
               *(h.velocity_xy for h in people)]
        pref = [(want * math.cos(aim), want * math.sin(aim)), *vel[1:]]
        crowd = view.agent(view.crowd)
        n = len(pos)
        # the comfort margin goes on the people: the robot still fits through doorways
        radius = np.full(n, crowd.config.radius + cfg.comfort)
        radius[0] = robot.constants.base_radius + 0.05
        top = float(term.scale[0])
        agents = Agents(pos=np.array(pos, float), vel=np.array(vel, float), pref=np.array(pref, float),
                        radius=radius, max_speed=np.array([top] + [max(h.speed, 0.1) * 1.2 for h in people]),
                        group=np.full(n, -1))
        vx, vy = self._orca(view).velocities(agents, world.dt)[0]
        speed = math.hypot(vx, vy)
        if speed < 0.05:                                  # yield: stand, facing the way on
            return term.to_action(0.0, cfg.turn_gain * command.heading_error)
        error = wrap_angle(math.atan2(vy, vx) - yaw)
        forward = speed * max(math.cos(error), 0.0) if abs(error) <= cfg.turn_in_place else 0.0
        return term.to_action(forward, cfg.turn_gain * error)


class PathAwareDriver(GoalPathDriver):
    """The shortest path round the next seconds of the people's planned ways (see the
    module docs)."""

    name = "path_aware"

    def __init__(self, config: PathAwareConfig | None = None):
        super().__init__(config or PathAwareConfig())

    def act(self, observation, env: gym.Env):
        from embodied.tasks.counterfactual_nav import CounterfactualNavView

        view = privileged_view(env, CounterfactualNavView)
        if self._navigate is not None and view.steps % self.config.replan_every == 0:
            self._navigate.avoid = self._avoid(view)
        return super().act(observation, env)

    def _avoid(self, view) -> tuple[tuple[float, float, float], ...]:
        """What to drive round: the people's ways ahead, else (when they shut the robot off
        from its goal) where the people stand, else nothing."""
        from embodied.skills.placement import detour_map

        robot = view.agent(view.robot)
        x, y, _ = robot.base_pose(view.world)
        for ahead in (self.config.ahead, 0.0):
            discs = self._ways(view, ahead)
            if detour_map(robot.navmap, discs).shortest_path((x, y), view.goal) is not None:
                return discs
        return ()

    def _ways(self, view, ahead: float) -> tuple[tuple[float, float, float], ...]:
        """Discs (x, y, r) where each person stands and along the next ``ahead`` seconds of
        its planned path."""
        cfg = self.config
        crowd = view.agent(view.crowd)
        radius = crowd.config.radius + cfg.margin
        discs = []
        for name, p in zip(crowd.people, crowd.persons):
            here = view.agent(name).xy
            discs.append((*here, radius))
            if ahead <= 0.0 or p.pause > 0.0 or p.goal is None or not p.path:
                continue
            left = ahead * p.speed
            for a, b in zip((here, *p.path[p.waypoint:]), p.path[p.waypoint:]):
                leg = math.dist(a, b)
                for k in range(1, int(min(leg, left) / radius) + 1):
                    f = k * radius / leg
                    discs.append((a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), radius))
                left -= leg
                if left <= 0.0:
                    break
        return tuple(discs)


def _builder(cls, config_class):
    def build(policy_cfg, checkpoint):
        from embodied.config import build_dataclass

        return cls(build_dataclass(config_class, policy_cfg.get("config"), "policy.config"))
    return build


register_policy("goal_path", _builder(GoalPathDriver, GoalPathConfig), config_class=GoalPathConfig)
register_policy("orca_robot", _builder(ORCARobot, ORCARobotConfig), config_class=ORCARobotConfig)
register_policy("path_aware", _builder(PathAwareDriver, PathAwareConfig), config_class=PathAwareConfig)
