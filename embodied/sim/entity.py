"""Entities: the things a World is made of (robots, humanoids, scene controllers).

An entity builds its own part of the model as an ``MjSpec`` that the World attaches under
the entity's name prefix (``robot/``, ``human0/``), resolves its handles once the model is
compiled, and runs its controller around the physics substeps of each control step.
Anything an entity remembers between steps must be returned by :meth:`get_state` so that
World snapshots restore it exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import mujoco
import numpy as np

if TYPE_CHECKING:
    from embodied.sim.world import World


class PlanarPose(NamedTuple):
    """Where an agent stands: floor position (m) and heading (rad, counter-clockwise)."""

    x: float
    y: float
    yaw: float


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

    # -- pose and named parts ---------------------------------------------------------
    def get_pose(self, world: "World") -> PlanarPose:
        """The entity's floor pose in ``world``."""
        raise TypeError(f"entity {self.name!r} ({type(self).__name__}) has no pose")

    def set_pose(self, world: "World", xy, yaw: float) -> None:
        """Place the entity at floor position ``xy`` facing ``yaw``, at rest, in ``world``
        (after the World's reset; poses are current afterwards). The one way every task
        places every agent."""
        raise TypeError(f"entity {self.name!r} ({type(self).__name__}) cannot be placed")

    def held_object(self, world: "World") -> str | None:
        """Model name of the body the entity holds, if any (none by default)."""
        return None

    def frame_body(self) -> str:
        """Model name of the body whose frame is the entity's own (x forward, z up)."""
        raise TypeError(f"entity {self.name!r} ({type(self).__name__}) has no body frame")

    def camera(self, alias: str) -> str:
        """Model name of one of the entity's cameras: an alias it defines or a full name."""
        return alias if alias.startswith(self.prefix) else self.prefix + alias

    def site(self, alias: str) -> str:
        """Model name of one of the entity's sites: an alias it defines or a full name."""
        return alias if alias.startswith(self.prefix) else self.prefix + alias

    # -- exact state ------------------------------------------------------------------
    def get_state(self) -> Any:
        """Everything the entity remembers between steps (deep-copied by the World)."""
        return None

    def set_state(self, state: Any) -> None:
        """Restore what :meth:`get_state` returned."""

    def translate_ids(self, state: Any, body_map: dict[int, int]) -> Any:
        """``state`` (from :meth:`get_state`) with the model body ids it holds mapped
        through ``body_map`` (old id -> new id), for :meth:`World.rebuild`, whose model
        numbers bodies differently. Entities whose state holds no ids return it as is."""
        return state
