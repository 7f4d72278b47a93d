"""Who touches whom: one contact monitor for pairs of entity-name patterns.

Each geom of a World has an *owner*: the entity whose prefix its body carries
(``robot``, ``human0``), or, for the scene, ``@static`` (welded to the world: floor,
walls, furniture) or ``@object:<body>`` (each free body, by the name of its root body;
the pattern ``@object`` matches them all; ``@scenery`` matches the static geoms but the
floor planes: walls and furniture). A :class:`ContactMonitor` watches named pairs
of owner patterns (``fnmatch``: ``("robot", "human*")``, ``("@object", "@object")``,
``("robot", "*")``) at the end of every control step, where Habitat 3.0 counts its
collisions too, and keeps for each pair whether it touches now, for how many steps it
has, and how many separate contacts (onsets) there were. It is an entity of the World,
so its counts are part of snapshots and forks.

    monitor = ContactMonitor({"robot_humanoid": ("robot", "human*")})
    world = home.make_world([robot, humanoid, monitor])
    world.step(); monitor.touching("robot_humanoid"), monitor.steps("robot_humanoid")
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

import mujoco
import numpy as np

from embodied.errors import ConfigError, NotFoundError
from embodied.sim.entity import Entity

if TYPE_CHECKING:
    from embodied.sim.world import World

STATIC, OBJECT, SCENERY = "@static", "@object", "@scenery"


def geom_owners(world: "World") -> tuple[list[str], np.ndarray]:
    """Owner names and, per geom, the index of its owner in that list."""
    model = world.model
    names = [model.body(b).name for b in range(model.nbody)]
    owners = [STATIC, *world.entities]
    body_owner = np.full(model.nbody, -1)
    for k, entity in enumerate(world.entities.values(), start=1):
        prefix = entity.prefix
        body_owner[[b for b, n in enumerate(names) if n.startswith(prefix)]] = k
    body_owner[(body_owner < 0) & (model.body_weldid == 0)] = 0
    for b in np.flatnonzero(body_owner < 0):
        name = f"{OBJECT}:{names[model.body_rootid[b]]}"
        if name not in owners:
            owners.append(name)
        body_owner[b] = owners.index(name)
    return owners, body_owner[model.geom_bodyid]


def owner_mask(owners: list[str], geom_owner: np.ndarray, pattern: str) -> np.ndarray:
    """Per geom: whether its owner matches ``pattern`` (``@object``: any free body)."""
    if pattern == OBJECT:
        pattern = f"{OBJECT}:*"
    matching = np.array([fnmatch.fnmatchcase(o, pattern) for o in owners], dtype=bool)
    return matching[geom_owner]


def count_contacts(world: "World", mask_a: np.ndarray, mask_b: np.ndarray,
                   geom_owner: np.ndarray | None = None) -> int:
    """Active contacts between a geom of ``mask_a`` and a geom of ``mask_b`` (boolean masks
    over geoms); with ``geom_owner``, only between geoms of different owners."""
    data = world.data
    if not data.ncon:
        return 0
    pairs = data.contact.geom[: data.ncon]
    a, b = mask_a[pairs], mask_b[pairs]
    hit = (a[:, 0] & b[:, 1]) | (a[:, 1] & b[:, 0])
    if geom_owner is not None:
        owner = geom_owner[pairs]
        hit &= owner[:, 0] != owner[:, 1]
    return int(np.count_nonzero(hit))


@dataclass
class PairCounts:
    """One monitored pair: in contact at the end of the last step, steps in contact and
    separate contacts (onsets) since reset, contact points at the end of the last step."""

    touching: bool = False
    steps: int = 0
    onsets: int = 0
    contacts: int = 0


class ContactMonitor(Entity):
    """Contact counts for named pairs of owner patterns (see the module docs).

    Args:
        pairs: ``{pair name: (pattern a, pattern b)}``.
        name: the monitor's entity name.
    """

    def __init__(self, pairs: Mapping[str, tuple[str, str]], name: str = "contacts"):
        super().__init__(name)
        self.pairs = dict(pairs)
        for key, value in self.pairs.items():
            if (not isinstance(value, (tuple, list)) or len(value) != 2
                    or not all(isinstance(p, str) and p for p in value)):
                raise ConfigError(f"contact pair {key}", value,
                                  reason="must be two entity-name patterns")
        self.pairs = {k: (str(a), str(b)) for k, (a, b) in self.pairs.items()}
        self._state = {k: PairCounts() for k in self.pairs}

    def bind(self, world: "World") -> None:
        owners, self._geom_owner = geom_owners(world)
        floor = world.model.geom_type == mujoco.mjtGeom.mjGEOM_PLANE

        def mask(pattern):
            if pattern == SCENERY:
                return owner_mask(owners, self._geom_owner, STATIC) & ~floor
            return owner_mask(owners, self._geom_owner, pattern)

        self._masks = {}
        for key, (a, b) in self.pairs.items():
            mask_a, mask_b = mask(a), mask(b)
            # an entity matching both patterns never counts contacts with itself
            self._masks[key] = (mask_a, mask_b, bool((mask_a & mask_b).any()))

    def reset(self, world: "World") -> None:
        self._state = {k: PairCounts() for k in self.pairs}

    def after_control(self, world: "World") -> None:
        for key, state in self._state.items():
            mask_a, mask_b, both = self._masks[key]
            n = count_contacts(world, mask_a, mask_b, self._geom_owner if both else None)
            touching = n > 0
            state.steps += touching
            state.onsets += touching and not state.touching
            state.touching, state.contacts = touching, n

    def get_state(self):
        return {k: (s.touching, s.steps, s.onsets, s.contacts) for k, s in self._state.items()}

    def set_state(self, state) -> None:
        self._state = {k: PairCounts(*v) for k, v in state.items()}

    def _pair(self, pair: str) -> PairCounts:
        state = self._state.get(pair)
        if state is None:
            raise NotFoundError("contact pair", pair, self._state)
        return state

    def counts(self, pair: str) -> PairCounts:
        """All counts of ``pair`` (read them, do not change them)."""
        return self._pair(pair)

    def touching(self, pair: str) -> bool:
        """Whether the pair was in contact at the end of the last control step."""
        return self._pair(pair).touching

    def steps(self, pair: str) -> int:
        """Control steps in contact since reset."""
        return self._pair(pair).steps

    def onsets(self, pair: str) -> int:
        """Separate contacts since reset (steps whose contact follows a step without)."""
        return self._pair(pair).onsets

    def contacts(self, pair: str) -> int:
        """Contact points of the pair at the end of the last control step."""
        return self._pair(pair).contacts
