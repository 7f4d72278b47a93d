"""Config plumbing: typed dataclasses from Hydra/YAML, and the Hydra config groups.

The YAML files in the top-level ``tasks/`` and ``policies/`` folders are Hydra config
groups ``task`` and ``policy``; they only override the typed defaults that live in code
(dataclasses), so ``gym.make(...)`` works with no YAML at hand. The tables of tasks and
policies are their registries (:mod:`embodied.tasks.registry`,
:mod:`embodied.policies.registry`); this module only reads them. Unknown names, fields
or values raise :class:`~embodied.errors.ConfigError` naming the field and what is allowed.
"""

from __future__ import annotations

import dataclasses
import typing
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


def load_entry(kind: str, name: str) -> dict | None:
    """The shipped YAML config ``name`` of ``tasks/`` or ``policies/`` as plain data (None
    when there is no such file)."""
    from omegaconf import OmegaConf

    if not isinstance(name, str) or not name or "/" in name:
        return None
    path = config_dir(kind) / f"{name}.yaml"
    if not path.is_file():
        return None
    return dict(to_plain(OmegaConf.load(path)) or {})


def policy_config(name: str) -> dict:
    """The config of policy ``name``: its ``policies/`` YAML when there is one (e.g.
    ``heuristic_clear``), else just the registered policy ``{"name": name}``."""
    return load_entry("policies", name) or {"name": name}


def available(kind: str) -> list[str]:
    """Names of the YAML configs in ``tasks/`` or ``policies/``."""
    return sorted(p.stem for p in config_dir(kind).glob("*.yaml"))


def register_configs() -> None:
    """Store Hydra's config groups ``task`` and ``policy``: one entry per YAML file of
    ``tasks/`` and ``policies/``, plus one per registered task that has no YAML file.

    Each entry's ``config`` is the typed defaults of its dataclass with the YAML's values
    on top, so any field can be overridden from the command line
    (``task.config.max_steps=600``) and misspelt fields are rejected by Hydra."""
    from hydra.core.config_store import ConfigStore
    from omegaconf import OmegaConf

    from embodied.policies.registry import POLICIES, get_policy
    from embodied.tasks.registry import TASKS

    get_policy("random")   # imports the policy package, so every kind is registered
    store = ConfigStore.instance()
    tasks = {name: entry.config_class for name, entry in TASKS.items()}
    policies = {name: entry.config_class for name, entry in POLICIES.items()}
    for kind, group, classes in (("tasks", "task", tasks), ("policies", "policy", policies)):
        stems = set()
        for path in sorted(config_dir(kind).glob("*.yaml")):
            stems.add(path.stem)
            node = OmegaConf.load(path)
            if group == "task" and "env_id" not in node:
                node.env_id = None             # a task's env id: its current one unless told
            store.store(group=group, name=path.stem, node=_with_defaults(node, classes))
        if group == "task":
            for name in sorted(set(tasks) - stems):
                node = OmegaConf.create({"name": name, "obs_mode": "state", "env_id": None,
                                         "config": {}})
                store.store(group=group, name=name, node=_with_defaults(node, classes))


def _with_defaults(node, classes: Mapping[str, type | None]):
    """``node`` with its ``config`` laid over the typed defaults of its kind's dataclass."""
    from omegaconf import OmegaConf

    cls = classes.get(str(node.get("name")))
    if cls is not None:
        defaults = OmegaConf.create(_jsonable(dataclasses.asdict(cls())))
        node.config = OmegaConf.merge(defaults, node.get("config") or {})
    return node


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


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


def make_env_factory(task_cfg: Mapping[str, Any], split: str, render_mode: str | None = None,
                     parallel: bool = False) -> Callable[[], Any]:
    """A zero-argument function creating the task's environment (for vector envs too);
    with ``parallel``, its PettingZoo parallel env (:func:`embodied.envs.parallel_env`)."""
    import gymnasium as gym

    import embodied  # noqa: F401  (registers the envs)
    from embodied.tasks.registry import TASKS

    task_cfg = to_plain(task_cfg)
    name = task_cfg.get("name")
    if name not in TASKS:
        raise ConfigError("task", name, sorted(TASKS))
    entry = TASKS[name]
    config = build_dataclass(entry.config_class, task_cfg.get("config"), "task.config")
    obs_mode = task_cfg.get("obs_mode", "state")
    env_id = task_cfg.get("env_id") or entry.env_id
    if env_id not in entry.env_ids:      # an earlier id pins its own fields over ``config``
        raise ConfigError("task.env_id", env_id, entry.env_ids)

    def make():
        if parallel:
            from embodied.envs import parallel_env

            return parallel_env(env_id, split=split, obs_mode=obs_mode, config=config,
                                render_mode=render_mode)
        return gym.make(env_id, split=split, obs_mode=obs_mode, config=config,
                        render_mode=render_mode)

    return make
