#!/usr/bin/env python
"""The SocialRearrange results table: robot policies x humanoid partners on one split.

    python scripts/rearrange_table.py --split test --episodes 100 --out out/rearrange_test.json

``--env-id`` evaluates an earlier version (default: the current ``SocialRearrange``).

Every cell evaluates ``episodes`` episodes (seeds 0 ... episodes-1, the same homes, starts
and partner draws for every policy) through :func:`embodied.evaluation.evaluate`, the code
``scripts/evaluate.py`` runs; the humanoid's solo runs behind Relative Efficiency are made
once per episode and shared by all cells. The JSON is rewritten after each cell (an
interrupted run keeps the finished cells); the Markdown table is printed at the end.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("MUJOCO_GL", "egl")

POLICIES = ("rearrange_expert", "rearrange_inferring", "random", "rearrange_none")
PARTNERS = ("plan_pop_1", "plan_pop_2", "plan_pop_3", "plan_pop_4", "greedy")
COLUMNS = ("success", "relative_efficiency", "task_offloading", "did_collide", "steps", "solo_success")


def current_env_id() -> str:
    import embodied  # noqa: F401
    from embodied.tasks.registry import get_task

    return get_task("social_rearrange").env_id


def cell(env_id: str, split: str, policy: str, partner: str, episodes: int) -> dict:
    import gymnasium as gym

    import embodied  # noqa: F401
    from embodied.evaluation import evaluate
    from embodied.policies import make_policy

    def make():
        return gym.make(env_id, split=split, action_mode="skills", partner=partner)

    result = evaluate(make, make_policy({"name": policy}), episodes, progress=False)
    return {k: result["summary"][k] for k in COLUMNS}


def table(cells: dict) -> str:
    lines = ["| robot | partner | " + " | ".join(COLUMNS) + " |",
             "|---|---|" + "---|" * len(COLUMNS)]
    for key, summary in cells.items():
        policy, partner = key.split("/")
        values = [f"{summary[c]['mean']:.2f} ± {summary[c]['ci95']:.2f}" if c != "steps"
                  else f"{summary[c]['mean']:.0f}" for c in COLUMNS]
        lines.append(f"| {policy} | {partner} | " + " | ".join(values) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    from embodied.io import write_json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=("train", "val", "test"))
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--policies", nargs="+", default=list(POLICIES))
    parser.add_argument("--partners", nargs="+", default=list(PARTNERS))
    parser.add_argument("--out", default=None)
    parser.add_argument("--env-id", default=None, help="default: the current SocialRearrange id")
    args = parser.parse_args(argv)
    import embodied  # noqa: F401
    from embodied.tasks.registry import get_task

    env_id = args.env_id or current_env_id()
    if env_id not in get_task("social_rearrange").env_ids:
        parser.error(f"--env-id {env_id} is not a SocialRearrange id: "
                     f"{', '.join(get_task('social_rearrange').env_ids)}")
    if args.episodes < 1:
        parser.error("--episodes must be >= 1")
    cells: dict = {}
    for policy in args.policies:
        for partner in args.partners:
            cells[f"{policy}/{partner}"] = cell(env_id, args.split, policy, partner, args.episodes)
            print(f"{policy:<20} {partner:<11} success {cells[f'{policy}/{partner}']['success']['mean']:.2f}",
                  flush=True)
            if args.out:
                write_json(args.out, {"env_id": env_id, "split": args.split,
                                      "episodes": args.episodes, "cells": cells})
    print(table(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
