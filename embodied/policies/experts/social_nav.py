"""Privileged heuristic expert for SocialNav, like Habitat 3.0's: it reads the navigation
map and the humanoid's true position (the task's privileged view), drives along the
shortest path towards the humanoid with the robot's ``NavigateTo`` skill (one per
episode: it keeps corners clear and backs off when pinned), holds a following distance
while facing it and backs off when too close. With ``clear_path`` it also reads the path
the humanoid is walking and, once it has found the humanoid, steps off that path (to the
nearest place in clear view far enough from it, driving backwards when that is behind)
when the humanoid is about to walk into it (the humanoid does not avoid the robot). The
``aside_*`` settings give that step aside foresight (``policies/heuristic_predict.yaml``):
no way aside across the humanoid's path or past it, and none whose drive, simulated as
the robot would drive it, comes too near the humanoid walking its path."""

from __future__ import annotations

import math
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from embodied.errors import ConfigError, check_range
from embodied.geometry import segment_distance, wrap_angle
from embodied.policies.base import Policy, privileged_view
from embodied.policies.registry import register_policy


@dataclass(frozen=True)
class FollowerConfig:
    """Gains and distances of the heuristic follower."""

    follow_distance: float = 1.5     # geodesic distance to hold (m)
    tolerance: float = 0.25          # dead band around follow_distance (m)
    lookahead: float = 0.8           # path point to steer at (m ahead)
    turn_gain: float = 2.5           # rad/s per rad of heading error
    speed_gain: float = 3.0          # m/s per m of distance error (full speed while more
                                     # than 0.33 m beyond follow_distance: it keeps up)
    turn_in_place: float = 1.0       # heading errors above this (rad) turn without driving
    obstacle_stop: float = 0.25      # stop driving forward when the scan sees this close (m)
    obstacle_slow: float = 0.0       # ... and slow to crawl_speed when anything ahead-ish is
    crawl_speed: float = 0.3         #     this close (m beyond the base radius, +-90 deg; 0: touching)
    clear_path: float = 0.0          # keep this far (m, centres) off the humanoid's path
                                     # ahead of it, stepping aside, once it has been found
                                     # (before, it is approached: 0: never)
    path_ahead: float = 4.0          # how much of its path ahead (m) is kept clear
    aside_same_side: bool = False    # step aside only to places its way to does not
                                     # cross the humanoid's path (stays on its side)
    aside_keep_off: bool = False     # ... and not past the humanoid (the way aside keeps
                                     # the distance to it it has, up to 1 m)
    aside_predict: float = 0.0       # seconds: places whose way there (driven as it would
                                     # be) comes closer than aside_separation to the
                                     # humanoid walking its path are not taken (0: off)
    aside_separation: float = 0.8    # centre distance (m) kept while stepping aside

    def __post_init__(self):
        for name in ("follow_distance", "tolerance", "lookahead", "turn_gain", "speed_gain",
                     "turn_in_place", "obstacle_stop", "obstacle_slow", "crawl_speed",
                     "clear_path", "path_ahead", "aside_predict", "aside_separation"):
            check_range(f"heuristic.{name}", getattr(self, name), low=0.0)


class SocialNavHeuristic(Policy):
    """Shortest-path follower with privileged map and humanoid position (SocialNav)."""

    name = "heuristic"

    def __init__(self, config: FollowerConfig | None = None):
        self.config = config or FollowerConfig()
        self._navigate = None          # the episode's NavigateTo (it remembers being stuck)
        self._spot = None              # where it steps to, off the humanoid's way

    def reset(self, env: gym.Env, seed: int | None = None) -> None:
        self._navigate, self._spot = None, None

    def act(self, observation, env: gym.Env):
        from embodied.skills.robot import NavigateTo
        from embodied.tasks.social_nav import SocialNavView

        view = privileged_view(env, SocialNavView)
        cfg, world = self.config, view.world
        robot = view.agent(view.robot)
        rx, ry, yaw = robot.base_pose(world)
        human = np.asarray(view.agent(view.humanoid).position[:2], float)
        distance = view.distance
        bearing_to_human = wrap_angle(math.atan2(human[1] - ry, human[0] - rx) - yaw)
        if self._navigate is None or self._navigate.target != view.humanoid:
            self._navigate = NavigateTo(target=view.humanoid, stop_distance=cfg.follow_distance,
                                        lookahead=cfg.lookahead, turn_gain=cfg.turn_gain,
                                        speed_gain=cfg.speed_gain, turn_in_place=cfg.turn_in_place)
        if distance > cfg.follow_distance + cfg.tolerance:
            speed, turn, *_ = self._navigate.steer(robot, world, distance)
        elif distance < cfg.follow_distance - cfg.tolerance:
            speed = -cfg.speed_gain * (cfg.follow_distance - distance)
            turn = cfg.turn_gain * bearing_to_human
        else:
            speed, turn = 0.0, cfg.turn_gain * bearing_to_human
        aside = (self._aside(view, robot, (rx, ry), human)
                 if cfg.clear_path > 0.0 and view.found_steps > 0 else None)
        if aside is not None:
            return view.actions[view.robot].to_action(*self._drive_to(view, (rx, ry, yaw), aside))
        scan = observation.get("range_scan") if isinstance(observation, dict) else None
        if distance <= cfg.follow_distance + cfg.tolerance:
            self._navigate.stuck = 0.0
        if speed > 0 and scan is not None:
            n = len(scan)
            front = scan[n // 2 - 2: n // 2 + 3]
            ahead = scan[n // 6: n - n // 6]            # +-90 deg of the 270 deg scan
            if float(np.min(front)) < cfg.obstacle_stop + robot.constants.base_radius:
                speed = 0.0
            elif float(np.min(ahead)) < cfg.obstacle_slow + robot.constants.base_radius:
                speed = min(speed, cfg.crawl_speed)
        return view.actions[view.robot].to_action(speed, turn)

    def _aside(self, view, robot, robot_xy, human_xy) -> tuple[float, float] | None:
        """A place off the humanoid's way to step to when the robot stands within
        ``clear_path`` of the path it walks (the next ``path_ahead`` m), else None."""
        cfg = self.config
        human = view.agent(view.humanoid)
        ahead = _path_ahead(human, cfg.path_ahead)
        if ahead is None:
            self._spot = None
            return None
        here = _polyline_distance(robot_xy, ahead)
        if self._spot is not None:         # on its way aside: until there and clear
            if here < cfg.clear_path + 0.25 and math.dist(robot_xy, self._spot) > 0.15 \
                    and _polyline_distance(self._spot, ahead) >= here:
                return self._spot
            self._spot = None
        if here >= cfg.clear_path:
            return None
        navmap = robot.navmap
        x, y = robot_xy
        human_walk = None
        if cfg.aside_predict > 0.0:
            yaw = robot.base_pose(view.world)[2]
            human_walk = _walk_along(ahead, abs(human.speed), view.world.dt,
                                     int(cfg.aside_predict / view.world.dt))
        # (tier, value), best first: 2 clear enough (nearest first), 1 as far off the way
        # as can be, 0 a way too near the humanoid (only when nothing else is left)
        best, best_score = None, (-1, -math.inf)
        for r in (0.5, 0.8, 1.1, 1.4, 1.8, 2.2, 2.6):
            for k in range(16):
                a = 2 * math.pi * k / 16
                spot = (x + r * math.cos(a), y + r * math.sin(a))
                if math.dist(spot, human_xy) < 1.0 or not navmap.is_navigable(spot) \
                        or not navmap.line_of_sight(robot_xy, spot):
                    continue
                if cfg.aside_keep_off and segment_distance(tuple(human_xy), robot_xy, spot) \
                        < min(math.dist(robot_xy, human_xy), 1.0) - 0.05:
                    continue
                if cfg.aside_same_side and any(
                        _polyline_distance((x + f * (spot[0] - x), y + f * (spot[1] - y)), ahead)
                        < min(here, cfg.clear_path) - 0.05 for f in (0.25, 0.5, 0.75)):
                    continue
                approach = (self._closest_approach(view, (x, y, yaw), spot, human_walk)
                            if human_walk else math.inf)
                off = _polyline_distance(spot, ahead)
                if approach < cfg.aside_separation:
                    score = (0, approach)
                elif off < cfg.clear_path + 0.25:
                    score = (1, off)
                else:
                    score = (2, -r)
                if score > best_score:
                    best, best_score = spot, score
        tier, value = best_score
        if best is None or tier == 1 and value < here + 0.3 \
                or tier == 0 and value <= min(math.dist(robot_xy, h) for h in human_walk):
            return None
        self._spot = best
        return best

    def _closest_approach(self, view, pose, spot, human_walk) -> float:
        """The least distance (m) between the robot driven to ``spot`` by
        :meth:`_drive_to` (unicycle, its turn limit) and the humanoid at ``human_walk``'s
        positions, one per control step."""
        x, y, yaw = pose
        dt, top_turn = view.world.dt, view.agent(view.robot).config.max_angular_speed
        closest = math.inf
        for hx, hy in human_walk:
            speed, turn = self._drive_to(view, (x, y, yaw), spot)
            yaw += max(-top_turn, min(top_turn, turn)) * dt
            x, y = x + speed * math.cos(yaw) * dt, y + speed * math.sin(yaw) * dt
            closest = min(closest, math.hypot(hx - x, hy - y))
        return closest

    def _drive_to(self, view, pose, spot) -> tuple[float, float]:
        """Forward speed and turn rate towards ``spot``, driving backwards when it is
        behind."""
        x, y, yaw = pose
        bearing = wrap_angle(math.atan2(spot[1] - y, spot[0] - x) - yaw)
        backwards = abs(bearing) > math.pi / 2
        heading_error = wrap_angle(bearing - math.pi) if backwards else bearing
        top = float(view.actions[view.robot].scale[0])
        speed = min(top, 2.0 * math.dist((x, y), spot)) * max(math.cos(heading_error), 0.0)
        return (-speed if backwards else speed), self.config.turn_gain * heading_error


def _path_ahead(human, length: float) -> list[tuple[float, float]] | None:
    """The next ``length`` m of the path the humanoid walks (its wandering leg), or None."""
    from embodied.skills.humanoid import WalkTo

    walk = getattr(human.behaviour, "child", None)
    if not isinstance(walk, WalkTo) or not walk.running or walk.path is None:
        return None
    points, left = [tuple(human.xy)], length
    for q in walk.path[walk.waypoint:]:
        leg = math.dist(points[-1], q)
        if leg >= left:
            f = left / leg if leg > 0 else 0.0
            points.append((points[-1][0] + f * (q[0] - points[-1][0]),
                           points[-1][1] + f * (q[1] - points[-1][1])))
            break
        points.append(tuple(q))
        left -= leg
    return points if len(points) > 1 else None


def _walk_along(points, speed: float, dt: float, steps: int) -> list[tuple[float, float]]:
    """Positions, one per step of ``dt``, of someone walking the polyline ``points`` at
    ``speed`` (staying at its end)."""
    out, leg, done = [], 0, 0.0
    for k in range(1, steps + 1):
        travel = speed * dt * k
        while leg < len(points) - 2 and done + math.dist(points[leg], points[leg + 1]) < travel:
            done += math.dist(points[leg], points[leg + 1])
            leg += 1
        a, b = points[leg], points[leg + 1]
        length = math.dist(a, b)
        f = min(1.0, (travel - done) / length) if length > 0 else 1.0
        out.append((a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])))
    return out


def _polyline_distance(p, points) -> float:
    """Distance (m) from ``p`` to the polyline through ``points``."""
    return min(segment_distance(p, a, b) for a, b in zip(points, points[1:]))


def _build(policy_cfg, checkpoint) -> SocialNavHeuristic:
    from embodied.config import build_dataclass

    return SocialNavHeuristic(build_dataclass(FollowerConfig, policy_cfg.get("config"),
                                              "policy.config"))


register_policy("heuristic", _build, config_class=FollowerConfig)


#: A yielding errand walker nearer the robot than its pass distance walks at this angle
#: (rad) from its bearing to the robot: sideways and a little away from it.
BACK_OFF_TURN = math.pi / 2 + 0.3


@dataclass(frozen=True)
class ErrandWalkerConfig:
    """Gains of the errand walker (actions are fractions of the humanoid's top speed and
    turn rate)."""

    turn_gain: float = 2.0          # turn command per rad of bearing to the waypoint
    turn_in_place: float = 0.6      # bearings above this (rad) walk at slow_speed
    slow_speed: float = 0.2
    yield_to_robot: bool = False    # walk round the robot instead of into it (below)
    pass_distance: float = 1.0      # centre-to-centre distance kept from the robot (m)
    notice_distance: float = 2.5    # the robot is walked round when nearer than this (m)

    def __post_init__(self):
        for name in ("turn_gain", "turn_in_place", "slow_speed", "pass_distance", "notice_distance"):
            check_range(f"errand_walker.{name}", getattr(self, name), low=0.0)
        if not isinstance(self.yield_to_robot, bool):
            raise ConfigError("errand_walker.yield_to_robot", self.yield_to_robot, (True, False))


class ErrandWalker(Policy):
    """The followed humanoid walking its errands (``humanoid_objective="errands"``) by
    steering at its ``errand_waypoint`` observation, blind to the robot by default: the
    teacher a learned humanoid is cloned from. With ``yield_to_robot`` it walks round the
    robot (``policies/errand_yielder.yaml``): when the robot stands within
    ``pass_distance`` of its way ahead it heads along the tangent that passes the robot at
    that distance on the side nearer its way, and when the robot is nearer than that and
    ahead it turns away from it. It reads only the humanoid's observation (not privileged),
    so a policy observing the same can copy it exactly."""

    name = "errand_walker"

    def __init__(self, config: ErrandWalkerConfig | None = None):
        self.config = config or ErrandWalkerConfig()

    def act(self, observation, env: gym.Env):
        cfg = self.config
        bearing = float(observation["errand_waypoint"][1])
        if cfg.yield_to_robot:
            bearing = self._round_robot(bearing, observation["robot_gps_compass"])
        forward = 1.0 if abs(bearing) < cfg.turn_in_place else cfg.slow_speed
        return np.array([forward, np.clip(cfg.turn_gain * bearing, -1.0, 1.0)], np.float32)

    def _round_robot(self, bearing: float, robot_xy) -> float:
        """The bearing to walk instead of ``bearing`` with the robot at ``robot_xy`` (the
        humanoid's frame): unchanged unless the robot is in the way."""
        cfg = self.config
        x, y = float(robot_xy[0]), float(robot_xy[1])
        distance = math.hypot(x, y)
        if distance >= cfg.notice_distance:
            return bearing
        to_robot = math.atan2(y, x)
        off_way = wrap_angle(to_robot - bearing)
        if math.cos(off_way) <= 0.0 or distance * abs(math.sin(off_way)) >= cfg.pass_distance:
            return bearing                  # behind, or already clear of the way
        if distance <= cfg.pass_distance:   # too near: away from it, on the side of the way
            return wrap_angle(to_robot + BACK_OFF_TURN * (1.0 if off_way <= 0.0 else -1.0))
        tangent = math.asin(cfg.pass_distance / distance)
        sides = (wrap_angle(to_robot + tangent), wrap_angle(to_robot - tangent))
        return min(sides, key=lambda b: abs(wrap_angle(b - bearing)))


def _build_walker(policy_cfg, checkpoint) -> ErrandWalker:
    from embodied.config import build_dataclass

    return ErrandWalker(build_dataclass(ErrandWalkerConfig, policy_cfg.get("config"),
                                        "policy.config"))


register_policy("errand_walker", _build_walker, config_class=ErrandWalkerConfig)
