"""Choosing an OpenGL backend for offscreen rendering, with clear messages when none works.

MuJoCo reads ``MUJOCO_GL`` when it first creates a context. On a machine with no display
we default it to ``egl`` (Mesa's llvmpipe renders on the CPU); with a display, GLFW.
This must run before ``mujoco.Renderer`` is first created.
"""

from __future__ import annotations

import ctypes.util
import os

from embodied.errors import EmbodiedError

APT_HINT = "sudo apt-get install -y libegl1 libgl1 libegl-mesa0 libgl1-mesa-dri libgbm1"
XVFB_HINT = "sudo apt-get install -y xvfb xdotool"


class RenderingUnavailable(EmbodiedError):
    """No OpenGL backend can be used; the message says what to install or set."""


def configure_backend() -> str:
    """Pick ``MUJOCO_GL`` if the user has not, and check its system library is present."""
    backend = os.environ.get("MUJOCO_GL")
    if backend is None:
        backend = "glfw" if os.environ.get("DISPLAY") else "egl"
        os.environ["MUJOCO_GL"] = backend
    if backend == "egl":
        os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
        if ctypes.util.find_library("EGL") is None:
            raise RenderingUnavailable(
                f"headless rendering needs EGL (libEGL.so) and Mesa, which are missing. "
                f"Install them with: {APT_HINT}")
    elif backend == "osmesa":
        os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")
    return backend


def check_display() -> None:
    """Raise a clear error if no X display is available for an interactive window."""
    if not os.environ.get("DISPLAY"):
        raise RenderingUnavailable(
            "no display available for an interactive window (DISPLAY is not set). "
            "Run on a desktop, start a virtual display with `Xvfb :99 & export DISPLAY=:99` "
            f"(install: {XVFB_HINT}), or use the headless options (--video / replay --video).")
