"""Frames for browser participants: each participant's view is rendered as JPEG by a
spawned process of its own, so the simulation keeps its real-time pace on one core while
views render on the others.

A :class:`FrameRenderer` is handed a model once per home (:meth:`FrameRenderer.set_model`)
and then, for each frame, the bodies' poses and a camera (:func:`follow_camera`,
:func:`top_down_camera`, :func:`fixed_camera`). It answers with the JPEG bytes, the
render time and its own CPU time so far (the server counts it in a session's CPU cost).
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle

#: A render process runs this much nicer than the simulation, which must keep real time.
RENDER_NICENESS = 5


def follow_camera(xy, yaw: float, distance: float = 4.5, elevation: float = -70.0,
                  ahead: float = 0.8) -> dict:
    """A camera behind and high above a humanoid at ``xy`` facing ``yaw``, aimed ``ahead``
    metres in front of it: W walks up the picture, and walls (homes have no ceiling)
    rarely hide the humanoid at this pitch."""
    x, y = float(xy[0]) + ahead * math.cos(yaw), float(xy[1]) + ahead * math.sin(yaw)
    return {"kind": "free", "target": [x, y, 0.5], "distance": distance,
            "azimuth": math.degrees(yaw), "elevation": elevation}


def top_down_camera(bounds) -> dict:
    """A camera straight above a home's floor ``bounds`` (xmin, ymin, xmax, ymax)."""
    x0, y0, x1, y1 = (float(v) for v in bounds)
    return {"kind": "top", "center": [(x0 + x1) / 2, (y0 + y1) / 2, 0.0],
            "extent": max(x1 - x0, y1 - y0)}


def fixed_camera(name: str) -> dict:
    """A camera of the model, e.g. the robot's head camera."""
    return {"kind": "fixed", "name": str(name)}


def _camera(spec: dict):
    from embodied.sim.render import look_at, top_down

    if spec["kind"] == "free":
        return look_at(spec["target"], spec["distance"], spec["azimuth"], spec["elevation"])
    if spec["kind"] == "top":
        return top_down(spec["center"], spec["extent"])
    return spec["name"]


def _serve(conn, width: int, height: int, quality: int) -> None:
    """The render process: ``("model", bytes)`` binds a model; ``("frame", poses,
    camera)`` answers ``("frame", jpeg, render seconds, cpu seconds)``; ``None`` ends."""
    import time

    import cv2

    from embodied.envs.views import _FrozenWorld, _put_poses
    from embodied.sim.render import Renderer

    with contextlib.suppress(OSError):      # not allowed here: render at the same priority
        os.nice(RENDER_NICENESS)
    world = renderer = None
    while True:
        try:
            message = conn.recv()
        except EOFError:
            break
        if message is None:
            break
        try:
            if message[0] == "model":
                if renderer is not None:
                    renderer.close()
                world = _FrozenWorld(pickle.loads(message[1]))
                renderer = Renderer(world, width, height, "fast")
                conn.send(("model", None, 0.0, time.process_time()))
                continue
            _, poses, camera = message
            start = time.perf_counter()
            _put_poses(world, poses)
            rgb = renderer.rgb(_camera(camera))
            ok, jpeg = cv2.imencode(".jpg", rgb[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
            conn.send(("frame", jpeg.tobytes(), time.perf_counter() - start, time.process_time()))
        except Exception as exc:  # the server reports it; the process stays usable
            conn.send(("error", f"{type(exc).__name__}: {exc}", 0.0, time.process_time()))
    if renderer is not None:
        renderer.close()


class FrameRenderer:
    """One participant's render process (see the module docs). Not thread-safe: one
    caller at a time.

    Args:
        width, height: frame size in pixels.
        quality: JPEG quality (1-100).
    """

    def __init__(self, width: int = 480, height: int = 360, quality: int = 70):
        import multiprocessing

        from embodied.errors import check_range

        check_range("width", width, 64, 1920, integer=True)
        check_range("height", height, 48, 1080, integer=True)
        check_range("quality", quality, 1, 100, integer=True)
        context = multiprocessing.get_context("spawn")    # no GL context crosses a fork
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, width, height, quality),
                                        daemon=True, name="embodied-frames")
        self._process.start()
        child.close()
        self.cpu_seconds = 0.0
        self.model_id = None

    def set_model(self, model_id, model_bytes: bytes) -> None:
        """Bind the model of a home (``model_id`` names it; a repeat is skipped)."""
        if model_id == self.model_id:
            return
        self._ask(("model", model_bytes))
        self.model_id = model_id

    def render(self, poses, camera: dict) -> tuple[bytes, float]:
        """(JPEG bytes, render seconds) of ``poses`` (qpos, mocap_pos, mocap_quat) seen
        from ``camera``."""
        _, jpeg, seconds = self._ask(("frame", poses, camera))
        return jpeg, seconds

    def _ask(self, message):
        from embodied.errors import EmbodiedError

        try:
            self._conn.send(message)
            kind, payload, seconds, cpu = self._conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            raise EmbodiedError("the frame render process ended unexpectedly") from None
        self.cpu_seconds = cpu
        if kind == "error":
            raise EmbodiedError(f"rendering a frame failed: {payload}")
        return kind, payload, seconds

    def close(self) -> None:
        if self._process is None:
            return
        with contextlib.suppress(OSError):     # already gone: join and terminate below
            self._conn.send(None)
        self._process.join(timeout=5.0)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=2.0)
        self._conn.close()
        self._process = None
