"""Demo episodes in an unseen home: SocialNav (the heuristic robot finds and follows a
humanoid), SocialRearrange (the expert robot and a Plan-Pop humanoid tidy up together) or
CounterfactualNav (the shortest-path robot crosses a home among 8 people).

Writes ``<out>/demo.mp4`` (third-person view with the robot's head camera inset),
``<out>/summary.json`` (task metrics, episode setup, timings) and, for SocialRearrange,
``<out>/frame.png`` (the first moment both agents carry an object), all atomically.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from embodied.errors import check_range


#: The demo of each task (its registry name): its robot policy, env options and episode
#: seed (the env is the task's current version).
DEMOS = {"social_nav": ("heuristic_clear", {}, 0),
         "social_rearrange": ("rearrange_expert", {"action_mode": "skills", "partner": "plan_pop_3"}, 2),
         "counterfactual_nav": ("goal_path", {}, 3)}
#: The metrics a demo summary table shows, where a task has them.
HEADLINE = ("finding_success", "following_rate", "collision", "success", "percent_complete",
            "task_offloading", "did_collide", "spl", "perturbation")


def run_demo(seed: int = 0, split: str = "val", steps: int = 600, out_dir: str | os.PathLike = "out/demo",
             width: int = 640, height: int = 480, video: bool = True, progress: bool = True,
             frame_skip: int = 2, task: str = "social_nav", render_workers: int = 2) -> dict:
    """Run one episode of ``task`` (a key of :data:`DEMOS`) with its robot policy; return
    the summary written. ``steps`` caps the control steps (low-level ones for
    SocialRearrange, whose env steps are skills).

    The video shows every ``frame_skip``-th control step in the ``video`` render profile,
    drawn by ``render_workers`` processes while the episode runs on (rendering with
    shadows costs far more than simulating on a CPU; 0: in this process)."""
    import gymnasium as gym
    import numpy as np
    from tqdm.auto import tqdm

    import embodied  # noqa: F401
    from embodied.envs.views import FrameWorkers
    from embodied.io import write_json, write_png
    from embodied.config import policy_config
    from embodied.policies import make_policy
    from embodied.sim.video import VideoWriter

    from embodied.errors import check_choice

    check_choice("task", task, DEMOS)
    check_range("steps", steps, 1, 100_000, integer=True)
    check_range("width", width, 64, 1920, integer=True)
    check_range("height", height, 64, 1080, integer=True)
    check_range("frame_skip", frame_skip, 1, 30, integer=True)
    check_range("render_workers", render_workers, 0, 16, integer=True)
    out_dir = Path(out_dir)
    from embodied.tasks.registry import get_task

    policy_name, options, _ = DEMOS[task]
    env_id = get_task(task).env_id
    env = gym.make(env_id, split=split, max_steps=steps, **options)
    policy = make_policy(policy_config(policy_name))
    files = {"summary": str(out_dir / "summary.json")}
    still = {"path": out_dir / "frame.png", "frame": None, "taken": False}
    start = time.perf_counter()
    sim_time = render_time = 0.0
    view = writer = None
    try:
        obs, info = env.reset(seed=seed)
        policy.reset(env, seed)
        setup = dict(info)
        inner = env.unwrapped.task
        submitted = [0]
        if video:
            view = FrameWorkers(env.unwrapped.world, width, height, "video",
                                inner.inset_camera(), workers=render_workers)
            writer = VideoWriter(out_dir / "demo.mp4", fps=env.metadata["render_fps"] / frame_skip)

        def frame(both_carrying: bool = False) -> None:
            """Queue this moment's frame (and remember the first of both agents carrying)."""
            if both_carrying and still["frame"] is None:
                still["frame"] = submitted[0]
            view.submit(inner.view_focus(), inner.video_lines())
            submitted[0] += 1

        def write_ready(frames) -> None:
            for picture in frames:
                if still["frame"] is not None and not still["taken"] and \
                        writer.frames == still["frame"]:
                    write_png(still["path"], picture)       # both agents carrying
                    still["taken"] = True
                    files["frame"] = str(still["path"])
                writer.append(picture)

        if view is not None and hasattr(inner, "on_low_level_step"):
            def low_level(step_info):
                if inner.steps % frame_skip == 0:
                    frame(all(step_info["held_by"]))
            inner.on_low_level_step = low_level
        bar = tqdm(range(steps), desc=f"demo {task} {split}/{seed}", unit="step",
                   disable=not progress)
        for step in bar:
            t0 = time.perf_counter()
            obs, reward, terminated, truncated, info = env.step(policy.act(obs, env))
            t1 = time.perf_counter()
            if view is not None:
                if not hasattr(inner, "on_low_level_step") and step % frame_skip == 0:
                    frame()
                write_ready(view.ready())
            render_time += time.perf_counter() - t1
            sim_time += t1 - t0
            if "found_steps" in info:
                bar.set_postfix(distance=f"{info['distance']:.1f}m", found=info["found_steps"],
                                refresh=False)
            if terminated or truncated:
                break
        if view is not None:
            t1 = time.perf_counter()
            write_ready(view.drain())
            render_time += time.perf_counter() - t1
            writer.close()
            writer = None
            files["video"] = str(out_dir / "demo.mp4")
    finally:
        if writer is not None:
            writer.close(ok=False)
        if view is not None:
            view.close()
        env.close()
    metrics = info.get("metrics", {})
    summary = {
        "task": env_id, "policy": policy_name, "split": split, "seed": seed,
        "setup": setup, "steps": int(metrics.get("episode_steps", steps)), "metrics": metrics,
        "timing_s": {"total": time.perf_counter() - start, "simulation_and_policy": sim_time,
                     "waiting_for_frames": render_time,
                     "frame_median": (float(np.median(view.frame_seconds))
                                      if view is not None and view.frame_seconds else None)},
        "render_workers": render_workers if video else 0,
        "files": files,
    }
    write_json(files["summary"], summary)
    if progress:
        print("  " + "  ".join(f"{k}={metrics[k]:.2f}" for k in HEADLINE if k in metrics
                               and np.isfinite(metrics[k])))
    return summary


def run_demos(out_dir: str | os.PathLike = "out/demo", seed: int | None = None, **options) -> dict:
    """The demo of every task in :data:`DEMOS` (``<out_dir>/<task>/``: video, summary, and
    for SocialRearrange a still), each on its demo seed unless ``seed`` is given; writes
    ``<out_dir>/summary.json`` and returns it, with :func:`summary_table` of the metrics."""
    from embodied.io import write_json

    out_dir = Path(out_dir)
    runs = {task: run_demo(seed=DEMOS[task][2] if seed is None else seed,
                           out_dir=out_dir / task, task=task, **options) for task in DEMOS}
    summary = {"demos": runs, "table": summary_table(runs)}
    write_json(out_dir / "summary.json", summary)
    return summary


def summary_table(runs: dict) -> str:
    """A Markdown table of the demos' headline metrics and timings."""
    import math

    keys = [k for k in HEADLINE if any(k in r["metrics"] for r in runs.values())]
    lines = ["| task | policy | seed | steps | " + " | ".join(keys) + " | frame (ms) | total (s) |",
             "|---" * (len(keys) + 6) + "|"]
    for r in runs.values():
        values = [f"{r['metrics'][k]:.2f}" if k in r["metrics"] and math.isfinite(r["metrics"][k])
                  else "-" for k in keys]
        frame = r["timing_s"]["frame_median"]
        values += [f"{frame * 1000:.0f}" if frame else "-", f"{r['timing_s']['total']:.1f}"]
        lines.append(f"| {r['task']} | {r['policy']} | {r['seed']} | {r['steps']} | "
                     + " | ".join(values) + " |")
    return "\n".join(lines)

