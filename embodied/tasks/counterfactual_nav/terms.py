"""CounterfactualNav's measures as plain computations: reward terms, how far the robot
moved the people from their robot-free twins, and the navigation metrics.

The perturbation is SACSoN's counterfactual perturbation computed exactly: with
``p_i(t)`` person i's position in the episode and ``q_i(t)`` in its twin without the
robot (same start, same random streams),

    perturbation = mean over people i and steps t of ||p_i(t) - q_i(t)||   (m)

with its maximum, the share of people displaced more than ``DISPLACED`` at some step, the
change in the time people take to reach the goals they reach in both runs, the change in
the number of goals they reach, and the change in the length they walk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from embodied.tasks.counterfactual_nav.config import CounterfactualNavRewardConfig
from embodied.tasks.social_nav.terms import ProxemicsConfig

#: A person moved this far (m) from its robot-free twin at some step counts as displaced.
DISPLACED = 0.2
#: Zones of the separation (m, between bodies) to the closest person, HuNavSim's.
ZONES = ("intimate", "personal", "social", "public")


def reward_terms(progress: float, success: bool, touching: bool, displacement: float,
                 cfg: CounterfactualNavRewardConfig) -> dict[str, float]:
    """The step's named reward terms (their sum is the reward)."""
    return {"progress": cfg.progress * progress,
            "success": cfg.success if success else 0.0,
            "collision": -cfg.collision if touching else 0.0,
            "slack": -cfg.slack,
            "perturbation": -cfg.perturbation * displacement}


def zone_of(separation: float, proxemics: ProxemicsConfig) -> int:
    """Index in :data:`ZONES` of a separation (m)."""
    if separation < proxemics.intimate:
        return 0
    if separation < proxemics.personal:
        return 1
    return 2 if separation < proxemics.social else 3


@dataclass
class Walks:
    """What one run (with or without the robot) did to each person: where each was last,
    how far each has walked, and each goal it reached ``(goal, step)``, in order."""

    last: np.ndarray
    walked: np.ndarray
    arrivals: list[list[tuple[tuple[float, float], int]]]
    reached: list[int]
    goals: list

    @classmethod
    def start(cls, xy: np.ndarray, crowd) -> "Walks":
        n = len(xy)
        return cls(np.array(xy, float), np.zeros(n), [[] for _ in range(n)],
                   [p.reached for p in crowd.persons], [p.goal for p in crowd.persons])

    def add(self, xy: np.ndarray, crowd, step: int) -> None:
        """The people's positions after ``step`` and the crowd that walked them."""
        self.walked += np.hypot(*(xy - self.last).T)
        self.last = np.array(xy, float)
        for i, p in enumerate(crowd.persons):
            if p.reached > self.reached[i] and self.goals[i] is not None:
                self.arrivals[i].append((self.goals[i], step))
            self.reached[i], self.goals[i] = p.reached, p.goal


@dataclass
class Perturbation:
    """Accumulates the displacement of the people from their robot-free twins step by
    step; :meth:`summary` gives the perturbation metrics."""

    with_robot: Walks
    without_robot: Walks
    total: float = 0.0                    # sum over steps of the mean displacement
    steps: int = 0
    largest: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @classmethod
    def start(cls, xy: np.ndarray, crowd, twin_crowd) -> "Perturbation":
        return cls(Walks.start(xy, crowd), Walks.start(xy, twin_crowd), largest=np.zeros(len(xy)))

    def add(self, xy: np.ndarray, crowd, twin_xy: np.ndarray, twin_crowd, step: int) -> float:
        """Record a step; the mean displacement (m) of the people at it."""
        self.with_robot.add(xy, crowd, step)
        self.without_robot.add(twin_xy, twin_crowd, step)
        displacement = np.hypot(*(np.asarray(xy) - twin_xy).T)
        np.maximum(self.largest, displacement, out=self.largest)
        mean = float(displacement.mean())
        self.total += mean
        self.steps += 1
        return mean

    def summary(self, dt: float) -> dict[str, float]:
        a, b = self.with_robot, self.without_robot
        delays = []
        for got, would in zip(a.arrivals, b.arrivals):
            for (goal, step), (twin_goal, twin_step) in zip(got, would):
                if goal != twin_goal:          # their errands parted: no longer comparable
                    break
                delays.append((step - twin_step) * dt)
        return {"perturbation": self.total / self.steps if self.steps else 0.0,
                "perturbation_max": float(self.largest.max()) if self.largest.size else 0.0,
                "displaced_share": float(np.mean(self.largest > DISPLACED)) if self.largest.size else 0.0,
                "goal_delay": float(np.mean(delays)) if delays else 0.0,
                "goals_compared": float(len(delays)),
                "goals_reached_change": float(sum(map(len, a.arrivals)) - sum(map(len, b.arrivals))),
                "path_length_change": float(np.mean(a.walked - b.walked)) if a.walked.size else 0.0}


@dataclass
class NavigationRecord:
    """The robot's navigation so far: path length, closest separations and contacts."""

    shortest: float                       # geodesic start-goal distance, l (m)
    walked: float = 0.0                   # path length driven, p (m)
    min_separation: float = math.inf
    zone_steps: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    collision_steps: int = 0
    steps: int = 0
    success: bool = False

    def add(self, moved: float, separation: float, touching: bool, proxemics: ProxemicsConfig) -> None:
        self.walked += moved
        self.min_separation = min(self.min_separation, separation)
        self.zone_steps[zone_of(separation, proxemics)] += 1
        self.collision_steps += int(touching)
        self.steps += 1

    def summary(self, dt: float) -> dict[str, float]:
        spl = self.shortest / max(self.walked, self.shortest, 1e-9) if self.success else 0.0
        steps = max(self.steps, 1)
        out = {"success": float(self.success), "spl": float(spl),
               "episode_time": self.steps * dt, "path_length": self.walked,
               "shortest_path": self.shortest, "collision": float(self.collision_steps > 0),
               "collision_steps": float(self.collision_steps),
               "min_separation": float(self.min_separation)}
        out.update({f"{zone}_zone_ratio": n / steps for zone, n in zip(ZONES, self.zone_steps)})
        return out


__all__ = ["DISPLACED", "ZONES", "NavigationRecord", "Perturbation", "Walks", "reward_terms",
           "zone_of"]
