#!/usr/bin/env python
"""Draw training curves from a run's ``tb/progress.csv`` into a PNG (no plotting library
needed: OpenCV draws the axes and lines).

    python scripts/plot_training.py runs/socialnav_ppo/tb/progress.csv policies/social_nav_ppo_curve.png
    python scripts/plot_training.py runs/plan_pop_3/tb/progress.csv curve.png \
        --panels task/success:"train success" rollout/ep_rew_mean:"train episode reward"
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

import numpy as np

PANELS = (
    ("eval/following_rate", "val following rate"),
    ("eval/finding_success", "val finding success"),
    ("rollout/ep_rew_mean", "train episode reward"),
)
COLOURS = ((200, 80, 30), (40, 140, 60), (60, 60, 200))


def read_series(path: Path, key: str) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values) of ``key``; rows without a step count (evaluations logged between
    updates) take the last step count seen before them (0 before the first update)."""
    steps, values = [], []
    step = 0.0
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            try:
                step = float(row.get("time/total_timesteps") or step)
            except ValueError:
                pass
            try:
                y = float(row.get(key))
            except (TypeError, ValueError):
                continue
            if math.isfinite(y):
                steps.append(step)
                values.append(y)
    return np.array(steps), np.array(values)


def draw_panel(img, box, steps, values, title, colour):
    import cv2

    x0, y0, x1, y1 = box
    cv2.rectangle(img, (x0, y0), (x1, y1), (90, 90, 90), 1)
    cv2.putText(img, title, (x0 + 6, y0 - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (20, 20, 20), 1, cv2.LINE_AA)
    if len(steps) == 0:
        cv2.putText(img, "no data", (x0 + 10, (y0 + y1) // 2), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                    (120, 120, 120), 1, cv2.LINE_AA)
        return
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    smax = max(float(steps.max()), 1.0)
    px = x0 + (steps / smax) * (x1 - x0)
    py = y1 - (values - lo) / (hi - lo) * (y1 - y0)
    pts = np.stack([px, py], 1).round().astype(np.int32)
    cv2.polylines(img, [pts], False, colour, 2, cv2.LINE_AA)
    for p in pts:
        cv2.circle(img, tuple(int(v) for v in p), 3, colour, -1, cv2.LINE_AA)
    for v, yy in ((hi, y0 + 12), (lo, y1 - 4)):
        cv2.putText(img, f"{v:.3g}", (x0 + 4, yy), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (60, 60, 60), 1, cv2.LINE_AA)
    cv2.putText(img, f"{smax:,.0f} steps", (x1 - 110, y1 + 16), cv2.FONT_HERSHEY_SIMPLEX, 0.4,
                (60, 60, 60), 1, cv2.LINE_AA)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--panels", nargs="+", metavar="KEY:TITLE",
                        help="the progress.csv columns to draw (default: SocialNav's)")
    args = parser.parse_args(argv)
    panels = PANELS
    if args.panels:
        panels = tuple((p.split(":", 1) + [p])[:2] for p in args.panels)
    if not args.csv.is_file():
        print(f"plot_training: error: no such file: {args.csv}", file=sys.stderr)
        return 2
    import cv2

    from embodied.io import atomic_path

    w, h = 420, 260
    img = np.full((h + 60, w * len(panels) + 20, 3), 255, np.uint8)
    for k, ((key, title), colour) in enumerate(zip(panels, COLOURS)):
        steps, values = read_series(args.csv, key)
        draw_panel(img, (20 + k * w, 40, (k + 1) * w - 10, h + 20), steps, values, title, colour)
    with atomic_path(args.out) as tmp:
        cv2.imwrite(str(tmp), img)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
