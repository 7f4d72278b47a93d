"""The interactive teleoperation window (MuJoCo's passive viewer).

The viewer's key callback only queues keys (it runs on the viewer's thread); the loop
applies them and steps the simulation holding ``viewer.lock()``, then updates the text
overlay and calls ``viewer.sync()``. The loop holds real time (one control step per
``dt``) and counts the steps it could not start on time.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from pathlib import Path

from embodied.errors import check_range
from embodied.hitl.config import TeleopConfig
from embodied.hitl.controls import GLFW_KEYS, read_key_script
from embodied.hitl.session import TeleopSession
from embodied.sim.gl import RenderingUnavailable, check_display

HEADLESS_HINT = ("headless alternatives: `embodied teleop --headless --script keys.txt` "
                 "(keys from a file) and `embodied replay FILE --video out.mp4`")
#: Steps later than this fraction of ``dt`` count as late.
LATE_FRACTION = 0.5
#: Beyond this lag (s) the clock stops trying to catch up (no bursts after a stall).
MAX_CATCH_UP = 0.25


class RealTimeClock:
    """Paces a loop at one step per ``dt`` and fills a :class:`RealTimeStats`."""

    def __init__(self, dt: float, stats):
        self.dt, self.stats = dt, stats
        self._next = None            # when the next step is due
        self._since = 0.0            # start of the current paced stretch
        self._before = 0.0           # paced time of earlier stretches

    def wait(self) -> None:
        """Sleep until the next step is due; record lateness if it is overdue."""
        now = time.perf_counter()
        stats = self.stats
        if self._next is None:
            self._next = self._since = now
            self._before = stats.elapsed
        lag = now - self._next
        if lag < 0:
            time.sleep(-lag)
        elif lag > LATE_FRACTION * self.dt:
            stats.late_steps += 1
            stats.max_lag = max(stats.max_lag, lag)
            if lag > MAX_CATCH_UP:
                self._next = now
        self._next += self.dt
        stats.steps += 1
        stats.elapsed = self._before + max(time.perf_counter(), self._next - self.dt) - self._since

    def resync(self) -> None:
        """Start pacing afresh after a deliberate pause (opening a new window)."""
        self._next = None


class _TextOverlay(threading.Thread):
    """Posts the HUD to the viewer from its own thread: ``viewer.set_texts`` waits for the
    next rendered frame, which must not hold up the simulation loop."""

    def __init__(self, viewer):
        super().__init__(daemon=True, name="hud")
        self.viewer = viewer
        self._latest = None
        self._posted = threading.Event()
        self._stopping = False

    def post(self, left: str, right: str) -> None:
        self._latest = (left, right)
        self._posted.set()

    def run(self) -> None:
        import mujoco

        while not self._stopping:
            if not self._posted.wait(0.1):
                continue
            self._posted.clear()
            if self._stopping or not self.viewer.is_running():
                break
            left, right = self._latest
            self.viewer.set_texts([(mujoco.mjtFontScale.mjFONTSCALE_150,
                                    mujoco.mjtGridPos.mjGRID_TOPLEFT, left, right)])

    def stop(self) -> None:
        self._stopping = True
        self._posted.set()
        self.join(timeout=2.0)


def _launch(session: TeleopSession):
    import mujoco.viewer

    world = session.world

    def on_key(code: int) -> None:
        name = GLFW_KEYS.get(code)
        if name is not None:
            session.press(name)

    before = set(threading.enumerate())
    try:
        viewer = mujoco.viewer.launch_passive(world.model, world.data, key_callback=on_key,
                                              show_left_ui=False, show_right_ui=False)
    except Exception as exc:  # GLFW/OpenGL failures surface as assorted exception types
        raise RenderingUnavailable(f"could not open the viewer window ({exc}); "
                                   f"{HEADLESS_HINT}") from None
    # the viewer renders on a daemon thread: closing must wait for it, or the process
    # can exit (terminating GLFW) while it still draws into the destroyed window
    viewer_threads = [t for t in threading.enumerate() if t not in before]
    return viewer, viewer_threads


class _ViewFlags:
    """The viewer's rendering and visualisation flags as launched. Its built-in shortcuts
    share our keys (W wireframe, S shadows, A/D/C/H/N/R other toggles); the flags are put
    back every step, so only the session sees those keys."""

    def __init__(self, viewer):
        self.render = viewer.user_scn.flags.copy()
        self.visual = viewer.opt.flags.copy()

    def restore(self, viewer) -> None:
        """Call holding the viewer lock; ``sync()`` passes them to the viewer's scene."""
        viewer.user_scn.flags[:] = self.render
        viewer.opt.flags[:] = self.visual


def _place_camera(viewer, session: TeleopSession, switched: bool) -> None:
    import mujoco

    cam, world, humanoid = viewer.cam, session.world, session.humanoid
    name = session.camera_name
    if name == "follow":
        cam.type = mujoco.mjtCamera.mjCAMERA_TRACKING
        cam.trackbodyid = world.body_id(humanoid.frame_body())
        cam.azimuth = math.degrees(humanoid.yaw)
        if switched:
            cam.distance, cam.elevation = 4.0, -50.0
    elif name == "robot head" and session.task.inset_camera() is not None:
        cam.type = mujoco.mjtCamera.mjCAMERA_FIXED
        cam.fixedcamid = world.id(mujoco.mjtObj.mjOBJ_CAMERA, session.task.inset_camera())
    elif switched:
        # frame the rooms' floors (the model's extent also counts the ground plane)
        model = world.model
        floors = [g for g in range(model.ngeom) if model.geom(g).name.startswith("floor/")
                  and model.geom(g).name.endswith("/plane")]
        pos, size = world.data.geom_xpos[floors, :2], world.model.geom_size[floors, :2]
        low, high = (pos - size).min(axis=0), (pos + size).max(axis=0)
        cam.type = mujoco.mjtCamera.mjCAMERA_FREE
        cam.lookat[:] = (*((low + high) / 2), 0.0)
        cam.distance = 1.3 * float(max(high - low))
        cam.elevation, cam.azimuth = -89.0, 90.0


def run_window(config: TeleopConfig, record: str | Path | None, steps: int | None = None,
               script: str | Path | None = None, realtime: bool = True) -> dict:
    """Open the viewer and run a session until Esc, the window is closed, or ``steps``
    steps; returns the session summary (with ``interrupted`` after Ctrl-C). ``script``
    adds timed keys from a file (demos, tests); ``realtime=False`` runs as fast as it
    can. Raises RenderingUnavailable (with the headless alternatives) without a display."""
    try:
        check_display()
    except RenderingUnavailable as exc:
        raise RenderingUnavailable(f"{exc} For teleop, {HEADLESS_HINT}") from None
    if steps is not None:
        check_range("steps", steps, 1, 10**8, integer=True)
    pending = collections.deque(read_key_script(script) if script else ())
    session = TeleopSession(config, record)
    viewer = overlay = None
    threads = []
    try:
        session.start()
        viewer, threads = _launch(session)
        flags = _ViewFlags(viewer)
        overlay = _TextOverlay(viewer)
        overlay.start()
        clock = RealTimeClock(session.dt, session.realtime)
        camera, world = None, session.world
        while not session.quit and (steps is None or session.total_steps < steps):
            if not viewer.is_running():
                break
            while pending and pending[0].step <= session.total_steps:
                session.press(pending.popleft().key)
            if realtime:
                clock.wait()
            with viewer.lock():
                session.step()
                flags.restore(viewer)
                if session.world is world:
                    _place_camera(viewer, session, switched=camera != session.camera)
                    camera = session.camera
            if session.world is not world:
                # another home: the viewer is bound to one model, open a new window
                _close(viewer, overlay, threads)
                world, camera = session.world, None
                viewer, threads = _launch(session)
                flags = _ViewFlags(viewer)
                overlay = _TextOverlay(viewer)
                overlay.start()
                clock.resync()
                continue
            overlay.post(*session.hud())
            viewer.sync()
    except KeyboardInterrupt:
        summary = dict(session.close("interrupted"), interrupted=True)
        _close(viewer, overlay, threads)
        return summary
    except BaseException:
        session.abandon()
        _close(viewer, overlay, threads)
        raise
    summary = session.close("quit")
    _close(viewer, overlay, threads)
    return summary


def _close(viewer, overlay, threads) -> None:
    if overlay is not None:
        overlay.stop()
    if viewer is not None:
        viewer.close()
    for thread in threads:
        thread.join(timeout=5.0)
