"""The demo episode: the heuristic robot finds and follows a humanoid in an unseen home.

Writes ``<out>/demo.mp4`` (third-person view with the robot's head camera inset) and
``<out>/summary.json`` (task metrics, episode setup, timings), both atomically.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from embodied.errors import check_range


def run_demo(seed: int = 0, split: str = "val", steps: int = 600, out_dir: str | os.PathLike = "out/demo",
             width: int = 640, height: int = 480, video: bool = True, progress: bool = True,
             frame_skip: int = 2) -> dict:
    """Run one SocialNav episode with the heuristic policy; return the summary written.

    The video shows every ``frame_skip``-th control step (rendering with shadows costs far
    more than simulating on a CPU)."""
    import gymnasium as gym
    import numpy as np
    from tqdm.auto import tqdm

    import embodied  # noqa: F401
    from embodied.io import write_json
    from embodied.policies import make_policy
    from embodied.sim.video import VideoWriter

    check_range("steps", steps, 1, 100_000, integer=True)
    check_range("width", width, 64, 1920, integer=True)
    check_range("height", height, 64, 1080, integer=True)
    check_range("frame_skip", frame_skip, 1, 30, integer=True)
    out_dir = Path(out_dir)
    env = gym.make("embodied/SocialNav-v0", split=split, max_steps=steps,
                   render_mode="rgb_array" if video else None, render_size=(width, height))
    policy = make_policy({"name": "heuristic"})
    files = {"summary": str(out_dir / "summary.json")}
    start = time.perf_counter()
    sim_time = render_time = 0.0
    try:
        obs, info = env.reset(seed=seed)
        policy.reset(env, seed)
        setup = dict(info)
        fps = env.metadata["render_fps"] / frame_skip
        writer = VideoWriter(out_dir / "demo.mp4", fps=fps) if video else None
        try:
            bar = tqdm(range(steps), desc=f"demo {split}/{seed}", unit="step", disable=not progress)
            for step in bar:
                t0 = time.perf_counter()
                obs, reward, terminated, truncated, info = env.step(policy.act(obs, env))
                t1 = time.perf_counter()
                if writer is not None and step % frame_skip == 0:
                    writer.append(env.render())
                render_time += time.perf_counter() - t1
                sim_time += t1 - t0
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
        "task": "embodied/SocialNav-v0", "policy": policy.name, "split": split, "seed": seed,
        "setup": setup, "steps": int(metrics.get("episode_steps", steps)), "metrics": metrics,
        "timing_s": {"total": time.perf_counter() - start, "simulation_and_policy": sim_time,
                     "rendering": render_time},
        "files": files,
    }
    write_json(files["summary"], summary)
    if progress:
        keys = ("finding_success", "finding_spl", "following_rate", "collision", "success")
        print("  " + "  ".join(f"{k}={metrics[k]:.2f}" for k in keys if k in metrics
                               and np.isfinite(metrics[k])))
    return summary
