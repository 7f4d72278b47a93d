"""Humanoid partners of SocialRearrange: who decides what the humanoid does next.

A partner looks at the episode through the task's privileged view and hands the humanoid
skills of :mod:`embodied.skills.humanoid` (its own walk, reach, pick, carry and place
motions). Its memory is plain data (its plan), part of the task's state, so snapshots and
forks replay it exactly; its draws come from the World's ``partner`` stream.

Registered partners (``config.partner``):

- ``plan_pop_1`` ... ``plan_pop_4``: Habitat 3.0's Plan-Pop p. Each episode the partner
  draws its goal among p options and plans once: p=1 always object 0; p=2 object 0 or
  object 1; p=3 object 0, object 1 or both; p=4 nothing, object 0, object 1 or both. It
  carries out the plan (pick, then place on the goal, object by object) and waits when
  the plan is empty. A plan step the robot has made pointless (the object is already on
  its goal or in the robot's hand) is skipped.
- ``greedy``: always goes for the nearest object not yet on its goal nor held by the
  robot, until none is left (also what the humanoid does alone, for Relative Efficiency).
- ``waiting``: stands still all episode (the robot alone).
- ``keyboard``: a person drives the humanoid (``embodied teleop task=social_rearrange``):
  the partner never hands it a skill and declares no intent.
- ``external``: an outside policy drives the humanoid (PettingZoo's parallel env,
  :func:`embodied.envs.parallel_env`), as ``keyboard`` leaves it to a person.
- ``learned``: a learned humanoid policy (``config.partner_checkpoint``: a humanoid's
  checkpoint from a ``partners=learn_single`` or ``learn_pop`` training run, see
  :mod:`embodied.training.cotrain`) chooses the humanoid's next skill from its own
  observations whenever its last one ended. It declares no intent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from embodied.errors import NotFoundError

if TYPE_CHECKING:
    import numpy as np

    from embodied.skills.base import Skill
    from embodied.tasks.social_rearrange.task import SocialRearrangeView

#: Plan-Pop p's goal options (tuples of target indices; () means do nothing).
PLAN_POP_GOALS = {1: ((0,),), 2: ((0,), (1,)), 3: ((0,), (1,), (0, 1)),
                  4: ((), (0,), (1,), (0, 1))}


@dataclass
class Partner:
    """Base class: a plan of ``(verb, target)`` steps carried out one skill at a time.

    ``intent`` holds the targets the partner means to move this episode (a privileged
    robot may read it); ``idle`` tells it has nothing left to do. A pick or place that
    failed (the robot in the way of every place to stand, say) is tried again, up to
    ``retries`` times an episode."""

    plan: list[tuple[str, int]] = field(default_factory=list)
    intent: tuple[int, ...] = ()
    idle: bool = False
    retries: int = 0
    retried: int = 0

    name = "partner"

    def reset(self, view: "SocialRearrangeView", rng: "np.random.Generator") -> None:
        """Start an episode (draw a goal, make a plan)."""
        self.plan, self.intent, self.idle, self.retried = [], (), False, 0

    def update(self, view: "SocialRearrangeView", task=None) -> "Skill | None":
        """Called before each control step: a new skill for the humanoid, or None to let
        the running one go on (``task``: the episode's task, for partners that read the
        humanoid's observations; a partner keeps no reference to it)."""
        from embodied.skills.base import Status
        from embodied.skills.humanoid import Pick, Place

        h = view.agent(view.humanoid)
        skill = h.behaviour
        if (isinstance(skill, (Pick, Place)) and skill.status is Status.FAILED
                and self.retried < self.retries):
            body = skill.object if isinstance(skill, Pick) else (
                view.world.model.body(h.holding).name if h.holding is not None else None)
            i = view.target_of_body(body) if body is not None else None
            if i is not None:
                self.retried += 1
                self.retry("pick" if isinstance(skill, Pick) else "place", i)
                self.idle = False
                return self._next(view)
        if skill is not None and skill.running:
            if isinstance(skill, Pick) and skill.stage != "retract":
                i = view.target_of_body(skill.object)
                if i is not None and (view.held_by[i] not in ("", view.humanoid) or view.placed[i]):
                    return self._next(view)      # the robot took it first (or put it away)
            return None
        if self.idle:
            return None
        return self._next(view)

    def _next(self, view: "SocialRearrangeView") -> "Skill":
        from embodied.skills.base import Wait

        while True:
            step = self.next_step(view)
            if step is None:
                self.idle = True
                return Wait()
            verb, i = step
            skill = self._skill(view, verb, i)
            if skill is not None:
                return skill

    def next_step(self, view: "SocialRearrangeView") -> tuple[str, int] | None:
        """The next plan step, or None when the plan is done."""
        return self.plan.pop(0) if self.plan else None

    def retry(self, verb: str, i: int) -> None:
        """Do the failed plan step ``(verb, i)`` again next."""
        self.plan.insert(0, (verb, i))

    def _skill(self, view: "SocialRearrangeView", verb: str, i: int) -> "Skill | None":
        """The humanoid's skill for a plan step, or None when the step is pointless now."""
        from embodied.skills.humanoid import Pick, Place

        h = view.agent(view.humanoid)
        target = view.targets[i]
        if verb == "pick":
            if view.placed[i] or view.held_by[i] or h.holding is not None:
                if self.plan and self.plan[0] == ("place", i) and view.held_by[i] != view.humanoid:
                    self.plan.pop(0)
                return None
            return Pick(object=target.body)
        if h.holding is None:
            return None
        return Place(surface=target.goal_surface)


@dataclass
class PlanPop(Partner):
    """Habitat 3.0's Plan-Pop p (see the module docs)."""

    p: int = 3
    name = "plan_pop"

    def reset(self, view, rng):
        super().reset(view, rng)
        options = PLAN_POP_GOALS[self.p]
        self.intent = options[int(rng.integers(len(options)))]
        self.plan = [(verb, i) for i in self.intent for verb in ("pick", "place")]


@dataclass
class Greedy(Partner):
    """The nearest object not on its goal nor in the robot's hand, until none is left."""

    name = "greedy"

    def reset(self, view, rng):
        super().reset(view, rng)
        self.intent = tuple(range(len(view.targets)))

    def next_step(self, view):
        h = view.agent(view.humanoid)
        if h.holding is not None:
            i = view.target_of_body(view.world.model.body(h.holding).name)
            return ("place", i) if i is not None else None
        navmap = view.navmap(view.humanoid)
        free = [i for i in range(len(view.targets)) if not view.placed[i] and view.held_by[i] == ""]
        if not free:
            return None
        here = h.xy
        return "pick", min(free, key=lambda i: (navmap.geodesic_distance(here, view.object_xy(i)), i))

    def retry(self, verb, i):
        pass                         # it chooses again from what it holds and what is left


@dataclass
class Waiting(Partner):
    """Stands still all episode."""

    name = "waiting"

    def next_step(self, view):
        return None


@dataclass
class Keyboard(Partner):
    """Leaves the humanoid to the person (or outside policy) driving it."""

    name = "keyboard"

    def update(self, view, task=None):
        return None


@dataclass
class Learned(Partner):
    """A learned humanoid policy choosing the humanoid's skills (see the module docs);
    ``checkpoint`` is its path (the policy itself is loaded once per process)."""

    checkpoint: str = ""
    name = "learned"

    def update(self, view, task=None):
        skill = view.agent(view.humanoid).behaviour
        if skill is not None and skill.running:
            return None
        policy = learned_humanoid_policy(self.checkpoint, task)
        return task.grounded_humanoid_skill(int(policy.act(task.observe(view.humanoid))))


#: Learned humanoid policies loaded in this process, by checkpoint path.
_LEARNED: dict[str, object] = {}


def learned_humanoid_policy(checkpoint: str, task):
    """The learned humanoid policy of ``checkpoint``, loaded once and checked against the
    humanoid's observations and skills in ``task``."""
    policy = _LEARNED.get(checkpoint)
    if policy is None:
        import gymnasium as gym

        from embodied.errors import ConfigError
        from embodied.policies.learned.sb3 import SB3Policy
        from embodied.tasks.social_rearrange.task import HUMANOID_SKILLS, ROBOT

        policy = SB3Policy.from_checkpoint(checkpoint)
        if policy.agent in (None, ROBOT):
            raise ConfigError("partner_checkpoint", checkpoint, reason="was trained for the "
                              "robot; a humanoid's comes from a partners=learn_single or "
                              "learn_pop run (its humanoid_K/ folders)")
        policy.checkpoint.check_compatible(
            task.name, task.obs_mode, task.agent_observation_space(policy.agent),
            gym.spaces.Discrete(len(HUMANOID_SKILLS)))
        _LEARNED[checkpoint] = policy
    return policy


#: Partner name -> a function making a fresh one.
PARTNERS: dict[str, Callable[[], Partner]] = {
    **{f"plan_pop_{p}": (lambda p=p: PlanPop(p=p)) for p in PLAN_POP_GOALS},
    "greedy": Greedy,
    "waiting": Waiting,
    "keyboard": Keyboard,
    "external": Keyboard,
    "learned": Learned,
}


def check_partner(name: str) -> str:
    """``name`` if it is a registered partner; NotFoundError lists them otherwise."""
    if name not in PARTNERS:
        raise NotFoundError("partner", name, PARTNERS)
    return name


def make_partner(name: str, checkpoint: str | None = None) -> Partner:
    """A fresh partner of the registered kind ``name`` (``learned``: of ``checkpoint``)."""
    partner = PARTNERS[check_partner(name)]()
    if isinstance(partner, Learned):
        partner.checkpoint = str(checkpoint)
    return partner
