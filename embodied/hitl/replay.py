"""Replaying a recorded session: the same episodes re-simulated from the recorded
commands of every driven humanoid and the robot's actions (the robot policy is not needed), checked against
the recorded metrics and final-state digests, optionally rendered to a video."""

from __future__ import annotations

import os
import warnings

import numpy as np

from embodied.errors import check_range
from embodied.hitl.config import (apply_humanoid, humanoid_teleop, make_env, session_step,
                                  teleop_humanoid)
from embodied.hitl.recording import Recording, metric_differences, read_recording, state_digest


def replay(recording: str | os.PathLike | Recording, video: str | os.PathLike | None = None,
           allow_truncated: bool = False, allow_other_version: bool = False,
           width: int = 640, height: int = 480, frame_skip: int = 1) -> dict:
    """Re-simulate a recording; returns a summary like the session's, each episode with
    ``identical`` (metrics and state digest equal to the recorded ones) and
    ``differences`` (names of what differs). ``video`` writes an mp4 (atomically) of every
    ``frame_skip``-th step. A truncated recording replays its readable prefix (with a
    warning) only with ``allow_truncated``; its unfinished episode is not compared."""
    import time

    from embodied.sim.video import VideoWriter

    if not isinstance(recording, Recording):
        recording = read_recording(recording, allow_truncated, allow_other_version)
    if recording.problem:
        warnings.warn(recording.problem, stacklevel=2)
    check_range("frame_skip", frame_skip, 1, 1000, integer=True)
    header = recording.header
    start = time.perf_counter()
    env = make_env(header["task"], header["split"], "rgb_array" if video else None,
                   (width, height) if video else None)
    writer = None
    episodes = []
    try:
        task = env.unwrapped.task
        fps = float(env.metadata["render_fps"]) / frame_skip
        writer = VideoWriter(video, fps=fps) if video else None
        frame = 0
        driven = header.get("driven") or [teleop_humanoid(task)]
        for episode in recording.episodes:
            env.reset(seed=episode.seed)
            for name in driven:
                humanoid_teleop(task, name)
            for step in episode.steps:
                events = step.get("e") or [None] * len(driven)
                for name, command, event in zip(driven, step["h"], events):
                    apply_humanoid(task, name, command, event)
                action = step["a"]
                session_step(env, None if action is None else np.asarray(action, dtype=np.float64))
                if writer is not None:
                    if frame % frame_skip == 0:
                        writer.append(env.render())
                    frame += 1
            metrics = task.episode_metrics()
            digest = state_digest(task.privileged().world)
            result = {"episode": episode.index, "seed": episode.seed, "steps": task.steps,
                      "headline": task.headline(metrics),
                      "metrics": metrics, "digest": digest,
                      "reason": episode.end["reason"] if episode.end else "unfinished"}
            if episode.end is not None:
                differences = metric_differences(episode.end["metrics"], metrics)
                if episode.end["digest"] != digest:
                    differences.append("final state")
                if episode.end["steps"] != task.steps:
                    differences.append("steps")
                result.update(identical=not differences, differences=differences)
            episodes.append(result)
        if writer is not None:
            writer.close()
            writer = None
    finally:
        if writer is not None:
            writer.close(ok=False)
        env.close()
    compared = [e for e in episodes if "identical" in e]
    return {"episodes": episodes, "steps": sum(e["steps"] for e in episodes),
            "wall_time_s": time.perf_counter() - start,
            "identical": bool(compared) and all(e["identical"] for e in compared),
            "compared_episodes": len(compared), "truncated": recording.problem,
            "recording": str(recording.path), "video": str(video) if video else None,
            "robot_policy": header.get("robot_policy", {}).get("name")}

