"""Demo episodes in an unseen home: SocialNav (the heuristic robot finds and follows a
humanoid) or SocialRearrange (the expert robot and a Plan-Pop humanoid tidy up together).

Writes ``<out>/demo.mp4`` (third-person view with the robot's head camera inset),
``<out>/summary.json`` (task metrics, episode setup, timings) and, for SocialRearrange,
``<out>/frame.png`` (the first moment both agents carry an object), all atomically.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from embodied.errors import check_range


#: The demo of each task (its registry name): its robot policy and env options (the env is
#: the task's current version).
DEMOS = {"social_nav": ("heuristic", {}),
         "social_rearrange": ("rearrange_expert", {"action_mode": "skills", "partner": "plan_pop_3"})}


def run_demo(seed: int = 0, split: str = "val", steps: int = 600, out_dir: str | os.PathLike = "out/demo",
             width: int = 640, height: int = 480, video: bool = True, progress: bool = True,
             frame_skip: int = 2, task: str = "social_nav") -> dict:
    """Run one episode of ``task`` (a key of :data:`DEMOS`) with its robot policy; return
    the summary written. ``steps`` caps the control steps (low-level ones for
    SocialRearrange, whose env steps are skills).

    The video shows every ``frame_skip``-th control step (rendering with shadows costs far
    more than simulating on a CPU)."""
    import gymnasium as gym
    import numpy as np
    from tqdm.auto import tqdm

    import embodied  # noqa: F401
    from embodied.io import write_json, write_png
    from embodied.policies import make_policy
    from embodied.sim.video import VideoWriter

    from embodied.errors import check_choice

    check_choice("task", task, DEMOS)
    check_range("steps", steps, 1, 100_000, integer=True)
    check_range("width", width, 64, 1920, integer=True)
    check_range("height", height, 64, 1080, integer=True)
    check_range("frame_skip", frame_skip, 1, 30, integer=True)
    out_dir = Path(out_dir)
    from embodied.tasks.registry import get_task

    policy_name, options = DEMOS[task]
    env_id = get_task(task).env_id
    env = gym.make(env_id, split=split, max_steps=steps, render_mode="rgb_array" if video else None,
                   render_size=(width, height), **options)
    policy = make_policy({"name": policy_name})
    files = {"summary": str(out_dir / "summary.json")}
    inside = {"render": 0.0}   # rendering done within env.step (skills mode)
    frames = []           # low-level frames of a skills-mode step, and the still to keep
    still = {"path": out_dir / "frame.png", "taken": False}
    start = time.perf_counter()
    sim_time = render_time = 0.0
    try:
        obs, info = env.reset(seed=seed)
        policy.reset(env, seed)
        setup = dict(info)
        fps = env.metadata["render_fps"] / frame_skip
        writer = VideoWriter(out_dir / "demo.mp4", fps=fps) if video else None
        inner = env.unwrapped.task
        if writer is not None and hasattr(inner, "on_low_level_step"):
            def low_level(step_info):
                if inner.steps % frame_skip == 0:
                    t = time.perf_counter()
                    frames.append(env.render())
                    inside["render"] += time.perf_counter() - t
                    if not still["taken"] and all(step_info["held_by"]):
                        write_png(still["path"], frames[-1])   # both agents carrying
                        still["taken"] = True
                        files["frame"] = str(still["path"])
            inner.on_low_level_step = low_level
        try:
            bar = tqdm(range(steps), desc=f"demo {split}/{seed}", unit="step", disable=not progress)
            for step in bar:
                t0 = time.perf_counter()
                obs, reward, terminated, truncated, info = env.step(policy.act(obs, env))
                t1 = time.perf_counter()
                if writer is not None and frames:
                    for frame in frames:
                        writer.append(frame)
                    frames.clear()
                elif writer is not None and step % frame_skip == 0:
                    writer.append(env.render())
                render_time += time.perf_counter() - t1 + inside["render"]
                sim_time += t1 - t0 - inside["render"]
                inside["render"] = 0.0
                if "found_steps" in info:
                    bar.set_postfix(distance=f"{info['distance']:.1f}m", found=info["found_steps"],
                                    refresh=False)
                if terminated or truncated:
                    break
        except BaseException:
            if writer is not None:
                writer.close(ok=False)
            raise
        if writer is not None:
            writer.close()
            files["video"] = str(out_dir / "demo.mp4")
    finally:
        env.close()
    metrics = info.get("metrics", {})
    summary = {
        "task": env_id, "policy": policy.name, "split": split, "seed": seed,
        "setup": setup, "steps": int(metrics.get("episode_steps", steps)), "metrics": metrics,
        "timing_s": {"total": time.perf_counter() - start, "simulation_and_policy": sim_time,
                     "rendering": render_time},
        "files": files,
    }
    write_json(files["summary"], summary)
    if progress:
        keys = ("finding_success", "finding_spl", "following_rate", "collision", "success",
                "percent_complete", "task_offloading", "did_collide")
        print("  " + "  ".join(f"{k}={metrics[k]:.2f}" for k in keys if k in metrics
                               and np.isfinite(metrics[k])))
    return summary

