"""The policy registry: each policy kind registers once, next to its code.

A policy config (``policies/<entry>.yaml`` or a mapping) names its kind (``name:
heuristic``, ``ppo`` ...); :func:`make_policy` builds it. Hydra's ``policy`` config group
reads the same table for the typed defaults of each kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from embodied.errors import ConfigError


@dataclass(frozen=True)
class PolicyEntry:
    """One registered policy kind.

    Attributes:
        name: the kind, as configs name it.
        build: ``build(policy_cfg, checkpoint) -> Policy`` (``checkpoint`` a path or None).
        config_class: the typed dataclass of its ``config`` entry (None: it has none).
        trainable: ``scripts/train.py`` can train it.
    """

    name: str
    build: Callable[[dict, Path | None], Any]
    config_class: type | None = None
    trainable: bool = False


POLICIES: dict[str, PolicyEntry] = {}


def register_policy(name: str, build: Callable[[dict, Path | None], Any],
                    config_class: type | None = None, trainable: bool = False) -> PolicyEntry:
    """Register the policy kind ``name`` (names are unique)."""
    entry = PolicyEntry(name, build, config_class, trainable)
    if name in POLICIES and POLICIES[name] != entry:
        raise ConfigError("policy", name, reason="already registered with another definition")
    POLICIES[name] = entry
    return entry


def get_policy(name: str) -> PolicyEntry:
    """The entry of policy kind ``name``; ConfigError lists the registered kinds."""
    import embodied.policies  # noqa: F401  (registers every policy kind)

    entry = POLICIES.get(name)
    if entry is None:
        raise ConfigError("policy", name, sorted(POLICIES))
    return entry


def trainable_policies() -> dict[str, PolicyEntry]:
    """The kinds ``scripts/train.py`` can train, by name."""
    import embodied.policies  # noqa: F401

    return {n: e for n, e in POLICIES.items() if e.trainable}


def make_policy(policy_cfg: Mapping[str, Any], env=None, checkpoint: str | None = None):
    """The policy a config describes (``{"name": "heuristic", "config": {...}}``).

    Learned policies are loaded from ``checkpoint``, else from the config's own
    ``checkpoint`` entry (a released policy: a path relative to the shipped ``policies/``
    folder when it is not a file relative to the working directory)."""
    from embodied.config import to_plain

    policy_cfg = dict(to_plain(policy_cfg) or {})
    entry = get_policy(policy_cfg.get("name"))
    return entry.build(policy_cfg, policy_checkpoint(policy_cfg, checkpoint))


def policy_checkpoint(policy_cfg: Mapping[str, Any], checkpoint: str | None = None):
    """The checkpoint a learned policy loads: ``checkpoint``, else its config's own entry
    (see :func:`make_policy`); None for policies without one."""
    from embodied.config import config_dir

    if checkpoint is None and policy_cfg.get("checkpoint"):
        checkpoint = Path(policy_cfg["checkpoint"])
        if not checkpoint.is_absolute() and not checkpoint.exists():
            checkpoint = config_dir("policies") / checkpoint
    return checkpoint
