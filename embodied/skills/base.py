"""What every skill is: a small state machine run once per control step that commands
one agent and reports running / done / failed with a reason.

A skill is a plain dataclass. Running inside its agent (``agent.run(skill)``), it is part
of the agent's state, so World snapshots and forks replay it exactly; its randomness
comes from the agent's own stream ``world.rng(agent.name)``. Skills name no task: tasks,
experts, partners, planners and people compose them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from embodied.sim.world import World


class Status(enum.Enum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class Skill:
    """Base class: subclasses implement :meth:`_update` (one control step of work)."""

    status: Status = field(default=Status.RUNNING, init=False)
    reason: str = field(default="", init=False)
    steps: int = field(default=0, init=False)

    @property
    def running(self) -> bool:
        return self.status is Status.RUNNING

    def update(self, agent: Any, world: "World") -> Status:
        """One control step; returns the status afterwards."""
        if self.running:
            self.steps += 1
            self._update(agent, world)
        return self.status

    def _update(self, agent: Any, world: "World") -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _update()")

    def done(self) -> None:
        self.status = Status.DONE

    def fail(self, reason: str) -> None:
        self.status, self.reason = Status.FAILED, reason

    def _run_child(self, agent, world) -> bool:
        """Step ``self.child`` (a sub-skill); True once it is done. Its failure fails this
        skill, with its reason."""
        self.child.update(agent, world)
        if self.child.status is Status.FAILED:
            self.fail(f"{type(self.child).__name__.lower()}: {self.child.reason}")
        return self.child.status is Status.DONE


def active(skill: Skill | None, kind: type) -> Skill | None:
    """The running ``kind`` skill ``skill`` is carrying out now: itself, or the sub-skill
    (``child``) it runs, or that one's, and so on; None when there is none."""
    while skill is not None and skill.running:
        if isinstance(skill, kind):
            return skill
        skill = getattr(skill, "child", None)
    return None


@dataclass
class Wait(Skill):
    """Stand still (for ``duration`` seconds, or until interrupted when None)."""

    duration: float | None = None

    def _update(self, agent, world):
        agent.stop()
        if self.duration is not None and self.steps * world.dt >= self.duration:
            self.done()


@dataclass
class Refused(Skill):
    """A call that cannot work now (a place with nothing in hand ...): fails at its first
    step with ``why``, so callers get a failed status with a reason, not an exception."""

    why: str = ""

    def _update(self, agent, world):
        agent.stop()
        self.fail(self.why)


@dataclass
class Sequence(Skill):
    """Run skills one after another; fails as soon as one fails."""

    children: list[Skill] = field(default_factory=list)
    index: int = 0

    def _update(self, agent, world):
        while self.index < len(self.children):
            child = self.children[self.index]
            child.update(agent, world)
            if child.status is Status.FAILED:
                self.fail(f"step {self.index} ({type(child).__name__}): {child.reason}")
                return
            if child.status is Status.RUNNING:
                return
            self.index += 1
        self.done()
