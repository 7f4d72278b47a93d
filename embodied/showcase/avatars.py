"""A picture of every avatar, standing in a row (``embodied avatars --out avatars.png``)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from embodied.agents.humanoid.avatars import AVATARS
from embodied.agents.humanoid.floor import floor_spec
from embodied.agents.humanoid.humanoid import Humanoid
from embodied.errors import ConfigError, check_range
from embodied.io import atomic_path


def render_gallery(path: str | Path, avatar_ids: Sequence[str] | None = None, width: int = 1600,
                   height: int = 560, labels: bool = True, profile: str = "pretty") -> Path:
    """Render the avatars side by side, facing the camera, and write a PNG to ``path``."""
    import imageio.v3 as iio

    from embodied.sim.render import Renderer, look_at
    from embodied.sim.world import World

    ids = list(AVATARS) if avatar_ids is None else list(avatar_ids)
    if not ids:
        raise ConfigError("avatar_ids", avatar_ids, reason="must name at least one avatar")
    check_range("width", width, 64, 1920, integer=True)
    check_range("height", height, 64, 1080, integer=True)
    spacing = 0.75
    xs = (np.arange(len(ids)) - (len(ids) - 1) / 2) * spacing
    humans = [Humanoid(f"h{i}", avatar_id, pos=(0.0, float(x), 0.0), yaw=0.0)
              for i, (avatar_id, x) in enumerate(zip(ids, xs))]
    world = World(floor_spec(size=max(6.0, len(ids) * spacing)), humans, seed=0)
    world.reset()
    span = len(ids) * spacing
    aspect = width / height
    # distance so that the row fills the width with a 45 degree vertical field of view
    distance = max(3.0, 0.5 * span / (aspect * np.tan(np.radians(22.5))) * 1.15)
    camera = look_at([0.0, 0.0, 0.85], distance=distance, azimuth=180.0, elevation=-8.0)
    with Renderer(world, width, height, profile) as renderer:
        image = renderer.rgb(camera)
    if labels:
        image = _label(image, ids, xs, distance, camera)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        iio.imwrite(tmp, image, extension=".png")
    return out


def _label(image: np.ndarray, ids, xs, distance: float, camera) -> np.ndarray:
    """Write each avatar's id under its feet (pinhole projection of the camera above)."""
    import cv2

    h, w = image.shape[:2]
    image = np.ascontiguousarray(image)
    f = 0.5 * h / np.tan(np.radians(22.5))
    for avatar_id, x in zip(ids, xs):
        # the camera at +x looks back along -x, so image u grows with +y
        u = int(w / 2 + f * x / distance)
        scale = max(0.3, min(0.5, w / len(ids) / 260))
        size, _ = cv2.getTextSize(avatar_id, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        cv2.putText(image, avatar_id, (u - size[0] // 2, h - 12), cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (30, 30, 30), 1, cv2.LINE_AA)
    return image


def _free_view(home, target, anchor, distance: float, elevation: float, prefer: float):
    """A look_at camera on ``target`` from inside the room of ``anchor`` (x, y) (at least
    0.15 m from its walls), trying azimuths nearest ``prefer`` (degrees) and the largest
    distances first."""
    from embodied.sim.render import look_at

    room = home.room_at(*anchor[:2])
    for dist in (distance, 0.8 * distance, 0.6 * distance, 0.45 * distance):
        for delta in sorted(range(0, 360, 15), key=lambda d: min(d, 360 - d)):
            az = prefer + delta
            reach = dist * np.cos(np.radians(elevation))
            cam = np.array(anchor[:2]) - reach * np.array([np.cos(np.radians(az)), np.sin(np.radians(az))])
            if room is None or all(home.room_at(cam[0] + dx, cam[1] + dy) == room
                                   for dx, dy in ((0.15, 0), (-0.15, 0), (0, 0.15), (0, -0.15))):
                return look_at(target, dist, az, elevation)
    return look_at(target, distance, prefer, elevation)


def render_showcase(out_dir: str | Path, home_seed: int = 0, width: int = 640,
                    height: int = 480) -> list[Path]:
    """Frames for the documentation: ``humanoid_walk.png`` (several humanoids walking in a
    home), ``humanoid_reach.png`` (reaching for an object) and ``humanoid_carry.png``
    (carrying it to another piece of furniture)."""
    import math

    import imageio.v3 as iio

    from embodied.agents.humanoid import behaviours as B
    from embodied.agents.humanoid.reach import ReachStatus
    from embodied.scenes.home import generate_home
    from embodied.scenes.navmap import NavMap
    from embodied.sim.render import Renderer

    out_dir = Path(out_dir)
    home = generate_home(home_seed, "train")
    probe = home.make_world([])
    navmap = NavMap.from_model(probe.model, probe.data, agent_radius=0.25, rooms=home.room_rects())
    written = []

    def save(name, image):
        path = out_dir / name
        with atomic_path(path) as tmp:
            iio.imwrite(tmp, image, extension=".png")
        written.append(path)

    # several humanoids wandering
    starts = navmap.sample_navigable(np.random.default_rng(home_seed), 4)
    humans = [Humanoid(f"human{i}", f"avatar_{(3 * i + 1) % 12:02d}", pos=(p[0], p[1], 0.0),
                       navmap=navmap) for i, p in enumerate(starts)]
    world = home.make_world(humans, seed=home_seed)
    world.reset()
    for h in humans:
        h.run(B.Wander(pause=(0.0, 0.3)))
    world.step(45)
    lead = None
    for _ in range(600):    # a moment when someone walks briskly, clear of the others
        world.step()
        for h in humans:
            apart = min(np.linalg.norm(h.position - o.position) for o in humans if o is not h)
            if h.speed > 0.9 and h.gait.state.stepping and apart > 1.5:
                lead = h
                break
        if lead is not None:
            break
    lead = lead or max(humans, key=lambda h: h.speed)
    with Renderer(world, width, height, "pretty") as r:
        save("humanoid_walk.png", r.rgb(_free_view(home, [*lead.position, 0.85], lead.position, 3.6, -10.0,
                                                   math.degrees(lead.yaw) + 120)))

    # reach for an object, then carry it to another receptacle
    # the object whose standing place is the most open (to see the reach well)
    candidates = [(navmap.snap_to_navigable(o.pos[:2]), o) for o in home.objects[:8]]
    start, obj = max(((p, o) for p, o in candidates if p is not None),
                     key=lambda c: navmap.clearance_at(c[0]) + (0.5 if c[1].pos[2] > 0.6 else 0.0))
    target = next(f for f in home.receptacles() if f.name != obj.receptacle)
    h = Humanoid("human0", "avatar_00", pos=(start[0], start[1], 0.0), navmap=navmap)
    world = home.make_world([h], seed=home_seed)
    world.reset()
    task = B.PickAndPlace(home.object_body_name(obj.name), B.surfaces_of(target)[0])
    h.run(task)
    with Renderer(world, width, height, "pretty") as r:
        shots = set()
        for _ in range(1500):
            world.step()
            if "reach" not in shots and h.reach_status is ReachStatus.REACHED:
                mid = 0.5 * (h.hand_position() + np.array([*h.position, 1.0]))
                save("humanoid_reach.png", r.rgb(_free_view(home, mid, h.position, 2.2, -20.0,
                                                            math.degrees(h.yaw) + 100)))
                shots.add("reach")
            if "carry" not in shots and task.index == 1 and h.holding is not None and h.speed > 0.9:
                save("humanoid_carry.png", r.rgb(_free_view(home, [*h.position, 0.85], h.position, 3.0, -12.0,
                                                            math.degrees(h.yaw) + 110)))
                shots.add("carry")
            if not task.running:
                break
    return written
