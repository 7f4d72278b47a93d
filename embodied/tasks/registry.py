"""The task registry: each task registers once, next to its code.

An entry ties a task's name (``social_nav``, the Hydra config group entry and the key in
configs), its versioned Gymnasium id (``embodied/SocialNav-v0``), its typed config
class, its :class:`~embodied.tasks.base.Task` subclass and its Gymnasium env class (a
:class:`~embodied.envs.gym_env.TaskEnv` carrying the task's documentation).
``import embodied`` imports every task package, and so registers them all; Hydra's
config groups, ``make_env_factory``, checkpoints and the contract tests read this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from embodied.errors import ConfigError, NotFoundError


@dataclass(frozen=True)
class TaskEntry:
    """One registered task: its current env id and the earlier versions still served."""

    name: str
    env_id: str
    config_class: type
    task_class: type
    env_class: type
    #: earlier env ids -> the config fields that reproduce them exactly
    earlier: tuple[tuple[str, tuple[tuple[str, object], ...]], ...] = ()

    @property
    def env_ids(self) -> tuple[str, ...]:
        """Every env id of the task, the current one first."""
        return (self.env_id, *(env_id for env_id, _ in self.earlier))

    @property
    def summary(self) -> str:
        """The first line of the env's documentation ("" without one)."""
        lines = (self.env_class.__doc__ or "").strip().splitlines()
        return lines[0] if lines else ""


TASKS: dict[str, TaskEntry] = {}


def register_task(name: str, env_id: str, config_class: type, task_class: type,
                  env_class: type, earlier: dict[str, dict] | None = None) -> TaskEntry:
    """Register a task under ``name`` and its env under the Gymnasium id ``env_id``.

    ``earlier`` keeps released versions served: ``{"embodied/Task-v0": {field: value}}``
    registers each older id as the same env with those config fields pinned (what
    changed since), so its episodes stay exactly what they were.
    """
    import gymnasium as gym

    pinned = tuple((old_id, tuple(sorted(fields.items()))) for old_id, fields in (earlier or {}).items())
    entry = TaskEntry(name, env_id, config_class, task_class, env_class, pinned)
    known = TASKS.get(name)
    if known is not None and known != entry:
        raise ConfigError("task", name, reason="already registered with another definition")
    for some_id in entry.env_ids:
        if any(some_id in e.env_ids and e.name != name for e in TASKS.values()):
            raise ConfigError("env_id", some_id, reason="already registered for another task")
    task_class.name = name
    env_class.task_name = name
    TASKS[name] = entry
    for some_id, fields in ((env_id, ()), *pinned):
        if some_id not in gym.registry:
            gym.register(id=some_id, entry_point=env_class, max_episode_steps=None,
                         disable_env_checker=False, kwargs=dict(fields))
    return entry


def get_task(name: str) -> TaskEntry:
    """The entry of task ``name``; NotFoundError lists the registered tasks."""
    entry = TASKS.get(name)
    if entry is None:
        raise NotFoundError("task", name, TASKS)
    return entry


def task_of_env_id(env_id: str) -> TaskEntry | None:
    """The entry registered for a Gymnasium id, current or earlier (None if it is not
    one of ours)."""
    return next((e for e in TASKS.values() if env_id in e.env_ids), None)
