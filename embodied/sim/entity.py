"""Entities: the things a World is made of (robots, humanoids, scene controllers).

An entity builds its own part of the model as an ``MjSpec`` that the World attaches under
the entity's name prefix (``robot/``, ``human0/``), resolves its handles once the model is
compiled, and runs its controller around the physics substeps of each control step.
Anything an entity remembers between steps must be returned by :meth:`get_state` so that
World snapshots restore it exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mujoco
import numpy as np

if TYPE_CHECKING:
    from embodied.sim.world import World


class Entity:
    """Base class. Subclasses override the hooks they need."""

    #: Semantic category reported by segmentation ("robot", "humanoid", ...), or None.
    category: str | None = None

    def __init__(self, name: str, pos=(0.0, 0.0, 0.0), yaw: float = 0.0):
        if not name or "/" in name:
            from embodied.errors import ConfigError

            raise ConfigError("entity name", name, reason="must be non-empty and contain no '/'")
        self.name = name
        self.initial_pos = np.asarray(pos, dtype=float)
        self.initial_yaw = float(yaw)

    @property
    def prefix(self) -> str:
        return f"{self.name}/"

    # -- model building -------------------------------------------------------------
    def build_spec(self) -> mujoco.MjSpec | None:
        """Return this entity's own spec (or None if it adds nothing to the model)."""
        return None

    def attach(self, scene: mujoco.MjSpec) -> None:
        """Attach :meth:`build_spec` to ``scene`` under :attr:`prefix` at the initial pose."""
        child = self.build_spec()
        if child is None:
            return
        quat = np.array([np.cos(self.initial_yaw / 2), 0, 0, np.sin(self.initial_yaw / 2)])
        frame = scene.worldbody.add_frame(pos=self.initial_pos, quat=quat)
        scene.attach(child, prefix=self.prefix, frame=frame)

    # -- lifecycle --------------------------------------------------------------------
    def bind(self, world: "World") -> None:
        """Resolve ids and addresses in the compiled model. Called once per model."""

    def reset(self, world: "World") -> None:
        """Bring the entity to its initial state (after the World reset its physics)."""

    def before_control(self, world: "World") -> None:
        """Once per control step, before the physics substeps (controllers run here)."""

    def needs_substeps(self) -> bool:
        """Whether :meth:`before_substep` must run in the current control step (asked after
        :meth:`before_control`). When no entity needs it, the World runs all substeps in
        one ``mj_step`` call, without returning to Python between them."""
        return False

    def before_substep(self, world: "World", substep: int) -> None:
        """Before each physics substep, in control steps where :meth:`needs_substeps`
        (e.g. a carried object tracking its hand)."""

    def after_control(self, world: "World") -> None:
        """Once per control step, after the substeps (bookkeeping, contact counting)."""

    # -- exact state ------------------------------------------------------------------
    def get_state(self) -> Any:
        """Everything the entity remembers between steps (deep-copied by the World)."""
        return None

    def set_state(self, state: Any) -> None:
        """Restore what :meth:`get_state` returned."""
