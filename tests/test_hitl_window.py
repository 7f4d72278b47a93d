"""The real teleop window under a virtual display, driven by xdotool key presses.

Needs Xvfb and xdotool (``apt-get install -y xvfb xdotool``); skipped without them.
"""

import fcntl
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

from embodied.hitl.recording import read_recording
from embodied.hitl.replay import replay
from embodied.sim.gl import can_open_display

pytestmark = pytest.mark.skipif(
    shutil.which("Xvfb") is None or shutil.which("xdotool") is None,
    reason="needs Xvfb and xdotool (install: apt-get install -y xvfb xdotool)")


def _start_xvfb():
    """An Xvfb server and its display number ('' if it did not come up)."""
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "960x640x24",
                               "-nolisten", "tcp"], pass_fds=[write_fd],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    return server, number


@pytest.fixture
def display():
    """A private Xvfb display (number chosen by the server); yields the DISPLAY value.

    Servers started at the same moment by parallel test workers can race for the same
    display number, so starts are serialised by a file lock and the display is checked to
    open before it is handed out (a server that lost the race is replaced)."""
    with open(os.path.join(tempfile.gettempdir(), "embodied-xvfb-start.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for _ in range(3):
            server, number = _start_xvfb()
            if number and server.poll() is None and can_open_display(f":{number}"):
                break
            server.kill()
            server.wait(timeout=10)
        else:
            pytest.fail("Xvfb did not start a display that opens (three tries)")
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def xdotool(display, *args) -> str:
    out = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=10,
                         env=dict(os.environ, DISPLAY=display))
    return out.stdout.strip()


def _forward_steps_written(record) -> int:
    """Steps on disk so far whose first humanoid command walks forward at 1 m/s (the file
    is flushed every few dozen steps, so this lags the session a little)."""
    count = 0
    for line in record.read_text().splitlines():
        try:
            step = json.loads(line)
        except json.JSONDecodeError:             # a line still being written
            continue
        if step.get("type") == "step" and step["h"] and step["h"][0][0] == 1.0:
            count += 1
    return count


@pytest.mark.parametrize("task, seed, rate", [("social_nav", 6, 12), ("social_rearrange", 22, 12)])
def test_window_keys_drive_the_humanoid_and_the_recording_replays(display, tmp_path, task, seed, rate):
    record = tmp_path / "window.jsonl"
    env = dict(os.environ, DISPLAY=display, MUJOCO_GL="glfw")
    app = subprocess.Popen([sys.executable, "-m", "embodied.cli", "teleop", f"task={task}",
                            f"seed={seed}", "task.config.max_steps=600", "--record", str(record),
                            "--steps", "900"], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        window = ""
        deadline = time.monotonic() + 60
        while not window and time.monotonic() < deadline and app.poll() is None:
            time.sleep(0.3)
            window = xdotool(display, "search", "--name", "MuJoCo").split("\n")[0]
        assert window, f"no viewer window appeared: {app.stderr.read() if app.poll() is not None else ''}"
        # keys only once the session steps (the episode line is written at its first step):
        # keys queued before it would all apply at once, Esc among them
        while time.monotonic() < deadline and app.poll() is None and \
                (not record.exists() or record.read_text().count("\n") < 2):
            time.sleep(0.2)
        # no window manager: focus follows the pointer, so put it over the window too
        xdotool(display, "windowfocus", window)
        xdotool(display, "mousemove", "--window", window, "200", "200")
        time.sleep(0.5)
        xdotool(display, "key", "w", "w")          # walk at 1 m/s
        # wait for steps, not seconds: under load the session runs slower than real time
        while time.monotonic() < deadline + 30 and app.poll() is None and \
                _forward_steps_written(record) < 24:
            time.sleep(0.2)
        xdotool(display, "key", "h", "c")          # help overlay, robot head camera
        time.sleep(0.5)
        xdotool(display, "key", "Escape")
        stdout, stderr = app.communicate(timeout=60)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    assert app.returncode == 0, stderr
    assert "steps in 1 episodes" in stdout and "(quit)" in stdout
    rec = read_recording(record)
    episode = rec.episodes[0]
    assert any(step["h"][0][0] == 1.0 for step in episode.steps)   # the keys reached the loop
    start, end = episode.start["humanoid"], episode.end["humanoid"]
    assert math.dist(start[:2], end[:2]) > 0.8                   # the humanoid walked
    assert episode.end["reason"] == "quit" and rec.close["realtime"]["target_steps_per_s"] == rate
    result = replay(rec)
    assert result["identical"] and result["steps"] == len(episode.steps)
