"""``embodied crowd``: a home full of walking people, as a video and a top-down trail plot.

Writes ``<out>`` (mp4, a view from above the home), ``<out stem>.png`` (each person's
track over the navigation map, its start a dot, where people waited red) and
``<out stem>.json`` (goals reached and given up, closest approach, steps/s), atomically.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from embodied.errors import check_range


def run_crowd(people: int = 20, seed: int = 3, out: str | os.PathLike = "crowd.mp4",
              seconds: float = 30.0, model: str = "orca", split: str = "val", robot: bool = True,
              width: int = 800, height: int = 600, frame_skip: int = 2, progress: bool = True,
              video: bool = True) -> dict:
    """Walk ``people`` in home ``seed`` of ``split`` for ``seconds``; write the files above
    (the video only with ``video``) and return the summary: goals reached and given up,
    the closest two people came (centres), how often someone was inside a wall or
    furniture (their body disc over an occupied cell, checked every step)."""
    import contextlib

    import cv2
    from tqdm.auto import tqdm

    from embodied.crowds.crowd import CrowdConfig
    from embodied.crowds.scene import crowd_scene
    from embodied.io import atomic_path, write_json
    from embodied.sim.render import Renderer, look_at
    from embodied.sim.video import VideoWriter

    check_range("people", people, 1, 500, integer=True)
    check_range("seconds", seconds, 0.1, 3600.0)
    check_range("frame_skip", frame_skip, 1, 30, integer=True)
    out = Path(out)
    config = CrowdConfig(model=model, robot="robot" if robot else None)
    scene = crowd_scene(seed, split, people, config, robot=robot, seed=seed)
    world, nav = scene.world, scene.navmap
    steps = int(round(seconds / world.dt))
    b = scene.home.bounds
    camera = look_at([(b.xmin + b.xmax) / 2, (b.ymin + b.ymax) / 2, 0.0],
                     distance=1.15 * max(b.width, b.height * width / height), azimuth=90.0,
                     elevation=-89.0)
    renderer = Renderer(world, width, height, "fast") if video else None
    body = scene.people[0].config.body_radius
    inside_map = nav.with_radius(body - 0.01)
    tracks, waiting, closest, sim_time, inside = [], [], np.inf, 0.0, 0
    try:
        writer = (VideoWriter(out, fps=round(1.0 / world.dt / frame_skip)) if video
                  else contextlib.nullcontext())
        with writer as recording:
            for step in tqdm(range(steps), desc=f"crowd of {people}", unit="step",
                             disable=not progress):
                start = time.perf_counter()
                world.step()
                sim_time += time.perf_counter() - start
                pos = scene.positions()
                tracks.append(pos)
                gaps = np.linalg.norm(pos[:, None] - pos[None], axis=2) + np.eye(people) * 1e9
                closest = min(closest, float(gaps.min()))
                inside += sum(not inside_map.is_navigable(p) for p in pos)
                waiting += [pos[i] for i, p in enumerate(scene.crowd.persons) if p.blocked > 1.0]
                if video and step % frame_skip == 0:
                    recording.append(renderer.rgb(camera))
    finally:
        if renderer is not None:
            renderer.close()
    image = nav.to_image(scale=4)
    tracks = np.array(tracks)
    for i in range(people):
        color = tuple(int(c) for c in np.random.default_rng(i).integers(30, 200, 3))
        pts = nav.world_to_pixel(tracks[:, i], 4).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(image, [pts], False, color, 1, cv2.LINE_AA)
        cv2.circle(image, tuple(int(v) for v in pts[0, 0]), 4, color, -1)
    for p in waiting[::5]:
        cv2.circle(image, tuple(int(v) for v in nav.world_to_pixel(p, 4)), 2, (220, 30, 30), -1)
    png = out.with_suffix(".png")
    with atomic_path(png) as tmp:
        cv2.imwrite(str(tmp), image[..., ::-1])
    summary = {"people": people, "home": f"{split}/{seed}", "model": model, "seconds": seconds,
               "goals_reached": scene.crowd.goals_reached,
               "goals_given_up": scene.crowd.goals_given_up,
               "closest_centres_m": closest, "body_radius_m": body,
               "person_steps_inside_obstacles": inside, "steps_per_s": steps / sim_time,
               "files": {"video": str(out) if video else None, "trails": str(png)}}
    write_json(out.with_suffix(".json"), summary)
    return summary
