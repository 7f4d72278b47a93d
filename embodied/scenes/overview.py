"""A picture of a generated home: an annotated top-down map next to a perspective view.

The top-down view is a near-orthographic render, so the navigation map, room names and a
sample shortest path can be drawn over the floor plane accurately.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from embodied.errors import check_range
from embodied.io import atomic_path

#: Agent radius of the map drawn in the overview (the robot's footprint).
OVERVIEW_AGENT_RADIUS = 0.3
#: Tint of the places the agent's centre cannot reach (distinct from wood and tile tones).
_BLOCKED_RGB = (70, 40, 160)


def _far_top_down(renderer, world, center, extent_y: float) -> np.ndarray:
    """Render straight down from far away with a narrow field of view (near-orthographic:
    a 2.5 m wall top shifts by about 1% of its distance from the centre) so that
    ``extent_y`` metres of the floor plane fill the image height."""
    from embodied.sim.render import look_at

    vis = world.model.vis.global_
    saved = vis.fovy
    distance = _TOP_DOWN_DISTANCE_FACTOR * extent_y
    vis.fovy = float(np.degrees(2 * np.arctan(extent_y / (2 * distance))))
    try:
        cam = look_at([center[0], center[1], 0.0], distance=distance, azimuth=90.0,
                      elevation=-90.0)
        return renderer.rgb(cam)
    finally:
        vis.fovy = saved


_TOP_DOWN_DISTANCE_FACTOR = 20.0


def render_home_overview(seed: int, split: str = "val", out: str | os.PathLike = "home.png",
                         size: int = 720) -> Path:
    """Write a PNG of home ``seed`` of ``split``: annotated top-down map + perspective view."""
    import cv2

    from embodied.scenes.home import generate_home
    from embodied.scenes.navmap import NavMap
    from embodied.sim.render import Renderer, look_at

    check_range("size", size, 64, 2048, integer=True)
    home = generate_home(seed, split)
    world = home.make_world()
    navmap = NavMap.from_model(world.model, world.data, agent_radius=OVERVIEW_AGENT_RADIUS,
                               rooms=home.room_rects())
    b = home.bounds
    margin = 0.4
    xmin, ymin, xmax, ymax = b.xmin - margin, b.ymin - margin, b.xmax + margin, b.ymax + margin
    extent_x, extent_y = xmax - xmin, ymax - ymin
    height = int(size)
    width = int(round(height * extent_x / extent_y))
    center = ((xmin + xmax) / 2, (ymin + ymax) / 2)
    with Renderer(world, width, height, "pretty") as renderer:
        top = _far_top_down(renderer, world, center, extent_y).copy()
    px_per_m = height / extent_y

    def to_px(xy):
        xy = np.asarray(xy, float)
        return np.stack([(xy[..., 0] - xmin) * px_per_m, (ymax - xy[..., 1]) * px_per_m], -1)

    # tint cells the robot cannot occupy (the inflated margin around obstacles)
    ys, xs = np.mgrid[0:height, 0:width]
    world_x = xmin + (xs + 0.5) / px_per_m
    world_y = ymax - (ys + 0.5) / px_per_m
    inside = navmap.contains(np.stack([world_x, world_y], -1))
    nav = np.zeros((height, width), bool)
    nav[inside] = navmap.is_navigable(np.stack([world_x[inside], world_y[inside]], -1))
    blocked = inside & ~nav
    top[blocked] = (0.6 * top[blocked] + 0.4 * np.array(_BLOCKED_RGB)).astype(np.uint8)
    contours, _ = cv2.findContours(nav.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(top, contours, -1, _BLOCKED_RGB, 1, cv2.LINE_AA)

    # a sample shortest path between the two rooms farthest apart
    rng = np.random.default_rng(seed)
    rooms = list(home.room_rects())
    starts = {name: navmap.sample_navigable(rng, 1, room=name)[0] for name in rooms}
    a, c = max(((p, q) for p in rooms for q in rooms if p < q),
               key=lambda pq: np.linalg.norm(starts[pq[0]] - starts[pq[1]]), default=(None, None))
    if a is not None:
        path = navmap.shortest_path(starts[a], starts[c])
        if path is not None:
            pts = to_px(path).round().astype(np.int32)
            cv2.polylines(top, [pts], False, (30, 110, 240), max(2, height // 240), cv2.LINE_AA)
            for end in (pts[0], pts[-1]):
                cv2.circle(top, tuple(int(v) for v in end), max(4, height // 120), (30, 110, 240), -1)

    font_scale = max(0.4, height / 1400)
    for room in home.rooms:
        label = room.name.replace("_", " ")
        u, v = to_px(room.interior.center).round().astype(int)
        (tw, th), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, font_scale, 1)
        org = (int(u - tw / 2), int(v + th / 2))
        cv2.putText(top, label, org, cv2.FONT_HERSHEY_SIMPLEX, font_scale, (255, 255, 255), 3, cv2.LINE_AA)
        cv2.putText(top, label, org, cv2.FONT_HERSHEY_SIMPLEX, font_scale, (20, 20, 20), 1, cv2.LINE_AA)

    persp_w = int(round(height * 4 / 3))
    with Renderer(world, persp_w, height, "pretty") as renderer:
        diag = float(np.hypot(extent_x, extent_y))
        persp = renderer.rgb(look_at([center[0], center[1], 0.3], distance=1.15 * diag,
                                     azimuth=225.0, elevation=-42.0))
    title = f"home {split}/{seed}: {len(home.rooms)} rooms, {len(home.furniture)} furniture, " \
            f"{len(home.objects)} objects; purple = not navigable for a robot of radius " \
            f"{OVERVIEW_AGENT_RADIUS} m; blue = a shortest path"
    canvas = np.full((height + 36, width + persp_w + 8, 3), 255, np.uint8)
    canvas[36:, :width] = top
    canvas[36:, width + 8:] = persp
    cv2.putText(canvas, title, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (20, 20, 20), 1, cv2.LINE_AA)
    out = Path(out)
    if out.suffix.lower() != ".png":
        from embodied.errors import ConfigError

        raise ConfigError("out", str(out), reason="must be a .png file")
    with atomic_path(out) as tmp:
        if not cv2.imwrite(str(tmp), cv2.cvtColor(canvas, cv2.COLOR_RGB2BGR)):
            raise OSError(f"could not write {out}")
    return out
