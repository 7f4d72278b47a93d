"""SocialRearrange's definitions as pure functions: stage goals, reward terms, metrics.

As Habitat 3.0 defines Social Rearrangement (``multi_agent_tidy_house``): two target
objects, each with a goal receptacle; four stage goals (object 0 held, object 0 at its
goal, object 1 held, object 1 at its goal), each counted the first time it holds;
success when both objects rest on their goals and neither agent holds anything.
Per step: slack, +stage_goal per newly reached stage goal, +success on success, and a
robot-humanoid collision (which ends the episode with ``end_on_collide``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from embodied.tasks.social_rearrange.config import SocialRearrangeRewardConfig

#: The stage goals, in order: what each means is in the module docs.
STAGES = ("obj0_held", "obj0_placed", "obj1_held", "obj1_placed")
#: The named reward terms (their sum is the reward).
REWARD_TERMS = ("slack", "stage_goal", "success", "collision")


def stages_now(held: tuple[bool, bool], placed: tuple[bool, bool]) -> tuple[bool, ...]:
    """Which stage goals hold at this step (in :data:`STAGES` order)."""
    return held[0], placed[0], held[1], placed[1]


def reward_terms(new_stages: int, succeeded: bool, collided: bool,
                 cfg: SocialRearrangeRewardConfig) -> dict[str, float]:
    """The step's reward terms: ``new_stages`` stage goals reached for the first time,
    ``succeeded`` the first step of success, ``collided`` the agents touching."""
    return {"slack": cfg.slack, "stage_goal": cfg.stage_goal * new_stages,
            "success": cfg.success if succeeded else 0.0,
            "collision": cfg.collision if collided else 0.0}


@dataclass
class AgentTally:
    """Per-agent counts of an episode: distance walked (m) and idle steps (base and hands
    still: under 0.05 m/s, 0.1 rad/s and 5 mm of hand motion in the step)."""

    distance: float = 0.0
    idle_steps: int = 0
    last: tuple | None = None           # (x, y, yaw, hand xyz) at the previous step

    def add(self, x: float, y: float, yaw: float, hand, dt: float) -> None:
        import math

        hand = tuple(float(v) for v in hand)
        if self.last is not None:
            px, py, pyaw, phand = self.last
            step = math.hypot(x - px, y - py)
            turn = abs((yaw - pyaw + math.pi) % (2 * math.pi) - math.pi)
            self.distance += step
            if step < 0.05 * dt and turn < 0.1 * dt and math.dist(hand, phand) < 0.005:
                self.idle_steps += 1
        self.last = (x, y, yaw, hand)


@dataclass
class EpisodeTally:
    """What the metrics of an episode are computed from."""

    reached: list[int] = field(default_factory=lambda: [-1] * len(STAGES))   # step of each stage
    placed_by: list[str] = field(default_factory=lambda: ["", ""])          # who placed each object
    success_step: int = -1
    collisions: int = 0
    collision_steps: int = 0
    robot: AgentTally = field(default_factory=AgentTally)
    humanoid: AgentTally = field(default_factory=AgentTally)

    def metrics(self, steps: int, robot: str) -> dict[str, float]:
        """``info["metrics"]``: success, each stage goal, percent complete, steps, collisions,
        task offloading (share of the two objects the robot placed on their goals),
        distances and idle steps per agent."""
        out = {"success": float(self.success_step >= 0)}
        out.update({name: float(step >= 0) for name, step in zip(STAGES, self.reached)})
        out["percent_complete"] = 100.0 * sum(step >= 0 for step in self.reached) / len(STAGES)
        out["steps"] = float(steps)
        out["did_collide"] = float(self.collisions > 0)
        out["num_collisions"] = float(self.collisions)
        out["collision_steps"] = float(self.collision_steps)
        out["task_offloading"] = sum(by == robot for by in self.placed_by) / len(self.placed_by)
        out["robot_distance"] = float(self.robot.distance)
        out["humanoid_distance"] = float(self.humanoid.distance)
        out["robot_idle_steps"] = float(self.robot.idle_steps)
        out["humanoid_idle_steps"] = float(self.humanoid.idle_steps)
        return out
