"""Typed configs from Hydra/YAML: task and policy registries, and dataclass building.

The YAML files in the top-level ``tasks/`` and ``policies/`` folders are Hydra config
groups ``task`` and ``policy``; they only override the typed defaults that live in code
(dataclasses), so ``gym.make(...)`` works with no YAML at hand. Unknown names, fields or
values raise :class:`~embodied.errors.ConfigError` naming the field and what is allowed.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from embodied.errors import ConfigError


def config_dir(kind: str) -> Path:
    """The shipped ``tasks`` or ``policies`` folder (source checkout or installed wheel)."""
    from embodied.resources import assets_root

    path = assets_root().parent / kind
    if not path.is_dir():
        raise ConfigError("config folder", str(path), reason="missing from the installation")
    return path


def available(kind: str) -> list[str]:
    """Names of the YAML configs in ``tasks/`` or ``policies/``."""
    return sorted(p.stem for p in config_dir(kind).glob("*.yaml"))


def register_configs() -> None:
    """Store every task/policy YAML in Hydra's ConfigStore as groups ``task``/``policy``.

    Each entry's ``config`` is the typed defaults of its dataclass with the YAML's values
    on top, so any field can be overridden from the command line
    (``task.config.max_steps=600``) and misspelt fields are rejected by Hydra."""
    from hydra.core.config_store import ConfigStore
    from omegaconf import OmegaConf

    store = ConfigStore.instance()
    for kind, group, classes in (("tasks", "task", _task_config_classes()),
                                 ("policies", "policy", _policy_config_classes())):
        for path in sorted(config_dir(kind).glob("*.yaml")):
            node = OmegaConf.load(path)
            cls = classes.get(str(node.get("name")))
            if cls is not None:
                defaults = OmegaConf.create(_jsonable(dataclasses.asdict(cls())))
                node.config = OmegaConf.merge(defaults, node.get("config") or {})
            store.store(group=group, name=path.stem, node=node)


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _task_config_classes() -> dict[str, type]:
    return {name: entry.config_class for name, entry in _task_registry().items()}


def _policy_config_classes() -> dict[str, type]:
    from embodied.policies.heuristic import FollowerConfig
    from embodied.policies.sb3 import ALGORITHMS

    return {"heuristic": FollowerConfig, **ALGORITHMS}


def to_plain(cfg: Any) -> Any:
    """OmegaConf containers to plain Python (dicts, lists), resolving interpolations."""
    from omegaconf import DictConfig, ListConfig, OmegaConf

    if isinstance(cfg, (DictConfig, ListConfig)):
        return OmegaConf.to_container(cfg, resolve=True)
    return cfg


def build_dataclass(cls, data: Mapping[str, Any] | None, path: str = "config"):
    """An instance of dataclass ``cls`` from a (possibly nested) mapping of overrides.

    Nested dataclass fields take mappings; lists become tuples where the field is a
    tuple. Unknown keys raise ConfigError naming ``path.key`` and the allowed fields;
    value checks are the dataclass's own (``__post_init__``)."""
    data = dict(to_plain(data) or {})
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(f"{path}.{unknown[0]}", data[unknown[0]], sorted(fields),
                          reason="unknown field")
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for name, value in data.items():
        hint = hints.get(name)
        if dataclasses.is_dataclass(hint) and isinstance(value, Mapping):
            value = build_dataclass(hint, value, f"{path}.{name}")
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[name] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(path, data, reason=str(exc)) from None


@dataclass(frozen=True)
class TaskEntry:
    """How to make a task's environment from its config group entry."""

    env_id: str
    config_class: type


def _task_registry() -> dict[str, TaskEntry]:
    from embodied.tasks.social_nav import SocialNavConfig

    return {"social_nav": TaskEntry("embodied/SocialNav-v0", SocialNavConfig)}


def make_env_factory(task_cfg: Mapping[str, Any], split: str, render_mode: str | None = None
                     ) -> Callable[[], Any]:
    """A zero-argument function creating the task's environment (for vector envs too)."""
    import gymnasium as gym

    import embodied  # noqa: F401  (registers the envs)

    task_cfg = to_plain(task_cfg)
    registry = _task_registry()
    name = task_cfg.get("name")
    if name not in registry:
        raise ConfigError("task", name, sorted(registry))
    entry = registry[name]
    config = build_dataclass(entry.config_class, task_cfg.get("config"), "task.config")
    obs_mode = task_cfg.get("obs_mode", "state")

    def make():
        return gym.make(entry.env_id, split=split, obs_mode=obs_mode, config=config,
                        render_mode=render_mode)

    return make


def make_policy(policy_cfg: Mapping[str, Any], env=None, checkpoint: str | None = None):
    """The policy named in ``policy_cfg`` (``random``, ``heuristic``, ``ppo``, ...).

    Learned policies (``ppo``) are loaded from ``checkpoint``, else from the config's own
    ``checkpoint`` entry (a released policy: a path relative to the shipped ``policies/``
    folder when it is not a file relative to the working directory)."""
    from embodied.policies.base import RandomPolicy
    from embodied.policies.heuristic import FollowerConfig, SocialNavHeuristic
    from embodied.policies.sb3 import ALGORITHMS, make_learned_policy

    policy_cfg = to_plain(policy_cfg)
    name = policy_cfg.get("name")
    if checkpoint is None and policy_cfg.get("checkpoint"):
        checkpoint = Path(policy_cfg["checkpoint"])
        if not checkpoint.is_absolute() and not checkpoint.exists():
            checkpoint = config_dir("policies") / checkpoint
    builders: dict[str, Callable[[], Any]] = {
        "random": lambda: RandomPolicy(seed=int(policy_cfg.get("seed", 0))),
        "heuristic": lambda: SocialNavHeuristic(
            build_dataclass(FollowerConfig, policy_cfg.get("config"), "policy.config")),
    }
    for algorithm in ALGORITHMS:
        builders[algorithm] = (lambda algorithm=algorithm:
                               make_learned_policy(algorithm, policy_cfg, checkpoint))
    if name not in builders:
        raise ConfigError("policy", name, sorted(builders))
    return builders[name]()
