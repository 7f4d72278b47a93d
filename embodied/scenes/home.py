"""Procedural homes: ``generate_home(seed, split)`` -> :class:`Home` -> MjSpec / World.

A home is generated in four seeded steps (room kinds and partition, doorways and walls,
furniture, objects) into a :class:`~embodied.scenes.layout.Layout`; the MuJoCo model is
a pure function of that layout, so the same ``(split, seed, config)`` always gives the
same layout and the same compiled model.

Names in the model:

- ``floor/<room>/plane``: a room's floor (visual); ``floor/collision``: the floor plane
  everything stands on (hidden, collision group STATIC);
- ``wall/<room>/<k>``, ``wall/exterior/<k>``: wall slabs;
- ``furn/<name>/body`` and its geoms ``furn/<name>/<k>``;
- ``obj/<name>/body`` with free joint ``obj/<name>/joint`` and geoms ``obj/<name>/...``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import mujoco
import numpy as np

from embodied.errors import ConfigError, check_range
from embodied.scenes import furniture as furniture_lib
from embodied.scenes import materials
from embodied.scenes import objects as objects_lib
from embodied.scenes.furniture import Part
from embodied.scenes.layout import (Furniture, GraspableObject, Layout, NoDoorwayError, Rect, Room,
                                    build_walls, partition, place_doorways, room_kinds_for)
from embodied.scenes.meshes import add_mesh_geoms
from embodied.scenes.splits import generator_seed
from embodied.sim import collision
from embodied.sim.world import Timing, World

#: Bumped whenever a change to the generator changes the homes a seed gives.
GENERATOR_VERSION = 1

_GEOM_TYPES = {"box": mujoco.mjtGeom.mjGEOM_BOX, "cylinder": mujoco.mjtGeom.mjGEOM_CYLINDER,
               "capsule": mujoco.mjtGeom.mjGEOM_CAPSULE, "sphere": mujoco.mjtGeom.mjGEOM_SPHERE,
               "ellipsoid": mujoco.mjtGeom.mjGEOM_ELLIPSOID}


def _int_range(field_name: str, value, low: int, high: int) -> tuple[int, int]:
    """An int or (min, max) pair of ints within [low, high], as a (min, max) tuple."""
    allowed = f"an integer in [{low}, {high}] or a pair (min, max) of such integers"
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        pair = (int(value), int(value))
    elif (isinstance(value, (tuple, list)) and len(value) == 2
          and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)):
        pair = (int(value[0]), int(value[1]))
    else:
        raise ConfigError(field_name, value, allowed)
    if not low <= pair[0] <= pair[1] <= high:
        raise ConfigError(field_name, value, allowed)
    return pair


@dataclass(frozen=True)
class HomeConfig:
    """What kind of homes to generate.

    Attributes:
        num_rooms: (min, max) range the number of rooms is drawn from, within 3 to 7; a
            single int n means exactly n.
        furniture_density: probability of each optional piece of furniture, in [0, 1]
            (required pieces such as the bed of a bedroom are always placed).
        num_objects: (min, max) range of the number of graspable objects, within 0 to 60
            (an int means exactly that many). Fewer are placed when receptacles are full.
        door_width: (min, max) doorway width in metres, within [0.8, 1.4].
        extra_door_prob: probability of one extra doorway making a loop, in [0, 1].

    Range fields are typed as tuples (not unions) so the config can be a Hydra/OmegaConf
    structured config; lists are accepted and stored as tuples.
    """

    num_rooms: tuple[int, int] = (4, 6)
    furniture_density: float = 0.6
    num_objects: tuple[int, int] = (10, 18)
    door_width: tuple[float, float] = (0.9, 1.1)
    extra_door_prob: float = 0.5
    static_objects: bool = False

    def __post_init__(self):
        if not isinstance(self.static_objects, bool):
            raise ConfigError("static_objects", self.static_objects, (True, False))
        object.__setattr__(self, "num_rooms", _int_range("num_rooms", self.num_rooms, 3, 7))
        object.__setattr__(self, "num_objects", _int_range("num_objects", self.num_objects, 0, 60))
        check_range("furniture_density", self.furniture_density, 0.0, 1.0)
        check_range("extra_door_prob", self.extra_door_prob, 0.0, 1.0)
        dw = self.door_width
        if (not isinstance(dw, (tuple, list)) or len(dw) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in dw)
                or not 0.8 <= dw[0] <= dw[1] <= 1.4):
            raise ConfigError("door_width", dw, "a pair (min, max) of metres with 0.8 <= min <= max <= 1.4")
        object.__setattr__(self, "door_width", (float(dw[0]), float(dw[1])))


def object_body_name(name: str) -> str:
    """Body name of the graspable object ``name`` (e.g. ``"mug_2"``)."""
    return f"obj/{name}/body"


def furniture_body_name(name: str) -> str:
    """Body name of the furniture piece ``name`` (e.g. ``"table_0"``)."""
    return f"furn/{name}/body"


@dataclass(frozen=True)
class Home:
    """A generated home: its layout plus how it was made, and the model built from it."""

    layout: Layout
    split: str
    seed: int
    config: HomeConfig = field(default_factory=HomeConfig)

    # -- queries ------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return f"{self.split}_{self.seed}"

    @property
    def rooms(self) -> tuple[Room, ...]:
        return self.layout.rooms

    @property
    def furniture(self) -> tuple[Furniture, ...]:
        return self.layout.furniture

    @property
    def objects(self) -> tuple[GraspableObject, ...]:
        return self.layout.objects

    @property
    def doorways(self):
        return self.layout.doorways

    @property
    def bounds(self) -> Rect:
        """The apartment's outline (outer wall faces included)."""
        return self.layout.bounds

    def receptacles(self) -> tuple[Furniture, ...]:
        """Furniture pieces with surfaces objects can be placed on."""
        return tuple(f for f in self.layout.furniture if f.is_receptacle)

    def room_rects(self) -> dict[str, Rect]:
        """Room name -> its floor inside the walls (for per-room position sampling)."""
        return {r.name: r.interior for r in self.layout.rooms}

    def room_at(self, x: float, y: float) -> str | None:
        """Name of the room containing the point (walls count to no room), or None."""
        for r in self.layout.rooms:
            if r.interior.contains_point(x, y):
                return r.name
        return None

    object_body_name = staticmethod(object_body_name)
    furniture_body_name = staticmethod(furniture_body_name)

    @property
    def labels(self) -> dict[str, str]:
        """Semantic labels ``{name prefix: category}`` for :class:`World`."""
        labels = {f"floor/{r.name}/": "floor" for r in self.layout.rooms}
        labels.update({f"wall/{r.name}/": "wall" for r in self.layout.rooms})
        labels["wall/exterior/"] = "wall"
        labels.update({f"furn/{f.name}/": f.category for f in self.layout.furniture})
        labels.update({f"obj/{o.name}/": o.category for o in self.layout.objects})
        return labels

    def describe(self) -> str:
        """Text description of rooms, furniture and objects (for planners)."""
        return self.layout.describe()

    # -- model --------------------------------------------------------------------------
    def build_spec(self) -> mujoco.MjSpec:
        """A new MjSpec of the home (each call returns a fresh, independent spec)."""
        return build_spec(self.layout, model_name=f"home_{self.name}",
                          static_objects=self.config.static_objects)

    def make_world(self, entities: Sequence = (), timing: Timing = Timing(),
                   seed: int | None = 0, sleep: bool = False) -> World:
        """A World of this home with ``entities`` attached, labelled for segmentation (it
        can be rebuilt without some of them: :meth:`World.rebuild`); ``sleep``: bodies at
        rest sleep (see :class:`World`)."""
        return World(self.build_spec, entities, timing=timing, seed=seed, labels=self.labels,
                     sleep=sleep)


def generate_home(seed: int, split: str = "train", config: HomeConfig | None = None) -> Home:
    """Generate home number ``seed`` of ``split`` ("train", "val" or "test").

    The same arguments always give the same home; the splits draw from disjoint seed
    ranges (see :mod:`embodied.scenes.splits`). Raises ConfigError for an unknown split,
    a seed outside the split's range or an invalid config.
    """
    if config is None:
        config = HomeConfig()
    elif not isinstance(config, HomeConfig):
        raise ConfigError("config", config, reason="must be a HomeConfig")
    root = np.random.SeedSequence([GENERATOR_VERSION, generator_seed(split, seed)])
    rng_rooms, rng_doors, rng_furniture, rng_objects = (np.random.default_rng(s) for s in root.spawn(4))

    n_rooms = int(rng_rooms.integers(config.num_rooms[0], config.num_rooms[1] + 1))
    kinds = room_kinds_for(n_rooms, rng_rooms)
    while True:
        rects = partition(kinds, rng_rooms)
        counters: dict[str, int] = {}
        rooms = []
        for kind, rect in zip(kinds, rects):
            k = counters.get(kind, 0)
            counters[kind] = k + 1
            rooms.append(Room(f"{kind}_{k}", kind, rect, style=int(rng_rooms.integers(materials.N_STYLES))))
        try:
            doorways = place_doorways(rooms, rng_doors, config.door_width, config.extra_door_prob)
            break
        except NoDoorwayError:
            continue
    walls = build_walls(rooms, doorways)
    pieces = furniture_lib.furnish(rooms, doorways, config.furniture_density, rng_furniture)
    n_objects = int(rng_objects.integers(config.num_objects[0], config.num_objects[1] + 1))
    objs = objects_lib.place_objects(rooms, pieces, n_objects, rng_objects)
    layout = Layout(tuple(rooms), tuple(doorways), tuple(walls), tuple(pieces), tuple(objs))
    return Home(layout, split, seed, config)


# ---------------------------------------------------------------------------------------
# Spec building


def _add_part(body: mujoco.MjsBody, name: str, part: Part, group: dict) -> mujoco.MjsGeom:
    geom = body.add_geom(name=name, type=_GEOM_TYPES[part.shape], pos=part.pos,
                         size=list(part.size) + [0.0] * (3 - len(part.size)), rgba=part.rgba,
                         group=collision.GROUP_VISUAL)
    if part.quat is not None:
        geom.quat = part.quat
    collision.apply(geom, group if part.collide else collision.VISUAL)
    return geom


def _add_furniture(spec: mujoco.MjSpec, piece: Furniture) -> None:
    body = spec.worldbody.add_body(name=furniture_body_name(piece.name), pos=(*piece.pos, 0.0),
                                   quat=piece.quat)
    for k, part in enumerate(furniture_lib.furniture_parts(piece)):
        _add_part(body, f"furn/{piece.name}/{k}", part, collision.STATIC)


def _add_object(spec: mujoco.MjSpec, obj: GraspableObject, static: bool = False) -> None:
    body = spec.worldbody.add_body(name=object_body_name(obj.name), pos=obj.pos, quat=obj.quat)
    if not static:
        body.add_freejoint(name=f"obj/{obj.name}/joint")
    group = collision.STATIC if static else collision.DYNAMIC
    com, diag = objects_lib.inertia(obj.category, obj.size, obj.mass)
    body.explicitinertial = True
    body.mass, body.ipos, body.inertia = obj.mass, com, diag
    prefix = f"obj/{obj.name}/"
    for k, part in enumerate(objects_lib.object_parts(obj)):
        if part.shape == "mesh":
            mesh = objects_lib.mesh_of(obj.category, part.size[0])
            geoms = add_mesh_geoms(body, spec, f"mesh/{obj.category}@{part.size[0]:g}", mesh, part.rgba,
                                   group, geom_prefix=prefix)
            colliders = geoms[1:]
        else:
            geom = _add_part(body, f"{prefix}{k}", part, group)
            colliders = (geom,) if part.collide else ()
        for geom in colliders:
            geom.friction = objects_lib.FRICTION
            geom.condim = 4  # torsional friction: objects do not spin in place


def build_spec(layout: Layout, model_name: str = "home", static_objects: bool = False) -> mujoco.MjSpec:
    """The MuJoCo spec of ``layout``: floors, walls, furniture, objects, looks and lights
    (objects as free bodies, or fixed when ``static_objects``)."""
    spec = mujoco.MjSpec()
    spec.modelname = model_name
    bounds = layout.bounds
    center = bounds.center
    extent = max(bounds.width, bounds.height)
    materials.add_materials(spec, list(layout.rooms))
    materials.add_environment(spec, center, extent * 2)
    world = spec.worldbody

    floor = world.add_geom(name="floor/collision", type=mujoco.mjtGeom.mjGEOM_PLANE,
                           size=(extent, extent, 0.1), group=collision.GROUP_COLLISION)
    collision.apply(floor, collision.STATIC)
    for room in layout.rooms:
        r = room.rect
        geom = world.add_geom(name=f"floor/{room.name}/plane", type=mujoco.mjtGeom.mjGEOM_PLANE,
                              pos=(*r.center, 0.0), size=(r.width / 2, r.height / 2, 0.1),
                              material=materials.floor_material(room), group=collision.GROUP_VISUAL)
        collision.apply(geom, collision.VISUAL)

    rooms = {r.name: r for r in layout.rooms}
    counts: dict[str, int] = {}
    for wall in layout.walls:
        owner = wall.room or "exterior"
        k = counts.get(owner, 0)
        counts[owner] = k + 1
        fp = wall.footprint
        geom = world.add_geom(name=f"wall/{owner}/{k}", type=mujoco.mjtGeom.mjGEOM_BOX,
                              pos=(*fp.center, wall.height / 2),
                              size=(fp.width / 2, fp.height / 2, wall.height / 2),
                              material=materials.wall_material(rooms.get(wall.room)),
                              group=collision.GROUP_VISUAL)
        collision.apply(geom, collision.STATIC)

    for piece in layout.furniture:
        _add_furniture(spec, piece)
    for obj in layout.objects:
        _add_object(spec, obj, static_objects)
    return spec


__all__ = ["Home", "HomeConfig", "generate_home", "build_spec", "object_body_name",
           "furniture_body_name"]
