"""SocialRearrange robot baselines in ``skills`` mode (one grounded skill per decision).

- ``rearrange_expert``: a privileged planner that reads the partner's plan and takes the
  objects the partner is not going for (if the partner goes for both, the one it would
  do last), then anything still left; it waits a moment when the humanoid comes close
  (on while it keeps moving, at most :data:`YIELD_WAITS` times), and with nothing left
  to do it drives off to the farthest object or goal when the humanoid comes near.
- ``rearrange_inferring``: the same planner without the partner's plan: it infers which
  object the humanoid is going for from its motion (the one it holds, else the one its
  geodesic distance shrank most towards since the last decision).
- ``rearrange_none``: waits all episode (the humanoid alone).

Uniformly random skills are the generic ``random`` policy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import gymnasium as gym
import numpy as np

from embodied.policies.base import Policy, privileged_view
from embodied.policies.registry import register_policy


def _skill_index(name: str) -> int:
    from embodied.tasks.social_rearrange.task import SKILLS

    return SKILLS.index(name)


def _require_skills_mode(env: gym.Env) -> None:
    from embodied.errors import ConfigError

    if not isinstance(env.action_space, gym.spaces.Discrete):
        raise ConfigError("task.config.action_mode", "low_level", reason="the SocialRearrange "
                          "experts choose skills: use action_mode=skills")


#: Waits (of ``config.wait_seconds`` each) the experts give way for while the humanoid is
#: near and moving before going on regardless.
YIELD_WAITS = 5
#: The humanoid counts as moving when it went further than this over the last decision (m):
#: one that stands (done, or waiting for the robot) is not waited for.
MOVING = 0.1


@dataclass
class RearrangePlanner(Policy):
    """The planner shared by the two experts; :meth:`claimed` says which objects the
    humanoid is taken to be going for."""

    privileged: bool = True
    yielded: int = 0                        # waits since the humanoid came close
    humanoid_xy: tuple[float, float] | None = None   # where it was at the last decision
    last_distances: tuple | None = None     # the humanoid's distances to the targets
    last_choice: int = -1                   # the previous decision, where the robot was then
    last_xy: tuple[float, float] | None = None
    failed_again: int = 0                   # the same choice failing one time after another
    unstick: list = field(default_factory=list)   # motion primitives queued to get free

    @property
    def name(self) -> str:
        return "expert" if self.privileged else "inferring_expert"

    def reset(self, env: gym.Env, seed: int | None = None) -> None:
        _require_skills_mode(env)
        self.yielded, self.last_distances, self.humanoid_xy = 0, None, None
        self.last_choice, self.last_xy, self.failed_again, self.unstick = -1, None, 0, []

    def claimed(self, view) -> set[int]:
        """Targets the robot leaves to the humanoid."""
        n = len(view.targets)
        mine_first = [i for i in range(n) if view.held_by[i] == view.humanoid]
        if self.privileged:
            partner = view.partner
            intent = list(partner.intent)
            if len(intent) == n:            # going for all: the robot takes the last one
                intent = intent[:-1]
            return set(intent) | set(mine_first)
        navmap = view.navmap(view.humanoid)
        here = view.agent(view.humanoid).xy
        distances = tuple(navmap.geodesic_distance(here, view.object_xy(i)) for i in range(n))
        claimed = set(mine_first)
        if self.last_distances is not None and not claimed:
            shrink = [self.last_distances[i] - distances[i] for i in range(n)]
            best = max(range(n), key=lambda i: shrink[i])
            if shrink[best] > 0.2:
                claimed.add(best)
        self.last_distances = distances
        return claimed

    def act(self, observation, env: gym.Env):
        view = privileged_view(env)
        x, y, _ = view.agent(view.robot).base_pose(view.world)
        choice = self._choose(observation, view)
        if observation["skill_status"][2] > 0.5 and choice == self.last_choice:
            self.failed_again += 1
            if self.failed_again >= 2:          # failing at once where it is: get free first
                self.failed_again, self.unstick = 0, ["move_backward", "turn_left"]
        else:
            self.failed_again = 0
        if self.unstick:
            choice = _skill_index(self.unstick.pop(0))
        elif (choice == self.last_choice == _skill_index("move_forward") and self.last_xy
              and math.dist((x, y), self.last_xy) < 0.05):
            choice = _skill_index("turn_left")  # stepping aside into a wall: turn instead
        self.last_choice, self.last_xy = choice, (x, y)
        return choice

    def _choose(self, observation, view) -> int:
        """The skill the plan calls for now."""
        robot = view.agent(view.robot)
        claimed = self.claimed(view)
        interrupted = observation["skill_status"][3] > 0.5
        near = observation["agents_within_threshold"][0] > 0.5
        here = view.agent(view.humanoid).xy
        moving = self.humanoid_xy is not None and math.dist(here, self.humanoid_xy) > MOVING
        self.humanoid_xy = here
        # the humanoid came close: wait once, and on while it is passing
        if (interrupted and not self.yielded or near and self.yielded and moving) and \
                self.yielded < YIELD_WAITS:
            self.yielded += 1
            return _skill_index("wait")
        self.yielded = 0
        if robot.is_holding():
            i = view.target_of_body(robot.held_object(view.world))
            if i is not None:
                return _skill_index(f"place_{i}")
        free = [i for i in range(len(view.targets)) if not view.placed[i] and not view.held_by[i]]
        mine = [i for i in free if i not in claimed]
        if not mine and self.privileged:
            # the partner's plan is done or given up: anything it will not do is ours
            plan = {i for _, i in view.partner.plan} | ({view.target_of_body(
                view.agent(view.humanoid).behaviour.object)} if _picking(view) else set())
            mine = [i for i in free if i not in plan]
        if not mine:
            if not _in_the_way(observation):
                return _skill_index("wait")
            return _retreat(view, observation, _destination(view) if self.privileged else None)
        navmap = view.navmap(view.robot)
        x, y, _ = robot.base_pose(view.world)
        best = min(mine, key=lambda i: (navmap.geodesic_distance((x, y), view.object_xy(i)), i))
        return _skill_index(f"pick_{best}")


#: With nothing to do, the experts move off when the humanoid comes this near (m).
GIVE_WAY = 1.6


def _in_the_way(observation) -> bool:
    return float(np.hypot(*observation["other_agent_gps"])) < GIVE_WAY


#: A retreat goes to a place at least this much further from the humanoid than the robot is.
RETREAT_GAIN = 1.0


def _retreat(view, observation, destination=None) -> int:
    """Out of the humanoid's way: navigate to the object or goal position farthest (on the
    robot's map) from the humanoid, and from where it is going when that is known, if
    that takes the robot further away (a navigation skill plans round furniture and the
    humanoid); else step aside with the motion primitives."""
    navmap = view.navmap(view.robot)
    avoid = [view.agent(view.humanoid).xy] + ([destination] if destination is not None else [])
    x, y, _ = view.agent(view.robot).base_pose(view.world)
    places = {f"nav_to_obj_{i}": view.object_xy(i) for i in range(len(view.targets))}
    places.update({f"nav_to_goal_{i}": view.goal_xy(i) for i in range(len(view.targets))})

    def away(xy) -> float:
        return min(navmap.geodesic_distance(a, xy) for a in avoid)

    scores = {name: away(xy) for name, xy in places.items()}
    best = max(sorted(scores), key=lambda name: scores[name])
    if scores[best] > away((x, y)) + RETREAT_GAIN:
        return _skill_index(best)
    return _step_aside(observation)


def _step_aside(observation) -> int:
    """A motion primitive taking the robot away from the humanoid: turn until it is behind,
    then drive on."""
    x, y = (float(v) for v in observation["other_agent_gps"])
    bearing = math.atan2(y, x)
    if abs(bearing) < math.radians(120):
        return _skill_index("turn_right" if bearing > 0 else "turn_left")
    return _skill_index("move_forward")


def _destination(view) -> tuple[float, float] | None:
    """Where the humanoid's current pick or place takes it (what a privileged robot reads)."""
    from embodied.skills.humanoid import Pick, Place

    skill = view.agent(view.humanoid).behaviour
    if isinstance(skill, Pick) and skill.running:
        i = view.target_of_body(skill.object)
        return view.object_xy(i) if i is not None else None
    if isinstance(skill, Place) and skill.running:
        _, (x0, y0, x1, y1) = skill.surface
        return 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    return None


def _picking(view) -> bool:
    from embodied.skills.humanoid import Pick

    skill = view.agent(view.humanoid).behaviour
    return isinstance(skill, Pick) and skill.running


class DoNothing(Policy):
    """Waits all episode: the humanoid does the task alone."""

    name = "none"

    def reset(self, env: gym.Env, seed: int | None = None) -> None:
        _require_skills_mode(env)

    def act(self, observation, env: gym.Env):
        return _skill_index("wait")


register_policy("rearrange_expert", lambda cfg, checkpoint: RearrangePlanner(privileged=True))
register_policy("rearrange_inferring", lambda cfg, checkpoint: RearrangePlanner(privileged=False))
register_policy("rearrange_none", lambda cfg, checkpoint: DoNothing())
