"""The `embodied` command: outputs and one-line user errors."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "embodied.cli", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


@pytest.mark.parametrize("args, field", [
    (["scene", "--split", "validation"], "split"),
    (["scene", "--seed", "-3"], "seed"),
    (["scene", "--seed", "99999", "--split", "val"], "seed"),
    (["scene", "--size", "5"], "size"),
    (["demo", "--steps", "0"], "steps"),
    (["demo", "--split", "nope", "--no-video"], "split"),
])
def test_user_errors_are_one_line_and_name_the_field(args, field, tmp_path):
    out = cli(*args, "--out", str(tmp_path / ("x.png" if args[0] == "scene" else "demo")))
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("embodied: error:"), out.stderr
    assert field in lines[0]
    assert "Traceback" not in out.stderr


def test_unwritable_output_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    out = cli("scene", "--seed", "1", "--size", "64", "--out", str(blocker / "home.png"))
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr


def test_scene_writes_png(tmp_path):
    path = tmp_path / "home.png"
    out = cli("scene", "--seed", "2", "--split", "test", "--size", "160", "--out", str(path))
    assert out.returncode == 0, out.stderr
    import cv2

    img = cv2.imread(str(path))
    assert img is not None and img.shape[0] == 160 + 36 and img.shape[1] > 300
    assert img.std() > 20  # not a blank picture


def test_demo_writes_summary_and_video(tmp_path):
    out = cli("demo", "--steps", "12", "--width", "160", "--height", "120", "--quiet",
              "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    import json

    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["steps"] == 12 and "following_rate" in summary["metrics"]
    assert (tmp_path / "demo.mp4").stat().st_size > 0
    assert not list(tmp_path.glob("*.partial*"))


def test_the_demo_of_every_task_writes_a_summary_table(tmp_path):
    out = cli("demo", "--task", "all", "--steps", "8", "--width", "128", "--height", "96",
              "--quiet", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    import json

    summary = json.loads((tmp_path / "summary.json").read_text())
    assert set(summary["demos"]) == {"social_nav", "social_rearrange", "counterfactual_nav"}
    assert "| embodied/SocialNav-v1 | heuristic_clear | 0 |" in out.stdout
    assert "| embodied/CounterfactualNav-v0 | goal_path | 3 |" in summary["table"]
    assert "| embodied/SocialRearrange-v1 | rearrange_expert | 2 |" in summary["table"]
    for task in summary["demos"]:
        assert (tmp_path / task / "demo.mp4").stat().st_size > 0
        assert summary["demos"][task]["timing_s"]["frame_median"] > 0


def test_rearrange_demo_writes_a_still_of_both_agents_carrying(tmp_path):
    out = cli("demo", "--task", "social_rearrange", "--seed", "2", "--steps", "260", "--width", "160",
              "--height", "120", "--quiet", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    import json

    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["task"] == "embodied/SocialRearrange-v1"
    assert summary["metrics"]["obj0_held"] == summary["metrics"]["obj1_held"] == 1.0
    assert (tmp_path / "frame.png").stat().st_size > 0 and (tmp_path / "demo.mp4").stat().st_size > 0


def test_wheel_ships_assets_and_configs(tmp_path):
    """A non-editable install must carry assets/, tasks/ and policies/."""
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                          str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=600)
    if out.returncode != 0 and "hatchling" in out.stderr and "No matching distribution" in out.stderr:
        pytest.skip("no package index reachable to fetch the build backend")
    assert out.returncode == 0, out.stderr[-2000:]
    wheel = next(tmp_path.glob("embodied-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "embodied/_data/tasks/social_nav.yaml" in names
    assert "embodied/_data/policies/heuristic.yaml" in names
    assert any(n.startswith("embodied/_data/assets/meshes/") for n in names)
    assert "embodied/world.py" not in names and "embodied/sim/world.py" in names
