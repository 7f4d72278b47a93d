"""The followed humanoid's own objective when an outside policy walks it: errands.

SocialNav rewards the robot only. A learned humanoid (trained through the parallel env,
``humanoid_objective="errands"``) needs an objective of its own, one that makes it react
to the robot instead of wandering blind: it walks errands, a seeded sequence of goals
across the home (drawn as the wandering humanoid draws its goals), and is rewarded for
progress along its geodesic to the current goal and for arriving, and penalised while
the robot touches it and while the robot is inside its intimate zone (Hall's 0.45 m,
:class:`~embodied.tasks.social_nav.terms.ProxemicsConfig`). Its observations gain where
its goal is and the point about a metre ahead on its shortest path there (so walls are
the planner's business and the robot is the policy's).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from embodied.errors import check_range

#: Humanoid objectives of SocialNav: none (the task rewards the robot only) or errands.
HUMANOID_OBJECTIVES = ("none", "errands")


@dataclass(frozen=True)
class ErrandsConfig:
    """The errands' goals and the humanoid's reward for them.

    Args:
        goal_radius: a goal is reached within this distance of the humanoid (m).
        min_goal_distance: goals are drawn at least this far from the humanoid (m,
            straight line) when possible.
        lookahead: the observed waypoint is this far along the shortest path (m).
        progress_weight: reward per metre of geodesic progress to the goal.
        arrival_bonus: reward on reaching a goal.
        contact_penalty: penalty per step the robot touches the humanoid.
        intrusion_penalty: penalty per step the robot is inside the humanoid's intimate
            zone (body separation under ``proxemics.intimate``).
    """

    goal_radius: float = 0.5
    min_goal_distance: float = 3.0
    lookahead: float = 1.0
    progress_weight: float = 1.0
    arrival_bonus: float = 2.0
    contact_penalty: float = 1.0
    intrusion_penalty: float = 0.05

    def __post_init__(self):
        check_range("errands.goal_radius", self.goal_radius, 0.05, 5.0)
        check_range("errands.min_goal_distance", self.min_goal_distance, 0.0, 50.0)
        check_range("errands.lookahead", self.lookahead, 0.05, 10.0)
        for name in ("progress_weight", "arrival_bonus", "contact_penalty", "intrusion_penalty"):
            check_range(f"errands.{name}", getattr(self, name), 0.0, 100.0)


class Errands:
    """One episode's errands: the current goal, the geodesic to it, what was reached, the
    last step's reward terms. ``navmap`` is the humanoid's; goals are drawn with the
    ``rng`` given (a stream of the World, taken afresh each time, so that snapshots and
    forks replay them)."""

    def __init__(self, config: ErrandsConfig, navmap, position, rng: np.random.Generator):
        self.config, self.navmap = config, navmap
        self.reached = 0
        self.total = 0.0                    # the humanoid's return so far
        self.terms = self.zero_terms()
        self.goal = self._draw(position, rng)
        self.distance = self._geodesic(position)

    @staticmethod
    def zero_terms() -> dict[str, float]:
        return {"progress": 0.0, "arrival": 0.0, "contact": 0.0, "intrusion": 0.0}

    def _draw(self, position, rng) -> tuple[float, float]:
        from embodied.skills.humanoid import draw_walk_goal

        goal = draw_walk_goal(self.navmap, rng, position, None, self.config.min_goal_distance)
        if goal is None:                    # nowhere to go: the errand is to stay
            goal = position
        return float(goal[0]), float(goal[1])

    def _geodesic(self, position) -> float:
        d = self.navmap.geodesic_distance(position, self.goal)
        return d if math.isfinite(d) else math.dist(position, self.goal)

    def update(self, position, touching: bool, separation: float, intimate: float,
               rng: np.random.Generator) -> float:
        """Account one step (the humanoid at ``position``, the robot touching it or not,
        their body ``separation``); returns the humanoid's reward for it."""
        cfg = self.config
        distance = self._geodesic(position)
        terms = {"progress": cfg.progress_weight * (self.distance - distance), "arrival": 0.0,
                 "contact": -cfg.contact_penalty * bool(touching),
                 "intrusion": -cfg.intrusion_penalty * (separation < intimate)}
        if math.dist(position, self.goal) <= cfg.goal_radius:
            terms["arrival"] = cfg.arrival_bonus
            self.reached += 1
            self.goal = self._draw(position, rng)
            distance = self._geodesic(position)
        self.distance = distance
        self.terms = terms
        reward = float(sum(terms.values()))
        self.total += reward
        return reward

    def waypoint(self, position) -> tuple[float, float]:
        """The point ``lookahead`` metres along the shortest path from ``position`` to the
        goal, or nearer until it is in clear view (so that walking straight at it cannot
        cut a corner); the goal when no path is found."""
        from embodied.skills.robot import clear_lookahead

        path = self.navmap.shortest_path(position, self.goal)
        if path is None or len(path) < 2:
            return self.goal
        p = clear_lookahead(self.navmap, tuple(position), np.asarray(path, float),
                            self.config.lookahead)
        return float(p[0]), float(p[1])

    def state(self) -> dict:
        return {"goal": self.goal, "distance": self.distance, "reached": self.reached,
                "total": self.total, "terms": dict(self.terms)}

    @classmethod
    def restored(cls, config: ErrandsConfig, navmap, state: dict) -> "Errands":
        """The errands as :meth:`state` saved them."""
        errands = cls.__new__(cls)
        errands.config, errands.navmap = config, navmap
        errands.goal = tuple(state["goal"])
        errands.distance, errands.reached = state["distance"], state["reached"]
        errands.total = state["total"]
        errands.terms = dict(state["terms"])
        return errands
