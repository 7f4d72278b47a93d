#!/usr/bin/env python
"""One table of a training sweep's results.

    python scripts/sweep_table.py runs/sweep              # the job folders under it
    python scripts/sweep_table.py runs/sweep --metric spl --out runs/sweep/table.md

Each job folder (``out_dir/<job number>`` of ``scripts/train.py --multirun``, on any
launcher) gives a row: the overrides that made the job (its saved run config against the
sweep's common values), steps trained, training wall time, and the best and last
periodic evaluations of ``--metric`` (the task's primary metric by default).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def job_rows(root: Path, metric: str | None) -> tuple[list[str], list[list[str]]]:
    import yaml

    jobs = sorted((p for p in root.iterdir() if (p / "train_summary.json").is_file()),
                  key=lambda p: (len(p.name), p.name))
    if not jobs:
        raise SystemExit(f"sweep_table: no finished training jobs (train_summary.json) under {root}")
    configs = [yaml.safe_load((p / "config.yaml").read_text()) if (p / "config.yaml").is_file() else {}
               for p in jobs]
    flat = [dict(_flatten(c)) for c in configs]
    varying = sorted(k for k in set().union(*flat) if len({json.dumps(f.get(k)) for f in flat}) > 1
                     and not k.endswith("out_dir"))
    key = metric or _primary(flat[0])
    header = ["job", *varying, "steps", "train time (s)", f"best {key}", f"last {key}"]
    rows = []
    for path, values in zip(jobs, flat):
        summary = json.loads((path / "train_summary.json").read_text())
        evals = json.loads((path / "eval.json").read_text()) if (path / "eval.json").is_file() else []
        scores = [e["summary"][key] for e in evals if key in e["summary"]]
        rows.append([path.name, *(str(values.get(k)) for k in varying), str(summary["steps"]),
                     f"{summary['wall_time_s']:.0f}",
                     f"{max(scores):.3f}" if scores else "-", f"{scores[-1]:.3f}" if scores else "-"])
    return header, rows


def _primary(values: dict) -> str:
    import embodied  # noqa: F401
    from embodied.tasks.registry import get_task

    return get_task(values.get("task.name")).task_class.primary_metric


def _flatten(node, prefix=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _flatten(v, f"{prefix}{k}.")
    else:
        yield prefix[:-1], node


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="the sweep's out_dir")
    parser.add_argument("--metric", default=None, help="evaluation metric (default: the task's primary)")
    parser.add_argument("--out", type=Path, default=None, help="also write the table here (Markdown)")
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        print(f"sweep_table: no such folder: {args.root}", file=sys.stderr)
        return 2
    header, rows = job_rows(args.root, args.metric)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    table = "\n".join(lines)
    print(table)
    if args.out:
        from embodied.io import atomic_path

        with atomic_path(args.out) as tmp:
            tmp.write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
