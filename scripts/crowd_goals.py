#!/usr/bin/env python
"""How many of their goals crowds reach, over several homes and seeds.

    python scripts/crowd_goals.py --model orca --people 20 --seconds 300 --homes 0 1 2 3 4 5 --seeds 0 1

Each run walks ``people`` humanoids (and a parked robot) for ``seconds`` of simulated time
in val home ``h`` with crowd seed ``s`` (:func:`embodied.crowds.scene.crowd_scene`) and
counts goals reached and given up (a person who made no progress for
``CrowdConfig.give_up_after`` seconds, or found no goal it could reach). Prints one line
per run and the total share reached; runs go to ``--workers`` processes.
"""

from __future__ import annotations

import argparse
import os
from concurrent.futures import ProcessPoolExecutor

os.environ.setdefault("MUJOCO_GL", "egl")


def run(model: str, people: int, seconds: float, home: int, seed: int) -> tuple[int, int, int, int]:
    """(home, seed, goals reached, goals given up) of one run."""
    from embodied.crowds.crowd import CrowdConfig
    from embodied.crowds.scene import crowd_scene

    scene = crowd_scene(home_seed=home, people=people, config=CrowdConfig(model=model), seed=seed)
    for _ in range(int(round(seconds / scene.world.dt))):
        scene.world.step()
    return home, seed, scene.crowd.goals_reached, scene.crowd.goals_given_up


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="orca", help="orca or social_force")
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=300.0, help="simulated time per run")
    parser.add_argument("--homes", type=int, nargs="+", default=[0, 1, 2, 3, 4, 5])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args(argv)
    jobs = [(args.model, args.people, args.seconds, h, s) for h in args.homes for s in args.seeds]
    with ProcessPoolExecutor(max(args.workers, 1)) as pool:
        results = list(pool.map(run, *zip(*jobs)))
    for home, seed, reached, given_up in results:
        share = reached / max(reached + given_up, 1)
        print(f"home {home} seed {seed}: {reached} reached, {given_up} given up ({share:.1%})")
    reached = sum(r[2] for r in results)
    given_up = sum(r[3] for r in results)
    print(f"{args.model}, {args.people} people, {args.seconds:g} s: {reached} of "
          f"{reached + given_up} goals reached ({reached / max(reached + given_up, 1):.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
