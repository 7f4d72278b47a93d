"""Looks of a home: floor and wall materials per room kind, the outside, sky and lights.

Floors use MuJoCo's builtin textures (checkers with drawn edges for planks and tiles,
noise for carpet) so rooms are told apart at a glance, in colour images and from above.
Each room kind has a few styles; a room's ``style`` picks one.
"""

from __future__ import annotations

from dataclasses import dataclass

import mujoco

from embodied.scenes.layout import Room

_T2D = mujoco.mjtTexture.mjTEXTURE_2D
_CHECKER = mujoco.mjtBuiltin.mjBUILTIN_CHECKER
_FLAT = mujoco.mjtBuiltin.mjBUILTIN_FLAT
_GRADIENT = mujoco.mjtBuiltin.mjBUILTIN_GRADIENT


@dataclass(frozen=True)
class FloorStyle:
    """A builtin texture and how many times it repeats per metre (x, y)."""

    name: str
    builtin: int
    rgb1: tuple[float, float, float]
    rgb2: tuple[float, float, float]
    mark: str = "none"
    markrgb: tuple[float, float, float] = (0.0, 0.0, 0.0)
    random: float = 0.0
    repeat: tuple[float, float] = (1.0, 1.0)
    reflectance: float = 0.0


FLOORS: dict[str, FloorStyle] = {s.name: s for s in (
    FloorStyle("oak", _CHECKER, (0.62, 0.45, 0.29), (0.55, 0.39, 0.25), "edge", (0.40, 0.27, 0.16),
               repeat=(0.7, 3.5), reflectance=0.05),
    FloorStyle("walnut", _CHECKER, (0.47, 0.32, 0.20), (0.42, 0.28, 0.17), "edge", (0.30, 0.19, 0.12),
               repeat=(0.7, 3.5), reflectance=0.05),
    FloorStyle("tile_grey", _CHECKER, (0.80, 0.80, 0.78), (0.72, 0.72, 0.70), "edge", (0.45, 0.45, 0.45),
               repeat=(1.6, 1.6), reflectance=0.08),
    FloorStyle("tile_terracotta", _CHECKER, (0.70, 0.50, 0.40), (0.65, 0.46, 0.37), "edge",
               (0.50, 0.36, 0.29), repeat=(1.6, 1.6), reflectance=0.05),
    FloorStyle("tile_small_blue", _CHECKER, (0.88, 0.93, 0.97), (0.62, 0.76, 0.88), "edge",
               (0.55, 0.60, 0.65), repeat=(3.0, 3.0), reflectance=0.1),
    FloorStyle("tile_small_white", _CHECKER, (0.88, 0.88, 0.88), (0.78, 0.80, 0.82), "edge",
               (0.60, 0.62, 0.64), repeat=(3.0, 3.0), reflectance=0.1),
    FloorStyle("carpet_beige", _FLAT, (0.66, 0.58, 0.48), (0.66, 0.58, 0.48), "random", (0.58, 0.51, 0.42),
               random=0.3, repeat=(2.0, 2.0)),
    FloorStyle("carpet_blue", _FLAT, (0.42, 0.50, 0.64), (0.42, 0.50, 0.64), "random", (0.36, 0.43, 0.56),
               random=0.3, repeat=(2.0, 2.0)),
    FloorStyle("carpet_grey", _FLAT, (0.55, 0.55, 0.57), (0.55, 0.55, 0.57), "random", (0.48, 0.48, 0.50),
               random=0.3, repeat=(2.0, 2.0)),
    FloorStyle("stone", _CHECKER, (0.62, 0.60, 0.56), (0.56, 0.54, 0.50), "edge", (0.42, 0.40, 0.37),
               repeat=(1.2, 1.2), reflectance=0.05),
)}

#: Floor styles and wall colours each room kind chooses from.
ROOM_FLOORS = {"living_room": ("oak", "walnut"), "kitchen": ("tile_grey", "tile_terracotta"),
               "bedroom": ("carpet_beige", "carpet_blue"), "bathroom": ("tile_small_blue", "tile_small_white"),
               "hallway": ("stone", "oak"), "office": ("carpet_grey", "walnut")}
ROOM_WALLS = {"living_room": ((0.93, 0.88, 0.78), (0.86, 0.80, 0.70)),
              "kitchen": ((0.85, 0.92, 0.84), (0.95, 0.95, 0.92)),
              "bedroom": ((0.80, 0.86, 0.95), (0.88, 0.82, 0.92)),
              "bathroom": ((0.82, 0.94, 0.95), (0.96, 0.96, 0.97)),
              "hallway": ((0.88, 0.88, 0.86), (0.92, 0.89, 0.84)),
              "office": ((0.96, 0.93, 0.80), (0.84, 0.88, 0.86))}
N_STYLES = 2
EXTERIOR_WALL = (0.62, 0.62, 0.64)


def floor_material(room: Room) -> str:
    return f"floor/{ROOM_FLOORS[room.kind][room.style % N_STYLES]}"


def wall_material(room: Room | None) -> str:
    return "wall/exterior" if room is None else f"wall/{room.kind}/{room.style % N_STYLES}"


def add_materials(spec: mujoco.MjSpec, rooms: list[Room]) -> None:
    """Textures and materials for the floors and walls of ``rooms`` (only those used)."""
    floor_names = sorted({floor_material(r).split("/", 1)[1] for r in rooms})
    for name in floor_names:
        style = FLOORS[name]
        spec.add_texture(name=f"tex/floor/{name}", type=_T2D, builtin=style.builtin,
                         rgb1=style.rgb1, rgb2=style.rgb2, mark=getattr(mujoco.mjtMark, f"mjMARK_{style.mark.upper()}"),
                         markrgb=style.markrgb, random=style.random, width=256, height=256)
        spec.add_material(name=f"floor/{name}", textures=["", f"tex/floor/{name}"],
                          texrepeat=style.repeat, texuniform=True, reflectance=style.reflectance,
                          specular=0.2, shininess=0.3)
    for name in sorted({wall_material(r) for r in rooms} | {wall_material(None)}):
        if name == "wall/exterior":
            color = EXTERIOR_WALL
        else:
            _, kind, style = name.split("/")
            color = ROOM_WALLS[kind][int(style)]
        spec.add_material(name=name, rgba=(*color, 1.0), specular=0.05, shininess=0.1)


def add_environment(spec: mujoco.MjSpec, center, extent: float) -> None:
    """Sky, the ground outside the apartment, lights and the head light."""
    spec.add_texture(name="tex/sky", type=mujoco.mjtTexture.mjTEXTURE_SKYBOX, builtin=_GRADIENT,
                     rgb1=(0.55, 0.72, 0.90), rgb2=(0.95, 0.97, 1.0), width=256, height=1536)
    spec.add_texture(name="tex/ground", type=_T2D, builtin=_CHECKER, rgb1=(0.42, 0.46, 0.38),
                     rgb2=(0.40, 0.44, 0.36), width=128, height=128)
    spec.add_material(name="ground", textures=["", "tex/ground"], texrepeat=(0.5, 0.5), texuniform=True)
    spec.worldbody.add_geom(name="ground", type=mujoco.mjtGeom.mjGEOM_PLANE,
                            pos=(center[0], center[1], -0.005), size=(extent, extent, 0.1),
                            material="ground", contype=0, conaffinity=0)
    cx, cy = center
    spec.worldbody.add_light(name="light/sun", type=mujoco.mjtLightType.mjLIGHT_DIRECTIONAL,
                             pos=(cx, cy, 10.0), dir=(0.15, 0.2, -1.0), castshadow=True,
                             diffuse=(0.5, 0.5, 0.47), specular=(0.1, 0.1, 0.1))
    spec.worldbody.add_light(name="light/fill", type=mujoco.mjtLightType.mjLIGHT_DIRECTIONAL,
                             pos=(cx, cy, 10.0), dir=(-0.3, -0.2, -1.0), castshadow=False,
                             diffuse=(0.2, 0.2, 0.22), specular=(0.0, 0.0, 0.0))
    head = spec.visual.headlight
    head.ambient = (0.28, 0.28, 0.28)
    head.diffuse = (0.25, 0.25, 0.25)
    head.specular = (0.05, 0.05, 0.05)
