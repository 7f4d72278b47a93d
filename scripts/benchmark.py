#!/usr/bin/env python
"""Benchmarks of embodied: medians of repeated timings, with ratios where targets need them.

    python scripts/benchmark.py                 # every section
    python scripts/benchmark.py --only scene navmap
    python scripts/benchmark.py --out out/benchmark.json

Each section is a function in ``embodied.benchmarks`` returning ``{metric: value}``; the
figures in the README come from this script on the project's 2-core CPU machine.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time

os.environ.setdefault("MUJOCO_GL", "egl")

# section name -> (module, function)
SECTIONS = {
    "scene": ("embodied.benchmarks.scene", "run"),
    "navmap": ("embodied.benchmarks.navmap", "run"),
    "physics": ("embodied.benchmarks.physics", "run"),
    "tasks": ("embodied.benchmarks.tasks", "run"),
    "skills": ("embodied.benchmarks.skills", "run"),
    "rearrange": ("embodied.benchmarks.rearrange", "run"),
    "crowds": ("embodied.benchmarks.crowd_models", "run"),
    "counterfactual": ("embodied.benchmarks.counterfactual", "run"),
    "humanoid": ("embodied.benchmarks.humanoid", "run"),
    "robot": ("embodied.benchmarks.robot", "run"),
    "hitl": ("embodied.benchmarks.hitl", "run"),
    "training": ("embodied.benchmarks.training", "run"),
    "cluster": ("embodied.benchmarks.cluster", "run"),
    "serve": ("embodied.benchmarks.serve", "run"),
    "planner": ("embodied.benchmarks.planner", "run"),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(SECTIONS), help="sections to run")
    parser.add_argument("--out", default="out/benchmark.json", help="JSON file for the results")
    args = parser.parse_args(argv)

    from embodied.io import write_json

    import mujoco

    results = {"machine": {"python": platform.python_version(), "mujoco": mujoco.__version__,
                           "cpus": os.cpu_count(), "platform": platform.platform()}}
    for name in args.only or SECTIONS:
        module_name, fn_name = SECTIONS[name]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            print(f"[{name}] skipped: {exc}", file=sys.stderr)
            continue
        start = time.perf_counter()
        figures = getattr(module, fn_name)()
        results[name] = figures
        print(f"\n[{name}] ({time.perf_counter() - start:.1f} s)")
        for key, value in figures.items():
            shown = f"{value:,.4g}" if isinstance(value, float) else value
            print(f"  {key:<48} {shown}")
    write_json(args.out, results)
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
