"""Atomic writes, render profiles, segmentation ids and video files."""

import json

import mujoco
import numpy as np
import pytest

from embodied.errors import ConfigError
from embodied.io import atomic_path, write_json
from embodied.sim.render import Renderer, look_at
from embodied.sim.semantics import category_id
from embodied.sim.video import VideoWriter
from embodied.sim.world import World


def test_atomic_path_keeps_old_file_on_error(tmp_path):
    target = tmp_path / "result.json"
    write_json(target, {"a": 1})
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half-writ")
            raise RuntimeError("interrupted")
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_write_json_converts_numpy(tmp_path):
    out = write_json(tmp_path / "x" / "m.json", {"v": np.float32(0.5), "a": np.arange(3)})
    assert json.loads(out.read_text()) == {"v": 0.5, "a": [0, 1, 2]}


@pytest.fixture(scope="module")
def scene_world():
    spec = mujoco.MjSpec()
    spec.worldbody.add_light(pos=[0, 0, 4], dir=[0, 0, -1])
    spec.worldbody.add_geom(name="floor", type=mujoco.mjtGeom.mjGEOM_PLANE, size=[3, 3, 0.1],
                            rgba=[0.6, 0.6, 0.6, 1])
    body = spec.worldbody.add_body(name="obj/mug_0/body", pos=[0, 0, 0.2])
    body.add_freejoint()
    body.add_geom(type=mujoco.mjtGeom.mjGEOM_CYLINDER, size=[0.2, 0.2, 0], rgba=[0.9, 0.1, 0.1, 1])
    world = World(spec, labels={"floor": "floor", "obj/mug_0/": "mug"})
    return world


def test_rgb_depth_segmentation(scene_world):
    cam = look_at([0, 0, 0.2], distance=2.0, elevation=-60)
    with Renderer(scene_world, 64, 48, "fast") as r:
        rgb = r.rgb(cam)
        depth = r.depth(cam)
        cats = r.segmentation(cam, level="category")
        inst = r.segmentation(cam, level="instance")
    assert rgb.shape == (48, 64, 3) and rgb.dtype == np.uint8
    centre = rgb[20:28, 28:36].reshape(-1, 3).mean(axis=0)
    assert centre[0] > 2 * centre[1], "the red mug should be in the image centre"
    assert depth.shape == (48, 64) and 1.0 < depth[24, 32] < 2.1
    assert cats[24, 32] == category_id("mug") and cats[2, 2] == category_id("floor")
    assert scene_world.instance_names[inst[24, 32]] == "obj/mug_0/"


def test_pretty_profile_differs_and_bad_args(scene_world):
    cam = look_at([0, 0, 0.2], distance=2.0, elevation=-40)
    with Renderer(scene_world, 64, 48, "pretty") as pretty, Renderer(scene_world, 64, 48) as fast:
        assert not np.array_equal(pretty.rgb(cam), fast.rgb(cam))
    with pytest.raises(ConfigError, match="profile"):
        Renderer(scene_world, 64, 48, "ultra")
    with pytest.raises(ConfigError, match="width"):
        Renderer(scene_world, 0, 48)


def test_video_writer_is_atomic(tmp_path, scene_world):
    path = tmp_path / "v.mp4"
    with Renderer(scene_world, 64, 48) as r, VideoWriter(path, fps=10) as video:
        for _ in range(5):
            video.append(r.rgb(look_at([0, 0, 0])))
    assert path.stat().st_size > 0
    import imageio_ffmpeg

    assert imageio_ffmpeg.count_frames_and_secs(str(path))[0] == 5
    broken = tmp_path / "broken.mp4"
    with pytest.raises(KeyboardInterrupt):
        with VideoWriter(broken) as video:
            video.append(np.zeros((48, 64, 3), np.uint8))
            raise KeyboardInterrupt
    assert not broken.exists() and not list(tmp_path.glob("*.partial*"))
    with pytest.raises(ConfigError, match="mp4"):
        VideoWriter(tmp_path / "v.avi")


def test_frame_workers_draw_what_the_follow_view_draws_in_order(scene_world):
    from embodied.envs.views import FollowView, FrameWorkers

    mug = scene_world.body_id("obj/mug_0/body")
    adr = scene_world.model.jnt_qposadr[scene_world.model.body_jntadr[mug]]
    view = FollowView(scene_world, 64, 48, "video")
    workers = FrameWorkers(scene_world, 64, 48, "video", workers=2)
    expected = []
    try:
        for k in range(4):               # the mug moves between frames
            scene_world.data.qpos[adr] = 0.2 * k
            mujoco.mj_kinematics(scene_world.model, scene_world.data)
            expected.append(view.render([(0.2 * k, 0.0)], (f"frame {k}",)))
            workers.submit([(0.2 * k, 0.0)], (f"frame {k}",))
        frames = workers.ready() + workers.drain()
    finally:
        workers.close()
        view.close()
    assert len(frames) == 4 and len(workers.frame_seconds) == 4
    assert all(np.array_equal(a, b) for a, b in zip(frames, expected)), "pixel for pixel, in order"
    assert not np.array_equal(frames[0], frames[3])
    with pytest.raises(ConfigError, match="workers"):
        FrameWorkers(scene_world, 64, 48, workers=-1)
