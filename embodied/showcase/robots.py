"""Figures of the robot for the documentation: the robot in a generated home and what its
head camera sees (RGB, depth, semantic segmentation).

    python -m embodied.showcase.robots docs/images
"""

from __future__ import annotations

import colorsys
import sys
from pathlib import Path

import mujoco
import numpy as np

from embodied.io import atomic_path
from embodied.sim.render import Renderer, look_at
from embodied.sim.semantics import CATEGORIES


def semantic_palette() -> np.ndarray:
    """A fixed colour per category id (background black), evenly spread in hue; agents
    stand out in saturated magenta (humanoid) and orange (robot)."""
    colours = [(0, 0, 0)]
    for i in range(1, len(CATEGORIES)):
        r, g, b = colorsys.hsv_to_rgb((i * 0.618034) % 1.0, 0.45, 0.85)
        colours.append((int(r * 255), int(g * 255), int(b * 255)))
    colours[CATEGORIES.index("humanoid")] = (240, 30, 200)
    colours[CATEGORIES.index("robot")] = (255, 140, 0)
    return np.array(colours, dtype=np.uint8)


def depth_image(depth: np.ndarray, max_depth: float = 6.0) -> np.ndarray:
    """Depth (m) as a grey image, near bright and far dark."""
    scaled = 1.0 - np.clip(depth.squeeze() / max_depth, 0.0, 1.0)
    grey = (scaled * 235 + 20).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


def _eye(target, distance, azimuth, elevation) -> np.ndarray:
    az, el = np.radians(azimuth), np.radians(elevation)
    return np.asarray(target) - distance * np.array([np.cos(el) * np.cos(az),
                                                     np.cos(el) * np.sin(az), np.sin(el)])


def _visible(world, eye, point) -> bool:
    """Whether nothing static blocks the segment from ``eye`` to ``point``."""
    geom = np.zeros(1, dtype=np.int32)
    seg = np.asarray(point, dtype=float) - eye
    length = float(np.linalg.norm(seg))
    hit = mujoco.mj_ray(world.model, world.data, eye, seg / length, None, 1, -1, geom)
    return (hit < 0 or hit > length - 0.3
            or world.model.body_weldid[world.model.geom_bodyid[geom[0]]] != 0)


def embodiments_image(width: int = 640, height: int = 360) -> np.ndarray:
    """Every registered embodiment side by side in the playground room, arm stowed."""
    from embodied.agents.robot import EMBODIMENTS, make_robot
    from embodied.showcase.playground import make_playground
    from embodied.sim.world import World

    names = sorted(EMBODIMENTS)
    spacing = 1.4
    ys = (np.arange(len(names)) - (len(names) - 1) / 2) * spacing
    robots = [make_robot(n, name=n, pos=(0.8, y, 0.0), yaw=2.6) for n, y in zip(names, ys)]
    playground = make_playground(tables=())
    world = World(playground.spec, robots, labels=playground.labels)
    world.step(5)
    with Renderer(world, width, height, "pretty") as r:
        return r.rgb(look_at([0.8, 0.0, 0.55], 0.4 + spacing * len(names), 0, -12))


def render_figures(out_dir: str | Path, seed: int = 3, size: int = 256) -> list[Path]:
    """Write robot_scene.png, robot_head_{rgb,depth,semantic}.png and
    robot_embodiments.png to ``out_dir``."""
    import imageio.v3 as iio

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    from embodied.showcase.playground import robot_in_home

    world, robot = robot_in_home(seed, humanoid_distance=(2.5, 4.0), face_humanoid=True,
                                 min_clearance=0.7, same_room=True)
    robot.command_head(0.0, 0.15)
    world.step(20)
    x, y, heading = robot.base_pose(world)
    human = world.data.xpos[world.body_id(world.body_names("human0/")[0])]
    robot_head = np.array([x, y, 1.0])
    target = (robot_head + np.array([human[0], human[1], 1.0])) / 2
    view = look_at(target, 4.0, np.degrees(heading) + 90, -35)   # fallback: side view
    candidates = [(d, o, e) for e in (-35, -50, -65) for d in (4.0, 3.2)
                  for o in (90, -90, 60, -60, 120, -120, 30, -30, 150, -150)]
    for distance, offset, elevation in candidates:
        az = np.degrees(heading) + offset
        eye = _eye(target, distance, az, elevation)
        if all(_visible(world, eye, p) for p in (robot_head, [x, y, 0.4], [human[0], human[1], 1.2],
                                                  [human[0], human[1], 0.5])):
            view = look_at(target, distance, az, elevation)
            break
    images = {}
    with Renderer(world, 560, 400, "pretty") as r:
        images["robot_scene.png"] = r.rgb(view)
    with Renderer(world, size, size, "fast") as r:
        images["robot_head_rgb.png"] = r.rgb(robot.head_camera)
        images["robot_head_depth.png"] = depth_image(r.depth(robot.head_camera))
        seg = r.segmentation(robot.head_camera, level="category")
        images["robot_head_semantic.png"] = semantic_palette()[seg]
    images["robot_embodiments.png"] = embodiments_image()
    written = []
    for name, image in images.items():
        path = out_dir / name
        with atomic_path(path) as tmp:
            iio.imwrite(tmp, image, extension=".png")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in render_figures(sys.argv[1] if len(sys.argv) > 1 else "docs/images"):
        print(p, p.stat().st_size // 1024, "KB")
