"""SocialNav reward terms, the "found" predicate and episode metrics, as pure functions.

Definitions follow Habitat 3.0's Social Navigation task as habitat-lab implements it:

- found at step t: ``found_min <= d < found_max`` (geodesic, metres) and the robot faces
  the humanoid: cos(robot forward, direction to humanoid) > ``facing_cos``.
- reward per step (d = geodesic distance now, d_prev = at the previous step):
  +2 if 1 <= d < 2; +(d - d_prev) if d < 1 (backing off); +(d_prev - d) if d >= 2
  (approaching); +3 * cos(facing) if d < 3; -1 on a robot-humanoid collision; -0.1
  slack; and, by protocol (below): v0, -0.01 x the collision steps so far and +10 once
  when the found-step count reaches ``success_steps``, the first step's reward 0;
  ``habitat``, -0.01 on each step in which the robot's contact count rose (habitat-lab's
  ``count_coll_pen``; here: it touched anything but the floor) and +10 on every step once
  the episode is a success (``RLTaskEnv``), the first step's reward the slack alone.

Social-navigation metrics (proxemics zones as in HuNavSim) are computed from per-step
records at the end of the episode.

Two protocols (``SocialNavConfig.protocol``). ``"v0"`` is SocialNav-v0 as released (l* from
an oracle that drives the geodesic with turning and facing free; following rate over the
steps the episode ran; backup/yield over the steps after the first found one, on the
geodesic distance; beside its SPL, :func:`turn_then_go_spl`, what a turn-then-go robot
at its real turn rate scores under it). ``"habitat"`` (SocialNav-v1) is habitat-lab
v0.3.0's: l* from :func:`turn_then_go_steps` (the oracle robot of
``oracle_social_nav_actions.py``),
following rate over ``max_steps - l*`` even when a collision ended the episode early,
SPL and following rate 0 when the oracle never gets there, backup/yield over all steps
within 1.5 m (Euclidean).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from embodied.errors import check_range
from embodied.geometry import facing_cosine, wrap_angle
from embodied.tasks.navigation import is_stuck

TERM_NAMES = ("distance", "facing", "collision", "collision_count", "slack", "success")
PROTOCOLS = ("v0", "habitat")
#: Habitat 3.0's oracle turns in place while its next waypoint is this far off (rad).
ORACLE_TURN_THRESHOLD = 0.1
#: Backing up, as Habitat 3.0 counts it, is any backward motion of its kinematic base; our
#: base is dynamic, so "any" is taken beyond this much measurement noise (m/s).
HABITAT_BACKUP_SPEED = 0.01


@dataclass(frozen=True)
class SocialNavRewardConfig:
    """Reward weights and thresholds (defaults: Habitat 3.0's values)."""

    found_min: float = 1.0
    found_max: float = 2.0
    facing_cos: float = 0.5
    in_range_reward: float = 2.0
    facing_weight: float = 3.0
    facing_radius: float = 3.0
    collision_penalty: float = 1.0
    collision_count_penalty: float = 0.01
    slack: float = 0.1
    success_bonus: float = 10.0
    success_steps: int = 400

    def __post_init__(self):
        for name in ("found_min", "found_max", "facing_radius", "in_range_reward",
                     "facing_weight", "collision_penalty", "collision_count_penalty", "slack",
                     "success_bonus"):
            check_range(f"reward.{name}", getattr(self, name), low=0.0)
        check_range("reward.facing_cos", self.facing_cos, -1.0, 1.0)
        check_range("reward.success_steps", self.success_steps, low=1, integer=True)
        if self.found_min >= self.found_max:
            from embodied.errors import ConfigError

            raise ConfigError("reward.found_min", self.found_min,
                              reason=f"must be below reward.found_max={self.found_max}")


def is_found(distance: float, facing: float, cfg: SocialNavRewardConfig) -> bool:
    """Habitat 3.0's "found/following" predicate."""
    return cfg.found_min <= distance < cfg.found_max and facing > cfg.facing_cos


def reward_terms(distance: float, prev_distance: float, facing: float, collided: bool,
                 collision_count: int, became_success: bool, first_step: bool,
                 cfg: SocialNavRewardConfig, protocol: str = "v0") -> dict[str, float]:
    """Named reward terms of one step; their sum is the reward.

    Args:
        distance, prev_distance: geodesic robot-humanoid distance now and one step ago.
        facing: cosine between the robot's forward axis and the direction to the humanoid.
        collided: a robot-humanoid contact happened during this step.
        collision_count: what the count penalty multiplies: v0, the collision steps so far
            (this one included); ``habitat``, 1 if the robot's contact count rose in this
            step (it touched anything but the floor), else 0.
        became_success: v0, the found-step count reached ``success_steps`` at this step;
            ``habitat``, the episode is a success (the bonus comes every step from then).
        first_step: the first step of the episode: its reward is 0 (v0), or the slack
            alone (habitat-lab v0.3.0 gives the measure 0 on it).
        protocol: ``v0`` or ``habitat``.
    """
    terms = dict.fromkeys(TERM_NAMES, 0.0)
    if first_step:
        if protocol == "habitat":
            terms["slack"] = -cfg.slack
        return terms
    if cfg.found_min <= distance < cfg.found_max:
        terms["distance"] = cfg.in_range_reward
    elif not (math.isfinite(distance) and math.isfinite(prev_distance)):
        pass                # no geodesic between them (one of them off the map) now or before
    elif distance < cfg.found_min:
        terms["distance"] = distance - prev_distance
    else:
        terms["distance"] = prev_distance - distance
    if distance < cfg.facing_radius:
        terms["facing"] = cfg.facing_weight * facing
    if collided:
        terms["collision"] = -cfg.collision_penalty
    terms["collision_count"] = -cfg.collision_count_penalty * collision_count
    terms["slack"] = -cfg.slack
    if became_success:
        terms["success"] = cfg.success_bonus
    return terms


@dataclass
class StepRecord:
    """What the metrics need from one control step."""

    distance: float            # geodesic robot-humanoid distance (m)
    separation: float          # euclidean distance minus both radii (m)
    found: bool
    forward_speed: float       # robot base velocity along its forward axis (m/s)
    collided: bool
    commanded_speed: float = 0.0   # forward speed the robot was commanded (m/s)
    euclidean: float = float("nan")   # centre-to-centre floor distance (m)


@dataclass(frozen=True)
class ProxemicsConfig:
    """HuNavSim zones (m, on the separation between agents' bodies) and motion thresholds."""

    intimate: float = 0.45
    personal: float = 1.2
    social: float = 3.6
    near_distance: float = 1.5     # backup / yield are counted within this geodesic distance
    yield_speed: float = 0.1       # |forward speed| below this counts as yielding (m/s)


@dataclass
class SocialNavMetrics:
    """Accumulates step records; :meth:`summary` gives the episode metrics."""

    reward_cfg: SocialNavRewardConfig = field(default_factory=SocialNavRewardConfig)
    proxemics: ProxemicsConfig = field(default_factory=ProxemicsConfig)
    records: list[StepRecord] = field(default_factory=list)

    def add(self, record: StepRecord) -> None:
        self.records.append(record)

    @property
    def found_steps(self) -> int:
        return sum(r.found for r in self.records)

    @property
    def first_found_step(self) -> int | None:
        """1-based index of the first found step (the number of steps it took), or None."""
        for i, r in enumerate(self.records):
            if r.found:
                return i + 1
        return None

    def summary(self, oracle_steps: float, protocol: str = "v0",
                max_steps: int | None = None) -> dict[str, float]:
        """Episode metrics. ``oracle_steps`` is l*, the fewest steps an oracle robot needs
        to first reach a found state (:func:`oracle_finding_steps` for ``protocol="v0"``,
        :func:`habitat_oracle_steps` for ``"habitat"``, where it may be inf);
        ``max_steps`` is the episode limit the habitat following rate divides by."""
        T = len(self.records)
        first = self.first_found_step
        success_found = first is not None
        after = self.records[first - 1:] if success_found else []
        found_after = sum(r.found for r in after)
        prox = self.proxemics
        seps = np.array([r.separation for r in self.records]) if T else np.zeros(0)
        if protocol == "habitat":
            l_star = float(oracle_steps)
            reached = math.isfinite(l_star)
            spl = l_star / max(l_star, first) if success_found and reached else 0.0
            following = found_after / max(max_steps - l_star, 1.0) if reached else 0.0
            near = [r for r in self.records if r.euclidean <= prox.near_distance]
            backup = sum(r.forward_speed < -HABITAT_BACKUP_SPEED for r in near) / max(T, 1)
            yielding = sum(abs(r.forward_speed) < prox.yield_speed for r in near) / max(T, 1)
        else:
            l_star = max(float(oracle_steps), 1.0)
            spl = l_star / max(l_star, first) if success_found else 0.0
            following = min(found_after / max(T - l_star, 1.0), 1.0)
            near_after = [r for r in after if r.distance <= prox.near_distance]
            n_after = max(len(after), 1)
            backup = sum(r.forward_speed < -prox.yield_speed for r in near_after) / n_after
            yielding = sum(abs(r.forward_speed) <= prox.yield_speed for r in near_after) / n_after
        return {
            "finding_success": float(success_found),
            "finding_spl": float(spl),
            "following_rate": float(following),
            "collision": float(any(r.collided for r in self.records)),
            "collision_steps": float(sum(r.collided for r in self.records)),
            "stuck_steps": float(sum(is_stuck(r.commanded_speed, r.forward_speed)
                                     for r in self.records)),
            "success": float(self.found_steps >= self.reward_cfg.success_steps),
            "found_steps": float(self.found_steps),
            "first_found_step": float(first) if success_found else float("nan"),
            "oracle_finding_steps": float(oracle_steps),
            "backup_ratio": float(backup),
            "yield_ratio": float(yielding),
            "mean_follow_distance": float(np.mean([r.distance for r in after
                                                   if np.isfinite(r.distance)] or [np.nan])),
            "min_human_distance": float(seps.min()) if T else float("nan"),
            "intimate_zone_ratio": float(np.mean(seps < prox.intimate)) if T else 0.0,
            "personal_zone_ratio": float(np.mean((seps >= prox.intimate) & (seps < prox.personal)))
            if T else 0.0,
            "episode_steps": float(T),
        }


def turn_then_go_spl(oracle_steps: float, turn_then_go: float) -> float:
    """v0's finding SPL of Habitat 3.0's turn-then-go oracle robot at the robot's own
    limits (``turn_then_go`` steps to find the humanoid, :func:`habitat_oracle_steps`):
    what turning at a finite rate costs under v0's l* (``oracle_steps``), for which
    turning is free. NaN when that oracle does not find the humanoid in the episode."""
    if not math.isfinite(turn_then_go):
        return float("nan")
    l_star = max(float(oracle_steps), 1.0)
    return l_star / max(l_star, turn_then_go)


def oracle_finding_steps(distances_from_start: Iterable[float], max_speed: float, dt: float,
                         found_max: float) -> float:
    """l*: the fewest steps after which an oracle robot could be in the found range.

    ``distances_from_start`` yields, for t = 1, 2, ..., T, the geodesic distance from the
    robot's start position to the humanoid's position at step t (its recorded trajectory).
    The oracle drives at ``max_speed`` along the shortest path, so it can be within
    ``found_max`` of the humanoid at step t when ``dist[t] - found_max < max_speed*dt*t``.
    Turning to face the humanoid is taken as free. The iterable is consumed lazily and the
    scan stops at the first such step; returns T if there is none.
    """
    t = 0
    for t, dist in enumerate(distances_from_start, start=1):
        if dist - found_max < max_speed * dt * t:
            return float(t)
    return float(t)


def turn_then_go_steps(path, yaw: float, target, step: float, turn: float, found_max: float,
                       facing_cos: float, cap: int) -> float:
    """Steps Habitat 3.0's oracle robot needs to be within ``found_max`` (along the path) of
    ``target`` and facing it (cosine > ``facing_cos``), or inf beyond ``cap`` steps.

    The oracle starts at ``path[0]`` heading ``yaw`` and follows ``path`` (the shortest
    path to ``target``; re-planning on a static map gives the rest of the same path): each
    step it turns in place by up to ``turn`` rad while its next waypoint is
    :data:`ORACLE_TURN_THRESHOLD` or more off its heading, else drives up to ``step`` m
    towards it.
    """
    points = [(float(x), float(y)) for x, y in path]
    tx, ty = float(target[0]), float(target[1])
    x, y = points[0]
    remaining = sum(math.dist(a, b) for a, b in zip(points, points[1:]))
    k = 1
    for n in range(cap + 1):
        if remaining <= found_max + 1e-9 and facing_cosine((x, y), yaw, (tx, ty)) > facing_cos:
            return float(n)
        if n == cap or k >= len(points):        # (at the path's end it faces its target)
            break
        wx, wy = points[k]
        off = wrap_angle(math.atan2(wy - y, wx - x) - yaw)
        if abs(off) >= ORACLE_TURN_THRESHOLD:
            yaw = wrap_angle(yaw + math.copysign(min(turn, abs(off)), off))
            continue
        leg = math.hypot(wx - x, wy - y)
        if step >= leg:                         # at the waypoint: on to the next one
            x, y, k = wx, wy, k + 1
            remaining -= leg
        else:
            x, y = x + (wx - x) / leg * step, y + (wy - y) / leg * step
            remaining -= step
    return math.inf


def habitat_oracle_steps(targets, distance_to, path_to, start_yaw: float, step: float,
                         turn: float, found_max: float, facing_cos: float) -> float:
    """l* as Habitat 3.0 computes it: the first step t (1-based) at which its oracle robot,
    from the robot's start pose, needs at most t steps to reach the humanoid's position at
    t (:func:`turn_then_go_steps`); inf if there is none.

    ``targets`` yields the humanoid's position at t = 1, 2, ...; ``distance_to(xy)`` and
    ``path_to(xy)`` give the geodesic distance and the shortest path (None: none) from the
    robot's start to ``xy`` (the path is only asked for when the distance alone cannot
    rule the step out).
    """
    for t, target in enumerate(targets, start=1):
        distance = distance_to(target)
        if not math.isfinite(distance) or (distance - found_max) / step > t:
            continue
        path = path_to(target)
        if path is not None and turn_then_go_steps(path, start_yaw, target, step, turn, found_max,
                                                   facing_cos, t) <= t:
            return float(t)
    return math.inf
