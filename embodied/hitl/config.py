"""What a teleoperation session runs: the task and robot policy entries (the shipped
YAML configs plus command-line overrides), the environment made from them, and the hook
that hands the task's humanoid to :class:`~embodied.skills.humanoid.Teleop`.

Replays use the same functions with the entries stored in a recording's header.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Mapping

from embodied.config import load_entry, policy_config
from embodied.errors import ConfigError, check_range


@dataclass(frozen=True)
class TeleopConfig:
    """What a session runs.

    Args:
        task: task config name (``tasks/<name>.yaml``), e.g. ``social_nav``.
        task_overrides: nested overrides of the task entry, e.g.
            ``{"config": {"max_steps": 600}}`` or ``{"obs_mode": "depth"}``. Objects are
            made pickable (``config.home.static_objects=False``) unless set here.
        split: home split (train, val, test).
        seed: seed of the first episode; each next episode uses the following seed.
        robot_policy: policy name (``policies/<name>.yaml``): heuristic, random, ppo, ...
            (default: the task's, e.g. heuristic for SocialNav, the inferring expert for
            SocialRearrange).
        policy_overrides: nested overrides of the policy entry (``{"config": {...}}``).
        checkpoint: checkpoint file for learned policies.
    """

    task: str = "social_nav"
    task_overrides: Mapping[str, Any] = field(default_factory=dict)
    split: str = "val"
    seed: int = 0
    robot_policy: str | None = None
    policy_overrides: Mapping[str, Any] = field(default_factory=dict)
    checkpoint: str | None = None

    def __post_init__(self):
        check_range("seed", self.seed, 0, 2**31 - 1, integer=True)
        for name in ("task_overrides", "policy_overrides"):
            if not isinstance(getattr(self, name), Mapping):
                raise ConfigError(name, getattr(self, name), reason="must be a mapping")

    def task_config(self) -> dict:
        """The task entry (YAML + overrides) as plain data, as stored in recordings."""
        from embodied.config import available

        base = load_entry("tasks", self.task)
        if base is None:
            raise ConfigError("task", self.task, available("tasks"))
        cfg = _merge(base, self.task_overrides)
        cfg.setdefault("config", {})
        cfg["config"] = dict(cfg["config"] or {})
        home = dict(cfg["config"].get("home") or {})
        home.setdefault("static_objects", False)
        cfg["config"]["home"] = home
        for key, value in _task_class(cfg).teleop_config.items():
            cfg["config"].setdefault(key, value)     # e.g. a keyboard partner
        return cfg

    def policy_config(self) -> dict:
        """The robot policy entry (YAML + overrides) as plain data."""
        name = self.robot_policy or _task_class(self.task_config()).teleop_robot_policy
        base = policy_config(name)
        return _merge(base, self.policy_overrides)


def _task_class(task_cfg: Mapping) -> type:
    import embodied  # noqa: F401  (registers the tasks)
    from embodied.tasks.registry import get_task

    return get_task(task_cfg.get("name")).task_class


def _merge(base: Mapping, overrides: Mapping) -> dict:
    out = copy.deepcopy(dict(base))
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def parse_overrides(items: list[str]) -> tuple[dict, dict]:
    """Split ``key=value`` command-line items into TeleopConfig fields and the rest.

    ``task=``, ``robot_policy=``, ``checkpoint=``, ``split=``, ``seed=`` set fields;
    ``task.<path>=`` and ``policy.<path>=`` (dotted, e.g. ``task.config.max_steps=600``)
    become nested overrides. Values are parsed as YAML scalars (numbers, true/false)."""
    import yaml

    fields: dict[str, Any] = {}
    task: dict = {}
    policy: dict = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError("option", item, reason="expected key=value, e.g. robot_policy=heuristic")
        try:
            value = yaml.safe_load(raw) if raw else ""
        except yaml.YAMLError:
            value = raw
        if key in ("task", "robot_policy", "checkpoint", "split"):
            fields[key] = str(raw)
        elif key == "seed":
            fields[key] = value
        elif key.startswith(("task.", "policy.")):
            root, *path = key.split(".")
            node = task if root == "task" else policy
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = value
        else:
            raise ConfigError("option", key, ["task", "robot_policy", "checkpoint", "split",
                                              "seed", "task.<field>", "policy.<field>"])
    return fields, {"task_overrides": task, "policy_overrides": policy}


def make_teleop_config(items: list[str]) -> TeleopConfig:
    """A TeleopConfig from ``key=value`` command-line items (see :func:`parse_overrides`)."""
    fields, nested = parse_overrides(items)
    return TeleopConfig(**fields, **nested)


def make_env(task_cfg: Mapping, split: str, render_mode: str | None = None,
             render_size: tuple[int, int] | None = None):
    """The task's environment for a stored task entry (sessions and replays)."""
    from embodied.config import make_env_factory

    env = make_env_factory(task_cfg, split, render_mode=render_mode)()
    if render_size is not None:
        env.unwrapped.render_size = tuple(render_size)
    return env


def teleop_humanoid(task) -> str:
    """The name of the humanoid a person drives in ``task`` (its first teleop agent)."""
    return teleop_humanoids(task, 1)[0]


def teleop_humanoids(task, participants: int) -> tuple[str, ...]:
    """The humanoids ``participants`` people drive in ``task`` (its first teleop agents);
    ConfigError when the task has fewer."""
    check_range("participants", participants, 1, 16, integer=True)
    agents = tuple(task.teleop_agents())
    if not agents:
        raise ConfigError("task", task.name, reason="has no humanoid a person can drive")
    if len(agents) < participants:
        raise ConfigError("participants", participants, reason=(
            f"task {task.name} has {len(agents)} humanoid(s) people can drive "
            f"({', '.join(agents)}); SocialNav drives its bystanders too "
            "(task.config.bystanders=N)"))
    return agents[:participants]


def humanoid_teleop(task, name: str | None = None):
    """Install a :class:`Teleop` skill on the humanoid ``name`` (default: the task's first
    teleop agent) after ``env.reset`` (:meth:`~embodied.tasks.base.Task.drive_externally`)."""
    return task.drive_externally(name or teleop_humanoid(task))


def robot_decides(env) -> bool:
    """Whether the robot policy acts before this session step: every control step, or in
    a skills-mode task only once its running skill has ended."""
    return not env.unwrapped.task.skill_running


def session_step(env, action):
    """One control step of a session (live and replay): ``env.step(action)``; in a
    skills-mode task, one control step of the robot's skill, the skill ``action`` started
    first when given (one env step would run it whole, the person's keys waiting).
    Returns (observation, or None while the robot's skill is still running, terminated,
    truncated, info)."""
    task = env.unwrapped.task
    if not task.skills_mode:
        obs, _, terminated, truncated, info = env.step(action)
        return obs, terminated, truncated, info
    if action is not None:
        task.begin_skill(action)
    terminated, truncated, info, over = task.skill_step()
    if not over:
        return None, terminated, truncated, info
    obs, _, terminated, truncated, info = task.end_skill(terminated, truncated, info)
    return obs, terminated, truncated, info


def driven_teleop(task, name: str):
    """The :class:`Teleop` skill the humanoid ``name`` runs now. Looked up each time: a
    fork and restore of the World (a policy predicting ahead) puts a copy in its place."""
    from embodied.skills.humanoid import Teleop

    behaviour = task.privileged().world.entity(name).behaviour
    if not isinstance(behaviour, Teleop):
        raise ConfigError("humanoid", name, reason="is not driven by a person (no Teleop skill)")
    return behaviour


def apply_humanoid(task, name: str, command, event) -> None:
    """Give the driven humanoid ``name`` this step's command and request (live and
    replay): None, ``"pick"``, ``"place"``, ``"cancel"`` (a walk) or ``("walk", x, y)``."""
    world = task.privileged().world
    h = world.entity(name)
    teleop = driven_teleop(task, name)
    teleop.command(command[0], command[1])
    if event == "pick":
        teleop.request_pick(h, world)
    elif event == "place":
        teleop.request_place(h, world)
    elif event == "cancel":
        teleop.cancel_walk()
    elif event is not None and event[0] == "walk":
        teleop.request_walk(h, (event[1], event[2]))
