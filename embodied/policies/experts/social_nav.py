"""Privileged heuristic expert for SocialNav, like Habitat 3.0's: it reads the navigation
map and the humanoid's true position (the task's privileged view), drives along the
shortest path towards the humanoid with the robot's ``NavigateTo`` skill (one per
episode: it keeps corners clear and backs off when pinned), holds a following distance
while facing it and backs off when too close."""

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
class FollowerConfig:
    """Gains and distances of the heuristic follower."""

    follow_distance: float = 1.5     # geodesic distance to hold (m)
    tolerance: float = 0.25          # dead band around follow_distance (m)
    lookahead: float = 0.8           # path point to steer at (m ahead)
    turn_gain: float = 2.5           # rad/s per rad of heading error
    speed_gain: float = 1.2          # m/s per m of distance error
    turn_in_place: float = 1.0       # heading errors above this (rad) turn without driving
    obstacle_stop: float = 0.25      # stop driving forward when the scan sees this close (m)
    obstacle_slow: float = 0.0       # ... and slow to crawl_speed when anything ahead-ish is
    crawl_speed: float = 0.3         #     this close (m beyond the base radius, +-90 deg; 0: touching)
    give_way: float = 0.0            # back away, facing it, from a humanoid walking at the robot
                                     # within this distance (m, centres; 0: never)

    def __post_init__(self):
        for name in ("follow_distance", "tolerance", "lookahead", "turn_gain", "speed_gain",
                     "turn_in_place", "obstacle_stop", "obstacle_slow", "crawl_speed"):
            check_range(f"heuristic.{name}", getattr(self, name), low=0.0)


class SocialNavHeuristic(Policy):
    """Shortest-path follower with privileged map and humanoid position (SocialNav)."""

    name = "heuristic"

    def __init__(self, config: FollowerConfig | None = None):
        self.config = config or FollowerConfig()
        self._navigate = None          # the episode's NavigateTo (it remembers being stuck)

    def reset(self, env: gym.Env, seed: int | None = None) -> None:
        self._navigate = None

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
        if cfg.give_way > 0.0 and self._walking_at(view, (rx, ry), human, cfg.give_way):
            speed, turn = -float(view.actions[view.robot].scale[0]), cfg.turn_gain * bearing_to_human
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

    @staticmethod
    def _walking_at(view, robot_xy, human_xy, within: float) -> bool:
        """Whether the humanoid, within ``within`` m, walks towards the robot (closing at
        more than 0.3 m/s)."""
        gap = np.asarray(robot_xy, float) - human_xy
        dist = float(np.linalg.norm(gap))
        if dist >= within or dist < 1e-6:
            return False
        human = view.agent(view.humanoid)
        closing = human.speed * (math.cos(human.yaw) * gap[0] + math.sin(human.yaw) * gap[1]) / dist
        return closing > 0.3


def _build(policy_cfg, checkpoint) -> SocialNavHeuristic:
    from embodied.config import build_dataclass

    return SocialNavHeuristic(build_dataclass(FollowerConfig, policy_cfg.get("config"),
                                              "policy.config"))


register_policy("heuristic", _build, config_class=FollowerConfig)
