"""Frames for people: a third-person view of a World with insets and a text overlay."""

from __future__ import annotations

import numpy as np

from embodied.sim.render import Renderer, look_at


class FollowView:
    """Renders a third-person view framing some floor points (the agents), with an
    optional egocentric inset and lines of text.

    Args:
        world: the World to draw.
        width, height: frame size.
        profile: render profile of the main view (``"pretty"`` for videos).
    """

    def __init__(self, world, width: int = 640, height: int = 480, profile: str = "pretty",
                 inset_camera: str | None = None):
        self.world = world
        self.main = Renderer(world, width, height, profile)
        self.inset_camera = inset_camera
        self.inset = Renderer(world, width // 4, height // 4, "fast") if inset_camera else None

    def render(self, points, lines: tuple[str, ...] = ()) -> np.ndarray:
        """The frame keeping every (x, y) of ``points`` in view, with ``lines`` of text."""
        import cv2

        pts = np.asarray(points, float).reshape(-1, 2)
        mid = pts.sum(axis=0) / len(pts)
        spread = max((float(np.linalg.norm(p - q)) for i, p in enumerate(pts) for q in pts[i + 1:]),
                     default=0.0)
        # steep enough that walls (homes have no ceiling) rarely hide the agents
        cam = look_at([mid[0], mid[1], 0.5], distance=max(5.0, 1.6 * spread + 2.5),
                      azimuth=120.0, elevation=-74.0)
        frame = self.main.rgb(cam).copy()
        if self.inset is not None:
            small = self.inset.rgb(self.inset_camera)
            h, w = small.shape[:2]
            frame[8:8 + h, -8 - w:-8] = small
            cv2.rectangle(frame, (frame.shape[1] - 9 - w, 7), (frame.shape[1] - 8, 8 + h),
                          (255, 255, 255), 1)
        if lines:
            banner = frame[: 10 + 22 * len(lines), : max(len(t) for t in lines) * 10 + 16]
            banner[:] = (banner * 0.45).astype(np.uint8)
        for k, line in enumerate(lines):
            cv2.putText(frame, line, (8, 22 + 22 * k), cv2.FONT_HERSHEY_SIMPLEX, 0.55,
                        (255, 255, 255), 1, cv2.LINE_AA)
        return frame

    def close(self) -> None:
        self.main.close()
        if self.inset is not None:
            self.inset.close()


class _FrozenWorld:
    """What a renderer reads of a World: its model and a data holding a frame's poses."""

    def __init__(self, model):
        import mujoco

        self.model, self.data = model, mujoco.MjData(model)


_WORKER: dict = {}


def _start_worker(model_bytes: bytes, width: int, height: int, profile: str,
                  inset_camera: str | None) -> None:
    import pickle

    world = _FrozenWorld(pickle.loads(model_bytes))
    _WORKER.update(world=world, view=FollowView(world, width, height, profile, inset_camera))


def _render_in_worker(state, points, lines):
    import time

    world, view = _WORKER["world"], _WORKER["view"]
    _put_poses(world, state)
    start = time.perf_counter()
    frame = view.render(points, lines)
    return frame, time.perf_counter() - start


def _poses(data) -> tuple:
    return data.qpos.copy(), data.mocap_pos.copy(), data.mocap_quat.copy()


def _put_poses(world, state) -> None:
    import mujoco

    qpos, mocap_pos, mocap_quat = state
    data = world.data
    data.qpos[:], data.mocap_pos[:], data.mocap_quat[:] = qpos, mocap_pos, mocap_quat
    mujoco.mj_kinematics(world.model, data)
    mujoco.mj_camlight(world.model, data)


class FrameWorkers:
    """:class:`FollowView` frames of a World rendered by worker processes while the caller
    simulates on (rendering with shadows costs far more than simulating on a CPU).

    :meth:`submit` takes what the frame shows now (every body's pose) and queues it;
    :meth:`ready` returns the frames finished so far, in order, and :meth:`drain` waits for
    the rest. At most ``max_pending`` frames wait at a time (``submit`` blocks beyond).
    ``workers=0`` renders each frame in this process at :meth:`submit`. Frames are the
    ones a :class:`FollowView` of the World would draw at that moment (pixel for pixel).
    Workers are spawned processes: a script that makes them needs Python's
    ``if __name__ == "__main__":`` guard.

    Args:
        world: the World (its model is copied to each worker once).
        width, height, profile, inset_camera: as for :class:`FollowView`.
        workers: render processes.
    """

    def __init__(self, world, width: int = 640, height: int = 480, profile: str = "video",
                 inset_camera: str | None = None, workers: int = 2, max_pending: int = 8):
        import collections
        import multiprocessing
        import pickle

        from embodied.errors import check_range

        check_range("workers", workers, 0, 64, integer=True)
        self.world = world
        self.frame_seconds: list[float] = []
        self._done: collections.deque = collections.deque()
        self._pending: collections.deque = collections.deque()
        self._max_pending = max(1, int(max_pending))
        self._pool = None
        if workers == 0:
            self._view = FollowView(world, width, height, profile, inset_camera)
            return
        self._view = None
        context = multiprocessing.get_context("spawn")   # no GL context crosses a fork
        self._pool = context.Pool(workers, initializer=_start_worker, initargs=(
            pickle.dumps(world.model), width, height, profile, inset_camera))

    def submit(self, points, lines: tuple[str, ...] = ()) -> None:
        """Queue the frame of the World as it is now."""
        import time

        if self._pool is None:
            start = time.perf_counter()
            self._done.append(self._view.render(points, lines))
            self.frame_seconds.append(time.perf_counter() - start)
            return
        while len(self._pending) >= self._max_pending:
            self._collect(self._pending.popleft())
        args = (_poses(self.world.data), np.asarray(points, float).tolist(), tuple(lines))
        self._pending.append(self._pool.apply_async(_render_in_worker, args))

    def _collect(self, job) -> None:
        frame, seconds = job.get()
        self._done.append(frame)
        self.frame_seconds.append(seconds)

    def ready(self) -> list[np.ndarray]:
        """The frames finished so far, in the order submitted."""
        while self._pending and self._pending[0].ready():
            self._collect(self._pending.popleft())
        out = list(self._done)
        self._done.clear()
        return out

    def drain(self) -> list[np.ndarray]:
        """Every frame still to come, in order (waits for them)."""
        while self._pending:
            self._collect(self._pending.popleft())
        return self.ready()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        if self._view is not None:
            self._view.close()
            self._view = None
