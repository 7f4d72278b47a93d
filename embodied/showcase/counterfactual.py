"""``embodied counterfactual``: a CounterfactualNav episode next to its robot-free twin.

Writes ``<out>`` (mp4: the episode seen from above on the left, the same home re-simulated
in full without the robot on the right), ``<out stem>.png`` (the people's tracks with the
robot, thick, and without it, thin, the displacement every 2 s drawn between them in red,
the robot's path in black) and ``<out stem>.json`` (the episode's metrics, and how far the
full re-simulation's people ever were from the task's shadow twin: 0 up to rounding),
atomically.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np

from embodied.errors import SimulationError


def run_counterfactual(seed: int = 0, out: str | os.PathLike = "cf.mp4", policy: str = "orca_robot",
                       split: str = "test", height: int = 480,
                       frame_skip: int = 2, video: bool = True, progress: bool = True) -> dict:
    """Run episode ``seed`` of ``split`` with ``policy`` (a name of ``policies/`` or a
    registered kind) beside the World rebuilt without the robot (frames ``height`` pixels
    high, as wide as the home's aspect makes them); write the files above and return the
    summary."""
    import cv2
    import gymnasium as gym
    from tqdm.auto import tqdm

    from embodied.config import policy_config
    from embodied.io import atomic_path, write_json
    from embodied.policies import make_policy
    from embodied.sim.render import Renderer, top_down
    from embodied.sim.video import VideoWriter

    out = Path(out)
    env = gym.make("embodied/CounterfactualNav-v0", split=split)
    agent = make_policy(policy_config(policy))
    obs, info = env.reset(seed=seed)
    agent.reset(env, seed)
    task = env.unwrapped.task
    view = env.unwrapped.privileged()
    world, people = view.world, view.people
    twin = world.rebuild(without=("robot",))
    b = view.home.bounds
    width = 8 * round(height * b.width / b.height / 8)          # the home's aspect
    camera = top_down([(b.xmin + b.xmax) / 2, (b.ymin + b.ymax) / 2, 0.0], b.height + 0.6)
    renderers = [Renderer(w, width, height, "fast") for w in (world, twin)] if video else []
    nav, goal = view.navmap(people[0]), view.goal
    tracks, twin_tracks, robot_track, gap = [], [], [], 0.0
    try:
        writer = VideoWriter(out, fps=round(1.0 / world.dt / frame_skip)) if video \
            else contextlib.nullcontext()
        with writer as recording:
            for step in tqdm(range(task.config.max_steps), desc="counterfactual", unit="step",
                             disable=not progress):
                obs, _, terminated, truncated, info = env.step(agent.act(obs, env))
                twin.step()
                view = env.unwrapped.privileged()
                here = np.array([world.entity(p).xy for p in people])
                there = np.array([twin.entity(p).xy for p in people])
                gap = max(gap, float(np.abs(there - view.twin_positions).max()))
                tracks.append(here)
                twin_tracks.append(there)
                robot_track.append(world.entity("robot").base_pose(world)[:2])
                if video and step % frame_skip == 0:
                    left, right = (r.rgb(camera) for r in renderers)
                    recording.append(_side_by_side(left, right, task.video_lines(), cv2))
                if terminated or truncated:
                    break
    finally:
        for r in renderers:
            r.close()
        env.close()
    if gap > 1e-9:
        raise SimulationError(f"the shadow twin left the full re-simulation by {gap:.3g} m")
    png = out.with_suffix(".png")
    with atomic_path(png) as tmp:
        plot = _trajectory_plot(nav, goal, task.config.success_distance, round(2.0 / world.dt),
                                np.array(tracks), np.array(twin_tracks), np.array(robot_track), cv2)
        cv2.imwrite(str(tmp), plot[..., ::-1])
    summary = {"seed": seed, "split": split, "policy": policy, "metrics": info["metrics"],
               "shadow_vs_full_resimulation_m": gap,
               "files": {"video": str(out) if video else None, "trajectories": str(png)}}
    write_json(out.with_suffix(".json"), summary)
    return summary


def _side_by_side(left: np.ndarray, right: np.ndarray, lines, cv2) -> np.ndarray:
    frame = np.concatenate([left, np.full((left.shape[0], 8, 3), 255, np.uint8), right], axis=1)
    for text, x in (("with the robot", 8), ("without it (re-simulated)", left.shape[1] + 16)):
        cv2.putText(frame, text, (x, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 2, cv2.LINE_AA)
    for k, line in enumerate(lines):
        cv2.putText(frame, line, (8, frame.shape[0] - 12 - 20 * (len(lines) - 1 - k)),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    return frame


def _trajectory_plot(nav, goal, goal_radius: float, every: int, tracks, twin_tracks, robot_track,
                     cv2, scale: int = 6) -> np.ndarray:
    """People's tracks with the robot (thick) and without it (thin), displacement lines
    every ``every`` steps, the robot's path in black and its goal as a ring."""
    image = nav.to_image(scale=scale)
    for i in range(tracks.shape[1]):
        color = tuple(int(c) for c in np.random.default_rng(i).integers(30, 200, 3))
        real = nav.world_to_pixel(tracks[:, i], scale).astype(np.int32)
        free = nav.world_to_pixel(twin_tracks[:, i], scale).astype(np.int32)
        cv2.polylines(image, [free.reshape(-1, 1, 2)], False, color, 1, cv2.LINE_AA)
        cv2.polylines(image, [real.reshape(-1, 1, 2)], False, color, 2, cv2.LINE_AA)
        for a, b in zip(real[::every], free[::every]):
            if tuple(a) != tuple(b):
                cv2.line(image, tuple(int(v) for v in a), tuple(int(v) for v in b), (220, 30, 30), 1)
    path = nav.world_to_pixel(robot_track, scale).astype(np.int32).reshape(-1, 1, 2)
    cv2.polylines(image, [path], False, (0, 0, 0), 2, cv2.LINE_AA)
    centre = tuple(int(v) for v in nav.world_to_pixel(goal, scale))
    cv2.circle(image, centre, max(int(goal_radius / nav.cell_size * scale), 3), (0, 0, 0), 2, cv2.LINE_AA)
    return image


__all__ = ["run_counterfactual"]
