"""Privileged heuristic expert for SocialNav, like the anchor's: it reads the navigation
map and the humanoid's true position, drives along the shortest path towards the
humanoid, holds a following distance while facing it and backs off when too close."""

from __future__ import annotations

import math
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from embodied.errors import ConfigError, check_range
from embodied.geometry import wrap_angle
from embodied.policies.base import Policy


def lookahead_point(path: np.ndarray, distance: float) -> np.ndarray:
    """The point ``distance`` metres along a polyline (its end if shorter)."""
    remaining = distance
    for a, b in zip(path[:-1], path[1:]):
        seg = float(np.linalg.norm(b - a))
        if seg >= remaining and seg > 0:
            return a + (b - a) * (remaining / seg)
        remaining -= seg
    return path[-1]


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

    def __post_init__(self):
        for name in ("follow_distance", "tolerance", "lookahead", "turn_gain", "speed_gain",
                     "turn_in_place", "obstacle_stop"):
            check_range(f"heuristic.{name}", getattr(self, name), low=0.0)


class SocialNavHeuristic(Policy):
    """Shortest-path follower with privileged map and humanoid position (SocialNav)."""

    name = "heuristic"

    def __init__(self, config: FollowerConfig | None = None):
        self.config = config or FollowerConfig()

    def act(self, observation, env: gym.Env):
        task = getattr(env.unwrapped, "task", None)
        if task is None or task.scene is None:
            raise ConfigError("policy", self.name,
                              reason="the heuristic needs a SocialNav env that has been reset")
        cfg, scene = self.config, task.scene
        world = scene.world
        rx, ry, yaw = scene.robot.base_pose(world)
        human = np.asarray(scene.humanoid.position[:2], float)
        robot = np.array([rx, ry])
        distance = task.distance
        bearing_to_human = wrap_angle(math.atan2(human[1] - ry, human[0] - rx) - yaw)
        if distance > cfg.follow_distance + cfg.tolerance:
            path = scene.robot_map.shortest_path(robot, human)
            target = lookahead_point(path, cfg.lookahead) if path is not None else human
            heading_error = wrap_angle(math.atan2(target[1] - ry, target[0] - rx) - yaw)
            speed = cfg.speed_gain * (distance - cfg.follow_distance)
            if abs(heading_error) > cfg.turn_in_place:
                speed = 0.0
            else:
                speed *= math.cos(heading_error)
        elif distance < cfg.follow_distance - cfg.tolerance:
            heading_error = bearing_to_human
            speed = -cfg.speed_gain * (cfg.follow_distance - distance)
        else:
            heading_error, speed = bearing_to_human, 0.0
        scan = observation.get("range_scan") if isinstance(observation, dict) else None
        if speed > 0 and scan is not None:
            front = scan[len(scan) // 2 - 2: len(scan) // 2 + 3]
            if float(np.min(front)) < cfg.obstacle_stop + task.robot_radius:
                speed = 0.0
        limits = task.action_scale
        action = np.array([speed / limits[0], cfg.turn_gain * heading_error / limits[1]])
        return np.clip(action, -1.0, 1.0).astype(np.float32)
