"""Task resets and memory: a reset into a new home, split into its parts, and resident
memory over many resets cycling through many homes (the scene cache must evict).

``run()`` returns medians over resets into homes the process has not seen before:

- ``reset_new_home_ms``: ``task.reset(seed)`` of SocialNav (state mode) into a new home:
  generating the home, building and compiling its World, the navigation maps with their
  corner graph and visibility table, start poses and the first observation;
- ``reset_part_<part>_ms``: the same resets split into parts (``generate_home``,
  ``world_build``, ``navmap_raster``, ``corner_graph``, ``corner_visibility``,
  ``first_observation``; ``rest`` is everything else);
- ``reset_same_home_ms``: a reset into the scene of the previous episode (cached);
- ``memory_*``: resident memory (MB) of a fresh process after its imports, after the
  first cycle through ``memory_homes`` homes, its largest value over ``memory_resets``
  resets (sampled every 250) and at the end, against :data:`MEMORY_CAP_MB`.
"""

from __future__ import annotations

import statistics
import time

from embodied.benchmarks.timing import PartTimer

#: Resident memory a SocialNav process stays under however many homes it cycles through
#: (measured: ~450 MB after the first 200 homes, levelling off near 570 MB by 2,000
#: resets and staying there to 4,000).
MEMORY_CAP_MB = 650.0


def _task(**config):
    import embodied  # noqa: F401
    from embodied.tasks.social_nav import SocialNavConfig, SocialNavTask

    return SocialNavTask(SocialNavConfig(**config), "train")


def resident_mb() -> float:
    """Resident memory of this process (MB), from /proc (0 where there is none)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def bench_reset(homes: int = 30, first_seed: int = 300_000) -> dict:
    """Median reset times into ``homes`` new homes (train seeds never used before in the
    process), with the split into parts."""
    from embodied.scenes import home as home_module
    from embodied.scenes.navmap import NavMap
    from embodied.sensors.base import SensorSuite
    from embodied.sim import world as world_module

    task = _task()
    task.reset(first_seed - 1)                     # imports, first renderers, caches
    totals, parts = [], []
    for seed in range(first_seed, first_seed + homes):
        timer = PartTimer()
        timer.wrap(home_module, "generate_home", "generate_home")
        timer.wrap(world_module.World, "__init__", "world_build")
        timer.wrap(NavMap, "from_model", "navmap_raster")
        timer.wrap(NavMap, "corner_graph", "corner_graph")
        timer.wrap(NavMap, "visibility_table", "corner_visibility")
        timer.wrap(SensorSuite, "read", "first_observation")
        start = time.perf_counter()
        task.reset(seed)
        total = time.perf_counter() - start
        timer.remove()
        totals.append(total)
        split = {k: v * 1e3 for k, v in timer.seconds.items()}
        split["rest"] = total * 1e3 - sum(split.values())
        parts.append(split)
    same = []
    for _ in range(10):
        start = time.perf_counter()
        task.reset(first_seed + homes - 1)
        same.append(time.perf_counter() - start)
    task.close()
    out = {"reset_new_home_ms": statistics.median(totals) * 1e3,
           "reset_new_home_max_ms": max(totals) * 1e3,
           "reset_same_home_ms": statistics.median(same) * 1e3}
    for part in parts[0]:
        out[f"reset_part_{part}_ms"] = statistics.median(p[part] for p in parts)
    return out


def bench_memory(resets: int = 2000, homes: int = 200, first_seed: int = 400_000) -> dict:
    """Resident memory over ``resets`` resets cycling through ``homes`` homes, with a few
    steps in each episode, measured in a process of its own (so what other benchmarks
    left in this one does not count)."""
    import json
    import os
    import subprocess
    import sys

    code = (f"import json; from embodied.benchmarks.tasks import memory_run; "
            f"print(json.dumps(memory_run({resets}, {homes}, {first_seed})))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "MUJOCO_GL": os.environ.get("MUJOCO_GL", "egl")})
    if proc.returncode != 0:
        raise RuntimeError(f"memory benchmark failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def memory_run(resets: int, homes: int, first_seed: int) -> dict:
    """The loop of :func:`bench_memory`, in the current process."""
    import numpy as np

    start = resident_mb()
    task = _task()
    action = np.array([0.5, 0.2], np.float32)
    first, samples = 0.0, []
    for i in range(resets):
        task.reset(first_seed + i % homes)
        for _ in range(5):
            task.step(action)
        if i + 1 == homes:
            first = resident_mb()
        if (i + 1) % 250 == 0 or i + 1 == resets:
            samples.append(resident_mb())
    task.close()
    peak = max(samples + [first])
    return {"memory_resets": float(resets), "memory_homes": float(homes),
            "memory_process_start_mb": start,
            "memory_after_first_cycle_mb": first, "memory_peak_mb": peak,
            "memory_at_end_mb": samples[-1], "memory_cap_mb": MEMORY_CAP_MB,
            "memory_within_cap": float(peak <= MEMORY_CAP_MB)}


def run(quick: bool = False) -> dict:
    out = bench_reset(homes=10 if quick else 30)
    out.update(bench_memory(resets=300, homes=30) if quick else bench_memory())
    return out


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:<36} {value:10.1f}")
