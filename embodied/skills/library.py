"""The skill library: one vocabulary of skills, with typed arguments and one-line
descriptions, for every kind of agent and every caller (scripted experts, humanoid
partners, learned high-level policies, LLM planners, people).

    library = default_library()
    skill = library.make("navigate", view, "robot", target="sofa_0")
    view.agent("robot").run(skill)
    print(library.describe("humanoid"))      # tool lines for a planner's prompt

A call names the skill and its arguments by name; arguments are checked against the
episode (a ``furniture`` argument must name a furniture piece of the home, an ``object``
a graspable object ...), and a wrong one raises :class:`~embodied.errors.NotFoundError`
listing the valid names. Each agent kind (``robot``, ``humanoid``) has its own
implementation of a skill; the name, arguments and meaning are shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from embodied.errors import ConfigError, NotFoundError, check_range

if TYPE_CHECKING:
    from embodied.skills.base import Skill
    from embodied.tasks.base import PrivilegedView

#: Argument kinds and what they name.
ARG_KINDS = {
    "furniture": "a furniture piece of the home (e.g. table_0)",
    "object": "a graspable object of the home (e.g. mug_2)",
    "entity": "a furniture piece, an object or another agent",
    "seconds": "a duration in seconds",
}


@dataclass(frozen=True)
class Arg:
    """A typed argument of a skill."""

    name: str
    kind: str
    description: str = ""
    optional: bool = False

    def __post_init__(self):
        if self.kind not in ARG_KINDS:
            raise ConfigError("argument kind", self.kind, sorted(ARG_KINDS))


@dataclass(frozen=True)
class SkillSpec:
    """One skill of the library: its name, tool name (as planners write it), arguments,
    one-line description, and how each agent kind builds it."""

    name: str
    tool: str
    args: tuple[Arg, ...]
    description: str
    builders: dict[str, Callable[..., "Skill"]] = field(default_factory=dict)

    def signature(self) -> str:
        """``Navigate[target]`` (optional arguments in brackets of their own)."""
        names = [a.name if not a.optional else f"[{a.name}]" for a in self.args]
        return f"{self.tool}[{', '.join(names)}]"


class SkillLibrary:
    """A set of :class:`SkillSpec` by name."""

    def __init__(self, specs: list[SkillSpec]):
        self.specs = {s.name: s for s in specs}
        if len(self.specs) != len(specs):
            raise ConfigError("skills", [s.name for s in specs], reason="names must be unique")

    def spec(self, name: str) -> SkillSpec:
        spec = self.specs.get(name)
        if spec is None:
            by_tool = {s.tool: s for s in self.specs.values()}
            spec = by_tool.get(name)
        if spec is None:
            raise NotFoundError("skill", name, self.specs)
        return spec

    def names(self, agent_kind: str | None = None) -> list[str]:
        """The skills an agent kind can run (all of them when None)."""
        return [n for n, s in self.specs.items() if agent_kind is None or agent_kind in s.builders]

    def describe(self, agent_kind: str) -> str:
        """One line per skill of ``agent_kind``: ``Tool[args]: description`` (for prompts)."""
        lines = []
        for name in self.names(agent_kind):
            spec = self.specs[name]
            args = "; ".join(f"{a.name}: {ARG_KINDS[a.kind]}" for a in spec.args)
            lines.append(f"{spec.signature()}: {spec.description}" + (f" ({args})" if args else ""))
        return "\n".join(lines)

    def make(self, name: str, view: "PrivilegedView", agent: str, **args: Any) -> "Skill":
        """The skill ``name`` for ``agent`` (an entity name in ``view``'s World) with
        ``args``, checked against the episode."""
        spec = self.spec(name)
        entity = view.agent(agent)
        kind = entity.category
        if kind not in spec.builders:
            raise ConfigError("skill", spec.name, reason=f"not available to a {kind} "
                              f"(available: {', '.join(self.names(kind))})")
        expected = {a.name for a in spec.args}
        unknown = sorted(set(args) - expected)
        if unknown:
            raise ConfigError(f"{spec.name}.{unknown[0]}", args[unknown[0]], sorted(expected),
                              reason="unknown argument")
        missing = [a.name for a in spec.args if not a.optional and a.name not in args]
        if missing:
            raise ConfigError(f"{spec.name}.{missing[0]}", None, reason="missing argument")
        resolved = {a.name: resolve(view, a.kind, args[a.name], agent)
                    for a in spec.args if a.name in args}
        return spec.builders[kind](view, agent, **resolved)


# -- argument resolution ---------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """A resolved ``entity`` argument: what it is, its name and where it stands."""

    kind: str                 # "furniture", "object" or "agent"
    name: str
    xy: tuple[float, float]
    body: str | None = None   # model body name (objects, furniture)


def resolve(view: "PrivilegedView", kind: str, value: Any, agent: str):
    """An argument value checked against the episode (names of the home and World)."""
    home, world = view.home, view.world
    if kind == "seconds":
        return float(check_range("seconds", value, 0.0, 3600.0))
    furniture = {f.name: f for f in home.furniture}
    objects = {o.name: o for o in home.objects}
    name = str(value)
    if kind == "furniture":
        if name not in furniture:
            raise NotFoundError("furniture piece", name, furniture)
        return furniture[name]
    if kind == "object":
        if name not in objects:
            raise NotFoundError("object", name, objects)
        return objects[name]
    agents = [n for n, e in world.entities.items() if e.category is not None and n != agent]
    if name in furniture:
        f = furniture[name]
        return Target("furniture", name, tuple(f.pos), home.furniture_body_name(name))
    if name in objects:
        body = home.object_body_name(name)
        p = world.data.xpos[world.body_id(body)]
        return Target("object", name, (float(p[0]), float(p[1])), body)
    if name in agents:
        pose = world.entity(name).get_pose(world)
        return Target("agent", name, (pose.x, pose.y))
    raise NotFoundError("furniture piece, object or agent", name, [*furniture, *objects, *agents])


def approach_point(view: "PrivilegedView", agent: str, xy) -> tuple[float, float]:
    """The navigable point of ``agent``'s map nearest ``xy`` that it can reach from where
    it stands (within 1.5 m of ``xy``; NotFoundError when there is none)."""
    from embodied.skills.placement import standing_point

    world = view.world
    pose = world.entity(agent).get_pose(world)
    point = standing_point(view.navmap(agent), (pose.x, pose.y), xy, max_distance=1.5)
    if point is None:
        raise ConfigError("target", tuple(round(float(v), 2) for v in xy),
                          reason=f"{agent} can reach no point within 1.5 m of it")
    return point


# -- the default vocabulary -------------------------------------------------------------------
def _robot_navigate(view, agent, target: Target):
    from embodied.skills.robot import NavigateTo

    if target.kind == "agent":
        return NavigateTo(target=target.name, stop_distance=1.0)
    return NavigateTo(goal=approach_point(view, agent, target.xy))


def _humanoid_navigate(view, agent, target: Target):
    from embodied.skills.humanoid import WalkTo

    goal = approach_point(view, agent, target.xy)
    return WalkTo(goal=goal, face=target.xy if target.kind != "agent" else None)


def _humanoid_pick(view, agent, object):
    from embodied.skills.humanoid import Pick

    return Pick(object=view.home.object_body_name(object.name))


def _humanoid_place(view, agent, furniture):
    from embodied.skills.humanoid import Place, largest_surface

    if not furniture.surfaces:
        raise ConfigError("place.furniture", furniture.name, reason="has no surface to place on")
    return Place(surface=largest_surface(furniture)[1])


def _robot_pick(view, agent, object):
    from embodied.skills.robot import Pick

    return Pick(object=view.home.object_body_name(object.name))


def _robot_place(view, agent, furniture):
    from embodied.skills.robot import Place

    return Place(furniture=furniture.name, home=view.home)


def _wait(view, agent, seconds=None):
    from embodied.skills.base import Wait

    return Wait(duration=seconds)


def default_library() -> SkillLibrary:
    """The vocabulary shared by every caller: navigate, pick, place, wait."""
    return SkillLibrary([
        SkillSpec("navigate", "Navigate", (Arg("target", "entity"),),
                  "go next to a furniture piece or an object, or up to another agent",
                  {"robot": _robot_navigate, "humanoid": _humanoid_navigate}),
        SkillSpec("pick", "Pick", (Arg("object", "object"),),
                  "walk up to an object, take it in hand and hold it",
                  {"robot": _robot_pick, "humanoid": _humanoid_pick}),
        SkillSpec("place", "Place", (Arg("furniture", "furniture"),),
                  "put the held object down on a furniture piece's surface",
                  {"robot": _robot_place, "humanoid": _humanoid_place}),
        SkillSpec("wait", "Wait", (Arg("seconds", "seconds", optional=True),),
                  "stand still (until interrupted when no duration is given)",
                  {"robot": _wait, "humanoid": _wait}),
    ])
